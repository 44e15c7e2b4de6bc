//! Calendar arithmetic in township time: months, quarters and years as half-open ranges of
//! instants, and the public-holiday calendar the State Council publishes each year.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, TimeDelta, Utc, Weekday};

use crate::error::FieldError;

/// The township's time zone, Asia/Shanghai. China has kept UTC+08:00 without daylight saving
/// time since 1991, so a fixed offset is exact for every date this system handles; we use
/// `chrono::FixedOffset` rather than pulling in the `chrono-tz` database.
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| unreachable!("+08:00 is a valid offset"))
}

/// The instant at which `date` begins in Shanghai (its 00:00 local time).
pub fn midnight(date: NaiveDate) -> DateTime<Utc> {
    let offset = TimeDelta::seconds(i64::from(shanghai().local_minus_utc()));
    (date.and_time(NaiveTime::MIN) - offset).and_utc()
}

/// A date the caller has already proven valid (a validated year, month 1-12, day 1).
fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day)
        .unwrap_or_else(|| unreachable!("{year:04}-{month:02}-{day:02} is a valid date"))
}

/// A calendar month, e.g. 2026-11. Years are limited to 2000-2100: anything else is a typing
/// mistake, not a month anyone will hold a meeting in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    year: i32,
    month: u32,
}

impl YearMonth {
    pub const MIN_YEAR: i32 = 2000;
    pub const MAX_YEAR: i32 = 2100;

    pub fn new(year: i32, month: u32) -> Option<Self> {
        ((Self::MIN_YEAR..=Self::MAX_YEAR).contains(&year) && (1..=12).contains(&month))
            .then_some(Self { year, month })
    }

    /// Accepts exactly `YYYY-MM` (four digits, a hyphen, two digits).
    pub fn parse(raw: &str) -> Option<Self> {
        let (year, month) = raw.split_once('-')?;
        let digits = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(year, 4) || !digits(month, 2) {
            return None;
        }
        Self::new(year.parse().ok()?, month.parse().ok()?)
    }

    /// The month `date` falls in, if its year is within range.
    pub fn of(date: NaiveDate) -> Option<Self> {
        Self::new(date.year(), date.month())
    }

    /// The month that is current in Shanghai at `instant`, if its year is within range.
    pub fn containing(instant: DateTime<Utc>) -> Option<Self> {
        Self::of(instant.with_timezone(&shanghai()).date_naive())
    }

    pub const fn year(&self) -> i32 {
        self.year
    }

    pub const fn month(&self) -> u32 {
        self.month
    }

    /// 1 for January-March, …, 4 for October-December.
    pub const fn quarter(&self) -> u32 {
        (self.month - 1) / 3 + 1
    }

    /// The following month; `None` after 2100-12.
    pub fn next(&self) -> Option<Self> {
        match self.month {
            12 => Self::new(self.year + 1, 1),
            m => Self::new(self.year, m + 1),
        }
    }

    pub fn first_day(&self) -> NaiveDate {
        ymd(self.year, self.month, 1)
    }

    pub fn last_day(&self) -> NaiveDate {
        self.first_day_after()
            .pred_opt()
            .unwrap_or_else(|| unreachable!("the day before a first of month exists"))
    }

    /// Every day of the month, in order.
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> {
        let last = self.last_day();
        self.first_day().iter_days().take_while(move |d| *d <= last)
    }

    /// 00:00 Shanghai on the first day: the month's first instant.
    pub fn start(&self) -> DateTime<Utc> {
        midnight(self.first_day())
    }

    /// 00:00 Shanghai on the first day of the next month: the first instant after the month.
    pub fn end(&self) -> DateTime<Utc> {
        midnight(self.first_day_after())
    }

    /// The first day of the following month (2101-01-01 after 2100-12 is still a date).
    fn first_day_after(&self) -> NaiveDate {
        match self.month {
            12 => ymd(self.year + 1, 1, 1),
            m => ymd(self.year, m + 1, 1),
        }
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

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
                "holiday_outside_year",
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
                    "workday_not_weekend",
                    format!("{date} is not a Saturday or Sunday"),
                ));
            }
            if holidays.contains(date) {
                errors.push(FieldError::new(
                    pointer,
                    "holiday_and_workday",
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
    fn year_month_parses_exactly_yyyy_mm() {
        assert_eq!(YearMonth::parse("2026-11"), Some(month(2026, 11)));
        assert_eq!(YearMonth::parse("2026-01"), Some(month(2026, 1)));
        for bad in [
            "2026-13",
            "2026-00",
            "2026-1",
            "26-01",
            "2026-01-01",
            "1999-12",
            "2101-01",
            "+026-01",
            "2026-+1",
            "",
            "2026/01",
        ] {
            assert_eq!(YearMonth::parse(bad), None, "{bad}");
        }
        assert_eq!(month(2026, 3).to_string(), "2026-03");
        assert_eq!(YearMonth::new(2026, 0), None);
        assert_eq!(YearMonth::new(2101, 1), None);
    }

    #[test]
    fn year_month_knows_its_days_and_quarter() {
        let feb = month(2028, 2);
        assert_eq!(feb.first_day(), date(2028, 2, 1));
        assert_eq!(feb.last_day(), date(2028, 2, 29));
        assert_eq!(feb.days().count(), 29);
        assert_eq!(month(2026, 12).last_day(), date(2026, 12, 31));
        assert_eq!(month(2026, 12).next(), Some(month(2027, 1)));
        assert_eq!(month(2100, 12).next(), None);
        let quarters: Vec<u32> = (1..=12).map(|m| month(2026, m).quarter()).collect();
        assert_eq!(quarters, [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]);
        assert!(month(2026, 1) < month(2026, 2) && month(2026, 12) < month(2027, 1));
    }

    #[test]
    fn the_month_of_an_instant_is_the_shanghai_month() {
        // 2026-10-31T16:00Z is already 2026-11-01 00:00 in Shanghai.
        assert_eq!(
            YearMonth::containing(utc("2026-10-31T15:59:59Z")),
            Some(month(2026, 10))
        );
        assert_eq!(
            YearMonth::containing(utc("2026-10-31T16:00:00Z")),
            Some(month(2026, 11))
        );
        assert_eq!(YearMonth::of(date(1999, 12, 31)), None);
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
