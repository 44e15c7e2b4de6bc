//! Reading one activity.

use actix_web::{get, web};
use uuid::Uuid;

use super::dto::ActivityView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::read_context;
use crate::state::AppState;
use domain::activity::service::{self};
use domain::activity::ActivityId;

/// One activity. Members of its branch and S, C, T covering it.
#[utoipa::path(
    tag = "activities",
    operation_id = "getActivity",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The activity")),
    responses(
        (status = 200, description = "The activity", body = ActivityView),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such activity, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/activities/{id}")]
pub async fn get_activity(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<ActivityView>, ApiError> {
    let a = service::get_activity(&read_context(&state, &user), ActivityId::from_uuid(*id)).await?;
    Ok(web::Json(ActivityView::from(&a)))
}
