//! Appraisal use cases: opening a campaign, moving its stages, and members' self-assessments
//! (drafts with optimistic concurrency, submission, the secretary's overview, reopening and
//! excusing).

use chrono::{DateTime, Utc};

use super::assessment::AssessmentContent;
use super::campaign::{
    AssessmentStatus, Campaign, CampaignId, Excusal, Participant, SelfAssessment, Share,
};
use super::model::{PeerScope, Period, DEFAULT_NEGATIVE_LIST, DEFAULT_POSITIVE_LIST};
use super::ports::{AssessmentProgress, CampaignQuery};
use super::stage::{Schedule, Stage, StageClock, StageDates, Standing};
use crate::activity::{ActivityId, ActivityKind};
use crate::audit::{AuditAction, AuditEntry, AuditId, NewAuditEntry};
use crate::context::{ReadContext, WriteContext};
use crate::error::{DomainError, ErrorCode, FieldError};
use crate::org::policy::{self, Action, Actor};
use crate::org::{MemberId, OrgId, OrgKind, OrgPath, RoleKind};
use crate::page::{Page, PageRequest};
use crate::text::clean_text;
use crate::uow::{Repositories, UnitOfWork};

/// What opening a campaign takes.
#[derive(Debug, Clone)]
pub struct NewCampaign {
    pub name: String,
    pub period: Period,
    pub meeting_id: Option<ActivityId>,
    /// The five stages' dates, in order.
    pub stages: [StageDates; 5],
    pub peer_scope: PeerScope,
    pub positive_list: Option<Vec<String>>,
    pub negative_list: Option<Vec<String>>,
    pub excellent_share: Share,
}

/// Whether the caller may see the campaign: they take part (their branch is under it), or a
/// role of theirs (secretary, committee, township) covers it or lies inside it.
fn may_read(actor: &Actor, c: &Campaign) -> bool {
    c.org_path.covers(&actor.branch_path)
        || actor.roles.iter().any(|r| {
            matches!(
                r.kind,
                RoleKind::Secretary | RoleKind::Committee | RoleKind::TownshipAdmin
            ) && (r.org_path.covers(&c.org_path) || c.org_path.covers(&r.org_path))
        })
}

/// The part of the campaign the caller manages: the campaign's own org when a role covers
/// it, otherwise the subtrees inside it their roles cover (a branch's secretary in a
/// township's campaign). `None` when they manage none of it.
fn managed_part(actor: &Actor, c: &Campaign) -> Option<OrgPath> {
    let scopes = policy::scopes(actor, Action::ManageAppraisals);
    if scopes.iter().any(|s| s.covers(&c.org_path)) {
        return Some(c.org_path.clone());
    }
    scopes.into_iter().find(|s| c.org_path.covers(s))
}

async fn visible(
    repos: &dyn Repositories,
    actor: &Actor,
    id: CampaignId,
) -> Result<Campaign, DomainError> {
    repos
        .appraisals()
        .get_campaign(id)
        .await?
        .filter(|c| may_read(actor, c))
        .ok_or(DomainError::NotFound)
}

/// The audit action of a standing the dates (or the secretary) brought about.
fn stage_action(st: Standing) -> &'static str {
    match st {
        Standing::NotStarted => "appraisal.not_started",
        Standing::Open(Stage::Mobilisation) => "appraisal.mobilisation_begun",
        Standing::Open(Stage::SelfAssessment) => "appraisal.self_assessment_begun",
        Standing::Open(Stage::PeerReview) => "appraisal.peer_review_begun",
        Standing::Open(Stage::Rating) => "appraisal.rating_begun",
        Standing::Open(Stage::Publication) => "appraisal.publication_begun",
        Standing::Ended(Stage::Mobilisation) => "appraisal.mobilisation_ended",
        Standing::Ended(Stage::SelfAssessment) => "appraisal.self_assessment_ended",
        Standing::Ended(Stage::PeerReview) => "appraisal.peer_review_ended",
        Standing::Ended(Stage::Rating) => "appraisal.rating_ended",
        Standing::Ended(Stage::Publication) | Standing::Closed => "appraisal.closed",
    }
}

