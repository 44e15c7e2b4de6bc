//! The volunteer-hours ledger (domain.md: "Volunteer hours go into an append-only ledger").
//!
//! An entry is written once and never edited: the only change it ever gets is its single
//! decision (pending → confirmed or rejected). A mistake in a confirmed entry is put right
//! by a correction, a new entry that names the one it corrects, is confirmed when written,
//! carries a reason, and counts in the corrected entry's category and day. Totals count
//! confirmed entries only, corrections included; service and training are kept apart.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::model::{HoursEntryId, ServiceRequestId, TeamId};
use crate::activity::{Activity, ActivityId, CheckIn};
use crate::calendar::{shanghai, YearMonth};
use crate::error::{DomainError, ErrorCode, FieldError};
use crate::org::{Member, MemberId, OrgId, OrgPath};
use crate::text::clean_text;

crate::string_enum::string_enum!(
    /// What the hours were spent on: serving residents, or training for it. Totals keep
    /// them apart.
    HoursCategory {
        Service => "service",
        Training => "training",
    }
);

impl HoursCategory {
    pub fn label_zh(&self) -> &'static str {
        match self {
            HoursCategory::Service => "志愿服务",
            HoursCategory::Training => "培训",
        }
    }
}

crate::string_enum::string_enum!(
    /// Where an entry stands: waiting for its one decision, or decided. Only confirmed
    /// entries count.
    HoursStatus {
        Pending => "pending",
        Confirmed => "confirmed",
        Rejected => "rejected",
    }
);

/// Where an entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HoursSource {
    /// A completed service request, served by the member (through a team, when it was
    /// dispatched to one).
    Request {
        request: ServiceRequestId,
        team: Option<TeamId>,
    },
    /// Recorded by the member themself.
    Manual,
    /// Served at a service activity (服务奉献), from the member's check-in to their
    /// check-out.
    Activity { activity: ActivityId },
    /// Puts right the confirmed entry `of`.
    Correction { of: HoursEntryId },
}

impl HoursSource {
    /// The stored and wire name of the source's kind.
    pub fn kind(&self) -> &'static str {
        match self {
            HoursSource::Request { .. } => "request",
            HoursSource::Manual => "manual",
            HoursSource::Activity { .. } => "activity",
            HoursSource::Correction { .. } => "correction",
        }
    }

    pub fn label_zh(&self) -> &'static str {
        match self {
            HoursSource::Request { .. } => "服务工单",
            HoursSource::Manual => "本人填报",
            HoursSource::Activity { .. } => "服务活动",
            HoursSource::Correction { .. } => "更正",
        }
    }
}

/// The one decision an entry gets (or, for a correction, who wrote it and when).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoursDecision {
    pub by: MemberId,
    pub at: DateTime<Utc>,
    /// Required for a rejection; optional for a confirmation.
    pub reason: Option<String>,
}

/// One entry of the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoursEntry {
    pub id: HoursEntryId,
    pub member_id: MemberId,
    /// The member's township committee (the root of their branch's path), for partitioning.
    pub committee_id: OrgId,
    /// The member's branch when the hours were recorded: who may confirm a manual or
    /// activity entry.
    pub branch_id: OrgId,
    pub branch_path: OrgPath,
    pub category: HoursCategory,
    /// 1..=1440 for a request, manual or activity entry; a correction's is signed and not
    /// zero.
    pub minutes: i32,
    /// The day served (Asia/Shanghai); a correction carries the corrected entry's day.
    pub occurred_on: NaiveDate,
    pub source: HoursSource,
    /// What was done (a request's, a member's, an activity's title) or why a correction
    /// was made.
    pub note: String,
    pub status: HoursStatus,
    pub decision: Option<HoursDecision>,
    pub recorded_by: MemberId,
    pub created_at: DateTime<Utc>,
}

/// What a member records for themself.
#[derive(Debug, Clone)]
pub struct NewManualHours {
    pub category: HoursCategory,
    pub minutes: i32,
    pub occurred_on: NaiveDate,
    pub note: String,
}

impl HoursEntry {
    /// The most minutes one entry (and one entry with its corrections) may count: a day.
    pub const MAX_MINUTES: i32 = 1440;
    pub const MAX_NOTE_CHARS: usize = 200;
    /// How far back a member may record hours: `occurredOn` lies in
    /// `today - MANUAL_WINDOW_DAYS ..= today` (Beijing).
    pub const MANUAL_WINDOW_DAYS: i64 = 90;

