//! The caller's own rectification list.

use actix_web::{get, web};
use uuid::Uuid;

use super::super::dto::{RectificationList, RectificationView};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::read_context;
use crate::state::AppState;
use domain::appraisal::service;
use domain::appraisal::CampaignId;
use domain::calendar::shanghai;

/// The caller's own rectification list in the campaign, by due date: the problems their
/// submitted self-assessment found and the lines the secretary added.
#[utoipa::path(
    tag = "appraisals",
    operation_id = "listMyRectifications",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The campaign")),
    responses(
        (status = 200, description = "The caller's lines", body = RectificationList),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign, or the caller does not take part", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/appraisals/{id}/rectifications/mine")]
pub async fn list_my_rectifications(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<RectificationList>, ApiError> {
    let lines =
        service::my_rectifications(&read_context(&state, &user), CampaignId::from_uuid(*id))
            .await?;
    let today = state.clock.now().with_timezone(&shanghai()).date_naive();
    Ok(web::Json(RectificationList {
        items: lines
            .iter()
            .map(|l| RectificationView::at(l, today))
            .collect(),
    }))
}
