//! Saving the caller's self-assessment draft.

use actix_web::{put, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::super::dto::{AssessmentContentDto, AssessmentView};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::http::if_match::{self, etag};
use crate::routes::write_context;
use crate::state::AppState;
use domain::appraisal::service;
use domain::appraisal::CampaignId;

/// Saves the caller's draft, replacing what it holds, during the self-assessment stage. The
/// `If-Match` header must carry the version last read: a write from a second phone that
/// read an older version is refused (412) and changes nothing.
#[utoipa::path(
    tag = "appraisals",
    operation_id = "saveMySelfAssessment",
    security(("bearerAuth" = [])),
    params(
        ("id" = Uuid, Path, description = "The campaign"),
        ("If-Match" = String, Header, description = "The ETag last read, e.g. \"3\" (\"0\" before the first save)"),
    ),
    request_body = AssessmentContentDto,
    responses(
        (status = 200, description = "Saved", body = AssessmentView, headers(("ETag" = String, description = "The new version, quoted"))),
        (status = 400, description = "request_json_malformed or request_if_match_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign, or the caller does not take part", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "assessment_version_stale: the self-assessment changed since it was read; GET it again", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (assessment_text_invalid, assessment_part_repeated, assessment_item_unknown, assessment_too_many_problems, assessment_due_date_invalid), assessment_submitted, appraisal_excused, appraisal_stage_not_begun, appraisal_stage_over", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "request_precondition_required: no If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/api/v1/appraisals/{id}/self-assessment")]
pub async fn save_my_self_assessment(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<AssessmentContentDto>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match::version(&req)?;
    let a = service::save_my_assessment(
        &write_context(&state, &user, &req),
        CampaignId::from_uuid(*id),
        body.into_inner().into(),
        version,
    )
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(a.version)))
        .json(AssessmentView::from(&a)))
}
