//! Replacing a committee's holiday calendar of a year: public holidays and adjusted
//! working days.

use actix_web::{put, web, HttpRequest};
use uuid::Uuid;

use super::dto::{year, HolidaysDto};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::routes::write_context;
use crate::state::AppState;
use domain::activity::service;
use domain::org::OrgId;

/// Replaces a committee's holiday calendar for a year. Township admins; audited.
#[utoipa::path(
    tag = "activities",
    operation_id = "putHolidays",
    security(("bearerAuth" = [])),
    params(
        ("id" = Uuid, Path, description = "The township committee"),
        ("year" = i32, Path, minimum = 2000, maximum = 2100, description = "2000-2100"),
    ),
    request_body = HolidaysDto,
    responses(
        (status = 200, description = "The stored calendar", body = HolidaysDto),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "holidays_need_committee, request_json_invalid or validation_failed (holiday_outside_year, holiday_and_workday, workday_not_weekend, year_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/api/v1/orgs/{id}/holidays/{year}")]
pub async fn put_holidays(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, i32)>,
    body: Json<HolidaysDto>,
) -> Result<web::Json<HolidaysDto>, ApiError> {
    let (id, y) = path.into_inner();
    let b = body.into_inner();
    let c = service::put_holidays(
        &write_context(&state, &user, &req),
        OrgId::from_uuid(id),
        year(y)?,
        &b.holidays,
        &b.workdays,
    )
    .await?;
    Ok(web::Json(c.into()))
}
