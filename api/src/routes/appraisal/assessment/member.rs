//! A participant's self-assessment, for the secretary.

use actix_web::{get, web};
use uuid::Uuid;

use super::super::dto::AssessmentView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::read_context;
use crate::state::AppState;
use domain::appraisal::service;
use domain::appraisal::CampaignId;
use domain::org::MemberId;

/// A participant's self-assessment (a blank draft when they have saved none), for the
/// secretary or township admin managing their branch in the campaign.
#[utoipa::path(
    tag = "appraisals",
    operation_id = "getSelfAssessment",
    security(("bearerAuth" = [])),
    params(
        ("id" = Uuid, Path, description = "The campaign"),
        ("memberId" = Uuid, Path, description = "The participant"),
    ),
    responses(
        (status = 200, description = "The self-assessment", body = AssessmentView),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign or participant, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/appraisals/{id}/self-assessments/{memberId}")]
pub async fn get_self_assessment(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<AssessmentView>, ApiError> {
    let (id, member) = path.into_inner();
    let a = service::member_assessment(
        &read_context(&state, &user),
        CampaignId::from_uuid(id),
        MemberId::from_uuid(member),
    )
    .await?;
    Ok(web::Json(AssessmentView::from(&a)))
}