    /// The pending service entry of a member who served a completed request. The request
    /// lifecycle calls it when a request completes (one per volunteer) and stores the
    /// entries with `HoursRepo::append`; the member's branch at that moment is kept.
    /// `minutes` is 1..=1440; `note` 1-200 printable characters (the request's title will
    /// do). Refused: `volunteer_hours_minutes_invalid` at `/minutes`,
    /// `volunteer_hours_note_invalid` at `/note`.
    #[expect(
        clippy::too_many_arguments,
        reason = "the facts of one entry, each named by the caller"
    )]
    pub fn from_request(
        member: &Member,
        request: ServiceRequestId,
        team: Option<TeamId>,
        minutes: i32,
        occurred_on: NaiveDate,
        note: &str,
        recorded_by: MemberId,
        now: DateTime<Utc>,
    ) -> Result<Self, DomainError> {
        let mut errors = Vec::new();
        if let Err(e) = Self::check_minutes(minutes) {
            errors.push(e);
        }
        let note = Self::validate_note(note, "/note").map_err(|e| errors.push(e));
        let note = match note {
            Ok(n) if errors.is_empty() => n,
            _ => return Err(DomainError::Validation(errors)),
        };
        Ok(Self::pending(
            member,
            HoursCategory::Service,
            minutes,
            occurred_on,
            HoursSource::Request { request, team },
            note,
            recorded_by,
            now,
        ))
    }

    /// The pending entry a member records for themself: 1..=1440 minutes on a day within
    /// the last 90 days (not after today, Beijing), with a note saying what was done.
    pub fn manual(
        member: &Member,
        new: NewManualHours,
        now: DateTime<Utc>,
    ) -> Result<Self, DomainError> {
        let mut errors = Vec::new();
        if let Err(e) = Self::check_minutes(new.minutes) {
            errors.push(e);
        }
        let today = now.with_timezone(&shanghai()).date_naive();
        let earliest = today - chrono::Duration::days(Self::MANUAL_WINDOW_DAYS);
        if new.occurred_on > today || new.occurred_on < earliest {
            errors.push(FieldError::new(
                "/occurredOn",
                ErrorCode::VolunteerHoursDateInvalid,
                format!("the day must lie between {earliest} and {today}"),
            ));
        }
        let note = Self::validate_note(&new.note, "/note").map_err(|e| errors.push(e));
        let note = match note {
            Ok(n) if errors.is_empty() => n,
            _ => return Err(DomainError::Validation(errors)),
        };
        Ok(Self::pending(
            member,
            new.category,
            new.minutes,
            new.occurred_on,
            HoursSource::Manual,
            note,
            member.id,
            now,
        ))
    }

    /// The pending service entry of a member who checked out of a service activity:
    /// `minutes` (1..=1440, see `activity::service::judge_check_out`) on the day the
    /// activity started (Beijing), in the branch the check-in was recorded in (the
    /// activity's; its secretary decides the entry, as a manual one), noted with the
    /// activity's title. Refused: `volunteer_hours_minutes_invalid` at `/minutes`.
    pub fn from_activity(
        activity: &Activity,
        check_in: &CheckIn,
        minutes: i32,
        now: DateTime<Utc>,
    ) -> Result<Self, DomainError> {
        let mut errors = Vec::new();
        if let Err(e) = Self::check_minutes(minutes) {
            errors.push(e);
        }
        // A title is 1-64 printable characters already; checked again as any note is.
        let note = Self::validate_note(&activity.title, "/note").map_err(|e| errors.push(e));
        let note = match note {
            Ok(n) if errors.is_empty() => n,
            _ => return Err(DomainError::Validation(errors)),
        };
        Ok(Self {
            id: HoursEntryId::at(now),
            member_id: check_in.member_id,
            committee_id: check_in.branch_path.root_id().unwrap_or(activity.branch_id),
            branch_id: activity.branch_id,
            branch_path: check_in.branch_path.clone(),
            category: HoursCategory::Service,
            minutes,
            occurred_on: activity.start_date(),
            source: HoursSource::Activity {
                activity: activity.id,
            },
            note,
            status: HoursStatus::Pending,
            decision: None,
            recorded_by: check_in.member_id,
            created_at: now,
        })
    }

    /// A correction of `of` (a confirmed entry that is no correction itself) by `minutes`
    /// (signed, not zero), with a reason. `standing` is what `of` counts now: its minutes
    /// plus those of its corrections so far. The entry with its corrections stays within
    /// 0..=1440 minutes.
    pub fn correction(
        of: &HoursEntry,
        standing: i64,
        minutes: i32,
        reason: &str,
        by: MemberId,
        now: DateTime<Utc>,
    ) -> Result<Self, DomainError> {
        if of.status != HoursStatus::Confirmed
            || matches!(of.source, HoursSource::Correction { .. })
        {
            return Err(DomainError::conflict(
                ErrorCode::VolunteerHoursNotConfirmed,
                "only a confirmed entry that is not itself a correction can be corrected",
            ));
        }
        let mut errors = Vec::new();
        if minutes == 0 || minutes.abs() > Self::MAX_MINUTES {
            errors.push(FieldError::new(
                "/minutes",
                ErrorCode::VolunteerHoursMinutesInvalid,
                format!(
                    "a correction is a non-zero number of minutes between -{0} and {0}",
                    Self::MAX_MINUTES
                ),
            ));
        }
        let reason = Self::validate_note(reason, "/reason").map_err(|e| errors.push(e));
        let reason = match reason {
            Ok(r) if errors.is_empty() => r,
            _ => return Err(DomainError::Validation(errors)),
        };
        let after = standing + i64::from(minutes);
        if after < 0 {
            return Err(DomainError::refused(
                ErrorCode::VolunteerHoursBelowZero,
                format!("the entry counts {standing} minutes; {minutes} would take it below zero"),
            ));
        }
        if after > i64::from(Self::MAX_MINUTES) {
            return Err(DomainError::invalid(
                "/minutes",
                ErrorCode::VolunteerHoursMinutesInvalid,
                format!(
                    "the entry counts {standing} minutes; with corrections it may count at most {}",
                    Self::MAX_MINUTES
                ),
            ));
        }
        Ok(Self {
            id: HoursEntryId::at(now),
            member_id: of.member_id,
            committee_id: of.committee_id,
            branch_id: of.branch_id,
            branch_path: of.branch_path.clone(),
            category: of.category,
            minutes,
            occurred_on: of.occurred_on,
            source: HoursSource::Correction { of: of.id },
            note: reason,
            status: HoursStatus::Confirmed,
            decision: Some(HoursDecision {
                by,
                at: now,
                reason: None,
            }),
            recorded_by: by,
            created_at: now,
        })
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "the facts of one entry, each named by the caller"
    )]
    fn pending(
        member: &Member,
        category: HoursCategory,
        minutes: i32,
        occurred_on: NaiveDate,
        source: HoursSource,
        note: String,
        recorded_by: MemberId,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id: HoursEntryId::at(now),
            member_id: member.id,
            committee_id: member.branch_path.root_id().unwrap_or(member.branch_id),
            branch_id: member.branch_id,
            branch_path: member.branch_path.clone(),
            category,
            minutes,
            occurred_on,
            source,
            note,
            status: HoursStatus::Pending,
            decision: None,
            recorded_by,
            created_at: now,
        }
    }

    fn check_minutes(minutes: i32) -> Result<(), FieldError> {
        if (1..=Self::MAX_MINUTES).contains(&minutes) {
            Ok(())
        } else {
            Err(FieldError::new(
                "/minutes",
                ErrorCode::VolunteerHoursMinutesInvalid,
                format!("between 1 and {} minutes", Self::MAX_MINUTES),
            ))
        }
    }

    pub fn validate_note(raw: &str, pointer: &str) -> Result<String, FieldError> {
        clean_text(
            raw,
            Self::MAX_NOTE_CHARS,
            pointer,
            ErrorCode::VolunteerHoursNoteInvalid,
        )
    }

    /// The status the one decision leads to, or `volunteer_hours_not_pending` when the
    /// entry was decided already (a correction is born decided).
    pub fn decide(&self, confirm: bool) -> Result<HoursStatus, DomainError> {
        match self.status {
            HoursStatus::Pending if confirm => Ok(HoursStatus::Confirmed),
            HoursStatus::Pending => Ok(HoursStatus::Rejected),
            HoursStatus::Confirmed | HoursStatus::Rejected => Err(not_pending()),
        }
    }

    /// Whether it counts in totals.
    pub fn counts(&self) -> bool {
        self.status == HoursStatus::Confirmed
    }
}

