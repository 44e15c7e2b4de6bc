//! Deadlines of a dispatched request, counted in working days on the township's holiday
//! calendar (Beijing dates): a weekday that is not a public holiday, or a weekend day made a
//! working day to bridge one (调休上班). An urgent request is due the same day.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};

use super::model::{ServiceKind, Urgency};
use crate::activity::calendar::HolidayCalendar;
use crate::calendar::{midnight, shanghai};

/// The holiday calendars of the years a deadline may reach (a missing year: weekends only).
#[derive(Debug, Clone, Default)]
pub struct WorkingDays {
    years: Vec<(i32, HolidayCalendar)>,
}

impl WorkingDays {
    pub fn new(years: Vec<(i32, HolidayCalendar)>) -> Self {
        Self { years }
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        let calendar = self
            .years
            .iter()
            .find(|(y, _)| *y == date.year())
            .map(|(_, c)| c);
        if let Some(c) = calendar {
            if c.workdays.contains(&date) {
                return true;
            }
            if c.is_holiday(date) {
                return false;
            }
        }
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// The end (midnight after, Beijing) of the `n`th working day after `from`'s date; with
    /// `n = 0` the end of `from`'s own day. A request dispatched on a Friday with one day
    /// to go is due at the end of Monday (or later across a holiday).
    pub fn due_after(&self, from: DateTime<Utc>, n: u32) -> DateTime<Utc> {
        let mut day = from.with_timezone(&shanghai()).date_naive();
        let mut left = n;
        // A year of holidays at most separates two working days; the bound only guards
        // against a calendar with no working day at all.
        let mut guard = 0;
        while left > 0 && guard < 3660 {
            day = day.succ_opt().unwrap_or(day);
            if self.is_working_day(day) {
                left -= 1;
            }
            guard += 1;
        }
        midnight(day) + Duration::days(1)
    }
}

/// How many working days a dispatched request has to be claimed and to be completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowance {
    pub claim_days: u32,
    pub complete_days: u32,
}

/// The default allowance of each kind and urgency: urgent the same day; a hotline call
/// claimed within a working day and served within three; the others claimed within two and
/// served within ten (a wish, within twenty).
pub fn default_allowance(kind: ServiceKind, urgency: Urgency) -> Allowance {
    if urgency == Urgency::Urgent {
        return Allowance {
            claim_days: 0,
            complete_days: 0,
        };
    }
    match kind {
        ServiceKind::Hotline => Allowance {
            claim_days: 1,
            complete_days: 3,
        },
        ServiceKind::Wish => Allowance {
            claim_days: 5,
            complete_days: 20,
        },
        ServiceKind::Thematic | ServiceKind::HomeVisit | ServiceKind::Outreach => Allowance {
            claim_days: 2,
            complete_days: 10,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_else(|| panic!("{y}-{m}-{d}"))
    }

    /// 9:00 Beijing on the date.
    fn morning(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        shanghai()
            .with_ymd_and_hms(y, m, d, 9, 0, 0)
            .single()
            .unwrap_or_else(|| panic!("{y}-{m}-{d}"))
            .with_timezone(&Utc)
    }

    fn end_of(d: NaiveDate) -> DateTime<Utc> {
        midnight(d) + Duration::days(1)
    }

    #[test]
    fn the_same_day_and_across_a_weekend() {
        let w = WorkingDays::default();
        // Friday 2027-01-08.
        assert_eq!(w.due_after(morning(2027, 1, 8), 0), end_of(day(2027, 1, 8)));
        assert_eq!(
            w.due_after(morning(2027, 1, 8), 1),
            end_of(day(2027, 1, 11))
        );
        assert_eq!(
            w.due_after(morning(2027, 1, 8), 3),
            end_of(day(2027, 1, 13))
        );
    }

    #[test]
    fn across_a_holiday_and_an_adjusted_working_day() {
        // National Day 2026: 1-7 October off, Saturday 10 October worked.
        let holidays: Vec<NaiveDate> = (1..=7).map(|d| day(2026, 10, d)).collect();
        let cal = HolidayCalendar::validate(2026, &holidays, &[day(2026, 10, 10)])
            .unwrap_or_else(|e| panic!("{e:?}"));
        let w = WorkingDays::new(vec![(2026, cal)]);
        assert!(!w.is_working_day(day(2026, 10, 5)));
        assert!(w.is_working_day(day(2026, 10, 10)));
        // Dispatched on Wednesday 30 September with two days: Thursday 8 October is the
        // first working day after the holiday (Wednesday 30 → 8, 9).
        assert_eq!(
            w.due_after(morning(2026, 9, 30), 2),
            end_of(day(2026, 10, 9))
        );
        // From Friday 9 October, one day: the worked Saturday.
        assert_eq!(
            w.due_after(morning(2026, 10, 9), 1),
            end_of(day(2026, 10, 10))
        );
    }

    #[test]
    fn urgent_requests_are_due_the_same_day() {
        for kind in ServiceKind::ALL {
            assert_eq!(
                default_allowance(*kind, Urgency::Urgent),
                Allowance {
                    claim_days: 0,
                    complete_days: 0
                }
            );
            assert!(default_allowance(*kind, Urgency::Normal).complete_days > 0);
        }
    }
}
