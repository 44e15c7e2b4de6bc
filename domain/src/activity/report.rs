//! Reads over activities: attendance of one activity, the reviewer's inbox, a branch's plan
//! for a month and the township's compliance report.

use crate::error::ErrorCode;
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::calendar::{HolidayCalendar, Period};
use super::model::*;
use super::ports::{ActivityRepo, CheckInRepo, ExemptionRepo, HolidayRepo, PendingCounts};
use super::schedule::{self, HeldActivity, ObligationKind, ObligationState, ThemeDaySuggestion};
use crate::calendar::YearMonth;
use crate::error::DomainError;
use crate::org::names::{path_label, path_labels};
use crate::org::policy::{self, Action, Actor};
use crate::org::{Member, MemberId, MemberRepo, Org, OrgId, OrgKind, OrgRepo, RoleKind, RoleRepo};

/// Every repository the reports read.
pub trait ReportRepos:
    OrgRepo + MemberRepo + RoleRepo + ActivityRepo + CheckInRepo + ExemptionRepo + HolidayRepo
{
}

impl<T> ReportRepos for T where
    T: OrgRepo + MemberRepo + RoleRepo + ActivityRepo + CheckInRepo + ExemptionRepo + HolidayRepo
{
}

/// Where an expected member stands for one activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttendanceStatus {
    /// An approved check-in.
    Present,
    /// A check-in awaiting review (not counted as present).
    Pending,
    /// An approved exemption covers the activity.
    Excused,
    /// Nothing, or a rejected check-in.
    Absent,
}

impl AttendanceStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            AttendanceStatus::Present => "present",
            AttendanceStatus::Pending => "pending",
            AttendanceStatus::Excused => "excused",
            AttendanceStatus::Absent => "absent",
        }
    }
}

#[derive(Debug, Clone)]
pub struct AttendanceRow {
    pub member: Member,
    pub status: AttendanceStatus,
    pub check_in: Option<CheckIn>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AttendanceCounts {
    pub expected: u64,
    pub present: u64,
    pub pending: u64,
    pub excused: u64,
    pub absent: u64,
}

impl AttendanceCounts {
    /// present ÷ (expected − excused); none when nobody was due to attend.
    pub fn rate(&self) -> Option<f64> {
        let due = self.expected.saturating_sub(self.excused);
        (due > 0).then(|| self.present as f64 / due as f64)
    }

    fn add(&mut self, other: &AttendanceCounts) {
        self.expected += other.expected;
        self.present += other.present;
        self.pending += other.pending;
        self.excused += other.excused;
        self.absent += other.absent;
    }
}

#[derive(Debug, Clone)]
pub struct Attendance {
    pub activity: Activity,
    /// The activity's branch by its names below the committee (`虞北村党总支/第一党支部`).
    pub branch_label: String,
    pub rows: Vec<AttendanceRow>,
    pub counts: AttendanceCounts,
}

/// What one branch's attendance questions need, loaded once per branch.
struct BranchRoster {
    label: String,
    members: Vec<Member>,
    committee: HashSet<MemberId>,
    exemptions: Vec<Exemption>,
}

impl BranchRoster {
    async fn load<R: ReportRepos + ?Sized>(
        repos: &R,
        branch: &Org,
        label: String,
    ) -> Result<Self, DomainError> {
        let members = repos.active_in_branch(&branch.path).await?;
        let committee = repos
            .held_on(branch.id)
            .await?
            .into_iter()
            .filter(|g| matches!(g.kind, RoleKind::Secretary | RoleKind::Committee))
            .map(|g| g.member_id)
            .collect();
        let exemptions = repos.approved_in_branch(&branch.path).await?;
        Ok(Self {
            label,
            members,
            committee,
            exemptions,
        })
    }

    /// The members expected at `a`: those of the branch (the group, the committee) who were
    /// members before it ended; someone who joined later was never asked to attend.
    fn expected<'a>(&'a self, a: &'a Activity) -> impl Iterator<Item = &'a Member> + 'a {
        self.members
            .iter()
            .filter(move |m| m.created_at <= a.ends_at)
            .filter(move |m| a.expects_in_branch(m, &self.committee))
    }

