use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::model::{Delivery, DeliveryId, DeliveryUpdate, PushMessage};
use crate::error::RepoError;
use crate::org::MemberId;

/// Storage of the outbox. Obligations: a message key is stored at most once; a delivery is
/// claimed by one worker at a time, by a conditional update whose affected-row count says
/// who won (no `SKIP LOCKED`, which SQLite lacks).
#[async_trait]
pub trait PushRepo: Send + Sync {
    /// Stores `message` and a pending delivery to each of `members`, due at `not_before`,
    /// unless a message with the same key exists; answers whether it stored them.
    async fn enqueue(
        &self,
        message: &PushMessage,
        members: &[MemberId],
        not_before: DateTime<Utc>,
    ) -> Result<bool, RepoError>;
    async fn message_exists(&self, key: &str) -> Result<bool, RepoError>;
    /// Cancels the pending deliveries of every message about `subject`; answers how many.
    async fn cancel_pending(&self, subject: &str, now: DateTime<Utc>) -> Result<u64, RepoError>;
    /// Marks `unknown` every delivery still `sending` whose lease ran out before `now` (its
    /// worker stopped mid-send: it may have arrived, so it is never sent again).
    async fn expire_leases(&self, now: DateTime<Utc>) -> Result<u64, RepoError>;
    /// Pending deliveries due at `now`, oldest first, at most `limit`.
    async fn due(&self, now: DateTime<Utc>, limit: u64) -> Result<Vec<DeliveryId>, RepoError>;
    /// Claims a pending delivery for `owner` until `lease_until` (counting an attempt);
    /// answers whether this caller won it.
    async fn claim(
        &self,
        id: DeliveryId,
        owner: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, RepoError>;
    /// A delivery with its message.
    async fn job(&self, id: DeliveryId) -> Result<Option<(Delivery, PushMessage)>, RepoError>;
    /// Ends (or re-queues) a delivery `owner` holds; answers false if the lease was lost.
    async fn finish(
        &self,
        id: DeliveryId,
        owner: &str,
        update: &DeliveryUpdate,
        now: DateTime<Utc>,
    ) -> Result<bool, RepoError>;
    /// The deliveries of the message with `key` (operators and tests).
    async fn deliveries_of(&self, key: &str) -> Result<Vec<Delivery>, RepoError>;
    /// How the outbox stands at `now` (operators' metrics).
    async fn stats(&self, now: DateTime<Utc>) -> Result<OutboxStats, RepoError>;
}

/// How the outbox stands: deliveries by status, and those pending whose time has come.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboxStats {
    pub by_status: Vec<(super::model::DeliveryStatus, u64)>,
    /// Pending deliveries due now or earlier.
    pub due: u64,
    /// When the longest-waiting due delivery became due.
    pub oldest_due: Option<DateTime<Utc>>,
}

/// How one send ended, by what the worker does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    Delivered,
    /// 43101: the member refused (no consent left): recorded, not retried.
    Refused,
    /// A definite failure worth retrying (busy, rate-limited, no connection, an HTTP error).
    Retry(String),
    /// A definite failure that retrying cannot fix (invalid template, openid or data).
    Failed(String),
    /// The request may have reached WeChat but no answer came back: not retried.
    Unknown(String),
}

/// Sends one subscribe message (WeChat in production, a stand-in in tests).
#[async_trait]
pub trait PushSender: Send + Sync {
    async fn send(&self, openid: &str, message: &PushMessage) -> SendOutcome;
}
