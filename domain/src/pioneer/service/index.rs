//! The half-yearly computation: asked for by a township admin, run by a worker (one at a
//! time per township and half year across instances, under a job lease), computed again on
//! request until the township confirms it; then read by the township, by each branch and
//! by each member (their own, with its breakdown).

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};

use crate::audit::{AuditAction, AuditEntry, AuditId, NewAuditEntry};
use crate::clock::Clock;
use crate::context::{ReadContext, WriteContext};
use crate::error::{DomainError, ErrorCode};
use crate::org::policy::{self, Action};
use crate::org::{MemberId, Org, OrgId, OrgKind};
use crate::page::{Page, PageRequest};
use crate::pioneer::compute::{compute, with_claims_and_deductions, Outcome};
use crate::pioneer::fortress::{score_fortress, BranchFortress};
use crate::pioneer::fortress_records::gather_fortress;
use crate::pioneer::records::gather;
use crate::pioneer::rules::Rules;
use crate::pioneer::run::{IndexResult, IndexRun, IndexRunId, ResultOutcome, RunStatus};
use crate::pioneer::warning::{check_confirmation, ConfirmRefusal};
use crate::uow::{Repositories, Transactional};
use crate::volunteer::HalfYear;

/// How long a worker may hold a computation before another may take it over.
const LEASE: Duration = Duration::minutes(15);
/// The publication window after confirmation (objections until its end).
pub const PUBLICATION_DAYS: i64 = 7;

fn lease_job(committee: OrgId, half: HalfYear) -> String {
    format!("pioneer-index:{committee}:{half}")
}

fn require_committee(org: &Org) -> Result<(), DomainError> {
    if org.kind == OrgKind::Committee {
        Ok(())
    } else {
        Err(DomainError::refused(
            ErrorCode::PioneerNeedsCommittee,
            "the pioneer index is computed per township committee",
        ))
    }
}

/// Asks for `half`'s index of the committee (township admins; audited). A half year that
/// has not begun is refused; one confirmed already is final (409); one queued or running
/// is answered as it stands; one computed is queued again. Answers the run.
pub async fn request_index(
    ctx: &WriteContext<'_>,
    committee_id: OrgId,
    half: HalfYear,
) -> Result<IndexRun, DomainError> {
    policy::may_somewhere(ctx.actor, Action::ManagePioneerIndex)?;
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let org = policy::load_in_scope(
        ctx.actor,
        Action::ManagePioneerIndex,
        uow.orgs().get(committee_id),
        |o| &o.path,
    )
    .await?;
    require_committee(&org)?;
    if half > HalfYear::containing(now) {
        return Err(DomainError::refused(
            ErrorCode::PioneerHalfNotBegun,
            "a half year's index is computed once it has begun",
        ));
    }
    let repo = uow.pioneer_index();
    let run = match repo.run(org.id, half).await? {
        None => {
            let run = IndexRun {
                id: IndexRunId::new(),
                committee_id: org.id,
                committee_path: org.path.clone(),
                half,
                status: RunStatus::Queued,
                rules_version: None,
                pool: 0,
                excluded: 0,
                quota: 0,
                progress_done: 0,
                progress_total: 0,
                requested_by: ctx.actor.member_id,
                requested_at: now,
                computed_at: None,
                confirmed_by: None,
                confirmed_at: None,
                publish_until: None,
            };
            repo.insert_run(&run).await.map_err(|e| match e {
                crate::error::RepoError::Conflict { .. } => DomainError::conflict(
                    ErrorCode::PioneerIndexBusy,
                    "the index of this half year was asked for at the same time",
                ),
                other => other.into(),
            })?;
            run
        }
        Some(run) if run.status == RunStatus::Confirmed => {
            return Err(DomainError::conflict(
                ErrorCode::PioneerIndexConfirmed,
                "this half year's index was confirmed and is final",
            ))
        }
        Some(run) if run.status != RunStatus::Computed => return Ok(run),
        Some(run) => {
            let again = IndexRun {
                status: RunStatus::Queued,
                progress_done: 0,
                requested_by: ctx.actor.member_id,
                requested_at: now,
                ..run
            };
            if !repo.update_run(&again, RunStatus::Computed).await? {
                return Err(DomainError::conflict(
                    ErrorCode::PioneerIndexBusy,
                    "the index of this half year changed at the same time",
                ));
            }
            again
        }
    };
    ctx.commit_audited(
        uow,
        now,
        "pioneer.index_requested",
        "pioneer_index",
        format!("{}/{half}", org.id),
        Some((org.id, &org.path)),
    )
    .await?;
    Ok(run)
}

