//! What the service recorded of a township's branches in a half year, gathered for the
//! fortress index: their obligations as the compliance report judges them, their members'
//! study and attendance (the records the pioneer index gathered), appraisal turnout,
//! rectifications and 96345 requests. Read-only; the index's worker calls it.
//!
//! Everything is judged as of the end of the half year, or `now` while it runs: what has not
//! happened yet is asked of nobody, and a half year computed again later keeps its figures.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};

use super::fortress::FortressFigures;
use super::records::{bounds, campaigns_under, PoolMember};
use super::rules::{Placement, Rules};
use super::score::{Records, Share};
use crate::activity::calendar::Period;
use crate::activity::report::judge_obligations;
use crate::activity::schedule::{ObligationKind, ObligationState};
use crate::activity::ActivityId;
use crate::appraisal::{AssessmentStatus, Stage};
use crate::calendar::{midnight, shanghai, YearMonth};
use crate::error::DomainError;
use crate::org::names::path_labels;
use crate::org::{MemberId, Org, OrgId, OrgKind};
use crate::uow::Repositories;
use crate::volunteer::HalfYear;

/// The most activities of one branch and year read for its obligations.
const MAX_BRANCH_ACTIVITIES: u64 = 20_000;

/// One branch of the township and what it did in the half year.
#[derive(Debug, Clone, PartialEq)]
pub struct BranchFigures {
    pub branch: Org,
    /// The branch by its names below the committee.
    pub label: String,
    pub figures: FortressFigures,
}

fn plus(share: &mut Share, done: u32, of: u32) {
    *share = Share::new(share.done.saturating_add(done), share.of.saturating_add(of));
}

fn count(share: &mut Share, done: bool) {
    plus(share, u32::from(done), 1);
}

