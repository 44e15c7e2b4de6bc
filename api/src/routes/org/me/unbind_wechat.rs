use actix_web::{delete, web, HttpRequest, HttpResponse};

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::write_context;
use crate::state::AppState;
use domain::auth::WECHAT_PROVIDER;
use domain::auth::{unlink_account, Unlinker};

/// Unbinds the caller's WeChat account and ends all their sessions (audited). Sign in with
/// WeChat again and bind to use another account.
#[utoipa::path(
    tag = "me",
    operation_id = "unbindMyWechat",
    security(("bearerAuth" = [])),
    responses(
        (status = 204, description = "Unbound; every session ended"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No WeChat account is bound", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/me/wechat")]
pub async fn unbind_my_wechat(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    unlink_account(
        &write_context(&state, &user, &req),
        WECHAT_PROVIDER,
        user.member.id,
        Unlinker::Themself,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
