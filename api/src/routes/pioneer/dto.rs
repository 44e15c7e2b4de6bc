//! Request and response shapes of the pioneer index.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::extract::Validate;
use crate::http::mirror::mirror_enum;
use crate::http::time::beijing;
use crate::http::xlsx::ReportFormat;
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

mirror_enum!(
    /// What an item of a branch's fortress index (堡垒指数) is scored from, each a share of
    /// what was asked of the branch in the half year: `theme_days` theme days held of the
    /// months due and `meetings` the other 三会一课 obligations met of those due (group
    /// meetings per group), as the compliance report judges them; `study` required materials
    /// and 月送党课 lessons completed of those assigned to its members; `attendance` theme
    /// days and meetings attended of those expected (exemptions left out); `appraisal_turnout`
    /// self-assessments submitted of its members taking part (excused apart) in appraisals
    /// whose self-assessment began in the half year; `rectifications` rectification items
    /// done by the end of their due date of those due; `service_on_time` 96345 requests
    /// dispatched to it completed by their deadline of those completed. Nothing asked scores
    /// the whole item.
    PioneerFortressMetric => pi::FortressMetric {
        ThemeDays, Meetings, Study, Attendance, AppraisalTurnout, Rectifications, ServiceOnTime
    }
);

/// An item of the branches' fortress index: up to `points` from its metric.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PioneerFortressItem {
    pub metric: PioneerFortressMetric,
    #[serde(deserialize_with = "crate::extract::integral")]
    #[schema(minimum = 1, maximum = 1000, example = 20)]
    pub points: u32,
}

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
    /// The branches' fortress index (堡垒指数): each metric at most once, the points adding
    /// up to at most 1000 (a branch's index is out of its items' points, whatever the
    /// members' scale). Left out: the standard items (`theme_days` 20, `meetings` 20,
    /// `study` 15, `attendance` 15, `appraisal_turnout` 10, `rectifications` 10,
    /// `service_on_time` 10: 100 points).
    #[serde(default = "standard_fortress")]
    #[schema(max_items = 7)]
    pub fortress: Vec<PioneerFortressItem>,
}

fn default_scale() -> u32 {
    pi::Rules::DEFAULT_SCALE
}

fn standard_fortress() -> Vec<PioneerFortressItem> {
    pi::Rules::standard_fortress()
        .iter()
        .map(PioneerFortressItem::from)
        .collect()
}

impl From<&pi::FortressItem> for PioneerFortressItem {
    fn from(i: &pi::FortressItem) -> Self {
        Self {
            metric: i.metric.into(),
            points: i.points,
        }
    }
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
            fortress: r
                .fortress
                .into_iter()
                .map(|i| pi::FortressItem {
                    metric: i.metric.into(),
                    points: i.points,
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
            fortress: r.fortress.iter().map(PioneerFortressItem::from).collect(),
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

mirror_enum!(
    /// Asked for and waiting; being computed; computed (may be computed again); confirmed
    /// by the township (final, published to branches and members).
    PioneerRunStatus => pi::RunStatus { Queued, Running, Computed, Confirmed }
);

/// How far a computation has read the pool.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PioneerProgress {
    pub done: u32,
    pub total: u32,
}

/// A township's computation of one half year.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PioneerIndexRunView {
    pub committee_id: Uuid,
    #[schema(example = "2026-H2")]
    pub half: String,
    pub status: PioneerRunStatus,
    /// The rule-set version it was computed under; null: the standard rules (or not
    /// computed yet).
    pub rules_version: Option<u32>,
    /// Members scored: the denominator of the 5‰.
    pub pool: u32,
    /// Members left out by the rules.
    pub excluded: u32,
    /// ⌈5‰ × pool⌉: the fewest warning-level members the township may confirm.
    pub quota: u32,
    pub progress: PioneerProgress,
    pub requested_at: DateTime<FixedOffset>,
    pub computed_at: Option<DateTime<FixedOffset>>,
    pub confirmed_at: Option<DateTime<FixedOffset>>,
    /// The end of the publication window (members object until then).
    pub publish_until: Option<DateTime<FixedOffset>>,
}

impl From<&pi::IndexRun> for PioneerIndexRunView {
    fn from(r: &pi::IndexRun) -> Self {
        Self {
            committee_id: r.committee_id.as_uuid(),
            half: r.half.to_string(),
            status: r.status.into(),
            rules_version: r.rules_version,
            pool: r.pool,
            excluded: r.excluded,
            quota: r.quota,
            progress: PioneerProgress {
                done: r.progress_done,
                total: r.progress_total,
            },
            requested_at: beijing(r.requested_at),
            computed_at: r.computed_at.map(beijing),
            confirmed_at: r.confirmed_at.map(beijing),
            publish_until: r.publish_until.map(beijing),
        }
    }
}

/// Which part of the rules a breakdown line comes from.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PioneerLineKind {
    Basic,
    Positive,
    Negative,
    Zeroing,
}

