//! Storage of residents, and of what ends their sessions.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::resident::Resident;
use super::ResidentId;
use crate::auth::SessionFamilyId;
use crate::error::RepoError;

/// The resident behind an access or refresh token, as [`ResidentRepo::caller`] finds them.
#[derive(Debug, Clone)]
pub struct ResidentCaller {
    pub resident: Resident,
    /// The token's session (or the token) ended, or the resident's openid has since been
    /// bound to a roster member (who signs in as the member from then on).
    pub revoked: bool,
}

/// Residents. Obligations: one resident per openid (`RepoError::Conflict` on
/// `ux_resident_openid` otherwise); `touch` only ever moves `last_seen_at` later; a
/// session ended by [`end_session`](Self::end_session) stays ended in the database (not
/// only a cache), for its refresh tokens and every access token carrying its `sid`.
#[async_trait]
pub trait ResidentRepo: Send + Sync {
    async fn get(&self, id: ResidentId) -> Result<Option<Resident>, RepoError>;
    async fn find_by_openid(&self, openid: &str) -> Result<Option<Resident>, RepoError>;
    async fn insert(&self, resident: &Resident) -> Result<(), RepoError>;
    /// Stores the phone, its verification, the name and `last_seen_at` of a known resident.
    async fn update(&self, resident: &Resident) -> Result<(), RepoError>;
    /// Records a WeChat sign-in of `openid` at `at`; answers the resident, if there is one.
    async fn touch(&self, openid: &str, at: DateTime<Utc>) -> Result<Option<Resident>, RepoError>;
    /// The resident an access token names and whether the token was revoked: its session
    /// (`session`) or the token itself (`token`) ended, every session of the resident ended
    /// at or after `issued_at`, or the openid is now a member's. One read.
    async fn caller(
        &self,
        resident: ResidentId,
        session: Option<uuid::Uuid>,
        token: Option<uuid::Uuid>,
        issued_at: DateTime<Utc>,
    ) -> Result<Option<ResidentCaller>, RepoError>;
    /// Ends the resident's session `family`: its refresh tokens and every access token
    /// carrying its `sid`.
    async fn end_session(
        &self,
        family: SessionFamilyId,
        resident: ResidentId,
        at: DateTime<Utc>,
    ) -> Result<(), RepoError>;
}
