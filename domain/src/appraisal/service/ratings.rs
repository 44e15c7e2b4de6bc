//! The organisation's rating (组织评定), publication (亮分公示), objections during it and
//! appeals (申诉) to the township after it.

use chrono::{DateTime, Utc};

use super::{catch_up, managed, managed_participant, own_participation, visible};
use crate::appraisal::campaign::{Campaign, CampaignId, Participant};
use crate::appraisal::model::Grade;
use crate::appraisal::rating::{Answer, Objection, ObjectionKind, Rating, Verdict};
use crate::appraisal::stage::{Stage, Standing};
use crate::context::{ReadContext, WriteContext};
use crate::error::{DomainError, ErrorCode};
use crate::org::policy::{self, Action};
use crate::org::{MemberId, RoleKind};
use crate::uow::Repositories;

/// What a rater sends.
#[derive(Debug, Clone)]
pub struct RatingInput {
    pub grade: Grade,
    pub rationale: String,
    pub negative_items: Vec<u8>,
}

/// Refuses 优秀 for `p` when the branch's share is already used up by others.
async fn check_quota(
    repos: &dyn Repositories,
    c: &Campaign,
    p: &Participant,
    grade: Grade,
) -> Result<(), DomainError> {
    if grade != Grade::Excellent {
        return Ok(());
    }
    let graded = repos
        .appraisals()
        .participants(c.id, &p.branch_path)
        .await?
        .iter()
        .filter(|q| q.graded() && q.branch_id == p.branch_id)
        .count();
    let others = repos
        .ratings()
        .ratings(c.id, &p.branch_path)
        .await?
        .iter()
        .filter(|r| r.grade == Grade::Excellent && r.member_id != p.member_id)
        .filter(|r| r.branch_path == p.branch_path)
        .count();
    let most = c.excellent_share.of(graded);
    if others + 1 > most {
        return Err(DomainError::refused(
            ErrorCode::RatingExcellentQuota,
            format!(
                "at most {most} of the branch's {graded} graded members may be rated excellent ({}/{})",
                c.excellent_share.numerator, c.excellent_share.denominator
            ),
        ));
    }
    Ok(())
}

/// Sets a graded participant's result during the rating stage (the secretary or township
/// admin managing their branch in the campaign).
pub async fn rate_member(
    ctx: &WriteContext<'_>,
    id: CampaignId,
    member: MemberId,
    input: RatingInput,
) -> Result<Rating, DomainError> {
    let (rationale, negative_items) =
        Rating::validate(input.grade, &input.rationale, &input.negative_items)
            .map_err(DomainError::Validation)?;
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let (mut c, p) = managed_participant(uow.as_ref(), ctx.actor, id, member).await?;
    catch_up(uow.as_ref(), ctx, &mut c, now).await?;
    c.stages.require_open(Stage::Rating, now)?;
    if !p.graded() {
        return Err(DomainError::refused(
            ErrorCode::RatingNotGraded,
            "probationary and excused members receive no grade",
        ));
    }
    check_quota(uow.as_ref(), &c, &p, input.grade).await?;
    let rating = Rating {
        campaign_id: id,
        member_id: member,
        branch_path: p.branch_path.clone(),
        grade: input.grade,
        rationale,
        negative_items,
        rated_by: ctx.actor.member_id,
        rated_at: now,
    };
    uow.ratings().put_rating(&rating).await?;
    ctx.commit_audited(
        uow,
        now,
        "appraisal.rated",
        "appraisal_rating",
        format!("{id}:{member}"),
        Some((p.branch_id, &p.branch_path)),
    )
    .await?;
    Ok(rating)
}

/// One participant as the rater sees them: their result, objection and appeal so far.
#[derive(Debug, Clone)]
pub struct RatingRow {
    pub participant: Participant,
    pub rating: Option<Rating>,
    pub objection: Option<Objection>,
    pub appeal: Option<Objection>,
}

