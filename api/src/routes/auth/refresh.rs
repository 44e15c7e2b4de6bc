use actix_web::{post, web};

use super::dto::RefreshRequest;
use crate::auth::session::{self, TokenPair};
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::state::AppState;

/// Exchanges a refresh token for a new access + refresh pair. Each refresh token works
/// once: a repeat within 30 s answers the same pair; a later reuse revokes the session.
#[utoipa::path(
    tag = "auth",
    operation_id = "refreshSession",
    security(()),
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new pair", body = TokenPair),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_refresh_invalid, auth_refresh_expired, auth_refresh_revoked, auth_refresh_reused or auth_member_inactive", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    body: Json<RefreshRequest>,
) -> Result<web::Json<TokenPair>, ApiError> {
    let pair = session::refresh(&state, &body.into_inner().refresh_token).await?;
    Ok(web::Json(pair))
}
