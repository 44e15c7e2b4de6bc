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
    /// The newest half year whose index was computed by the committee (any version), if
    /// any: a rule set in force for it can no longer change.
    async fn last_computed(&self, committee: OrgId) -> Result<Option<HalfYear>, RepoError>;
}