/// Every participant under the caller's part of the campaign with their result so far.
pub async fn list_ratings(
    ctx: &ReadContext<'_>,
    id: CampaignId,
) -> Result<Vec<RatingRow>, DomainError> {
    let (c, part) = managed(ctx.repos, ctx.actor, id).await?;
    let participants = ctx.repos.appraisals().participants(c.id, &part).await?;
    let ratings = ctx.repos.ratings().ratings(c.id, &part).await?;
    let objections = ctx
        .repos
        .ratings()
        .objections(c.id, &part, ObjectionKind::Objection)
        .await?;
    let appeals = ctx
        .repos
        .ratings()
        .objections(c.id, &part, ObjectionKind::Appeal)
        .await?;
    Ok(participants
        .into_iter()
        .map(|p| RatingRow {
            rating: ratings.iter().find(|r| r.member_id == p.member_id).cloned(),
            objection: objections
                .iter()
                .find(|o| o.member_id == p.member_id)
                .cloned(),
            appeal: appeals.iter().find(|o| o.member_id == p.member_id).cloned(),
            participant: p,
        })
        .collect())
}

/// Whether results are public at `now`: from publication on.
fn published(c: &Campaign, now: DateTime<Utc>) -> bool {
    c.standing(now).order() >= Standing::Open(Stage::Publication).order()
}

/// The caller's own result (once published), objection and appeal.
pub async fn my_result(ctx: &ReadContext<'_>, id: CampaignId) -> Result<RatingRow, DomainError> {
    let (c, p) = own_participation(ctx.repos, ctx.actor, id).await?;
    let now = ctx.clock.now();
    let ratings = ctx.repos.ratings();
    let rating = if published(&c, now) {
        ratings.rating(id, p.member_id).await?
    } else {
        None
    };
    Ok(RatingRow {
        rating,
        objection: ratings
            .objection(id, p.member_id, ObjectionKind::Objection)
            .await?,
        appeal: ratings
            .objection(id, p.member_id, ObjectionKind::Appeal)
            .await?,
        participant: p,
    })
}

/// The results of the caller's branch as its members see them during the publication
/// window: each graded member's name and grade (no rationale).
pub async fn branch_results(
    ctx: &ReadContext<'_>,
    id: CampaignId,
) -> Result<Vec<(Participant, Grade)>, DomainError> {
    let (c, p) = own_participation(ctx.repos, ctx.actor, id).await?;
    let now = ctx.clock.now();
    if !c.stages.is_open(Stage::Publication, now) {
        return Err(DomainError::refused(
            ErrorCode::AppraisalStageNotBegun,
            "results are shown to the branch during the publication window",
        ));
    }
    let participants = ctx
        .repos
        .appraisals()
        .participants(c.id, &p.branch_path)
        .await?;
    let ratings = ctx.repos.ratings().ratings(c.id, &p.branch_path).await?;
    Ok(participants
        .into_iter()
        .filter(|q| q.branch_id == p.branch_id)
        .filter_map(|q| {
            let grade = ratings.iter().find(|r| r.member_id == q.member_id)?.grade;
            Some((q, grade))
        })
        .collect())
}

/// Lodges the caller's objection (during publication) or appeal (a member graded 不合格,
/// within 30 days after publication ends) about their own result.
pub async fn lodge(
    ctx: &WriteContext<'_>,
    id: CampaignId,
    kind: ObjectionKind,
    reason: &str,
) -> Result<Objection, DomainError> {
    let reason = Objection::validate_reason(reason, "/reason")
        .map_err(|e| DomainError::Validation(vec![e]))?;
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let (mut c, p) = own_participation(uow.as_ref(), ctx.actor, id).await?;
    catch_up(uow.as_ref(), ctx, &mut c, now).await?;
    let window = match kind {
        ObjectionKind::Objection => c.stages.is_open(Stage::Publication, now),
        ObjectionKind::Appeal => {
            c.standing(now) == Standing::Closed
                && now <= Objection::appeal_deadline(c.stages.end(Stage::Publication))
        }
    };
    if !window {
        return Err(DomainError::refused(
            ErrorCode::ObjectionOutsideWindow,
            match kind {
                ObjectionKind::Objection => "objections are lodged during the publication window",
                ObjectionKind::Appeal => "appeals are lodged within 30 days after publication ends",
            },
        ));
    }
    let rating = uow
        .ratings()
        .rating(id, p.member_id)
        .await?
        .ok_or_else(|| DomainError::refused(ErrorCode::RatingMissing, "you have no result"))?;
    if kind == ObjectionKind::Appeal && rating.grade != Grade::Unqualified {
        return Err(DomainError::refused(
            ErrorCode::AppealNotUnqualified,
            "only a member graded unqualified may appeal",
        ));
    }
    if uow
        .ratings()
        .objection(id, p.member_id, kind)
        .await?
        .is_some()
    {
        return Err(DomainError::conflict(
            ErrorCode::ObjectionExists,
            format!("you have already lodged an {}", kind.as_str()),
        ));
    }
    let objection = Objection {
        campaign_id: id,
        member_id: p.member_id,
        kind,
        branch_path: p.branch_path.clone(),
        reason,
        lodged_at: now,
        answer: None,
    };
    uow.ratings()
        .insert_objection(&objection)
        .await
        .map_err(|e| match e {
            crate::error::RepoError::Conflict { .. } => DomainError::conflict(
                ErrorCode::ObjectionExists,
                format!("you have already lodged an {}", kind.as_str()),
            ),
            other => other.into(),
        })?;
    let action = match kind {
        ObjectionKind::Objection => "appraisal.objection_lodged",
        ObjectionKind::Appeal => "appraisal.appeal_lodged",
    };
    ctx.commit_audited(
        uow,
        now,
        action,
        "appraisal_objection",
        format!("{id}:{}", p.member_id),
        Some((p.branch_id, &p.branch_path)),
    )
    .await?;
    Ok(objection)
}