/// Every branch under the committee with its figures for `half` as of `now`, by branch
/// path. `pool` and `records` are what [`super::records::gather`] read for the same half
/// year: study and attendance count the members the rules score (those they leave out, as
/// the frail, are asked nothing here either).
pub async fn gather_fortress(
    repos: &dyn Repositories,
    committee: &Org,
    half: HalfYear,
    now: DateTime<Utc>,
    rules: &Rules,
    pool: &[PoolMember],
    records: &HashMap<MemberId, Records>,
) -> Result<Vec<BranchFigures>, DomainError> {
    let (first, last, from, until) = bounds(half).ok_or(DomainError::NotFound)?;
    let upto = until.min(now);
    let mut branches = repos.orgs().branches_under(&committee.path).await?;
    branches.sort_by(|a, b| a.path.cmp(&b.path));
    let by_path: HashMap<&str, OrgId> = branches.iter().map(|b| (b.path.as_str(), b.id)).collect();
    let mut figures: HashMap<OrgId, FortressFigures> = branches
        .iter()
        .map(|b| (b.id, FortressFigures::default()))
        .collect();

    // Study and attendance: the members' own records, summed per branch.
    for p in pool {
        if matches!(
            rules.place(p.sector, p.member.category),
            Placement::Excluded(_)
        ) {
            continue;
        }
        let (Some(r), Some(f)) = (
            records.get(&p.member.id),
            figures.get_mut(&p.member.branch_id),
        ) else {
            continue;
        };
        for share in [r.required_study, r.monthly_lessons] {
            plus(&mut f.study, share.done, share.of);
        }
        for share in [r.theme_days, r.meetings] {
            plus(&mut f.attendance, share.done, share.of);
        }
    }

    // Obligations: each of the half year's months that has begun, judged at its end (or
    // now); a quarter's or a year's obligation is counted once, and none from before the
    // branch (or the group) existed. Met counts as done, overdue as not; one still open is
    // not asked yet.
    let year = Period::Year(half.year);
    let last_month = YearMonth::of(last);
    for branch in &branches {
        let activities: Vec<_> = repos
            .activities()
            .starting_between(
                &branch.path,
                year.start(),
                year.end(),
                MAX_BRANCH_ACTIVITIES,
            )
            .await?
            .into_iter()
            .filter(|a| a.branch_id == branch.id)
            .collect();
        let ids: Vec<ActivityId> = activities.iter().map(|a| a.id).collect();
        let approved: HashMap<ActivityId, u64> = repos
            .check_ins()
            .approved_counts(&ids)
            .await?
            .into_iter()
            .collect();
        let groups: Vec<Org> = repos
            .orgs()
            .all_children(branch.id)
            .await?
            .into_iter()
            .filter(|o| o.kind == OrgKind::Group)
            .collect();
        let Some(f) = figures.get_mut(&branch.id) else {
            continue;
        };
        let mut seen: HashSet<(ObligationKind, String, Option<OrgId>)> = HashSet::new();
        let mut month = YearMonth::of(first);
        while let Some(m) = month.filter(|m| Some(*m) <= last_month && m.start() < upto) {
            for o in judge_obligations(&activities, &approved, &groups, m, upto) {
                let created = o.group.as_ref().map_or(branch.created_at, |g| g.created_at);
                if o.period.end() <= created
                    || !seen.insert((o.kind, o.period.label(), o.group.as_ref().map(|g| g.id)))
                {
                    continue;
                }
                let share = if o.kind == ObligationKind::ThemeDay {
                    &mut f.theme_days
                } else {
                    &mut f.meetings
                };
                match o.state {
                    ObligationState::Met => count(share, true),
                    ObligationState::Overdue => count(share, false),
                    ObligationState::Due => {}
                }
            }
            month = m.next();
        }
    }

    let campaigns = campaigns_under(repos, committee).await?;

    // Appraisal turnout: campaigns whose self-assessment began in the half year; each
    // participant not excused is asked for one, as things stood at `upto`: submitted
    // before it, or not submitted by the end of a stage that closed before it (a stage
    // still open asks nothing yet), so a rerun later keeps the figures.
    for c in campaigns.iter().filter(|c| {
        let begins = c.stages.start(Stage::SelfAssessment);
        from <= begins && begins < upto
    }) {
        let closed = c.stages.end(Stage::SelfAssessment) <= upto;
        for p in repos.appraisals().progress(c.id, &committee.path).await? {
            if p.participant.excused.is_some() {
                continue;
            }
            let submitted =
                p.status == AssessmentStatus::Submitted && p.submitted_at.is_some_and(|t| t < upto);
            if !submitted && !closed {
                continue;
            }
            if let Some(f) = figures.get_mut(&p.participant.branch_id) {
                count(&mut f.appraisal_turnout, submitted);
            }
        }
    }

    // Rectifications due in the half year before today (Beijing): done by the end of their
    // due date. A campaign's items fall due from its self-assessment to the end of the year
    // after its period.
    let today = upto.with_timezone(&shanghai()).date_naive();
    for c in campaigns.iter().filter(|c| {
        c.stages.start(Stage::SelfAssessment) < until && c.period.year() + 1 >= half.year
    }) {
        for line in repos
            .rectifications()
            .rectifications_under(c.id, &committee.path)
            .await?
        {
            if line.due_on < first || line.due_on > last || line.due_on >= today {
                continue;
            }
            let Some(f) = by_path
                .get(line.branch_path.as_str())
                .and_then(|id| figures.get_mut(id))
            else {
                continue;
            };
            let deadline = midnight(line.due_on) + Duration::days(1);
            count(
                &mut f.rectifications,
                line.done.as_ref().is_some_and(|(at, _)| *at < deadline),
            );
        }
    }

    // 96345 requests dispatched to the branch and completed in the half year: by their
    // deadline (none set: on time, as the volunteer report counts them).
    for r in repos
        .volunteer_report()
        .reported_requests(std::slice::from_ref(&committee.path), from, upto, upto)
        .await?
    {
        let Some(done) = r.completed_at.filter(|t| from <= *t && *t < upto) else {
            continue;
        };
        let Some(f) = r
            .assignee_path
            .as_ref()
            .and_then(|p| by_path.get(p.as_str()))
            .and_then(|id| figures.get_mut(id))
        else {
            continue;
        };
        count(
            &mut f.service_on_time,
            r.complete_due.is_none_or(|due| done <= due),
        );
    }

    let mut labels = path_labels(repos.orgs(), &branches.iter().collect::<Vec<_>>()).await?;
    Ok(branches
        .into_iter()
        .map(|branch| BranchFigures {
            label: labels
                .remove(&branch.id)
                .unwrap_or_else(|| branch.name.clone()),
            figures: figures.remove(&branch.id).unwrap_or_default(),
            branch,
        })
        .collect())
}
