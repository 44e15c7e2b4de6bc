//! A township's rule sets: read by anyone inside the township, kept by its admins. A change
//! is a new version, in force from the current half year — or, once a half year's index has
//! been computed, from the half year after it, so a computed index never changes its rules.

use crate::context::{ReadContext, WriteContext};
use crate::error::{DomainError, ErrorCode};
use crate::org::policy::{self, Action};
use crate::org::{Org, OrgId, OrgKind};
use crate::pioneer::ports::{RuleSet, RuleSetId};
use crate::pioneer::rules::Rules;
use crate::volunteer::HalfYear;

/// The rule set in force for a half year: a stored version, or the standard rules where the
/// township has stored none in force by then (`set` is `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesInForce {
    pub committee_id: OrgId,
    pub half: HalfYear,
    pub set: Option<RuleSet>,
    pub rules: Rules,
    /// Whether the rules in force for `half` can no longer change (its index was computed).
    pub locked: bool,
}

fn require_committee(org: &Org) -> Result<(), DomainError> {
    if org.kind == OrgKind::Committee {
        Ok(())
    } else {
        Err(DomainError::refused(
            ErrorCode::PioneerNeedsCommittee,
            "pioneer-index rules are kept per township committee",
        ))
    }
}

/// The rules in force for `half` (default: the current half year). Any member inside the
/// township: the rules are published to the members they score.
pub async fn get_rules(
    ctx: &ReadContext<'_>,
    committee_id: OrgId,
    half: Option<HalfYear>,
) -> Result<RulesInForce, DomainError> {
    let org = policy::load_in_scope(
        ctx.actor,
        Action::ReadOrg,
        ctx.repos.orgs().get(committee_id),
        |o| &o.path,
    )
    .await?;
    require_committee(&org)?;
    let half = half.unwrap_or_else(|| HalfYear::containing(ctx.clock.now()));
    let repo = ctx.repos.pioneer_rules();
    let set = repo.in_force(org.id, half).await?;
    let locked = repo
        .last_computed(org.id)
        .await?
        .is_some_and(|last| last >= half);
    Ok(RulesInForce {
        committee_id: org.id,
        half,
        rules: set
            .as_ref()
            .map_or_else(Rules::standard, |s| s.rules.clone()),
        set,
        locked,
    })
}

/// Stores `rules` as the committee's next version (township admins; audited). In force
/// from the current half year, or from the half year after the last one computed.
pub async fn put_rules(
    ctx: &WriteContext<'_>,
    committee_id: OrgId,
    rules: Rules,
) -> Result<RuleSet, DomainError> {
    let rules = rules.validate().map_err(DomainError::Validation)?;
    policy::may_somewhere(ctx.actor, Action::ManagePioneerIndex)?;
    let uow = ctx.tx.begin().await?;
    let org = policy::load_in_scope(
        ctx.actor,
        Action::ManagePioneerIndex,
        uow.orgs().get(committee_id),
        |o| &o.path,
    )
    .await?;
    require_committee(&org)?;
    let now = ctx.clock.now();
    let repo = uow.pioneer_rules();
    let current = HalfYear::containing(now);
    let effective_from = match repo.last_computed(org.id).await? {
        Some(last) if last >= current => last.next(),
        _ => current,
    };
    let version = repo.latest(org.id).await?.map_or(1, |s| s.version + 1);
    let set = RuleSet {
        id: RuleSetId::new(),
        committee_id: org.id,
        version,
        effective_from,
        rules,
        created_by: ctx.actor.member_id,
        created_at: now,
    };
    repo.insert(&set).await.map_err(|e| match e {
        crate::error::RepoError::Conflict { .. } => DomainError::conflict(
            ErrorCode::PioneerRulesChanged,
            "another version was stored at the same time; read the rules and try again",
        ),
        other => other.into(),
    })?;
    ctx.commit_audited(
        uow,
        now,
        "pioneer.rules_set",
        "pioneer_rule_set",
        format!("{}/v{version}", org.id),
        Some((org.id, &org.path)),
    )
    .await?;
    Ok(set)
}
