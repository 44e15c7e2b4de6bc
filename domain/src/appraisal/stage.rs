//! A campaign's stage machine. Five stages in order, each on its dates (Asia/Shanghai, both
//! ends inclusive): 集中动员, 个人自评, 党员互评, 组织评定, 亮分公示; after the publication
//! window the campaign is closed. The secretary may begin the next stage early; a stage never
//! reopens once the next has begun, because the standing at an instant only ever moves
//! forward: the schedule is fixed when the campaign opens and early starts are only added.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::calendar::midnight;
use crate::error::{DomainError, ErrorCode, FieldError};

/// One stage of a campaign, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// 集中动员.
    Mobilisation,
    /// 个人自评.
    SelfAssessment,
    /// 党员互评.
    PeerReview,
    /// 组织评定.
    Rating,
    /// 亮分公示.
    Publication,
}

impl Stage {
    pub const ALL: [Stage; 5] = [
        Stage::Mobilisation,
        Stage::SelfAssessment,
        Stage::PeerReview,
        Stage::Rating,
        Stage::Publication,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Stage::Mobilisation => "mobilisation",
            Stage::SelfAssessment => "self_assessment",
            Stage::PeerReview => "peer_review",
            Stage::Rating => "rating",
            Stage::Publication => "publication",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// The stage's name for people.
    pub const fn title(self) -> &'static str {
        match self {
            Stage::Mobilisation => "集中动员",
            Stage::SelfAssessment => "个人自评",
            Stage::PeerReview => "党员互评",
            Stage::Rating => "组织评定",
            Stage::Publication => "亮分公示",
        }
    }

    /// The `camelCase` key of the stage in a request body (`/stages/selfAssessment`).
    pub const fn key(self) -> &'static str {
        match self {
            Stage::Mobilisation => "mobilisation",
            Stage::SelfAssessment => "selfAssessment",
            Stage::PeerReview => "peerReview",
            Stage::Rating => "rating",
            Stage::Publication => "publication",
        }
    }

    pub const fn index(self) -> usize {
        self as usize
    }

    pub const fn next(self) -> Option<Stage> {
        match self {
            Stage::Mobilisation => Some(Stage::SelfAssessment),
            Stage::SelfAssessment => Some(Stage::PeerReview),
            Stage::PeerReview => Some(Stage::Rating),
            Stage::Rating => Some(Stage::Publication),
            Stage::Publication => None,
        }
    }
}

/// The days a stage is scheduled for, both inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageDates {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

impl StageDates {
    /// The instant the stage is scheduled to begin: midnight of its first day.
    pub fn start(&self) -> DateTime<Utc> {
        midnight(self.starts_on)
    }

    /// The instant the stage is scheduled to end: midnight after its last day.
    pub fn end(&self) -> DateTime<Utc> {
        midnight(self.ends_on) + Duration::days(1)
    }
}

/// The five stages' dates, in order and not overlapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    dates: [StageDates; 5],
}

impl Schedule {
    /// The publication window when none is given: seven days.
    pub const DEFAULT_PUBLICATION_DAYS: i64 = 7;
    /// The longest any one stage may last.
    pub const MAX_STAGE_DAYS: i64 = 366;
    /// Years a campaign may be scheduled in.
    pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

    /// Validates the dates: each stage ends on or after its first day, lasts at most a year,
    /// and begins after the previous stage's last day. Errors point at
    /// `/stages/<stage>/startsOn` or `/stages/<stage>/endsOn`.
    pub fn new(dates: [StageDates; 5]) -> Result<Self, Vec<FieldError>> {
        use chrono::Datelike;
        let mut errors = Vec::new();
        for stage in Stage::ALL {
            let d = dates[stage.index()];
            let ptr = |field: &str| format!("/stages/{}/{field}", stage.key());
            for (field, day) in [("startsOn", d.starts_on), ("endsOn", d.ends_on)] {
                if !Self::YEARS.contains(&day.year()) {
                    errors.push(FieldError::new(
                        ptr(field),
                        ErrorCode::AppraisalScheduleInvalid,
                        "dates must fall in the years 2000-2100",
                    ));
                }
            }
            if d.ends_on < d.starts_on {
                errors.push(FieldError::new(
                    ptr("endsOn"),
                    ErrorCode::AppraisalScheduleInvalid,
                    format!("{} must end on or after its first day", stage.as_str()),
                ));
            } else if (d.ends_on - d.starts_on).num_days() >= Self::MAX_STAGE_DAYS {
                errors.push(FieldError::new(
                    ptr("endsOn"),
                    ErrorCode::AppraisalScheduleInvalid,
                    format!("a stage lasts at most {} days", Self::MAX_STAGE_DAYS),
                ));
            }
            if let Some(prev) = stage.index().checked_sub(1).map(|i| Stage::ALL[i]) {
                if d.starts_on <= dates[prev.index()].ends_on {
                    errors.push(FieldError::new(
                        ptr("startsOn"),
                        ErrorCode::AppraisalScheduleInvalid,
                        format!("{} must begin after {} ends", stage.as_str(), prev.as_str()),
                    ));
                }
            }
        }
        if errors.is_empty() {
            Ok(Self { dates })
        } else {
            Err(errors)
        }
    }

