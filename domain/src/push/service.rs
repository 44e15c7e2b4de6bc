//! The push worker's round ([`run_once`]) and the reminders it writes.

use std::collections::HashSet;

use chrono::{DateTime, TimeDelta, Utc};

use super::model::*;
use super::ports::{PushRepo, PushSender, SendOutcome};
use crate::activity::{Activity, ActivityRepo, ExemptionRepo, ReviewStatus};
use crate::clock::Clock;
use crate::error::DomainError;
use crate::identity::{ExternalIdentityRepo, WECHAT_PROVIDER};
use crate::org::{MemberId, MemberRepo, OrgRepo, RoleKind, RoleRepo};
use crate::study::{MaterialRepo, MaterialStatus, SubscriptionRepo};
use crate::uow::Transactional;

/// What the worker reads and writes outside a unit of work.
pub trait PushRepos:
    PushRepo
    + SubscriptionRepo
    + ExternalIdentityRepo
    + MemberRepo
    + OrgRepo
    + ActivityRepo
    + RoleRepo
    + ExemptionRepo
    + MaterialRepo
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
        + ExemptionRepo
        + MaterialRepo
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
/// that started before the claim. A retryable failure ends the round (WeChat is busy or
/// unreachable: the rest wait for the next round rather than each spending an attempt).
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
        let update = match prepare(repos, id, now).await {
            Ok(Ready::Done(update)) => update,
            Ok(Ready::Send(job)) => {
                let outcome = sender.send(&job.openid, &job.message).await;
                settle(
                    repos,
                    outcome,
                    &job.delivery,
                    &job.message,
                    clock.now(),
                    cfg,
                )
                .await
            }
            // Nothing was sent (the consent is taken last, in one statement): try again.
            Err(e) => DeliveryUpdate {
                status: DeliveryStatus::Pending,
                next_attempt_at: Some(now + cfg.retry_base),
                last_error: Some(format!("before sending: {e}")),
                sent_at: None,
            },
        };
        let now = clock.now();
        match update.status {
            DeliveryStatus::Sent => report.sent += 1,
            DeliveryStatus::Refused => report.refused += 1,
            DeliveryStatus::Pending => report.retrying += 1,
            DeliveryStatus::Failed => report.failed += 1,
            DeliveryStatus::Unknown => report.unknown += 1,
            _ => report.skipped += 1,
        }
        let retry = update.status == DeliveryStatus::Pending;
        if !repos.finish(id, &cfg.owner, &update, now).await? {
            report.lost += 1;
        }
        if retry {
            break;
        }
    }
    Ok(report)
}

impl RunReport {
    /// Deliveries this round claimed and finished (sent, skipped, failed, …).
    pub fn handled(&self) -> u64 {
        self.sent + self.refused + self.retrying + self.failed + self.unknown + self.skipped
    }
}

fn ended(status: DeliveryStatus, error: impl Into<String>) -> DeliveryUpdate {
    DeliveryUpdate {
        status,
        next_attempt_at: None,
        last_error: Some(error.into()),
        sent_at: None,
    }
}

/// A claimed delivery after the checks: finished without sending, or ready to send (its
/// consent spent).
enum Ready {
    Done(DeliveryUpdate),
    Send(Box<Sending>),
}

struct Sending {
    openid: String,
    delivery: Delivery,
    message: PushMessage,
}

