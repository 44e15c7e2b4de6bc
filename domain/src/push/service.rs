//! The push worker's round ([`run_once`]) and the reminders it writes.

use std::collections::HashSet;

use chrono::{DateTime, TimeDelta, Utc};

use super::model::*;
use super::ports::{PushRepo, PushSender, SendOutcome};
use crate::activity::{Activity, ActivityRepo};
use crate::clock::Clock;
use crate::error::DomainError;
use crate::identity::ExternalIdentityRepo;
use crate::org::{MemberId, MemberRepo, OrgRepo, RoleKind, RoleRepo};
use crate::study::SubscriptionRepo;
use crate::uow::Transactional;

/// The provider name under which members' WeChat openids are linked.
pub const WECHAT_PROVIDER: &str = "wechat";

/// What the worker reads and writes outside a unit of work.
pub trait PushRepos:
    PushRepo + SubscriptionRepo + ExternalIdentityRepo + MemberRepo + OrgRepo + ActivityRepo + RoleRepo
{
}

impl<T> PushRepos for T where
    T: PushRepo
        + SubscriptionRepo
        + ExternalIdentityRepo
        + MemberRepo
        + OrgRepo
        + ActivityRepo
        + RoleRepo
{
}

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// This worker's name in the leases it takes (unique per instance).
    pub owner: String,
    /// How long a claimed delivery stays this worker's (longer than one send can take).
    pub lease: TimeDelta,
    /// Deliveries claimed per round, at most.
    pub batch: u64,
    /// Attempts before a retryable failure becomes final.
    pub max_attempts: i32,
    /// The first retry's delay; each further retry doubles it (at most an hour).
    pub retry_base: TimeDelta,
    /// How long before an activity starts its reminder goes out.
    pub reminder_lead: TimeDelta,
    pub templates: PushTemplates,
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunReport {
    /// Deliveries found `sending` past their lease, marked unknown.
    pub expired: u64,
    /// Reminder messages written.
    pub reminders: u64,
    pub sent: u64,
    pub refused: u64,
    /// Failed for now, due again later.
    pub retrying: u64,
    pub failed: u64,
    pub unknown: u64,
    pub skipped: u64,
    /// Claimed, but the lease ran out before the outcome was written (another worker
    /// marked it unknown meanwhile).
    pub lost: u64,
}

/// The delay before retry number `attempts` (1 = after the first failure).
pub fn backoff(base: TimeDelta, attempts: i32) -> TimeDelta {
    let exp = attempts.clamp(1, 12) - 1;
    (base * 2_i32.pow(exp as u32)).min(TimeDelta::hours(1))
}

/// One round: expire dead leases, write due reminders, then claim and send what is due.
///
/// The clock is read again for each delivery, so a long round never claims with a lease
/// that started before the claim.
pub async fn run_once<R: PushRepos + ?Sized>(
    tx: &dyn Transactional,
    repos: &R,
    sender: &dyn PushSender,
    clock: &dyn Clock,
    cfg: &WorkerConfig,
) -> Result<RunReport, DomainError> {
    let started = clock.now();
    let mut report = RunReport {
        expired: repos.expire_leases(started).await?,
        ..RunReport::default()
    };
    if let Some(template) = cfg.templates.reminder.as_deref() {
        report.reminders =
            enqueue_reminders(tx, repos, template, started, cfg.reminder_lead).await?;
    }
    for id in repos.due(started, cfg.batch).await? {
        let now = clock.now();
        if !repos.claim(id, &cfg.owner, now, now + cfg.lease).await? {
            continue; // another worker won it
        }
        let update = deliver(repos, sender, id, now, cfg).await?;
        let now = clock.now();
        match update.status {
            DeliveryStatus::Sent => report.sent += 1,
            DeliveryStatus::Refused => report.refused += 1,
            DeliveryStatus::Pending => report.retrying += 1,
            DeliveryStatus::Failed => report.failed += 1,
            DeliveryStatus::Unknown => report.unknown += 1,
            _ => report.skipped += 1,
        }
        if !repos.finish(id, &cfg.owner, &update, now).await? {
            report.lost += 1;
        }
    }
    Ok(report)
}

fn ended(status: DeliveryStatus, error: impl Into<String>) -> DeliveryUpdate {
    DeliveryUpdate {
        status,
        next_attempt_at: None,
        last_error: Some(error.into()),
        sent_at: None,
    }
}

