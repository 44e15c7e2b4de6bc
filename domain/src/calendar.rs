//! Township time, shared by every context: the Asia/Shanghai offset, midnights and calendar
//! months (`?month=YYYY-MM`, the monthly lesson, a month's plan or report).

use std::fmt;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, TimeDelta, Utc};

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
pub(crate) fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
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
    pub fn first_day_after(&self) -> NaiveDate {
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
}
