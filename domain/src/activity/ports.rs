use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use super::calendar::HolidayCalendar;
use super::model::{
    Activity, ActivityId, CheckIn, CheckInId, Exemption, ExemptionId, Review, ReviewStatus,
};
use crate::error::RepoError;
use crate::org::{MemberId, OrgId, OrgPath};
use crate::page::{Page, PageRequest};

/// Storage of activities. Lists are ordered by start time, then id.
#[async_trait]
pub trait ActivityRepo: Send + Sync {
    async fn get(&self, id: ActivityId) -> Result<Option<Activity>, RepoError>;
    async fn get_many(&self, ids: &[ActivityId]) -> Result<Vec<Activity>, RepoError>;
    async fn insert(&self, activity: &Activity) -> Result<(), RepoError>;
    async fn update(&self, activity: &Activity) -> Result<(), RepoError>;
    /// Activities of the branches under `subtree` starting in `[from, until)`, at most
    /// `limit` of them.
    async fn starting_between(
        &self,
        subtree: &OrgPath,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<Activity>, RepoError>;
}

/// Pending check-ins and exemptions of one activity (the reviewer's inbox).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PendingCounts {
    pub check_ins: u64,
    pub exemptions: u64,
}

/// Storage of check-ins. Obligation: at most one row per (activity, member), enforced by a
/// unique constraint, so concurrent retries cannot create two.
#[async_trait]
pub trait CheckInRepo: Send + Sync {
    /// Inserts the check-in unless the member already has one for the activity; answers the
    /// row as stored when this call inserted it, `None` when one was there. Never fails on
    /// the duplicate (so a surrounding PostgreSQL transaction stays usable).
    async fn insert_if_absent(&self, check_in: &CheckIn) -> Result<Option<CheckIn>, RepoError>;
    async fn get(&self, id: CheckInId) -> Result<Option<CheckIn>, RepoError>;
    async fn of_member(
        &self,
        activity: ActivityId,
        member: MemberId,
    ) -> Result<Option<CheckIn>, RepoError>;
    async fn get_many(&self, ids: &[CheckInId]) -> Result<Vec<CheckIn>, RepoError>;
    async fn list(
        &self,
        activity: ActivityId,
        status: Option<ReviewStatus>,
        page: &PageRequest,
    ) -> Result<Page<CheckIn>, RepoError>;
    /// Every check-in of the activity.
    async fn all_of(&self, activity: ActivityId) -> Result<Vec<CheckIn>, RepoError>;
    /// Decides the given check-ins if they are still pending; answers how many changed.
    async fn decide(
        &self,
        ids: &[CheckInId],
        status: ReviewStatus,
        review: &Review,
    ) -> Result<u64, RepoError>;
    /// Marks the check-in checked out at `at` if it is not yet (compare-and-set on
    /// `checked_out_at IS NULL`); answers whether this call did it, so of two racing
    /// check-outs exactly one is told so.
    async fn check_out(&self, id: CheckInId, at: DateTime<Utc>) -> Result<bool, RepoError>;
    /// Pending check-ins per activity, for activities under any of `scopes`.
    async fn pending_by_activity(
        &self,
        scopes: &[OrgPath],
    ) -> Result<Vec<(ActivityId, u64)>, RepoError>;
    /// Approved check-ins per activity, for the given activities.
    async fn approved_counts(
        &self,
        activities: &[ActivityId],
    ) -> Result<Vec<(ActivityId, u64)>, RepoError>;
}

/// What writing a new check-in came to.
#[derive(Debug, Clone, PartialEq)]
pub enum CheckInWrite {
    /// This call stored the row; the row as stored.
    Inserted(CheckIn),
    /// The member already had a check-in for the activity: that one, as stored. It wins
    /// over an exemption.
    Existing(CheckIn),
    /// The member has no check-in and an approved exemption covers the activity: nothing
    /// was stored.
    Exempted,
}

/// Writes new check-ins: the hot path of a theme-day morning. Obligations: the row is
/// stored unless the member already has a check-in for the activity (at most one per
/// pair, whatever the races) or an approved exemption of theirs names the activity or its
/// date range holds `activity_day` (the activity's Shanghai start date,
/// [`Activity::start_date`](super::model::Activity::start_date)); the existing check-in is
/// answered before the exemption. An implementation may write the rows of concurrent
/// calls together; a call that fails leaves nothing of its row stored.
#[async_trait]
pub trait CheckInWriter: Send + Sync {
    async fn write(&self, row: CheckIn, activity_day: NaiveDate)
        -> Result<CheckInWrite, RepoError>;
}

/// Storage of exemptions.
#[async_trait]
pub trait ExemptionRepo: Send + Sync {
    async fn insert(&self, exemption: &Exemption) -> Result<(), RepoError>;
    async fn get(&self, id: ExemptionId) -> Result<Option<Exemption>, RepoError>;
    /// Exemptions of members of branches under `subtree`, newest first.
    async fn list(
        &self,
        subtree: &OrgPath,
        status: Option<ReviewStatus>,
        page: &PageRequest,
    ) -> Result<Page<Exemption>, RepoError>;
    /// Exemptions of `member` that are pending or approved (to refuse duplicates and to find
    /// whether one covers an activity).
    async fn live_of_member(&self, member: MemberId) -> Result<Vec<Exemption>, RepoError>;
    /// Approved exemptions of members of the branch at `branch`.
    async fn approved_in_branch(&self, branch: &OrgPath) -> Result<Vec<Exemption>, RepoError>;
    /// Decides the exemption if it is still pending; answers whether it changed.
    async fn decide(
        &self,
        id: ExemptionId,
        status: ReviewStatus,
        review: &Review,
    ) -> Result<bool, RepoError>;
    /// Pending exemptions per activity under any of `scopes`; `None` counts the date-range
    /// ones.
    async fn pending_by_activity(
        &self,
        scopes: &[OrgPath],
    ) -> Result<Vec<(Option<ActivityId>, u64)>, RepoError>;
}

/// Holiday calendars, one per committee and year.
#[async_trait]
pub trait HolidayRepo: Send + Sync {
    async fn get(&self, committee: OrgId, year: i32) -> Result<Option<HolidayCalendar>, RepoError>;
    async fn put(
        &self,
        committee: OrgId,
        year: i32,
        calendar: &HolidayCalendar,
        at: DateTime<Utc>,
    ) -> Result<(), RepoError>;
}