pub(crate) fn not_pending() -> DomainError {
    DomainError::conflict(
        ErrorCode::VolunteerHoursNotPending,
        "this entry was decided already",
    )
}

/// A half year of the business calendar: `2026-H1` (January-June) or `2026-H2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HalfYear {
    pub year: i32,
    /// 1 or 2.
    pub half: u8,
}

impl HalfYear {
    pub fn of(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            half: if date.month() <= 6 { 1 } else { 2 },
        }
    }

    pub fn first_day(&self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year, if self.half == 1 { 1 } else { 7 }, 1)
    }

    pub fn last_day(&self) -> Option<NaiveDate> {
        if self.half == 1 {
            NaiveDate::from_ymd_opt(self.year, 6, 30)
        } else {
            NaiveDate::from_ymd_opt(self.year, 12, 31)
        }
    }

    /// `2027-H1` or `2027-H2`, years 2000 to 2100.
    pub fn parse(raw: &str) -> Option<Self> {
        let (year, half) = raw.split_once("-H")?;
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year: i32 = year.parse().ok()?;
        let half = match half {
            "1" => 1,
            "2" => 2,
            _ => return None,
        };
        (2000..=2100).contains(&year).then_some(Self { year, half })
    }

    /// The half year that is current in Beijing at `instant`.
    pub fn containing(instant: DateTime<Utc>) -> Self {
        Self::of(instant.with_timezone(&shanghai()).date_naive())
    }

    /// The half year before this one.
    pub fn previous(&self) -> Self {
        if self.half == 2 {
            Self {
                year: self.year,
                half: 1,
            }
        } else {
            Self {
                year: self.year - 1,
                half: 2,
            }
        }
    }

    /// The half year after this one.
    pub fn next(&self) -> Self {
        if self.half == 1 {
            Self {
                year: self.year,
                half: 2,
            }
        } else {
            Self {
                year: self.year + 1,
                half: 1,
            }
        }
    }

    /// A sortable number: `2027-H1` is 20271.
    pub fn ordinal(&self) -> i32 {
        self.year * 10 + i32::from(self.half)
    }

    /// The half year of [`Self::ordinal`].
    pub fn from_ordinal(n: i32) -> Option<Self> {
        let half = u8::try_from(n % 10).ok().filter(|h| (1..=2).contains(h))?;
        Some(Self { year: n / 10, half })
    }
}