    pub fn dates(&self, stage: Stage) -> StageDates {
        self.dates[stage.index()]
    }

    /// The publication window that starts on `starts_on` and lasts the default seven days.
    pub fn default_publication(starts_on: NaiveDate) -> StageDates {
        StageDates {
            starts_on,
            ends_on: starts_on + Duration::days(Self::DEFAULT_PUBLICATION_DAYS - 1),
        }
    }
}

/// Where a campaign stands at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Mobilisation has not begun.
    NotStarted,
    /// The stage has begun and its window is open.
    Open(Stage),
    /// The stage's last day has passed and the next stage has not begun.
    Ended(Stage),
    /// The publication window is over: the campaign is closed and nothing changes any more.
    Closed,
}

impl Standing {
    /// The stage that has begun most recently, if any has.
    pub fn stage(self) -> Option<Stage> {
        match self {
            Standing::NotStarted => None,
            Standing::Open(s) | Standing::Ended(s) => Some(s),
            Standing::Closed => Some(Stage::Publication),
        }
    }

    /// The standings in the order a campaign passes through them.
    pub fn order(self) -> usize {
        match self {
            Standing::NotStarted => 0,
            Standing::Open(s) => 2 * s.index() + 1,
            Standing::Ended(s) => 2 * s.index() + 2,
            Standing::Closed => 2 * Stage::ALL.len() + 1,
        }
    }

    /// A form that tells every standing apart, for storage: `not_started`, `closed`,
    /// `open:<stage>` or `ended:<stage>`.
    pub fn key(self) -> String {
        match self {
            Standing::NotStarted => "not_started".to_owned(),
            Standing::Open(s) => format!("open:{}", s.as_str()),
            Standing::Ended(s) => format!("ended:{}", s.as_str()),
            Standing::Closed => "closed".to_owned(),
        }
    }

    pub fn from_key(raw: &str) -> Option<Self> {
        match raw {
            "not_started" => Some(Standing::NotStarted),
            "closed" => Some(Standing::Closed),
            _ => match raw.split_once(':')? {
                ("open", s) => Stage::parse(s).map(Standing::Open),
                ("ended", s) => Stage::parse(s).map(Standing::Ended),
                _ => None,
            },
        }
    }

    /// The wire form: a stage, or `not_started` / `closed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::NotStarted => "not_started",
            Standing::Open(s) | Standing::Ended(s) => s.as_str(),
            Standing::Closed => "closed",
        }
    }
}

/// The stage machine: the schedule, and the instants at which the secretary began stages
/// early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageClock {
    schedule: Schedule,
    begun_early: [Option<DateTime<Utc>>; 5],
}

impl StageClock {
    pub fn new(schedule: Schedule) -> Self {
        Self {
            schedule,
            begun_early: [None; 5],
        }
    }

    /// A stage clock as stored: the schedule and the early starts recorded.
    pub fn restore(schedule: Schedule, begun_early: [Option<DateTime<Utc>>; 5]) -> Self {
        Self {
            schedule,
            begun_early,
        }
    }

    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    pub fn begun_early(&self) -> &[Option<DateTime<Utc>>; 5] {
        &self.begun_early
    }

    /// When the stage began or will begin: its first day's midnight, or earlier if it (or a
    /// later stage, which begins every stage before it) was begun early.
    pub fn start(&self, stage: Stage) -> DateTime<Utc> {
        Stage::ALL[stage.index()..]
            .iter()
            .filter_map(|s| self.begun_early[s.index()])
            .fold(self.schedule.dates(stage).start(), DateTime::min)
    }

    /// When the stage's window ends: midnight after its last day, or earlier when the next
    /// stage began first.
    pub fn end(&self, stage: Stage) -> DateTime<Utc> {
        let scheduled = self.schedule.dates(stage).end();
        match stage.next() {
            Some(next) => scheduled.min(self.start(next)),
            None => scheduled,
        }
    }

