//! What the erasure job asks of storage.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::model::ServiceRequestId;
use crate::error::RepoError;

/// Finding requests whose personal data is due for erasure. (The erasure itself is an
/// ordinary conditional update of the request: [`super::ServiceRequestRepo::update`].)
#[async_trait]
pub trait RetentionRepo: Send + Sync {
    /// Up to `limit` requests, not erased yet, that were over at or before `over_by`:
    /// closed (by `closed_at`, or `updated_at` when that is missing), cancelled or rejected
    /// (by `updated_at`). Oldest id first.
    async fn erasable(
        &self,
        over_by: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<ServiceRequestId>, RepoError>;
    /// Rewrites each status note of the request to its state's label alone: notes carry
    /// free text (a cancellation's note, a return's reason) that may name the requester.
    async fn erase_notes(&self, id: ServiceRequestId) -> Result<(), RepoError>;
}