/// One line of a member's breakdown.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PioneerLineView {
    pub kind: PioneerLineKind,
    /// The metric or the item's code.
    #[schema(example = "theme_day_attendance")]
    pub item: String,
    #[schema(example = "主题党日参加率")]
    pub name: String,
    /// What was recorded: `5/6`, `6.5h`, `合格`, `×2`.
    #[schema(example = "5/6")]
    pub recorded: String,
    /// Points given (negative for deductions), to the hundredth.
    #[schema(example = 12.5)]
    pub points: f64,
}

/// A member's result of a half year.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PioneerResultView {
    pub member_id: Uuid,
    pub member_name: String,
    pub branch_id: Uuid,
    pub category: MemberCategory,
    pub sector: OrgSector,
    /// Left out of the pool by the rules (and of the denominator).
    pub excluded: bool,
    pub excluded_reason: Option<String>,
    /// The profile of the rules that scored the member.
    pub profile: Option<String>,
    /// The index, to the hundredth; null for an excluded member.
    #[schema(example = 87.5)]
    pub total: Option<f64>,
    /// The zeroing item that set the index to 0.
    pub zeroed_by: Option<String>,
    pub lines: Vec<PioneerLineView>,
    /// Among the lowest ⌈5‰⌉ (ties at the boundary included).
    pub proposed: bool,
    /// Tied at the boundary past the quota: the township decides.
    pub tied: bool,
    /// Confirmed warning-level (警示型).
    pub warning: bool,
}

fn points(centi: i64) -> f64 {
    centi as f64 / 100.0
}

impl From<pi::IndexResult> for PioneerResultView {
    fn from(r: pi::IndexResult) -> Self {
        let (excluded_reason, profile, total, zeroed_by, lines) = match r.outcome {
            pi::ResultOutcome::Excluded { reason } => (Some(reason), None, None, None, Vec::new()),
            pi::ResultOutcome::Scored {
                profile,
                total,
                zeroed_by,
                lines,
            } => (None, Some(profile), Some(points(total)), zeroed_by, lines),
        };
        Self {
            member_id: r.member_id.as_uuid(),
            member_name: r.member_name,
            branch_id: r.branch_id.as_uuid(),
            category: r.category.into(),
            sector: r.sector.into(),
            excluded: excluded_reason.is_some(),
            excluded_reason,
            profile,
            total,
            zeroed_by,
            lines: lines
                .into_iter()
                .map(|l| PioneerLineView {
                    kind: match l.kind {
                        pi::LineKind::Basic => PioneerLineKind::Basic,
                        pi::LineKind::Positive => PioneerLineKind::Positive,
                        pi::LineKind::Negative => PioneerLineKind::Negative,
                        pi::LineKind::Zeroing => PioneerLineKind::Zeroing,
                    },
                    item: l.item,
                    name: l.name,
                    recorded: l.recorded,
                    points: points(l.points),
                })
                .collect(),
            proposed: r.proposed,
            tied: r.tied,
            warning: r.warning,
        }
    }
}

/// The caller's own result, with the half year's standing.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MyPioneerIndexView {
    #[schema(example = "2026-H2")]
    pub half: String,
    pub publish_until: Option<DateTime<FixedOffset>>,
    pub result: PioneerResultView,
}

