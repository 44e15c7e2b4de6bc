//! Request and response shapes of the pioneer index.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::extract::Validate;
use crate::http::mirror::mirror_enum;
use crate::http::time::beijing;
use crate::routes::org::dto::{MemberCategory, OrgSector};
use domain::error::{ErrorCode, FieldError};
use domain::pioneer::{self as pi, service::RulesInForce};
use domain::volunteer::HalfYear;

mirror_enum!(
    /// What a basic item is scored from: required materials completed of those assigned,
    /// 月送党课 lessons completed of those pushed, theme days and 三会一课 meetings attended
    /// of those expected (exemptions left out; nothing asked scores the whole item),
    /// confirmed volunteer service hours against `targetHours`, and the organisation's
    /// appraisal grade (优秀 all, 合格 80 %, 基本合格 50 %, 不合格 nothing; not graded counts
    /// as 合格).
    PioneerMetric => pi::BasicMetric {
        RequiredStudy, MonthlyLessons, ThemeDayAttendance, MeetingAttendance, VolunteerHours,
        AppraisalGrade
    }
);

/// Members of a category left out of the pool: not scored, not in the denominator.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PioneerExclusion {
    pub category: MemberCategory,
    #[schema(
        min_length = 1,
        max_length = 64,
        pattern = "printable",
        example = "年老体弱党员不参加考评"
    )]
    pub reason: String,
}

/// A basic item: up to `points` from its metric.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PioneerBasicItem {
    pub metric: PioneerMetric,
    #[serde(deserialize_with = "crate::extract::integral")]
    #[schema(minimum = 1, maximum = 1000, example = 15)]
    pub points: u32,
    /// The hours that earn the whole item: required for `volunteer_hours`, and only there.
    #[serde(
        default,
        deserialize_with = "crate::extract::integral_opt",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(minimum = 1, maximum = 1000, example = 8)]
    pub target_hours: Option<u32>,
}

/// A positive item (加分项): `points` per approved claim, at most `cap` points a half year.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PioneerPositiveItem {
    /// Unique among the profile's positive, negative and zeroing items.
    #[schema(pattern = "^[a-z0-9_]{1,32}$", example = "pledge")]
    pub code: String,
    #[schema(
        min_length = 1,
        max_length = 32,
        pattern = "printable",
        example = "带头承诺践诺"
    )]
    pub name: String,
    #[serde(deserialize_with = "crate::extract::integral")]
    #[schema(minimum = 1, maximum = 1000, example = 5)]
    pub points: u32,
    /// At least `points`.
    #[serde(deserialize_with = "crate::extract::integral")]
    #[schema(minimum = 1, maximum = 1000, example = 10)]
    pub cap: u32,
}

/// A negative item (扣分项): `points` off for each recorded occurrence.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PioneerNegativeItem {
    #[schema(pattern = "^[a-z0-9_]{1,32}$", example = "dues_late")]
    pub code: String,
    #[schema(
        min_length = 1,
        max_length = 32,
        pattern = "printable",
        example = "未按时交纳党费"
    )]
    pub name: String,
    #[serde(deserialize_with = "crate::extract::integral")]
    #[schema(minimum = 1, maximum = 1000, example = 5)]
    pub points: u32,
}

/// A zeroing item (一票否决): one recorded occurrence sets the index to 0.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PioneerZeroingItem {
    #[schema(pattern = "^[a-z0-9_]{1,32}$", example = "law_violation")]
    pub code: String,
    #[schema(
        min_length = 1,
        max_length = 32,
        pattern = "printable",
        example = "违法犯罪"
    )]
    pub name: String,
}

/// The items for members of some sectors and categories (empty lists: any). The first
/// profile that applies to a member scores them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PioneerProfile {
    #[schema(
        min_length = 1,
        max_length = 32,
        pattern = "printable",
        example = "全体党员"
    )]
    pub name: String,
    #[serde(default)]
    #[schema(max_items = 4)]
    pub sectors: Vec<OrgSector>,
    #[serde(default)]
    #[schema(max_items = 5)]
    pub categories: Vec<MemberCategory>,
    /// Each metric at most once; their points add up to at most the scale.
    #[schema(max_items = 6)]
    pub basic: Vec<PioneerBasicItem>,
    #[serde(default)]
    #[schema(max_items = 30)]
    pub positive: Vec<PioneerPositiveItem>,
    #[serde(default)]
    #[schema(max_items = 30)]
    pub negative: Vec<PioneerNegativeItem>,
    #[serde(default)]
    #[schema(max_items = 30)]
    pub zeroing: Vec<PioneerZeroingItem>,
}

/// A township's pioneer-index rules (先锋指数考评细则).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PioneerRules {
    /// The total scale (满分); 100 when left out.
    #[serde(
        default = "default_scale",
        deserialize_with = "crate::extract::integral"
    )]
    #[schema(minimum = 1, maximum = 1000, default = 100, example = 100)]
    pub scale: u32,
    /// Each category at most once.
    #[serde(default)]
    #[schema(max_items = 5)]
    pub exclusions: Vec<PioneerExclusion>,
    #[schema(min_items = 1, max_items = 8)]
    pub profiles: Vec<PioneerProfile>,
}

