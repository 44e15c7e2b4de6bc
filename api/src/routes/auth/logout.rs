use actix_web::{post, web, HttpResponse};

use crate::auth::{session, Caller};
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Ends the caller's session (a member's or a resident's) at once on every instance: this
/// access token stops working and its refresh token can no longer be exchanged.
#[utoipa::path(
    tag = "auth",
    operation_id = "logout",
    security(("bearerAuth" = [])),
    responses(
        (status = 204, description = "Logged out"),
        (status = 401, description = "Missing or invalid access token (auth_token_*)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/auth/logout")]
pub async fn logout(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    session::logout(&state, caller.claims()).await?;
    Ok(HttpResponse::NoContent().finish())
}
