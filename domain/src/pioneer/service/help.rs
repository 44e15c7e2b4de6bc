//! The help branch: designated by the township, filled with a confirmed half year's
//! warning-level members once its publication window is over, emptied member by member when
//! a later half year no longer rates them warning-level. Every move is audited; a member's
//! check-ins, study and appraisal history stay theirs (only their branch changes).

use crate::context::{ReadContext, WriteContext};
use crate::error::{DomainError, ErrorCode};
use crate::org::policy::{self, Action};
use crate::org::{Member, MemberId, Org, OrgId, OrgKind};
use crate::pioneer::help::{HelpBranch, HelpTransfer, HelpTransferId};
use crate::pioneer::run::RunStatus;
use crate::uow::UnitOfWork;
use crate::volunteer::HalfYear;

async fn committee_in_scope(
    ctx_actor: &crate::org::Actor,
    uow: &dyn crate::uow::Repositories,
    committee_id: OrgId,
) -> Result<Org, DomainError> {
    let org = policy::load_in_scope(
        ctx_actor,
        Action::ManagePioneerIndex,
        uow.orgs().get(committee_id),
        |o| &o.path,
    )
    .await?;
    if org.kind == OrgKind::Committee {
        Ok(org)
    } else {
        Err(DomainError::refused(
            ErrorCode::PioneerNeedsCommittee,
            "the help branch is kept per township committee",
        ))
    }
}

/// The committee's help branch (township admins); 404 while none is designated.
pub async fn get_help_branch(
    ctx: &ReadContext<'_>,
    committee_id: OrgId,
) -> Result<HelpBranch, DomainError> {
    policy::may_somewhere(ctx.actor, Action::ManagePioneerIndex)?;
    let org = committee_in_scope(ctx.actor, ctx.repos, committee_id).await?;
    ctx.repos
        .pioneer_help()
        .help_branch(org.id)
        .await?
        .ok_or(DomainError::NotFound)
}

/// Designates a branch of the committee as its help branch (township admins; audited).
pub async fn set_help_branch(
    ctx: &WriteContext<'_>,
    committee_id: OrgId,
    branch_id: OrgId,
) -> Result<HelpBranch, DomainError> {
    policy::may_somewhere(ctx.actor, Action::ManagePioneerIndex)?;
    let uow = ctx.tx.begin().await?;
    let org = committee_in_scope(ctx.actor, uow.as_ref(), committee_id).await?;
    let branch = uow
        .orgs()
        .get(branch_id)
        .await?
        .filter(|b| b.kind == OrgKind::Branch && org.path.covers(&b.path))
        .ok_or_else(|| {
            DomainError::refused(
                ErrorCode::PioneerHelpBranchInvalid,
                "the help branch is a branch of the township",
            )
        })?;
    let now = ctx.clock.now();
    let help = HelpBranch {
        committee_id: org.id,
        branch_id: branch.id,
        set_by: ctx.actor.member_id,
        set_at: now,
    };
    uow.pioneer_help().set_help_branch(&help).await?;
    ctx.commit_audited(
        uow,
        now,
        "pioneer.help_branch_set",
        "org",
        branch.id.to_string(),
        Some((org.id, &org.path)),
    )
    .await?;
    Ok(help)
}

