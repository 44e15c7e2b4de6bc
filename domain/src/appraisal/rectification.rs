//! The rectification list (整改清单): each problem found, its measure and due date, followed
//! up until done ("对查摆出来的问题,要逐条列出举措,确保整改到位", 四(四)2 五).

use chrono::{DateTime, NaiveDate, Utc};

use super::assessment::ProblemFound;
use super::campaign::CampaignId;
use crate::error::{ErrorCode, FieldError};
use crate::org::{MemberId, OrgPath};
use crate::text::clean_multiline;

crate::define_id!(
    /// One line of a member's rectification list.
    RectificationId
);

/// Where a line came from: the member's own self-assessment, or the secretary (from the
/// peer review or the rating).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RectificationSource {
    SelfAssessment,
    Secretary,
}

impl RectificationSource {
    pub const fn as_str(self) -> &'static str {
        match self {
            RectificationSource::SelfAssessment => "self_assessment",
            RectificationSource::Secretary => "secretary",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::SelfAssessment, Self::Secretary]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

/// Where a line stands at an instant: open, overdue (open past its due date, by the
/// township's calendar) or done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RectificationStatus {
    Overdue,
    Open,
    Done,
}

impl RectificationStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            RectificationStatus::Overdue => "overdue",
            RectificationStatus::Open => "open",
            RectificationStatus::Done => "done",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rectification {
    pub id: RectificationId,
    pub campaign_id: CampaignId,
    pub member_id: MemberId,
    pub branch_path: OrgPath,
    pub problem: String,
    pub measure: String,
    pub due_on: NaiveDate,
    pub source: RectificationSource,
    /// When it was done, and the member's note on how.
    pub done: Option<(DateTime<Utc>, String)>,
    pub created_by: MemberId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Rectification {
    pub const MAX_NOTE_CHARS: usize = 500;

    /// Its status on `today` (Beijing): done, overdue once its due date has passed, open.
    pub fn status(&self, today: NaiveDate) -> RectificationStatus {
        match self.done {
            Some(_) => RectificationStatus::Done,
            None if self.due_on < today => RectificationStatus::Overdue,
            None => RectificationStatus::Open,
        }
    }

    /// The lines a submitted self-assessment's problems become.
    pub fn from_problems(
        campaign_id: CampaignId,
        member_id: MemberId,
        branch_path: &OrgPath,
        problems: &[ProblemFound],
        now: DateTime<Utc>,
    ) -> Vec<Self> {
        problems
            .iter()
            .enumerate()
            .map(|(i, p)| Self {
                // Distinct, ordered ids for lines made in the same instant.
                id: RectificationId::at(now + chrono::Duration::milliseconds(i as i64)),
                campaign_id,
                member_id,
                branch_path: branch_path.clone(),
                problem: p.problem.clone(),
                measure: p.measure.clone(),
                due_on: p.due_on,
                source: RectificationSource::SelfAssessment,
                done: None,
                created_by: member_id,
                created_at: now,
                updated_at: now,
            })
            .collect()
    }

    pub fn validate_note(raw: &str) -> Result<String, FieldError> {
        clean_multiline(
            raw,
            Self::MAX_NOTE_CHARS,
            "/note",
            ErrorCode::RectificationTextInvalid,
        )
    }
}

/// One branch's rectification lines, counted for the township.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RectificationCounts {
    pub open: u64,
    pub overdue: u64,
    pub done: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn a_line_is_overdue_the_day_after_it_falls_due_until_done() {
        let now = DateTime::UNIX_EPOCH;
        let problems = [ProblemFound {
            problem: "理论学习不够系统".into(),
            measure: "每周学习两次".into(),
            due_on: day("2026-12-31"),
        }];
        let path = OrgPath::root(crate::org::OrgId::new());
        let mut line =
            Rectification::from_problems(CampaignId::new(), MemberId::new(), &path, &problems, now)
                .remove(0);
        assert_eq!(line.status(day("2026-12-31")), RectificationStatus::Open);
        assert_eq!(line.status(day("2027-01-01")), RectificationStatus::Overdue);
        line.done = Some((now, "已完成".into()));
        assert_eq!(line.status(day("2027-01-01")), RectificationStatus::Done);
        // Overdue sorts first.
        assert!(RectificationStatus::Overdue < RectificationStatus::Open);
    }

    #[test]
    fn problems_become_lines_with_distinct_ordered_ids() {
        let p = ProblemFound {
            problem: "问题".into(),
            measure: "措施".into(),
            due_on: day("2026-12-31"),
        };
        let path = OrgPath::root(crate::org::OrgId::new());
        let lines = Rectification::from_problems(
            CampaignId::new(),
            MemberId::new(),
            &path,
            &[p.clone(), p],
            DateTime::UNIX_EPOCH,
        );
        assert!(lines[0].id < lines[1].id);
        assert!(lines
            .iter()
            .all(|l| l.source == RectificationSource::SelfAssessment));
    }
}