    /// Where the campaign stands at `now`.
    pub fn standing(&self, now: DateTime<Utc>) -> Standing {
        let Some(stage) = Stage::ALL.into_iter().rev().find(|s| self.start(*s) <= now) else {
            return Standing::NotStarted;
        };
        if now < self.end(stage) {
            Standing::Open(stage)
        } else if stage == Stage::Publication {
            Standing::Closed
        } else {
            Standing::Ended(stage)
        }
    }

    /// Whether `stage` is the open stage at `now`.
    pub fn is_open(&self, stage: Stage, now: DateTime<Utc>) -> bool {
        self.standing(now) == Standing::Open(stage)
    }

    /// Refuses unless `stage` is open at `now`, naming what stands instead.
    pub fn require_open(&self, stage: Stage, now: DateTime<Utc>) -> Result<(), DomainError> {
        let standing = self.standing(now);
        if standing == Standing::Open(stage) {
            return Ok(());
        }
        let (code, detail) = match standing.stage() {
            Some(s) if s >= stage => (
                ErrorCode::AppraisalStageOver,
                format!("the {} stage is over", stage.as_str()),
            ),
            _ => (
                ErrorCode::AppraisalStageNotBegun,
                format!("the {} stage has not begun", stage.as_str()),
            ),
        };
        Err(DomainError::refused(code, detail))
    }

    /// Begins the next stage at `now`, ahead of its dates: mobilisation before its day, or
    /// the stage after the current one. Publication runs its whole window (the members'
    /// time to object), so nothing begins after it early. Returns the stage begun.
    pub fn begin_next(&mut self, now: DateTime<Utc>) -> Result<Stage, DomainError> {
        let next = match self.standing(now) {
            Standing::NotStarted => Stage::Mobilisation,
            Standing::Open(s) | Standing::Ended(s) => s.next().ok_or_else(|| {
                DomainError::refused(
                    ErrorCode::AppraisalPublicationRunsItsCourse,
                    "publication runs its whole window; the campaign closes on its last day",
                )
            })?,
            Standing::Closed => {
                return Err(DomainError::refused(
                    ErrorCode::AppraisalClosed,
                    "the campaign is closed",
                ))
            }
        };
        self.begun_early[next.index()] = Some(now);
        Ok(next)
    }