impl fmt::Display for HalfYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-H{}", self.year, self.half)
    }
}

/// Confirmed minutes of one period, service and training apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodTotal<P> {
    pub period: P,
    pub service: i64,
    pub training: i64,
}

/// A member's confirmed minutes per month and per half year, newest period first, over
/// every entry given (the ones that do not count are skipped).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HoursTotals {
    pub service: i64,
    pub training: i64,
    pub months: Vec<PeriodTotal<YearMonth>>,
    pub half_years: Vec<PeriodTotal<HalfYear>>,
}

impl HoursTotals {
    pub fn of(entries: &[HoursEntry]) -> Self {
        let mut months: BTreeMap<YearMonth, (i64, i64)> = BTreeMap::new();
        let mut halves: BTreeMap<HalfYear, (i64, i64)> = BTreeMap::new();
        let mut all = (0i64, 0i64);
        for e in entries.iter().filter(|e| e.counts()) {
            let add = |t: &mut (i64, i64)| match e.category {
                HoursCategory::Service => t.0 += i64::from(e.minutes),
                HoursCategory::Training => t.1 += i64::from(e.minutes),
            };
            if let Some(m) = YearMonth::of(e.occurred_on) {
                add(months.entry(m).or_default());
            }
            add(halves.entry(HalfYear::of(e.occurred_on)).or_default());
            add(&mut all);
        }
        fn newest_first<P: Copy>(m: BTreeMap<P, (i64, i64)>) -> Vec<PeriodTotal<P>> {
            m.into_iter()
                .rev()
                .map(|(period, (service, training))| PeriodTotal {
                    period,
                    service,
                    training,
                })
                .collect()
        }
        Self {
            service: all.0,
            training: all.1,
            months: newest_first(months),
            half_years: newest_first(halves),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_years_parse_and_step_and_sort() {
        let h = HalfYear::parse("2027-H1").unwrap_or_else(|| panic!("parses"));
        assert_eq!((h.year, h.half), (2027, 1));
        assert_eq!(h.to_string(), "2027-H1");
        assert_eq!(h.next().to_string(), "2027-H2");
        assert_eq!(h.next().next().to_string(), "2028-H1");
        assert_eq!(HalfYear::from_ordinal(h.ordinal()), Some(h));
        assert!(h.ordinal() < h.next().ordinal());
        for bad in [
            "2027-H3", "2027-H0", "1999-H1", "2101-H1", "27-H1", "2027H1", "+027-H1", "",
        ] {
            assert_eq!(HalfYear::parse(bad), None, "{bad}");
        }
    }
    use crate::org::{MemberCategory, MemberStatus, PhoneNumber};
    use chrono::TimeZone;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    /// 2026-11-05 08:30 Beijing.
    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 5, 0, 30, 0)
            .single()
            .unwrap_or_else(|| panic!("a time"))
    }

