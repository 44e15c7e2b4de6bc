//! Beginning a campaign's next stage early.

use actix_web::{post, web, HttpRequest};
use uuid::Uuid;

use super::dto::CampaignView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::write_context;
use crate::state::AppState;
use domain::appraisal::service;
use domain::appraisal::CampaignId;

/// Begins the next stage now, ahead of its dates (mobilisation before its day, or the stage
/// after the current one); the current stage ends at once and never reopens. Publication
/// runs its whole window. The secretary or township admin whose role covers the campaign's
/// org.
#[utoipa::path(
    tag = "appraisals",
    operation_id = "advanceAppraisal",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The campaign")),
    responses(
        (status = 200, description = "The campaign, in its new stage", body = CampaignView),
        (status = 400, description = "request_body_unexpected", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied (also a branch's secretary in a township's campaign)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "appraisal_publication_runs_its_course or appraisal_closed", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/appraisals/{id}/advance")]
pub async fn advance_appraisal(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<CampaignView>, ApiError> {
    let c = service::begin_next_stage(
        &write_context(&state, &user, &req),
        CampaignId::from_uuid(*id),
    )
    .await?;
    Ok(web::Json(CampaignView::at(&c, state.clock.now())))
}
