//! When theme days should fall, and whether a branch has met its 三会一课 obligations
//! (source document 四(五)1-2).

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc, Weekday};

use super::calendar::{HolidayCalendar, Period};
use super::model::ActivityKind;
use crate::calendar::YearMonth;
use crate::org::OrgSector;
use crate::string_enum::string_enum;

/// The dates a branch is advised to hold its theme day on in a month, and the rule that chose
/// them (a stable code clients may show a text for).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeDaySuggestion {
    pub dates: Vec<NaiveDate>,
    pub rule: &'static str,
}

/// Suggests theme-day dates by sector:
/// - rural branches meet on the 5th (`rural_fifth`); a public holiday on the 5th moves it to
///   the nearest non-holiday date of the same month, the later one on a tie (顺延). Ordinary
///   weekends do not move it. A month that is all holiday gets no date;
/// - government offices, and schools and hospitals (事业单位), meet on a Monday evening or a
///   Saturday: every Monday and Saturday of the month that is not a public holiday (an
///   adjusted working Saturday stays listed);
/// - enterprises and social organisations choose their own time: no dates.
pub fn suggested_theme_days(
    sector: OrgSector,
    month: YearMonth,
    cal: &HolidayCalendar,
) -> ThemeDaySuggestion {
    match sector {
        OrgSector::Rural => ThemeDaySuggestion {
            dates: rural_fifth(month, cal).into_iter().collect(),
            rule: "rural_fifth",
        },
        OrgSector::Government => ThemeDaySuggestion {
            dates: mondays_and_saturdays(month, cal),
            rule: "government_monday_evening_or_saturday",
        },
        OrgSector::SchoolHospital => ThemeDaySuggestion {
            dates: mondays_and_saturdays(month, cal),
            rule: "school_hospital_monday_evening_or_saturday",
        },
        OrgSector::Enterprise => ThemeDaySuggestion {
            dates: Vec::new(),
            rule: "enterprise_own_choice",
        },
    }
}

/// The 5th, or the nearest non-holiday date of the month to it, preferring the later date.
fn rural_fifth(month: YearMonth, cal: &HolidayCalendar) -> Option<NaiveDate> {
    let fifth = month.first_day() + TimeDelta::days(4);
    let usable = |d: NaiveDate| YearMonth::of(d) == Some(month) && !cal.is_holiday(d);
    (0..31).find_map(|distance| {
        let later = fifth + TimeDelta::days(distance);
        let earlier = fifth - TimeDelta::days(distance);
        [later, earlier].into_iter().find(|d| usable(*d))
    })
}

fn mondays_and_saturdays(month: YearMonth, cal: &HolidayCalendar) -> Vec<NaiveDate> {
    month
        .days()
        .filter(|d| matches!(d.weekday(), Weekday::Mon | Weekday::Sat) && !cal.is_holiday(*d))
        .collect()
}

string_enum!(
    /// One recurring duty of a branch: the monthly theme day (主题党日), committee meeting
    /// (支委会) and group meeting (党小组会, counted per group), the quarterly general assembly
    /// (党员大会), the yearly party lesson (党课) and lesson given by the branch secretary
    /// (书记讲党课), and the yearly 组织生活会 (around 1 July or early in the following year,
    /// where members are appraised). Each needs at least one held activity per period.
    ObligationKind {
        ThemeDay => "theme_day",
        CommitteeMeeting => "committee_meeting",
        GroupMeeting => "group_meeting",
        GeneralAssembly => "general_assembly",
        PartyLesson => "party_lesson",
        SecretaryLesson => "secretary_lesson",
        OrgLifeMeeting => "org_life_meeting",
    }
);

impl ObligationKind {
    /// The kind of activity that fulfils the obligation; a secretary lesson is a party lesson
    /// whose lecturer is the branch secretary.
    pub fn activity_kind(&self) -> ActivityKind {
        match self {
            ObligationKind::ThemeDay => ActivityKind::ThemeDay,
            ObligationKind::CommitteeMeeting => ActivityKind::CommitteeMeeting,
            ObligationKind::GroupMeeting => ActivityKind::GroupMeeting,
            ObligationKind::GeneralAssembly => ActivityKind::GeneralAssembly,
            ObligationKind::PartyLesson | ObligationKind::SecretaryLesson => {
                ActivityKind::PartyLesson
            }
            ObligationKind::OrgLifeMeeting => ActivityKind::OrgLifeMeeting,
        }
    }

