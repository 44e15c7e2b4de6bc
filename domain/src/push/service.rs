//! The push worker's round ([`run_once`]) and what it writes itself: activity reminders,
//! and notices of 三会一课 obligations coming due or overdue to branch secretaries.

use std::collections::HashSet;

use chrono::{DateTime, TimeDelta, Utc};

use super::model::*;
use super::ports::{PushRepo, PushSender, SendOutcome};
use crate::activity::calendar::Period;
use crate::activity::report::{self, ReportRepos};
use crate::activity::schedule::{ObligationKind, ObligationState};
use crate::activity::{Activity, ActivityRepo, ExemptionRepo, ReviewStatus};
use crate::auth::{ExternalIdentityRepo, WECHAT_PROVIDER};
use crate::calendar::YearMonth;
use crate::clock::Clock;
use crate::error::DomainError;
use crate::material::{MaterialRepo, MaterialStatus, SubscriptionRepo};
use crate::org::{MemberId, MemberRepo, OrgRepo, RoleKind, RoleRepo};
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
    + ReportRepos
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
        + ReportRepos
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
    /// How long before an obligation's period ends its secretary is told it is still due
    /// (and, after the period, how long an overdue notice may still go out).
    pub obligation_lead: TimeDelta,
    pub templates: PushTemplates,
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunReport {
    /// Deliveries found `sending` past their lease, marked unknown.
    pub expired: u64,
    /// Reminder messages written.
    pub reminders: u64,
    /// Obligation notices written (one per branch, obligation, period and stage).
    pub obligation_notices: u64,
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

/// One round: expire dead leases, write due reminders (and, when `scan_obligations`, due
/// obligation notices), then claim and send what is due. Obligations change by the day and
/// cost a few queries per branch to judge, so the caller scans them every few minutes, not
/// every round.
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
    scan_obligations: bool,
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
    if let Some(template) = cfg
        .templates
        .obligation
        .as_deref()
        .filter(|_| scan_obligations)
    {
        report.obligation_notices =
            enqueue_obligation_notices(tx, repos, template, started, cfg.obligation_lead).await?;
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

/// The obligations worth judging for a branch created at `created` at `now`: those whose
/// current period ends within `lead` (possibly due), and those whose previous period ended
/// less than `lead` ago, after the branch existed (possibly overdue). Pure: a branch with
/// none costs no query.
fn obligation_windows(
    month: YearMonth,
    created: DateTime<Utc>,
    now: DateTime<Utc>,
    lead: TimeDelta,
) -> (
    Vec<ObligationKind>,
    Vec<(ObligationKind, YearMonth, Period)>,
) {
    let mut due = Vec::new();
    let mut overdue = Vec::new();
    for kind in ObligationKind::ALL.iter().copied() {
        let period = kind.period_of(month);
        if now >= period.end() - lead {
            due.push(kind);
        }
        let Some(before) = YearMonth::containing(period.start() - TimeDelta::seconds(1)) else {
            continue;
        };
        let previous = kind.period_of(before);
        if now < previous.end() + lead && created < previous.end() {
            overdue.push((kind, before, previous));
        }
    }
    (due, overdue)
}

/// Writes a notice to each branch's secretaries for every obligation still due within
/// `lead` of its period's end, and for every one whose period ended unmet less than `lead`
/// ago: once per branch, obligation (group), period and stage, whichever worker writes it
/// (unique key). Branches without a secretary get none.
async fn enqueue_obligation_notices<R: PushRepos + ?Sized>(
    tx: &dyn Transactional,
    repos: &R,
    template: &str,
    now: DateTime<Utc>,
    lead: TimeDelta,
) -> Result<u64, DomainError> {
    let Some(month) = YearMonth::containing(now) else {
        return Ok(0);
    };
    let mut written = 0;
    for root in repos.roots().await? {
        for branch in repos.branches_under(&root.path).await? {
            let (due, overdue) = obligation_windows(month, branch.created_at, now, lead);
            if due.is_empty() && overdue.is_empty() {
                continue;
            }
            let secretaries: Vec<MemberId> = repos
                .held_on(branch.id)
                .await?
                .into_iter()
                .filter(|g| g.kind == RoleKind::Secretary)
                .map(|g| g.member_id)
                .collect();
            if secretaries.is_empty() {
                continue;
            }
            let mut notices = Vec::new();
            if !due.is_empty() {
                notices.extend(
                    report::branch_obligations(repos, &branch, month, now)
                        .await?
                        .into_iter()
                        .filter(|o| due.contains(&o.kind) && o.state == ObligationState::Due)
                        .map(|o| (o, ObligationStage::Due)),
                );
            }
            let mut months: Vec<YearMonth> = Vec::new();
            for (_, m, _) in &overdue {
                if !months.contains(m) {
                    months.push(*m);
                }
            }
            for before in months {
                notices.extend(
                    report::branch_obligations(repos, &branch, before, now)
                        .await?
                        .into_iter()
                        .filter(|o| {
                            o.state == ObligationState::Overdue
                                && overdue
                                    .iter()
                                    .any(|(k, m, p)| *k == o.kind && *m == before && *p == o.period)
                        })
                        .map(|o| (o, ObligationStage::Overdue)),
                );
            }
            for (o, stage) in notices {
                let message = obligation_message(&branch, &o, stage, template, now);
                if repos.message_exists(&message.key).await? {
                    continue;
                }
                let uow = tx.begin().await?;
                if uow.push().enqueue(&message, &secretaries, now).await? {
                    written += 1;
                }
                uow.commit().await?;
            }
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

    fn month(y: i32, m: u32) -> YearMonth {
        YearMonth::new(y, m).unwrap_or_else(|| panic!("{y}-{m}"))
    }

    fn utc(raw: &str) -> DateTime<Utc> {
        raw.parse().unwrap_or_else(|e| panic!("{raw}: {e}"))
    }

    #[test]
    fn obligations_are_judged_near_a_periods_end_and_just_after_it() {
        let lead = TimeDelta::days(7);
        let long_ago = utc("2020-01-01T00:00:00Z");
        let nov = month(2026, 11);
        // 20 November: nothing ends within a week, October ended long enough ago.
        let (due, overdue) = obligation_windows(nov, long_ago, utc("2026-11-20T00:00:00Z"), lead);
        assert!(due.is_empty() && overdue.is_empty(), "{due:?} {overdue:?}");
        // 25 November (Shanghai): the month's duties come due; nothing quarterly yet.
        let (due, overdue) = obligation_windows(nov, long_ago, utc("2026-11-24T16:00:00Z"), lead);
        assert_eq!(
            due,
            [
                ObligationKind::ThemeDay,
                ObligationKind::CommitteeMeeting,
                ObligationKind::GroupMeeting
            ]
        );
        assert!(overdue.is_empty());
        // 1 December: November's monthly duties may be overdue; the quarter is still open.
        let dec = month(2026, 12);
        let (due, overdue) = obligation_windows(dec, long_ago, utc("2026-11-30T17:00:00Z"), lead);
        assert!(due.is_empty(), "{due:?}");
        let kinds: Vec<_> = overdue.iter().map(|(k, m, _)| (*k, *m)).collect();
        assert_eq!(
            kinds,
            [
                (ObligationKind::ThemeDay, nov),
                (ObligationKind::CommitteeMeeting, nov),
                (ObligationKind::GroupMeeting, nov)
            ]
        );
        // 2 January: the year and the fourth quarter are over.
        let jan = month(2027, 1);
        let (_, overdue) = obligation_windows(jan, long_ago, utc("2027-01-01T17:00:00Z"), lead);
        assert!(overdue
            .iter()
            .any(|(k, m, _)| *k == ObligationKind::SecretaryLesson && *m == dec));
        assert!(overdue
            .iter()
            .any(|(k, _, p)| *k == ObligationKind::GeneralAssembly
                && *p
                    == Period::Quarter {
                        year: 2026,
                        quarter: 4
                    }));
        // A branch created in December owes nothing for November.
        let (_, overdue) = obligation_windows(
            dec,
            utc("2026-11-30T16:30:00Z"),
            utc("2026-11-30T17:00:00Z"),
            lead,
        );
        assert!(overdue.is_empty(), "{overdue:?}");
    }

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
