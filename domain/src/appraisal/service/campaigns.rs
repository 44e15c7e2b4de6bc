//! Opening a campaign, reading and listing campaigns, beginning a stage early, excusing a
//! participant.

use super::*;
use crate::activity::{ActivityId, ActivityKind};
use crate::appraisal::campaign::{Campaign, CampaignId, Excusal, Participant, Share};
use crate::appraisal::model::{PeerScope, Period, DEFAULT_NEGATIVE_LIST, DEFAULT_POSITIVE_LIST};
use crate::appraisal::ports::CampaignQuery;
use crate::appraisal::stage::{Schedule, Stage, StageClock, StageDates, Standing};
use crate::context::{ReadContext, WriteContext};
use crate::error::{DomainError, ErrorCode};
use crate::org::policy::{self, Action};
use crate::org::{MemberId, OrgId, OrgKind, OrgPath, RoleKind};
use crate::page::{Page, PageRequest};

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
    let mut on: Vec<OrgPath> = actor.branch_path.lineage();
    let mut under = Vec::new();
    for r in &actor.roles {
        if matches!(
            r.kind,
            RoleKind::Secretary | RoleKind::Committee | RoleKind::TownshipAdmin
        ) {
            on.extend(r.org_path.lineage());
            under.push(r.org_path.clone());
        }
    }
    on.sort();
    on.dedup();
    let query = CampaignQuery { on, under };
    Ok(ctx.repos.appraisals().list_campaigns(&query, page).await?)
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
    seal_ballots(uow.as_ref(), &c, c.standing(now)).await?;
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
    catch_up(uow.as_ref(), ctx, &mut c, now).await?;
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
