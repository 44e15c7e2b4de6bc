//! The caller's own ledger.

use actix_web::{get, web};

use super::dto::{HoursLedgerView, HoursListParams};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Query;
use crate::http::page::page_request;
use crate::routes::read_context;
use crate::state::AppState;
use domain::volunteer::service;

/// The caller's entries (every status, newest first) with their confirmed totals per month
/// and per half year, service and training apart.
#[utoipa::path(
    tag = "volunteer-hours",
    operation_id = "listMyVolunteerHours",
    security(("bearerAuth" = [])),
    params(HoursListParams),
    responses(
        (status = 200, description = "A page of the caller's ledger", body = HoursLedgerView),
        (status = 400, description = "pagination_cursor_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_query_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/me/volunteer-hours")]
pub async fn list_my_volunteer_hours(
    state: web::Data<AppState>,
    user: AuthUser,
    query: Query<HoursListParams>,
) -> Result<web::Json<HoursLedgerView>, ApiError> {
    let q = query.into_inner();
    let page = page_request(q.cursor.as_deref(), q.limit)?;
    let ledger = service::my_hours(&read_context(&state, &user), &page).await?;
    Ok(web::Json(HoursLedgerView::new(
        user.member.id.as_uuid(),
        ledger,
    )))
}
