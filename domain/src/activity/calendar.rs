//! The spans 三会一课 obligations are counted over (a month, a quarter, a year in township
//! time) and the public-holiday calendar the State Council publishes each year, which moves
//! the default theme day.

use crate::error::ErrorCode;
use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};

use crate::calendar::{midnight, ymd, YearMonth};
use crate::error::FieldError;

/// The span an obligation is counted over: a calendar month, quarter or year in Shanghai
/// time. Each covers the half-open range [`start`, `end`) of instants.
///
/// The variants are plain data; build quarters and years from a validated [`YearMonth`]
/// (as `ObligationKind::period_of` does). A hand-built out-of-range quarter or year is
/// clamped into 1-4 and 2000-2100 rather than panicking.
///
/// [`start`]: Period::start
/// [`end`]: Period::end
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Month(YearMonth),
    Quarter { year: i32, quarter: u32 },
    Year(i32),
}

impl Period {
    pub fn start(&self) -> DateTime<Utc> {
        midnight(self.first_day())
    }

    pub fn end(&self) -> DateTime<Utc> {
        match self {
            Period::Month(m) => m.end(),
            Period::Quarter { .. } | Period::Year(_) => midnight(self.first_day_after()),
        }
    }

    /// True when `instant` lies in [`start`, `end`).
    ///
    /// [`start`]: Period::start
    /// [`end`]: Period::end
    pub fn contains(&self, instant: DateTime<Utc>) -> bool {
        self.start() <= instant && instant < self.end()
    }

    /// `2026-11`, `2026-Q4` or `2026`.
    pub fn label(&self) -> String {
        match self {
            Period::Month(m) => m.to_string(),
            Period::Quarter { year, quarter } => format!("{year:04}-Q{quarter}"),
            Period::Year(year) => format!("{year:04}"),
        }
    }

    fn first_day(&self) -> NaiveDate {
        match *self {
            Period::Month(m) => m.first_day(),
            Period::Quarter { year, quarter } => {
                ymd(clamp_year(year), (quarter.clamp(1, 4) - 1) * 3 + 1, 1)
            }
            Period::Year(year) => ymd(clamp_year(year), 1, 1),
        }
    }

    fn first_day_after(&self) -> NaiveDate {
        match *self {
            Period::Month(m) => m.first_day_after(),
            Period::Quarter { year, quarter } => match quarter.clamp(1, 4) {
                4 => ymd(clamp_year(year) + 1, 1, 1),
                q => ymd(clamp_year(year), q * 3 + 1, 1),
            },
            Period::Year(year) => ymd(clamp_year(year) + 1, 1, 1),
        }
    }
}

fn clamp_year(year: i32) -> i32 {
    year.clamp(YearMonth::MIN_YEAR, YearMonth::MAX_YEAR)
}

/// One year's public holidays (放假) and adjusted working days (调休上班: weekend days that
/// become working days to bridge a holiday). Published yearly by the State Council and
/// entered by the township; nothing is hard-coded per year.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HolidayCalendar {
    pub holidays: BTreeSet<NaiveDate>,
    pub workdays: BTreeSet<NaiveDate>,
}

