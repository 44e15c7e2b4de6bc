//! The caller's tasks of a month from their branch's and their own plan, with their
//! progress.

use actix_web::{get, web};
use domain::error::ErrorCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Query, Validate};
use crate::routes::material::dto::{MaterialCategory, ProgressView};
use crate::routes::read_context;
use crate::state::AppState;
use domain::calendar::YearMonth;
use domain::error::FieldError;
use domain::material::plan::{self};

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
                ErrorCode::MonthInvalid,
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
    let tasks = plan::month_tasks(&read_context(&state, &user), &user.member, month).await?;
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
