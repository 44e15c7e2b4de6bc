//! The caller's own self-assessment.

use actix_web::{get, web, HttpResponse};
use uuid::Uuid;

use super::super::dto::AssessmentView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::http::if_match::etag;
use crate::routes::read_context;
use crate::state::AppState;
use domain::appraisal::service;
use domain::appraisal::CampaignId;

/// The caller's self-assessment in the campaign (a blank draft at version 0 before the
/// first save), with its version as `ETag`.
#[utoipa::path(
    tag = "appraisals",
    operation_id = "getMySelfAssessment",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The campaign")),
    responses(
        (status = 200, description = "The self-assessment", body = AssessmentView, headers(("ETag" = String, description = "The version, quoted: send it back as If-Match"))),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign, or the caller does not take part", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/appraisals/{id}/self-assessment")]
pub async fn get_my_self_assessment(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (_, a) =
        service::my_assessment(&read_context(&state, &user), CampaignId::from_uuid(*id)).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(a.version)))
        .json(AssessmentView::from(&a)))
}
