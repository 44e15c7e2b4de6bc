//! Sessions: rotating refresh tokens grouped in families. Access tokens are stateless JWTs
//! (minted and verified in the API layer); what must be remembered lives here.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::RepoError;
use crate::org::MemberId;

crate::define_id!(
    /// A session: every refresh token rotated from one sign-in shares it.
    SessionFamilyId
);
crate::define_id!(
    /// One refresh token (stored only as the SHA-256 of its value).
    RefreshTokenId
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    pub id: RefreshTokenId,
    pub family_id: SessionFamilyId,
    pub member_id: MemberId,
    /// Hex SHA-256 of the opaque token; the token itself is never stored.
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// When it was exchanged for a new pair (each token is good for one exchange).
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Storage of refresh tokens. Obligations: `token_hash` is unique; `mark_used` succeeds for
/// exactly one caller per token even when several race; revocations cover every token of
/// the family (or member) including those issued later in the same transaction.
#[async_trait]
pub trait RefreshTokenRepo: Send + Sync {
    async fn insert(&self, token: &RefreshToken) -> Result<(), RepoError>;
    async fn find_by_hash(&self, hash: &str) -> Result<Option<RefreshToken>, RepoError>;
    /// Marks an unused token used; answers whether this call was the one that did.
    async fn mark_used(&self, id: RefreshTokenId, at: DateTime<Utc>) -> Result<bool, RepoError>;
    async fn revoke_family(
        &self,
        family: SessionFamilyId,
        at: DateTime<Utc>,
    ) -> Result<(), RepoError>;
    async fn revoke_member(&self, member: MemberId, at: DateTime<Utc>) -> Result<(), RepoError>;
}

/// A member's account at an outside sign-in provider (the mini-program's user id): the
/// provider is a short name (`wechat`), the subject that provider's stable id for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalIdentity {
    pub provider: String,
    pub subject: String,
    pub member_id: MemberId,
    pub linked_at: DateTime<Utc>,
}

/// Links between members and outside accounts. Obligations: a (provider, subject) belongs
/// to at most one member, and a member has at most one subject per provider
/// (`RepoError::Conflict` otherwise).
#[async_trait]
pub trait ExternalIdentityRepo: Send + Sync {
    async fn find(
        &self,
        provider: &str,
        subject: &str,
    ) -> Result<Option<ExternalIdentity>, RepoError>;
    async fn link(&self, identity: &ExternalIdentity) -> Result<(), RepoError>;
}
