//! Excusing a participant from the campaign.

use actix_web::{put, web, HttpRequest};
use uuid::Uuid;

use super::dto::{ParticipantView, ReasonRequest};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::routes::write_context;
use crate::state::AppState;
use domain::appraisal::service;
use domain::appraisal::CampaignId;
use domain::org::MemberId;

/// Records a participant as excused from the campaign (frail, long ill), with a reason:
/// they write no self-assessment and receive no grade. Until publication begins. The
/// secretary or township admin managing their branch in the campaign.
#[utoipa::path(
    tag = "appraisals",
    operation_id = "excuseParticipant",
    security(("bearerAuth" = [])),
    params(
        ("id" = Uuid, Path, description = "The campaign"),
        ("memberId" = Uuid, Path, description = "The participant"),
    ),
    request_body = ReasonRequest,
    responses(
        (status = 200, description = "Excused", body = ParticipantView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign or participant, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (appraisal_reason_invalid), appraisal_stage_over", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/api/v1/appraisals/{id}/participants/{memberId}/excusal")]
pub async fn excuse_participant(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<ReasonRequest>,
) -> Result<web::Json<ParticipantView>, ApiError> {
    let (id, member) = path.into_inner();
    let reason = body.into_inner().reason;
    let p = service::excuse_participant(
        &write_context(&state, &user, &req),
        CampaignId::from_uuid(id),
        MemberId::from_uuid(member),
        Some(&reason),
    )
    .await?;
    Ok(web::Json(ParticipantView::from(&p)))
}
