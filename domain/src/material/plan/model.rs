//! A study plan's content and the rules it must meet.

use crate::error::ErrorCode;
use serde::{Deserialize, Serialize};

use crate::calendar::YearMonth;
use crate::error::{DomainError, FieldError};
use crate::material::model::{Material, MaterialId, StudyRecord};
use crate::org::{MemberId, OrgId};
use crate::text::{clean_multiline, clean_text};
use chrono::{DateTime, Utc};

crate::define_id!(
    /// Identifies a study plan.
    StudyPlanId
);

/// Whose plan it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanOwner {
    Branch(OrgId),
    /// A leading cadre's personal plan.
    Member(MemberId),
}

impl PlanOwner {
    /// The stored key: `org:{id}` or `member:{id}`.
    pub fn key(&self) -> String {
        match self {
            PlanOwner::Branch(id) => format!("org:{id}"),
            PlanOwner::Member(id) => format!("member:{id}"),
        }
    }
}

/// One monthly task (or a personal plan's monthly item).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanTask {
    /// 1-12.
    pub month: u32,
    pub title: String,
    #[serde(default)]
    pub material_ids: Vec<MaterialId>,
    #[serde(default)]
    pub note: Option<String>,
}

/// One quarter's arrangement and its monthly tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuarterPlan {
    /// 1-4.
    pub quarter: u32,
    pub arrangement: String,
    #[serde(default)]
    pub tasks: Vec<PlanTask>,
}