/// What one pass of the worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorkerPass {
    pub computed: u32,
}

/// Computes every run asked for and not done, as `owner` (this instance's name in the
/// leases). Each run is computed by one instance at a time; a run another holds is left to
/// it.
pub async fn compute_pending(
    tx: &dyn Transactional,
    repos: &dyn Repositories,
    clock: &dyn Clock,
    owner: &str,
) -> Result<WorkerPass, DomainError> {
    let mut pass = WorkerPass::default();
    for (committee, half) in repos.pioneer_index().pending_runs().await? {
        if compute_one(tx, repos, clock, owner, committee, half).await? {
            pass.computed += 1;
        }
    }
    Ok(pass)
}

/// Computes the committee's run for `half` if it is asked for and nobody else is computing
/// it; whether it did.
pub async fn compute_one(
    tx: &dyn Transactional,
    repos: &dyn Repositories,
    clock: &dyn Clock,
    owner: &str,
    committee_id: OrgId,
    half: HalfYear,
) -> Result<bool, DomainError> {
    let job = lease_job(committee_id, half);
    let now = clock.now();
    let uow = tx.begin().await?;
    let held = uow
        .job_leases()
        .acquire(&job, owner, now, now + LEASE)
        .await?;
    uow.commit().await?;
    if !held {
        return Ok(false);
    }
    let outcome = compute_held(tx, repos, clock, committee_id, half).await;
    let released = async {
        let uow = tx.begin().await?;
        uow.job_leases().release(&job, owner, clock.now()).await?;
        uow.commit().await
    }
    .await;
    let done = outcome?;
    released?;
    Ok(done)
}

