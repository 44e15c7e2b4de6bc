//! Marking one of the caller's own lines done, or open again.

use actix_web::{patch, web, HttpRequest};
use uuid::Uuid;

use super::super::dto::{MarkRectification, RectificationView};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::routes::write_context;
use crate::state::AppState;
use domain::appraisal::service;
use domain::appraisal::{CampaignId, RectificationId};
use domain::calendar::shanghai;

/// Marks one of the caller's own lines done (with a note on how it was put right) or open
/// again. Members follow up their own list, during the campaign and after it.
#[utoipa::path(
    tag = "appraisals",
    operation_id = "markRectification",
    security(("bearerAuth" = [])),
    params(
        ("id" = Uuid, Path, description = "The campaign"),
        ("lineId" = Uuid, Path, description = "The line"),
    ),
    request_body = MarkRectification,
    responses(
        (status = 200, description = "Marked", body = RectificationView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign or line, or not the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (rectification_text_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/api/v1/appraisals/{id}/rectifications/{lineId}")]
pub async fn mark_rectification(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<MarkRectification>,
) -> Result<web::Json<RectificationView>, ApiError> {
    let (id, line) = path.into_inner();
    let b = body.into_inner();
    let note = b.note.filter(|_| b.done);
    let l = service::mark_rectification(
        &write_context(&state, &user, &req),
        CampaignId::from_uuid(id),
        RectificationId::from_uuid(line),
        note.as_deref(),
    )
    .await?;
    let today = state.clock.now().with_timezone(&shanghai()).date_naive();
    Ok(web::Json(RectificationView::at(&l, today)))
}
