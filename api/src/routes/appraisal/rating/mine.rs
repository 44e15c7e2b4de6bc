//! The caller's own result.

use actix_web::{get, web};
use uuid::Uuid;

use super::super::dto::ResultView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::read_context;
use crate::state::AppState;
use domain::appraisal::service;
use domain::appraisal::CampaignId;

/// The caller's own result (from publication on), objection and appeal.
#[utoipa::path(
    tag = "appraisals",
    operation_id = "getMyResult",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The campaign")),
    responses(
        (status = 200, description = "The caller's result", body = ResultView),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign, or the caller does not take part", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/appraisals/{id}/result")]
pub async fn get_my_result(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<ResultView>, ApiError> {
    let row = service::my_result(&read_context(&state, &user), CampaignId::from_uuid(*id)).await?;
    Ok(web::Json(ResultView::from(&row)))
}