    fn attendance(&self, a: &Activity, check_ins: Vec<CheckIn>) -> Attendance {
        let mut by_member: HashMap<MemberId, CheckIn> =
            check_ins.into_iter().map(|c| (c.member_id, c)).collect();
        let mut counts = AttendanceCounts::default();
        let mut rows = Vec::new();
        for m in self.expected(a) {
            let check_in = by_member.remove(&m.id);
            let excused = self
                .exemptions
                .iter()
                .any(|e| e.member_id == m.id && e.scope.covers(a));
            let status = match check_in.as_ref().map(|c| c.status) {
                Some(ReviewStatus::Approved) => AttendanceStatus::Present,
                _ if excused => AttendanceStatus::Excused,
                Some(ReviewStatus::Pending) => AttendanceStatus::Pending,
                _ => AttendanceStatus::Absent,
            };
            counts.expected += 1;
            match status {
                AttendanceStatus::Present => counts.present += 1,
                AttendanceStatus::Pending => counts.pending += 1,
                AttendanceStatus::Excused => counts.excused += 1,
                AttendanceStatus::Absent => counts.absent += 1,
            }
            rows.push(AttendanceRow {
                member: m.clone(),
                status,
                check_in,
            });
        }
        Attendance {
            activity: a.clone(),
            branch_label: self.label.clone(),
            rows,
            counts,
        }
    }
}

async fn branch_of<R: ReportRepos + ?Sized>(repos: &R, a: &Activity) -> Result<Org, DomainError> {
    OrgRepo::get(repos, a.branch_id)
        .await?
        .ok_or(DomainError::NotFound)
}

/// Every expected member of the activity as present, pending, excused or absent.
pub async fn attendance<R: ReportRepos + ?Sized>(
    repos: &R,
    actor: &Actor,
    id: ActivityId,
) -> Result<Attendance, DomainError> {
    let a = policy::load_in_scope(
        actor,
        Action::ReadReports,
        ActivityRepo::get(repos, id),
        |a| &a.branch_path,
    )
    .await?;
    let branch = branch_of(repos, &a).await?;
    let label = path_label(repos, &branch).await?;
    let roster = BranchRoster::load(repos, &branch, label).await?;
    let check_ins = repos.all_of(a.id).await?;
    Ok(roster.attendance(&a, check_ins))
}

/// One line of a reviewer's inbox.
#[derive(Debug, Clone)]
pub struct InboxItem {
    pub activity: Activity,
    pub pending: PendingCounts,
}

#[derive(Debug, Clone)]
pub struct Inbox {
    /// Activities with something pending, newest first.
    pub items: Vec<InboxItem>,
    /// Pending exemptions for a date range rather than one activity.
    pub pending_range_exemptions: u64,
}

/// Counts of pending check-ins and exemptions per activity in the reviewer's scope.
pub async fn inbox<R: ReportRepos + ?Sized>(
    repos: &R,
    actor: &Actor,
) -> Result<Inbox, DomainError> {
    let scopes = policy::scopes(actor, Action::Review);
    if scopes.is_empty() {
        return Err(DomainError::Forbidden);
    }
    let mut counts: HashMap<ActivityId, PendingCounts> = HashMap::new();
    for (id, n) in CheckInRepo::pending_by_activity(repos, &scopes).await? {
        counts.entry(id).or_default().check_ins += n;
    }
    let mut ranges = 0;
    for (id, n) in ExemptionRepo::pending_by_activity(repos, &scopes).await? {
        match id {
            Some(id) => counts.entry(id).or_default().exemptions += n,
            None => ranges += n,
        }
    }
    let ids: Vec<ActivityId> = counts.keys().copied().collect();
    let mut items: Vec<InboxItem> = ActivityRepo::get_many(repos, &ids)
        .await?
        .into_iter()
        // A cancelled activity's leftovers need no decision.
        .filter(|a| !a.is_cancelled())
        .filter_map(|a| {
            counts.get(&a.id).map(|p| InboxItem {
                pending: *p,
                activity: a,
            })
        })
        .collect();
    items.sort_by(|x, y| {
        y.activity
            .starts_at
            .cmp(&x.activity.starts_at)
            .then(y.activity.id.cmp(&x.activity.id))
    });
    Ok(Inbox {
        items,
        pending_range_exemptions: ranges,
    })
}

