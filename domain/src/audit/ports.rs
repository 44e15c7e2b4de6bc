use async_trait::async_trait;

use super::model::AuditEntry;
use crate::error::RepoError;
use crate::page::{Page, PageRequest};

/// Storage of audit entries.
///
/// Obligations: `append` is part of the caller's unit of work (it commits or rolls back with
/// the change it records); an id written twice answers `RepoError::Conflict`; `list` returns
/// the newest first, in a stable order, continuing strictly after the page's cursor.
#[async_trait]
pub trait AuditRepo: Send + Sync {
    async fn append(&self, entry: &AuditEntry) -> Result<(), RepoError>;

    /// Entries whose org path lies under `org_path_prefix` (all entries when `None`).
    async fn list(
        &self,
        org_path_prefix: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<AuditEntry>, RepoError>;
}