/// Records, in `uow`, every stage transition the dates brought about since the audit trail
/// last caught up (by the system, not the caller), and moves the campaign's recorded
/// standing on. The caller stores the campaign.
async fn catch_up(
    uow: &dyn UnitOfWork,
    ctx: &WriteContext<'_>,
    c: &mut Campaign,
    now: DateTime<Utc>,
) -> Result<bool, DomainError> {
    let standing = c.standing(now);
    if standing == c.recorded {
        return Ok(false);
    }
    let since =
        c.stages.start(Stage::Mobilisation).min(c.created_at) - chrono::Duration::seconds(1);
    for (st, _) in c.stages.transitions(since, now) {
        // Only what comes after the recorded standing is new.
        if st.order() <= c.recorded.order() {
            continue;
        }
        let entry = AuditEntry::record(
            AuditId::at(now),
            NewAuditEntry {
                actor: None,
                action: AuditAction::known(stage_action(st)),
                object_type: "appraisal".to_owned(),
                object_id: c.id.to_string(),
                org_id: Some(c.org_id.as_uuid()),
                org_path: Some(c.org_path.as_str().to_owned()),
                request_id: ctx.request_id.clone(),
            },
            now,
        );
        uow.audit().append(&entry).await?;
    }
    c.recorded = standing;
    c.updated_at = now;
    Ok(true)
}

/// Opens a campaign for the org's subtree (a branch's secretary for their branch, a township
/// admin for any org of theirs but a group), with every active member of its branches as a
/// participant.
pub async fn open_campaign(
    ctx: &WriteContext<'_>,
    org_id: OrgId,
    new: NewCampaign,
) -> Result<Campaign, DomainError> {
    policy::may_somewhere(ctx.actor, Action::ManageAppraisals)?;
    let now = ctx.clock.now();
    let mut errors = Vec::new();
    let name = Campaign::validate_name(&new.name)
        .map_err(|e| errors.push(e))
        .ok();
    let positive =
        Campaign::validate_list(new.positive_list, "/positiveList", DEFAULT_POSITIVE_LIST)
            .map_err(|e| errors.extend(e))
            .ok();
    let negative =
        Campaign::validate_list(new.negative_list, "/negativeList", DEFAULT_NEGATIVE_LIST)
            .map_err(|e| errors.extend(e))
            .ok();
    let schedule = Schedule::new(new.stages).map_err(|e| errors.extend(e)).ok();
    let (Some(name), Some(positive_list), Some(negative_list), Some(schedule), true) =
        (name, positive, negative, schedule, errors.is_empty())
    else {
        return Err(DomainError::Validation(errors));
    };

    let uow = ctx.tx.begin().await?;
    let org = policy::load_in_scope(
        ctx.actor,
        Action::ManageAppraisals,
        uow.orgs().get(org_id),
        |o| &o.path,
    )
    .await?;
    if org.kind == OrgKind::Group {
        return Err(DomainError::refused(
            ErrorCode::AppraisalOrgInvalid,
            "a campaign is held by a branch or for the branches under an org, not by a group",
        ));
    }
    if let Some(meeting) = new.meeting_id {
        let fits = uow.activities().get(meeting).await?.is_some_and(|a| {
            a.kind == ActivityKind::OrgLifeMeeting && org.path.covers(&a.branch_path)
        });
        if !fits {
            return Err(DomainError::invalid(
                "/meetingId",
                ErrorCode::AppraisalMeetingInvalid,
                "the meeting must be an org_life_meeting activity of a branch in the campaign",
            ));
        }
    }
    let branches = if org.kind == OrgKind::Branch {
        vec![org.clone()]
    } else {
        uow.orgs().branches_under(&org.path).await?
    };
    let id = CampaignId::at(now);
    let mut participants = Vec::new();
    for b in &branches {
        for m in uow.members().active_in_branch(&b.path).await? {
            participants.push(Participant {
                campaign_id: id,
                member_id: m.id,
                name: m.name.clone(),
                branch_id: m.branch_id,
                branch_path: m.branch_path.clone(),
                group_id: m.group_id,
                probationary: m.probationary,
                excused: None,
            });
        }
    }
    if participants.is_empty() {
        return Err(DomainError::refused(
            ErrorCode::AppraisalNoParticipants,
            "no active member takes part under this org",
        ));
    }
    let stages = StageClock::new(schedule);
    let campaign = Campaign {
        id,
        org_id: org.id,
        org_path: org.path.clone(),
        name,
        period: new.period,
        meeting_id: new.meeting_id,
        recorded: stages.standing(now),
        stages,
        peer_scope: new.peer_scope,
        positive_list,
        negative_list,
        excellent_share: new.excellent_share,
        created_by: ctx.actor.member_id,
        created_at: now,
        updated_at: now,
    };
    uow.appraisals()
        .insert_campaign(&campaign, &participants)
        .await?;
    ctx.commit_audited(
        uow,
        now,
        "appraisal.open",
        "appraisal",
        campaign.id.to_string(),
        Some((org.id, &org.path)),
    )
    .await?;
    Ok(campaign)
}

