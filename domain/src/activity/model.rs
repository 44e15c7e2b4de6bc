use chrono::{DateTime, NaiveDate, Utc};

use super::geo::{GeoPoint, Geofence};
use crate::calendar::shanghai;
use crate::org::{ActorRole, Member, MemberId, OrgId, OrgPath, RoleKind};
use crate::string_enum::string_enum;

crate::define_id!(
    /// Identifies an activity (a theme day or one of 三会一课).
    ActivityId
);
crate::define_id!(
    /// Identifies one member's check-in to one activity.
    CheckInId
);
crate::define_id!(
    /// Identifies an exemption (请假) application.
    ExemptionId
);

string_enum!(
    /// 主题党日 / 党员大会 / 支委会 / 党小组会 / 党课 / 组织生活会.
    ActivityKind {
        ThemeDay => "theme_day",
        GeneralAssembly => "general_assembly",
        CommitteeMeeting => "committee_meeting",
        GroupMeeting => "group_meeting",
        PartyLesson => "party_lesson",
        OrgLifeMeeting => "org_life_meeting",
    }
);

string_enum!(
    /// 学习教育 / 党性锤炼 / 民主议事 / 走访联系 / 服务奉献 (四(五)2).
    ThemeCategory {
        Study => "study",
        PartySpirit => "party_spirit",
        Deliberation => "deliberation",
        Visiting => "visiting",
        Service => "service",
    }
);

string_enum!(
    /// What a check-in must show: the rotating QR code, a location inside the geofence, or
    /// either of them.
    ProofKind {
        Qr => "qr",
        Location => "location",
        Either => "either",
    }
);

string_enum!(
    ActivityStatus {
        Scheduled => "scheduled",
        Cancelled => "cancelled",
    }
);

string_enum!(
    /// How a check-in was proven.
    CheckInMethod {
        Qr => "qr",
        Location => "location",
        Online => "online",
    }
);

string_enum!(
    /// A check-in or exemption awaiting, passing or failing review.
    ReviewStatus {
        Pending => "pending",
        Approved => "approved",
        Rejected => "rejected",
    }
);

string_enum!(
    ReviewDecision {
        Approve => "approve",
        Reject => "reject",
    }
);

impl ReviewDecision {
    /// The status this decision gives a pending check-in or exemption.
    pub fn outcome(self) -> ReviewStatus {
        match self {
            ReviewDecision::Approve => ReviewStatus::Approved,
            ReviewDecision::Reject => ReviewStatus::Rejected,
        }
    }
}

/// A decision refused because the check-in or exemption was decided before (it holds the
/// status it keeps).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("already reviewed: {}", .0.as_str())]
pub struct AlreadyReviewed(pub ReviewStatus);

impl ReviewStatus {
    /// Review is one step: a pending check-in or exemption is approved or rejected once; a
    /// decided one keeps its status, whatever is decided next.
    pub fn decide(self, decision: ReviewDecision) -> Result<ReviewStatus, AlreadyReviewed> {
        match self {
            ReviewStatus::Pending => Ok(decision.outcome()),
            ReviewStatus::Approved | ReviewStatus::Rejected => Err(AlreadyReviewed(self)),
        }
    }
}

