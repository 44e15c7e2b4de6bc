//! The help branch (教育帮扶支部): the branch a township designates for its warning-level
//! members, who are moved there after the publication window with their original branch
//! recorded, and returned (one action) once a later half year no longer rates them
//! warning-level. Their records stay theirs: only their branch changes.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::RepoError;
use crate::org::{MemberId, OrgId};
use crate::volunteer::HalfYear;

crate::define_id!(
    /// Identifies one stay of a member in the help branch.
    HelpTransferId
);

/// The branch a township designated as its help branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpBranch {
    pub committee_id: OrgId,
    pub branch_id: OrgId,
    pub set_by: MemberId,
    pub set_at: DateTime<Utc>,
}

/// A member's stay in the help branch: where they came from and, once returned, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpTransfer {
    pub id: HelpTransferId,
    pub committee_id: OrgId,
    pub member_id: MemberId,
    /// The half year whose warning level moved them.
    pub half: HalfYear,
    pub from_branch_id: OrgId,
    pub from_group_id: Option<OrgId>,
    pub to_branch_id: OrgId,
    pub moved_by: MemberId,
    pub moved_at: DateTime<Utc>,
    pub returned_by: Option<MemberId>,
    pub returned_at: Option<DateTime<Utc>>,
}

#[async_trait]
pub trait PioneerHelpRepo: Send + Sync {
    async fn help_branch(&self, committee: OrgId) -> Result<Option<HelpBranch>, RepoError>;
    /// Designates (or replaces) the committee's help branch.
    async fn set_help_branch(&self, help: &HelpBranch) -> Result<(), RepoError>;
    async fn insert_transfer(&self, transfer: &HelpTransfer) -> Result<(), RepoError>;
    /// The member's stay that has not ended, if any.
    async fn open_transfer(&self, member: MemberId) -> Result<Option<HelpTransfer>, RepoError>;
    /// Ends the stay if it has not ended; whether it did.
    async fn close_transfer(
        &self,
        id: HelpTransferId,
        by: MemberId,
        at: DateTime<Utc>,
    ) -> Result<bool, RepoError>;
    /// The committee's stays that have not ended, oldest first.
    async fn open_transfers(&self, committee: OrgId) -> Result<Vec<HelpTransfer>, RepoError>;
}
