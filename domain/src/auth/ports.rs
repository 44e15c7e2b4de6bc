//! Storage of sessions and outside accounts, and WeChat as a sign-in provider.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::error::WeChatFailure;
use super::model::{
    Caller, ExternalIdentity, RefreshToken, RefreshTokenId, SessionFamilyId, VouchedPhone,
    WeChatSession,
};
use crate::error::RepoError;
use crate::org::MemberId;

/// Storage of sessions: refresh tokens and the record of ended sessions. Obligations:
/// `token_hash` is unique; `mark_used` succeeds for exactly one caller per token even when
/// several race; a revocation is durable (the database, not a cache, is its record) and
/// covers every token of the family (or member), refresh and access alike, including
/// refresh tokens issued later in the same transaction.
#[async_trait]
pub trait RefreshTokenRepo: Send + Sync {
    async fn insert(&self, token: &RefreshToken) -> Result<(), RepoError>;
    async fn find_by_hash(&self, hash: &str) -> Result<Option<RefreshToken>, RepoError>;
    /// Marks an unused token used; answers whether this call was the one that did.
    async fn mark_used(&self, id: RefreshTokenId, at: DateTime<Utc>) -> Result<bool, RepoError>;
    /// Ends the session `family` of `member`: its refresh tokens and every access token
    /// carrying its `sid`.
    async fn revoke_family(
        &self,
        family: SessionFamilyId,
        member: MemberId,
        at: DateTime<Utc>,
    ) -> Result<(), RepoError>;
    /// Ends one access token that belongs to no session (minted from the command line).
    async fn revoke_token(
        &self,
        token: uuid::Uuid,
        member: MemberId,
        at: DateTime<Utc>,
    ) -> Result<(), RepoError>;
    /// Ends every session of `member`: refresh tokens, and every access token issued at or
    /// before `at`, for good (reactivating the member brings none of them back).
    async fn revoke_member(&self, member: MemberId, at: DateTime<Utc>) -> Result<(), RepoError>;
    /// The member an access token names, and whether the token was revoked: its session
    /// (`session`) or the token itself (`token`, its `jti`) ended, or every session of the
    /// member ended at or after `issued_at`. One read, so checking costs no extra round trip.
    async fn caller(
        &self,
        member: MemberId,
        session: Option<uuid::Uuid>,
        token: Option<uuid::Uuid>,
        issued_at: DateTime<Utc>,
    ) -> Result<Option<Caller>, RepoError>;
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
    /// The member's account at `provider`, if any.
    async fn of_member(
        &self,
        provider: &str,
        member: MemberId,
    ) -> Result<Option<ExternalIdentity>, RepoError>;
    async fn link(&self, identity: &ExternalIdentity) -> Result<(), RepoError>;
    /// Removes the member's account at `provider`; answers whether there was one.
    async fn unlink(&self, provider: &str, member: MemberId) -> Result<bool, RepoError>;
}

/// WeChat as the mini-program's sign-in provider. Obligations: the app's secret and the
/// session key never leave the implementation (not in answers, errors or logs); a phone is
/// answered only when WeChat vouches for it to this app (one issued to another app is
/// [`WeChatFailure::WrongApp`]); each call takes a bounded time, a timeout being
/// [`WeChatFailure::Unavailable`].
#[async_trait]
pub trait WeChatSignIn: Send + Sync + std::fmt::Debug {
    /// Who is behind a `wx.login` code (single use).
    async fn code_to_session(&self, code: &str) -> Result<WeChatSession, WeChatFailure>;
    /// The phone behind a `getPhoneNumber` button's code (single use).
    async fn phone_number(&self, phone_code: &str) -> Result<VouchedPhone, WeChatFailure>;
}