/// Checks a claimed delivery as things stand now: the member still active, bound and in
/// the material's audience, the material still live, the reminder not past its activity's
/// start; then spends one consent. Nothing here sends, so an error leaves nothing sent.
async fn prepare<R: PushRepos + ?Sized>(
    repos: &R,
    id: DeliveryId,
    now: DateTime<Utc>,
) -> Result<Ready, DomainError> {
    let Some((delivery, message)) = repos.job(id).await? else {
        return Ok(Ready::Done(ended(
            DeliveryStatus::Skipped,
            "delivery_missing",
        )));
    };
    if message.expires_at.is_some_and(|t| t <= now) {
        return Ok(Ready::Done(ended(DeliveryStatus::Skipped, "expired")));
    }
    let Some(member) = MemberRepo::get(repos, delivery.member_id)
        .await?
        .filter(|m| m.is_active())
    else {
        return Ok(Ready::Done(ended(
            DeliveryStatus::Skipped,
            "member_inactive",
        )));
    };
    if let Some(material) = message.material_id() {
        match MaterialRepo::get(repos, material).await? {
            Some(m) if m.status == MaterialStatus::Published && m.publish_at > now => {
                // Rescheduled later since this was written: wait for the new time.
                return Ok(Ready::Done(DeliveryUpdate {
                    status: DeliveryStatus::Pending,
                    next_attempt_at: Some(m.publish_at),
                    last_error: Some("rescheduled".into()),
                    sent_at: None,
                }));
            }
            Some(m) if m.status == MaterialStatus::Published => {
                if !m.audience.includes(&member) {
                    return Ok(Ready::Done(ended(
                        DeliveryStatus::Skipped,
                        "not_in_audience",
                    )));
                }
            }
            _ => {
                return Ok(Ready::Done(ended(
                    DeliveryStatus::Cancelled,
                    "material_withdrawn",
                )))
            }
        }
    }
    let Some(identity) =
        ExternalIdentityRepo::of_member(repos, WECHAT_PROVIDER, delivery.member_id).await?
    else {
        return Ok(Ready::Done(ended(
            DeliveryStatus::Skipped,
            "wechat_not_bound",
        )));
    };
    if !repos
        .take_consent(delivery.member_id, &message.template_id, now)
        .await?
    {
        return Ok(Ready::Done(ended(DeliveryStatus::Skipped, "no_consent")));
    }
    Ok(Ready::Send(Box::new(Sending {
        openid: identity.subject,
        delivery,
        message,
    })))
}

/// What a send's outcome means for the delivery and the member's consent. A failure to
/// adjust the consent is recorded with the outcome, never in place of it.
async fn settle<R: PushRepos + ?Sized>(
    repos: &R,
    outcome: SendOutcome,
    delivery: &Delivery,
    message: &PushMessage,
    now: DateTime<Utc>,
    cfg: &WorkerConfig,
) -> DeliveryUpdate {
    let member = delivery.member_id;
    let template = message.template_id.as_str();
    let note = |error: String, adjusted: Result<(), crate::error::RepoError>| match adjusted {
        Ok(()) => error,
        Err(e) => format!("{error}; consent not adjusted: {e}"),
    };
    match outcome {
        SendOutcome::Delivered => DeliveryUpdate {
            status: DeliveryStatus::Sent,
            next_attempt_at: None,
            last_error: None,
            sent_at: Some(now),
        },
        SendOutcome::Refused => {
            let adjusted = repos.clear_consent(member, template, now).await;
            ended(
                DeliveryStatus::Refused,
                note("43101 user refused".into(), adjusted),
            )
        }
        SendOutcome::Retry(error) => {
            let error = note(error, repos.give_back_consent(member, template, now).await);
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
        SendOutcome::Failed(error) => ended(
            DeliveryStatus::Failed,
            note(error, repos.give_back_consent(member, template, now).await),
        ),
        // The consent stays spent: the message may have arrived.
        SendOutcome::Unknown(error) => ended(DeliveryStatus::Unknown, error),
    }
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
    // Activities of one township (a root) starting within the lead time: a township has
    // tens of branches, so this bounds nothing real.
    const PER_ROUND: u64 = 2000;
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

/// The activity's expected members today, less those excused from it.
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
    // Those with an approved exemption covering it are not reminded.
    let excused: HashSet<MemberId> = repos
        .approved_in_branch(&a.branch_path)
        .await?
        .into_iter()
        .filter(|e| e.status == ReviewStatus::Approved && e.scope.covers(a))
        .map(|e| e.member_id)
        .collect();
    Ok(repos
        .active_in_branch(&a.branch_path)
        .await?
        .into_iter()
        .filter(|m| a.expects_in_branch(m, &committee) && !excused.contains(&m.id))
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