    /// The stage transitions that happened in `(since, until]`, each with its instant, in
    /// order: what the audit trail records when it catches up with the dates.
    pub fn transitions(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Vec<(Standing, DateTime<Utc>)> {
        let mut instants: Vec<DateTime<Utc>> = Stage::ALL
            .iter()
            .flat_map(|s| [self.start(*s), self.end(*s)])
            .filter(|t| *t > since && *t <= until)
            .collect();
        instants.sort();
        instants.dedup();
        let mut out = Vec::new();
        let mut last = self.standing(since);
        for t in instants {
            let now = self.standing(t);
            if now != last {
                out.push((now, t));
                last = now;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .unwrap_or_else(|e| panic!("{e:?}"))
            .with_timezone(&Utc)
    }

    fn dates(pairs: [(&str, &str); 5]) -> [StageDates; 5] {
        pairs.map(|(a, b)| StageDates {
            starts_on: day(a),
            ends_on: day(b),
        })
    }

    /// 1 July mobilisation, then a stage every few days with gaps between some of them.
    fn july() -> StageClock {
        StageClock::new(
            Schedule::new(dates([
                ("2027-07-01", "2027-07-01"),
                ("2027-07-02", "2027-07-10"),
                ("2027-07-12", "2027-07-15"),
                ("2027-07-16", "2027-07-20"),
                ("2027-07-21", "2027-07-27"),
            ]))
            .unwrap_or_else(|e| panic!("{e:?}")),
        )
    }

    #[test]
    fn stages_follow_their_dates_in_shanghai_time() {
        let c = july();
        // 1 July begins at 16:00 UTC on 30 June.
        assert_eq!(c.standing(at("2027-06-30T15:59:59Z")), Standing::NotStarted);
        assert_eq!(
            c.standing(at("2027-06-30T16:00:00Z")),
            Standing::Open(Stage::Mobilisation)
        );
        assert_eq!(
            c.standing(at("2027-07-01T16:00:00Z")),
            Standing::Open(Stage::SelfAssessment)
        );
        assert_eq!(
            c.standing(at("2027-07-10T15:59:59Z")),
            Standing::Open(Stage::SelfAssessment)
        );
        // 11 July is a gap: self-assessment is over, peer review has not begun.
        assert_eq!(
            c.standing(at("2027-07-10T16:00:00Z")),
            Standing::Ended(Stage::SelfAssessment)
        );
        assert_eq!(
            c.standing(at("2027-07-11T16:00:00Z")),
            Standing::Open(Stage::PeerReview)
        );
        assert_eq!(
            c.standing(at("2027-07-20T16:00:00Z")),
            Standing::Open(Stage::Publication)
        );
        assert_eq!(
            c.standing(at("2027-07-27T15:59:59Z")),
            Standing::Open(Stage::Publication)
        );
        assert_eq!(c.standing(at("2027-07-27T16:00:00Z")), Standing::Closed);
        assert_eq!(c.standing(at("2030-01-01T00:00:00Z")), Standing::Closed);
    }

    #[test]
    fn the_standing_never_moves_back_whatever_is_begun_early_and_when() {
        // Every order of early starts at every hour across the campaign: the standing at
        // later instants is never an earlier stage than at earlier ones.
        let rank = Standing::order;
        let start = at("2027-06-30T00:00:00Z");
        for first in (0..(24 * 30)).step_by(2) {
            for gap in [0, 1, 5, 30, 200] {
                let mut c = july();
                let t1 = start + Duration::hours(first);
                let t2 = t1 + Duration::hours(gap);
                let _ = c.begin_next(t1);
                let _ = c.begin_next(t2);
                let mut last = 0;
                for h in 0..(24 * 32) {
                    let r = rank(c.standing(start + Duration::hours(h)));
                    assert!(r >= last, "moved back at hour {h} (early {first}, {gap})");
                    last = r;
                }
            }
        }
    }

    #[test]
    fn beginning_early_opens_the_next_stage_at_once_and_ends_the_current_one() {
        let mut c = july();
        let now = at("2027-07-05T02:00:00Z");
        assert_eq!(c.standing(now), Standing::Open(Stage::SelfAssessment));
        assert_eq!(
            c.begin_next(now).unwrap_or_else(|e| panic!("{e:?}")),
            Stage::PeerReview
        );
        assert_eq!(c.standing(now), Standing::Open(Stage::PeerReview));
        assert_eq!(c.end(Stage::SelfAssessment), now);
        // Peer review keeps its scheduled last day.
        assert_eq!(
            c.standing(at("2027-07-15T15:59:59Z")),
            Standing::Open(Stage::PeerReview)
        );
        assert!(c.require_open(Stage::SelfAssessment, now).is_err());
    }

    #[test]
    fn beginning_early_from_a_gap_or_before_mobilisation() {
        let mut c = july();
        let before = at("2027-06-20T00:00:00Z");
        assert_eq!(
            c.begin_next(before).unwrap_or_else(|e| panic!("{e:?}")),
            Stage::Mobilisation
        );
        assert_eq!(c.standing(before), Standing::Open(Stage::Mobilisation));
        let gap = at("2027-07-11T03:00:00Z");
        assert_eq!(c.standing(gap), Standing::Ended(Stage::SelfAssessment));
        assert_eq!(
            c.begin_next(gap).unwrap_or_else(|e| panic!("{e:?}")),
            Stage::PeerReview
        );
        assert_eq!(c.standing(gap), Standing::Open(Stage::PeerReview));
    }

    #[test]
    fn publication_runs_its_course_and_a_closed_campaign_begins_nothing() {
        let mut c = july();
        let publishing = at("2027-07-22T00:00:00Z");
        let e = c
            .begin_next(publishing)
            .err()
            .unwrap_or_else(|| panic!("expected an error"));
        assert_eq!(e.code(), Some(ErrorCode::AppraisalPublicationRunsItsCourse));
        let e = c
            .begin_next(at("2027-08-01T00:00:00Z"))
            .err()
            .unwrap_or_else(|| panic!("expected an error"));
        assert_eq!(e.code(), Some(ErrorCode::AppraisalClosed));
        // Nothing was recorded by the refusals.
        assert_eq!(c, july());
    }

    #[test]
    fn require_open_says_whether_the_stage_is_yet_to_come_or_over() {
        let c = july();
        let during = at("2027-07-03T00:00:00Z");
        assert!(c.require_open(Stage::SelfAssessment, during).is_ok());
        let e = c
            .require_open(Stage::PeerReview, during)
            .err()
            .unwrap_or_else(|| panic!("expected an error"));
        assert_eq!(e.code(), Some(ErrorCode::AppraisalStageNotBegun));
        let e = c
            .require_open(Stage::Mobilisation, during)
            .err()
            .unwrap_or_else(|| panic!("expected an error"));
        assert_eq!(e.code(), Some(ErrorCode::AppraisalStageOver));
        let gap = at("2027-07-11T00:00:00Z");
        let e = c
            .require_open(Stage::SelfAssessment, gap)
            .err()
            .unwrap_or_else(|| panic!("expected an error"));
        assert_eq!(e.code(), Some(ErrorCode::AppraisalStageOver));
        let closed = at("2027-09-01T00:00:00Z");
        for s in Stage::ALL {
            let e = c
                .require_open(s, closed)
                .err()
                .unwrap_or_else(|| panic!("expected an error"));
            assert_eq!(e.code(), Some(ErrorCode::AppraisalStageOver), "{s:?}");
        }
    }

    #[test]
    fn transitions_list_every_change_in_order_once() {
        let c = july();
        let all = c.transitions(at("2027-06-01T00:00:00Z"), at("2027-09-01T00:00:00Z"));
        let kinds: Vec<_> = all.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "mobilisation",
                "self_assessment",
                "self_assessment", // ended, then the gap
                "peer_review",
                "rating",
                "publication",
                "closed"
            ]
        );
        assert_eq!(all[0].1, at("2027-06-30T16:00:00Z"));
        // Asked again from the last one: nothing new.
        let (_, last) = all[all.len() - 1];
        assert!(c.transitions(last, at("2030-01-01T00:00:00Z")).is_empty());
    }

    #[test]
    fn a_schedule_must_run_in_order_without_overlap() {
        let overlapping = dates([
            ("2027-07-01", "2027-07-02"),
            ("2027-07-02", "2027-07-10"),
            ("2027-07-12", "2027-07-15"),
            ("2027-07-16", "2027-07-20"),
            ("2027-07-21", "2027-07-27"),
        ]);
        let e = Schedule::new(overlapping)
            .err()
            .unwrap_or_else(|| panic!("expected an error"));
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].pointer, "/stages/selfAssessment/startsOn");