impl HolidayCalendar {
    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.holidays.contains(&date)
    }

    /// Checks a year's calendar as entered. Every date must lie in `year`
    /// (`holiday_outside_year`); an adjusted working day must be a Saturday or Sunday
    /// (`workday_not_weekend`) and may not also be a holiday (`holiday_and_workday`, reported
    /// on the workday entry). Repeated dates are simply merged.
    pub fn validate(
        year: i32,
        holidays: &[NaiveDate],
        workdays: &[NaiveDate],
    ) -> Result<HolidayCalendar, Vec<FieldError>> {
        let mut errors = Vec::new();
        let outside = |pointer: String, date: &NaiveDate| {
            FieldError::new(
                pointer,
                ErrorCode::HolidayOutsideYear,
                format!("{date} is not in {year}"),
            )
        };
        for (i, date) in holidays.iter().enumerate() {
            if date.year() != year {
                errors.push(outside(format!("/holidays/{i}"), date));
            }
        }
        for (i, date) in workdays.iter().enumerate() {
            let pointer = format!("/workdays/{i}");
            if date.year() != year {
                errors.push(outside(pointer.clone(), date));
            }
            if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
                errors.push(FieldError::new(
                    pointer.clone(),
                    ErrorCode::WorkdayNotWeekend,
                    format!("{date} is not a Saturday or Sunday"),
                ));
            }
            if holidays.contains(date) {
                errors.push(FieldError::new(
                    pointer,
                    ErrorCode::HolidayAndWorkday,
                    format!("{date} is listed both as a holiday and as a working day"),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(HolidayCalendar {
            holidays: holidays.iter().copied().collect(),
            workdays: workdays.iter().copied().collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        ymd(y, m, d)
    }

    fn month(y: i32, m: u32) -> YearMonth {
        YearMonth::new(y, m).unwrap_or_else(|| panic!("{y}-{m} is valid"))
    }

    fn utc(raw: &str) -> DateTime<Utc> {
        raw.parse().unwrap_or_else(|e| panic!("{raw}: {e}"))
    }

    #[test]
    fn periods_are_half_open_ranges_between_shanghai_midnights() {
        let nov = Period::Month(month(2026, 11));
        assert_eq!(nov.start(), utc("2026-10-31T16:00:00Z"));
        assert_eq!(nov.end(), utc("2026-11-30T16:00:00Z"));
        assert!(nov.contains(utc("2026-10-31T16:00:00Z")));
        assert!(!nov.contains(utc("2026-11-30T16:00:00Z")));
        assert_eq!(nov.label(), "2026-11");

        let q4 = Period::Quarter {
            year: 2026,
            quarter: 4,
        };
        assert_eq!(q4.start(), utc("2026-09-30T16:00:00Z"));
        assert_eq!(q4.end(), utc("2026-12-31T16:00:00Z"));
        assert_eq!(q4.label(), "2026-Q4");
        let q1 = Period::Quarter {
            year: 2026,
            quarter: 1,
        };
        assert_eq!(q1.start(), utc("2025-12-31T16:00:00Z"));
        assert_eq!(q1.end(), utc("2026-03-31T16:00:00Z"));

        let year = Period::Year(2026);
        assert_eq!(year.start(), utc("2025-12-31T16:00:00Z"));
        assert_eq!(year.end(), utc("2026-12-31T16:00:00Z"));
        assert_eq!(year.label(), "2026");
        assert_eq!(
            Period::Month(month(2100, 12)).end(),
            utc("2100-12-31T16:00:00Z")
        );
    }

    #[test]
    fn a_holiday_calendar_keeps_its_dates_and_merges_repeats() {
        let national_day: Vec<NaiveDate> = (1..=7).map(|d| date(2026, 10, d)).collect();
        let mut holidays = national_day.clone();
        holidays.push(date(2026, 10, 1));
        // 2026-09-27 and 2026-10-10 are a Sunday and a Saturday.
        let workdays = [date(2026, 9, 27), date(2026, 10, 10)];
        let cal = HolidayCalendar::validate(2026, &holidays, &workdays)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(cal.holidays.len(), 7);
        assert_eq!(cal.workdays.len(), 2);
        assert!(cal.is_holiday(date(2026, 10, 3)));
        assert!(!cal.is_holiday(date(2026, 10, 8)));
        assert!(!cal.is_holiday(date(2026, 10, 10)));
    }

    #[test]
    fn a_holiday_calendar_refuses_dates_of_another_year_clashes_and_weekday_workdays() {
        let holidays = [date(2026, 10, 1), date(2027, 1, 1), date(2026, 10, 3)];
        // 2026-10-03 is a Saturday, 2026-10-12 a Monday, 2025-12-27 a Saturday.
        let workdays = [date(2026, 10, 3), date(2026, 10, 12), date(2025, 12, 27)];
        let errors = HolidayCalendar::validate(2026, &holidays, &workdays)
            .err()
            .unwrap_or_default();
        let found: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.pointer.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("/holidays/1", "holiday_outside_year"),
                ("/workdays/0", "holiday_and_workday"),
                ("/workdays/1", "workday_not_weekend"),
                ("/workdays/2", "holiday_outside_year"),
            ]
        );
    }
}
