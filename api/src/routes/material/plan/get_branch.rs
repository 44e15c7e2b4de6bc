//! Reading a branch's yearly study plan.

use actix_web::{get, web};
use uuid::Uuid;

use super::dto::StudyPlanView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::read_context;
use crate::state::AppState;
use domain::material::plan;
use domain::org::OrgId;

/// A branch's plan of a year: the branch's members and those covering it may read it.
#[utoipa::path(
    tag = "materials",
    operation_id = "getBranchStudyPlan",
    security(("bearerAuth" = [])),
    params(
        ("id" = Uuid, Path, description = "The branch"),
        ("year" = i32, Path, minimum = 2000, maximum = 2100, description = "2000-2100"),
    ),
    responses(
        (status = 200, description = "The plan", body = StudyPlanView),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org or plan, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "study_plan_needs_branch", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/orgs/{id}/study-plans/{year}")]
pub async fn get_branch_plan(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, i32)>,
) -> Result<web::Json<StudyPlanView>, ApiError> {
    let (id, year) = path.into_inner();
    let found = plan::branch_plan(&read_context(&state, &user), OrgId::from_uuid(id), year).await?;
    Ok(web::Json(StudyPlanView::from(&found)))
}
