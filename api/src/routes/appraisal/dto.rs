//! Request and response shapes of appraisal campaigns and self-assessments.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::extract::Validate;
use crate::http::mirror::mirror_enum;
use crate::http::time::beijing;
use domain::appraisal::{self as ap, Campaign, Participant, SelfAssessment};
use domain::error::FieldError;

mirror_enum!(
    /// 优秀 / 合格 / 基本合格 / 不合格.
    Grade => ap::Grade { Excellent, Qualified, BasicallyQualified, Unqualified }
);
mirror_enum!(
    /// 思想表现 / 工作作风 / 遵守纪律 / 履行职责 / 发挥作用 / 道德品质.
    Dimension => ap::Dimension { Thought, WorkStyle, Discipline, Duties, Role, Morality }
);
mirror_enum!(
    /// 四个合格: 政治合格 / 执行纪律合格 / 品德合格 / 发挥作用合格.
    Qualification => ap::Qualification { Political, Discipline, Morality, Role }
);
mirror_enum!(
    /// Whom each participant reviews: the whole branch, or the members of their own 党小组.
    PeerScope => ap::PeerScope { Branch, Group }
);
mirror_enum!(
    /// 集中动员 / 个人自评 / 党员互评 / 组织评定 / 亮分公示.
    Stage => ap::Stage { Mobilisation, SelfAssessment, PeerReview, Rating, Publication }
);
mirror_enum!(
    /// Nothing saved yet / a draft / submitted.
    AssessmentStatus => ap::AssessmentStatus { NotStarted, Draft, Submitted }
);

/// Where a campaign stands: before mobilisation, inside a stage's window, between a stage's
/// last day and the next stage, or closed after publication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    NotStarted,
    Open,
    Ended,
    Closed,
}

/// A stage's days, both inclusive.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StageDatesDto {
    /// Its first day (Beijing), in 2000-2100.
    #[schema(example = "2027-07-01")]
    pub starts_on: NaiveDate,
    /// Its last day, on or after the first, at most 366 days later.
    #[schema(example = "2027-07-01")]
    pub ends_on: NaiveDate,
}

/// The publication window: seven days from its first day unless its last day is given.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PublicationDatesDto {
    #[schema(example = "2027-07-21")]
    pub starts_on: NaiveDate,
    #[serde(default)]
    pub ends_on: Option<NaiveDate>,
}

/// The stages' dates, in order; each stage begins after the previous one's last day.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ScheduleDto {
    pub mobilisation: StageDatesDto,
    pub self_assessment: StageDatesDto,
    pub peer_review: StageDatesDto,
    pub rating: StageDatesDto,
    pub publication: PublicationDatesDto,
}

impl ScheduleDto {
    pub fn to_domain(self) -> [ap::StageDates; 5] {
        let d = |s: StageDatesDto| ap::StageDates {
            starts_on: s.starts_on,
            ends_on: s.ends_on,
        };
        let publication = match self.publication.ends_on {
            Some(ends_on) => ap::StageDates {
                starts_on: self.publication.starts_on,
                ends_on,
            },
            None => ap::Schedule::default_publication(self.publication.starts_on),
        };
        [
            d(self.mobilisation),
            d(self.self_assessment),
            d(self.peer_review),
            d(self.rating),
            publication,
        ]
    }
}

/// The largest share of a branch's graded members who may be rated 优秀.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ShareDto {
    /// 0-100, at most the denominator.
    #[serde(deserialize_with = "crate::extract::integral")]
    #[schema(minimum = 0, maximum = 100, example = 1)]
    pub numerator: u32,
    /// 1-100.
    #[serde(deserialize_with = "crate::extract::integral")]
    #[schema(minimum = 1, maximum = 100, example = 3)]
    pub denominator: u32,
}