    /// The period containing `month` over which the obligation is counted: the calendar
    /// month, quarter ("every three months") or year.
    pub fn period_of(&self, month: YearMonth) -> Period {
        match self {
            ObligationKind::ThemeDay
            | ObligationKind::CommitteeMeeting
            | ObligationKind::GroupMeeting => Period::Month(month),
            ObligationKind::GeneralAssembly => Period::Quarter {
                year: month.year(),
                quarter: month.quarter(),
            },
            ObligationKind::PartyLesson
            | ObligationKind::SecretaryLesson
            | ObligationKind::OrgLifeMeeting => Period::Year(month.year()),
        }
    }
}

/// What the obligation check needs to know of an activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldActivity {
    pub kind: ActivityKind,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub cancelled: bool,
    pub approved_check_ins: u64,
    pub lecturer_is_secretary: bool,
}

/// An activity was held when it was not cancelled, has ended by `now`, and at least one
/// check-in to it was approved.
pub fn counts_as_held(a: &HeldActivity, now: DateTime<Utc>) -> bool {
    !a.cancelled && a.ends_at <= now && a.approved_check_ins >= 1
}

string_enum!(
    /// Met, still open (due), or past its period without being met (overdue).
    ObligationState {
        Met => "met",
        Due => "due",
        Overdue => "overdue",
    }
);

/// Met when an activity of the obligation's kind (for a secretary lesson, a party lesson
/// given by the secretary) starts inside `period` and counts as held; otherwise overdue once
/// the period has ended, due before that. For group meetings pass one group's activities.
pub fn obligation_state(
    kind: ObligationKind,
    period: Period,
    activities: &[HeldActivity],
    now: DateTime<Utc>,
) -> ObligationState {
    let fulfils = |a: &HeldActivity| {
        a.kind == kind.activity_kind()
            && (kind != ObligationKind::SecretaryLesson || a.lecturer_is_secretary)
            && period.contains(a.starts_at)
            && counts_as_held(a, now)
    };
    if activities.iter().any(fulfils) {
        ObligationState::Met
    } else if now >= period.end() {
        ObligationState::Overdue
    } else {
        ObligationState::Due
    }
}

