//! Members' self-assessments: drafts under If-Match, submission, the secretary's overview,
//! reading and reopening.

use super::*;
use crate::appraisal::rectification::Rectification;
use chrono::{DateTime, Utc};

use crate::appraisal::assessment::AssessmentContent;
use crate::appraisal::campaign::{
    AssessmentStatus, Campaign, CampaignId, Participant, SelfAssessment,
};
use crate::appraisal::notice::reminder_message;
use crate::appraisal::ports::AssessmentProgress;
use crate::appraisal::stage::{Stage, Standing};
use crate::context::{ReadContext, WriteContext};
use crate::error::{DomainError, ErrorCode};
use crate::org::MemberId;
use crate::uow::Repositories;

/// The caller's own self-assessment (a blank draft at version 0 before the first save).
pub async fn my_assessment(
    ctx: &ReadContext<'_>,
    id: CampaignId,
) -> Result<(Campaign, SelfAssessment), DomainError> {
    let (c, p) = own_participation(ctx.repos, ctx.actor, id).await?;
    let a = ctx
        .repos
        .appraisals()
        .assessment(id, ctx.actor.member_id)
        .await?
        .unwrap_or_else(|| SelfAssessment::blank(&p, c.created_at));
    Ok((c, a))
}

/// Whether the participant may still write their self-assessment at `now`: during the
/// self-assessment stage, and not when excused. A member whose approved exemption covers
/// the campaign's 组织生活会 (frail, long ill) may still write after the stage, until the
/// rating begins.
async fn require_writable(
    repos: &dyn Repositories,
    c: &Campaign,
    p: &Participant,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    if p.excused.is_some() {
        return Err(DomainError::refused(
            ErrorCode::AppraisalExcused,
            "you are excused from this campaign",
        ));
    }
    let open = c.stages.require_open(Stage::SelfAssessment, now);
    let late = c.standing(now).order() < Standing::Open(Stage::Rating).order()
        && c.standing(now).order() > Standing::Open(Stage::SelfAssessment).order();
    if open.is_err() && late {
        if let Some(meeting) = c.meeting_id {
            if let Some(a) = repos.activities().get(meeting).await? {
                let exempted = repos
                    .exemptions()
                    .live_of_member(p.member_id)
                    .await?
                    .iter()
                    .any(|e| e.excuses(&a));
                if exempted {
                    return Ok(());
                }
            }
        }
    }
    open
}

/// Saves the caller's draft if `if_match` is the stored version (0 before the first save).
/// A stale version changes nothing and answers the version now stored.
pub async fn save_my_assessment(
    ctx: &WriteContext<'_>,
    id: CampaignId,
    content: AssessmentContent,
    if_match: i64,
) -> Result<SelfAssessment, DomainError> {
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let (mut c, p) = own_participation(uow.as_ref(), ctx.actor, id).await?;
    catch_up(uow.as_ref(), ctx, &mut c, now).await?;
    require_writable(uow.as_ref(), &c, &p, now).await?;
    let content = content
        .clean(c.due_range())
        .map_err(DomainError::Validation)?;
    let stored = uow.appraisals().assessment(id, p.member_id).await?;
    let current = stored.as_ref().map_or(0, |a| a.version);
    if current != if_match {
        return Err(stale(current));
    }
    if stored
        .as_ref()
        .is_some_and(|a| a.status == AssessmentStatus::Submitted)
    {
        return Err(DomainError::refused(
            ErrorCode::AssessmentSubmitted,
            "the self-assessment is submitted; ask your secretary to reopen it",
        ));
    }
    let next = SelfAssessment {
        content,
        version: current + 1,
        status: AssessmentStatus::Draft,
        updated_at: now,
        ..stored.unwrap_or_else(|| SelfAssessment::blank(&p, now))
    };
    if !uow.appraisals().save_assessment(&next, current).await? {
        return Err(stale(current + 1));
    }
    ctx.commit_audited(
        uow,
        now,
        "appraisal.assessment_saved",
        "self_assessment",
        format!("{id}:{}", p.member_id),
        Some((p.branch_id, &p.branch_path)),
    )
    .await?;
    Ok(next)
}

/// Submits the caller's self-assessment at version `if_match`: complete, and locked from
/// then on.
pub async fn submit_my_assessment(
    ctx: &WriteContext<'_>,
    id: CampaignId,
    if_match: i64,
) -> Result<SelfAssessment, DomainError> {
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let (mut c, p) = own_participation(uow.as_ref(), ctx.actor, id).await?;
    catch_up(uow.as_ref(), ctx, &mut c, now).await?;
    require_writable(uow.as_ref(), &c, &p, now).await?;
    let stored = uow.appraisals().assessment(id, p.member_id).await?;
    let current = stored.as_ref().map_or(0, |a| a.version);
    if current != if_match {
        return Err(stale(current));
    }
    let Some(stored) = stored else {
        return Err(DomainError::Validation(
            AssessmentContent::default().incomplete(),
        ));
    };
    if stored.status == AssessmentStatus::Submitted {
        return Err(DomainError::refused(
            ErrorCode::AssessmentSubmitted,
            "the self-assessment is already submitted",
        ));
    }
    let missing = stored.content.incomplete();
    if !missing.is_empty() {
        return Err(DomainError::Validation(missing));
    }
    let next = SelfAssessment {
        version: current + 1,
        status: AssessmentStatus::Submitted,
        submitted_at: Some(now),
        updated_at: now,
        ..stored
    };
    if !uow.appraisals().save_assessment(&next, current).await? {
        return Err(stale(current + 1));
    }
    // The problems found become the member's rectification list.
    let lines =
        Rectification::from_problems(id, p.member_id, &p.branch_path, &next.content.problems, now);
    uow.rectifications()
        .replace_from_assessment(id, p.member_id, &lines)
        .await?;
    ctx.commit_audited(
        uow,
        now,
        "appraisal.assessment_submitted",
        "self_assessment",
        format!("{id}:{}", p.member_id),
        Some((p.branch_id, &p.branch_path)),
    )
    .await?;
    Ok(next)
}