async fn compute_held(
    tx: &dyn Transactional,
    repos: &dyn Repositories,
    clock: &dyn Clock,
    committee_id: OrgId,
    half: HalfYear,
) -> Result<bool, DomainError> {
    let Some(run) = repos.pioneer_index().run(committee_id, half).await? else {
        return Ok(false);
    };
    let from = run.status;
    if !matches!(from, RunStatus::Queued | RunStatus::Running) {
        return Ok(false);
    }
    let Some(committee) = repos.orgs().get(committee_id).await? else {
        return Ok(false);
    };
    let running = IndexRun {
        status: RunStatus::Running,
        ..run.clone()
    };
    if !repos.pioneer_index().update_run(&running, from).await? {
        return Ok(false);
    }
    let now = clock.now();
    let set = repos.pioneer_rules().in_force(committee.id, half).await?;
    let rules = set
        .as_ref()
        .map_or_else(Rules::standard, |s| s.rules.clone());
    let (pool, mut records) = gather(repos, &committee, half, now).await?;
    let total = u32::try_from(pool.len()).unwrap_or(u32::MAX);
    repos
        .pioneer_index()
        .set_progress(run.id, total, total)
        .await?;
    let (claims, deductions) = claims_and_deductions(repos, committee.id, half).await?;
    with_claims_and_deductions(&rules, &pool, &mut records, &claims, &deductions);
    let computed = compute(&rules, &pool, &records);
    let proposed: BTreeSet<MemberId> = computed.proposal.proposed.iter().copied().collect();
    let results: Vec<IndexResult> = computed
        .results
        .iter()
        .map(|r| IndexResult {
            run_id: run.id,
            member_id: r.member.member.id,
            member_name: r.member.member.name.clone(),
            branch_id: r.member.member.branch_id,
            branch_path: r.member.member.branch_path.clone(),
            sector: r.member.sector,
            category: r.member.member.category,
            outcome: match &r.outcome {
                Outcome::Scored(s) => ResultOutcome::Scored {
                    profile: s.profile.clone(),
                    total: s.total,
                    zeroed_by: s.zeroed_by.clone(),
                    lines: s.lines.clone(),
                },
                Outcome::Excluded(reason) => ResultOutcome::Excluded {
                    reason: reason.clone(),
                },
            },
            proposed: proposed.contains(&r.member.member.id),
            tied: computed.proposal.tied.contains(&r.member.member.id),
            warning: false,
        })
        .collect();
    // The branches' fortress index, from the same records and rules: computed, stored and
    // confirmed together with the members' results.
    let fortress: Vec<BranchFortress> =
        gather_fortress(repos, &committee, half, now, &rules, &pool, &records)
            .await?
            .into_iter()
            .map(|b| {
                let scored = score_fortress(&rules.fortress, &b.figures);
                BranchFortress {
                    run_id: run.id,
                    branch_id: b.branch.id,
                    branch_path: b.branch.path,
                    branch_name: b.label,
                    total: scored.total,
                    lines: scored.lines,
                }
            })
            .collect();
    let finished = clock.now();
    let done = IndexRun {
        status: RunStatus::Computed,
        rules_version: set.as_ref().map(|s| s.version),
        pool: u32::try_from(computed.proposal.pool).unwrap_or(u32::MAX),
        excluded: total.saturating_sub(u32::try_from(computed.proposal.pool).unwrap_or(0)),
        quota: u32::try_from(computed.proposal.quota).unwrap_or(u32::MAX),
        progress_done: total,
        progress_total: total,
        // Set once computed and kept while computed again (see `last_computed`): the half
        // year's rules are locked for good.
        computed_at: Some(finished),
        ..running.clone()
    };
    let uow = tx.begin().await?;
    if !uow
        .pioneer_index()
        .update_run(&done, RunStatus::Running)
        .await?
    {
        // Asked for again meanwhile: the next pass computes it afresh.
        return Ok(false);
    }
    uow.pioneer_index()
        .replace_results(run.id, &results)
        .await?;
    uow.pioneer_index()
        .replace_fortress(run.id, &fortress)
        .await?;
    let entry = AuditEntry::record(
        AuditId::at(finished),
        NewAuditEntry {
            actor: None,
            action: AuditAction::known("pioneer.index_computed"),
            object_type: "pioneer_index".to_owned(),
            object_id: format!("{}/{half}", committee.id),
            org_id: Some(committee.id.as_uuid()),
            org_path: Some(committee.path.as_str().to_owned()),
            request_id: None,
        },
        finished,
    );
    uow.audit().append(&entry).await?;
    uow.commit().await?;
    Ok(true)
}

/// Approved claims and standing deductions of the half year, per member and item code.
async fn claims_and_deductions(
    repos: &dyn Repositories,
    committee: OrgId,
    half: HalfYear,
) -> Result<(Vec<(MemberId, String, u32)>, Vec<(MemberId, String, u32)>), DomainError> {
    let claims = repos
        .pioneer_claims()
        .approved_counts(committee, half)
        .await?;
    let deductions = repos
        .pioneer_claims()
        .standing_deductions(committee, half)
        .await?;
    Ok((claims, deductions))
}

/// The run of `half` (township admins covering the committee; any half: `None` → 404).
pub async fn get_run(
    ctx: &ReadContext<'_>,
    committee_id: OrgId,
    half: HalfYear,
) -> Result<IndexRun, DomainError> {
    let org = policy::load_in_scope(
        ctx.actor,
        Action::ManagePioneerIndex,
        ctx.repos.orgs().get(committee_id),
        |o| &o.path,
    )
    .await?;
    require_committee(&org)?;
    ctx.repos
        .pioneer_index()
        .run(org.id, half)
        .await?
        .ok_or(DomainError::NotFound)
}

