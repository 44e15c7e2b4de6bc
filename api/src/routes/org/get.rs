use actix_web::{get, web};
use uuid::Uuid;

use super::dto::OrgView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::read_context;
use crate::state::AppState;
use domain::org::{service, OrgId};

/// An org: any member inside it, or a secretary, committee member or township admin
/// covering it, may read it.
#[utoipa::path(
    tag = "orgs",
    operation_id = "getOrg",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The org")),
    responses(
        (status = 200, description = "The org", body = OrgView),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/orgs/{id}")]
pub async fn get_org(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<OrgView>, ApiError> {
    let org = service::get_org(&read_context(&state, &user), OrgId::from_uuid(*id)).await?;
    Ok(web::Json(OrgView::from(&org)))
}
