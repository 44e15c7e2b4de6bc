//! Holiday calendars per committee and year: public holidays and adjusted working days.

use actix_web::{get, put, web, HttpRequest};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::routes::service_context;
use crate::state::AppState;
use domain::activity::calendar::{HolidayCalendar, YearMonth};
use domain::activity::service;
use domain::error::FieldError;
use domain::org::OrgId;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HolidaysDto {
    /// Public holidays (放假) of the year.
    #[schema(example = json!(["2026-10-01", "2026-10-02"]))]
    pub holidays: Vec<NaiveDate>,
    /// Weekend days that are working days (调休上班).
    #[schema(example = json!(["2026-10-10"]))]
    pub workdays: Vec<NaiveDate>,
}

impl From<HolidayCalendar> for HolidaysDto {
    fn from(c: HolidayCalendar) -> Self {
        Self {
            holidays: c.holidays.into_iter().collect(),
            workdays: c.workdays.into_iter().collect(),
        }
    }
}

fn year(raw: i32) -> Result<i32, ApiError> {
    if (YearMonth::MIN_YEAR..=YearMonth::MAX_YEAR).contains(&raw) {
        Ok(raw)
    } else {
        Err(ApiError::validation(vec![FieldError::new(
            "/year",
            "year_invalid",
            format!(
                "year must be {}-{}",
                YearMonth::MIN_YEAR,
                YearMonth::MAX_YEAR
            ),
        )]))
    }
}

/// A committee's holiday calendar for a year (empty until set). Anyone inside the township.
#[utoipa::path(
    tag = "activities",
    operation_id = "getHolidays",
    security(("bearerAuth" = [])),
    params(
        ("id" = Uuid, Path, description = "The township committee"),
        ("year" = i32, Path, minimum = 2000, maximum = 2100, description = "2000-2100"),
    ),
    responses(
        (status = 200, description = "The calendar", body = HolidaysDto),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "holidays_need_committee or validation_failed (year_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/orgs/{id}/holidays/{year}")]
pub async fn get_holidays(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, i32)>,
) -> Result<web::Json<HolidaysDto>, ApiError> {
    let (id, y) = path.into_inner();
    let repos = state.db.repos();
    let c =
        service::get_holidays(&repos, &repos, &user.actor, OrgId::from_uuid(id), year(y)?).await?;
    Ok(web::Json(c.into()))
}

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
        &service_context(&state, &user, &req),
        OrgId::from_uuid(id),
        year(y)?,
        &b.holidays,
        &b.workdays,
    )
    .await?;
    Ok(web::Json(c.into()))
}

impl crate::extract::Validate for HolidaysDto {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}