/// What an answer carries.
#[derive(Debug, Clone)]
pub struct AnswerInput {
    pub verdict: Verdict,
    pub reason: String,
    /// The new grade, for an upheld objection or appeal.
    pub grade: Option<Grade>,
}

/// Answers a member's objection (the secretary or township admin managing their branch) or
/// appeal (a township admin covering it). Upheld: the result changes to the grade given,
/// within the 优秀 share; rejected: the result stands and the reason is recorded.
pub async fn answer(
    ctx: &WriteContext<'_>,
    id: CampaignId,
    member: MemberId,
    kind: ObjectionKind,
    input: AnswerInput,
) -> Result<Objection, DomainError> {
    let reason = Objection::validate_reason(&input.reason, "/reason")
        .map_err(|e| DomainError::Validation(vec![e]))?;
    if input.verdict == Verdict::Upheld && input.grade.is_none() {
        return Err(DomainError::invalid(
            "/grade",
            ErrorCode::ObjectionGradeRequired,
            "an upheld objection gives the new grade",
        ));
    }
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let (c, p) = match kind {
        ObjectionKind::Objection => {
            managed_participant(uow.as_ref(), ctx.actor, id, member).await?
        }
        ObjectionKind::Appeal => {
            // The township decides: a township admin whose role covers the member's branch.
            policy::may_somewhere(ctx.actor, Action::ManageAppraisals)?;
            let c = visible(uow.as_ref(), ctx.actor, id).await?;
            let p = uow
                .appraisals()
                .participant(id, member)
                .await?
                .filter(|p| {
                    ctx.actor.roles.iter().any(|r| {
                        r.kind == RoleKind::TownshipAdmin && r.org_path.covers(&p.branch_path)
                    })
                })
                .ok_or(DomainError::NotFound)?;
            (c, p)
        }
    };
    let objection = uow
        .ratings()
        .objection(id, member, kind)
        .await?
        .ok_or(DomainError::NotFound)?;
    if objection.answer.is_some() {
        return Err(DomainError::conflict(
            ErrorCode::ObjectionAnswered,
            format!("this {} is already answered", kind.as_str()),
        ));
    }
    let answer = Answer {
        verdict: input.verdict,
        reason,
        grade: input.grade.filter(|_| input.verdict == Verdict::Upheld),
        by: ctx.actor.member_id,
        at: now,
    };
    if let Some(grade) = answer.grade {
        check_quota(uow.as_ref(), &c, &p, grade).await?;
        let mut rating = uow
            .ratings()
            .rating(id, member)
            .await?
            .ok_or(DomainError::NotFound)?;
        rating.grade = grade;
        rating.rated_by = ctx.actor.member_id;
        rating.rated_at = now;
        uow.ratings().put_rating(&rating).await?;
    }
    if !uow
        .ratings()
        .answer_objection(id, member, kind, &answer)
        .await?
    {
        return Err(DomainError::conflict(
            ErrorCode::ObjectionAnswered,
            format!("this {} was answered meanwhile", kind.as_str()),
        ));
    }
    let action = match (kind, answer.verdict) {
        (ObjectionKind::Objection, Verdict::Upheld) => "appraisal.objection_upheld",
        (ObjectionKind::Objection, Verdict::Rejected) => "appraisal.objection_rejected",
        (ObjectionKind::Appeal, Verdict::Upheld) => "appraisal.appeal_upheld",
        (ObjectionKind::Appeal, Verdict::Rejected) => "appraisal.appeal_rejected",
    };
    ctx.commit_audited(
        uow,
        now,
        action,
        "appraisal_objection",
        format!("{id}:{member}"),
        Some((p.branch_id, &p.branch_path)),
    )
    .await?;
    Ok(Objection {
        answer: Some(answer),
        ..objection
    })
}

