//! The secret peer ballot (党员互评): the caller's reviewees and own ballots, casting or
//! replacing a ballot, and the secretary's aggregates with the turnout.
//!
//! Nothing here audits a ballot or logs a grade: the turnout record (who voted, no grades)
//! is the only trace of a reviewer, and the ballot itself carries only the reviewer's keyed
//! tag, whose key is erased when the stage is over (`seal_ballots`).

use super::*;

use crate::appraisal::ballot::{self, Ballot, BallotSecret, RevieweeTally, Turnout};
use crate::appraisal::campaign::{Campaign, CampaignId, Participant};
use crate::appraisal::model::{Dimension, Grade};
use crate::appraisal::stage::{Stage, Standing};
use crate::context::{ReadContext, WriteContext};
use crate::error::{DomainError, ErrorCode};
use crate::org::MemberId;

/// The caller's reviewees, each with the caller's own ballot while the stage is open.
#[derive(Debug, Clone)]
pub struct PeerTodo {
    pub campaign: Campaign,
    /// The peer-review stage is open: ballots may be cast and changed.
    pub open: bool,
    pub items: Vec<(Participant, Option<Ballot>)>,
}

/// What the secretary sees of the ballot under their part of the campaign.
#[derive(Debug, Clone)]
pub struct PeerResults {
    /// The peer-review stage is over: the ballots are final, the secret erased, and the
    /// aggregates shown. During the stage only the turnout is.
    pub sealed: bool,
    pub reviewees: Vec<RevieweeTally>,
    pub turnout: Vec<Turnout>,
}

/// The participants `reviewer` grades, among their branch's.
async fn reviewees_of(
    repos: &dyn Repositories,
    c: &Campaign,
    reviewer: &Participant,
) -> Result<Vec<Participant>, DomainError> {
    Ok(repos
        .appraisals()
        .participants(c.id, &reviewer.branch_path)
        .await?
        .into_iter()
        .filter(|q| ballot::reviews(c.peer_scope, reviewer, q))
        .collect())
}

/// The caller's reviewees (a participant only), with their own current ballots, found by
/// their tag, while the stage is open and the secret exists.
pub async fn peer_todo(ctx: &ReadContext<'_>, id: CampaignId) -> Result<PeerTodo, DomainError> {
    let (c, me) = own_participation(ctx.repos, ctx.actor, id).await?;
    let open = c.stages.is_open(Stage::PeerReview, ctx.clock.now());
    let reviewees = reviewees_of(ctx.repos, &c, &me).await?;
    let mine = match (open, ctx.repos.ballots().secret(id).await?) {
        (true, Some(secret)) => {
            ctx.repos
                .ballots()
                .ballots_by(id, &secret.tag(me.member_id))
                .await?
        }
        _ => Vec::new(),
    };
    let items = reviewees
        .into_iter()
        .map(|p| {
            let b = mine.iter().find(|b| b.reviewee_id == p.member_id).cloned();
            (p, b)
        })
        .collect();
    Ok(PeerTodo {
        campaign: c,
        open,
        items,
    })
}

/// What a ballot says, as sent.
#[derive(Debug, Clone)]
pub struct BallotInput {
    pub overall: Grade,
    pub dimensions: Vec<(Dimension, Grade)>,
    pub comment: Option<String>,
}

/// Casts (or replaces) the caller's ballot on `reviewee` during the peer-review stage.
/// `fresh` becomes the campaign's ballot secret if none exists yet (randomness comes from
/// the caller of the domain). Not audited: the turnout record is the trace.
pub async fn cast_ballot(
    ctx: &WriteContext<'_>,
    id: CampaignId,
    reviewee: MemberId,
    input: BallotInput,
    fresh: BallotSecret,
) -> Result<Ballot, DomainError> {
    let ballot = Ballot::new(
        id,
        reviewee,
        input.overall,
        &input.dimensions,
        input.comment.as_deref(),
    )
    .map_err(DomainError::Validation)?;
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let (mut c, me) = own_participation(uow.as_ref(), ctx.actor, id).await?;
    let caught_up = catch_up(uow.as_ref(), ctx, &mut c, now).await?;
    let refusal = if me.excused.is_some() {
        Err(DomainError::refused(
            ErrorCode::AppraisalExcused,
            "you are excused from this campaign",
        ))
    } else {
        c.stages.require_open(Stage::PeerReview, now)
    };
    if let Err(e) = refusal {
        // The erasure a passed stage brings is kept whatever this request's answer.
        if caught_up {
            uow.commit().await?;
        }
        return Err(e);
    }
    if reviewee == me.member_id {
        return Err(DomainError::refused(
            ErrorCode::PeerReviewSelf,
            "a member does not review themself",
        ));
    }
    let target = uow.appraisals().participant(id, reviewee).await?;
    if !target.is_some_and(|t| ballot::reviews(c.peer_scope, &me, &t)) {
        return Err(DomainError::NotFound);
    }
    let secret = match uow.ballots().secret(id).await? {
        Some(s) => s,
        None => uow.ballots().create_secret(id, &fresh).await?,
    };
    uow.ballots()
        .upsert_ballot(&secret.tag(me.member_id), &ballot)
        .await?;
    uow.ballots().record_voter(id, me.member_id).await?;
    uow.commit().await?;
    Ok(ballot)
}

/// The aggregates and turnout under the caller's part of the campaign (secretaries and
/// township admins managing it), from the peer-review stage on. Once the stage is over, a
/// ballot secret still stored is erased first, in this unit of work, and the aggregates are
/// shown (a reviewee's only with at least three ballots); during the stage only the turnout
/// is, since live counts next to a live turnout would show what the latest voter gave.
/// `seed` orders the comments at random.
pub async fn peer_results(
    ctx: &WriteContext<'_>,
    id: CampaignId,
    seed: [u8; 32],
) -> Result<PeerResults, DomainError> {
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let (mut c, part) = managed(uow.as_ref(), ctx.actor, id).await?;
    catch_up(uow.as_ref(), ctx, &mut c, now).await?;
    let standing = c.standing(now);
    if standing.order() < Standing::Open(Stage::PeerReview).order() {
        return Err(DomainError::refused(
            ErrorCode::AppraisalStageNotBegun,
            "the peer_review stage has not begun",
        ));
    }
    seal_ballots(uow.as_ref(), &c, standing).await?;
    let sealed = standing != Standing::Open(Stage::PeerReview);
    let participants = uow.appraisals().participants(id, &part).await?;
    let voters = uow.ballots().voters(id, &part).await?;
    let turnout = ballot::turnout(c.peer_scope, &participants, &voters);
    let reviewees = if sealed {
        let ballots = uow.ballots().ballots_under(id, &part).await?;
        ballot::tally(&participants, &ballots, &seed)
    } else {
        Vec::new()
    };
    uow.commit().await?;
    Ok(PeerResults {
        sealed,
        reviewees,
        turnout,
    })
}
