use actix_web::{post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::dto::{CreateOrg, OrgView};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::routes::write_context;
use crate::state::AppState;
use domain::org::service::{self, NewOrg};
use domain::org::OrgId;

/// Creates an org under this one (township admins): a committee holds general branches
/// and branches, a general branch holds branches, a branch holds groups.
#[utoipa::path(
    tag = "orgs",
    operation_id = "createChildOrg",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The parent org")),
    request_body = CreateOrg,
    responses(
        (status = 201, description = "Created", body = OrgView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied: only township admins create orgs", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "org_name_taken: a sibling has this name", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid, validation_failed (org_kind_not_allowed_here, org_name_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/orgs/{id}/children")]
pub async fn create_child(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<CreateOrg>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let new = NewOrg {
        kind: body.kind.into(),
        sector: body.sector.map(Into::into),
        name: body.name,
    };
    let org = service::create_child_org(
        &write_context(&state, &user, &req),
        OrgId::from_uuid(*id),
        new,
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/orgs/{}", org.id)))
        .json(OrgView::from(&org)))
}
