//! Leases on background jobs: every instance runs the job's loop, and a lease lets one of
//! them at a time do the work. A lease is a row per job naming its holder and until when it
//! holds; it is taken by a conditional write, so of two instances asking at once exactly one
//! gets it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::RepoError;

/// Storage of job leases. Obligations: `acquire` is one conditional statement (an insert
/// that does nothing on conflict, or an update guarded by the current holder and expiry),
/// so concurrent callers on any number of instances never both get `true`.
#[async_trait]
pub trait JobLeaseRepo: Send + Sync {
    /// Takes the lease on `job` for `owner` until `until`, if nobody holds it at `now` (no
    /// lease yet, its holder's ran out at or before `now`, or `owner` holds it already);
    /// `false`, and nothing written, otherwise.
    async fn acquire(
        &self,
        job: &str,
        owner: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, RepoError>;

    /// Gives the lease back at `now` if `owner` holds it (so the next run need not wait for
    /// it to run out); nothing otherwise.
    async fn release(&self, job: &str, owner: &str, now: DateTime<Utc>) -> Result<(), RepoError>;
}
