//! Linking and unlinking members' outside accounts.

use crate::error::ErrorCode;
use chrono::{DateTime, Utc};

use super::model::ExternalIdentity;
use crate::context::WriteContext;
use crate::error::RepoError;
use crate::org::MemberId;

/// Who is removing a member's outside account: the member themself, or someone covering
/// them (their secretary, a township admin) when a phone is lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unlinker {
    Themself,
    Manager,
}

/// Removes the member's account at `provider` and ends every session of theirs, in one
/// unit of work with its audit entry. `DomainError::NotFound` when nothing was linked (or
/// the member is outside the manager's scope).
pub async fn unlink_account(
    ctx: &WriteContext<'_>,
    provider: &str,
    member_id: MemberId,
    by: Unlinker,
) -> Result<(), crate::error::DomainError> {
    use crate::error::DomainError;
    use crate::org::policy::{self, Action};
    let actor = ctx.actor;
    let now = ctx.clock.now();
    if by == Unlinker::Manager {
        policy::may_somewhere(actor, Action::IssueInviteCodes)?;
    }
    let uow = ctx.tx.begin().await?;
    let member = match by {
        Unlinker::Themself if member_id == actor.member_id => uow.members().get(member_id).await?,
        Unlinker::Themself => None,
        Unlinker::Manager => {
            uow.members()
                .get_visible(member_id, &policy::member_visibility(actor))
                .await?
        }
    }
    .ok_or(DomainError::NotFound)?;
    if by == Unlinker::Manager {
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
        Unlinker::Manager => "account.reset",
    };
    commit_account_audit(ctx, uow, action, &member, now).await?;
    Ok(())
}

/// Ends a change to `member`'s outside account: its audit entry, then the commit.
async fn commit_account_audit(
    ctx: &WriteContext<'_>,
    uow: Box<dyn crate::uow::UnitOfWork>,
    action: &'static str,
    member: &crate::org::Member,
    now: DateTime<Utc>,
) -> Result<(), RepoError> {
    let org = (member.branch_id, &member.branch_path);
    ctx.commit_audited(uow, now, action, "member", member.id.to_string(), Some(org))
        .await
}

/// Links the outside account `subject` at `provider` to the active member `member_id`, in
/// one unit of work with its audit entry. Linking the same pair again changes nothing; an
/// account linked to someone else, or a member linked to another account, is a conflict
/// (the member's secretary can reset it). The caller is the member themself, who proved
/// who they are (a roster phone, an invite code) before any session of theirs exists.
pub async fn link_account(
    ctx: &WriteContext<'_>,
    provider: &str,
    subject: &str,
) -> Result<crate::org::Member, crate::error::DomainError> {
    use crate::error::DomainError;
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let member = uow
        .members()
        .get(ctx.actor.member_id)
        .await?
        .filter(crate::org::Member::is_active)
        .ok_or(DomainError::NotFound)?;
    let ids = uow.external_identities();
    if let Some(existing) = ids.find(provider, subject).await? {
        if existing.member_id == member.id {
            return Ok(member);
        }
        return Err(DomainError::conflict(
            ErrorCode::AccountBoundToAnotherMember,
            "this account is already bound to another member",
        ));
    }
    if ids.of_member(provider, member.id).await?.is_some() {
        return Err(DomainError::conflict(
            ErrorCode::MemberBoundElsewhere,
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
            ErrorCode::MemberBoundElsewhere,
            "this member or account was bound meanwhile",
        ),
        other => other.into(),
    })?;
    commit_account_audit(ctx, uow, "account.link", &member, now).await?;
    Ok(member)
}