/// One stage of a campaign as it stands.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StageView {
    pub stage: Stage,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// When it began or will begin (Beijing): its first day's midnight, or earlier when
    /// begun early.
    pub starts_at: DateTime<FixedOffset>,
    /// When its window ends: midnight after its last day, or earlier when the next stage
    /// began first.
    pub ends_at: DateTime<FixedOffset>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignView {
    pub id: Uuid,
    /// The org whose subtree takes part: a branch, or an org above branches.
    pub org_id: Uuid,
    pub name: String,
    /// `2027-H1` or `2027`.
    pub period: String,
    /// The 组织生活会 at which it is held.
    pub meeting_id: Option<Uuid>,
    pub standing: Standing,
    /// The stage begun most recently (absent before mobilisation).
    pub stage: Option<Stage>,
    pub stages: Vec<StageView>,
    pub peer_scope: PeerScope,
    /// 双十条, as this campaign words them (ten each).
    pub positive_list: Vec<String>,
    pub negative_list: Vec<String>,
    pub excellent_share: ShareDto,
    pub created_at: DateTime<FixedOffset>,
}

impl CampaignView {
    pub fn at(c: &Campaign, now: DateTime<chrono::Utc>) -> Self {
        let st = c.standing(now);
        Self {
            id: c.id.as_uuid(),
            org_id: c.org_id.as_uuid(),
            name: c.name.clone(),
            period: c.period.to_string(),
            meeting_id: c.meeting_id.map(|m| m.as_uuid()),
            standing: match st {
                ap::Standing::NotStarted => Standing::NotStarted,
                ap::Standing::Open(_) => Standing::Open,
                ap::Standing::Ended(_) => Standing::Ended,
                ap::Standing::Closed => Standing::Closed,
            },
            stage: st.stage().map(Into::into),
            stages: ap::Stage::ALL
                .iter()
                .map(|s| {
                    let d = c.stages.schedule().dates(*s);
                    StageView {
                        stage: (*s).into(),
                        starts_on: d.starts_on,
                        ends_on: d.ends_on,
                        starts_at: beijing(c.stages.start(*s)),
                        ends_at: beijing(c.stages.end(*s)),
                    }
                })
                .collect(),
            peer_scope: c.peer_scope.into(),
            positive_list: c.positive_list.clone(),
            negative_list: c.negative_list.clone(),
            excellent_share: ShareDto {
                numerator: c.excellent_share.numerator,
                denominator: c.excellent_share.denominator,
            },
            created_at: beijing(c.created_at),
        }
    }
}

/// One dimension's text and the member's own grade.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DimensionEntryDto {
    pub dimension: Dimension,
    #[schema(min_length = 1, max_length = 2000, pattern = "lines")]
    pub text: String,
    /// Required to submit.
    #[serde(default)]
    pub grade: Option<Grade>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct QualificationEntryDto {
    pub qualification: Qualification,
    pub met: bool,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 500, pattern = "lines")]
    pub note: Option<String>,
}

/// An item of the campaign's 双十条 list that applies, by its number.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ListTickDto {
    /// 1-10.
    #[serde(deserialize_with = "crate::extract::integral")]
    #[schema(minimum = 1, maximum = 10, example = 3)]
    pub item: u8,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 500, pattern = "lines")]
    pub note: Option<String>,
}

/// The answer to one of the 五看五查 questions, by its number.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LookAnswerDto {
    /// 1-5.
    #[serde(deserialize_with = "crate::extract::integral")]
    #[schema(minimum = 1, maximum = 5, example = 1)]
    pub look: u8,
    #[schema(min_length = 1, max_length = 2000, pattern = "lines")]
    pub answer: String,
}

/// A problem found, the measure that puts it right and the day it is due: a line of the
/// member's rectification list (整改清单).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProblemDto {
    #[schema(min_length = 1, max_length = 500, pattern = "lines")]
    pub problem: String,
    #[schema(min_length = 1, max_length = 500, pattern = "lines")]
    pub measure: String,
    /// From the self-assessment's first day to the end of the year after the period.
    #[schema(example = "2027-12-31")]
    pub due_on: NaiveDate,
}

/// What a self-assessment holds. A draft may hold any part; a submission every dimension
/// with its grade, the 四个合格, all five 五看五查 answers and a summary. No part twice.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AssessmentContentDto {
    #[serde(default)]
    #[schema(max_items = 6)]
    pub dimensions: Vec<DimensionEntryDto>,
    #[serde(default)]
    #[schema(max_items = 4)]
    pub qualifications: Vec<QualificationEntryDto>,
    /// Items of the positive list that apply.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub positive: Vec<ListTickDto>,
    /// Items of the negative list that apply.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub negative: Vec<ListTickDto>,
    #[serde(default)]
    #[schema(max_items = 5)]
    pub five_looks: Vec<LookAnswerDto>,
    #[serde(default)]
    #[schema(max_items = 20)]
    pub problems: Vec<ProblemDto>,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 5000, pattern = "lines")]
    pub summary: Option<String>,
}