/// What a plan says: a branch plan has quarters, a personal plan monthly items.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanContent {
    pub title: String,
    #[serde(default)]
    pub quarters: Vec<QuarterPlan>,
    #[serde(default)]
    pub items: Vec<PlanTask>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudyPlan {
    pub id: StudyPlanId,
    pub owner: PlanOwner,
    /// The branch (of the plan, or of the cadre).
    pub org_id: OrgId,
    pub year: i32,
    pub content: PlanContent,
    /// 1 when first written, one more on each replacement.
    pub revision: i32,
    pub updated_by: MemberId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl StudyPlan {
    pub const MAX_TITLE_CHARS: usize = 100;
    pub const MAX_ARRANGEMENT_CHARS: usize = 2000;
    pub const MAX_NOTE_CHARS: usize = 500;
    pub const MAX_TASKS: usize = 60;
    pub const MAX_MATERIALS_PER_TASK: usize = 20;
}

pub(super) fn check_year(year: i32) -> Result<(), DomainError> {
    if (YearMonth::MIN_YEAR..=YearMonth::MAX_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(DomainError::NotFound)
    }
}

pub(super) fn check_task(
    t: &mut PlanTask,
    pointer: &str,
    months: std::ops::RangeInclusive<u32>,
    errors: &mut Vec<FieldError>,
) {
    if !months.contains(&t.month) {
        errors.push(FieldError::new(
            format!("{pointer}/month"),
            ErrorCode::StudyPlanMonthInvalid,
            format!("month must be {}-{}", months.start(), months.end()),
        ));
    }
    match clean_text(
        &t.title,
        StudyPlan::MAX_TITLE_CHARS,
        &format!("{pointer}/title"),
        ErrorCode::StudyPlanTitleInvalid,
    ) {
        Ok(v) => t.title = v,
        Err(e) => errors.push(e),
    }
    if let Some(note) = &t.note {
        match clean_multiline(
            note,
            StudyPlan::MAX_NOTE_CHARS,
            &format!("{pointer}/note"),
            ErrorCode::StudyPlanNoteInvalid,
        ) {
            Ok(v) => t.note = Some(v),
            Err(e) => errors.push(e),
        }
    }
    if t.material_ids.len() > StudyPlan::MAX_MATERIALS_PER_TASK {
        errors.push(FieldError::new(
            format!("{pointer}/materialIds"),
            ErrorCode::StudyPlanMaterialsTooMany,
            format!("at most {} materials", StudyPlan::MAX_MATERIALS_PER_TASK),
        ));
    }
}

/// Validates and normalises a plan's content (branch plans: quarters; personal: items).
pub(super) fn validated(mut c: PlanContent, branch: bool) -> Result<PlanContent, DomainError> {
    let mut errors = Vec::new();
    match clean_text(
        &c.title,
        StudyPlan::MAX_TITLE_CHARS,
        "/title",
        ErrorCode::StudyPlanTitleInvalid,
    ) {
        Ok(v) => c.title = v,
        Err(e) => errors.push(e),
    }
    if branch && !c.items.is_empty() {
        errors.push(FieldError::new(
            "/items",
            ErrorCode::StudyPlanShapeInvalid,
            "a branch plan has quarters with tasks, not items",
        ));
    }
    if !branch && !c.quarters.is_empty() {
        errors.push(FieldError::new(
            "/quarters",
            ErrorCode::StudyPlanShapeInvalid,
            "a personal plan has monthly items, not quarters",
        ));
    }
    let mut quarters_seen = Vec::new();
    let mut tasks = 0;
    for (qi, q) in c.quarters.iter_mut().enumerate() {
        let pointer = format!("/quarters/{qi}");
        if !(1..=4).contains(&q.quarter) || quarters_seen.contains(&q.quarter) {
            errors.push(FieldError::new(
                format!("{pointer}/quarter"),
                ErrorCode::StudyPlanQuarterInvalid,
                "quarters are 1-4, each at most once",
            ));
        }
        quarters_seen.push(q.quarter);
        match clean_multiline(
            &q.arrangement,
            StudyPlan::MAX_ARRANGEMENT_CHARS,
            &format!("{pointer}/arrangement"),
            ErrorCode::StudyPlanArrangementInvalid,
        ) {
            Ok(v) => q.arrangement = v,
            Err(e) => errors.push(e),
        }
        let first = q.quarter.clamp(1, 4) * 3 - 2;
        for (ti, t) in q.tasks.iter_mut().enumerate() {
            check_task(
                t,
                &format!("{pointer}/tasks/{ti}"),
                first..=first + 2,
                &mut errors,
            );
            tasks += 1;
        }
    }
    for (i, t) in c.items.iter_mut().enumerate() {
        check_task(t, &format!("/items/{i}"), 1..=12, &mut errors);
        tasks += 1;
    }
    if tasks > StudyPlan::MAX_TASKS {
        errors.push(FieldError::new(
            "",
            ErrorCode::StudyPlanTasksTooMany,
            format!("at most {} tasks in a plan", StudyPlan::MAX_TASKS),
        ));
    }
    if errors.is_empty() {
        Ok(c)
    } else {
        Err(DomainError::Validation(errors))
    }
}

/// The plan as stored: quarters and items in calendar order, each task's materials once.
/// (After validation and the material check, whose pointers index the request as sent.)
pub(super) fn normalised(mut c: PlanContent) -> PlanContent {
    c.quarters.sort_by_key(|q| q.quarter);
    c.items.sort_by_key(|t| t.month);
    let tasks = c
        .quarters
        .iter_mut()
        .flat_map(|q| q.tasks.iter_mut())
        .chain(c.items.iter_mut());
    for t in tasks {
        let mut seen = std::collections::HashSet::new();
        t.material_ids.retain(|m| seen.insert(*m));
    }
    c
}

pub(super) fn all_tasks(c: &PlanContent) -> impl Iterator<Item = (String, &PlanTask)> {
    c.quarters
        .iter()
        .enumerate()
        .flat_map(|(qi, q)| {
            q.tasks
                .iter()
                .enumerate()
                .map(move |(ti, t)| (format!("/quarters/{qi}/tasks/{ti}"), t))
        })
        .chain(
            c.items
                .iter()
                .enumerate()
                .map(|(i, t)| (format!("/items/{i}"), t)),
        )
}

/// Where the member stands with one material of a task.
#[derive(Debug, Clone)]
pub struct TaskMaterial {
    pub id: MaterialId,
    /// `None` when the material is withdrawn or (no longer) in the member's audience.
    pub material: Option<Material>,
    pub record: Option<StudyRecord>,
}

/// One task of the month with the member's progress.
#[derive(Debug, Clone)]
pub struct MonthTask {
    /// From the branch plan (`quarter` set) or the personal plan.
    pub quarter: Option<u32>,
    pub personal: bool,
    pub task: PlanTask,
    pub materials: Vec<TaskMaterial>,
}

impl MonthTask {
    /// Done: at least one of its materials completed, and every other one either completed
    /// or out of the member's reach (withdrawn, or not for them). A task without materials
    /// is never done.
    pub fn completed(&self) -> bool {
        let done = |m: &TaskMaterial| m.record.as_ref().is_some_and(|r| r.completed_at.is_some());
        self.materials.iter().any(done)
            && self
                .materials
                .iter()
                .all(|m| done(m) || m.material.is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(month: u32) -> PlanTask {
        PlanTask {
            month,
            title: " 学习党章 ".into(),
            material_ids: vec![],
            note: None,
        }
    }

    #[test]
    fn tasks_must_fall_in_their_quarter_and_quarters_are_unique() {
        let c = PlanContent {
            title: "2027年度学习计划".into(),
            quarters: vec![
                QuarterPlan {
                    quarter: 2,
                    arrangement: "学党史".into(),
                    tasks: vec![task(4), task(7)],
                },
                QuarterPlan {
                    quarter: 2,
                    arrangement: "again".into(),
                    tasks: vec![],
                },
            ],
            items: vec![],
        };
        let Err(DomainError::Validation(errors)) = validated(c, true) else {
            panic!("accepted");
        };
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            ["/quarters/0/tasks/1/month", "/quarters/1/quarter"]
        );
    }

    #[test]
    fn a_good_plan_is_trimmed_and_sorted() {
        let c = PlanContent {
            title: " 计划 ".into(),
            quarters: vec![],
            items: vec![task(12), task(3)],
        };
        let c = normalised(validated(c, false).unwrap_or_default());
        assert_eq!(c.title, "计划");
        assert_eq!(c.items.iter().map(|t| t.month).collect::<Vec<_>>(), [3, 12]);
        assert_eq!(c.items[0].title, "学习党章");
    }
}
