//! A member's ledger, for their secretary or a township admin.

use actix_web::{get, web};
use uuid::Uuid;

use super::dto::{HoursLedgerView, HoursListParams};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Query;
use crate::http::page::page_request;
use crate::routes::read_context;
use crate::state::AppState;
use domain::org::MemberId;
use domain::volunteer::service;

/// A member's entries (every status, newest first) with their confirmed totals. A
/// secretary covering the member's branch, or a township admin covering it.
#[utoipa::path(
    tag = "volunteer-hours",
    operation_id = "listMemberVolunteerHours",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The member"), HoursListParams),
    responses(
        (status = 200, description = "A page of the member's ledger", body = HoursLedgerView),
        (status = 400, description = "pagination_cursor_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_query_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/members/{id}/volunteer-hours")]
pub async fn list_member_volunteer_hours(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    query: Query<HoursListParams>,
) -> Result<web::Json<HoursLedgerView>, ApiError> {
    let q = query.into_inner();
    let page = page_request(q.cursor.as_deref(), q.limit)?;
    let (m, ledger) = service::member_hours(
        &read_context(&state, &user),
        MemberId::from_uuid(*id),
        &page,
    )
    .await?;
    Ok(web::Json(HoursLedgerView::new(m.id.as_uuid(), ledger)))
}
