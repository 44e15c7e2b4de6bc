//! What the service recorded of a township's members in a half year, gathered for the index:
//! the pool (active members of the committee's branches), study, attendance, confirmed
//! service hours and the latest appraisal grade. Read-only; a background job calls it.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::score::{Records, Share};
use crate::activity::{ActivityKind, ActivityStatus, ReviewStatus};
use crate::appraisal::{Campaign, CampaignQuery, Grade, Stage};
use crate::calendar::{shanghai, YearMonth};
use crate::error::DomainError;
use crate::org::{Member, MemberId, Org, OrgSector, RoleKind};
use crate::page::PageRequest;
use crate::uow::Repositories;
use crate::volunteer::{HalfYear, HoursCategory};

/// The most activities of one half year read for a township.
const MAX_ACTIVITIES: u64 = 20_000;

/// A member of the pool: who they are and their branch's sector.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolMember {
    pub member: Member,
    pub sector: OrgSector,
}

/// The instants a half year runs between (Beijing): `[from, until)`.
pub fn bounds(half: HalfYear) -> Option<(NaiveDate, NaiveDate, DateTime<Utc>, DateTime<Utc>)> {
    let first = half.first_day()?;
    let last = half.last_day()?;
    let midnight = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(shanghai()).single())
            .map(|t| t.with_timezone(&Utc))
    };
    Some((
        first,
        last,
        midnight(first)?,
        midnight(last + Duration::days(1))?,
    ))
}

fn add(share: &mut Share, done: bool) {
    share.of += 1;
    if done {
        share.done += 1;
    }
}

/// The pool and each member's records for `half`, as of `now` (what has not happened yet
/// is not asked of anyone).
pub async fn gather(
    repos: &dyn Repositories,
    committee: &Org,
    half: HalfYear,
    now: DateTime<Utc>,
) -> Result<(Vec<PoolMember>, HashMap<MemberId, Records>), DomainError> {
    let (first, last, from, until) = bounds(half).ok_or(DomainError::NotFound)?;
    let upto = until.min(now);
    let branches = repos.orgs().branches_under(&committee.path).await?;
    let mut pool = Vec::new();
    let mut records: HashMap<MemberId, Records> = HashMap::new();
    let activities = repos
        .activities()
        .starting_between(&committee.path, from, upto, MAX_ACTIVITIES)
        .await?;
    for branch in &branches {
        let members = repos.members().active_in_branch(&branch.path).await?;
        for m in &members {
            records.insert(m.id, Records::default());
            pool.push(PoolMember {
                member: m.clone(),
                sector: branch.sector,
            });
        }
        // Attendance: theme days and 三会一课 (with 组织生活会) of the branch that have ended.
        let committee_members: HashSet<MemberId> = repos
            .roles()
            .held_on(branch.id)
            .await?
            .into_iter()
            .filter(|g| matches!(g.kind, RoleKind::Secretary | RoleKind::Committee))
            .map(|g| g.member_id)
            .collect();
        let exemptions = repos.exemptions().approved_in_branch(&branch.path).await?;
        for a in activities.iter().filter(|a| {
            a.branch_id == branch.id && a.status == ActivityStatus::Scheduled && a.ends_at <= upto
        }) {
            let present: HashSet<MemberId> = repos
                .check_ins()
                .all_of(a.id)
                .await?
                .into_iter()
                .filter(|c| c.status == ReviewStatus::Approved)
                .map(|c| c.member_id)
                .collect();
            for m in members
                .iter()
                .filter(|m| m.created_at <= a.ends_at && a.expects_in_branch(m, &committee_members))
            {
                let attended = present.contains(&m.id);
                let excused = exemptions
                    .iter()
                    .any(|e| e.member_id == m.id && e.scope.covers(a));
                if excused && !attended {
                    continue;
                }
                if let Some(r) = records.get_mut(&m.id) {
                    match a.kind {
                        ActivityKind::ThemeDay => add(&mut r.theme_days, attended),
                        _ => add(&mut r.meetings, attended),
                    }
                }
            }
        }
    }
    // Study: the monthly lessons and required materials of each month of the half year,
    // completed by its end.
    let mut month = YearMonth::of(first);
    let last_month = YearMonth::of(last);
    while let Some(m) = month.filter(|m| Some(*m) <= last_month && m.start() < upto) {
        for material in repos
            .materials()
            .reportable(&committee.path, m, now)
            .await?
        {
            let done: HashSet<MemberId> = repos
                .study_records()
                .completed_before(material.id, upto)
                .await?
                .into_iter()
                .collect();
            for p in pool
                .iter()
                .filter(|p| material.audience.includes(&p.member))
            {
                if let Some(r) = records.get_mut(&p.member.id) {
                    let finished = done.contains(&p.member.id);
                    if material.lesson_month.is_some() {
                        add(&mut r.monthly_lessons, finished);
                    } else if material.required {
                        add(&mut r.required_study, finished);
                    }
                }
            }
        }
        month = m.next();
    }
    // Service hours confirmed in the ledger.
    for p in &pool {
        let minutes = repos
            .volunteer_hours()
            .confirmed_minutes(p.member.id, first, last, HoursCategory::Service)
            .await?;
        if let Some(r) = records.get_mut(&p.member.id) {
            r.service_minutes = minutes;
        }
    }
    // The latest grade published within the year before the half year ends.
    for (member, grade) in latest_grades(repos, committee, until).await? {
        if let Some(r) = records.get_mut(&member) {
            r.grade = Some(grade);
        }
    }
    Ok((pool, records))
}

/// Every appraisal campaign of the township: its own and its branches'.
pub(crate) async fn campaigns_under(
    repos: &dyn Repositories,
    committee: &Org,
) -> Result<Vec<Campaign>, DomainError> {
    let query = CampaignQuery {
        on: Vec::new(),
        under: vec![committee.path.clone()],
    };
    let mut campaigns = Vec::new();
    let mut after = None;
    loop {
        let page = PageRequest::new(Some(PageRequest::MAX_LIMIT), after)
            .map_err(|e| DomainError::Validation(vec![e]))?;
        let got = repos.appraisals().list_campaigns(&query, &page).await?;
        campaigns.extend(got.items);
        match got.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    Ok(campaigns)
}

async fn latest_grades(
    repos: &dyn Repositories,
    committee: &Org,
    until: DateTime<Utc>,
) -> Result<Vec<(MemberId, Grade)>, DomainError> {
    let mut campaigns = campaigns_under(repos, committee).await?;
    let published = |c: &Campaign| c.stages.start(Stage::Publication);
    campaigns.retain(|c| {
        let at = published(c);
        at < until && at >= until - Duration::days(366)
    });
    // Oldest first, so a later campaign's grade replaces an earlier one's.
    campaigns.sort_by_key(|c| (published(c), c.id));
    let mut grades: HashMap<MemberId, Grade> = HashMap::new();
    for c in &campaigns {
        for r in repos.ratings().ratings(c.id, &committee.path).await? {
            grades.insert(r.member_id, r.grade);
        }
    }
    Ok(grades.into_iter().collect())
}