/// A campaign the caller takes part in or manages.
pub async fn get_campaign(ctx: &ReadContext<'_>, id: CampaignId) -> Result<Campaign, DomainError> {
    visible(ctx.repos, ctx.actor, id).await
}

/// The campaigns the caller takes part in or manages, newest first.
pub async fn list_campaigns(
    ctx: &ReadContext<'_>,
    page: &PageRequest,
) -> Result<Page<Campaign>, DomainError> {
    let actor = ctx.actor;
    let mut on: Vec<OrgPath> = ancestors(&actor.branch_path);
    let mut under = Vec::new();
    for r in &actor.roles {
        if matches!(
            r.kind,
            RoleKind::Secretary | RoleKind::Committee | RoleKind::TownshipAdmin
        ) {
            on.extend(ancestors(&r.org_path));
            under.push(r.org_path.clone());
        }
    }
    on.sort();
    on.dedup();
    let query = CampaignQuery { on, under };
    Ok(ctx.repos.appraisals().list_campaigns(&query, page).await?)
}

/// The path and every path above it.
fn ancestors(path: &OrgPath) -> Vec<OrgPath> {
    let mut out = Vec::new();
    let mut current: Option<OrgPath> = None;
    for id in path.ids() {
        let next = match &current {
            None => OrgPath::root(id),
            Some(p) => p.child(id),
        };
        out.push(next.clone());
        current = Some(next);
    }
    out
}

/// Begins the campaign's next stage now, ahead of its dates (the secretary or township
/// admin managing it).
pub async fn begin_next_stage(
    ctx: &WriteContext<'_>,
    id: CampaignId,
) -> Result<Campaign, DomainError> {
    policy::may_somewhere(ctx.actor, Action::ManageAppraisals)?;
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let mut c = visible(uow.as_ref(), ctx.actor, id).await?;
    if !policy::scopes(ctx.actor, Action::ManageAppraisals)
        .iter()
        .any(|s| s.covers(&c.org_path))
    {
        return Err(DomainError::Forbidden);
    }
    catch_up(uow.as_ref(), ctx, &mut c, now).await?;
    let stage = c.stages.begin_next(now)?;
    c.recorded = c.standing(now);
    c.updated_at = now;
    uow.appraisals().update_campaign(&c).await?;
    let action = stage_action(Standing::Open(stage));
    ctx.commit_audited(
        uow,
        now,
        action,
        "appraisal",
        c.id.to_string(),
        Some((c.org_id, &c.org_path)),
    )
    .await?;
    Ok(c)
}

/// The caller's own participation, or 404 (not a participant, or the campaign is out of
/// their sight).
async fn own_participation(
    repos: &dyn Repositories,
    actor: &Actor,
    id: CampaignId,
) -> Result<(Campaign, Participant), DomainError> {
    let c = visible(repos, actor, id).await?;
    let p = repos
        .appraisals()
        .participant(id, actor.member_id)
        .await?
        .ok_or(DomainError::NotFound)?;
    Ok((c, p))
}

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