/// Moves `member` to `to`, leaving any group.
async fn move_member(
    uow: &dyn UnitOfWork,
    member: &Member,
    to: &Org,
    group: Option<OrgId>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Member, DomainError> {
    let moved = Member {
        branch_id: to.id,
        branch_path: to.path.clone(),
        group_id: group,
        updated_at: now,
        ..member.clone()
    };
    uow.members().update(&moved).await?;
    Ok(moved)
}

/// Moves the confirmed warning-level members of `half` into the help branch (township
/// admins; each move audited), once the publication window is over. Members moved before
/// (by this or an earlier half year) stay where they are: running it again moves nobody
/// twice. Answers the stays it began.
pub async fn move_to_help_branch(
    ctx: &WriteContext<'_>,
    committee_id: OrgId,
    half: HalfYear,
) -> Result<Vec<HelpTransfer>, DomainError> {
    policy::may_somewhere(ctx.actor, Action::ManagePioneerIndex)?;
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let org = committee_in_scope(ctx.actor, uow.as_ref(), committee_id).await?;
    let run = uow
        .pioneer_index()
        .run(org.id, half)
        .await?
        .ok_or(DomainError::NotFound)?;
    if run.status != RunStatus::Confirmed {
        return Err(DomainError::conflict(
            ErrorCode::PioneerIndexNotConfirmed,
            "only a confirmed half year's warning-level members are moved",
        ));
    }
    if run.publish_until.is_some_and(|end| now < end) {
        return Err(DomainError::conflict(
            ErrorCode::PioneerPublicationOpen,
            "members are moved once the publication window is over",
        ));
    }
    if uow
        .pioneer_index()
        .objections(run.id)
        .await?
        .iter()
        .any(|o| o.answer.is_none())
    {
        return Err(DomainError::conflict(
            ErrorCode::PioneerObjectionsOpen,
            "answer every objection before moving members",
        ));
    }
    let help = uow
        .pioneer_help()
        .help_branch(org.id)
        .await?
        .ok_or_else(|| {
            DomainError::conflict(
                ErrorCode::PioneerHelpBranchUnset,
                "designate the township's help branch first",
            )
        })?;
    let to = uow.orgs().get(help.branch_id).await?.ok_or_else(|| {
        DomainError::conflict(
            ErrorCode::PioneerHelpBranchUnset,
            "the designated help branch no longer exists",
        )
    })?;
    let mut moved = Vec::new();
    for result in uow
        .pioneer_index()
        .all_results(run.id)
        .await?
        .into_iter()
        .filter(|r| r.warning)
    {
        uow.members().lock(result.member_id).await?;
        let Some(member) = uow.members().get(result.member_id).await? else {
            continue;
        };
        if !member.is_active()
            || member.branch_id == to.id
            || uow.pioneer_help().open_transfer(member.id).await?.is_some()
        {
            continue;
        }
        let transfer = HelpTransfer {
            id: HelpTransferId::new(),
            committee_id: org.id,
            member_id: member.id,
            half,
            from_branch_id: member.branch_id,
            from_group_id: member.group_id,
            to_branch_id: to.id,
            moved_by: ctx.actor.member_id,
            moved_at: now,
            returned_by: None,
            returned_at: None,
        };
        uow.pioneer_help().insert_transfer(&transfer).await?;
        move_member(uow.as_ref(), &member, &to, None, now).await?;
        let entry = ctx.audit(
            now,
            "pioneer.moved_to_help_branch",
            "member",
            member.id.to_string(),
            Some((to.id, &to.path)),
        );
        uow.audit().append(&entry).await?;
        moved.push(transfer);
    }
    uow.commit().await?;
    Ok(moved)
}

/// Returns a member from the help branch to the branch (and group) they came from
/// (township admins; audited): once a half year after the one that moved them has been
/// confirmed without rating them warning-level.
pub async fn return_from_help_branch(
    ctx: &WriteContext<'_>,
    member_id: MemberId,
) -> Result<(HelpTransfer, Member), DomainError> {
    policy::may_somewhere(ctx.actor, Action::ManagePioneerIndex)?;
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let member = policy::load_in_scope(
        ctx.actor,
        Action::ManagePioneerIndex,
        uow.members().get(member_id),
        |m| &m.branch_path,
    )
    .await?;
    uow.members().lock(member.id).await?;
    let transfer = uow
        .pioneer_help()
        .open_transfer(member.id)
        .await?
        .ok_or_else(|| {
            DomainError::conflict(
                ErrorCode::PioneerNotInHelpBranch,
                "the member is not in the help branch",
            )
        })?;
    // A later half year, confirmed, in whose pool the member was and was not rated
    // warning-level.
    let mut due = false;
    let mut half = transfer.half.next();
    let latest = HalfYear::containing(now);
    while half <= latest && !due {
        if let Some(run) = uow
            .pioneer_index()
            .run(transfer.committee_id, half)
            .await?
            .filter(|r| r.status == RunStatus::Confirmed)
        {
            due = uow
                .pioneer_index()
                .result(run.id, member.id)
                .await?
                .is_some_and(|r| r.total().is_some() && !r.warning);
        }
        half = half.next();
    }
    if !due {
        return Err(DomainError::refused(
            ErrorCode::PioneerReturnNotDue,
            "a member returns once a later half year, confirmed, no longer rates them warning-level",
        ));
    }
    let from = uow
        .orgs()
        .get(transfer.from_branch_id)
        .await?
        .ok_or_else(|| {
            DomainError::conflict(
                ErrorCode::PioneerHelpBranchInvalid,
                "the branch the member came from no longer exists; transfer them instead",
            )
        })?;
    let group = match transfer.from_group_id {
        Some(g) => uow.orgs().get(g).await?.map(|o| o.id),
        None => None,
    };
    if !uow
        .pioneer_help()
        .close_transfer(transfer.id, ctx.actor.member_id, now)
        .await?
    {
        return Err(DomainError::conflict(
            ErrorCode::PioneerNotInHelpBranch,
            "the member was returned at the same time",
        ));
    }
    let back = move_member(uow.as_ref(), &member, &from, group, now).await?;
    let entry = ctx.audit(
        now,
        "pioneer.returned_from_help_branch",
        "member",
        member.id.to_string(),
        Some((from.id, &from.path)),
    );
    uow.audit().append(&entry).await?;
    uow.commit().await?;
    let returned = HelpTransfer {
        returned_by: Some(ctx.actor.member_id),
        returned_at: Some(now),
        ..transfer
    };
    Ok((returned, back))
}

/// The committee's members in the help branch now (township admins).
pub async fn list_help_transfers(
    ctx: &ReadContext<'_>,
    committee_id: OrgId,
) -> Result<Vec<HelpTransfer>, DomainError> {
    policy::may_somewhere(ctx.actor, Action::ManagePioneerIndex)?;
    let org = committee_in_scope(ctx.actor, ctx.repos, committee_id).await?;
    Ok(ctx.repos.pioneer_help().open_transfers(org.id).await?)
}
