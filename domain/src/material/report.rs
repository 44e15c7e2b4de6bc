//! The study report: per branch in the caller's scope, completion of each reported material
//! with the members who have not studied it, and the monthly lesson's state (received:
//! published to the branch; organised: at least a configurable share of the branch's
//! expected members completed it by the end of the month).

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::model::{Material, MaterialId};
use super::ports::{MaterialRepo, StudyRecordRepo};
use crate::calendar::YearMonth;
use crate::error::DomainError;
use crate::org::names::path_labels;
use crate::org::policy::{self, Actor};
use crate::org::{Member, MemberRepo, Org, OrgRepo};

/// What the report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// The month's monthly lessons and required materials.
    Month(YearMonth),
    /// One material.
    Material(MaterialId),
}

/// The most branches one study report covers.
pub const MAX_REPORT_BRANCHES: usize = 2000;

#[derive(Debug, Clone)]
pub struct MaterialCompletion {
    pub material: Material,
    /// Active members of the branch in the material's audience.
    pub expected: u64,
    pub completed: u64,
    pub not_studied: Vec<Member>,
}

/// The monthly lesson's state in one branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LessonState {
    pub received: bool,
    pub organised: bool,
}

#[derive(Debug, Clone)]
pub struct BranchStudy {
    pub branch: Org,
    /// The branch by its names below the committee (`虞北村党总支/第一党支部`).
    pub branch_label: String,
    /// Present for a month's report.
    pub lesson: Option<LessonState>,
    pub materials: Vec<MaterialCompletion>,
}

#[derive(Debug, Clone)]
pub struct StudyReport {
    /// The materials reported on, in publishing order.
    pub materials: Vec<Material>,
    pub branches: Vec<BranchStudy>,
}

/// Storage the report reads.
pub trait StudyReportRepos: OrgRepo + MemberRepo + MaterialRepo + StudyRecordRepo {}

impl<T> StudyReportRepos for T where T: OrgRepo + MemberRepo + MaterialRepo + StudyRecordRepo {}

/// Builds the report for `actor` (S, C, T; their scope only).
pub async fn study_report<R: StudyReportRepos + ?Sized>(
    repos: &R,
    actor: &Actor,
    selection: Selection,
    now: DateTime<Utc>,
    organised_share: f64,
) -> Result<StudyReport, DomainError> {
    let roots = policy::report_roots(actor)?;
    let (materials, cutoff, month) = match selection {
        Selection::Month(month) => {
            let mut all: Vec<Material> = Vec::new();
            for root in &roots {
                for m in repos.reportable(root, month, now).await? {
                    if !all.iter().any(|x| x.id == m.id) {
                        all.push(m);
                    }
                }
            }
            all.sort_by_key(|m| (m.publish_at, m.id));
            // Completions are never later than now, so the month's end is the cutoff.
            (all, month.end(), Some(month))
        }
        Selection::Material(id) => {
            let m = MaterialRepo::get(repos, id)
                .await?
                .filter(|m| m.is_live(now))
                .ok_or(DomainError::NotFound)?;
            let visible = roots
                .iter()
                .any(|r| r.covers(&m.audience.org_path) || m.audience.org_path.covers(r));
            if !visible {
                return Err(DomainError::NotFound);
            }
            // Everything completed so far, this instant included.
            (vec![m], now + chrono::Duration::seconds(1), None)
        }
    };
    let mut completions = Vec::with_capacity(materials.len());
    for m in &materials {
        let done: HashSet<_> = repos
            .completed_before(m.id, cutoff)
            .await?
            .into_iter()
            .collect();
        completions.push(done);
    }
    let mut branches = Vec::new();
    for root in &roots {
        branches.extend(repos.branches_under(root).await?);
    }
    branches.truncate(MAX_REPORT_BRANCHES);
    let mut labels = path_labels(repos, &branches.iter().collect::<Vec<_>>()).await?;
    let mut out = Vec::with_capacity(branches.len());
    for branch in branches {
        let branch_label = labels
            .remove(&branch.id)
            .unwrap_or_else(|| branch.name.clone());
        let members = repos.active_in_branch(&branch.path).await?;
        let mut rows = Vec::new();
        let mut lesson = month.map(|_| LessonState {
            received: false,
            organised: false,
        });
        for (m, done) in materials.iter().zip(&completions) {
            if !m.audience.org_path.covers(&branch.path) {
                continue;
            }
            let expected: Vec<&Member> =
                members.iter().filter(|x| m.audience.includes(x)).collect();
            let not_studied: Vec<Member> = expected
                .iter()
                .filter(|x| !done.contains(&x.id))
                .map(|x| (*x).clone())
                .collect();
            let total = expected.len() as u64;
            let completed = total - not_studied.len() as u64;
            if let (Some(state), Some(month)) = (lesson.as_mut(), month) {
                if m.lesson_month == Some(month) {
                    state.received = true;
                    if total > 0 && completed as f64 >= organised_share * total as f64 {
                        state.organised = true;
                    }
                }
            }
            rows.push(MaterialCompletion {
                material: m.clone(),
                expected: total,
                completed,
                not_studied,
            });
        }
        out.push(BranchStudy {
            branch,
            branch_label,
            lesson,
            materials: rows,
        });
    }
    Ok(StudyReport {
        materials,
        branches: out,
    })
}
