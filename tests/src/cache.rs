//! The cache each test gets: the in-process one, or Redis under a fresh key prefix when
//! `TEST_REDIS_URL` is set; and a wrapper that can take any cache down.

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
    let prefix = format!("t:{}:", uuid::Uuid::new_v4().simple());
    match RedisCache::connect(url, &prefix, Duration::from_secs(2)).await {
        Ok(c) => c,
        Err(e) => panic!("TEST_REDIS_URL is set but Redis is unreachable: {e}"),
    }
}

pub async fn test_cache() -> Arc<dyn Cache> {
    match redis_url() {
        Some(url) => Arc::new(redis_cache(&url).await),
        None => Arc::new(MemoryCache::default()),
    }
}

/// Delegates to a real cache until told to fail like an unreachable one.
#[derive(Debug)]
pub struct FlakyCache {
    inner: Arc<dyn Cache>,
    down: AtomicBool,
}

impl FlakyCache {
    pub fn new(inner: Arc<dyn Cache>) -> Self {
        Self {
            inner,
            down: AtomicBool::new(false),
        }
    }

    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    fn check(&self) -> Result<(), CacheError> {
        if self.down.load(Ordering::SeqCst) {
            Err(CacheError::Unavailable(
                "connection refused (simulated)".into(),
            ))
        } else {
            Ok(())
        }
    }
}

#[async_trait]
impl Cache for FlakyCache {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        self.check()?;
        self.inner.get(key).await
    }
    async fn set(&self, key: &str, value: &[u8], ttl: Option<Duration>) -> Result<(), CacheError> {
        self.check()?;
        self.inner.set(key, value, ttl).await
    }
    async fn set_if_absent(
        &self,
        key: &str,
        value: &[u8],
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        self.check()?;
        self.inner.set_if_absent(key, value, ttl).await
    }
    async fn delete(&self, key: &str) -> Result<bool, CacheError> {
        self.check()?;
        self.inner.delete(key).await
    }
    async fn increment(&self, key: &str, ttl: Duration) -> Result<i64, CacheError> {
        self.check()?;
        self.inner.increment(key, ttl).await
    }
    async fn ping(&self) -> Result<(), CacheError> {
        self.check()?;
        self.inner.ping().await
    }
}
