//! A committee's holiday calendar of one year, as read and written.

use chrono::NaiveDate;
use domain::error::ErrorCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;
use domain::activity::calendar::HolidayCalendar;
use domain::calendar::YearMonth;
use domain::error::FieldError;

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

pub fn year(raw: i32) -> Result<i32, ApiError> {
    if (YearMonth::MIN_YEAR..=YearMonth::MAX_YEAR).contains(&raw) {
        Ok(raw)
    } else {
        Err(ApiError::validation(vec![FieldError::new(
            "/year",
            ErrorCode::YearInvalid,
            format!(
                "year must be {}-{}",
                YearMonth::MIN_YEAR,
                YearMonth::MAX_YEAR
            ),
        )]))
    }
}

impl crate::extract::Validate for HolidaysDto {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}
