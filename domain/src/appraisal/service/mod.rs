//! Appraisal use cases: opening a campaign and moving its stages (`campaigns`), members'
//! self-assessments (`assessments`), the secret peer ballot (`ballots`), the rating,
//! publication, objections and appeals (`ratings`) and the rectification list
//! (`rectifications`). What they share, who sees and who manages a campaign
//! and the audit trail of its stages, is here.

mod assessments;
mod ballots;
mod campaigns;
mod ratings;
mod rectifications;

pub use assessments::*;
pub use ballots::*;
pub use campaigns::*;
pub use ratings::*;
pub use rectifications::*;

use crate::appraisal::campaign::{Campaign, CampaignId, Excusal, Participant};
use crate::appraisal::stage::{Stage, Standing};
use crate::audit::{AuditAction, AuditEntry, AuditId, NewAuditEntry};
use crate::context::WriteContext;
use crate::error::{DomainError, ErrorCode, FieldError};
use crate::org::policy::{self, Action, Actor};
use crate::org::{MemberId, OrgPath, RoleKind};
use crate::text::clean_text;
use crate::uow::{Repositories, UnitOfWork};
use chrono::{DateTime, Utc};

/// Whether the caller may see the campaign: they take part (their branch is under it), or a
/// role of theirs (secretary, committee, township) covers it or lies inside it.
pub(super) fn may_read(actor: &Actor, c: &Campaign) -> bool {
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
pub(super) fn managed_part(actor: &Actor, c: &Campaign) -> Option<OrgPath> {
    let scopes = policy::scopes(actor, Action::ManageAppraisals);
    if scopes.iter().any(|s| s.covers(&c.org_path)) {
        return Some(c.org_path.clone());
    }
    scopes.into_iter().find(|s| c.org_path.covers(s))
}

pub(super) async fn visible(
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
pub(super) fn stage_action(st: Standing) -> &'static str {
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
/// standing on, storing the campaign when anything changed (`true` then). Requests call it
/// with their id; the background sweep without one.
pub(super) async fn catch_up(
    uow: &dyn UnitOfWork,
    ctx: &WriteContext<'_>,
    c: &mut Campaign,
    now: DateTime<Utc>,
) -> Result<bool, DomainError> {
    Ok(record_transitions(uow, ctx.request_id.as_deref(), c, now)
        .await?
        .is_some())
}

/// What catching up did, when the dates had moved the campaign on: whether it erased the
/// ballot secret on the way.
struct CaughtUp {
    sealed: bool,
}

async fn record_transitions(
    uow: &dyn UnitOfWork,
    request_id: Option<&str>,
    c: &mut Campaign,
    now: DateTime<Utc>,
) -> Result<Option<CaughtUp>, DomainError> {
    let standing = c.standing(now);
    if standing == c.recorded {
        return Ok(None);
    }
    // Whoever moves the recorded standing first writes the trail: a request and the sweep
    // (or two instances) catching up at once record each transition once.
    let first = uow
        .appraisals()
        .record_standing(c.id, c.recorded, standing, now)
        .await?;
    if !first {
        // Another writer recorded it (and sealed what was due) and has committed: nothing
        // is this one's to record.
        c.recorded = standing;
        return Ok(None);
    }
    let since =
        c.stages.start(Stage::Mobilisation).min(c.created_at) - chrono::Duration::seconds(1);
    for (st, at) in c.stages.transitions(since, now) {
        // Only what comes after the recorded standing is new.
        if st.order() <= c.recorded.order() {
            continue;
        }
        // Identified by when it happened, so the trail reads in the order of the dates
        // although it is written at once.
        let entry = AuditEntry::record(
            AuditId::at(at.min(now)),
            NewAuditEntry {
                actor: None,
                action: AuditAction::known(stage_action(st)),
                object_type: "appraisal".to_owned(),
                object_id: c.id.to_string(),
                org_id: Some(c.org_id.as_uuid()),
                org_path: Some(c.org_path.as_str().to_owned()),
                request_id: request_id.map(str::to_owned),
            },
            now,
        );
        uow.audit().append(&entry).await?;
    }
    let sealed = seal_ballots(uow, c, standing).await?;
    c.recorded = standing;
    c.updated_at = now;
    uow.appraisals().update_campaign(c).await?;
    Ok(Some(CaughtUp { sealed }))
}

/// What one pass of the campaign sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepOutcome {
    /// Campaigns whose dates had moved them on, now recorded in the audit trail.
    pub advanced: u64,
    /// Ballot secrets erased because their peer review is over.
    pub sealed: u64,
}

/// The sweep a background task runs: records the stage transitions the dates brought about
/// in campaigns nobody has written to since, and erases the ballot secret of every campaign
/// whose peer review is over, so the trail and the secrecy never wait for the next request.
/// A job, not a request: no caller, the system acts. Running it twice, or on two instances
/// at once, records and erases each thing once.
pub async fn sweep_campaigns(
    tx: &dyn crate::uow::Transactional,
    clock: &dyn crate::clock::Clock,
) -> Result<SweepOutcome, DomainError> {
    let now = clock.now();
    let mut outcome = SweepOutcome::default();
    let (unsettled, pending) = {
        let uow = tx.begin().await?;
        let unsettled = uow.appraisals().unsettled_campaigns().await?;
        let pending = uow.ballots().with_secret().await?;
        uow.rollback().await?;
        (unsettled, pending)
    };
    for id in unsettled {
        let uow = tx.begin().await?;
        let Some(mut c) = uow.appraisals().get_campaign(id).await? else {
            uow.rollback().await?;
            continue;
        };
        match record_transitions(uow.as_ref(), None, &mut c, now).await? {
            Some(done) => {
                uow.commit().await?;
                outcome.advanced += 1;
                outcome.sealed += u64::from(done.sealed);
            }
            None => uow.rollback().await?,
        }
    }
    for id in pending {
        let uow = tx.begin().await?;
        let Some(c) = uow.appraisals().get_campaign(id).await? else {
            continue;
        };
        if c.standing(now).order() > Standing::Open(Stage::PeerReview).order()
            && uow.ballots().erase_secret(id).await?
        {
            outcome.sealed += 1;
        }
        uow.commit().await?;
    }
    Ok(outcome)
}

/// Once the peer-review stage is over (`standing` lies past it), erases the campaign's
/// ballot secret in `uow`, so that no stored tag can be tied to a member any more; `true`
/// when this call erased it. Nothing happens before, or when it is erased already.
pub(super) async fn seal_ballots(
    uow: &dyn UnitOfWork,
    c: &Campaign,
    standing: Standing,
) -> Result<bool, DomainError> {
    if standing.order() > Standing::Open(Stage::PeerReview).order() {
        return Ok(uow.ballots().erase_secret(c.id).await?);
    }
    Ok(false)
}

/// The caller's own participation, or 404 (not a participant, or the campaign is out of
/// their sight).
pub(super) async fn own_participation(
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

pub(super) fn stale(current: i64) -> DomainError {
    DomainError::conflict(
        ErrorCode::AssessmentVersionStale,
        format!("the self-assessment was changed meanwhile; its version is now {current}"),
    )
}

/// The campaign as the caller manages it: the campaign and the part of it under their
/// roles, or 404 when they manage none of it (a member, or another branch's secretary).
pub(super) async fn managed(
    repos: &dyn Repositories,
    actor: &Actor,
    id: CampaignId,
) -> Result<(Campaign, OrgPath), DomainError> {
    policy::may_somewhere(actor, Action::ManageAppraisals)?;
    let c = visible(repos, actor, id).await?;
    let part = managed_part(actor, &c).ok_or(DomainError::NotFound)?;
    Ok((c, part))
}

/// A participant under the caller's part of the campaign, or 404.
pub(super) async fn managed_participant(
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

pub(super) fn reason(raw: &str, pointer: &str, code: ErrorCode) -> Result<String, DomainError> {
    clean_text(raw, Excusal::MAX_REASON_CHARS, pointer, code)
        .map_err(|e: FieldError| DomainError::Validation(vec![e]))
}
