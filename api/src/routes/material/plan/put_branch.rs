//! Writing a branch's yearly study plan.

use actix_web::{put, web, HttpRequest};
use uuid::Uuid;

use super::dto::{BranchPlanRequest, StudyPlanView};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::routes::write_context;
use crate::state::AppState;
use domain::material::plan;
use domain::org::OrgId;

/// Writes (or replaces) a branch's plan of a year: quarterly arrangements (季度安排) with
/// monthly tasks pointing to materials. The branch's secretary, or a township admin above
/// it. Audited; each replacement counts a revision.
#[utoipa::path(
    tag = "materials",
    operation_id = "putBranchStudyPlan",
    security(("bearerAuth" = [])),
    params(
        ("id" = Uuid, Path, description = "The branch"),
        ("year" = i32, Path, minimum = 2000, maximum = 2100, description = "2000-2100"),
    ),
    request_body = BranchPlanRequest,
    responses(
        (status = 200, description = "The plan as stored", body = StudyPlanView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "forbidden: not a publisher for this branch", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org (or outside the caller's scope), or a year outside 2000-2100", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid, study_plan_needs_branch, or validation_failed (study_plan_title_invalid, study_plan_arrangement_invalid, study_plan_quarter_invalid, study_plan_month_invalid, study_plan_note_invalid, study_plan_materials_too_many, study_plan_tasks_too_many, study_plan_shape_invalid, study_plan_material_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/api/v1/orgs/{id}/study-plans/{year}")]
pub async fn put_branch_plan(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, i32)>,
    body: Json<BranchPlanRequest>,
) -> Result<web::Json<StudyPlanView>, ApiError> {
    let (id, year) = path.into_inner();
    let ctx = write_context(&state, &user, &req);
    let stored =
        plan::put_branch_plan(&ctx, OrgId::from_uuid(id), year, body.into_inner().into()).await?;
    Ok(web::Json(StudyPlanView::from(&stored)))
}
