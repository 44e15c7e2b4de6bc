//! Approving or rejecting several check-ins of an activity at once, from a phone.

use actix_web::{post, web, HttpRequest};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::routes::activity::dto::{CheckInView, ReviewDecision};
use crate::routes::write_context;
use crate::state::AppState;
use domain::activity::service::{self, Decision};
use domain::activity::{ActivityId, CheckInId};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BatchReviewRequest {
    /// 1-200 check-ins of this activity.
    #[schema(min_items = 1, max_items = 200)]
    pub ids: Vec<Uuid>,
    pub decision: ReviewDecision,
    /// Required to reject.
    #[serde(default)]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "printable",
        example = "未到现场"
    )]
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchReviewResult {
    /// The decided check-ins.
    pub items: Vec<CheckInView>,
}

/// Approves or rejects several check-ins of one activity, all or nothing: if any id is
/// unknown or outside the caller's scope (`check_in_not_found`), of another activity
/// (`check_in_not_in_activity`) or already decided (`check_in_not_pending`), nothing
/// changes and the 422 lists each such id by its pointer (`/ids/3`).
#[utoipa::path(
    tag = "check-ins",
    operation_id = "reviewCheckIns",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The activity")),
    request_body = BatchReviewRequest,
    responses(
        (status = 200, description = "Every check-in decided", body = BatchReviewResult),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such activity, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "check_in_not_pending (decided by someone else meanwhile)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed: the refused ids, or review_batch_size_invalid / review_reason_required", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/activities/{id}/check-ins/review")]
pub async fn review_check_ins(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<BatchReviewRequest>,
) -> Result<web::Json<BatchReviewResult>, ApiError> {
    let b = body.into_inner();
    let decided = service::review_check_ins(
        &write_context(&state, &user, &req),
        ActivityId::from_uuid(*id),
        b.ids.into_iter().map(CheckInId::from_uuid).collect(),
        Decision {
            decision: b.decision.into(),
            reason: b.reason,
        },
    )
    .await?;
    Ok(web::Json(BatchReviewResult {
        items: decided.iter().map(CheckInView::from).collect(),
    }))
}

impl crate::extract::Validate for BatchReviewRequest {
    fn validate(&self) -> Result<(), Vec<domain::error::FieldError>> {
        Ok(())
    }
}
