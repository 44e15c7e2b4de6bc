//! Claims of positive items: members file them; their branch's secretary, or a branch
//! committee member granted review, approves or rejects each once — one at a time or in a
//! batch that is all or nothing; township admins read (audit) their township's claims.
//!
//! An approval is checked against the rules in force for the claim's half year as they
//! stand then: the item must still be on the member's profile, the half year must not be
//! computed, and the item's cap must hold with the claims of it approved already (those of
//! the same batch included). Approvals of one member's claims are taken one after the other
//! (the member's row is locked), so two reviewers cannot together pass a cap that each alone
//! would respect. Nobody decides their own claim.

use std::collections::{HashMap, HashSet};

use super::placement::{committee_of, profile_of, rules_in_force};
use crate::context::{ReadContext, WriteContext};
use crate::error::{DomainError, ErrorCode, FieldError};
use crate::org::policy::{self, Action, Actor};
use crate::org::{Member, MemberId, OrgId, OrgPath};
use crate::page::{Page, PageRequest};
use crate::pioneer::claim::{within_cap, Claim, ClaimDecision, ClaimId, ClaimStatus, NewClaim};
use crate::pioneer::claim_ports::{ClaimFilter, Whose};
use crate::pioneer::window;
use crate::text::clean_text;
use crate::uow::Repositories;
use crate::volunteer::HalfYear;

/// The most claims one batch decision may carry.
pub const MAX_BATCH_DECISION: usize = 100;

/// Files a claim for the caller: an item of their profile under the rules in force for
/// the half year (the current one by default, or the one before while it is not computed).
/// Pending until their branch decides. Audited.
pub async fn file_claim(
    ctx: &WriteContext<'_>,
    me: &Member,
    new: NewClaim,
) -> Result<Claim, DomainError> {
    let (description, evidence) = Claim::validate_content(&new.description, &new.evidence)
        .map_err(DomainError::Validation)?;
    let now = ctx.clock.now();
    let committee = committee_of(me)?;
    let uow = ctx.tx.begin().await?;
    let last = uow.pioneer_rules().last_computed(committee).await?;
    let half = window::open_half(new.half, now, last)?;
    let rules = rules_in_force(uow.as_ref(), committee, half).await?;
    let profile = profile_of(uow.as_ref(), &rules, me).await?;
    if profile.positive_item(&new.item_code).is_none() {
        return Err(DomainError::refused(
            ErrorCode::PioneerItemNotApplicable,
            format!(
                "`{}` is no positive item of the profile {} for {half}",
                new.item_code, profile.name
            ),
        ));
    }
    let claim = Claim {
        id: ClaimId::at(now),
        committee_id: committee,
        member_id: me.id,
        branch_id: me.branch_id,
        branch_path: me.branch_path.clone(),
        half,
        item_code: new.item_code,
        description,
        evidence,
        status: ClaimStatus::Pending,
        decision: None,
        created_at: now,
    };
    uow.pioneer_claims().insert_claim(&claim).await?;
    ctx.commit_audited(
        uow,
        now,
        "pioneer.claim_filed",
        "pioneer_claim",
        claim.id.to_string(),
        Some((claim.branch_id, &claim.branch_path)),
    )
    .await?;
    Ok(claim)
}

/// Where the caller sees others' claims: the branches they approve for, and the townships
/// they administer (to audit).
fn claim_scopes(actor: &Actor) -> Vec<OrgPath> {
    let mut scopes = policy::scopes(actor, Action::ApprovePioneerClaims);
    scopes.extend(policy::scopes(actor, Action::ManagePioneerIndex));
    scopes
}

fn sees(actor: &Actor, c: &Claim) -> bool {
    c.member_id == actor.member_id || claim_scopes(actor).iter().any(|s| s.covers(&c.branch_path))
}

/// One claim: the member's own, or one their approvers or township admins cover; 404
/// otherwise, as for a missing id.
pub async fn get_claim(ctx: &ReadContext<'_>, id: ClaimId) -> Result<Claim, DomainError> {
    ctx.repos
        .pioneer_claims()
        .claim(id)
        .await?
        .filter(|c| sees(ctx.actor, c))
        .ok_or(DomainError::NotFound)
}

