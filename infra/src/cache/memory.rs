//! The in-process cache of the embedded mode. Clones share the same store, so several app
//! instances in one process (tests) behave like instances sharing one Redis.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use moka::ops::compute::{CompResult, Op};
use moka::sync::Cache as MokaCache;
use moka::Expiry;

use domain::cache::{Cache, CacheError};

#[derive(Debug, Clone)]
struct Entry {
    value: Arc<[u8]>,
    ttl: Option<Duration>,
    /// Counter increments keep the window's original expiry, as Redis `INCR` does.
    keep_expiry: bool,
}

struct PerEntryTtl;

impl Expiry<String, Entry> for PerEntryTtl {
    fn expire_after_create(&self, _key: &String, value: &Entry, _at: Instant) -> Option<Duration> {
        value.ttl
    }

    fn expire_after_update(
        &self,
        _key: &String,
        value: &Entry,
        _at: Instant,
        remaining: Option<Duration>,
    ) -> Option<Duration> {
        if value.keep_expiry {
            remaining
        } else {
            value.ttl
        }
    }
}

#[derive(Clone)]
pub struct MemoryCache {
    store: MokaCache<String, Entry>,
}

impl std::fmt::Debug for MemoryCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryCache")
            .field("entries", &self.store.entry_count())
            .finish()
    }
}

impl MemoryCache {
    /// A store holding at most `max_entries` keys (least recently used go first).
    pub fn new(max_entries: u64) -> Self {
        Self {
            store: MokaCache::builder()
                .max_capacity(max_entries)
                .expire_after(PerEntryTtl)
                .build(),
        }
    }
}

impl Default for MemoryCache {
    fn default() -> Self {
        Self::new(100_000)
    }
}

#[async_trait]
impl Cache for MemoryCache {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        Ok(self.store.get(key).map(|e| e.value.to_vec()))
    }

    async fn set(&self, key: &str, value: &[u8], ttl: Option<Duration>) -> Result<(), CacheError> {
        let entry = Entry {
            value: Arc::from(value),
            ttl,
            keep_expiry: false,
        };
        self.store.insert(key.to_owned(), entry);
        Ok(())
    }

    async fn set_if_absent(
        &self,
        key: &str,
        value: &[u8],
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        let result = self
            .store
            .entry(key.to_owned())
            .and_compute_with(|existing| {
                if existing.is_some() {
                    Op::Nop
                } else {
                    Op::Put(Entry {
                        value: Arc::from(value),
                        ttl: Some(ttl),
                        keep_expiry: false,
                    })
                }
            });
        Ok(matches!(result, CompResult::Inserted(_)))
    }

    async fn delete(&self, key: &str) -> Result<bool, CacheError> {
        Ok(self.store.remove(key).is_some())
    }

    async fn replace_if_equals(
        &self,
        key: &str,
        expected: &[u8],
        value: &[u8],
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        let result = self
            .store
            .entry(key.to_owned())
            .and_compute_with(|existing| match existing {
                Some(e) if &*e.value().value == expected => Op::Put(Entry {
                    value: Arc::from(value),
                    ttl: Some(ttl),
                    keep_expiry: false,
                }),
                _ => Op::Nop,
            });
        Ok(matches!(result, CompResult::ReplacedWith(_)))
    }

    async fn delete_if_equals(&self, key: &str, expected: &[u8]) -> Result<bool, CacheError> {
        let result = self
            .store
            .entry(key.to_owned())
            .and_compute_with(|existing| match existing {
                Some(e) if &*e.value().value == expected => Op::Remove,
                _ => Op::Nop,
            });
        Ok(matches!(result, CompResult::Removed(_)))
    }

    async fn increment(&self, key: &str, ttl: Duration) -> Result<i64, CacheError> {
        let mut failure = None;
        let result = self
            .store
            .entry(key.to_owned())
            .and_compute_with(|existing| {
                let Some(existing) = existing else {
                    return Op::Put(Entry {
                        value: Arc::from(&b"1"[..]),
                        ttl: Some(ttl),
                        keep_expiry: false,
                    });
                };
                let current = existing.into_value();
                let parsed = std::str::from_utf8(&current.value)
                    .ok()
                    .and_then(|s| s.parse::<i64>().ok());
                match parsed.and_then(|n| n.checked_add(1)) {
                    Some(next) => Op::Put(Entry {
                        value: Arc::from(next.to_string().as_bytes()),
                        ttl: current.ttl,
                        keep_expiry: true,
                    }),
                    None => {
                        failure = Some(CacheError::Failed(
                            "value is not an integer or out of range".to_owned(),
                        ));
                        Op::Nop
                    }
                }
            });
        if let Some(e) = failure {
            return Err(e);
        }
        match result {
            CompResult::Inserted(e) | CompResult::ReplacedWith(e) => {
                std::str::from_utf8(&e.into_value().value)
                    .ok()
                    .and_then(|s| s.parse::<i64>().ok())
                    .ok_or_else(|| CacheError::Failed("counter is not an integer".to_owned()))
            }
            _ => Err(CacheError::Failed("counter was not updated".to_owned())),
        }
    }

    async fn ping(&self) -> Result<(), CacheError> {
        Ok(())
    }
}