#[cfg(test)]
mod tests {
    use std::slice::from_ref;

    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_else(|| panic!("{y}-{m}-{d} is valid"))
    }

    fn month(y: i32, m: u32) -> YearMonth {
        YearMonth::new(y, m).unwrap_or_else(|| panic!("{y}-{m} is valid"))
    }

    fn utc(raw: &str) -> DateTime<Utc> {
        raw.parse().unwrap_or_else(|e| panic!("{raw}: {e}"))
    }

    fn holidays(dates: impl IntoIterator<Item = NaiveDate>) -> HolidayCalendar {
        HolidayCalendar {
            holidays: dates.into_iter().collect(),
            workdays: Default::default(),
        }
    }

    fn rural(m: YearMonth, cal: &HolidayCalendar) -> Vec<NaiveDate> {
        let s = suggested_theme_days(OrgSector::Rural, m, cal);
        assert_eq!(s.rule, "rural_fifth");
        s.dates
    }

    #[test]
    fn rural_branches_meet_on_the_fifth() {
        assert_eq!(
            rural(month(2026, 11), &HolidayCalendar::default()),
            [date(2026, 11, 5)]
        );
    }

    #[test]
    fn a_weekend_fifth_does_not_move() {
        // 2026-12-05 is a Saturday.
        assert_eq!(date(2026, 12, 5).weekday(), Weekday::Sat);
        assert_eq!(
            rural(month(2026, 12), &HolidayCalendar::default()),
            [date(2026, 12, 5)]
        );
    }

    #[test]
    fn a_holiday_fifth_moves_to_the_later_date_on_a_tie() {
        let cal = holidays([date(2026, 4, 5)]);
        assert_eq!(rural(month(2026, 4), &cal), [date(2026, 4, 6)]);
    }

    #[test]
    fn a_holiday_fifth_moves_to_the_nearer_free_date() {
        let cal = holidays([date(2026, 4, 5), date(2026, 4, 6)]);
        assert_eq!(rural(month(2026, 4), &cal), [date(2026, 4, 4)]);
    }

    #[test]
    fn a_long_holiday_at_the_start_of_the_month_pushes_it_past_the_holiday() {
        let cal = holidays((1..=7).map(|d| date(2026, 10, d)));
        assert_eq!(rural(month(2026, 10), &cal), [date(2026, 10, 8)]);
    }

    #[test]
    fn a_month_of_holidays_gets_no_date() {
        let cal = holidays(month(2026, 2).days());
        assert!(rural(month(2026, 2), &cal).is_empty());
    }

    #[test]
    fn government_offices_get_every_free_monday_and_saturday() {
        // November 2026: Mondays 2, 9, 16, 23, 30; Saturdays 7, 14, 21, 28. The 16th is a
        // holiday; the 14th is an adjusted working Saturday and stays.
        let cal = HolidayCalendar {
            holidays: [date(2026, 11, 16)].into(),
            workdays: [date(2026, 11, 14)].into(),
        };
        let s = suggested_theme_days(OrgSector::Government, month(2026, 11), &cal);
        assert_eq!(s.rule, "government_monday_evening_or_saturday");
        let days: Vec<u32> = s.dates.iter().map(|d| d.day()).collect();
        assert_eq!(days, [2, 7, 9, 14, 21, 23, 28, 30]);

        let school = suggested_theme_days(OrgSector::SchoolHospital, month(2026, 11), &cal);
        assert_eq!(school.rule, "school_hospital_monday_evening_or_saturday");
        assert_eq!(school.dates, s.dates);
    }

    #[test]
    fn enterprises_choose_their_own_time() {
        let s = suggested_theme_days(
            OrgSector::Enterprise,
            month(2026, 11),
            &HolidayCalendar::default(),
        );
        assert_eq!(s.rule, "enterprise_own_choice");
        assert!(s.dates.is_empty());
    }

    #[test]
    fn obligations_map_to_activity_kinds_and_periods() {
        let nov = month(2026, 11);
        assert_eq!(ObligationKind::ThemeDay.period_of(nov), Period::Month(nov));
        assert_eq!(
            ObligationKind::GeneralAssembly.period_of(nov),
            Period::Quarter {
                year: 2026,
                quarter: 4
            }
        );
        assert_eq!(
            ObligationKind::SecretaryLesson.period_of(nov),
            Period::Year(2026)
        );
        assert_eq!(
            ObligationKind::SecretaryLesson.activity_kind(),
            ActivityKind::PartyLesson
        );
        for kind in ObligationKind::ALL {
            assert_eq!(ObligationKind::parse(kind.as_str()), Some(*kind));
        }
    }

    fn held(kind: ActivityKind, starts_at: &str) -> HeldActivity {
        let starts_at = utc(starts_at);
        HeldActivity {
            kind,
            starts_at,
            ends_at: starts_at + TimeDelta::hours(2),
            cancelled: false,
            approved_check_ins: 3,
            lecturer_is_secretary: false,
        }
    }

    #[test]
    fn an_obligation_is_met_by_a_held_activity_inside_its_period() {
        let nov = Period::Month(month(2026, 11));
        let now = utc("2026-11-20T00:00:00Z");
        let theme = held(ActivityKind::ThemeDay, "2026-11-05T01:00:00Z");
        let state =
            |acts: &[HeldActivity], now| obligation_state(ObligationKind::ThemeDay, nov, acts, now);
        assert_eq!(state(from_ref(&theme), now), ObligationState::Met);
        assert_eq!(state(&[], now), ObligationState::Due);
        assert_eq!(
            state(&[], utc("2026-11-30T15:59:59Z")),
            ObligationState::Due
        );
        // Exactly at the period's end (00:00 Shanghai on 1 December) it is overdue.
        assert_eq!(
            state(&[], utc("2026-11-30T16:00:00Z")),
            ObligationState::Overdue
        );
        // Another kind of activity does not count.
        let lesson = held(ActivityKind::PartyLesson, "2026-11-05T01:00:00Z");
        assert_eq!(state(&[lesson], now), ObligationState::Due);
    }

    #[test]
    fn activities_that_were_not_held_in_the_period_do_not_count() {
        let nov = Period::Month(month(2026, 11));
        let now = utc("2026-12-02T00:00:00Z");
        let base = held(ActivityKind::ThemeDay, "2026-11-05T01:00:00Z");
        let cancelled = HeldActivity {
            cancelled: true,
            ..base.clone()
        };
        let unattended = HeldActivity {
            approved_check_ins: 0,
            ..base.clone()
        };
        // Starts 23:30 Shanghai on 31 October: the October theme day, not November's.
        let before = held(ActivityKind::ThemeDay, "2026-10-31T15:30:00Z");
        // Starts 00:00 Shanghai on 1 December.
        let after = held(ActivityKind::ThemeDay, "2026-11-30T16:00:00Z");
        for a in [cancelled, unattended, before, after] {
            assert_eq!(
                obligation_state(ObligationKind::ThemeDay, nov, from_ref(&a), now),
                ObligationState::Overdue,
                "{a:?}"
            );
        }
        // Still running at `now`: not yet held.
        let running_now = base.starts_at + TimeDelta::hours(1);
        assert!(!counts_as_held(&base, running_now));
        assert_eq!(
            obligation_state(ObligationKind::ThemeDay, nov, from_ref(&base), running_now),
            ObligationState::Due
        );
        assert!(counts_as_held(&base, base.ends_at));
    }

    #[test]
    fn a_secretary_lesson_needs_the_secretary_as_lecturer() {
        let year = ObligationKind::SecretaryLesson.period_of(month(2026, 11));
        let now = utc("2026-11-20T00:00:00Z");
        let lesson = held(ActivityKind::PartyLesson, "2026-03-10T01:00:00Z");
        let by_secretary = HeldActivity {
            lecturer_is_secretary: true,
            ..lesson.clone()
        };
        let state = |kind, a: &HeldActivity| obligation_state(kind, year, from_ref(a), now);
        assert_eq!(
            state(ObligationKind::SecretaryLesson, &lesson),
            ObligationState::Due
        );
        assert_eq!(
            state(ObligationKind::SecretaryLesson, &by_secretary),
            ObligationState::Met
        );
        assert_eq!(
            state(ObligationKind::PartyLesson, &lesson),
            ObligationState::Met
        );
        assert_eq!(
            state(ObligationKind::PartyLesson, &by_secretary),
            ObligationState::Met
        );
    }

    #[test]
    fn an_org_life_meeting_is_a_yearly_obligation_of_its_own_kind() {
        for m in [month(2026, 1), month(2026, 7), month(2026, 12)] {
            assert_eq!(
                ObligationKind::OrgLifeMeeting.period_of(m),
                Period::Year(2026)
            );
        }
        assert_eq!(
            ObligationKind::OrgLifeMeeting.activity_kind(),
            ActivityKind::OrgLifeMeeting
        );
        assert_eq!(ObligationKind::OrgLifeMeeting.as_str(), "org_life_meeting");
        assert_eq!(ActivityKind::OrgLifeMeeting.as_str(), "org_life_meeting");
    }

    #[test]
    fn an_org_life_meeting_held_in_the_year_meets_the_obligation() {
        let year = ObligationKind::OrgLifeMeeting.period_of(month(2026, 12));
        let now = utc("2026-12-20T00:00:00Z");
        // Around 1 July, Beijing time.
        let july = held(ActivityKind::OrgLifeMeeting, "2026-07-01T01:00:00Z");
        assert_eq!(
            obligation_state(ObligationKind::OrgLifeMeeting, year, from_ref(&july), now),
            ObligationState::Met
        );
    }

    #[test]
    fn an_org_life_meeting_not_yet_held_is_due_and_overdue_after_the_year() {
        let year = ObligationKind::OrgLifeMeeting.period_of(month(2026, 12));
        let state = |acts: &[HeldActivity], now| {
            obligation_state(ObligationKind::OrgLifeMeeting, year, acts, now)
        };
        assert_eq!(
            state(&[], utc("2026-12-20T00:00:00Z")),
            ObligationState::Due
        );
        // The year ends at 00:00 Shanghai on 1 January.
        assert_eq!(
            state(&[], utc("2026-12-31T15:59:59Z")),
            ObligationState::Due
        );
        assert_eq!(
            state(&[], utc("2026-12-31T16:00:00Z")),
            ObligationState::Overdue
        );
        // Another meeting of the branch does not stand in for it, nor it for them.
        let assembly = held(ActivityKind::GeneralAssembly, "2026-07-01T01:00:00Z");
        let life = held(ActivityKind::OrgLifeMeeting, "2026-07-01T01:00:00Z");
        let after = utc("2027-01-05T00:00:00Z");
        assert_eq!(state(&[assembly], after), ObligationState::Overdue);
        for other in [
            ObligationKind::PartyLesson,
            ObligationKind::SecretaryLesson,
            ObligationKind::GeneralAssembly,
        ] {
            let period = other.period_of(month(2026, 7));
            assert_eq!(
                obligation_state(other, period, from_ref(&life), after),
                ObligationState::Overdue,
                "{other:?}"
            );
        }
    }

    #[test]
    fn a_cancelled_or_unattended_org_life_meeting_does_not_count() {
        let year = ObligationKind::OrgLifeMeeting.period_of(month(2026, 7));
        let now = utc("2027-01-05T00:00:00Z");
        let base = held(ActivityKind::OrgLifeMeeting, "2026-07-01T01:00:00Z");
        let cancelled = HeldActivity {
            cancelled: true,
            ..base.clone()
        };
        let unattended = HeldActivity {
            approved_check_ins: 0,
            ..base.clone()
        };
        for a in [cancelled, unattended] {
            assert_eq!(
                obligation_state(ObligationKind::OrgLifeMeeting, year, from_ref(&a), now),
                ObligationState::Overdue,
                "{a:?}"
            );
        }
        // Still running at `now`: not yet held.
        let running = base.starts_at + TimeDelta::hours(1);
        assert_eq!(
            obligation_state(
                ObligationKind::OrgLifeMeeting,
                year,
                from_ref(&base),
                running
            ),
            ObligationState::Due
        );
    }

    #[test]
    fn an_org_life_meeting_of_another_year_does_not_count() {
        let year = ObligationKind::OrgLifeMeeting.period_of(month(2026, 7));
        let now = utc("2027-03-01T00:00:00Z");
        // Early in the following year (for the year just past, but it starts in 2027).
        let january = held(ActivityKind::OrgLifeMeeting, "2027-01-10T01:00:00Z");
        // 23:30 Shanghai on 31 December 2025: still 2025.
        let new_years_eve = held(ActivityKind::OrgLifeMeeting, "2025-12-31T15:30:00Z");
        // 00:00 Shanghai on 1 January 2026: the first instant of 2026.
        let first_instant = held(ActivityKind::OrgLifeMeeting, "2025-12-31T16:00:00Z");
        let state = |a: &HeldActivity| {
            obligation_state(ObligationKind::OrgLifeMeeting, year, from_ref(a), now)
        };
        assert_eq!(state(&january), ObligationState::Overdue);
        assert_eq!(state(&new_years_eve), ObligationState::Overdue);
        assert_eq!(state(&first_instant), ObligationState::Met);
        // The January meeting meets 2027's obligation.
        let next_year = ObligationKind::OrgLifeMeeting.period_of(month(2027, 1));
        assert_eq!(
            obligation_state(
                ObligationKind::OrgLifeMeeting,
                next_year,
                from_ref(&january),
                now
            ),
            ObligationState::Met
        );
    }

    #[test]
    fn a_general_assembly_is_counted_per_quarter() {
        let q4 = ObligationKind::GeneralAssembly.period_of(month(2026, 12));
        let october = held(ActivityKind::GeneralAssembly, "2026-10-15T01:00:00Z");
        let september = held(ActivityKind::GeneralAssembly, "2026-09-15T01:00:00Z");
        let now = utc("2027-01-05T00:00:00Z");
        assert_eq!(
            obligation_state(ObligationKind::GeneralAssembly, q4, &[october], now),
            ObligationState::Met
        );
        assert_eq!(
            obligation_state(ObligationKind::GeneralAssembly, q4, &[september], now),
            ObligationState::Overdue
        );
    }
}