/// Who under the caller's part of the campaign has and hasn't submitted.
pub async fn assessment_progress(
    ctx: &ReadContext<'_>,
    id: CampaignId,
) -> Result<Vec<AssessmentProgress>, DomainError> {
    let (c, part) = managed(ctx.repos, ctx.actor, id).await?;
    Ok(ctx.repos.appraisals().progress(c.id, &part).await?)
}

/// What a reminder did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reminders {
    /// Participants under the caller's part of the campaign who have not submitted (those
    /// excused aside).
    pub pending: usize,
    /// Reminded now.
    pub reminded: Vec<MemberId>,
    /// Reminded already today (by anyone): not again before tomorrow.
    pub already_today: usize,
}

/// Reminds every participant under the caller's part of the campaign who has not submitted
/// their self-assessment, by subscribe message through the outbox: during the
/// self-assessment stage, at most once per member per day (Beijing), audited when anyone
/// was reminded. A reminder not sent by the time the member submits, or the stage ends, is
/// dropped.
pub async fn remind_pending(
    ctx: &WriteContext<'_>,
    id: CampaignId,
) -> Result<Reminders, DomainError> {
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let (mut c, part) = managed(uow.as_ref(), ctx.actor, id).await?;
    let Some(template) = ctx.push.appraisal.as_deref() else {
        return Err(DomainError::conflict(
            ErrorCode::AppraisalRemindersOff,
            "no subscribe-message template is configured for self-assessment reminders",
        ));
    };
    catch_up(uow.as_ref(), ctx, &mut c, now).await?;
    c.stages.require_open(Stage::SelfAssessment, now)?;
    let pending: Vec<MemberId> = uow
        .appraisals()
        .progress(id, &part)
        .await?
        .into_iter()
        .filter(|p| p.status != AssessmentStatus::Submitted && p.participant.excused.is_none())
        .map(|p| p.participant.member_id)
        .collect();
    let mut out = Reminders {
        pending: pending.len(),
        ..Reminders::default()
    };
    for member in pending {
        let message = reminder_message(&c, member, template, now);
        if uow.push().enqueue(&message, &[member], now).await? {
            out.reminded.push(member);
        } else {
            out.already_today += 1;
        }
    }
    if out.reminded.is_empty() {
        // Nothing sent, nothing to audit (catching up may still have written).
        uow.commit().await?;
        return Ok(out);
    }
    let org = part.last_id().unwrap_or(c.org_id);
    ctx.commit_audited(
        uow,
        now,
        "appraisal.reminders_sent",
        "appraisal",
        id.to_string(),
        Some((org, &part)),
    )
    .await?;
    Ok(out)
}

/// A participant's self-assessment, for the secretary or township admin managing them.
pub async fn member_assessment(
    ctx: &ReadContext<'_>,
    id: CampaignId,
    member: MemberId,
) -> Result<SelfAssessment, DomainError> {
    let (c, p) = managed_participant(ctx.repos, ctx.actor, id, member).await?;
    Ok(ctx
        .repos
        .appraisals()
        .assessment(id, member)
        .await?
        .unwrap_or_else(|| SelfAssessment::blank(&p, c.created_at)))
}

/// Reopens a participant's submitted self-assessment during its stage, with a reason.
pub async fn reopen_assessment(
    ctx: &WriteContext<'_>,
    id: CampaignId,
    member: MemberId,
    why: &str,
) -> Result<SelfAssessment, DomainError> {
    let why = reason(why, "/reason", ErrorCode::AppraisalReasonInvalid)?;
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let (mut c, p) = managed_participant(uow.as_ref(), ctx.actor, id, member).await?;
    catch_up(uow.as_ref(), ctx, &mut c, now).await?;
    c.stages.require_open(Stage::SelfAssessment, now)?;
    let stored = uow
        .appraisals()
        .assessment(id, member)
        .await?
        .filter(|a| a.status == AssessmentStatus::Submitted)
        .ok_or_else(|| {
            DomainError::refused(
                ErrorCode::AssessmentNotSubmitted,
                "only a submitted self-assessment can be reopened",
            )
        })?;
    let current = stored.version;
    let next = SelfAssessment {
        version: current + 1,
        status: AssessmentStatus::Draft,
        submitted_at: None,
        reopened: Some(why),
        updated_at: now,
        ..stored
    };
    if !uow.appraisals().save_assessment(&next, current).await? {
        return Err(stale(current + 1));
    }
    ctx.commit_audited(
        uow,
        now,
        "appraisal.assessment_reopened",
        "self_assessment",
        format!("{id}:{member}"),
        Some((p.branch_id, &p.branch_path)),
    )
    .await?;
    Ok(next)
}
