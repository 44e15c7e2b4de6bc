//! Units of work: several repository calls that commit or roll back together.
//!
//! A service asks a [`Transactional`] for a [`UnitOfWork`], uses the repositories it hands
//! out, then commits. Dropping a unit of work without committing rolls it back, so an early
//! `?` return never leaves half a change behind.

use async_trait::async_trait;

use crate::activity::{ActivityRepo, CheckInRepo, ExemptionRepo, HolidayRepo};
use crate::appraisal::{AppraisalRepo, BallotRepo, RatingRepo, RectificationRepo};
use crate::audit::AuditRepo;
use crate::auth::{ExternalIdentityRepo, RefreshTokenRepo};
use crate::error::RepoError;
use crate::material::{MaterialRepo, StudyPlanRepo, StudyRecordRepo};
use crate::org::{MemberRepo, OrgRepo, RoleRepo};
use crate::pioneer::{PioneerClaimRepo, PioneerHelpRepo, PioneerIndexRepo, PioneerRuleRepo};
use crate::platform::{JobLeaseRepo, SettingRepo};
use crate::push::{PushRepo, SubscriptionRepo};
use crate::volunteer::ResidentRepo;
use crate::volunteer::ServiceDeadlineRepo;
use crate::volunteer::ServiceRequestRepo;
use crate::volunteer::{HoursRepo, TeamRepo};
use crate::volunteer::{RetentionRepo, VolunteerReportRepo};

/// Every repository, over one connection: the pool (each call its own statement) or a
/// unit of work's transaction. A read service takes them in its [`ReadContext`]; a write
/// service gets them from the unit of work it begins.
///
/// [`ReadContext`]: crate::context::ReadContext
pub trait Repositories: Send + Sync {
    fn audit(&self) -> &dyn AuditRepo;
    fn settings(&self) -> &dyn SettingRepo;
    fn orgs(&self) -> &dyn OrgRepo;
    fn members(&self) -> &dyn MemberRepo;
    fn roles(&self) -> &dyn RoleRepo;
    fn refresh_tokens(&self) -> &dyn RefreshTokenRepo;
    fn activities(&self) -> &dyn ActivityRepo;
    fn check_ins(&self) -> &dyn CheckInRepo;
    fn exemptions(&self) -> &dyn ExemptionRepo;
    fn holidays(&self) -> &dyn HolidayRepo;
    fn external_identities(&self) -> &dyn ExternalIdentityRepo;
    fn materials(&self) -> &dyn MaterialRepo;
    fn study_records(&self) -> &dyn StudyRecordRepo;
    fn push(&self) -> &dyn PushRepo;
    fn subscriptions(&self) -> &dyn SubscriptionRepo;
    fn study_plans(&self) -> &dyn StudyPlanRepo;
    fn appraisals(&self) -> &dyn AppraisalRepo;
    fn ratings(&self) -> &dyn RatingRepo;
    fn rectifications(&self) -> &dyn RectificationRepo;
    fn ballots(&self) -> &dyn BallotRepo;
    fn service_requests(&self) -> &dyn ServiceRequestRepo;
    /// Each township's deadlines for dispatched requests.
    fn service_deadlines(&self) -> &dyn ServiceDeadlineRepo;
    fn residents(&self) -> &dyn ResidentRepo;
    /// 96345 professional teams and their memberships.
    fn volunteer_teams(&self) -> &dyn TeamRepo;
    /// The append-only volunteer-hours ledger.
    fn volunteer_hours(&self) -> &dyn HoursRepo;
    /// The pioneer index's rule sets.
    fn pioneer_rules(&self) -> &dyn PioneerRuleRepo;
    /// The pioneer index's half-yearly computations and results.
    fn pioneer_index(&self) -> &dyn PioneerIndexRepo;
    /// The help branch and members' stays in it.
    fn pioneer_help(&self) -> &dyn PioneerHelpRepo;
    /// Pioneer-index claims (positive items) and deductions (negative and zeroing items).
    fn pioneer_claims(&self) -> &dyn PioneerClaimRepo;
    /// The volunteer report's reads (no personal data).
    fn volunteer_report(&self) -> &dyn VolunteerReportRepo;
    /// Requests due for the erasure of their personal data.
    fn volunteer_retention(&self) -> &dyn RetentionRepo;
    /// Leases that let one instance at a time run a background job.
    fn job_leases(&self) -> &dyn JobLeaseRepo;
}

/// The repositories over one transaction, which commits or rolls back as a whole.
#[async_trait]
pub trait UnitOfWork: Repositories {
    async fn commit(self: Box<Self>) -> Result<(), RepoError>;
    async fn rollback(self: Box<Self>) -> Result<(), RepoError>;
}

#[async_trait]
pub trait Transactional: Send + Sync {
    /// Starts a unit of work that will write (on SQLite it takes the write lock at once, so
    /// a read-then-write never fails halfway with a busy database).
    async fn begin(&self) -> Result<Box<dyn UnitOfWork>, RepoError>;
}
