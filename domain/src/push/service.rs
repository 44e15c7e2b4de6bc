//! Delivering the outbox: a round expires dead leases ([`expire_leases`]), then claims due
//! deliveries with a lease, checks each as things stand now, spends a consent and sends
//! ([`deliver_due`]). Push knows the messages it delivers, not what they are about: the
//! contexts that write them build them (materials in `material::notice`, reminders, review
//! and obligation notices in `activity::notice`) and check their own before each send
//! ([`DeliveryCheck`]).

use chrono::{DateTime, TimeDelta, Utc};

use super::model::*;
use super::ports::{
    DeliveryCheck, PushRepo, PushSender, RecipientRepo, SendOutcome, SubscriptionRepo, Verdict,
};
use crate::clock::Clock;
use crate::error::DomainError;
use crate::org::MemberRepo;

/// What delivering reads and writes.
pub trait PushRepos: PushRepo + SubscriptionRepo + RecipientRepo + MemberRepo {}

impl<T> PushRepos for T where T: PushRepo + SubscriptionRepo + RecipientRepo + MemberRepo {}

/// How a worker delivers.
#[derive(Debug, Clone)]
pub struct DeliveryConfig {
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
}

/// What one delivery round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
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

/// Marks `unknown` every delivery still `sending` whose lease ran out before `now` (its
/// worker stopped mid-send); answers how many. A round starts with it.
pub async fn expire_leases<R: PushRepo + ?Sized>(
    repos: &R,
    now: DateTime<Utc>,
) -> Result<u64, DomainError> {
    Ok(repos.expire_leases(now).await?)
}

/// Claims and sends what is due at `started`: each delivery is checked as things stand
/// now, by push (the member active and bound, a consent left) and by `checks`, the
/// contexts that write messages (their subject still there, the member still concerned).
///
/// The clock is read again for each delivery, so a long round never claims with a lease
/// that started before the claim. A retryable failure ends the round (WeChat is busy or
/// unreachable: the rest wait for the next round rather than each spending an attempt).
pub async fn deliver_due<R: PushRepos + ?Sized>(
    repos: &R,
    sender: &dyn PushSender,
    clock: &dyn Clock,
    cfg: &DeliveryConfig,
    checks: &[&dyn DeliveryCheck],
    started: DateTime<Utc>,
) -> Result<DeliveryReport, DomainError> {
    let mut report = DeliveryReport::default();
    for id in repos.due(started, cfg.batch).await? {
        let now = clock.now();
        if !repos.claim(id, &cfg.owner, now, now + cfg.lease).await? {
            continue; // another worker won it
        }
        let update = match prepare(repos, checks, id, now).await {
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

impl DeliveryReport {
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

/// Checks a claimed delivery as things stand now: not expired (a reminder past its
/// activity's start), the member still active, what `checks` say (a material still live,
/// the member in its audience), the member bound; then spends one consent. Nothing here
/// sends, so an error leaves nothing sent.
async fn prepare<R: PushRepos + ?Sized>(
    repos: &R,
    checks: &[&dyn DeliveryCheck],
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
    for check in checks {
        match check.check(&message, &member, now).await? {
            Verdict::Send => {}
            Verdict::Wait { until, reason } => {
                return Ok(Ready::Done(DeliveryUpdate {
                    status: DeliveryStatus::Pending,
                    next_attempt_at: Some(until),
                    last_error: Some(reason),
                    sent_at: None,
                }))
            }
            Verdict::End { status, reason } => return Ok(Ready::Done(ended(status, reason))),
        }
    }
    let Some(openid) = repos.wechat_openid(delivery.member_id).await? else {
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
        openid,
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
    cfg: &DeliveryConfig,
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
