//! Deductions: a secretary or branch committee member covering the member's branch records
//! a negative item of the member's profile against them, a township admin covering it any
//! negative or zeroing item; each with a reason, for the current half year or the one before
//! while it is not computed. The member sees their own and may object once; a township
//! admin covering them answers the objection once, and an upheld objection takes the
//! deduction out of the index. Nothing about a computed half year changes.

use super::placement::{committee_of, profile_of, rules_in_force};
use crate::context::{ReadContext, WriteContext};
use crate::error::{DomainError, ErrorCode};
use crate::org::policy::{self, Action};
use crate::org::{MemberId, OrgId};
use crate::page::{Page, PageRequest};
use crate::pioneer::claim_ports::{DeductionFilter, Whose};
use crate::pioneer::deduction::{
    Deduction, DeductionId, DeductionKind, DeductionObjection, ObjectionAnswer,
};
use crate::pioneer::window;
use crate::volunteer::HalfYear;

/// What a recorder sends.
#[derive(Debug, Clone)]
pub struct NewDeduction {
    /// Default: the current half year (Beijing).
    pub half: Option<HalfYear>,
    pub item_code: String,
    pub reason: String,
}

/// Records a deduction against a member. Audited.
pub async fn record_deduction(
    ctx: &WriteContext<'_>,
    member: MemberId,
    new: NewDeduction,
) -> Result<Deduction, DomainError> {
    // Plain members record nowhere: 403 before anything is looked up.
    policy::may_somewhere(ctx.actor, Action::RecordPioneerDeductions)?;
    let reason =
        Deduction::validate_reason(&new.reason).map_err(|e| DomainError::Validation(vec![e]))?;
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let m = policy::load_in_scope(
        ctx.actor,
        Action::RecordPioneerDeductions,
        uow.members().get(member),
        |m| &m.branch_path,
    )
    .await?;
    let committee = committee_of(&m)?;
    let last = uow.pioneer_rules().last_computed(committee).await?;
    let half = window::open_half(new.half, now, last)?;
    let rules = rules_in_force(uow.as_ref(), committee, half).await?;
    let profile = profile_of(uow.as_ref(), &rules, &m).await?;
    let kind = if profile.negative_item(&new.item_code).is_some() {
        DeductionKind::Negative
    } else if profile.zeroing_item(&new.item_code).is_some() {
        // 一票否决 is the township's to record.
        if policy::authorize(ctx.actor, Action::ManagePioneerIndex, &m.branch_path).is_err() {
            return Err(DomainError::refused(
                ErrorCode::PioneerZeroingByTownship,
                "zeroing items are recorded by the township's admins",
            ));
        }
        DeductionKind::Zeroing
    } else {
        return Err(DomainError::refused(
            ErrorCode::PioneerItemNotApplicable,
            format!(
                "`{}` is no negative or zeroing item of the profile {} for {half}",
                new.item_code, profile.name
            ),
        ));
    };
    let d = Deduction {
        id: DeductionId::at(now),
        committee_id: committee,
        member_id: m.id,
        branch_id: m.branch_id,
        branch_path: m.branch_path.clone(),
        half,
        item_code: new.item_code,
        kind,
        reason,
        recorded_by: ctx.actor.member_id,
        recorded_at: now,
        objection: None,
    };
    uow.pioneer_claims().insert_deduction(&d).await?;
    ctx.commit_audited(
        uow,
        now,
        "pioneer.deduction_recorded",
        "pioneer_deduction",
        d.id.to_string(),
        Some((d.branch_id, &d.branch_path)),
    )
    .await?;
    Ok(d)
}