/// The branches' fortress index (堡垒指数) of `half` with each one's breakdown, by branch
/// path (township admins covering the committee, once computed; `None` → 404).
pub async fn fortress_index(
    ctx: &ReadContext<'_>,
    committee_id: OrgId,
    half: HalfYear,
) -> Result<(IndexRun, Vec<BranchFortress>), DomainError> {
    let org = policy::load_in_scope(
        ctx.actor,
        Action::ManagePioneerIndex,
        ctx.repos.orgs().get(committee_id),
        |o| &o.path,
    )
    .await?;
    require_committee(&org)?;
    let run = ctx
        .repos
        .pioneer_index()
        .run(org.id, half)
        .await?
        .filter(|r| matches!(r.status, RunStatus::Computed | RunStatus::Confirmed))
        .ok_or(DomainError::NotFound)?;
    let rows = ctx.repos.pioneer_index().fortress(run.id).await?;
    Ok((run, rows))
}

/// Whether members and branches may see a run's results: once the township confirmed it.
fn published(run: &IndexRun) -> bool {
    run.status == RunStatus::Confirmed
}

/// The results of `half` for members under `org` (default: the committee). The township's
/// admins see every computed run; a secretary sees their branch's results once confirmed.
pub async fn list_results(
    ctx: &ReadContext<'_>,
    committee_id: OrgId,
    half: HalfYear,
    org: Option<OrgId>,
    page: &PageRequest,
) -> Result<(IndexRun, Page<IndexResult>), DomainError> {
    let (run, under) = results_scope(ctx, committee_id, half, org).await?;
    let page = ctx
        .repos
        .pioneer_index()
        .results(run.id, &under.path, page)
        .await?;
    Ok((run, page))
}

/// The run whose results the caller may read under `org` (default: the committee), and that
/// org: see [`list_results`].
pub(super) async fn results_scope(
    ctx: &ReadContext<'_>,
    committee_id: OrgId,
    half: HalfYear,
    org: Option<OrgId>,
) -> Result<(IndexRun, Org), DomainError> {
    policy::may_somewhere(ctx.actor, Action::ReadReports)?;
    let committee = policy::load_in_scope(
        ctx.actor,
        Action::ReadOrg,
        ctx.repos.orgs().get(committee_id),
        |o| &o.path,
    )
    .await?;
    require_committee(&committee)?;
    let under = match org {
        None => committee.clone(),
        Some(id) => ctx
            .repos
            .orgs()
            .get(id)
            .await?
            .filter(|o| committee.path.covers(&o.path))
            .ok_or(DomainError::NotFound)?,
    };
    let township =
        policy::authorize(ctx.actor, Action::ManagePioneerIndex, &committee.path).is_ok();
    if !township && policy::authorize(ctx.actor, Action::ReadReports, &under.path).is_err() {
        return Err(DomainError::NotFound);
    }
    let run = ctx
        .repos
        .pioneer_index()
        .run(committee.id, half)
        .await?
        .filter(|r| {
            if township {
                matches!(r.status, RunStatus::Computed | RunStatus::Confirmed)
            } else {
                published(r)
            }
        })
        .ok_or(DomainError::NotFound)?;
    Ok((run, under))
}

/// The caller's own result of `half` in their township, with its breakdown, once the
/// township confirmed it.
pub async fn my_result(
    ctx: &ReadContext<'_>,
    half: HalfYear,
) -> Result<(IndexRun, IndexResult), DomainError> {
    let committee = ctx
        .actor
        .branch_path
        .root_id()
        .ok_or(DomainError::NotFound)?;
    let run = ctx
        .repos
        .pioneer_index()
        .run(committee, half)
        .await?
        .filter(published)
        .ok_or(DomainError::NotFound)?;
    let result = ctx
        .repos
        .pioneer_index()
        .result(run.id, ctx.actor.member_id)
        .await?
        .ok_or(DomainError::NotFound)?;
    Ok((run, result))
}

