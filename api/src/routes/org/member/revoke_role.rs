use actix_web::{delete, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::write_context;
use crate::state::AppState;
use domain::org::service;
use domain::org::{MemberId, RoleGrantId};

/// Revokes a role, under the same rules as granting it.
#[utoipa::path(
    tag = "members",
    operation_id = "revokeRole",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The member"), ("roleId" = Uuid, Path, description = "The role grant")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member or role, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/members/{id}/roles/{roleId}")]
pub async fn revoke_role(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (member, grant) = path.into_inner();
    service::revoke_role(
        &write_context(&state, &user, &req),
        MemberId::from_uuid(member),
        RoleGrantId::from_uuid(grant),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
