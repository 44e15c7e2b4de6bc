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

/// The member behind an access token, as [`RefreshTokenRepo::caller`] finds them.
#[derive(Debug, Clone)]
pub struct Caller {
    pub member: crate::org::Member,
    pub revoked: bool,
}

/// The provider name under which members' WeChat (mini-program) openids are linked.
pub const WECHAT_PROVIDER: &str = "wechat";

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

/// Who is removing a member's outside account: the member themself, or someone covering
/// them (their secretary, a township admin) when a phone is lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unlinker<'a> {
    Themself,
    Manager(&'a crate::org::Actor),
}

/// Removes the member's account at `provider` and ends every session of theirs, in one
/// unit of work with its audit entry. `DomainError::NotFound` when nothing was linked (or
/// the member is outside the manager's scope).
pub async fn unlink_account(
    tx: &dyn crate::uow::Transactional,
    provider: &str,
    member_id: MemberId,
    by: Unlinker<'_>,
    actor_id: MemberId,
    now: DateTime<Utc>,
    request_id: Option<String>,
) -> Result<(), crate::error::DomainError> {
    use crate::error::DomainError;
    use crate::org::policy::{self, Action};
    if let Unlinker::Manager(actor) = by {
        policy::may_somewhere(actor, Action::IssueInviteCodes)?;
    }
    let uow = tx.begin().await?;
    let member = match by {
        Unlinker::Themself => uow.members().get(member_id).await?,
        Unlinker::Manager(actor) => {
            uow.members()
                .get_visible(member_id, &policy::member_visibility(actor))
                .await?
        }
    }
    .ok_or(DomainError::NotFound)?;
    if let Unlinker::Manager(actor) = by {
        policy::authorize(actor, Action::IssueInviteCodes, &member.branch_path)?;
    }
    if !uow
        .external_identities()
        .unlink(provider, member.id)
        .await?
    {
        return Err(DomainError::NotFound);
    }
    uow.refresh_tokens().revoke_member(member.id, now).await?;
    let action = match by {
        Unlinker::Themself => "account.unlink",
        Unlinker::Manager(_) => "account.reset",
    };
    let entry = account_audit(action, &member, actor_id, now, request_id);
    uow.audit().append(&entry).await?;
    uow.commit().await?;
    Ok(())
}

/// The audit entry of a change to `member`'s outside account, made by `actor`.
fn account_audit(
    action: &'static str,
    member: &crate::org::Member,
    actor: MemberId,
    now: DateTime<Utc>,
    request_id: Option<String>,
) -> crate::audit::AuditEntry {
    use crate::audit::{AuditAction, AuditEntry, AuditId, NewAuditEntry};
    AuditEntry::record(
        AuditId::at(now),
        NewAuditEntry {
            actor: Some(actor.as_uuid()),
            action: AuditAction::known(action),
            object_type: "member".to_owned(),
            object_id: member.id.to_string(),
            org_id: Some(member.branch_id.as_uuid()),
            org_path: Some(member.branch_path.as_str().to_owned()),
            request_id,
        },
        now,
    )
}

/// Links the outside account `subject` at `provider` to the active member `member_id`, in
/// one unit of work with its audit entry. Linking the same pair again changes nothing; an
/// account linked to someone else, or a member linked to another account, is a conflict
/// (the member's secretary can reset it).
pub async fn link_account(
    tx: &dyn crate::uow::Transactional,
    provider: &str,
    subject: &str,
    member_id: MemberId,
    now: DateTime<Utc>,
    request_id: Option<String>,
) -> Result<crate::org::Member, crate::error::DomainError> {
    use crate::error::DomainError;
    let uow = tx.begin().await?;
    let member = uow
        .members()
        .get(member_id)
        .await?
        .filter(crate::org::Member::is_active)
        .ok_or(DomainError::NotFound)?;
    let ids = uow.external_identities();
    if let Some(existing) = ids.find(provider, subject).await? {
        if existing.member_id == member.id {
            return Ok(member);
        }
        return Err(DomainError::conflict(
            "account_bound_to_another_member",
            "this account is already bound to another member",
        ));
    }
    if ids.of_member(provider, member.id).await?.is_some() {
        return Err(DomainError::conflict(
            "member_bound_elsewhere",
            "this member is bound to another account; ask your branch secretary to reset it",
        ));
    }
    ids.link(&ExternalIdentity {
        provider: provider.to_owned(),
        subject: subject.to_owned(),
        member_id: member.id,
        linked_at: now,
    })
    .await
    .map_err(|e| match e {
        RepoError::Conflict { .. } => DomainError::conflict(
            "member_bound_elsewhere",
            "this member or account was bound meanwhile",
        ),
        other => other.into(),
    })?;
    let entry = account_audit("account.link", &member, member.id, now, request_id);
    uow.audit().append(&entry).await?;
    uow.commit().await?;
    Ok(member)
}
