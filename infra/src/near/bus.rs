//! How invalidations reach every instance: a direct call between near caches in one
//! process, or a Redis pub/sub channel between processes.
//!
//! Over Redis each instance holds one subscription. It trusts its near cache from the
//! moment its subscription is confirmed (starting empty) until the subscription ends or
//! falls silent: every instance publishes a heartbeat every [`HEARTBEAT`], so hearing
//! nothing for [`SILENCE`] means the channel is lost even when no connection was closed.
//! Then it reads from storage until it has subscribed again.

use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use futures_util::StreamExt;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::{Invalidation, NearCache};

/// How often each instance publishes a heartbeat on the channel.
pub const HEARTBEAT: Duration = Duration::from_millis(500);
/// How long a subscription may hear nothing before the instance stops trusting it.
pub const SILENCE: Duration = Duration::from_millis(2000);
/// The most a write waits for the channel to take its invalidations.
const PUBLISH_TIMEOUT: Duration = Duration::from_secs(1);
const HEARTBEAT_MESSAGE: &str = "h";

/// The channel between near caches. Cloning shares it.
#[derive(Clone, Debug)]
pub enum Bus {
    /// Near caches of one process (the embedded mode; tests' instances sharing an
    /// in-process cache): invalidations are applied to each of them before the write
    /// returns.
    Local(Arc<LocalHub>),
    /// Instances sharing a Redis: a pub/sub channel.
    Redis(Arc<RedisBus>),
}

/// The near caches of one process.
#[derive(Debug, Default)]
pub struct LocalHub {
    members: Mutex<Vec<Weak<NearCache>>>,
}

impl LocalHub {
    /// Joins `near` to the hub and trusts it (a direct call loses nothing).
    pub fn join(&self, near: &Arc<NearCache>) {
        let mut members = self.members.lock().unwrap_or_else(|e| e.into_inner());
        members.retain(|w| w.strong_count() > 0);
        members.push(Arc::downgrade(near));
        near.trust();
    }

    fn others(&self, me: &Arc<NearCache>) -> Vec<Arc<NearCache>> {
        let members = self.members.lock().unwrap_or_else(|e| e.into_inner());
        members
            .iter()
            .filter_map(Weak::upgrade)
            .filter(|n| !Arc::ptr_eq(n, me))
            .collect()
    }
}

/// A Redis pub/sub channel (see the module).
pub struct RedisBus {
    client: redis::Client,
    publisher: ConnectionManager,
    channel: String,
    timeout: Duration,
    /// Names this instance's messages, so its own subscription recognises their echo.
    instance: String,
    next_echo: std::sync::atomic::AtomicU64,
    /// Publications waiting for their echo, by number.
    echoes: Mutex<std::collections::HashMap<u64, tokio::sync::oneshot::Sender<()>>>,
    /// Whether a reset is waiting to be published (see `reset_everywhere_later`).
    resetting: std::sync::atomic::AtomicBool,
}

/// The most a write waits for its own message to come back over the channel. Every
/// subscriber gets a message in the same pass of Redis's event loop, so by the time the
/// writer hears its echo the others have it too: the writer answers after them, not
/// before.
const ECHO_WAIT: Duration = Duration::from_millis(100);

impl std::fmt::Debug for RedisBus {
    // The client holds the URL, which may carry a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisBus")
            .field("channel", &self.channel)
            .finish()
    }
}

impl RedisBus {
    /// Connects the publishing side; `channel` is `<prefix>near`, so instances sharing a
    /// key prefix share invalidations.
    pub async fn connect(
        url: &str,
        prefix: &str,
        timeout: Duration,
    ) -> Result<Self, domain::cache::CacheError> {
        let failed = |e: redis::RedisError| domain::cache::CacheError::Unavailable(e.to_string());
        let client = redis::Client::open(url).map_err(failed)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let publisher = ConnectionManager::new_with_config(client.clone(), config)
            .await
            .map_err(failed)?;
        Ok(Self {
            client,
            publisher,
            channel: format!("{prefix}near"),
            timeout,
            instance: uuid::Uuid::new_v4().simple().to_string(),
            next_echo: std::sync::atomic::AtomicU64::new(0),
            echoes: Mutex::default(),
            resetting: std::sync::atomic::AtomicBool::new(false),
        })
    }

    async fn send(&self, message: &str) -> Result<(), redis::RedisError> {
        let mut conn = self.publisher.clone();
        let mut cmd = redis::cmd("PUBLISH");
        cmd.arg(&self.channel).arg(message);
        let publish = cmd.query_async::<i64>(&mut conn);
        match tokio::time::timeout(PUBLISH_TIMEOUT, publish).await {
            Ok(result) => result.map(|_| ()),
            Err(_) => Err(redis::RedisError::from((
                redis::ErrorKind::Io,
                "publish timed out",
            ))),
        }
    }

