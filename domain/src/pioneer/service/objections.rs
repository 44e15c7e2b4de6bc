//! One objection per member to their published result, within the publication window, and
//! the township's one answer; an upheld objection withdraws a warning-level rating as long
//! as the quota still holds. The help branch waits until every objection is answered.

use crate::context::{ReadContext, WriteContext};
use crate::error::{DomainError, ErrorCode};
use crate::org::policy::{self, Action};
use crate::org::{MemberId, OrgId, OrgKind};
use crate::pioneer::run::{IndexRun, ObjectionAnswer, ResultObjection, RunStatus};
use crate::text::clean_text;
use crate::volunteer::HalfYear;

fn text(raw: &str, pointer: &str) -> Result<String, DomainError> {
    clean_text(
        raw,
        ResultObjection::MAX_TEXT_CHARS,
        pointer,
        ErrorCode::PioneerObjectionTextInvalid,
    )
    .map_err(|e| DomainError::Validation(vec![e]))
}

/// The caller objects to their result of `half` (once, while it is published).
pub async fn object(
    ctx: &WriteContext<'_>,
    half: HalfYear,
    raw: &str,
) -> Result<ResultObjection, DomainError> {
    let text = text(raw, "/text")?;
    let now = ctx.clock.now();
    let committee = ctx
        .actor
        .branch_path
        .root_id()
        .ok_or(DomainError::NotFound)?;
    let uow = ctx.tx.begin().await?;
    let run = uow
        .pioneer_index()
        .run(committee, half)
        .await?
        .filter(|r| r.status == RunStatus::Confirmed)
        .ok_or(DomainError::NotFound)?;
    let result = uow
        .pioneer_index()
        .result(run.id, ctx.actor.member_id)
        .await?
        .ok_or(DomainError::NotFound)?;
    if !super::index::in_publication(&run, now) {
        return Err(DomainError::conflict(
            ErrorCode::PioneerPublicationClosed,
            "objections are taken while the results are published",
        ));
    }
    let objection = ResultObjection {
        run_id: run.id,
        member_id: result.member_id,
        text,
        at: now,
        answer: None,
    };
    uow.pioneer_index()
        .insert_objection(&objection)
        .await
        .map_err(|e| match e {
            crate::error::RepoError::Conflict { .. } => {
                DomainError::conflict(ErrorCode::PioneerObjectionExists, "a member objects once")
            }
            other => other.into(),
        })?;
    ctx.commit_audited(
        uow,
        now,
        "pioneer.objection",
        "pioneer_result",
        format!("{}/{half}", result.member_id),
        Some((result.branch_id, &result.branch_path)),
    )
    .await?;
    Ok(objection)
}

/// The caller's objection to `half`, if any.
pub async fn my_objection(
    ctx: &ReadContext<'_>,
    run: &IndexRun,
) -> Result<Option<ResultObjection>, DomainError> {
    Ok(ctx
        .repos
        .pioneer_index()
        .objection(run.id, ctx.actor.member_id)
        .await?)
}

async fn confirmed_run(
    repos: &dyn crate::uow::Repositories,
    actor: &crate::org::Actor,
    committee_id: OrgId,
    half: HalfYear,
) -> Result<(crate::org::Org, IndexRun), DomainError> {
    let org = policy::load_in_scope(
        actor,
        Action::ManagePioneerIndex,
        repos.orgs().get(committee_id),
        |o| &o.path,
    )
    .await?;
    if org.kind != OrgKind::Committee {
        return Err(DomainError::refused(
            ErrorCode::PioneerNeedsCommittee,
            "the pioneer index is kept per township committee",
        ));
    }
    let run = repos
        .pioneer_index()
        .run(org.id, half)
        .await?
        .filter(|r| r.status == RunStatus::Confirmed)
        .ok_or(DomainError::NotFound)?;
    Ok((org, run))
}

/// The objections to `half` (township admins).
pub async fn list_objections(
    ctx: &ReadContext<'_>,
    committee_id: OrgId,
    half: HalfYear,
) -> Result<Vec<ResultObjection>, DomainError> {
    policy::may_somewhere(ctx.actor, Action::ManagePioneerIndex)?;
    let (_, run) = confirmed_run(ctx.repos, ctx.actor, committee_id, half).await?;
    Ok(ctx.repos.pioneer_index().objections(run.id).await?)
}

/// Answers a member's objection once (township admins; audited). Upheld, it withdraws the
/// member's warning-level rating, unless that would leave fewer than the quota.
pub async fn answer_result_objection(
    ctx: &WriteContext<'_>,
    committee_id: OrgId,
    half: HalfYear,
    member: MemberId,
    upheld: bool,
    raw_reply: &str,
) -> Result<ResultObjection, DomainError> {
    let reply = text(raw_reply, "/reply")?;
    policy::may_somewhere(ctx.actor, Action::ManagePioneerIndex)?;
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let (org, run) = confirmed_run(uow.as_ref(), ctx.actor, committee_id, half).await?;
    let objection = uow
        .pioneer_index()
        .objection(run.id, member)
        .await?
        .ok_or(DomainError::NotFound)?;
    if objection.answer.is_some() {
        return Err(DomainError::conflict(
            ErrorCode::PioneerObjectionAnswered,
            "an objection is answered once",
        ));
    }
    if upheld {
        let results = uow.pioneer_index().all_results(run.id).await?;
        let warned: Vec<MemberId> = results
            .iter()
            .filter(|r| r.warning && r.member_id != member)
            .map(|r| r.member_id)
            .collect();
        let was_warned = results.iter().any(|r| r.warning && r.member_id == member);
        if was_warned {
            if (warned.len() as u32) < run.quota {
                return Err(DomainError::refused(
                    ErrorCode::PioneerWarningBelowQuota,
                    "withdrawing this rating would leave fewer warning-level members than the quota",
                ));
            }
            uow.pioneer_index().set_warning(run.id, &warned).await?;
        }
    }
    let answer = ObjectionAnswer {
        upheld,
        reply,
        by: ctx.actor.member_id,
        at: now,
    };
    if !uow
        .pioneer_index()
        .answer_objection(run.id, member, &answer)
        .await?
    {
        return Err(DomainError::conflict(
            ErrorCode::PioneerObjectionAnswered,
            "the objection was answered at the same time",
        ));
    }
    ctx.commit_audited(
        uow,
        now,
        "pioneer.objection_answered",
        "pioneer_result",
        format!("{member}/{half}"),
        Some((org.id, &org.path)),
    )
    .await?;
    Ok(ResultObjection {
        answer: Some(answer),
        ..objection
    })
}
