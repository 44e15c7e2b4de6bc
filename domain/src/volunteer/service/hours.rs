//! The volunteer-hours ledger: members record their own hours; the service requests they
//! served record theirs (see [`HoursEntry::from_request`]), and so do the service
//! activities they check out of (see [`HoursEntry::from_activity`]); each pending entry gets one
//! decision; confirmed entries are put right by corrections; members, their secretaries
//! and township admins read the ledger, its totals and the service certificate.
//!
//! Who decides (and corrects) an entry:
//! - one the member recorded, or one from a service activity they checked out of: a
//!   secretary covering the member's branch (at the time; the activity's) or a township
//!   admin covering it;
//! - one from a service request: a hotline operator or township admin covering the
//!   member's committee, or the leader of the team the request was served through.
//!
//! Nobody decides or corrects their own entries. A caller who holds none of those roles
//! and leads no team gets 403 whatever id they send; one who could but not on this entry
//! gets 404, as for a missing id.

use chrono::{DateTime, NaiveDate, Utc};

use crate::context::{ReadContext, WriteContext};
use crate::error::{DomainError, ErrorCode, FieldError};
use crate::org::policy::{self, Action, Actor};
use crate::org::{Member, MemberId, OrgPath};
use crate::page::{Page, PageRequest};
use crate::text::clean_text;
use crate::uow::Repositories;
use crate::volunteer::ledger::{
    not_pending, HoursCategory, HoursDecision, HoursEntry, HoursSource, HoursTotals, NewManualHours,
};
use crate::volunteer::model::HoursEntryId;

/// Records hours the caller served (pending until their secretary or a township admin
/// decides). Audited.
pub async fn record_my_hours(
    ctx: &WriteContext<'_>,
    me: &Member,
    new: NewManualHours,
) -> Result<HoursEntry, DomainError> {
    let now = ctx.clock.now();
    let entry = HoursEntry::manual(me, new, now)?;
    let uow = ctx.tx.begin().await?;
    uow.volunteer_hours()
        .append(std::slice::from_ref(&entry))
        .await?;
    ctx.commit_audited(
        uow,
        now,
        "volunteer.hours_recorded",
        "volunteer_hours",
        entry.id.to_string(),
        Some((entry.branch_id, &entry.branch_path)),
    )
    .await?;
    Ok(entry)
}

/// 403 unless the caller could decide some entry: a secretary, township admin or hotline
/// operator anywhere, or the leader of a team.
async fn may_decide_somewhere(repos: &dyn Repositories, actor: &Actor) -> Result<(), DomainError> {
    let by_role = policy::may_somewhere(actor, Action::ReviewVolunteerHours).is_ok()
        || policy::may_somewhere(actor, Action::DispatchServiceRequests).is_ok();
    if by_role || repos.volunteer_teams().leads_any(actor.member_id).await? {
        Ok(())
    } else {
        Err(DomainError::Forbidden)
    }
}

/// Whether the caller may decide (or correct) the entry; see the module's table.
async fn may_decide(
    repos: &dyn Repositories,
    actor: &Actor,
    e: &HoursEntry,
) -> Result<bool, DomainError> {
    let covers =
        |action, path: &OrgPath| policy::scopes(actor, action).iter().any(|s| s.covers(path));
    Ok(match e.source {
        HoursSource::Manual | HoursSource::Activity { .. } | HoursSource::Correction { .. } => {
            covers(Action::ReviewVolunteerHours, &e.branch_path)
        }
        HoursSource::Request { team, .. } => {
            let committee = OrgPath::root(e.committee_id);
            if covers(Action::DispatchServiceRequests, &committee) {
                true
            } else if let Some(team) = team {
                repos
                    .volunteer_teams()
                    .team(team)
                    .await?
                    .is_some_and(|t| t.leader_id == actor.member_id)
            } else {
                false
            }
        }
    })
}

/// The entry the caller may decide or correct, or 404; their own is refused.
async fn decidable(
    repos: &dyn Repositories,
    actor: &Actor,
    id: HoursEntryId,
) -> Result<HoursEntry, DomainError> {
    let e = repos
        .volunteer_hours()
        .entry(id)
        .await?
        .ok_or(DomainError::NotFound)?;
    if !may_decide(repos, actor, &e).await? {
        return Err(DomainError::NotFound);
    }
    if e.member_id == actor.member_id {
        return Err(DomainError::refused(
            ErrorCode::VolunteerHoursOwnEntry,
            "nobody decides or corrects their own hours",
        ));
    }
    Ok(e)
}

/// Confirms or rejects a pending entry (a rejection needs a reason). The entry's one
/// change: of two racing decisions exactly one is stored, the other is 409. Audited.
pub async fn decide_hours(
    ctx: &WriteContext<'_>,
    id: HoursEntryId,
    confirm: bool,
    reason: Option<&str>,
) -> Result<HoursEntry, DomainError> {
    may_decide_somewhere(ctx.repos, ctx.actor).await?;
    let reason = reason
        .map(|r| {
            clean_text(r, 200, "/reason", ErrorCode::ReviewReasonInvalid)
                .map_err(|e: FieldError| DomainError::Validation(vec![e]))
        })
        .transpose()?;
    if !confirm && reason.is_none() {
        return Err(DomainError::invalid(
            "/reason",
            ErrorCode::ReviewReasonRequired,
            "a rejection needs a reason",
        ));
    }
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let e = decidable(uow.as_ref(), ctx.actor, id).await?;
    let status = e.decide(confirm)?;
    let decision = HoursDecision {
        by: ctx.actor.member_id,
        at: now,
        reason,
    };
    // Stored only if still pending: the affected-row count decides a race.
    if !uow
        .volunteer_hours()
        .decide(e.id, status, &decision)
        .await?
    {
        return Err(not_pending());
    }
    let action = if confirm {
        "volunteer.hours_confirmed"
    } else {
        "volunteer.hours_rejected"
    };
    ctx.commit_audited(
        uow,
        now,
        action,
        "volunteer_hours",
        e.id.to_string(),
        Some((e.branch_id, &e.branch_path)),
    )
    .await?;
    Ok(HoursEntry {
        status,
        decision: Some(decision),
        ..e
    })
}

