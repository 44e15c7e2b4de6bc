//! Reading the caller's personal study plan of a year.

use actix_web::{get, web};

use super::dto::StudyPlanView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use domain::material::plan::PlanOwner;
use domain::material::StudyPlanRepo;

/// The caller's personal plan of a year.
#[utoipa::path(
    tag = "me",
    operation_id = "getMyStudyPlan",
    security(("bearerAuth" = [])),
    params(("year" = i32, Path, minimum = 2000, maximum = 2100, description = "2000-2100")),
    responses(
        (status = 200, description = "The plan", body = StudyPlanView),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No plan for that year", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/me/study-plans/{year}")]
pub async fn get_my_plan(
    state: web::Data<AppState>,
    user: AuthUser,
    year: web::Path<i32>,
) -> Result<web::Json<StudyPlanView>, ApiError> {
    let found = StudyPlanRepo::get(&state.db.repos(), PlanOwner::Member(user.member.id), *year)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(web::Json(StudyPlanView::from(&found)))
}