        let backwards = dates([
            ("2027-07-01", "2027-07-01"),
            ("2027-07-02", "2027-07-10"),
            ("2027-07-15", "2027-07-12"),
            ("2027-07-16", "2027-07-20"),
            ("2027-07-21", "2027-07-27"),
        ]);
        let e = Schedule::new(backwards)
            .err()
            .unwrap_or_else(|| panic!("expected an error"));
        assert_eq!(e[0].pointer, "/stages/peerReview/endsOn");

        let absurd = dates([
            ("1999-07-01", "1999-07-01"),
            ("2027-07-02", "2027-07-10"),
            ("2027-07-12", "2027-07-15"),
            ("2027-07-16", "2027-07-20"),
            ("2027-07-21", "2029-07-27"),
        ]);
        let e = Schedule::new(absurd)
            .err()
            .unwrap_or_else(|| panic!("expected an error"));
        let pointers: Vec<_> = e.iter().map(|f| f.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/stages/mobilisation/startsOn",
                "/stages/mobilisation/endsOn",
                "/stages/publication/endsOn"
            ]
        );
        assert!(e
            .iter()
            .all(|f| f.code == ErrorCode::AppraisalScheduleInvalid));
    }

    #[test]
    fn one_day_stages_back_to_back_are_a_valid_schedule() {
        let tight = dates([
            ("2027-07-01", "2027-07-01"),
            ("2027-07-02", "2027-07-02"),
            ("2027-07-03", "2027-07-03"),
            ("2027-07-04", "2027-07-04"),
            ("2027-07-05", "2027-07-11"),
        ]);
        let c = StageClock::new(Schedule::new(tight).unwrap_or_else(|e| panic!("{e:?}")));
        assert_eq!(
            c.standing(at("2027-07-02T16:00:00Z")),
            Standing::Open(Stage::PeerReview)
        );
        assert_eq!(
            Schedule::default_publication(day("2027-07-05")).ends_on,
            day("2027-07-11")
        );
    }

    #[test]
    fn every_standing_round_trips_its_storage_key() {
        let mut all = vec![Standing::NotStarted, Standing::Closed];
        for s in Stage::ALL {
            all.push(Standing::Open(s));
            all.push(Standing::Ended(s));
        }
        for st in all {
            assert_eq!(Standing::from_key(&st.key()), Some(st), "{st:?}");
        }
        assert_eq!(Standing::from_key("open:closed"), None);
        assert_eq!(Standing::from_key("self_assessment"), None);
    }

    #[test]
    fn stages_round_trip_their_wire_names() {
        for s in Stage::ALL {
            assert_eq!(Stage::parse(s.as_str()), Some(s));
            assert!(!s.title().is_empty());
        }
        assert_eq!(Stage::parse("closed"), None);
    }
}
