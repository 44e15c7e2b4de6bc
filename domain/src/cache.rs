//! The cache port: shared, expiring key-value state (revocations, rate limits, idempotency
//! keys, locks, feed caches). Redis in production, in-process in the embedded mode; both
//! adapters pass the same behavioural suite.
//!
//! Obligations of every adapter:
//! - keys are namespaced by the adapter's configured prefix, invisible to callers;
//! - a value written with a TTL is gone once the TTL has passed;
//! - `set_if_absent`, `increment`, `replace_if_equals` and `delete_if_equals` are atomic
//!   across every instance sharing the cache;
//! - an unreachable backend answers [`CacheError::Unavailable`], never a stale success.

use std::time::Duration;

use async_trait::async_trait;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CacheError {
    #[error("cache unavailable: {0}")]
    Unavailable(String),
    /// The backend refused the operation (e.g. incrementing a value that is not a counter).
    #[error("cache operation failed: {0}")]
    Failed(String),
}

#[async_trait]
pub trait Cache: Send + Sync + std::fmt::Debug {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError>;

    /// Stores `value`, replacing any previous one; `ttl: None` keeps it until deleted.
    async fn set(&self, key: &str, value: &[u8], ttl: Option<Duration>) -> Result<(), CacheError>;

    /// Stores `value` only when the key is absent; answers whether it stored it.
    async fn set_if_absent(
        &self,
        key: &str,
        value: &[u8],
        ttl: Duration,
    ) -> Result<bool, CacheError>;

    /// Removes the key; answers whether it existed.
    async fn delete(&self, key: &str) -> Result<bool, CacheError>;

    /// Replaces the value with `value` (expiring after `ttl`) only while it is exactly
    /// `expected`; answers whether it did. Lets an owner hand over what it wrote without
    /// clobbering what someone else wrote meanwhile.
    async fn replace_if_equals(
        &self,
        key: &str,
        expected: &[u8],
        value: &[u8],
        ttl: Duration,
    ) -> Result<bool, CacheError>;

    /// Removes the key only while its value is exactly `expected` (releasing a lock one
    /// holds, never one another instance took after it expired); answers whether it did.
    async fn delete_if_equals(&self, key: &str, expected: &[u8]) -> Result<bool, CacheError>;

    /// Adds one to a counter and answers the new value. A counter that did not exist starts
    /// at 1 and expires after `ttl`; later increments keep the original expiry (fixed window).
    async fn increment(&self, key: &str, ttl: Duration) -> Result<i64, CacheError>;

    /// Checks the backend is reachable (readiness).
    async fn ping(&self) -> Result<(), CacheError>;
}