/// The township confirms the warning level of `half` (township admins; audited): every
/// member proposed below a tie stays, tied members may be kept or dropped, others of the
/// pool may be added, and at least the quota are confirmed. Final: publication begins.
pub async fn confirm_index(
    ctx: &WriteContext<'_>,
    committee_id: OrgId,
    half: HalfYear,
    warning: &[MemberId],
) -> Result<IndexRun, DomainError> {
    policy::may_somewhere(ctx.actor, Action::ManagePioneerIndex)?;
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let org = policy::load_in_scope(
        ctx.actor,
        Action::ManagePioneerIndex,
        uow.orgs().get(committee_id),
        |o| &o.path,
    )
    .await?;
    require_committee(&org)?;
    let repo = uow.pioneer_index();
    let run = repo.run(org.id, half).await?.ok_or(DomainError::NotFound)?;
    match run.status {
        RunStatus::Computed => {}
        RunStatus::Confirmed => {
            return Err(DomainError::conflict(
                ErrorCode::PioneerIndexConfirmed,
                "this half year's index was confirmed and is final",
            ))
        }
        RunStatus::Queued | RunStatus::Running => {
            return Err(DomainError::conflict(
                ErrorCode::PioneerIndexBusy,
                "the index is being computed; confirm it once it is computed",
            ))
        }
    }
    let results = repo.all_results(run.id).await?;
    let pool: BTreeSet<MemberId> = results
        .iter()
        .filter(|r| r.total().is_some())
        .map(|r| r.member_id)
        .collect();
    let mut scored: Vec<(MemberId, i64)> = results
        .iter()
        .filter_map(|r| r.total().map(|t| (r.member_id, t)))
        .collect();
    scored.sort();
    let proposal = crate::pioneer::warning::propose(&scored);
    let chosen: BTreeSet<MemberId> = warning.iter().copied().collect();
    check_confirmation(&proposal, &pool, &chosen).map_err(|refusal| match refusal {
        ConfirmRefusal::BelowQuota { quota, chosen } => DomainError::refused(
            ErrorCode::PioneerWarningBelowQuota,
            format!("at least {quota} members are rated warning-level (不少于5‰); {chosen} chosen"),
        ),
        ConfirmRefusal::LowestLeftOut(m) => DomainError::refused(
            ErrorCode::PioneerWarningLowestLeftOut,
            format!("member {m} has one of the lowest indices and must stay warning-level"),
        ),
        ConfirmRefusal::TooFewOfTheTied { needed, chosen } => DomainError::refused(
            ErrorCode::PioneerWarningLowestLeftOut,
            format!(
                "{needed} of the members tied at the lowest indices must be warning-level to reach the quota; {chosen} chosen"
            ),
        ),
        ConfirmRefusal::NotInPool(m) => DomainError::refused(
            ErrorCode::PioneerWarningNotInPool,
            format!("member {m} is not in this half year's pool"),
        ),
    })?;
    let confirmed = IndexRun {
        status: RunStatus::Confirmed,
        confirmed_by: Some(ctx.actor.member_id),
        confirmed_at: Some(now),
        publish_until: Some(now + Duration::days(PUBLICATION_DAYS)),
        ..run
    };
    if !repo.update_run(&confirmed, RunStatus::Computed).await? {
        return Err(DomainError::conflict(
            ErrorCode::PioneerIndexBusy,
            "the index changed at the same time",
        ));
    }
    let members: Vec<MemberId> = chosen.into_iter().collect();
    repo.set_warning(confirmed.id, &members).await?;
    ctx.commit_audited(
        uow,
        now,
        "pioneer.index_confirmed",
        "pioneer_index",
        format!("{}/{half}", org.id),
        Some((org.id, &org.path)),
    )
    .await?;
    Ok(confirmed)
}

/// Whether the publication window of a confirmed run is still open at `now`.
pub fn in_publication(run: &IndexRun, now: DateTime<Utc>) -> bool {
    run.publish_until.is_some_and(|end| now < end)
}