/// Corrects a confirmed entry by a signed number of minutes, with a reason: a new,
/// confirmed entry that names it. The entry with its corrections never counts below zero.
/// Audited.
pub async fn correct_hours(
    ctx: &WriteContext<'_>,
    id: HoursEntryId,
    minutes: i32,
    reason: &str,
) -> Result<HoursEntry, DomainError> {
    may_decide_somewhere(ctx.repos, ctx.actor).await?;
    let now = ctx.clock.now();
    let uow = ctx.tx.begin().await?;
    let e = decidable(uow.as_ref(), ctx.actor, id).await?;
    // Two corrections of the member's hours at once are taken one after the other, so
    // neither can count on a standing the other has changed.
    uow.members().lock(e.member_id).await?;
    let standing = i64::from(e.minutes)
        + uow
            .volunteer_hours()
            .corrections_of(e.id)
            .await?
            .iter()
            .filter(|c| c.counts())
            .map(|c| i64::from(c.minutes))
            .sum::<i64>();
    let correction =
        HoursEntry::correction(&e, standing, minutes, reason, ctx.actor.member_id, now)?;
    uow.volunteer_hours()
        .append(std::slice::from_ref(&correction))
        .await?;
    ctx.commit_audited(
        uow,
        now,
        "volunteer.hours_corrected",
        "volunteer_hours",
        correction.id.to_string(),
        Some((correction.branch_id, &correction.branch_path)),
    )
    .await?;
    Ok(correction)
}

/// A page of a member's ledger with their confirmed totals.
#[derive(Debug, Clone)]
pub struct HoursLedger {
    pub page: Page<HoursEntry>,
    pub totals: HoursTotals,
}

async fn ledger_of(
    repos: &dyn Repositories,
    member: MemberId,
    page: &PageRequest,
) -> Result<HoursLedger, DomainError> {
    let hours = repos.volunteer_hours();
    let page = hours.entries_of(member, page).await?;
    let totals = HoursTotals::of(&hours.confirmed_of(member).await?);
    Ok(HoursLedger { page, totals })
}

/// The caller's own ledger, newest first, with their totals.
pub async fn my_hours(
    ctx: &ReadContext<'_>,
    page: &PageRequest,
) -> Result<HoursLedger, DomainError> {
    ledger_of(ctx.repos, ctx.actor.member_id, page).await
}

/// The member the caller may read the hours of (a secretary or township admin covering
/// their branch), or 404; 403 for callers with neither role.
async fn member_in_scope(
    repos: &dyn Repositories,
    actor: &Actor,
    member: MemberId,
) -> Result<Member, DomainError> {
    policy::load_in_scope(
        actor,
        Action::ReviewVolunteerHours,
        repos.members().get(member),
        |m| &m.branch_path,
    )
    .await
}

/// A member's ledger and totals, for their secretary or a township admin.
pub async fn member_hours(
    ctx: &ReadContext<'_>,
    member: MemberId,
    page: &PageRequest,
) -> Result<(Member, HoursLedger), DomainError> {
    let m = member_in_scope(ctx.repos, ctx.actor, member).await?;
    let ledger = ledger_of(ctx.repos, m.id, page).await?;
    Ok((m, ledger))
}

/// What a service certificate (志愿服务证明) states.
#[derive(Debug, Clone)]
pub struct HoursCertificate {
    pub member: Member,
    /// The member's branch's name now.
    pub branch_name: String,
    /// Every confirmed entry, corrections as their own lines, oldest day first.
    pub entries: Vec<HoursEntry>,
    pub totals: HoursTotals,
    pub issued_at: DateTime<Utc>,
}

async fn certificate_of(
    ctx: &ReadContext<'_>,
    member: Member,
) -> Result<HoursCertificate, DomainError> {
    let entries = ctx.repos.volunteer_hours().confirmed_of(member.id).await?;
    let totals = HoursTotals::of(&entries);
    let branch_name = ctx
        .repos
        .orgs()
        .get(member.branch_id)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    Ok(HoursCertificate {
        member,
        branch_name,
        entries,
        totals,
        issued_at: ctx.clock.now(),
    })
}

/// The caller's own certificate.
pub async fn my_certificate(ctx: &ReadContext<'_>) -> Result<HoursCertificate, DomainError> {
    let me = ctx
        .repos
        .members()
        .get(ctx.actor.member_id)
        .await?
        .ok_or(DomainError::NotFound)?;
    certificate_of(ctx, me).await
}

/// A member's certificate, for their secretary or a township admin.
pub async fn member_certificate(
    ctx: &ReadContext<'_>,
    member: MemberId,
) -> Result<HoursCertificate, DomainError> {
    let m = member_in_scope(ctx.repos, ctx.actor, member).await?;
    certificate_of(ctx, m).await
}

/// The member's confirmed minutes of `category` on days `from..=to`, corrections included:
/// what the pioneer index counts for "volunteer hours".
pub async fn confirmed_minutes(
    repos: &dyn Repositories,
    member: MemberId,
    from: NaiveDate,
    to: NaiveDate,
    category: HoursCategory,
) -> Result<i64, DomainError> {
    Ok(repos
        .volunteer_hours()
        .confirmed_minutes(member, from, to, category)
        .await?)
}