/// What the township files of a campaign: each participant's self-assessment status and
/// result, the peer-review turnout per branch, and the branches' names.
#[derive(Debug, Clone)]
pub struct CampaignReport {
    pub campaign: Campaign,
    pub rows: Vec<RatingRow>,
    pub submitted: Vec<MemberId>,
    pub turnout: Vec<crate::appraisal::ballot::Turnout>,
    pub branch_names: std::collections::BTreeMap<crate::org::OrgId, String>,
}

/// The campaign's results under the caller's part of it (a secretary's branch, or the whole
/// campaign for a township admin covering it).
pub async fn campaign_report(
    ctx: &ReadContext<'_>,
    id: CampaignId,
) -> Result<CampaignReport, DomainError> {
    let rows = list_ratings(ctx, id).await?;
    let (c, part) = managed(ctx.repos, ctx.actor, id).await?;
    let submitted = ctx
        .repos
        .appraisals()
        .progress(c.id, &part)
        .await?
        .into_iter()
        .filter(|p| p.status == crate::appraisal::campaign::AssessmentStatus::Submitted)
        .map(|p| p.participant.member_id)
        .collect();
    let participants: Vec<Participant> = rows.iter().map(|r| r.participant.clone()).collect();
    let voters = ctx.repos.ballots().voters(c.id, &part).await?;
    let turnout = crate::appraisal::ballot::turnout(c.peer_scope, &participants, &voters);
    let mut branch_names = std::collections::BTreeMap::new();
    for p in &participants {
        if let std::collections::btree_map::Entry::Vacant(e) = branch_names.entry(p.branch_id) {
            let name = ctx
                .repos
                .orgs()
                .get(p.branch_id)
                .await?
                .map_or_else(|| p.branch_id.to_string(), |o| o.name);
            e.insert(name);
        }
    }
    Ok(CampaignReport {
        campaign: c,
        rows,
        submitted,
        turnout,
        branch_names,
    })
}

/// One participant's 登记表: their self-assessment, the peer aggregates (once peer review is
/// over; withheld under three ballots), and their result.
#[derive(Debug, Clone)]
pub struct RegisterEntry {
    pub row: RatingRow,
    pub assessment: Option<crate::appraisal::campaign::SelfAssessment>,
    /// `None` while peer review is not over; `Some(None)` when withheld.
    pub peer: Option<Option<crate::appraisal::ballot::Tally>>,
    pub branch_name: String,
}

/// The 登记表 of every participant under the caller's part of the campaign, for the file.
pub async fn registers(
    ctx: &ReadContext<'_>,
    id: CampaignId,
) -> Result<(Campaign, Vec<RegisterEntry>), DomainError> {
    let report = campaign_report(ctx, id).await?;
    let c = report.campaign;
    let (_, part) = managed(ctx.repos, ctx.actor, id).await?;
    let peer_over = c.standing(ctx.clock.now()).order() > Standing::Open(Stage::PeerReview).order();
    let tallies = if peer_over {
        let participants: Vec<Participant> =
            report.rows.iter().map(|r| r.participant.clone()).collect();
        let ballots = ctx.repos.ballots().ballots_under(c.id, &part).await?;
        Some(crate::appraisal::ballot::tally(
            &participants,
            &ballots,
            &[],
        ))
    } else {
        None
    };
    let mut entries = Vec::with_capacity(report.rows.len());
    for row in report.rows {
        let member = row.participant.member_id;
        let assessment = ctx.repos.appraisals().assessment(c.id, member).await?;
        let peer = tallies.as_ref().map(|all| {
            all.iter()
                .find(|t| t.reviewee.member_id == member)
                .and_then(|t| t.tally.clone())
        });
        let branch_name = report
            .branch_names
            .get(&row.participant.branch_id)
            .cloned()
            .unwrap_or_default();
        entries.push(RegisterEntry {
            row,
            assessment,
            peer,
            branch_name,
        });
    }
    Ok((c, entries))
}