/// The half year asked about.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PioneerHalfParams {
    /// `YYYY-H1` or `YYYY-H2`.
    #[param(pattern = "half-year", example = "2026-H2")]
    pub half: String,
}

impl Validate for PioneerHalfParams {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        parse_half(&self.half, "/half")
            .map(|_| ())
            .map_err(|e| vec![e])
    }
}

/// A page of a half year's results.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct PioneerResultsParams {
    /// `YYYY-H1` or `YYYY-H2`.
    #[param(pattern = "half-year", example = "2026-H2")]
    pub half: String,
    /// Only members under this org (a branch, a general branch); default the committee.
    pub org_id: Option<Uuid>,
    #[param(pattern = "^[A-Za-z0-9_-]*$")]
    pub cursor: Option<String>,
    /// 1-100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// `xlsx` for every result in scope as an Excel file (cursor and limit do not apply; or
    /// send `Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`).
    #[param(inline)]
    pub format: Option<crate::http::xlsx::ReportFormat>,
}

impl Validate for PioneerResultsParams {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        parse_half(&self.half, "/half")
            .map(|_| ())
            .map_err(|e| vec![e])
    }
}

/// The township's confirmation of the warning level.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConfirmPioneerIndex {
    /// Every member to rate warning-level (警示型): at least the quota; every member proposed
    /// below a tie; tied members as the township decides; others of the pool may be added.
    #[schema(max_items = 10000)]
    pub warning_member_ids: Vec<Uuid>,
}

impl Validate for ConfirmPioneerIndex {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}

/// The half year whose fortress index to show, and how.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FortressIndexParams {
    /// `YYYY-H1` or `YYYY-H2`.
    #[param(pattern = "half-year", example = "2027-H1")]
    pub half: String,
    /// `xlsx` for an Excel file (or send `Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`).
    #[param(inline)]
    pub format: Option<ReportFormat>,
}

impl Validate for FortressIndexParams {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        parse_half(&self.half, "/half")
            .map(|_| ())
            .map_err(|e| vec![e])
    }
}

/// One item of a branch's fortress index.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FortressLineView {
    pub metric: PioneerFortressMetric,
    #[schema(example = "主题党日落实率")]
    pub name: String,
    /// The item's points in the rules.
    #[schema(example = 20)]
    pub points: u32,
    /// What it scored, to the hundredth: `points` × `done` ÷ `of` (all of it when `of` is 0).
    #[schema(example = 16.66)]
    pub score: f64,
    /// Done of what was asked (`of`).
    #[schema(example = 5)]
    pub done: u32,
    #[schema(example = 6)]
    pub of: u32,
}

/// One branch's fortress index.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FortressBranchView {
    pub branch_id: Uuid,
    /// The branch by its names below the committee (`虞北村党总支/第一党支部`).
    #[schema(example = "虞北村党总支/第一党支部")]
    pub branch_name: String,
    /// The index, to the hundredth: the sum of the lines.
    #[schema(example = 87.5)]
    pub total: f64,
    pub lines: Vec<FortressLineView>,
}

impl From<&pi::BranchFortress> for FortressBranchView {
    fn from(b: &pi::BranchFortress) -> Self {
        Self {
            branch_id: b.branch_id.as_uuid(),
            branch_name: b.branch_name.clone(),
            total: points(b.total),
            lines: b
                .lines
                .iter()
                .map(|l| FortressLineView {
                    metric: l.metric.into(),
                    name: l.name.clone(),
                    points: l.points,
                    score: points(l.score),
                    done: l.done,
                    of: l.of,
                })
                .collect(),
        }
    }
}

/// The branches' fortress index (堡垒指数) of a half year, computed with the pioneer index
/// under the same rules.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FortressIndexView {
    #[schema(example = "2027-H1")]
    pub half: String,
    pub status: PioneerRunStatus,
    /// The rule-set version it was computed under; null: the standard rules.
    pub rules_version: Option<u32>,
    /// Every branch of the township, by its place in the tree.
    pub branches: Vec<FortressBranchView>,
}