/// Claims newest first: the caller's own, or with `org` those under that org (a branch,
/// or the township) for its approvers and township admins. Naming an org when the caller
/// approves or audits claims nowhere is 403; one they do not cover is 404.
pub async fn list_claims(
    ctx: &ReadContext<'_>,
    org: Option<OrgId>,
    half: Option<HalfYear>,
    status: Option<ClaimStatus>,
    page: &PageRequest,
) -> Result<Page<Claim>, DomainError> {
    let whose = match org {
        None => Whose::Member(ctx.actor.member_id),
        Some(id) => {
            let scopes = claim_scopes(ctx.actor);
            if scopes.is_empty() {
                return Err(DomainError::Forbidden);
            }
            let org = ctx
                .repos
                .orgs()
                .get(id)
                .await?
                .filter(|o| scopes.iter().any(|s| s.covers(&o.path)))
                .ok_or(DomainError::NotFound)?;
            Whose::Under(org.path)
        }
    };
    let filter = ClaimFilter {
        whose,
        half,
        status,
    };
    Ok(ctx
        .repos
        .pioneer_claims()
        .list_claims(&filter, page)
        .await?)
}

/// A decision as sent: approve, or reject with a reason.
#[derive(Debug, Clone)]
pub struct ClaimVerdict {
    pub approve: bool,
    pub reason: Option<String>,
}

impl ClaimVerdict {
    /// Checks the reason (required to reject) and stamps the decision.
    fn validate(
        self,
        now: chrono::DateTime<chrono::Utc>,
        by: MemberId,
    ) -> Result<(bool, ClaimDecision), DomainError> {
        let reason = self
            .reason
            .map(|r| {
                clean_text(
                    &r,
                    Claim::MAX_REASON_CHARS,
                    "/reason",
                    ErrorCode::ReviewReasonInvalid,
                )
            })
            .transpose()
            .map_err(|e| DomainError::Validation(vec![e]))?;
        if !self.approve && reason.is_none() {
            return Err(DomainError::invalid(
                "/reason",
                ErrorCode::ReviewReasonRequired,
                "a rejection needs a reason",
            ));
        }
        Ok((
            self.approve,
            ClaimDecision {
                by,
                at: now,
                reason,
            },
        ))
    }
}

/// Why a claim cannot be decided as asked.
struct Refusal {
    code: ErrorCode,
    detail: String,
}

impl Refusal {
    fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
        }
    }

    fn into_error(self) -> DomainError {
        if self.code.status() == 409 {
            DomainError::conflict(self.code, self.detail)
        } else {
            DomainError::refused(self.code, self.detail)
        }
    }

    fn at(self, pointer: String) -> FieldError {
        FieldError::new(pointer, self.code, self.detail)
    }
}

/// Approvals of this decision so far, per member, half year and item.
type Tally = HashMap<(MemberId, HalfYear, String), u32>;

/// Whether `c` may be decided as asked by `actor`, its scope aside. An approval counts in
/// `tally`, so the next claim of the same item in a batch sees it.
async fn refusal(
    repos: &dyn Repositories,
    actor: &Actor,
    c: &Claim,
    approve: bool,
    tally: &mut Tally,
) -> Result<Option<Refusal>, DomainError> {
    if c.member_id == actor.member_id {
        return Ok(Some(Refusal::new(
            ErrorCode::PioneerClaimOwn,
            "nobody decides their own claim",
        )));
    }
    if c.status != ClaimStatus::Pending {
        return Ok(Some(Refusal::new(
            ErrorCode::PioneerClaimNotPending,
            format!("claim {} was decided already", c.id),
        )));
    }
    let last = repos.pioneer_rules().last_computed(c.committee_id).await?;
    if let Err(e) = window::not_computed(c.half, last) {
        return refused(e).map(Some);
    }
    if !approve {
        return Ok(None);
    }
    let Some(member) = repos.members().get(c.member_id).await? else {
        return Ok(Some(Refusal::new(
            ErrorCode::PioneerMemberExcluded,
            "the member is no longer on the roster",
        )));
    };
    let rules = rules_in_force(repos, c.committee_id, c.half).await?;
    let profile = match profile_of(repos, &rules, &member).await {
        Ok(p) => p,
        Err(e) => return refused(e).map(Some),
    };
    let Some(item) = profile.positive_item(&c.item_code) else {
        return Ok(Some(Refusal::new(
            ErrorCode::PioneerItemNotApplicable,
            format!(
                "`{}` is no longer a positive item of the member's profile for {}",
                c.item_code, c.half
            ),
        )));
    };
    let key = (c.member_id, c.half, c.item_code.clone());
    let approved = repos
        .pioneer_claims()
        .approved_of(c.member_id, c.half, &c.item_code)
        .await?
        + tally.get(&key).copied().unwrap_or(0);
    if !within_cap(item, approved) {
        return Ok(Some(Refusal::new(
            ErrorCode::PioneerClaimOverCap,
            format!(
                "{}: {} points a claim, at most {} in {}; {approved} approved already",
                item.name, item.points, item.cap, c.half
            ),
        )));
    }
    *tally.entry(key).or_insert(0) += 1;
    Ok(None)
}

