//! Who has and hasn't submitted.

use actix_web::{get, web};
use uuid::Uuid;

use super::super::dto::{AssessmentProgressView, AssessmentStatus, ParticipantView, ProgressList};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::http::time::beijing;
use crate::routes::read_context;
use crate::state::AppState;
use domain::appraisal::service;
use domain::appraisal::CampaignId;

/// Every participant under the caller's part of the campaign (their branch, or the whole
/// campaign for a township admin covering it), by branch and name, with where their
/// self-assessment stands. Secretaries and township admins.
#[utoipa::path(
    tag = "appraisals",
    operation_id = "listSelfAssessments",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The campaign")),
    responses(
        (status = 200, description = "The participants", body = ProgressList),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign, or no part of it under the caller's roles", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/appraisals/{id}/self-assessments")]
pub async fn list_self_assessments(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<ProgressList>, ApiError> {
    let rows =
        service::assessment_progress(&read_context(&state, &user), CampaignId::from_uuid(*id))
            .await?;
    let items: Vec<AssessmentProgressView> = rows
        .iter()
        .map(|r| AssessmentProgressView {
            participant: ParticipantView::from(&r.participant),
            status: r.status.into(),
            submitted_at: r.submitted_at.map(beijing),
        })
        .collect();
    Ok(web::Json(ProgressList {
        submitted: items
            .iter()
            .filter(|i| i.status == AssessmentStatus::Submitted)
            .count(),
        total: items.len(),
        items,
    }))
}
