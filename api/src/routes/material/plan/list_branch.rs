//! A branch's yearly study plans.

use actix_web::{get, web};
use uuid::Uuid;

use super::dto::{StudyPlanList, StudyPlanView};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::read_context;
use crate::state::AppState;
use domain::material::plan;
use domain::org::OrgId;

/// A branch's plans, newest year first.
#[utoipa::path(
    tag = "materials",
    operation_id = "listBranchStudyPlans",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The branch")),
    responses(
        (status = 200, description = "The branch's plans", body = StudyPlanList),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "study_plan_needs_branch", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/orgs/{id}/study-plans")]
pub async fn list_branch_plans(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<StudyPlanList>, ApiError> {
    let plans = plan::branch_plans(&read_context(&state, &user), OrgId::from_uuid(*id)).await?;
    Ok(web::Json(StudyPlanList {
        items: plans.iter().map(StudyPlanView::from).collect(),
    }))
}
