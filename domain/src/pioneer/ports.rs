//! What the pioneer index needs from storage.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::rules::Rules;
use crate::error::RepoError;
use crate::org::{MemberId, OrgId};
use crate::volunteer::HalfYear;

crate::define_id!(
    /// Identifies one version of a township's pioneer-index rule set.
    RuleSetId
);

/// One version of a township's rule set. Versions are never changed: a change is a new
/// version. The version in force for a half year is the newest whose `effective_from` is
/// not after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSet {
    pub id: RuleSetId,
    pub committee_id: OrgId,
    /// 1, 2, … per committee.
    pub version: u32,
    pub effective_from: HalfYear,
    pub rules: Rules,
    pub created_by: MemberId,
    pub created_at: DateTime<Utc>,
}

#[async_trait]
pub trait PioneerRuleRepo: Send + Sync {
    /// The committee's newest version.
    async fn latest(&self, committee: OrgId) -> Result<Option<RuleSet>, RepoError>;
    /// The version in force for `half`: the newest whose `effective_from` is not after it.
    async fn in_force(
        &self,
        committee: OrgId,
        half: HalfYear,
    ) -> Result<Option<RuleSet>, RepoError>;
    /// Stores a new version; a version number taken already is
    /// `RepoError::UniqueViolation`.
    async fn insert(&self, set: &RuleSet) -> Result<(), RepoError>;
    /// The newest half year whose index the committee computed (under any rules), if any:
    /// the rules in force for it can no longer change.
    async fn last_computed(&self, committee: OrgId) -> Result<Option<HalfYear>, RepoError>;
}

/// Storage of the half-yearly computations and their results.
#[async_trait]
pub trait PioneerIndexRepo: Send + Sync {
    async fn run(
        &self,
        committee: OrgId,
        half: HalfYear,
    ) -> Result<Option<super::run::IndexRun>, RepoError>;
    /// A new run; one per committee and half year (`RepoError::Conflict` otherwise).
    async fn insert_run(&self, run: &super::run::IndexRun) -> Result<(), RepoError>;
    /// Writes the run's status, counts, progress and dates if its status is still `from`;
    /// whether it was.
    async fn update_run(
        &self,
        run: &super::run::IndexRun,
        from: super::run::RunStatus,
    ) -> Result<bool, RepoError>;
    /// Records progress (members read of the pool).
    async fn set_progress(
        &self,
        run: super::run::IndexRunId,
        done: u32,
        total: u32,
    ) -> Result<(), RepoError>;
    /// Replaces every result of the run.
    async fn replace_results(
        &self,
        run: super::run::IndexRunId,
        results: &[super::run::IndexResult],
    ) -> Result<(), RepoError>;
    /// Replaces every branch's fortress index of the run.
    async fn replace_fortress(
        &self,
        run: super::run::IndexRunId,
        rows: &[super::fortress::BranchFortress],
    ) -> Result<(), RepoError>;
    /// The run's fortress index per branch, by branch path.
    async fn fortress(
        &self,
        run: super::run::IndexRunId,
    ) -> Result<Vec<super::fortress::BranchFortress>, RepoError>;
    /// The run's results for members whose branch lies under `under`, by member id.
    async fn results(
        &self,
        run: super::run::IndexRunId,
        under: &crate::org::OrgPath,
        page: &crate::page::PageRequest,
    ) -> Result<crate::page::Page<super::run::IndexResult>, RepoError>;
    /// Every result of the run (the export, the confirmation).
    async fn all_results(
        &self,
        run: super::run::IndexRunId,
    ) -> Result<Vec<super::run::IndexResult>, RepoError>;
    async fn result(
        &self,
        run: super::run::IndexRunId,
        member: MemberId,
    ) -> Result<Option<super::run::IndexResult>, RepoError>;
    /// Marks the given members warning-level (and no one else) in the run's results.
    async fn set_warning(
        &self,
        run: super::run::IndexRunId,
        members: &[MemberId],
    ) -> Result<(), RepoError>;
    /// Runs asked for and not done: queued, or running (a worker may have died).
    async fn pending_runs(&self) -> Result<Vec<(OrgId, HalfYear)>, RepoError>;
    /// A member's one objection (`RepoError::Conflict` for a second).
    async fn insert_objection(
        &self,
        objection: &super::run::ResultObjection,
    ) -> Result<(), RepoError>;
    async fn objection(
        &self,
        run: super::run::IndexRunId,
        member: MemberId,
    ) -> Result<Option<super::run::ResultObjection>, RepoError>;
    /// Answers the objection if it is unanswered; whether it was.
    async fn answer_objection(
        &self,
        run: super::run::IndexRunId,
        member: MemberId,
        answer: &super::run::ObjectionAnswer,
    ) -> Result<bool, RepoError>;
    /// The run's objections, oldest first.
    async fn objections(
        &self,
        run: super::run::IndexRunId,
    ) -> Result<Vec<super::run::ResultObjection>, RepoError>;
}