/// Deductions newest first: the caller's own by default; with `member` a member's (the
/// caller themself, or one whose branch they record deductions for), with `org` those under
/// it (a branch, or the township), both together the member's if they are under the org.
/// Naming someone else or an org when the caller records deductions nowhere is 403; out
/// of their scope, 404.
pub async fn list_deductions(
    ctx: &ReadContext<'_>,
    org: Option<OrgId>,
    member: Option<MemberId>,
    half: Option<HalfYear>,
    page: &PageRequest,
) -> Result<Page<Deduction>, DomainError> {
    let actor = ctx.actor;
    let action = Action::RecordPioneerDeductions;
    let under = match org {
        None => None,
        Some(id) => Some(
            policy::load_in_scope(actor, action, ctx.repos.orgs().get(id), |o| &o.path)
                .await?
                .path,
        ),
    };
    let whose = match (member, under) {
        (None, None) => Whose::Member(actor.member_id),
        (None, Some(path)) => Whose::Under(path),
        (Some(id), under) => {
            let m = if id == actor.member_id {
                ctx.repos
                    .members()
                    .get(id)
                    .await?
                    .ok_or(DomainError::NotFound)?
            } else {
                policy::load_in_scope(actor, action, ctx.repos.members().get(id), |m| {
                    &m.branch_path
                })
                .await?
            };
            if under.is_some_and(|u| !u.covers(&m.branch_path)) {
                return Ok(Page {
                    items: Vec::new(),
                    next: None,
                });
            }
            Whose::Member(m.id)
        }
    };
    let filter = DeductionFilter { whose, half };
    Ok(ctx
        .repos
        .pioneer_claims()
        .list_deductions(&filter, page)
        .await?)
}

/// The member objects to a deduction of theirs, once. Audited.
pub async fn object_to_deduction(
    ctx: &WriteContext<'_>,
    id: DeductionId,
    text: &str,
) -> Result<Deduction, DomainError> {
    let text = Deduction::validate_objection_text(text, "/text")
        .map_err(|e| DomainError::Validation(vec![e]))?;
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    // Only the member's own: anyone else's is as missing as a random id.
    let d = uow
        .pioneer_claims()
        .deduction(id)
        .await?
        .filter(|d| d.member_id == ctx.actor.member_id)
        .ok_or(DomainError::NotFound)?;
    let exists = || {
        DomainError::conflict(
            ErrorCode::PioneerObjectionExists,
            "you have objected to this deduction already",
        )
    };
    if d.objection.is_some() {
        return Err(exists());
    }
    let last = uow.pioneer_rules().last_computed(d.committee_id).await?;
    window::not_computed(d.half, last)?;
    let objection = DeductionObjection {
        text,
        at: now,
        answer: None,
    };
    if !uow
        .pioneer_claims()
        .lodge_objection(d.id, &objection)
        .await?
    {
        return Err(exists());
    }
    ctx.commit_audited(
        uow,
        now,
        "pioneer.deduction_objected",
        "pioneer_deduction",
        d.id.to_string(),
        Some((d.branch_id, &d.branch_path)),
    )
    .await?;
    Ok(Deduction {
        objection: Some(objection),
        ..d
    })
}

/// What an answer carries.
#[derive(Debug, Clone)]
pub struct AnswerInput {
    pub upheld: bool,
    pub reply: String,
}

/// A township admin covering the member answers their objection, once. Upheld, the
/// deduction no longer counts. Audited.
pub async fn answer_objection(
    ctx: &WriteContext<'_>,
    id: DeductionId,
    input: AnswerInput,
) -> Result<Deduction, DomainError> {
    policy::may_somewhere(ctx.actor, Action::ManagePioneerIndex)?;
    let reply = Deduction::validate_objection_text(&input.reply, "/reply")
        .map_err(|e| DomainError::Validation(vec![e]))?;
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let d = policy::load_in_scope(
        ctx.actor,
        Action::ManagePioneerIndex,
        uow.pioneer_claims().deduction(id),
        |d| &d.branch_path,
    )
    .await?;
    let answered = || {
        DomainError::conflict(
            ErrorCode::PioneerObjectionAnswered,
            "this objection is answered already",
        )
    };
    let Some(objection) = d.objection.clone() else {
        return Err(DomainError::conflict(
            ErrorCode::PioneerObjectionMissing,
            "the member has not objected to this deduction",
        ));
    };
    if objection.answer.is_some() {
        return Err(answered());
    }
    let last = uow.pioneer_rules().last_computed(d.committee_id).await?;
    window::not_computed(d.half, last)?;
    let answer = ObjectionAnswer {
        upheld: input.upheld,
        reply,
        by: ctx.actor.member_id,
        at: now,
    };
    if !uow.pioneer_claims().answer_objection(d.id, &answer).await? {
        return Err(answered());
    }
    let action = if answer.upheld {
        "pioneer.objection_upheld"
    } else {
        "pioneer.objection_rejected"
    };
    ctx.commit_audited(
        uow,
        now,
        action,
        "pioneer_deduction",
        d.id.to_string(),
        Some((d.branch_id, &d.branch_path)),
    )
    .await?;
    Ok(Deduction {
        objection: Some(DeductionObjection {
            answer: Some(answer),
            ..objection
        }),
        ..d
    })
}