impl Validate for AssessmentContentDto {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}

impl From<AssessmentContentDto> for ap::AssessmentContent {
    fn from(d: AssessmentContentDto) -> Self {
        let tick = |t: ListTickDto| ap::ListTick {
            item: t.item,
            note: t.note,
        };
        Self {
            dimensions: d
                .dimensions
                .into_iter()
                .map(|e| ap::DimensionEntry {
                    dimension: e.dimension.into(),
                    text: e.text,
                    grade: e.grade.map(Into::into),
                })
                .collect(),
            qualifications: d
                .qualifications
                .into_iter()
                .map(|q| ap::QualificationEntry {
                    qualification: q.qualification.into(),
                    met: q.met,
                    note: q.note,
                })
                .collect(),
            positive: d.positive.into_iter().map(tick).collect(),
            negative: d.negative.into_iter().map(tick).collect(),
            five_looks: d
                .five_looks
                .into_iter()
                .map(|a| ap::LookAnswer {
                    look: a.look,
                    answer: a.answer,
                })
                .collect(),
            problems: d
                .problems
                .into_iter()
                .map(|p| ap::ProblemFound {
                    problem: p.problem,
                    measure: p.measure,
                    due_on: p.due_on,
                })
                .collect(),
            summary: d.summary,
        }
    }
}

impl From<&ap::AssessmentContent> for AssessmentContentDto {
    fn from(c: &ap::AssessmentContent) -> Self {
        let tick = |t: &ap::ListTick| ListTickDto {
            item: t.item,
            note: t.note.clone(),
        };
        Self {
            dimensions: c
                .dimensions
                .iter()
                .map(|e| DimensionEntryDto {
                    dimension: e.dimension.into(),
                    text: e.text.clone(),
                    grade: e.grade.map(Into::into),
                })
                .collect(),
            qualifications: c
                .qualifications
                .iter()
                .map(|q| QualificationEntryDto {
                    qualification: q.qualification.into(),
                    met: q.met,
                    note: q.note.clone(),
                })
                .collect(),
            positive: c.positive.iter().map(tick).collect(),
            negative: c.negative.iter().map(tick).collect(),
            five_looks: c
                .five_looks
                .iter()
                .map(|a| LookAnswerDto {
                    look: a.look,
                    answer: a.answer.clone(),
                })
                .collect(),
            problems: c
                .problems
                .iter()
                .map(|p| ProblemDto {
                    problem: p.problem.clone(),
                    measure: p.measure.clone(),
                    due_on: p.due_on,
                })
                .collect(),
            summary: c.summary.clone(),
        }
    }
}

/// A member's self-assessment. Its `version` is also its `ETag`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssessmentView {
    pub campaign_id: Uuid,
    pub member_id: Uuid,
    pub status: AssessmentStatus,
    /// How many times it was saved (0: never); send it back as `If-Match` to change it.
    pub version: i64,
    pub submitted_at: Option<DateTime<FixedOffset>>,
    /// Why the secretary reopened it, when they did.
    pub reopened_reason: Option<String>,
    pub updated_at: DateTime<FixedOffset>,
    pub content: AssessmentContentDto,
}

impl From<&SelfAssessment> for AssessmentView {
    fn from(a: &SelfAssessment) -> Self {
        Self {
            campaign_id: a.campaign_id.as_uuid(),
            member_id: a.member_id.as_uuid(),
            status: a.status.into(),
            version: a.version,
            submitted_at: a.submitted_at.map(beijing),
            reopened_reason: a.reopened.clone(),
            updated_at: beijing(a.updated_at),
            content: AssessmentContentDto::from(&a.content),
        }
    }
}

/// A participant as the secretary's overview shows them.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ParticipantView {
    pub member_id: Uuid,
    pub name: String,
    pub branch_id: Uuid,
    pub group_id: Option<Uuid>,
    /// 预备党员: takes part, receives no grade.
    pub probationary: bool,
    /// Why the member is excused from the campaign, when they are.
    pub excused_reason: Option<String>,
}

