//! Reopening a participant's submitted self-assessment.

use actix_web::{post, web, HttpRequest};
use uuid::Uuid;

use super::super::dto::{AssessmentView, ReasonRequest};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::routes::write_context;
use crate::state::AppState;
use domain::appraisal::service;
use domain::appraisal::CampaignId;
use domain::org::MemberId;

/// Reopens a participant's submitted self-assessment as a draft, during the self-assessment
/// stage, with a reason the member sees (audited). The secretary or township admin
/// managing their branch in the campaign.
#[utoipa::path(
    tag = "appraisals",
    operation_id = "reopenSelfAssessment",
    security(("bearerAuth" = [])),
    params(
        ("id" = Uuid, Path, description = "The campaign"),
        ("memberId" = Uuid, Path, description = "The participant"),
    ),
    request_body = ReasonRequest,
    responses(
        (status = 200, description = "Reopened", body = AssessmentView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign or participant, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "assessment_version_stale: the member changed it meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (appraisal_reason_invalid), assessment_not_submitted, appraisal_stage_not_begun, appraisal_stage_over", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/appraisals/{id}/self-assessments/{memberId}/reopen")]
pub async fn reopen_self_assessment(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<ReasonRequest>,
) -> Result<web::Json<AssessmentView>, ApiError> {
    let (id, member) = path.into_inner();
    let a = service::reopen_assessment(
        &write_context(&state, &user, &req),
        CampaignId::from_uuid(id),
        MemberId::from_uuid(member),
        &body.into_inner().reason,
    )
    .await?;
    Ok(web::Json(AssessmentView::from(&a)))
}