/// The refusal `e` carries (a conflict or a refusal with its code); any other error as it
/// is.
fn refused(e: DomainError) -> Result<Refusal, DomainError> {
    match e {
        DomainError::Conflict { code, detail } | DomainError::Refused { code, detail } => {
            Ok(Refusal { code, detail })
        }
        other => Err(other),
    }
}

fn not_pending() -> DomainError {
    DomainError::conflict(
        ErrorCode::PioneerClaimNotPending,
        "the claim was decided meanwhile; reload and try again",
    )
}

fn decision_action(status: ClaimStatus) -> &'static str {
    if status == ClaimStatus::Approved {
        "pioneer.claim_approved"
    } else {
        "pioneer.claim_rejected"
    }
}

/// Locks the members whose claims are about to be approved, in one order (no deadlock
/// between two batches).
async fn lock_members(repos: &dyn Repositories, claims: &[&Claim]) -> Result<(), DomainError> {
    let mut members: Vec<MemberId> = claims.iter().map(|c| c.member_id).collect();
    members.sort();
    members.dedup();
    for m in members {
        repos.members().lock(m).await?;
    }
    Ok(())
}

/// Approves or rejects one pending claim. Of two racing decisions exactly one is stored,
/// the other is 409. Audited.
pub async fn decide_claim(
    ctx: &WriteContext<'_>,
    id: ClaimId,
    verdict: ClaimVerdict,
) -> Result<Claim, DomainError> {
    // A member who approves nowhere is 403 before anything about the request is looked at.
    policy::may_somewhere(ctx.actor, Action::ApprovePioneerClaims)?;
    let now = ctx.clock.now();
    let (approve, decision) = verdict.validate(now, ctx.actor.member_id)?;
    let uow = ctx.tx.begin().await?;
    let c = policy::load_in_scope(
        ctx.actor,
        Action::ApprovePioneerClaims,
        uow.pioneer_claims().claim(id),
        |c| &c.branch_path,
    )
    .await?;
    if approve {
        lock_members(uow.as_ref(), &[&c]).await?;
    }
    if let Some(r) = refusal(uow.as_ref(), ctx.actor, &c, approve, &mut Tally::new()).await? {
        return Err(r.into_error());
    }
    let status = c.status.decide(approve).map_err(|_| not_pending())?;
    // Stored only if still pending: the affected-row count decides a race.
    if uow
        .pioneer_claims()
        .decide_claims(&[c.id], status, &decision)
        .await?
        != 1
    {
        return Err(not_pending());
    }
    ctx.commit_audited(
        uow,
        now,
        decision_action(status),
        "pioneer_claim",
        c.id.to_string(),
        Some((c.branch_id, &c.branch_path)),
    )
    .await?;
    Ok(Claim {
        status,
        decision: Some(decision),
        ..c
    })
}

