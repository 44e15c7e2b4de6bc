//! Withdrawing a participant's excusal.

use actix_web::{delete, web, HttpRequest};
use uuid::Uuid;

use super::dto::ParticipantView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::write_context;
use crate::state::AppState;
use domain::appraisal::service;
use domain::appraisal::CampaignId;
use domain::org::MemberId;

/// Withdraws a participant's excusal: they take part again. Until publication begins.
#[utoipa::path(
    tag = "appraisals",
    operation_id = "withdrawExcusal",
    security(("bearerAuth" = [])),
    params(
        ("id" = Uuid, Path, description = "The campaign"),
        ("memberId" = Uuid, Path, description = "The participant"),
    ),
    responses(
        (status = 200, description = "Taking part again", body = ParticipantView),
        (status = 400, description = "request_body_unexpected", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign or participant, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "appraisal_stage_over", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/appraisals/{id}/participants/{memberId}/excusal")]
pub async fn withdraw_excusal(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<ParticipantView>, ApiError> {
    let (id, member) = path.into_inner();
    let p = service::excuse_participant(
        &write_context(&state, &user, &req),
        CampaignId::from_uuid(id),
        MemberId::from_uuid(member),
        None,
    )
    .await?;
    Ok(web::Json(ParticipantView::from(&p)))
}