/// An activity as scheduled by its branch. Group meetings belong to one group of the branch;
/// every other kind to the whole branch. Scope questions are asked of `branch_path`.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    pub id: ActivityId,
    pub branch_id: OrgId,
    pub group_id: Option<OrgId>,
    pub branch_path: OrgPath,
    pub kind: ActivityKind,
    pub theme_category: Option<ThemeCategory>,
    pub title: String,
    pub place: Option<String>,
    /// The lecturer of a party lesson, when a member.
    pub lecturer_id: Option<MemberId>,
    /// The lecturer's name as shown (a member's name, or an invited speaker's).
    pub lecturer_name: Option<String>,
    /// Whether the lecturer was the branch's secretary when the lesson was scheduled
    /// (the secretary must lecture at least once a year).
    pub lecturer_is_secretary: bool,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub window_opens_at: DateTime<Utc>,
    pub window_closes_at: DateTime<Utc>,
    pub proof: ProofKind,
    pub geofence: Option<Geofence>,
    /// Retired, frail and mobile members may attend online (always reviewed).
    pub online_allowed: bool,
    /// A fresh QR proof is approved at once instead of waiting for review.
    pub qr_auto_approve: bool,
    pub status: ActivityStatus,
    pub cancel_reason: Option<String>,
    pub created_by: MemberId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Activity {
    pub const MAX_TITLE_CHARS: usize = 64;
    pub const MAX_PLACE_CHARS: usize = 128;
    pub const MAX_REASON_CHARS: usize = 200;
    /// Default check-in window: opens this long before the start, closes at the end.
    pub const DEFAULT_WINDOW_LEAD_MINUTES: i64 = 30;
    /// An activity lasts at most this long.
    pub const MAX_DURATION_HOURS: i64 = 24;

    pub fn is_cancelled(&self) -> bool {
        self.status == ActivityStatus::Cancelled
    }

    /// A service activity (服务奉献): the theme category whose hours members may credit to
    /// the volunteer ledger by checking out.
    pub fn is_service(&self) -> bool {
        self.theme_category == Some(ThemeCategory::Service)
    }

    /// Is `member`, an active member of this activity's branch, expected at it? `committee`
    /// holds the branch's secretary and committee members (for committee meetings).
    pub fn expects_in_branch(
        &self,
        member: &Member,
        committee: &std::collections::HashSet<MemberId>,
    ) -> bool {
        match self.kind {
            ActivityKind::GroupMeeting => {
                member.group_id.is_some() && member.group_id == self.group_id
            }
            ActivityKind::CommitteeMeeting => committee.contains(&member.id),
            _ => true,
        }
    }

    /// Does `member` (with `roles` as the caller) belong to those expected to attend?
    pub fn expects(&self, member: &Member, roles: &[ActorRole]) -> bool {
        if member.branch_id != self.branch_id || !member.is_active() {
            return false;
        }
        match self.kind {
            ActivityKind::GroupMeeting => {
                member.group_id.is_some() && member.group_id == self.group_id
            }
            ActivityKind::CommitteeMeeting => roles.iter().any(|r| {
                matches!(r.kind, RoleKind::Secretary | RoleKind::Committee)
                    && r.org_path == self.branch_path
            }),
            _ => true,
        }
    }

    /// Does the check-in window admit `now`? Both ends are inclusive.
    pub fn window_state(&self, now: DateTime<Utc>) -> WindowState {
        if now < self.window_opens_at {
            WindowState::NotOpen
        } else if now > self.window_closes_at {
            WindowState::Closed
        } else {
            WindowState::Open
        }
    }

    /// The Shanghai calendar date the activity starts on (what date ranges are matched on).
    pub fn start_date(&self) -> NaiveDate {
        self.starts_at.with_timezone(&shanghai()).date_naive()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowState {
    NotOpen,
    Open,
    Closed,
}

/// One member's attendance claim for one activity (at most one per pair).
#[derive(Debug, Clone, PartialEq)]
pub struct CheckIn {
    pub id: CheckInId,
    pub activity_id: ActivityId,
    pub member_id: MemberId,
    /// The member's branch path (the activity's branch), for scope checks and scoped counts.
    pub branch_path: OrgPath,
    pub method: CheckInMethod,
    pub status: ReviewStatus,
    /// The time the client claimed; recorded, never trusted.
    pub client_time: Option<DateTime<Utc>>,
    pub location: Option<GeoPoint>,
    pub created_at: DateTime<Utc>,
    pub review: Option<Review>,
    /// When the member checked out of a service activity (the ledger entry of their
    /// hours was written then); set once, never cleared.
    pub checked_out_at: Option<DateTime<Utc>>,
}

/// Who decided a check-in or exemption, when, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub reviewer_id: MemberId,
    pub reviewed_at: DateTime<Utc>,
    pub reason: Option<String>,
}

/// What an exemption (请假) covers: one activity, or every activity starting on a date in
/// an inclusive range of Shanghai calendar dates (a long illness).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExemptionScope {
    Activity(ActivityId),
    Dates { from: NaiveDate, to: NaiveDate },
}

impl ExemptionScope {
    pub const MAX_RANGE_DAYS: i64 = 366;

    pub fn covers(&self, activity: &Activity) -> bool {
        match *self {
            ExemptionScope::Activity(id) => id == activity.id,
            ExemptionScope::Dates { from, to } => {
                let day = activity.start_date();
                from <= day && day <= to
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exemption {
    pub id: ExemptionId,
    pub member_id: MemberId,
    pub branch_path: OrgPath,
    pub scope: ExemptionScope,
    pub reason: String,
    pub status: ReviewStatus,
    pub created_at: DateTime<Utc>,
    pub review: Option<Review>,
}

impl Exemption {
    /// An approved exemption excuses its member from every activity its scope covers; a
    /// pending or rejected one from none.
    pub fn excuses(&self, activity: &Activity) -> bool {
        self.status == ReviewStatus::Approved && self.scope.covers(activity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pending_check_in_or_exemption_becomes_what_the_reviewer_decided() {
        assert_eq!(
            ReviewStatus::Pending.decide(ReviewDecision::Approve),
            Ok(ReviewStatus::Approved)
        );
        assert_eq!(
            ReviewStatus::Pending.decide(ReviewDecision::Reject),
            Ok(ReviewStatus::Rejected)
        );
    }

    #[test]
    fn a_decided_check_in_or_exemption_keeps_its_status_whatever_is_decided_next() {
        for status in [ReviewStatus::Approved, ReviewStatus::Rejected] {
            for decision in ReviewDecision::ALL.iter().copied() {
                assert_eq!(
                    status.decide(decision),
                    Err(AlreadyReviewed(status)),
                    "{status:?} then {decision:?}"
                );
            }
        }
    }

    #[test]
    fn the_review_transition_answers_every_status_and_decision_pair() {
        use ReviewDecision::{Approve, Reject};
        use ReviewStatus::{Approved, Pending, Rejected};
        let table = [
            (Pending, Approve, Ok(Approved)),
            (Pending, Reject, Ok(Rejected)),
            (Approved, Approve, Err(AlreadyReviewed(Approved))),
            (Approved, Reject, Err(AlreadyReviewed(Approved))),
            (Rejected, Approve, Err(AlreadyReviewed(Rejected))),
            (Rejected, Reject, Err(AlreadyReviewed(Rejected))),
        ];
        for status in ReviewStatus::ALL.iter().copied() {
            for decision in ReviewDecision::ALL.iter().copied() {
                let rows = table
                    .iter()
                    .filter(|(s, d, _)| (*s, *d) == (status, decision))
                    .count();
                assert_eq!(rows, 1, "{status:?} × {decision:?} is in the table once");
            }
        }
        for (status, decision, want) in table {
            assert_eq!(status.decide(decision), want, "{status:?} × {decision:?}");
        }
    }

    #[test]
    fn a_decision_names_the_status_it_gives_a_pending_review() {
        assert_eq!(ReviewDecision::Approve.outcome(), ReviewStatus::Approved);
        assert_eq!(ReviewDecision::Reject.outcome(), ReviewStatus::Rejected);
    }
}
