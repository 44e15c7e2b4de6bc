//! Reading a committee's holiday calendar of a year.

use actix_web::{get, web};
use uuid::Uuid;

use super::dto::{year, HolidaysDto};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::read_context;
use crate::state::AppState;
use domain::activity::service;
use domain::org::OrgId;

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
    let c =
        service::get_holidays(&read_context(&state, &user), OrgId::from_uuid(id), year(y)?).await?;
    Ok(web::Json(c.into()))
}