/// One obligation of one period, for a branch (or one of its groups).
#[derive(Debug, Clone)]
pub struct ObligationReport {
    pub kind: ObligationKind,
    pub period: Period,
    pub state: ObligationState,
    /// The group, for group meetings (one obligation per group).
    pub group: Option<Org>,
}

/// The holiday calendar that applies to `org`: its committee's, for `year`.
async fn calendar_for<R: ReportRepos + ?Sized>(
    repos: &R,
    org: &Org,
    year: i32,
) -> Result<HolidayCalendar, DomainError> {
    match org.path.root_id() {
        Some(committee) => Ok(HolidayRepo::get(repos, committee, year)
            .await?
            .unwrap_or_default()),
        None => Ok(HolidayCalendar::default()),
    }
}

/// The branch's obligations for the periods containing `month`, judged at `now`, from the
/// branch's activities of that year.
async fn obligations<R: ReportRepos + ?Sized>(
    repos: &R,
    branch: &Org,
    year_activities: &[Activity],
    month: YearMonth,
    now: DateTime<Utc>,
) -> Result<Vec<ObligationReport>, DomainError> {
    let ids: Vec<ActivityId> = year_activities.iter().map(|a| a.id).collect();
    let approved: HashMap<ActivityId, u64> =
        repos.approved_counts(&ids).await?.into_iter().collect();
    let groups: Vec<Org> = repos
        .all_children(branch.id)
        .await?
        .into_iter()
        .filter(|o| o.kind == OrgKind::Group)
        .collect();
    Ok(judge_obligations(
        year_activities,
        &approved,
        &groups,
        month,
        now,
    ))
}

/// The branch's obligations for the periods containing `month`, judged at `now`, from the
/// branch's activities of that year, their approved check-ins and the branch's groups (one
/// group meeting each). Pure: a caller judging several months reads all that once.
pub fn judge_obligations(
    year_activities: &[Activity],
    approved: &HashMap<ActivityId, u64>,
    groups: &[Org],
    month: YearMonth,
    now: DateTime<Utc>,
) -> Vec<ObligationReport> {
    let held = |a: &Activity| HeldActivity {
        kind: a.kind,
        starts_at: a.starts_at,
        ends_at: a.ends_at,
        cancelled: a.is_cancelled(),
        approved_check_ins: approved.get(&a.id).copied().unwrap_or(0),
        lecturer_is_secretary: a.lecturer_is_secretary,
    };
    let all: Vec<HeldActivity> = year_activities.iter().map(held).collect();
    let mut out = Vec::new();
    for kind in ObligationKind::ALL.iter().copied() {
        let period = kind.period_of(month);
        if kind == ObligationKind::GroupMeeting {
            for g in groups {
                let mine: Vec<HeldActivity> = year_activities
                    .iter()
                    .filter(|a| a.group_id == Some(g.id))
                    .map(held)
                    .collect();
                out.push(ObligationReport {
                    kind,
                    period,
                    state: schedule::obligation_state(kind, period, &mine, now),
                    group: Some(g.clone()),
                });
            }
            continue;
        }
        out.push(ObligationReport {
            kind,
            period,
            state: schedule::obligation_state(kind, period, &all, now),
            group: None,
        });
    }
    out
}

async fn year_activities<R: ReportRepos + ?Sized>(
    repos: &R,
    branch: &Org,
    year: i32,
) -> Result<Vec<Activity>, DomainError> {
    let year = Period::Year(year);
    Ok(repos
        .starting_between(&branch.path, year.start(), year.end(), u64::MAX >> 1)
        .await?
        .into_iter()
        .filter(|a| a.branch_id == branch.id)
        .collect())
}

/// The branch's obligations for the periods containing `month`, judged at `now`, as its
/// activity plan shows them; for the system itself (the push worker), so no caller and no
/// scope check.
pub async fn branch_obligations<R: ReportRepos + ?Sized>(
    repos: &R,
    branch: &Org,
    month: YearMonth,
    now: DateTime<Utc>,
) -> Result<Vec<ObligationReport>, DomainError> {
    let activities = year_activities(repos, branch, month.year()).await?;
    obligations(repos, branch, &activities, month, now).await
}

#[derive(Debug, Clone)]
pub struct ActivityPlan {
    pub branch: Org,
    pub month: YearMonth,
    pub theme_day: ThemeDaySuggestion,
    pub obligations: Vec<ObligationReport>,
}

