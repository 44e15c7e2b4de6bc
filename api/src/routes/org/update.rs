use actix_web::{patch, web, HttpRequest};
use uuid::Uuid;

use super::dto::{OrgView, UpdateOrg};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::routes::write_context;
use crate::state::AppState;
use domain::org::service::{self, OrgChanges};
use domain::org::OrgId;

/// Renames an org or changes its sector (township admins covering it).
#[utoipa::path(
    tag = "orgs",
    operation_id = "updateOrg",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The org")),
    request_body = UpdateOrg,
    responses(
        (status = 200, description = "Updated", body = OrgView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "org_name_taken: a sibling has this name", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/api/v1/orgs/{id}")]
pub async fn update_org(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<UpdateOrg>,
) -> Result<web::Json<OrgView>, ApiError> {
    let body = body.into_inner();
    let changes = OrgChanges {
        name: body.name,
        sector: body.sector.map(Into::into),
    };
    let org = service::update_org(
        &write_context(&state, &user, &req),
        OrgId::from_uuid(*id),
        changes,
    )
    .await?;
    Ok(web::Json(OrgView::from(&org)))
}
