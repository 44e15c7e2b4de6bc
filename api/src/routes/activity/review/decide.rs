//! Approving or rejecting one check-in.

use actix_web::{post, web, HttpRequest};
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::routes::activity::dto::{CheckInView, ReviewRequest};
use crate::routes::write_context;
use crate::state::AppState;
use domain::activity::service::{self};
use domain::activity::CheckInId;

/// Approves or rejects one check-in (a rejection needs a reason). S, C*, T covering its
/// branch; audited.
#[utoipa::path(
    tag = "check-ins",
    operation_id = "reviewCheckIn",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The check-in")),
    request_body = ReviewRequest,
    responses(
        (status = 200, description = "The decided check-in", body = CheckInView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such check-in, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "check_in_not_pending", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (review_reason_required, review_reason_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/check-ins/{id}/review")]
pub async fn review_check_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<ReviewRequest>,
) -> Result<web::Json<CheckInView>, ApiError> {
    let c = service::review_check_in(
        &write_context(&state, &user, &req),
        CheckInId::from_uuid(*id),
        body.into_inner().into_domain(),
    )
    .await?;
    Ok(web::Json(CheckInView::from(&c)))
}
