//! Request and response shapes of materials.

use chrono::{DateTime, FixedOffset};
use domain::error::ErrorCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::mirror::mirror_enum;
use crate::http::time::beijing;
use crate::routes::org::dto::MemberCategory;
use domain::calendar::YearMonth;
use domain::error::FieldError;
use domain::material::{self, Material, StudyRecord};

mirror_enum!(
    /// 党章 / 党规 / 系列讲话 / 党史 / 先进典型 / 警示教育 / 业务技能 / 其他.
    MaterialCategory => material::MaterialCategory { PartyConstitution, PartyRules, SeriesSpeeches, PartyHistory, Exemplars, WarningEducation, Skills, Other }
);
mirror_enum!(
    /// What an attachment link points to (the server never fetches it).
    AttachmentKind => material::AttachmentKind { Video, Audio, Pdf }
);
mirror_enum!(
    MaterialStatus => material::MaterialStatus { Published, Unpublished }
);

/// A link to a video, audio or PDF hosted elsewhere.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AttachmentDto {
    pub kind: AttachmentKind,
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "attachment-title",
        example = "党课视频"
    )]
    pub title: String,
    /// An absolute http(s) URL.
    #[schema(
        max_length = 2048,
        pattern = "http-url",
        example = "https://video.example.cn/lesson-12.mp4"
    )]
    pub url: String,
}

impl From<AttachmentDto> for material::Attachment {
    fn from(a: AttachmentDto) -> Self {
        Self {
            kind: a.kind.into(),
            title: a.title,
            url: a.url,
        }
    }
}

impl From<&material::Attachment> for AttachmentDto {
    fn from(a: &material::Attachment) -> Self {
        Self {
            kind: a.kind.into(),
            title: a.title.clone(),
            url: a.url.clone(),
        }
    }
}

/// Who may see a material.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AudienceDto {
    /// A committee, general branch or branch inside the publisher's scope: its members.
    pub org_id: Uuid,
    /// Only these member categories (empty or absent: all).
    #[serde(default)]
    pub categories: Vec<MemberCategory>,
    /// Only leading cadres.
    #[serde(default)]
    pub leading_cadres_only: bool,
}

pub fn parse_lesson_month(raw: &str) -> Result<YearMonth, FieldError> {
    YearMonth::parse(raw).ok_or_else(|| {
        FieldError::new(
            "/lessonMonth",
            ErrorCode::MonthInvalid,
            "lessonMonth must be YYYY-MM between 2000-01 and 2100-12",
        )
    })
}

/// The member's own study of a material.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProgressView {
    pub opened_at: DateTime<FixedOffset>,
    pub position: i64,
    pub seconds_spent: i64,
    pub completed: bool,
    pub completed_at: Option<DateTime<FixedOffset>>,
    /// Study points awarded for completing it (0 past the daily cap).
    pub points: i32,
}

impl From<&StudyRecord> for ProgressView {
    fn from(r: &StudyRecord) -> Self {
        Self {
            opened_at: beijing(r.opened_at),
            position: r.position,
            seconds_spent: r.seconds_spent,
            completed: r.completed_at.is_some(),
            completed_at: r.completed_at.map(beijing),
            points: r.points,
        }
    }
}

/// A material as listed in the feed (no body).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MaterialSummary {
    pub id: Uuid,
    pub title: String,
    pub summary: String,
    pub category: MaterialCategory,
    pub required: bool,
    /// The month this is the monthly lesson (月送党课) of.
    pub lesson_month: Option<String>,
    pub publish_at: DateTime<FixedOffset>,
    pub study_deadline: Option<DateTime<FixedOffset>>,
    pub revision: i32,
    pub attachment_count: usize,
    /// The caller's own progress; `null` until they open it.
    pub my_progress: Option<ProgressView>,
}

impl MaterialSummary {
    pub fn new(m: &Material, record: Option<&StudyRecord>) -> Self {
        Self {
            id: m.id.as_uuid(),
            title: m.title.clone(),
            summary: m.summary.clone(),
            category: m.category.into(),
            required: m.required,
            lesson_month: m.lesson_month.map(|l| l.to_string()),
            publish_at: beijing(m.publish_at),
            study_deadline: m.study_deadline.map(beijing),
            revision: m.revision,
            attachment_count: m.attachments.len(),
            my_progress: record.map(ProgressView::from),
        }
    }
}

/// One material in full.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MaterialView {
    pub id: Uuid,
    pub title: String,
    pub summary: String,
    /// Sanitised HTML.
    pub body: String,
    pub attachments: Vec<AttachmentDto>,
    pub category: MaterialCategory,
    pub required: bool,
    pub lesson_month: Option<String>,
    pub audience: AudienceDto,
    pub publish_at: DateTime<FixedOffset>,
    pub study_deadline: Option<DateTime<FixedOffset>>,
    pub status: MaterialStatus,
    pub revision: i32,
    pub publisher_id: Uuid,
    pub updated_at: DateTime<FixedOffset>,
    /// The caller's own progress when they are in the audience; `null` for a manager's
    /// preview.
    pub my_progress: Option<ProgressView>,
}

impl MaterialView {
    pub fn new(m: &Material, record: Option<&StudyRecord>) -> Self {
        Self {
            id: m.id.as_uuid(),
            title: m.title.clone(),
            summary: m.summary.clone(),
            body: m.body_html.clone(),
            attachments: m.attachments.iter().map(AttachmentDto::from).collect(),
            category: m.category.into(),
            required: m.required,
            lesson_month: m.lesson_month.map(|l| l.to_string()),
            audience: AudienceDto {
                org_id: m.audience.org_id.as_uuid(),
                categories: m.audience.categories.iter().map(|c| (*c).into()).collect(),
                leading_cadres_only: m.audience.leading_cadres_only,
            },
            publish_at: beijing(m.publish_at),
            study_deadline: m.study_deadline.map(beijing),
            status: m.status.into(),
            revision: m.revision,
            publisher_id: m.publisher_id.as_uuid(),
            updated_at: beijing(m.updated_at),
            my_progress: record.map(ProgressView::from),
        }
    }
}
