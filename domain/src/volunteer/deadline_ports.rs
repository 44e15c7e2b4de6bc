//! Storage of each township's deadlines for dispatched requests.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::deadline::DeadlinePolicy;
use crate::error::RepoError;
use crate::org::OrgId;

/// A township committee's deadline policy: one stored allowance per committee, kind and
/// urgency that the township set (none: the defaults). Obligations: a replacement leaves
/// exactly the given policy's allowances behind, so run it inside a unit of work, and two
/// replacements of one committee's policy take turns (the later one stands whole, neither
/// fails); a stored row the policy's rules refuse is reported as `RepoError::Other`, never
/// silently dropped.
#[async_trait]
pub trait ServiceDeadlineRepo: Send + Sync {
    /// The committee's policy (the defaults throughout when it set nothing).
    async fn deadline_policy(&self, committee: OrgId) -> Result<DeadlinePolicy, RepoError>;
    /// Removes every allowance the committee set and stores `policy`'s, stamped `at`.
    async fn replace_deadline_policy(
        &self,
        committee: OrgId,
        policy: &DeadlinePolicy,
        at: DateTime<Utc>,
    ) -> Result<(), RepoError>;
}
