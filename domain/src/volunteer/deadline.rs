//! Deadlines of a dispatched request, counted in working days on the township's holiday
//! calendar (Beijing dates): a weekday that is not a public holiday, or a weekend day made a
//! working day to bridge one (调休上班). How many working days a request has comes from its
//! township's [`DeadlinePolicy`], which falls back to [`default_allowance`] (urgent: the
//! same day).

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};

use super::model::{ServiceKind, Urgency};
use crate::activity::calendar::HolidayCalendar;
use crate::calendar::{midnight, shanghai};
use crate::error::{ErrorCode, FieldError};

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

/// A township's deadlines: the allowances it set for some kinds and urgencies, the defaults
/// for the rest. Every allowance it holds is within range and lets no more days to be
/// claimed than to be completed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeadlinePolicy {
    set: BTreeMap<(ServiceKind, Urgency), Allowance>,
}

impl DeadlinePolicy {
    /// The most working days a township may allow to claim a request.
    pub const MAX_CLAIM_DAYS: u32 = 30;
    /// The most working days a township may allow to complete one.
    pub const MAX_COMPLETE_DAYS: u32 = 90;

    /// The policy of `set`, or every way it breaks the rules, each addressed by
    /// `/<kind>/<urgency>/<field>` (a kind set twice: the last one counts).
    pub fn new(
        set: impl IntoIterator<Item = (ServiceKind, Urgency, Allowance)>,
    ) -> Result<Self, Vec<FieldError>> {
        let set: BTreeMap<_, _> = set.into_iter().map(|(k, u, a)| ((k, u), a)).collect();
        let mut errors = Vec::new();
        for ((kind, urgency), a) in &set {
            let at = |field: &str| format!("/{}/{}/{field}", kind.as_str(), urgency.as_str());
            if a.claim_days > Self::MAX_CLAIM_DAYS {
                errors.push(FieldError::new(
                    at("claimDays"),
                    ErrorCode::ServiceDeadlineDaysInvalid,
                    format!("claimDays is 0-{} working days", Self::MAX_CLAIM_DAYS),
                ));
            }
            if a.complete_days > Self::MAX_COMPLETE_DAYS {
                errors.push(FieldError::new(
                    at("completeDays"),
                    ErrorCode::ServiceDeadlineDaysInvalid,
                    format!("completeDays is 0-{} working days", Self::MAX_COMPLETE_DAYS),
                ));
            }
            if a.claim_days > a.complete_days {
                errors.push(FieldError::new(
                    at("claimDays"),
                    ErrorCode::ServiceDeadlineClaimAfterComplete,
                    "claimDays may not exceed completeDays",
                ));
            }
        }
        if errors.is_empty() {
            Ok(Self { set })
        } else {
            Err(errors)
        }
    }

    /// The working days a request of `kind` and `urgency` has: the township's, or the
    /// default.
    pub fn allowance(&self, kind: ServiceKind, urgency: Urgency) -> Allowance {
        self.set
            .get(&(kind, urgency))
            .copied()
            .unwrap_or_else(|| default_allowance(kind, urgency))
    }

    /// Whether `kind` and `urgency` follow the default (the township set nothing for them).
    pub fn is_default(&self, kind: ServiceKind, urgency: Urgency) -> bool {
        !self.set.contains_key(&(kind, urgency))
    }

    /// What the township set, by kind then urgency.
    pub fn set(&self) -> impl Iterator<Item = (ServiceKind, Urgency, Allowance)> + '_ {
        self.set.iter().map(|((k, u), a)| (*k, *u, *a))
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

    fn allow(claim_days: u32, complete_days: u32) -> Allowance {
        Allowance {
            claim_days,
            complete_days,
        }
    }

    #[test]
    fn a_policy_with_nothing_set_is_the_defaults() {
        let p = DeadlinePolicy::default();
        for kind in ServiceKind::ALL {
            for urgency in Urgency::ALL {
                assert_eq!(
                    p.allowance(*kind, *urgency),
                    default_allowance(*kind, *urgency)
                );
                assert!(p.is_default(*kind, *urgency));
            }
        }
    }

    #[test]
    fn what_a_township_sets_wins_over_the_default_and_only_there() {
        let p = DeadlinePolicy::new([
            (ServiceKind::Hotline, Urgency::Normal, allow(2, 5)),
            (ServiceKind::Wish, Urgency::Urgent, allow(1, 1)),
        ])
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            p.allowance(ServiceKind::Hotline, Urgency::Normal),
            allow(2, 5)
        );
        assert_eq!(p.allowance(ServiceKind::Wish, Urgency::Urgent), allow(1, 1));
        assert!(!p.is_default(ServiceKind::Hotline, Urgency::Normal));
        assert_eq!(
            p.allowance(ServiceKind::Hotline, Urgency::Urgent),
            allow(0, 0)
        );
        assert!(p.is_default(ServiceKind::Hotline, Urgency::Urgent));
        assert_eq!(
            p.allowance(ServiceKind::Wish, Urgency::Normal),
            default_allowance(ServiceKind::Wish, Urgency::Normal)
        );
        assert_eq!(p.set().count(), 2);
    }

    #[test]
    fn the_limits_themselves_are_allowed() {
        let p = DeadlinePolicy::new([
            (ServiceKind::Outreach, Urgency::Normal, allow(30, 90)),
            (ServiceKind::Outreach, Urgency::Urgent, allow(0, 0)),
            (ServiceKind::Thematic, Urgency::Normal, allow(4, 4)),
        ]);
        assert!(p.is_ok(), "{p:?}");
    }

    #[test]
    fn days_out_of_range_are_named_by_kind_urgency_and_field() {
        let errors = DeadlinePolicy::new([
            (ServiceKind::HomeVisit, Urgency::Normal, allow(31, 91)),
            (ServiceKind::Hotline, Urgency::Urgent, allow(0, 90)),
        ])
        .err()
        .unwrap_or_default();
        let got: Vec<(&str, ErrorCode)> = errors
            .iter()
            .map(|e| (e.pointer.as_str(), e.code))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "/home_visit/normal/claimDays",
                    ErrorCode::ServiceDeadlineDaysInvalid
                ),
                (
                    "/home_visit/normal/completeDays",
                    ErrorCode::ServiceDeadlineDaysInvalid
                ),
            ]
        );
    }

    #[test]
    fn more_days_to_claim_than_to_complete_is_refused_on_claim_days() {
        let errors = DeadlinePolicy::new([(ServiceKind::Wish, Urgency::Urgent, allow(3, 2))])
            .err()
            .unwrap_or_default();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].pointer, "/wish/urgent/claimDays");
        assert_eq!(errors[0].code, ErrorCode::ServiceDeadlineClaimAfterComplete);
    }
}
