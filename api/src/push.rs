//! The push worker of one instance: every `push_interval_secs` it expires dead leases,
//! writes due activity reminders (and, every few minutes, due obligation notices to branch
//! secretaries) and sends due deliveries through WeChat. Every instance runs one; leases
//! keep them from sending anything twice. Tests drive [`PushWorker::run_once`] with the
//! injected clock.
//!
//! This is where the contexts meet on a round: the activity context writes its reminders
//! and notices ([`domain::activity::service::notices`]), push delivers
//! ([`domain::push::service::deliver_due`]) and the material context checks each material
//! push before it goes ([`MaterialDeliveryCheck`]); push itself knows none of them.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use crate::state::AppState;
use domain::activity::service::notices;
use domain::appraisal::notice::AppraisalDeliveryCheck;
use domain::clock::Clock;
use domain::error::DomainError;
use domain::material::notice::MaterialDeliveryCheck;
use domain::push::service::{self, DeliveryConfig, DeliveryReport};
use domain::push::{PushSender, PushTemplates};
use domain::volunteer::notice::VolunteerDeliveryCheck;
use infra::wechat::WeChatPushSender;
use infra::Db;

/// How long a claimed delivery stays this worker's: longer than one send takes with the
/// default `wechat_timeout_ms` (5 s: a token wait, a refresh and two sends stay well under
/// a minute). With the 60 s maximum a send could outlast it and be recorded unknown (never
/// sent twice).
const LEASE: TimeDelta = TimeDelta::minutes(5);
/// Deliveries claimed per round.
const BATCH: u64 = 200;
/// Full rounds run back to back on one tick, at most (a backlog drains at full speed
/// without one instance looping forever).
const MAX_ROUNDS_PER_TICK: usize = 50;
/// The first retry's delay (then doubling, at most an hour).
const RETRY_BASE: TimeDelta = TimeDelta::seconds(30);
/// How often (by the clock) a worker judges every branch's obligations: they change by the
/// day, and judging them costs a few queries per branch.
const OBLIGATION_SCAN_EVERY: TimeDelta = TimeDelta::minutes(10);

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunReport {
    /// Deliveries found `sending` past their lease, marked unknown.
    pub expired: u64,
    /// Reminder messages written.
    pub reminders: u64,
    /// 96345 deadline reminders written.
    pub deadline_reminders: u64,
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

impl RunReport {
    /// Deliveries this round claimed and finished (sent, skipped, failed, …).
    pub fn handled(&self) -> u64 {
        self.sent + self.refused + self.retrying + self.failed + self.unknown + self.skipped
    }
}

/// How a worker runs.
#[derive(Debug, Clone)]
struct WorkerConfig {
    delivery: DeliveryConfig,
    /// How long before an activity starts its reminder goes out.
    reminder_lead: TimeDelta,
    /// How long before a 96345 request's deadline those who must act are reminded.
    volunteer_lead: TimeDelta,
    /// How long before an obligation's period ends its secretary is told it is still due
    /// (and, after the period, how long an overdue notice may still go out).
    obligation_lead: TimeDelta,
    templates: PushTemplates,
}

pub struct PushWorker {
    db: Db,
    clock: Arc<dyn Clock>,
    sender: Arc<dyn PushSender>,
    config: WorkerConfig,
    /// When this worker last judged obligations (`None`: not yet, so its first round does).
    obligations_scanned: Mutex<Option<DateTime<Utc>>>,
}

impl PushWorker {
    /// The worker of an instance with a WeChat app and at least one template configured;
    /// `owner` names it in its leases (default: host, process and a random part).
    pub fn from_state(state: &AppState, owner: Option<String>) -> Option<Self> {
        let client = state.wechat.clone()?;
        if !state.push.templates.any() {
            return None;
        }
        let owner = owner.unwrap_or_else(|| {
            let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".to_owned());
            let random = uuid::Uuid::new_v4().simple().to_string();
            format!(
                "{}:{}:{}",
                host.chars().take(32).collect::<String>(),
                std::process::id(),
                &random[..8]
            )
        });
        Some(Self {
            db: state.db.clone(),
            clock: state.clock.clone(),
            sender: Arc::new(WeChatPushSender::new(
                client,
                state.push.miniprogram_state.clone(),
            )),
            config: WorkerConfig {
                delivery: DeliveryConfig {
                    owner,
                    lease: LEASE,
                    batch: BATCH,
                    max_attempts: state.push.max_attempts,
                    retry_base: RETRY_BASE,
                },
                reminder_lead: TimeDelta::from_std(state.push.reminder_lead)
                    .unwrap_or(TimeDelta::hours(1)),
                volunteer_lead: TimeDelta::from_std(state.push.volunteer_lead)
                    .unwrap_or(TimeDelta::hours(24)),
                obligation_lead: TimeDelta::from_std(state.push.obligation_lead)
                    .unwrap_or(TimeDelta::days(7)),
                templates: state.push.templates.clone(),
            },
            obligations_scanned: Mutex::new(None),
        })
    }

    /// One round at the clock's current time; obligations are judged on the first round
    /// and then once [`OBLIGATION_SCAN_EVERY`] has passed.
    pub async fn run_once(&self) -> Result<RunReport, DomainError> {
        let now = self.clock.now();
        let scan = match self.obligations_scanned.lock() {
            Ok(mut last) => {
                let due = last.is_none_or(|t| now - t >= OBLIGATION_SCAN_EVERY || now < t);
                if due {
                    *last = Some(now);
                }
                due
            }
            // A round that panicked while holding it: scanning again is harmless.
            Err(_) => true,
        };
        let report = self.round(scan).await;
        if scan && report.is_err() {
            // The scan may not have happened: try it again next round.
            if let Ok(mut last) = self.obligations_scanned.lock() {
                *last = None;
            }
        }
        report
    }

    /// One round: expire dead leases, write due reminders (and, when `scan_obligations`,
    /// due obligation notices), then claim and send what is due, all judged at the round's
    /// start.
    async fn round(&self, scan_obligations: bool) -> Result<RunReport, DomainError> {
        let repos = self.db.repos();
        let cfg = &self.config;
        let started = self.clock.now();
        let expired = service::expire_leases(&repos, started).await?;
        let reminders = match cfg.templates.reminder.as_deref() {
            Some(template) => {
                notices::enqueue_reminders(&self.db, &repos, template, started, cfg.reminder_lead)
                    .await?
            }
            None => 0,
        };
        let obligation_notices = match cfg
            .templates
            .obligation
            .as_deref()
            .filter(|_| scan_obligations)
        {
            Some(template) => {
                notices::enqueue_obligation_notices(
                    &self.db,
                    &repos,
                    template,
                    started,
                    cfg.obligation_lead,
                )
                .await?
            }
            None => 0,
        };
        let deadline_reminders = match cfg.templates.volunteer.as_deref() {
            Some(template) => {
                domain::volunteer::service::enqueue_deadline_reminders(
                    &self.db,
                    &repos,
                    template,
                    started,
                    cfg.volunteer_lead,
                )
                .await?
            }
            None => 0,
        };
        let materials = MaterialDeliveryCheck::new(&repos);
        let appraisals = AppraisalDeliveryCheck::new(&repos);
        let requests = VolunteerDeliveryCheck::new(&repos);
        let DeliveryReport {
            sent,
            refused,
            retrying,
            failed,
            unknown,
            skipped,
            lost,
        } = service::deliver_due(
            &repos,
            self.sender.as_ref(),
            self.clock.as_ref(),
            &cfg.delivery,
            &[&materials, &appraisals, &requests],
            started,
        )
        .await?;
        Ok(RunReport {
            expired,
            reminders,
            deadline_reminders,
            obligation_notices,
            sent,
            refused,
            retrying,
            failed,
            unknown,
            skipped,
            lost,
        })
    }

    /// Runs rounds every `interval` until the process ends; while rounds come back full
    /// (a backlog) it runs the next at once, up to [`MAX_ROUNDS_PER_TICK`]. A round that
    /// fails (the database away) is logged and the next tick tries again.
    pub async fn run_forever(self, interval: Duration) {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            for _ in 0..MAX_ROUNDS_PER_TICK {
                match self.run_once().await {
                    Ok(report) => {
                        if report != RunReport::default() {
                            tracing::info!(?report, "push round");
                        }
                        if report.handled() < BATCH || report.retrying > 0 {
                            break;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "push round failed");
                        break;
                    }
                }
            }
        }
    }
}
