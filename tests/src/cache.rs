//! The cache each test gets: the in-process one, or Redis under a fresh key prefix when
//! `TEST_REDIS_URL` is set; and a wrapper that can take any cache down, or answer writes
//! late (applying them after the caller gave up waiting, as a paused Redis or a slow proxy
//! does).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use domain::cache::{Cache, CacheError};
use infra::cache::{MemoryCache, RedisCache};

pub fn redis_url() -> Option<String> {
    std::env::var("TEST_REDIS_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

pub async fn redis_cache(url: &str) -> RedisCache {
    redis_cache_under(url, &fresh_prefix()).await
}

fn fresh_prefix() -> String {
    format!("t:{}:", uuid::Uuid::new_v4().simple())
}

pub async fn redis_cache_under(url: &str, prefix: &str) -> RedisCache {
    match RedisCache::connect(url, prefix, Duration::from_secs(2)).await {
        Ok(c) => c,
        Err(e) => panic!("TEST_REDIS_URL is set but Redis is unreachable: {e}"),
    }
}

/// Where instances sharing a test cache hear each other's invalidations: a hub in this
/// process, or the Redis channel under the cache's key prefix.
#[derive(Debug, Clone)]
pub enum TestBus {
    Local(Arc<infra::near::bus::LocalHub>),
    Redis { url: String, prefix: String },
}

impl TestBus {
    /// A near cache for one more instance on this bus.
    pub async fn near(&self) -> infra::near::Near {
        let hub = match self {
            TestBus::Local(hub) => hub.clone(),
            TestBus::Redis { .. } => Arc::default(),
        };
        let redis = match self {
            TestBus::Redis { url, prefix } => Some((url.as_str(), prefix.as_str())),
            TestBus::Local(_) => None,
        };
        match api::startup::near_cache(
            infra::near::Sizing::default(),
            redis,
            &hub,
            // The instances of a test share one process and its hub.
            true,
            Duration::from_secs(2),
        )
        .await
        {
            Ok(near) => near,
            Err(e) => panic!("near cache: {e}"),
        }
    }
}

/// The cache a test's instances share, and the bus their near caches share.
pub async fn test_cache() -> (Arc<dyn Cache>, TestBus) {
    match redis_url() {
        Some(url) => {
            let prefix = fresh_prefix();
            let cache = redis_cache_under(&url, &prefix).await;
            (Arc::new(cache), TestBus::Redis { url, prefix })
        }
        None => (
            Arc::new(MemoryCache::default()),
            TestBus::Local(Arc::default()),
        ),
    }
}

/// Delegates to a real cache until told to fail like an unreachable one, or to answer
/// writes late.
#[derive(Debug)]
pub struct FlakyCache {
    inner: Arc<dyn Cache>,
    down: AtomicBool,
    late: std::sync::Mutex<Late>,
}

#[derive(Debug, Default)]
struct Late {
    /// The next claim (`set_if_absent`) times out now and is applied after this delay.
    next_claim: Option<Duration>,
    /// Until then every write times out now and is applied then (in order); reads time out.
    paused_until: Option<tokio::time::Instant>,
    /// After the next claim succeeds, writes fail and are lost (until `set_down(false)`).
    lose_writes_after_claim: bool,
    losing: bool,
    queue: Option<tokio::sync::mpsc::UnboundedSender<(tokio::time::Instant, Write)>>,
}

/// A write held back to be applied later.
#[derive(Debug)]
enum Write {
    SetIfAbsent(String, Vec<u8>, Duration),
    Set(String, Vec<u8>, Option<Duration>),
    Delete(String),
    Replace(String, Vec<u8>, Vec<u8>, Duration),
    DeleteIf(String, Vec<u8>),
    Increment(String, Duration),
}

fn timed_out() -> CacheError {
    CacheError::Unavailable("response timed out (simulated)".into())
}

impl FlakyCache {
    pub fn new(inner: Arc<dyn Cache>) -> Self {
        Self {
            inner,
            down: AtomicBool::new(false),
            late: std::sync::Mutex::new(Late::default()),
        }
    }

    fn late(&self) -> std::sync::MutexGuard<'_, Late> {
        match self.late.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
        if !down {
            self.late().losing = false;
        }
    }

    /// The next `set_if_absent` answers "timed out" at once and is applied after `delay`.
    pub fn delay_next_claim(&self, delay: Duration) {
        self.late().next_claim = Some(delay);
    }

    /// For `pause`, every write answers "timed out" at once and is applied when the pause
    /// ends, in the order sent; reads answer "timed out" (Redis under `CLIENT PAUSE`).
    pub fn pause_writes(&self, pause: Duration) {
        self.late().paused_until = Some(tokio::time::Instant::now() + pause);
    }

    /// The next claim succeeds; every write after it fails and is lost until
    /// `set_down(false)` (the cache dropped between a request's claim and its answer).
    pub fn lose_writes_after_next_claim(&self) {
        self.late().lose_writes_after_claim = true;
    }

    fn check(&self) -> Result<(), CacheError> {
        if self.down.load(Ordering::SeqCst) {
            Err(CacheError::Unavailable(
                "connection refused (simulated)".into(),
            ))
        } else if self
            .late()
            .paused_until
            .is_some_and(|t| tokio::time::Instant::now() < t)
        {
            Err(timed_out())
        } else {
            Ok(())
        }
    }

    /// Decides what happens to a write: `Ok` go ahead now; `Err` it fails (after being
    /// queued to be applied later, when held back).
    fn hold(&self, write: Write) -> Result<Write, CacheError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(CacheError::Unavailable(
                "connection refused (simulated)".into(),
            ));
        }
        let mut late = self.late();
        if late.losing {
            return Err(timed_out());
        }
        let now = tokio::time::Instant::now();
        let due = match (&write, late.paused_until) {
            (_, Some(until)) if now < until => Some(until),
            (Write::SetIfAbsent(..), _) => late.next_claim.take().map(|d| now + d),
            _ => None,
        };
        let Some(due) = due else {
            return Ok(write);
        };
        let inner = self.inner.clone();
        let queue = late.queue.get_or_insert_with(|| {
            let (tx, mut rx) =
                tokio::sync::mpsc::unbounded_channel::<(tokio::time::Instant, Write)>();
            tokio::spawn(async move {
                while let Some((due, write)) = rx.recv().await {
                    tokio::time::sleep_until(due).await;
                    let _ = apply(&*inner, write).await;
                }
            });
            tx
        });
        let _ = queue.send((due, write));
        Err(timed_out())
    }

    async fn write(&self, write: Write) -> Result<WriteResult, CacheError> {
        let is_claim = matches!(write, Write::SetIfAbsent(..));
        let write = self.hold(write)?;
        let result = apply(&*self.inner, write).await;
        if is_claim && matches!(result, Ok(WriteResult::Bool(true))) {
            let mut late = self.late();
            if late.lose_writes_after_claim {
                late.lose_writes_after_claim = false;
                late.losing = true;
            }
        }
        result
    }
}