    fn member() -> Member {
        let committee = OrgPath::root(OrgId::new());
        let branch = OrgId::new();
        Member {
            id: MemberId::new(),
            name: "党员甲".into(),
            phone: PhoneNumber::parse("13900000001").unwrap_or_else(|e| panic!("{e:?}")),
            category: MemberCategory::Rural,
            branch_id: branch,
            group_id: None,
            branch_path: committee.child(branch),
            leading_cadre: false,
            probationary: false,
            status: MemberStatus::Active,
            created_at: now(),
            updated_at: now(),
        }
    }

    fn manual(minutes: i32, on: &str) -> Result<HoursEntry, DomainError> {
        HoursEntry::manual(
            &member(),
            NewManualHours {
                category: HoursCategory::Service,
                minutes,
                occurred_on: day(on),
                note: "清扫村道".into(),
            },
            now(),
        )
    }

    fn codes(r: Result<HoursEntry, DomainError>) -> Vec<ErrorCode> {
        match r {
            Err(DomainError::Validation(errors)) => errors.iter().map(|e| e.code).collect(),
            Err(e) => e.code().into_iter().collect(),
            Ok(_) => vec![],
        }
    }

    fn confirmed(minutes: i32) -> HoursEntry {
        let mut e = manual(60, "2026-11-01").unwrap_or_else(|e| panic!("{e}"));
        e.status = HoursStatus::Confirmed;
        e.minutes = minutes;
        e
    }