fn stale(current: i64) -> DomainError {
    DomainError::conflict(
        ErrorCode::AssessmentVersionStale,
        format!("the self-assessment was changed meanwhile; its version is now {current}"),
    )
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
    if catch_up(uow.as_ref(), ctx, &mut c, now).await? {
        uow.appraisals().update_campaign(&c).await?;
    }
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
    if catch_up(uow.as_ref(), ctx, &mut c, now).await? {
        uow.appraisals().update_campaign(&c).await?;
    }
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

/// The campaign as the caller manages it: the campaign and the part of it under their
/// roles, or 404 when they manage none of it (a member, or another branch's secretary).
async fn managed(
    repos: &dyn Repositories,
    actor: &Actor,
    id: CampaignId,
) -> Result<(Campaign, OrgPath), DomainError> {
    policy::may_somewhere(actor, Action::ManageAppraisals)?;
    let c = visible(repos, actor, id).await?;
    let part = managed_part(actor, &c).ok_or(DomainError::NotFound)?;
    Ok((c, part))
}

/// Who under the caller's part of the campaign has and hasn't submitted.
pub async fn assessment_progress(
    ctx: &ReadContext<'_>,
    id: CampaignId,
) -> Result<Vec<AssessmentProgress>, DomainError> {
    let (c, part) = managed(ctx.repos, ctx.actor, id).await?;
    Ok(ctx.repos.appraisals().progress(c.id, &part).await?)
}

/// A participant under the caller's part of the campaign, or 404.
async fn managed_participant(
    repos: &dyn Repositories,
    actor: &Actor,
    id: CampaignId,
    member: MemberId,
) -> Result<(Campaign, Participant), DomainError> {
    let (c, part) = managed(repos, actor, id).await?;
    let p = repos
        .appraisals()
        .participant(id, member)
        .await?
        .filter(|p| part.covers(&p.branch_path))
        .ok_or(DomainError::NotFound)?;
    Ok((c, p))
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

fn reason(raw: &str, pointer: &str, code: ErrorCode) -> Result<String, DomainError> {
    clean_text(raw, Excusal::MAX_REASON_CHARS, pointer, code)
        .map_err(|e: FieldError| DomainError::Validation(vec![e]))
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
    if catch_up(uow.as_ref(), ctx, &mut c, now).await? {
        uow.appraisals().update_campaign(&c).await?;
    }
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

/// Records a participant as excused from the campaign (frail, long ill), with a reason, or
/// withdraws the excusal (`None`). Until publication begins.
pub async fn excuse_participant(
    ctx: &WriteContext<'_>,
    id: CampaignId,
    member: MemberId,
    why: Option<&str>,
) -> Result<Participant, DomainError> {
    let why = why
        .map(|w| reason(w, "/reason", ErrorCode::AppraisalReasonInvalid))
        .transpose()?;
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let (mut c, mut p) = managed_participant(uow.as_ref(), ctx.actor, id, member).await?;
    if catch_up(uow.as_ref(), ctx, &mut c, now).await? {
        uow.appraisals().update_campaign(&c).await?;
    }
    if matches!(
        c.standing(now),
        Standing::Open(Stage::Publication) | Standing::Closed
    ) {
        return Err(DomainError::refused(
            ErrorCode::AppraisalStageOver,
            "the results are published; excusals can no longer change",
        ));
    }
    p.excused = why.map(|reason| Excusal {
        reason,
        by: ctx.actor.member_id,
        at: now,
    });
    uow.appraisals()
        .set_excusal(id, member, p.excused.as_ref())
        .await?;
    let action = if p.excused.is_some() {
        "appraisal.participant_excused"
    } else {
        "appraisal.excusal_withdrawn"
    };
    ctx.commit_audited(
        uow,
        now,
        action,
        "appraisal_participant",
        format!("{id}:{member}"),
        Some((p.branch_id, &p.branch_path)),
    )
    .await?;
    Ok(p)
}