enum WriteResult {
    Unit,
    Bool(bool),
    Int(i64),
}

async fn apply(cache: &dyn Cache, write: Write) -> Result<WriteResult, CacheError> {
    Ok(match write {
        Write::SetIfAbsent(k, v, ttl) => WriteResult::Bool(cache.set_if_absent(&k, &v, ttl).await?),
        Write::Set(k, v, ttl) => {
            cache.set(&k, &v, ttl).await?;
            WriteResult::Unit
        }
        Write::Delete(k) => WriteResult::Bool(cache.delete(&k).await?),
        Write::Replace(k, e, v, ttl) => {
            WriteResult::Bool(cache.replace_if_equals(&k, &e, &v, ttl).await?)
        }
        Write::DeleteIf(k, e) => WriteResult::Bool(cache.delete_if_equals(&k, &e).await?),
        Write::Increment(k, ttl) => WriteResult::Int(cache.increment(&k, ttl).await?),
    })
}

fn as_bool(r: WriteResult) -> bool {
    matches!(r, WriteResult::Bool(true))
}

#[async_trait]
impl Cache for FlakyCache {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        self.check()?;
        self.inner.get(key).await
    }
    async fn set(&self, key: &str, value: &[u8], ttl: Option<Duration>) -> Result<(), CacheError> {
        self.write(Write::Set(key.to_owned(), value.to_vec(), ttl))
            .await
            .map(|_| ())
    }
    async fn set_if_absent(
        &self,
        key: &str,
        value: &[u8],
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        self.write(Write::SetIfAbsent(key.to_owned(), value.to_vec(), ttl))
            .await
            .map(as_bool)
    }
    async fn delete(&self, key: &str) -> Result<bool, CacheError> {
        self.write(Write::Delete(key.to_owned())).await.map(as_bool)
    }
    async fn replace_if_equals(
        &self,
        key: &str,
        expected: &[u8],
        value: &[u8],
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        self.write(Write::Replace(
            key.to_owned(),
            expected.to_vec(),
            value.to_vec(),
            ttl,
        ))
        .await
        .map(as_bool)
    }
    async fn delete_if_equals(&self, key: &str, expected: &[u8]) -> Result<bool, CacheError> {
        self.write(Write::DeleteIf(key.to_owned(), expected.to_vec()))
            .await
            .map(as_bool)
    }
    async fn increment(&self, key: &str, ttl: Duration) -> Result<i64, CacheError> {
        match self.write(Write::Increment(key.to_owned(), ttl)).await? {
            WriteResult::Int(n) => Ok(n),
            _ => Err(CacheError::Failed("not a counter".into())),
        }
    }
    async fn ping(&self) -> Result<(), CacheError> {
        self.check()?;
        self.inner.ping().await
    }
}
