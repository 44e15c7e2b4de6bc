//! Chosen shared-cache keys read from the near cache: the shared cache's port, wrapped.
//!
//! Two kinds of key are mirrored. *Counters* (generation counters) change in place: a
//! missing counter is remembered as missing, and every write to one is announced to every
//! instance. *Immutable* keys (entries whose key names the generations they were built
//! under) are written once per key: a write fills this instance's copy and announces
//! nothing, and a missing one is not remembered (another instance may fill it next).
//! Every other key goes straight to the shared cache.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use domain::cache::{Cache, CacheError};

use super::{Invalidation, Near};

/// The shared cache with `counters` and `immutable` key prefixes mirrored near.
#[derive(Debug)]
pub struct NearMirror {
    inner: Arc<dyn Cache>,
    near: Near,
    counters: &'static [&'static str],
    immutable: &'static [&'static str],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Counter,
    Immutable,
    Passed,
}

impl NearMirror {
    pub fn new(
        inner: Arc<dyn Cache>,
        near: Near,
        counters: &'static [&'static str],
        immutable: &'static [&'static str],
    ) -> Self {
        Self {
            inner,
            near,
            counters,
            immutable,
        }
    }

    fn kind(&self, key: &str) -> Kind {
        if self.counters.iter().any(|p| key.starts_with(p)) {
            Kind::Counter
        } else if self.immutable.iter().any(|p| key.starts_with(p)) {
            Kind::Immutable
        } else {
            Kind::Passed
        }
    }

    /// After a write to `key`: a counter is announced everywhere, an immutable entry is
    /// kept here as written (`value`) or forgotten here (`None`).
    async fn written(&self, key: &str, value: Option<&[u8]>) {
        match self.kind(key) {
            Kind::Counter => {
                self.near
                    .invalidate(vec![Invalidation::Key(key.to_owned())])
                    .await
            }
            Kind::Immutable => match (
                value,
                self.near.cache.ticket(&Invalidation::Key(key.to_owned())),
            ) {
                (Some(v), Some(ticket)) => {
                    self.near.cache.fill_value(ticket, key, Some(Arc::from(v)))
                }
                _ => self.near.cache.apply(&[Invalidation::Key(key.to_owned())]),
            },
            Kind::Passed => {}
        }
    }
}

#[async_trait]
impl Cache for NearMirror {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        let kind = self.kind(key);
        if kind == Kind::Passed {
            return self.inner.get(key).await;
        }
        if let Some(found) = self.near.cache.value(key) {
            return Ok(found.map(|v| v.to_vec()));
        }
        let ticket = self.near.cache.ticket(&Invalidation::Key(key.to_owned()));
        let value = self.inner.get(key).await?;
        if let Some(ticket) = ticket {
            if value.is_some() || kind == Kind::Counter {
                let kept = value.as_deref().map(Arc::from);
                self.near.cache.fill_value(ticket, key, kept);
            }
        }
        Ok(value)
    }

    async fn set(&self, key: &str, value: &[u8], ttl: Option<Duration>) -> Result<(), CacheError> {
        let result = self.inner.set(key, value, ttl).await;
        self.written(key, result.is_ok().then_some(value)).await;
        result
    }

    async fn set_if_absent(
        &self,
        key: &str,
        value: &[u8],
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        let result = self.inner.set_if_absent(key, value, ttl).await;
        if self.kind(key) != Kind::Passed {
            self.written(key, None).await;
        }
        result
    }

    async fn delete(&self, key: &str) -> Result<bool, CacheError> {
        let result = self.inner.delete(key).await;
        if self.kind(key) != Kind::Passed {
            self.written(key, None).await;
        }
        result
    }

    async fn replace_if_equals(
        &self,
        key: &str,
        expected: &[u8],
        value: &[u8],
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        let result = self
            .inner
            .replace_if_equals(key, expected, value, ttl)
            .await;
        if self.kind(key) != Kind::Passed {
            self.written(key, None).await;
        }
        result
    }

    async fn delete_if_equals(&self, key: &str, expected: &[u8]) -> Result<bool, CacheError> {
        let result = self.inner.delete_if_equals(key, expected).await;
        if self.kind(key) != Kind::Passed {
            self.written(key, None).await;
        }
        result
    }

    async fn increment(&self, key: &str, ttl: Duration) -> Result<i64, CacheError> {
        let result = self.inner.increment(key, ttl).await;
        if self.kind(key) != Kind::Passed {
            self.written(key, None).await;
        }
        result
    }

    async fn ping(&self) -> Result<(), CacheError> {
        self.inner.ping().await
    }
}
