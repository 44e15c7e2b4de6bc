//! What claims and deductions need from storage, and what the index computation reads of
//! them.

use async_trait::async_trait;

use super::claim::{Claim, ClaimDecision, ClaimId, ClaimStatus};
use super::deduction::{Deduction, DeductionId, DeductionObjection, ObjectionAnswer};
use crate::error::RepoError;
use crate::org::{MemberId, OrgId, OrgPath};
use crate::page::{Page, PageRequest};
use crate::volunteer::HalfYear;

/// Whose claims or deductions a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Whose {
    /// One member's.
    Member(MemberId),
    /// Those of members whose branch (when filed or recorded) lies in the subtree.
    Under(OrgPath),
}

/// Which claims a list shows, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimFilter {
    pub whose: Whose,
    pub half: Option<HalfYear>,
    pub status: Option<ClaimStatus>,
}

/// Which deductions a list shows, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeductionFilter {
    pub whose: Whose,
    pub half: Option<HalfYear>,
}

/// Storage of claims and deductions. Claims change once (their decision, only while
/// pending); deductions change twice at most (an objection, only while there is none; its
/// answer, only while there is none): each such write is conditional, and its answer says
/// whether it happened, so of two racing writes exactly one wins.
#[async_trait]
pub trait PioneerClaimRepo: Send + Sync {
    async fn insert_claim(&self, claim: &Claim) -> Result<(), RepoError>;
    async fn claim(&self, id: ClaimId) -> Result<Option<Claim>, RepoError>;
    /// The claims of these ids that exist (in no particular order).
    async fn claims(&self, ids: &[ClaimId]) -> Result<Vec<Claim>, RepoError>;
    async fn list_claims(
        &self,
        filter: &ClaimFilter,
        page: &PageRequest,
    ) -> Result<Page<Claim>, RepoError>;
    /// Decides those of `ids` still pending; answers how many changed.
    async fn decide_claims(
        &self,
        ids: &[ClaimId],
        status: ClaimStatus,
        decision: &ClaimDecision,
    ) -> Result<u64, RepoError>;
    /// How many of the member's claims of the item are approved for the half year.
    async fn approved_of(
        &self,
        member: MemberId,
        half: HalfYear,
        item_code: &str,
    ) -> Result<u32, RepoError>;
    /// Approved claims per member and positive item code for the committee's half year.
    async fn approved_counts(
        &self,
        committee: OrgId,
        half: HalfYear,
    ) -> Result<Vec<(MemberId, String, u32)>, RepoError>;

    async fn insert_deduction(&self, deduction: &Deduction) -> Result<(), RepoError>;
    async fn deduction(&self, id: DeductionId) -> Result<Option<Deduction>, RepoError>;
    async fn list_deductions(
        &self,
        filter: &DeductionFilter,
        page: &PageRequest,
    ) -> Result<Page<Deduction>, RepoError>;
    /// Stores the objection if the deduction has none; `false` when it had one.
    async fn lodge_objection(
        &self,
        id: DeductionId,
        objection: &DeductionObjection,
    ) -> Result<bool, RepoError>;
    /// Stores the answer if the deduction has an objection without one; `false` otherwise.
    async fn answer_objection(
        &self,
        id: DeductionId,
        answer: &ObjectionAnswer,
    ) -> Result<bool, RepoError>;
    /// Deductions recorded for the half year that stand (an upheld objection removes one):
    /// per member and item code, how many.
    async fn standing_deductions(
        &self,
        committee: OrgId,
        half: HalfYear,
    ) -> Result<Vec<(MemberId, String, u32)>, RepoError>;
}
