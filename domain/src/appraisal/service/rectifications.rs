//! The rectification list (整改清单): members follow up their own lines, the secretary adds
//! lines and sees the branch's, overdue first; the township sees counts per branch.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{managed, managed_participant, own_participation, visible};
use crate::appraisal::campaign::CampaignId;
use crate::appraisal::rectification::{
    Rectification, RectificationCounts, RectificationId, RectificationSource, RectificationStatus,
};
use crate::calendar::shanghai;
use crate::context::{ReadContext, WriteContext};
use crate::error::{DomainError, ErrorCode, FieldError};
use crate::org::{MemberId, OrgPath};
use crate::text::clean_multiline;

fn today(now: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    now.with_timezone(&shanghai()).date_naive()
}

/// The caller's own lines in the campaign, by due date.
pub async fn my_rectifications(
    ctx: &ReadContext<'_>,
    id: CampaignId,
) -> Result<Vec<Rectification>, DomainError> {
    let (c, p) = own_participation(ctx.repos, ctx.actor, id).await?;
    Ok(ctx
        .repos
        .rectifications()
        .rectifications_of(c.id, p.member_id)
        .await?)
}

/// Marks one of the caller's own lines done (with a note on how) or open again.
pub async fn mark_rectification(
    ctx: &WriteContext<'_>,
    id: CampaignId,
    line: RectificationId,
    done_note: Option<&str>,
) -> Result<Rectification, DomainError> {
    let note = done_note
        .map(|n| Rectification::validate_note(n).map_err(|e| DomainError::Validation(vec![e])))
        .transpose()?;
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    visible(uow.as_ref(), ctx.actor, id).await?;
    let mut l = uow
        .rectifications()
        .rectification(line)
        .await?
        .filter(|l| l.campaign_id == id && l.member_id == ctx.actor.member_id)
        .ok_or(DomainError::NotFound)?;
    l.done = note.map(|n| (now, n));
    l.updated_at = now;
    uow.rectifications()
        .set_done(line, l.done.as_ref(), now)
        .await?;
    let action = if l.done.is_some() {
        "appraisal.rectification_done"
    } else {
        "appraisal.rectification_reopened"
    };
    let org = crate::org::OrgId::from_uuid(
        l.branch_path
            .last_id()
            .map_or(uuid::Uuid::nil(), |o| o.as_uuid()),
    );
    ctx.commit_audited(
        uow,
        now,
        action,
        "rectification",
        l.id.to_string(),
        Some((org, &l.branch_path)),
    )
    .await?;
    Ok(l)
}

/// What the secretary adds to a member's list (from the peer review or the rating).
#[derive(Debug, Clone)]
pub struct NewRectification {
    pub problem: String,
    pub measure: String,
    pub due_on: NaiveDate,
}

/// Adds a line to a participant's list (the secretary or township admin managing them).
pub async fn add_rectification(
    ctx: &WriteContext<'_>,
    id: CampaignId,
    member: MemberId,
    new: NewRectification,
) -> Result<Rectification, DomainError> {
    let mut errors = Vec::new();
    let mut text = |raw: &str, ptr: &str| {
        clean_multiline(raw, 500, ptr, ErrorCode::RectificationTextInvalid)
            .map_err(|e| errors.push(e))
            .unwrap_or_default()
    };
    let problem = text(&new.problem, "/problem");
    let measure = text(&new.measure, "/measure");
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let (c, p) = managed_participant(uow.as_ref(), ctx.actor, id, member).await?;
    let range = c.due_range();
    if !range.contains(&new.due_on) {
        return Err(DomainError::Validation(vec![FieldError::new(
            "/dueOn",
            ErrorCode::AssessmentDueDateInvalid,
            format!(
                "the due date must fall between {} and {}",
                range.start(),
                range.end()
            ),
        )]));
    }
    let line = Rectification {
        id: RectificationId::at(now),
        campaign_id: id,
        member_id: member,
        branch_path: p.branch_path.clone(),
        problem,
        measure,
        due_on: new.due_on,
        source: RectificationSource::Secretary,
        done: None,
        created_by: ctx.actor.member_id,
        created_at: now,
        updated_at: now,
    };
    uow.rectifications().insert_rectification(&line).await?;
    ctx.commit_audited(
        uow,
        now,
        "appraisal.rectification_added",
        "rectification",
        line.id.to_string(),
        Some((p.branch_id, &p.branch_path)),
    )
    .await?;
    Ok(line)
}

/// The lines under the caller's part of the campaign: overdue first, then by due date.
pub async fn branch_rectifications(
    ctx: &ReadContext<'_>,
    id: CampaignId,
) -> Result<Vec<Rectification>, DomainError> {
    let (c, part) = managed(ctx.repos, ctx.actor, id).await?;
    let day = today(ctx.clock.now());
    let mut lines = ctx
        .repos
        .rectifications()
        .rectifications_under(c.id, &part)
        .await?;
    lines.sort_by_key(|l| (l.status(day), l.due_on, l.id));
    Ok(lines)
}

/// Counts per branch under the caller's part of the campaign (the township's view).
pub async fn rectification_counts(
    ctx: &ReadContext<'_>,
    id: CampaignId,
) -> Result<Vec<(OrgPath, RectificationCounts)>, DomainError> {
    let (c, part) = managed(ctx.repos, ctx.actor, id).await?;
    let day = today(ctx.clock.now());
    let mut by_branch: BTreeMap<OrgPath, RectificationCounts> = BTreeMap::new();
    for p in ctx.repos.appraisals().participants(c.id, &part).await? {
        by_branch.entry(p.branch_path).or_default();
    }
    for l in ctx
        .repos
        .rectifications()
        .rectifications_under(c.id, &part)
        .await?
    {
        let n = by_branch.entry(l.branch_path.clone()).or_default();
        match l.status(day) {
            RectificationStatus::Open => n.open += 1,
            RectificationStatus::Overdue => n.overdue += 1,
            RectificationStatus::Done => n.done += 1,
        }
    }
    Ok(by_branch.into_iter().collect())
}
