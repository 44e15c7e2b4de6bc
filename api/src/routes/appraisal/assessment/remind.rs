//! Reminding the members who have not submitted their self-assessment.

use actix_web::{post, web, HttpRequest};
use uuid::Uuid;

use super::super::dto::RemindersView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::write_context;
use crate::state::AppState;
use domain::appraisal::service;
use domain::appraisal::CampaignId;

/// Sends a subscribe message (自评提醒) to every participant under the caller's part of the
/// campaign who has not submitted their self-assessment (those excused aside), during the
/// self-assessment stage: at most one per member per day (Beijing), whoever asks and however
/// often; a member who submits, or a stage that ends, before it is sent drops it. Delivered
/// through the outbox to members with a consent left for the template. Audited. The
/// secretary or township admin managing the branch in the campaign.
#[utoipa::path(
    tag = "appraisals",
    operation_id = "remindSelfAssessments",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The campaign")),
    responses(
        (status = 200, description = "Who was reminded", body = RemindersView),
        (status = 400, description = "request_body_unexpected", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign, or no part of it under the caller's roles", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "appraisal_reminders_off", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "appraisal_stage_not_begun or appraisal_stage_over", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/appraisals/{id}/self-assessments/reminders")]
pub async fn remind_self_assessments(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<RemindersView>, ApiError> {
    let r = service::remind_pending(
        &write_context(&state, &user, &req),
        CampaignId::from_uuid(*id),
    )
    .await?;
    Ok(web::Json(RemindersView {
        pending: r.pending,
        reminded_member_ids: r.reminded.iter().map(|m| m.as_uuid()).collect(),
        already_reminded_today: r.already_today,
    }))
}
