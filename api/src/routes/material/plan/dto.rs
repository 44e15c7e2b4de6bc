use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::extract::Validate;
use crate::http::time::beijing;
use domain::error::FieldError;
use domain::material::plan::{PlanContent, PlanOwner, PlanTask, QuarterPlan, StudyPlan};
use domain::material::MaterialId;

/// One monthly task (a personal plan's monthly item has the same shape).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PlanTaskDto {
    /// 1-12; a quarter's tasks fall in its months.
    #[serde(deserialize_with = "crate::extract::integral")]
    #[schema(minimum = 1, maximum = 12, example = 1)]
    pub month: u32,
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "printable",
        example = "学习党章总纲"
    )]
    pub title: String,
    /// Published materials that reach the plan's members (at most 20).
    #[serde(default)]
    #[schema(max_items = 20)]
    pub material_ids: Vec<Uuid>,
    /// Line breaks may stand inside.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 500, pattern = "lines")]
    pub note: Option<String>,
}

impl From<PlanTaskDto> for PlanTask {
    fn from(t: PlanTaskDto) -> Self {
        Self {
            month: t.month,
            title: t.title,
            material_ids: t
                .material_ids
                .into_iter()
                .map(MaterialId::from_uuid)
                .collect(),
            note: t.note,
        }
    }
}

impl From<&PlanTask> for PlanTaskDto {
    fn from(t: &PlanTask) -> Self {
        Self {
            month: t.month,
            title: t.title.clone(),
            material_ids: t.material_ids.iter().map(|m| m.as_uuid()).collect(),
            note: t.note.clone(),
        }
    }
}

/// A quarter's arrangement (季度安排) and its monthly tasks.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct QuarterPlanDto {
    /// 1-4, each at most once in a plan.
    #[serde(deserialize_with = "crate::extract::integral")]
    #[schema(minimum = 1, maximum = 4, example = 1)]
    pub quarter: u32,
    /// Line breaks may stand inside.
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = "lines",
        example = "第一季度：学党章、守党规"
    )]
    pub arrangement: String,
    #[serde(default)]
    pub tasks: Vec<PlanTaskDto>,
}

/// A branch's yearly plan.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BranchPlanRequest {
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "printable",
        example = "2027年度党员学习计划"
    )]
    pub title: String,
    /// At most 60 tasks in all.
    #[schema(max_items = 4)]
    pub quarters: Vec<QuarterPlanDto>,
}

impl Validate for BranchPlanRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(()) // the domain validates the whole plan, with pointers into it
    }
}

impl From<BranchPlanRequest> for PlanContent {
    fn from(b: BranchPlanRequest) -> Self {
        Self {
            title: b.title,
            quarters: b
                .quarters
                .into_iter()
                .map(|q| QuarterPlan {
                    quarter: q.quarter,
                    arrangement: q.arrangement,
                    tasks: q.tasks.into_iter().map(PlanTask::from).collect(),
                })
                .collect(),
            items: Vec::new(),
        }
    }
}

/// A leading cadre's personal yearly plan: monthly items.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PersonalPlanRequest {
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "printable",
        example = "2027年度个人学习计划"
    )]
    pub title: String,
    #[schema(max_items = 60)]
    pub items: Vec<PlanTaskDto>,
}

impl Validate for PersonalPlanRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(()) // the domain validates the whole plan, with pointers into it
    }
}

impl From<PersonalPlanRequest> for PlanContent {
    fn from(p: PersonalPlanRequest) -> Self {
        Self {
            title: p.title,
            quarters: Vec::new(),
            items: p.items.into_iter().map(PlanTask::from).collect(),
        }
    }
}

/// A stored plan.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StudyPlanView {
    pub id: Uuid,
    /// The branch of the plan (or of the cadre).
    pub org_id: Uuid,
    /// Set on a personal plan: whose it is.
    pub member_id: Option<Uuid>,
    #[schema(example = 2027)]
    pub year: i32,
    pub title: String,
    /// A branch plan's quarters (empty on a personal plan).
    pub quarters: Vec<QuarterPlanDto>,
    /// A personal plan's monthly items (empty on a branch plan).
    pub items: Vec<PlanTaskDto>,
    /// 1, then one more on each replacement.
    pub revision: i32,
    pub updated_at: DateTime<FixedOffset>,
}

impl From<&StudyPlan> for StudyPlanView {
    fn from(p: &StudyPlan) -> Self {
        Self {
            id: p.id.as_uuid(),
            org_id: p.org_id.as_uuid(),
            member_id: match p.owner {
                PlanOwner::Member(m) => Some(m.as_uuid()),
                PlanOwner::Branch(_) => None,
            },
            year: p.year,
            title: p.content.title.clone(),
            quarters: p
                .content
                .quarters
                .iter()
                .map(|q| QuarterPlanDto {
                    quarter: q.quarter,
                    arrangement: q.arrangement.clone(),
                    tasks: q.tasks.iter().map(PlanTaskDto::from).collect(),
                })
                .collect(),
            items: p.content.items.iter().map(PlanTaskDto::from).collect(),
            revision: p.revision,
            updated_at: beijing(p.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StudyPlanList {
    /// Newest year first.
    pub items: Vec<StudyPlanView>,
}
