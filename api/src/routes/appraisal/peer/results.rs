//! The secretary's aggregates of the peer ballot, and the turnout.

use actix_web::{get, web, HttpRequest};
use uuid::Uuid;

use super::dto::PeerResultsView;
use super::random_bytes;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::write_context;
use crate::state::AppState;
use domain::appraisal::service;
use domain::appraisal::CampaignId;

/// The peer ballot under the caller's part of the campaign (their branch, or the whole
/// campaign for a township admin covering it), from the peer-review stage on. During the
/// stage: the turnout per branch only (voters over eligible reviewers, flagged under 80 %).
/// Once it is over: per graded member the number of ballots, the overall grades, per
/// dimension the counts and the mean points (优秀 4 … 不合格 1) and the comments without
/// author in a random order, all of it withheld for a member with fewer than three
/// ballots. Reading after the stage first erases the ballot secret if still stored.
/// Secretaries and township admins.
#[utoipa::path(
    tag = "appraisals",
    operation_id = "getPeerReviewResults",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The campaign")),
    responses(
        (status = 200, description = "The aggregates and turnout", body = PeerResultsView),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign, or no part of it under the caller's roles", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "appraisal_stage_not_begun", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/appraisals/{id}/peer-reviews/results")]
pub async fn get_peer_review_results(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<PeerResultsView>, ApiError> {
    let r = service::peer_results(
        &write_context(&state, &user, &req),
        CampaignId::from_uuid(*id),
        random_bytes()?,
    )
    .await?;
    Ok(web::Json(PeerResultsView::from(&r)))
}
