//! One campaign, for its participants and those managing it.

use actix_web::{get, web};
use uuid::Uuid;

use super::dto::CampaignView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::read_context;
use crate::state::AppState;
use domain::appraisal::service;
use domain::appraisal::CampaignId;

/// A campaign: its participants (members of its branches) and the secretaries, committee
/// members and township admins covering it or a branch in it.
#[utoipa::path(
    tag = "appraisals",
    operation_id = "getAppraisal",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The campaign")),
    responses(
        (status = 200, description = "The campaign", body = CampaignView),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/appraisals/{id}")]
pub async fn get_appraisal(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<CampaignView>, ApiError> {
    let c = service::get_campaign(&read_context(&state, &user), CampaignId::from_uuid(*id)).await?;
    Ok(web::Json(CampaignView::at(&c, state.clock.now())))
}