/// Sends one claimed delivery, if its member can receive it, and says how it ended.
async fn deliver<R: PushRepos + ?Sized>(
    repos: &R,
    sender: &dyn PushSender,
    id: DeliveryId,
    now: DateTime<Utc>,
    cfg: &WorkerConfig,
) -> Result<DeliveryUpdate, DomainError> {
    let Some((delivery, message)) = repos.job(id).await? else {
        return Ok(ended(DeliveryStatus::Skipped, "delivery_missing"));
    };
    let member = MemberRepo::get(repos, delivery.member_id).await?;
    if !member.is_some_and(|m| m.is_active()) {
        return Ok(ended(DeliveryStatus::Skipped, "member_inactive"));
    }
    let Some(identity) =
        ExternalIdentityRepo::of_member(repos, WECHAT_PROVIDER, delivery.member_id).await?
    else {
        return Ok(ended(DeliveryStatus::Skipped, "wechat_not_bound"));
    };
    let member = delivery.member_id;
    let template = message.template_id.as_str();
    if !repos.take_consent(member, template, now).await? {
        return Ok(ended(DeliveryStatus::Skipped, "no_consent"));
    }
    Ok(match sender.send(&identity.subject, &message).await {
        SendOutcome::Delivered => DeliveryUpdate {
            status: DeliveryStatus::Sent,
            next_attempt_at: None,
            last_error: None,
            sent_at: Some(now),
        },
        SendOutcome::Refused => {
            repos.clear_consent(member, template, now).await?;
            ended(DeliveryStatus::Refused, "43101 user refused")
        }
        SendOutcome::Retry(error) => {
            repos.give_back_consent(member, template, now).await?;
            if delivery.attempts >= cfg.max_attempts {
                ended(DeliveryStatus::Failed, error)
            } else {
                DeliveryUpdate {
                    status: DeliveryStatus::Pending,
                    next_attempt_at: Some(now + backoff(cfg.retry_base, delivery.attempts)),
                    last_error: Some(error),
                    sent_at: None,
                }
            }
        }
        SendOutcome::Failed(error) => {
            repos.give_back_consent(member, template, now).await?;
            ended(DeliveryStatus::Failed, error)
        }
        // The consent stays spent: the message may have arrived.
        SendOutcome::Unknown(error) => ended(DeliveryStatus::Unknown, error),
    })
}

/// Writes the reminder of every activity starting within `lead` of `now` that has none
/// yet, addressed to its expected members. Two workers racing write it once (unique key).
async fn enqueue_reminders<R: PushRepos + ?Sized>(
    tx: &dyn Transactional,
    repos: &R,
    template: &str,
    now: DateTime<Utc>,
    lead: TimeDelta,
) -> Result<u64, DomainError> {
    const PER_ROUND: u64 = 500;
    let mut written = 0;
    for root in repos.roots().await? {
        for a in repos
            .starting_between(&root.path, now, now + lead, PER_ROUND)
            .await?
        {
            if a.is_cancelled() {
                continue;
            }
            let message = reminder_message(&a, template, now);
            if repos.message_exists(&message.key).await? {
                continue;
            }
            let members = expected_members(repos, &a).await?;
            let uow = tx.begin().await?;
            if uow.push().enqueue(&message, &members, now).await? {
                written += 1;
            }
            uow.commit().await?;
        }
    }
    Ok(written)
}

/// The activity's expected members today.
async fn expected_members<R: PushRepos + ?Sized>(
    repos: &R,
    a: &Activity,
) -> Result<Vec<MemberId>, DomainError> {
    let committee: HashSet<MemberId> = repos
        .held_on(a.branch_id)
        .await?
        .into_iter()
        .filter(|g| matches!(g.kind, RoleKind::Secretary | RoleKind::Committee))
        .map(|g| g.member_id)
        .collect();
    Ok(repos
        .active_in_branch(&a.branch_path)
        .await?
        .into_iter()
        .filter(|m| a.expects_in_branch(m, &committee))
        .map(|m| m.id)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_an_hour() {
        let base = TimeDelta::seconds(30);
        assert_eq!(backoff(base, 1), TimeDelta::seconds(30));
        assert_eq!(backoff(base, 2), TimeDelta::seconds(60));
        assert_eq!(backoff(base, 4), TimeDelta::seconds(240));
        assert_eq!(backoff(base, 20), TimeDelta::hours(1));
        assert_eq!(backoff(base, 0), TimeDelta::seconds(30));
    }
}