/// The suggested theme-day dates and each obligation's state for the month.
pub async fn activity_plan<R: ReportRepos + ?Sized>(
    repos: &R,
    actor: &Actor,
    org_id: OrgId,
    month: YearMonth,
    now: DateTime<Utc>,
) -> Result<ActivityPlan, DomainError> {
    let org = policy::load_in_scope(
        actor,
        Action::ReadActivities,
        OrgRepo::get(repos, org_id),
        |o| &o.path,
    )
    .await?;
    if org.kind != OrgKind::Branch {
        return Err(DomainError::refused(
            ErrorCode::ActivityPlanNeedsBranch,
            "activity plans are made per branch",
        ));
    }
    let calendar = calendar_for(repos, &org, month.year()).await?;
    let theme_day = schedule::suggested_theme_days(org.sector, month, &calendar);
    let activities = year_activities(repos, &org, month.year()).await?;
    let obligations = obligations(repos, &org, &activities, month, now).await?;
    Ok(ActivityPlan {
        branch: org,
        month,
        theme_day,
        obligations,
    })
}

/// One activity's line in the compliance report.
#[derive(Debug, Clone)]
pub struct ActivitySummary {
    pub activity: Activity,
    pub counts: AttendanceCounts,
}

/// One expected member who did not attend an activity that has ended.
#[derive(Debug, Clone)]
pub struct Absentee {
    pub member: Member,
    pub activity: Activity,
}

#[derive(Debug, Clone)]
pub struct BranchCompliance {
    pub branch: Org,
    /// The branch by its names below the committee (`虞北村党总支/第一党支部`); villages reuse
    /// branch names.
    pub branch_label: String,
    pub theme_day_held: bool,
    pub obligations: Vec<ObligationReport>,
    /// The month's activities (not cancelled), with their attendance.
    pub activities: Vec<ActivitySummary>,
    /// Attendance over the month's activities that have ended.
    pub counts: AttendanceCounts,
    pub absentees: Vec<Absentee>,
}

/// The most branches one compliance report covers.
pub const MAX_REPORT_BRANCHES: usize = 2000;

/// Per branch in the caller's report scope: was the theme day held, each obligation's
/// state, attendance of the month's activities, and who was absent.
pub async fn compliance<R: ReportRepos + ?Sized>(
    repos: &R,
    actor: &Actor,
    month: YearMonth,
    now: DateTime<Utc>,
) -> Result<Vec<BranchCompliance>, DomainError> {
    let roots = policy::report_roots(actor)?;
    let mut branches = Vec::new();
    for root in &roots {
        branches.extend(repos.branches_under(root).await?);
    }
    branches.truncate(MAX_REPORT_BRANCHES);
    let mut labels = path_labels(repos, &branches.iter().collect::<Vec<_>>()).await?;
    let mut out = Vec::with_capacity(branches.len());
    for branch in branches {
        let label = labels
            .remove(&branch.id)
            .unwrap_or_else(|| branch.name.clone());
        let activities = year_activities(repos, &branch, month.year()).await?;
        let obligations = obligations(repos, &branch, &activities, month, now).await?;
        let theme_day_held = obligations
            .iter()
            .any(|o| o.kind == ObligationKind::ThemeDay && o.state == ObligationState::Met);
        let roster = BranchRoster::load(repos, &branch, label.clone()).await?;
        let mut summaries = Vec::new();
        let mut counts = AttendanceCounts::default();
        let mut absentees = Vec::new();
        for a in activities.iter().filter(|a| {
            !a.is_cancelled() && month.start() <= a.starts_at && a.starts_at < month.end()
        }) {
            let att = roster.attendance(a, repos.all_of(a.id).await?);
            if a.ends_at <= now {
                counts.add(&att.counts);
                absentees.extend(
                    att.rows
                        .into_iter()
                        .filter(|r| r.status == AttendanceStatus::Absent)
                        .map(|r| Absentee {
                            member: r.member,
                            activity: a.clone(),
                        }),
                );
            }
            summaries.push(ActivitySummary {
                activity: a.clone(),
                counts: att.counts,
            });
        }
        out.push(BranchCompliance {
            branch,
            branch_label: label,
            theme_day_held,
            obligations,
            activities: summaries,
            counts,
            absentees,
        });
    }
    Ok(out)
}
