//! A township's deadlines for dispatched requests: how many working days each kind and
//! urgency has to be claimed and to be completed. Dispatchers read them; township admins
//! set them.

use crate::context::{ReadContext, WriteContext};
use crate::error::DomainError;
use crate::org::policy::{self, Action};
use crate::org::{Actor, Org, OrgId, OrgKind};
use crate::uow::Repositories;
use crate::volunteer::deadline::{Allowance, DeadlinePolicy};
use crate::volunteer::model::{ServiceKind, Urgency};

/// The township committee `id` on which the caller may take `action`; 404 for a missing
/// org, one out of scope and an org that is no township committee alike (403 first for a
/// caller who may take it nowhere).
async fn committee(
    repos: &dyn Repositories,
    actor: &Actor,
    action: Action,
    id: OrgId,
) -> Result<Org, DomainError> {
    let org = policy::load_in_scope(actor, action, repos.orgs().get(id), |o| &o.path).await?;
    if org.kind == OrgKind::Committee && org.parent_id.is_none() {
        Ok(org)
    } else {
        Err(DomainError::NotFound)
    }
}

/// The township's deadlines (the defaults where it set none). Its hotline operators and
/// township admins.
pub async fn get_service_deadlines(
    ctx: &ReadContext<'_>,
    committee_id: OrgId,
) -> Result<DeadlinePolicy, DomainError> {
    let org = committee(
        ctx.repos,
        ctx.actor,
        Action::DispatchServiceRequests,
        committee_id,
    )
    .await?;
    Ok(ctx
        .repos
        .service_deadlines()
        .deadline_policy(org.id)
        .await?)
}

/// Replaces the township's deadlines with `set`: what it leaves out follows the default
/// again. Township admins covering it; audited.
pub async fn set_service_deadlines(
    ctx: &WriteContext<'_>,
    committee_id: OrgId,
    set: Vec<(ServiceKind, Urgency, Allowance)>,
) -> Result<DeadlinePolicy, DomainError> {
    policy::may_somewhere(ctx.actor, Action::SetServiceDeadlines)?;
    let deadlines = DeadlinePolicy::new(set).map_err(DomainError::Validation)?;
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let org = committee(
        uow.as_ref(),
        ctx.actor,
        Action::SetServiceDeadlines,
        committee_id,
    )
    .await?;
    uow.service_deadlines()
        .replace_deadline_policy(org.id, &deadlines, now)
        .await?;
    ctx.commit_audited(
        uow,
        now,
        "volunteer.deadlines_set",
        "service_deadlines",
        org.id.to_string(),
        Some((org.id, &org.path)),
    )
    .await?;
    Ok(deadlines)
}
