//! Submitting the caller's self-assessment.

use actix_web::{post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::super::dto::AssessmentView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::http::if_match::{self, etag};
use crate::routes::write_context;
use crate::state::AppState;
use domain::appraisal::service;
use domain::appraisal::CampaignId;

/// Submits the caller's self-assessment as last saved (the version in `If-Match`): it must
/// be complete, and is locked from then on (the secretary may reopen it during the stage).
#[utoipa::path(
    tag = "appraisals",
    operation_id = "submitMySelfAssessment",
    security(("bearerAuth" = [])),
    params(
        ("id" = Uuid, Path, description = "The campaign"),
        ("If-Match" = String, Header, description = "The ETag last read, e.g. \"3\""),
    ),
    responses(
        (status = 200, description = "Submitted", body = AssessmentView, headers(("ETag" = String, description = "The new version, quoted"))),
        (status = 400, description = "request_body_unexpected or request_if_match_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign, or the caller does not take part", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "assessment_version_stale", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed (assessment_incomplete, naming each missing part), assessment_submitted, appraisal_excused, appraisal_stage_not_begun, appraisal_stage_over", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "request_precondition_required: no If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/appraisals/{id}/self-assessment/submit")]
pub async fn submit_my_self_assessment(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match::version(&req)?;
    let a = service::submit_my_assessment(
        &write_context(&state, &user, &req),
        CampaignId::from_uuid(*id),
        version,
    )
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(a.version)))
        .json(AssessmentView::from(&a)))
}
