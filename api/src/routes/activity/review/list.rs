//! An activity's check-ins awaiting (or past) review.

use actix_web::{get, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Query;
use crate::http::page::{page_request, ListEnvelope};
use crate::routes::activity::dto::{CheckInView, ReviewStatus};
use crate::routes::read_context;
use crate::state::AppState;
use domain::activity::service::{self};
use domain::activity::ActivityId;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct CheckInListParams {
    /// Only check-ins in this state (e.g. `pending`).
    pub status: Option<ReviewStatus>,
    #[param(pattern = "^[A-Za-z0-9_-]*$")]
    pub cursor: Option<String>,
    /// 1-100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

/// An activity's check-ins (list envelope, in check-in order), for its reviewers: S, C*, T
/// covering its branch.
#[utoipa::path(
    tag = "check-ins",
    operation_id = "listCheckIns",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The activity"), CheckInListParams),
    responses(
        (status = 200, description = "A page of check-ins", body = ListEnvelope<CheckInView>),
        (status = 400, description = "pagination_cursor_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such activity, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_query_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/activities/{id}/check-ins")]
pub async fn list_check_ins(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    query: Query<CheckInListParams>,
) -> Result<web::Json<ListEnvelope<CheckInView>>, ApiError> {
    let q = query.into_inner();
    let page = page_request(q.cursor.as_deref(), q.limit)?;
    let list = service::list_check_ins(
        &read_context(&state, &user),
        ActivityId::from_uuid(*id),
        q.status.map(Into::into),
        &page,
    )
    .await?;
    Ok(web::Json(ListEnvelope::from_page(list, |c| {
        CheckInView::from(&c)
    })))
}

impl crate::extract::Validate for CheckInListParams {
    fn validate(&self) -> Result<(), Vec<domain::error::FieldError>> {
        Ok(())
    }
}
