//! What the volunteer report reads from storage: requests and ledger minutes, without any
//! personal data.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use super::model::{Assignee, RequestState, ServiceKind, ServiceRequestId, TeamId};
use crate::error::RepoError;
use crate::org::{OrgId, OrgPath};

/// One request as the report counts it: its kind, where it stands, where it went, its
/// deadlines and outcome. No title, description or contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedRequest {
    pub id: ServiceRequestId,
    pub committee_id: OrgId,
    pub kind: ServiceKind,
    pub state: RequestState,
    /// Waiting on the requester (the clock stands still).
    pub paused: bool,
    pub assignee: Option<Assignee>,
    /// The branch's path (the committee's for the wish list; `None` for a team or before
    /// dispatch).
    pub assignee_path: Option<OrgPath>,
    pub claim_due: Option<DateTime<Utc>>,
    pub complete_due: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub rating: Option<u8>,
    pub created_at: DateTime<Utc>,
}

/// Confirmed service minutes of the ledger that count in one place: a sum over entries with
/// the same member branch, team and request assignee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedMinutes {
    pub committee_id: OrgId,
    /// The member's branch when the hours were recorded.
    pub branch_id: OrgId,
    pub branch_path: OrgPath,
    /// The team the member served through (a correction: the corrected entry's).
    pub team: Option<TeamId>,
    /// Where the request they served was dispatched (a correction: the corrected entry's
    /// request); `None` for a member's own record.
    pub request_assignee: Option<Assignee>,
    /// Signed: corrections may take minutes away.
    pub minutes: i64,
}

/// Reads for the volunteer report. Obligations: nothing personal is read (no contact, title
/// or description); every instant is compared in UTC.
#[async_trait]
pub trait VolunteerReportRepo: Send + Sync {
    /// The requests of the townships at `committees` that a month's report counts: filed in
    /// `from..to`, completed or closed in `from..to`, or overdue at `now` (not paused;
    /// `accepted` with `claim_due` or `complete_due` at or before `now`; `claimed` or
    /// `in_progress` with `complete_due` at or before `now`). Oldest first.
    async fn reported_requests(
        &self,
        committees: &[OrgPath],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<ReportedRequest>, RepoError>;

    /// The confirmed minutes of category `service` served on days `first..=last` in the
    /// townships' ledgers, corrections included (a correction counts where the entry it
    /// corrects counts), summed per branch, team and request assignee.
    async fn confirmed_service_minutes(
        &self,
        committees: &[OrgId],
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<Vec<ReportedMinutes>, RepoError>;
}