impl From<&Participant> for ParticipantView {
    fn from(p: &Participant) -> Self {
        Self {
            member_id: p.member_id.as_uuid(),
            name: p.name.clone(),
            branch_id: p.branch_id.as_uuid(),
            group_id: p.group_id.map(|g| g.as_uuid()),
            probationary: p.probationary,
            excused_reason: p.excused.as_ref().map(|e| e.reason.clone()),
        }
    }
}

/// One participant and where their self-assessment stands.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssessmentProgressView {
    pub participant: ParticipantView,
    pub status: AssessmentStatus,
    pub submitted_at: Option<DateTime<FixedOffset>>,
}

/// Who has and hasn't submitted, under the caller's part of the campaign.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProgressList {
    pub submitted: usize,
    pub total: usize,
    pub items: Vec<AssessmentProgressView>,
}

/// What a reminder did: who was reminded now, and how many were reminded already today.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RemindersView {
    /// Participants under the caller's part of the campaign who have not submitted (those
    /// excused aside).
    pub pending: usize,
    /// Reminded now (one subscribe message each, sent when they have a consent left).
    pub reminded_member_ids: Vec<Uuid>,
    /// Reminded already today (Beijing), by this or another secretary: not again before
    /// tomorrow.
    pub already_reminded_today: usize,
}

/// A reason, for reopening a self-assessment or excusing a member.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReasonRequest {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "printable",
        example = "长期病休"
    )]
    pub reason: String,
}

impl Validate for ReasonRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}

mirror_enum!(
    /// The answer to an objection or appeal: the result changes, or stands.
    Verdict => ap::Verdict { Upheld, Rejected }
);

/// An item of the campaign's negative list, by its number (1-10). `4.0` is the integer 4,
/// as JSON Schema reads it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NegativeItem(#[serde(deserialize_with = "crate::extract::integral")] pub u8);

impl utoipa::PartialSchema for NegativeItem {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
        utoipa::openapi::RefOr::T(Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1))
                .maximum(Some(10))
                .examples([4])
                .build(),
        ))
    }
}

impl ToSchema for NegativeItem {
    fn name() -> std::borrow::Cow<'static, str> {
        "AppraisalNegativeItem".into()
    }
}

/// A graded member's result, with why.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RateRequest {
    pub grade: Grade,
    #[schema(
        min_length = 1,
        max_length = 1000,
        pattern = "lines",
        example = "工作积极，作用发挥明显"
    )]
    pub rationale: String,
    /// The negative-list situations the member falls under, each once; at least one for
    /// `unqualified`.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub negative_items: Vec<NegativeItem>,
}

impl Validate for RateRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RatingView {
    pub member_id: Uuid,
    pub grade: Grade,
    pub rationale: String,
    pub negative_items: Vec<u8>,
    pub rated_at: DateTime<FixedOffset>,
}

impl From<&ap::Rating> for RatingView {
    fn from(r: &ap::Rating) -> Self {
        Self {
            member_id: r.member_id.as_uuid(),
            grade: r.grade.into(),
            rationale: r.rationale.clone(),
            negative_items: r.negative_items.clone(),
            rated_at: beijing(r.rated_at),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnswerView {
    pub verdict: Verdict,
    pub reason: String,
    /// The grade an upheld objection or appeal gave.
    pub grade: Option<Grade>,
    pub answered_at: DateTime<FixedOffset>,
}

/// A member's objection (during publication) or appeal (to the township, after it).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ObjectionView {
    pub member_id: Uuid,
    pub reason: String,
    pub lodged_at: DateTime<FixedOffset>,
    pub answer: Option<AnswerView>,
}

impl From<&ap::Objection> for ObjectionView {
    fn from(o: &ap::Objection) -> Self {
        Self {
            member_id: o.member_id.as_uuid(),
            reason: o.reason.clone(),
            lodged_at: beijing(o.lodged_at),
            answer: o.answer.as_ref().map(|a| AnswerView {
                verdict: a.verdict.into(),
                reason: a.reason.clone(),
                grade: a.grade.map(Into::into),
                answered_at: beijing(a.at),
            }),
        }
    }
}

/// A participant with their result, objection and appeal so far.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResultView {
    pub participant: ParticipantView,
    /// Absent until rated (for the member: until publication begins).
    pub rating: Option<RatingView>,
    pub objection: Option<ObjectionView>,
    pub appeal: Option<ObjectionView>,
}

impl From<&domain::appraisal::service::RatingRow> for ResultView {
    fn from(r: &domain::appraisal::service::RatingRow) -> Self {
        Self {
            participant: ParticipantView::from(&r.participant),
            rating: r.rating.as_ref().map(RatingView::from),
            objection: r.objection.as_ref().map(ObjectionView::from),
            appeal: r.appeal.as_ref().map(ObjectionView::from),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResultList {
    pub items: Vec<ResultView>,
}

/// A branch member's published grade, as the branch sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PublishedGrade {
    pub member_id: Uuid,
    pub name: String,
    pub grade: Grade,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PublishedList {
    pub items: Vec<PublishedGrade>,
}

/// The member's reason for an objection or appeal.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LodgeRequest {
    #[schema(
        min_length = 1,
        max_length = 1000,
        pattern = "lines",
        example = "本人全年按时参加组织生活"
    )]
    pub reason: String,
}

impl Validate for LodgeRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}

