//! A branch's activity plan of a month: its activities and the state of each 三会一课
//! obligation.

use actix_web::{get, web};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::{parse_month, MonthParams, ObligationView};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Query;
use crate::state::AppState;
use domain::activity::report;
use domain::org::OrgId;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActivityPlanView {
    pub branch_id: Uuid,
    #[schema(example = "2026-12")]
    pub month: String,
    /// Suggested theme-day dates (rural: the 5th, moved off holidays inside the month;
    /// government and schools: Mondays and Saturdays; enterprises: their own choice).
    #[schema(value_type = Vec<String>, example = json!(["2026-12-05"]))]
    pub theme_day_dates: Vec<NaiveDate>,
    /// Which rule suggested them.
    #[schema(example = "rural_fifth")]
    pub theme_day_rule: String,
    pub obligations: Vec<ObligationView>,
}

/// The suggested theme-day dates and each 三会一课 obligation's state (met, due, overdue)
/// for the month. Members of the branch and S, C, T covering it.
#[utoipa::path(
    tag = "activities",
    operation_id = "getActivityPlan",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The branch"), MonthParams),
    responses(
        (status = 200, description = "The month's plan", body = ActivityPlanView),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_query_invalid, validation_failed (month_invalid) or activity_plan_needs_branch", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/orgs/{id}/activity-plan")]
pub async fn activity_plan(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    query: Query<MonthParams>,
) -> Result<web::Json<ActivityPlanView>, ApiError> {
    let month =
        parse_month(&query.into_inner().month).map_err(|e| ApiError::validation(vec![e]))?;
    let repos = state.db.repos();
    let plan = report::activity_plan(
        &repos,
        &user.actor,
        OrgId::from_uuid(*id),
        month,
        state.clock.now(),
    )
    .await?;
    Ok(web::Json(ActivityPlanView {
        branch_id: plan.branch.id.as_uuid(),
        month: plan.month.to_string(),
        theme_day_dates: plan.theme_day.dates.clone(),
        theme_day_rule: plan.theme_day.rule.to_owned(),
        obligations: plan.obligations.iter().map(ObligationView::from).collect(),
    }))
}
