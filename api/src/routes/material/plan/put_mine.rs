//! Writing the caller's personal study plan of a year (leading cadres).

use actix_web::{put, web, HttpRequest};

use super::dto::{PersonalPlanRequest, StudyPlanView};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::routes::write_context;
use crate::state::AppState;
use domain::material::plan::{self};

/// Writes (or replaces) the caller's personal plan of a year: monthly items pointing to
/// materials in their audience. Leading cadres (领导干部) only. Audited.
#[utoipa::path(
    tag = "me",
    operation_id = "putMyStudyPlan",
    security(("bearerAuth" = [])),
    params(("year" = i32, Path, minimum = 2000, maximum = 2100, description = "2000-2100")),
    request_body = PersonalPlanRequest,
    responses(
        (status = 200, description = "The plan as stored", body = StudyPlanView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "A year outside 2000-2100", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid, study_plan_cadres_only, or validation_failed (study_plan_title_invalid, study_plan_month_invalid, study_plan_note_invalid, study_plan_materials_too_many, study_plan_tasks_too_many, study_plan_shape_invalid, study_plan_material_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/api/v1/me/study-plans/{year}")]
pub async fn put_my_plan(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    year: web::Path<i32>,
    body: Json<PersonalPlanRequest>,
) -> Result<web::Json<StudyPlanView>, ApiError> {
    let ctx = write_context(&state, &user, &req);
    let stored =
        plan::put_personal_plan(&ctx, &user.member, *year, body.into_inner().into()).await?;
    Ok(web::Json(StudyPlanView::from(&stored)))
}