    #[test]
    fn a_request_entry_is_a_pending_service_entry_of_the_members_branch_and_township() {
        let m = member();
        let team = TeamId::new();
        let e = HoursEntry::from_request(
            &m,
            ServiceRequestId::new(),
            Some(team),
            90,
            day("2026-11-04"),
            "为独居老人修水管",
            MemberId::new(),
            now(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(e.status, HoursStatus::Pending);
        assert_eq!(e.category, HoursCategory::Service);
        assert_eq!(e.branch_path, m.branch_path);
        assert_eq!(Some(e.committee_id), m.branch_path.root_id());
        assert!(matches!(e.source, HoursSource::Request { team: Some(t), .. } if t == team));
        let bad = HoursEntry::from_request(
            &m,
            ServiceRequestId::new(),
            None,
            0,
            day("2026-11-04"),
            " ",
            m.id,
            now(),
        );
        assert_eq!(
            codes(bad),
            [
                ErrorCode::VolunteerHoursMinutesInvalid,
                ErrorCode::VolunteerHoursNoteInvalid
            ]
        );
    }

    #[test]
    fn manual_minutes_run_from_one_to_a_day() {
        assert!(manual(1, "2026-11-05").is_ok());
        assert!(manual(1440, "2026-11-05").is_ok());
        for bad in [0, -5, 1441] {
            assert_eq!(
                codes(manual(bad, "2026-11-05")),
                [ErrorCode::VolunteerHoursMinutesInvalid],
                "{bad}"
            );
        }
    }

    #[test]
    fn manual_days_lie_within_the_last_ninety_days_by_beijing_time() {
        assert!(manual(60, "2026-11-05").is_ok(), "today in Beijing");
        assert!(manual(60, "2026-08-07").is_ok(), "90 days back");
        for bad in ["2026-11-06", "2026-08-06"] {
            assert_eq!(
                codes(manual(60, bad)),
                [ErrorCode::VolunteerHoursDateInvalid],
                "{bad}"
            );
        }
    }

    #[test]
    fn an_entry_is_decided_once() {
        let e = manual(60, "2026-11-01").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(e.decide(true).ok(), Some(HoursStatus::Confirmed));
        assert_eq!(e.decide(false).ok(), Some(HoursStatus::Rejected));
        for status in [HoursStatus::Confirmed, HoursStatus::Rejected] {
            let decided = HoursEntry {
                status,
                ..e.clone()
            };
            assert_eq!(
                decided.decide(true).err().and_then(|e| e.code()),
                Some(ErrorCode::VolunteerHoursNotPending)
            );
        }
    }

    #[test]
    fn a_correction_never_takes_an_entry_below_zero_nor_above_a_day() {
        let of = confirmed(60);
        let by = MemberId::new();
        let c = HoursEntry::correction(&of, 60, -60, "重复填报", by, now())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.status, HoursStatus::Confirmed);
        assert_eq!(c.source, HoursSource::Correction { of: of.id });
        assert_eq!((c.occurred_on, c.category), (of.occurred_on, of.category));
        assert_eq!(
            codes(HoursEntry::correction(&of, 60, -61, "多减", by, now())),
            [ErrorCode::VolunteerHoursBelowZero]
        );
        assert_eq!(
            codes(HoursEntry::correction(&of, 30, -31, "多减", by, now())),
            [ErrorCode::VolunteerHoursBelowZero],
            "earlier corrections count"
        );
        assert_eq!(
            codes(HoursEntry::correction(&of, 60, 1381, "多加", by, now())),
            [ErrorCode::VolunteerHoursMinutesInvalid]
        );
        assert_eq!(
            codes(HoursEntry::correction(&of, 60, 0, "零", by, now())),
            [ErrorCode::VolunteerHoursMinutesInvalid]
        );
    }

    #[test]
    fn only_confirmed_entries_that_are_no_corrections_are_corrected() {
        let by = MemberId::new();
        let pending = manual(60, "2026-11-01").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            codes(HoursEntry::correction(&pending, 0, 10, "补记", by, now())),
            [ErrorCode::VolunteerHoursNotConfirmed]
        );
        let c = HoursEntry::correction(&confirmed(60), 60, 10, "补记", by, now())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            codes(HoursEntry::correction(&c, 10, 10, "再补", by, now())),
            [ErrorCode::VolunteerHoursNotConfirmed]
        );
    }

    #[test]
    fn totals_count_confirmed_minutes_per_month_and_half_year_with_training_apart() {
        let at = |minutes, on: &str, category, status| HoursEntry {
            category,
            status,
            occurred_on: day(on),
            ..confirmed(minutes)
        };
        use HoursCategory::*;
        use HoursStatus::*;
        let entries = [
            at(60, "2026-06-30", Service, Confirmed),
            at(30, "2026-07-01", Service, Confirmed),
            at(-10, "2026-07-01", Service, Confirmed),
            at(45, "2026-07-15", Training, Confirmed),
            at(500, "2026-07-15", Service, Pending),
            at(500, "2026-07-15", Service, Rejected),
        ];
        let t = HoursTotals::of(&entries);
        assert_eq!((t.service, t.training), (80, 45));
        let months: Vec<(String, i64, i64)> = t
            .months
            .iter()
            .map(|p| (p.period.to_string(), p.service, p.training))
            .collect();
        assert_eq!(
            months,
            [("2026-07".into(), 20, 45), ("2026-06".into(), 60, 0)]
        );
        let halves: Vec<(String, i64, i64)> = t
            .half_years
            .iter()
            .map(|p| (p.period.to_string(), p.service, p.training))
            .collect();
        assert_eq!(
            halves,
            [("2026-H2".into(), 20, 45), ("2026-H1".into(), 60, 0)]
        );
        let h1 = HalfYear::of(day("2026-06-30"));
        assert_eq!(
            (h1.first_day(), h1.last_day()),
            (Some(day("2026-01-01")), Some(day("2026-06-30")))
        );
    }
}
