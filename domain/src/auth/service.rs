//! Linking and unlinking members' outside accounts.

use crate::error::ErrorCode;
use chrono::{DateTime, Utc};

use super::model::ExternalIdentity;
use crate::error::RepoError;
use crate::org::MemberId;

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
    let entry = account_audit("account.link", &member, member.id, now, request_id);
    uow.audit().append(&entry).await?;
    uow.commit().await?;
    Ok(member)
}
