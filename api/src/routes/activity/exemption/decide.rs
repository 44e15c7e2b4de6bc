//! The branch decides on an exemption.

use actix_web::{post, web, HttpRequest};
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::routes::activity::dto::{ExemptionView, ReviewRequest};
use crate::routes::write_context;
use crate::state::AppState;
use domain::activity::service::{self};
use domain::activity::ExemptionId;

/// Approves or rejects an exemption (a rejection needs a reason). Approved, the member is
/// excused from what it covers and cannot check in to it. S, C*, T; audited.
#[utoipa::path(
    tag = "exemptions",
    operation_id = "reviewExemption",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The exemption")),
    request_body = ReviewRequest,
    responses(
        (status = 200, description = "The decided exemption", body = ExemptionView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such exemption, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "exemption_not_pending", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (review_reason_required)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/exemptions/{id}/review")]
pub async fn review_exemption(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<ReviewRequest>,
) -> Result<web::Json<ExemptionView>, ApiError> {
    let e = service::review_exemption(
        &write_context(&state, &user, &req),
        ExemptionId::from_uuid(*id),
        body.into_inner().into_domain(),
    )
    .await?;
    Ok(web::Json(ExemptionView::from(&e)))
}