/// Decides several claims at once, all or nothing: every id that is unknown or outside the
/// caller's scope (`pioneer_claim_not_found`), the caller's own, decided already, of a
/// computed half year, or — to approve — no longer on the member's profile or over its cap
/// is listed by its pointer (`/ids/3`), and nothing changes. Audited per claim.
pub async fn decide_claims(
    ctx: &WriteContext<'_>,
    ids: Vec<ClaimId>,
    verdict: ClaimVerdict,
) -> Result<Vec<Claim>, DomainError> {
    policy::may_somewhere(ctx.actor, Action::ApprovePioneerClaims)?;
    if ids.is_empty() || ids.len() > MAX_BATCH_DECISION {
        return Err(DomainError::invalid(
            "/ids",
            ErrorCode::ReviewBatchSizeInvalid,
            format!("send 1-{MAX_BATCH_DECISION} ids"),
        ));
    }
    let now = ctx.clock.now();
    let (approve, decision) = verdict.validate(now, ctx.actor.member_id)?;
    let uow = ctx.tx.begin().await?;
    let found = uow.pioneer_claims().claims(&ids).await?;
    let visible: Vec<&Claim> = found
        .iter()
        .filter(|c| {
            policy::authorize(ctx.actor, Action::ApprovePioneerClaims, &c.branch_path).is_ok()
        })
        .collect();
    if approve {
        lock_members(uow.as_ref(), &visible).await?;
    }
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    let mut unique = Vec::new();
    let mut tally = Tally::new();
    for (i, id) in ids.iter().enumerate() {
        if !seen.insert(*id) {
            continue;
        }
        let pointer = format!("/ids/{i}");
        let Some(c) = visible.iter().find(|c| c.id == *id) else {
            problems.push(FieldError::new(
                pointer,
                ErrorCode::PioneerClaimNotFound,
                format!("no claim {id} within your scope"),
            ));
            continue;
        };
        match refusal(uow.as_ref(), ctx.actor, c, approve, &mut tally).await? {
            Some(r) => problems.push(r.at(pointer)),
            None => unique.push(*c),
        }
    }
    if !problems.is_empty() {
        return Err(DomainError::Validation(problems));
    }
    let status = if approve {
        ClaimStatus::Approved
    } else {
        ClaimStatus::Rejected
    };
    let ids: Vec<ClaimId> = unique.iter().map(|c| c.id).collect();
    let changed = uow
        .pioneer_claims()
        .decide_claims(&ids, status, &decision)
        .await?;
    if changed != ids.len() as u64 {
        // Someone decided one of them in between: leave all as they are.
        return Err(DomainError::conflict(
            ErrorCode::PioneerClaimNotPending,
            "some of these claims were decided meanwhile; reload and try again",
        ));
    }
    for c in &unique {
        let entry = ctx.audit(
            now,
            decision_action(status),
            "pioneer_claim",
            c.id.to_string(),
            Some((c.branch_id, &c.branch_path)),
        );
        uow.audit().append(&entry).await?;
    }
    uow.commit().await?;
    Ok(unique
        .into_iter()
        .map(|c| Claim {
            status,
            decision: Some(decision.clone()),
            ..c.clone()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rejection_needs_a_reason_and_an_approval_may_carry_one() {
        let now = chrono::Utc::now();
        let by = MemberId::new();
        let reject = |reason: Option<&str>| {
            ClaimVerdict {
                approve: false,
                reason: reason.map(str::to_owned),
            }
            .validate(now, by)
        };
        let codes = |r: Result<(bool, ClaimDecision), DomainError>| match r {
            Err(DomainError::Validation(e)) => e.iter().map(|f| f.code).collect(),
            _ => Vec::new(),
        };
        assert_eq!(codes(reject(None)), [ErrorCode::ReviewReasonRequired]);
        assert_eq!(codes(reject(Some("  "))), [ErrorCode::ReviewReasonInvalid]);
        let Ok((false, d)) = reject(Some(" 佐证不足 ")) else {
            panic!("a rejection with a reason was refused")
        };
        assert_eq!((d.by, d.reason.as_deref()), (by, Some("佐证不足")));
        let approve = ClaimVerdict {
            approve: true,
            reason: None,
        }
        .validate(now, by);
        assert!(matches!(
            approve,
            Ok((true, ClaimDecision { reason: None, .. }))
        ));
    }

    #[test]
    fn refusals_keep_their_status_class() {
        assert!(matches!(
            Refusal::new(ErrorCode::PioneerClaimNotPending, "x").into_error(),
            DomainError::Conflict { .. }
        ));
        assert!(matches!(
            Refusal::new(ErrorCode::PioneerClaimOverCap, "x").into_error(),
            DomainError::Refused { .. }
        ));
    }
}
