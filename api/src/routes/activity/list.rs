//! A month's activities of an org.

use actix_web::{get, web};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::{parse_month, ActivityView, MonthParams};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Query;
use crate::routes::read_context;
use crate::state::AppState;
use domain::activity::service::{self};
use domain::org::OrgId;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActivityList {
    /// The month's activities in start order (at most 1000).
    pub items: Vec<ActivityView>,
}

/// The activities starting in a month, in the org's subtree (a group's page shows its own
/// meetings and the branch-wide activities). Members of the branch and S, C, T covering it.
#[utoipa::path(
    tag = "activities",
    operation_id = "listActivities",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The org"), MonthParams),
    responses(
        (status = 200, description = "The month's activities", body = ActivityList),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_query_invalid or validation_failed (month_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/orgs/{id}/activities")]
pub async fn list_activities(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    query: Query<MonthParams>,
) -> Result<web::Json<ActivityList>, ApiError> {
    let month =
        parse_month(&query.into_inner().month).map_err(|e| ApiError::validation(vec![e]))?;
    let list = service::list_activities(
        &read_context(&state, &user),
        OrgId::from_uuid(*id),
        month.start(),
        month.end(),
    )
    .await?;
    Ok(web::Json(ActivityList {
        items: list.iter().map(ActivityView::from).collect(),
    }))
}
