use actix_web::{delete, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::write_context;
use crate::state::AppState;
use domain::auth::WECHAT_PROVIDER;
use domain::auth::{unlink_account, Unlinker};
use domain::org::MemberId;

/// Resets a member's WeChat binding (a lost phone) and ends all their sessions; they bind
/// again with a new invite code or their phone. Secretaries and township admins covering
/// the member; audited.
#[utoipa::path(
    tag = "members",
    operation_id = "resetMemberWechat",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The member")),
    responses(
        (status = 204, description = "Reset; every session of the member ended"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member, outside the caller's scope, or nothing bound", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/members/{id}/wechat")]
pub async fn reset_member_wechat(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    unlink_account(
        &write_context(&state, &user, &req),
        WECHAT_PROVIDER,
        MemberId::from_uuid(*id),
        Unlinker::Manager,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