fn default_scale() -> u32 {
    pi::Rules::DEFAULT_SCALE
}

impl Validate for PioneerRules {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}

impl From<PioneerRules> for pi::Rules {
    fn from(r: PioneerRules) -> Self {
        pi::Rules {
            scale: r.scale,
            exclusions: r
                .exclusions
                .into_iter()
                .map(|e| pi::Exclusion {
                    category: e.category.into(),
                    reason: e.reason,
                })
                .collect(),
            profiles: r
                .profiles
                .into_iter()
                .map(|p| pi::Profile {
                    name: p.name,
                    sectors: p.sectors.into_iter().map(Into::into).collect(),
                    categories: p.categories.into_iter().map(Into::into).collect(),
                    basic: p
                        .basic
                        .into_iter()
                        .map(|b| pi::BasicItem {
                            metric: b.metric.into(),
                            points: b.points,
                            target_hours: b.target_hours,
                        })
                        .collect(),
                    positive: p
                        .positive
                        .into_iter()
                        .map(|i| pi::PositiveItem {
                            code: i.code,
                            name: i.name,
                            points: i.points,
                            cap: i.cap,
                        })
                        .collect(),
                    negative: p
                        .negative
                        .into_iter()
                        .map(|i| pi::NegativeItem {
                            code: i.code,
                            name: i.name,
                            points: i.points,
                        })
                        .collect(),
                    zeroing: p
                        .zeroing
                        .into_iter()
                        .map(|i| pi::ZeroingItem {
                            code: i.code,
                            name: i.name,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

impl From<&pi::Rules> for PioneerRules {
    fn from(r: &pi::Rules) -> Self {
        PioneerRules {
            scale: r.scale,
            exclusions: r
                .exclusions
                .iter()
                .map(|e| PioneerExclusion {
                    category: e.category.into(),
                    reason: e.reason.clone(),
                })
                .collect(),
            profiles: r
                .profiles
                .iter()
                .map(|p| PioneerProfile {
                    name: p.name.clone(),
                    sectors: p.sectors.iter().map(|s| (*s).into()).collect(),
                    categories: p.categories.iter().map(|c| (*c).into()).collect(),
                    basic: p
                        .basic
                        .iter()
                        .map(|b| PioneerBasicItem {
                            metric: b.metric.into(),
                            points: b.points,
                            target_hours: b.target_hours,
                        })
                        .collect(),
                    positive: p
                        .positive
                        .iter()
                        .map(|i| PioneerPositiveItem {
                            code: i.code.clone(),
                            name: i.name.clone(),
                            points: i.points,
                            cap: i.cap,
                        })
                        .collect(),
                    negative: p
                        .negative
                        .iter()
                        .map(|i| PioneerNegativeItem {
                            code: i.code.clone(),
                            name: i.name.clone(),
                            points: i.points,
                        })
                        .collect(),
                    zeroing: p
                        .zeroing
                        .iter()
                        .map(|i| PioneerZeroingItem {
                            code: i.code.clone(),
                            name: i.name.clone(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// The rules in force for a half year, and which version they are.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PioneerRulesView {
    pub committee_id: Uuid,
    /// The half year asked about (`YYYY-H1` or `YYYY-H2`).
    #[schema(example = "2027-H1")]
    pub half: String,
    /// The stored version in force, or null where the township has stored none in force by
    /// then and the standard rules apply.
    pub version: Option<u32>,
    /// The half year the version is in force from; null for the standard rules.
    #[schema(example = "2027-H1")]
    pub effective_from: Option<String>,
    pub is_default: bool,
    /// The half year's index was computed: these rules no longer change for it (a new
    /// version applies from the next half year).
    pub locked: bool,
    pub created_at: Option<DateTime<FixedOffset>>,
    pub rules: PioneerRules,
}

impl From<&RulesInForce> for PioneerRulesView {
    fn from(r: &RulesInForce) -> Self {
        Self {
            committee_id: r.committee_id.as_uuid(),
            half: r.half.to_string(),
            version: r.set.as_ref().map(|s| s.version),
            effective_from: r.set.as_ref().map(|s| s.effective_from.to_string()),
            is_default: r.set.is_none(),
            locked: r.locked,
            created_at: r.set.as_ref().map(|s| beijing(s.created_at)),
            rules: (&r.rules).into(),
        }
    }
}

/// `YYYY-H1` or `YYYY-H2`, 2000 to 2100.
pub fn parse_half(raw: &str, pointer: &str) -> Result<HalfYear, FieldError> {
    HalfYear::parse(raw).ok_or_else(|| {
        FieldError::new(
            pointer,
            ErrorCode::PioneerHalfInvalid,
            "a half year is YYYY-H1 or YYYY-H2 (2000-2100)",
        )
    })
}
