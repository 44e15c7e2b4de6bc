//! Every participant's result so far, for the rater.

use actix_web::{get, web};
use uuid::Uuid;

use super::super::dto::{ResultList, ResultView};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::read_context;
use crate::state::AppState;
use domain::appraisal::service;
use domain::appraisal::CampaignId;

/// Every participant under the caller's part of the campaign with their result, objection
/// and appeal so far. Secretaries and township admins.
#[utoipa::path(
    tag = "appraisals",
    operation_id = "listRatings",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The campaign")),
    responses(
        (status = 200, description = "The participants and their results", body = ResultList),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign, or no part of it under the caller's roles", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/appraisals/{id}/ratings")]
pub async fn list_ratings(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<ResultList>, ApiError> {
    let rows =
        service::list_ratings(&read_context(&state, &user), CampaignId::from_uuid(*id)).await?;
    Ok(web::Json(ResultList {
        items: rows.iter().map(ResultView::from).collect(),
    }))
}