    /// After a publication failed: keeps trying (every 250 ms, for as long as it takes)
    /// to tell every instance to drop its whole near cache, which covers whatever was lost.
    /// One such task at a time.
    fn reset_everywhere_later(self: &Arc<Self>) {
        if self
            .resetting
            .swap(true, std::sync::atomic::Ordering::AcqRel)
        {
            return;
        }
        let bus = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(250)).await;
                if bus.send(&Invalidation::All.encode()).await.is_ok() {
                    bus.resetting
                        .store(false, std::sync::atomic::Ordering::Release);
                    tracing::info!("near-cache reset published after a lost invalidation");
                    return;
                }
            }
        });
    }

    /// The number of this instance's publication an `e:<instance>:<n>` line names.
    fn own_echo(&self, line: &str) -> Option<u64> {
        let rest = line.strip_prefix("e:")?;
        let (instance, n) = rest.split_once(':')?;
        (instance == self.instance)
            .then(|| n.parse().ok())
            .flatten()
    }

    /// Publishes `message` and waits (at most [`ECHO_WAIT`]) until this instance's own
    /// subscription heard it; without a trusted subscription, only for Redis to take it.
    async fn send_and_hear(&self, me: &NearCache, message: &str) -> Result<(), redis::RedisError> {
        if !me.trusted() {
            return self.send(message).await;
        }
        let n = self
            .next_echo
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.echoes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(n, tx);
        let sent = self
            .send(&format!("e:{}:{n}\n{message}", self.instance))
            .await;
        if sent.is_ok() && tokio::time::timeout(ECHO_WAIT, rx).await.is_err() {
            tracing::debug!("near-cache invalidation's echo not heard in time");
        }
        self.echoes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&n);
        sent
    }

    /// Subscribes `near` for as long as it lives, resubscribing after every loss, and
    /// publishes this instance's heartbeat.
    pub fn subscribe(self: &Arc<Self>, near: &Arc<NearCache>) {
        let bus = self.clone();
        let weak = Arc::downgrade(near);
        tokio::spawn(async move { bus.listen(weak).await });
        let bus = self.clone();
        let weak = Arc::downgrade(near);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(HEARTBEAT);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if weak.strong_count() == 0 {
                    return;
                }
                if let Err(e) = bus.send(HEARTBEAT_MESSAGE).await {
                    tracing::debug!(error = %e, "near-cache heartbeat not published");
                }
            }
        });
    }

    async fn listen(&self, weak: Weak<NearCache>) {
        let mut backoff = Duration::from_millis(100);
        loop {
            if weak.strong_count() == 0 {
                return;
            }
            match self.listen_once(&weak).await {
                Ok(()) => backoff = Duration::from_millis(100),
                Err(e) => {
                    tracing::warn!(error = %e, "near-cache subscription failed; reading from storage until it is back");
                }
            }
            if let Some(near) = weak.upgrade() {
                near.distrust();
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(2));
        }
    }

    /// One subscription, from connecting until it ends or falls silent.
    async fn listen_once(&self, weak: &Weak<NearCache>) -> Result<(), redis::RedisError> {
        let timed_out = || redis::RedisError::from((redis::ErrorKind::Io, "timed out"));
        let mut pubsub = tokio::time::timeout(self.timeout, self.client.get_async_pubsub())
            .await
            .map_err(|_| timed_out())??;
        tokio::time::timeout(self.timeout, pubsub.subscribe(&self.channel))
            .await
            .map_err(|_| timed_out())??;
        // The sink is kept until the subscription is given up: dropping it would end it.
        let (_sink, mut stream) = pubsub.split();
        match weak.upgrade() {
            Some(near) => near.trust(),
            None => return Ok(()),
        }
        tracing::info!(channel = %self.channel, "near-cache subscription up");
        loop {
            let message = match tokio::time::timeout(SILENCE, stream.next()).await {
                Ok(Some(message)) => message,
                Ok(None) => {
                    tracing::warn!("near-cache subscription closed");
                    return Ok(());
                }
                Err(_) => {
                    tracing::warn!(silence = ?SILENCE, "near-cache subscription silent");
                    return Ok(());
                }
            };
            let Some(near) = weak.upgrade() else {
                return Ok(());
            };
            let payload: String = match message.get_payload() {
                Ok(p) => p,
                Err(_) => continue,
            };
            let invalidations: Vec<Invalidation> =
                payload.lines().filter_map(Invalidation::decode).collect();
            near.apply(&invalidations);
            // Only then is the writer told its message went round.
            if let Some(n) = payload.lines().find_map(|l| self.own_echo(l)) {
                let waiting = self
                    .echoes
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&n);
                if let Some(tx) = waiting {
                    let _ = tx.send(());
                }
            }
        }
    }
}

impl Bus {
    /// Tells every other near cache of `invalidations` (already applied to `me`). Over
    /// Redis it waits until they went round the channel; if they could not be published,
    /// a reset of every near cache is published as soon as Redis takes it (meanwhile the
    /// other instances' subscriptions, which a Redis outage ends too, keep them off their
    /// near caches).
    pub async fn publish(&self, me: &Arc<NearCache>, invalidations: Vec<Invalidation>) {
        match self {
            Bus::Local(hub) => {
                for other in hub.others(me) {
                    other.apply(&invalidations);
                }
            }
            Bus::Redis(bus) => {
                let message = invalidations
                    .iter()
                    .map(Invalidation::encode)
                    .collect::<Vec<_>>()
                    .join("\n");
                // Redis already failed us and a reset of every near cache is waiting to go
                // out: it covers these too, so do not wait for Redis again.
                if bus.resetting.load(std::sync::atomic::Ordering::Acquire) {
                    return;
                }
                if let Err(e) = bus.send_and_hear(me, &message).await {
                    tracing::warn!(error = %e, "near-cache invalidation not published; every instance will be told to drop everything once Redis takes it");
                    bus.reset_everywhere_later();
                }
            }
        }
    }
}
