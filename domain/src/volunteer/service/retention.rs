//! The erasure job: a set time after a request is over, its requester's personal data goes
//! (see [`crate::volunteer::retention`]). Every instance runs it; a lease lets one at a time
//! do the work, and each request is erased by a conditional update over the version read,
//! so running it twice, or on two instances at once, erases each request once.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use crate::audit::{AuditAction, AuditEntry, AuditId, NewAuditEntry};
use crate::clock::Clock;
use crate::error::DomainError;
use crate::org::{OrgId, OrgPath};
use crate::uow::Transactional;
use crate::volunteer::retention::Retention;

/// The job's name in the lease table.
pub const ERASURE_JOB: &str = "volunteer.erase_personal_data";
/// The audit action of a run that erased something.
pub const ERASURE_ACTION: &str = "service_request.personal_data_erased";
/// How long a run may hold the lease: far longer than a run takes; a run that dies keeps the
/// others waiting no longer than this.
const LEASE: Duration = Duration::minutes(10);
/// Requests erased per unit of work (and per audit entry).
const BATCH: u64 = 500;
/// Batches per run, at most: a backlog drains over a few runs, never in one endless run.
const MAX_BATCHES: usize = 20;

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ErasureOutcome {
    /// Requests whose personal data this run erased.
    pub erased: u64,
    /// Another instance held the lease: this run did nothing.
    pub skipped: bool,
}

/// Erases the personal data of every request over for `retention` or longer at the clock's
/// now, as `owner` (this instance's name in the lease). A job, not a request: the system
/// acts, so the audit entries have no actor; one per township and batch that erased
/// anything, naming the count and nothing personal.
pub async fn erase_personal_data(
    tx: &dyn Transactional,
    clock: &dyn Clock,
    retention: Retention,
    owner: &str,
) -> Result<ErasureOutcome, DomainError> {
    let now = clock.now();
    let uow = tx.begin().await?;
    let held = uow
        .job_leases()
        .acquire(ERASURE_JOB, owner, now, now + LEASE)
        .await?;
    uow.commit().await?;
    if !held {
        return Ok(ErasureOutcome {
            erased: 0,
            skipped: true,
        });
    }
    let outcome = erase_batches(tx, retention, now).await;
    // Given back whatever happened, so the next run need not wait for the lease to run out.
    let released = async {
        let uow = tx.begin().await?;
        uow.job_leases()
            .release(ERASURE_JOB, owner, clock.now())
            .await?;
        uow.commit().await
    }
    .await;
    let erased = outcome?;
    released?;
    Ok(ErasureOutcome {
        erased,
        skipped: false,
    })
}

async fn erase_batches(
    tx: &dyn Transactional,
    retention: Retention,
    now: DateTime<Utc>,
) -> Result<u64, DomainError> {
    let over_by = retention.over_by(now);
    let mut erased = 0;
    for _ in 0..MAX_BATCHES {
        let uow = tx.begin().await?;
        let due = uow.volunteer_retention().erasable(over_by, BATCH).await?;
        let mut per_township: BTreeMap<OrgId, (OrgPath, u64)> = BTreeMap::new();
        for id in &due {
            let Some(r) = uow.service_requests().get(*id).await? else {
                continue;
            };
            if !r.erasure_due(retention, now) {
                continue;
            }
            // Over the version read: a request changed meanwhile waits for the next run.
            if uow
                .service_requests()
                .update(&r.erased(now), r.version)
                .await?
            {
                uow.volunteer_retention().erase_notes(r.id).await?;
                per_township
                    .entry(r.committee_id)
                    .or_insert_with(|| (r.committee_path.clone(), 0))
                    .1 += 1;
            }
        }
        let count: u64 = per_township.values().map(|(_, n)| n).sum();
        for (committee, (path, n)) in &per_township {
            let entry = AuditEntry::record(
                AuditId::at(now),
                NewAuditEntry {
                    actor: None,
                    action: AuditAction::known(ERASURE_ACTION),
                    object_type: "service_request_erasure".to_owned(),
                    // How many were erased: no ids, nothing personal.
                    object_id: n.to_string(),
                    org_id: Some(committee.as_uuid()),
                    org_path: Some(path.as_str().to_owned()),
                    request_id: None,
                },
                now,
            );
            uow.audit().append(&entry).await?;
        }
        uow.commit().await?;
        erased += count;
        if (due.len() as u64) < BATCH || count == 0 {
            break;
        }
    }
    Ok(erased)
}
