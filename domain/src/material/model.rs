use crate::error::ErrorCode;
use chrono::{DateTime, Utc};

use crate::calendar::YearMonth;
use crate::error::FieldError;
use crate::org::{Member, MemberCategory, MemberId, OrgId, OrgPath};
use crate::string_enum::string_enum;

crate::define_id!(
    /// Identifies a study material (学习资料).
    MaterialId
);

string_enum!(
    /// 党章 / 党规 / 系列讲话 / 党史 / 先进典型 / 警示教育 / 业务技能 / 其他.
    MaterialCategory {
        PartyConstitution => "party_constitution",
        PartyRules => "party_rules",
        SeriesSpeeches => "series_speeches",
        PartyHistory => "party_history",
        Exemplars => "exemplars",
        WarningEducation => "warning_education",
        Skills => "skills",
        Other => "other",
    }
);

string_enum!(
    /// What an attachment link points to (the server never fetches it).
    AttachmentKind {
        Video => "video",
        Audio => "audio",
        Pdf => "pdf",
    }
);

string_enum!(
    MaterialStatus {
        Published => "published",
        Unpublished => "unpublished",
    }
);

/// A link to a video, audio or PDF hosted elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub kind: AttachmentKind,
    pub title: String,
    /// An absolute `https://` or `http://` URL.
    pub url: String,
}

impl Attachment {
    pub const MAX_TITLE_CHARS: usize = 100;
    pub const MAX_URL_CHARS: usize = 2048;
    pub const MAX_PER_MATERIAL: usize = 20;
}

/// Who may see a material (传达范围): the members of an org subtree, optionally only some
/// member categories, optionally only leading cadres.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audience {
    pub org_id: OrgId,
    pub org_path: OrgPath,
    /// Empty: every category.
    pub categories: Vec<MemberCategory>,
    pub leading_cadres_only: bool,
}

impl Audience {
    /// Is `member` in this audience? (Active members only; callers check status.)
    pub fn includes(&self, member: &Member) -> bool {
        self.org_path.covers(&member.branch_path)
            && (self.categories.is_empty() || self.categories.contains(&member.category))
            && (!self.leading_cadres_only || member.leading_cadre)
    }
}

/// A study material. `body_html` is sanitised before it reaches the domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Material {
    pub id: MaterialId,
    pub title: String,
    pub summary: String,
    pub body_html: String,
    pub attachments: Vec<Attachment>,
    pub category: MaterialCategory,
    /// 必学必知必会.
    pub required: bool,
    /// The month this is the monthly lesson (月送党课) of.
    pub lesson_month: Option<YearMonth>,
    pub audience: Audience,
    /// Invisible to its audience before this instant.
    pub publish_at: DateTime<Utc>,
    pub study_deadline: Option<DateTime<Utc>>,
    pub status: MaterialStatus,
    /// 1 when published; each edit adds one.
    pub revision: i32,
    pub publisher_id: MemberId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Material {
    pub const MAX_TITLE_CHARS: usize = 100;
    pub const MAX_SUMMARY_CHARS: usize = 500;
    /// Bytes of sanitised HTML.
    pub const MAX_BODY_BYTES: usize = 200_000;

    /// Visible to members of its audience at `now`?
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.status == MaterialStatus::Published && self.publish_at <= now
    }

    pub fn validate_title(raw: &str) -> Result<String, FieldError> {
        text(
            raw,
            "/title",
            ErrorCode::MaterialTitleInvalid,
            1,
            Self::MAX_TITLE_CHARS,
        )
    }

    pub fn validate_summary(raw: &str) -> Result<String, FieldError> {
        text(
            raw,
            "/summary",
            ErrorCode::MaterialSummaryInvalid,
            0,
            Self::MAX_SUMMARY_CHARS,
        )
    }
}

fn text(
    raw: &str,
    pointer: &str,
    code: ErrorCode,
    min: usize,
    max: usize,
) -> Result<String, FieldError> {
    let t = raw.trim();
    let n = t.chars().count();
    // The raw length counts, as the published schema's maxLength does.
    if n < min || raw.chars().count() > max || t.chars().any(|c| c.is_control() && c != '\n') {
        return Err(FieldError::new(
            pointer,
            code,
            format!("must be {min}-{max} characters without control characters"),
        ));
    }
    Ok(t.to_owned())
}

/// One member's study of one material (学习记录).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudyRecord {
    pub material_id: MaterialId,
    pub member_id: MemberId,
    /// When the member first opened it.
    pub opened_at: DateTime<Utc>,
    /// Where they got to (seconds into a video, a page, …), as the client reports it.
    pub position: i64,
    /// Credited study time: never decreases, never exceeds the wall time since opening.
    pub seconds_spent: i64,
    /// Never reverts once set.
    pub completed_at: Option<DateTime<Utc>>,
    /// Study points awarded on completion (after the daily cap).
    pub points: i32,
    pub updated_at: DateTime<Utc>,
}

/// The study-points formula: points per completed material (more for a required one),
/// capped per member per day (Shanghai days). Configurable; no ranking is ever published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PointRules {
    pub per_material: i32,
    pub per_required: i32,
    pub daily_cap: i32,
}

impl Default for PointRules {
    fn default() -> Self {
        Self {
            per_material: 1,
            per_required: 2,
            daily_cap: 10,
        }
    }
}

impl PointRules {
    /// Points for completing `material`, given what the member already earned today.
    pub fn award(&self, material: &Material, earned_today: i64) -> i32 {
        let full = if material.required {
            self.per_required
        } else {
            self.per_material
        };
        let room = (i64::from(self.daily_cap) - earned_today).max(0);
        i64::from(full.max(0)).min(room) as i32
    }
}
