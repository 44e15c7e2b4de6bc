//! The branch's rectification lines, overdue first.

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

/// Every line under the caller's part of the campaign: overdue first, then by due date.
/// Secretaries and township admins.
#[utoipa::path(
    tag = "appraisals",
    operation_id = "listRectifications",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The campaign")),
    responses(
        (status = 200, description = "The lines", body = RectificationList),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign, or no part of it under the caller's roles", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/appraisals/{id}/rectifications")]
pub async fn list_rectifications(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<RectificationList>, ApiError> {
    let lines =
        service::branch_rectifications(&read_context(&state, &user), CampaignId::from_uuid(*id))
            .await?;
    let today = state.clock.now().with_timezone(&shanghai()).date_naive();
    Ok(web::Json(RectificationList {
        items: lines
            .iter()
            .map(|l| RectificationView::at(l, today))
            .collect(),
    }))
}
