//! The members the caller grades, with the caller's own ballots.

use actix_web::{get, web};
use uuid::Uuid;

use super::dto::PeerTodoView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::read_context;
use crate::state::AppState;
use domain::appraisal::service;
use domain::appraisal::CampaignId;

/// The participants the caller grades in the peer review (the others of their branch, or of
/// their 党小组, as the campaign says; graded members only, never themself), each with the
/// caller's own ballot while the stage is open. Participants only.
#[utoipa::path(
    tag = "appraisals",
    operation_id = "getMyPeerReviews",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The campaign")),
    responses(
        (status = 200, description = "The caller's reviewees", body = PeerTodoView),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign, or the caller does not take part", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/appraisals/{id}/peer-reviews/todo")]
pub async fn get_my_peer_reviews(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<PeerTodoView>, ApiError> {
    let t = service::peer_todo(&read_context(&state, &user), CampaignId::from_uuid(*id)).await?;
    Ok(web::Json(PeerTodoView::from(&t)))
}