/// The answer to an objection or appeal: `upheld` gives the new `grade`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AnswerRequest {
    pub verdict: Verdict,
    #[schema(
        min_length = 1,
        max_length = 1000,
        pattern = "lines",
        example = "经核实，维持原评定"
    )]
    pub reason: String,
    /// Required when upheld.
    #[serde(default)]
    pub grade: Option<Grade>,
}

impl Validate for AnswerRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        if self.verdict == Verdict::Upheld && self.grade.is_none() {
            return Err(vec![FieldError::new(
                "/grade",
                domain::error::ErrorCode::ObjectionGradeRequired,
                "an upheld objection gives the new grade",
            )]);
        }
        Ok(())
    }
}

/// A line of a member's rectification list (整改清单).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RectificationView {
    pub id: Uuid,
    pub member_id: Uuid,
    pub problem: String,
    pub measure: String,
    pub due_on: NaiveDate,
    /// `self_assessment` (the member found it) or `secretary`.
    pub source: String,
    /// `open`, `overdue` (open past its due date, Beijing) or `done`.
    pub status: String,
    pub done_at: Option<DateTime<FixedOffset>>,
    pub done_note: Option<String>,
}

impl RectificationView {
    pub fn at(l: &ap::Rectification, today: NaiveDate) -> Self {
        Self {
            id: l.id.as_uuid(),
            member_id: l.member_id.as_uuid(),
            problem: l.problem.clone(),
            measure: l.measure.clone(),
            due_on: l.due_on,
            source: l.source.as_str().to_owned(),
            status: l.status(today).as_str().to_owned(),
            done_at: l.done.as_ref().map(|(t, _)| beijing(*t)),
            done_note: l.done.as_ref().map(|(_, n)| n.clone()),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RectificationList {
    pub items: Vec<RectificationView>,
}

/// Marks a line done with a note on how, or open again.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MarkRectification {
    pub done: bool,
    /// How it was put right; required when done.
    #[serde(default)]
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = "lines",
        example = "已按计划完成学习"
    )]
    pub note: Option<String>,
}

impl Validate for MarkRectification {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        if self.done && self.note.is_none() {
            return Err(vec![FieldError::new(
                "/note",
                domain::error::ErrorCode::RectificationTextInvalid,
                "say how it was put right",
            )]);
        }
        Ok(())
    }
}

/// A line the secretary adds to a member's list.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AddRectification {
    pub member_id: Uuid,
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = "lines",
        example = "组织生活参加不够积极"
    )]
    pub problem: String,
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = "lines",
        example = "每月按时参加主题党日"
    )]
    pub measure: String,
    /// From the self-assessment's first day to the end of the year after the period.
    pub due_on: NaiveDate,
}

impl Validate for AddRectification {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}

/// One branch's rectification lines, counted.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RectificationCountView {
    pub branch_id: Uuid,
    pub open: u64,
    pub overdue: u64,
    pub done: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RectificationSummary {
    pub items: Vec<RectificationCountView>,
}
