//! The caller's personal study plan (leading cadres) and their tasks of a month.

use actix_web::{get, put, web, HttpRequest};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::dto::{PersonalPlanRequest, StudyPlanView};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Query, Validate};
use crate::routes::material::dto::{MaterialCategory, ProgressView};
use crate::routes::service_context;
use crate::state::AppState;
use domain::activity::calendar::YearMonth;
use domain::error::FieldError;
use domain::material::plan::{self, PlanOwner};
use domain::material::StudyPlanRepo;

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
    let ctx = service_context(&state, &user, &req);
    let stored =
        plan::put_personal_plan(&ctx, &user.member, *year, body.into_inner().into()).await?;
    Ok(web::Json(StudyPlanView::from(&stored)))
}

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

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TasksParams {
    /// `YYYY-MM`.
    #[param(pattern = "month", example = "2027-01")]
    pub month: String,
}

impl TasksParams {
    fn month(&self) -> Result<YearMonth, FieldError> {
        YearMonth::parse(&self.month).ok_or_else(|| {
            FieldError::new(
                "/month",
                "month_invalid",
                "month must be YYYY-MM between 2000-01 and 2100-12",
            )
        })
    }
}

impl Validate for TasksParams {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        self.month().map(|_| ()).map_err(|e| vec![e])
    }
}

/// One material of a task and the caller's progress on it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskMaterialView {
    pub id: Uuid,
    /// False when the material was withdrawn, is not yet published, or is not (any more)
    /// in the caller's audience: then only its id is shown.
    pub available: bool,
    pub title: Option<String>,
    pub category: Option<MaterialCategory>,
    pub required: Option<bool>,
    /// `null` until the caller opens it (kept when the material is later withdrawn).
    pub my_progress: Option<ProgressView>,
}

/// One task of the month.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskView {
    /// `branch` (the branch's plan) or `personal` (the caller's own plan).
    #[schema(example = "branch")]
    pub source: String,
    /// The quarter of a branch plan's task.
    pub quarter: Option<u32>,
    pub month: u32,
    pub title: String,
    pub note: Option<String>,
    /// At least one of its materials completed and every other one completed or out of
    /// the caller's reach (a task without materials never is).
    pub completed: bool,
    pub materials: Vec<TaskMaterialView>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskList {
    #[schema(example = "2027-01")]
    pub month: String,
    pub items: Vec<TaskView>,
}

/// The caller's study tasks of a month, from their branch's plan and their personal plan,
/// with their progress on each material.
#[utoipa::path(
    tag = "me",
    operation_id = "listMyTasks",
    security(("bearerAuth" = [])),
    params(TasksParams),
    responses(
        (status = 200, description = "The month's tasks (empty without a plan)", body = TaskList),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_query_invalid or validation_failed (month_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/me/tasks")]
pub async fn list_my_tasks(
    state: web::Data<AppState>,
    user: AuthUser,
    query: Query<TasksParams>,
) -> Result<web::Json<TaskList>, ApiError> {
    let month = query
        .0
        .month()
        .map_err(|e| ApiError::from(domain::DomainError::Validation(vec![e])))?;
    let tasks =
        plan::month_tasks(&state.db.repos(), &user.member, month, state.clock.now()).await?;
    let items = tasks
        .iter()
        .map(|t| TaskView {
            source: if t.personal { "personal" } else { "branch" }.to_owned(),
            quarter: t.quarter,
            month: t.task.month,
            title: t.task.title.clone(),
            note: t.task.note.clone(),
            completed: t.completed(),
            materials: t
                .materials
                .iter()
                .map(|m| TaskMaterialView {
                    id: m.id.as_uuid(),
                    available: m.material.is_some(),
                    title: m.material.as_ref().map(|x| x.title.clone()),
                    category: m.material.as_ref().map(|x| x.category.into()),
                    required: m.material.as_ref().map(|x| x.required),
                    my_progress: m.record.as_ref().map(ProgressView::from),
                })
                .collect(),
        })
        .collect();
    Ok(web::Json(TaskList {
        month: month.to_string(),
        items,
    }))
}
