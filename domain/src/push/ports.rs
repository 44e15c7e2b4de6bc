use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::model::{
    Delivery, DeliveryId, DeliveryStatus, DeliveryUpdate, PushMessage, Subscription,
};
use crate::error::{DomainError, RepoError};
use crate::org::{Member, MemberId};

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
    pub by_status: Vec<(DeliveryStatus, u64)>,
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

/// Storage of subscribe-message consents.
#[async_trait]
pub trait SubscriptionRepo: Send + Sync {
    /// Adds one consent (creating the row at 1); answers the new balance.
    async fn add_consent(
        &self,
        member: MemberId,
        template_id: &str,
        now: DateTime<Utc>,
    ) -> Result<i32, RepoError>;
    /// The member's balances, by template id.
    async fn of_member(&self, member: MemberId) -> Result<Vec<Subscription>, RepoError>;
    /// Spends one consent if any is left (a conditional decrement); answers whether it did.
    async fn take_consent(
        &self,
        member: MemberId,
        template_id: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, RepoError>;
    /// Gives back a consent spent on a message that was not sent.
    async fn give_back_consent(
        &self,
        member: MemberId,
        template_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), RepoError>;
    /// Sets the balance to zero (WeChat said the member has no consent left).
    async fn clear_consent(
        &self,
        member: MemberId,
        template_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), RepoError>;
}

/// Where a member receives subscribe messages.
#[async_trait]
pub trait RecipientRepo: Send + Sync {
    /// The member's WeChat mini-program openid, if their account is bound.
    async fn wechat_openid(&self, member: MemberId) -> Result<Option<String>, RepoError>;
}

/// What the context that wrote a message says, just before sending, about delivering it
/// to a member as things stand now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing against it: send.
    Send,
    /// Not yet: pending again until `until` (its subject was rescheduled later).
    Wait {
        until: DateTime<Utc>,
        reason: String,
    },
    /// Never: the delivery ends with `status` (skipped, cancelled) and `reason`.
    End {
        status: DeliveryStatus,
        reason: String,
    },
}

/// A context's check of its own messages before each send (a material still published and
/// the member still in its audience). Answers [`Verdict::Send`] for messages it does not
/// know.
#[async_trait]
pub trait DeliveryCheck: Send + Sync {
    async fn check(
        &self,
        message: &PushMessage,
        member: &Member,
        now: DateTime<Utc>,
    ) -> Result<Verdict, DomainError>;
}
