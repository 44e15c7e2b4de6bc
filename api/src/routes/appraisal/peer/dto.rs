//! Request and response shapes of the peer ballot. A response names reviewees only: no
//! reviewer appears in any of them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::super::dto::{Dimension, Grade};
use crate::extract::Validate;
use domain::appraisal::ballot::{self, GradeCounts};
use domain::appraisal::service::{BallotInput, PeerResults, PeerTodo};
use domain::appraisal::{self as ap, Ballot};
use domain::error::FieldError;

/// A grade on one dimension.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DimensionGradeDto {
    pub dimension: Dimension,
    pub grade: Grade,
}

/// A ballot on one reviewee: the overall grade, a grade on each of the six dimensions (each
/// exactly once) and an optional comment, shown to the secretary without its author.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BallotRequest {
    pub overall: Grade,
    #[schema(min_items = 6, max_items = 6)]
    pub dimensions: Vec<DimensionGradeDto>,
    #[serde(default)]
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = "printable",
        example = "带头参加志愿服务"
    )]
    pub comment: Option<String>,
}

impl Validate for BallotRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}

impl From<BallotRequest> for BallotInput {
    fn from(b: BallotRequest) -> Self {
        Self {
            overall: b.overall.into(),
            dimensions: b
                .dimensions
                .into_iter()
                .map(|d| (d.dimension.into(), d.grade.into()))
                .collect(),
            comment: b.comment,
        }
    }
}

/// The caller's own ballot on a reviewee, as they cast it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BallotView {
    pub overall: Grade,
    /// The six dimensions, in order.
    pub dimensions: Vec<DimensionGradeDto>,
    pub comment: Option<String>,
}

impl From<&Ballot> for BallotView {
    fn from(b: &Ballot) -> Self {
        Self {
            overall: b.overall.into(),
            dimensions: b
                .graded()
                .map(|(d, g)| DimensionGradeDto {
                    dimension: d.into(),
                    grade: g.into(),
                })
                .collect(),
            comment: b.comment.clone(),
        }
    }
}

/// A member the caller grades, with the caller's own ballot on them if cast.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RevieweeView {
    pub member_id: Uuid,
    pub name: String,
    pub group_id: Option<Uuid>,
    /// The caller's ballot, while the stage is open (absent before one is cast, and once the
    /// stage is over: nobody can find a ballot's giver then, the giver included).
    pub ballot: Option<BallotView>,
}

/// The members the caller grades in the peer review.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PeerTodoView {
    pub campaign_id: Uuid,
    /// The peer-review stage is open: ballots may be cast and changed.
    pub open: bool,
    pub items: Vec<RevieweeView>,
}

impl From<&PeerTodo> for PeerTodoView {
    fn from(t: &PeerTodo) -> Self {
        Self {
            campaign_id: t.campaign.id.as_uuid(),
            open: t.open,
            items: t
                .items
                .iter()
                .map(|(p, b)| RevieweeView {
                    member_id: p.member_id.as_uuid(),
                    name: p.name.clone(),
                    group_id: p.group_id.map(|g| g.as_uuid()),
                    ballot: b.as_ref().map(BallotView::from),
                })
                .collect(),
        }
    }
}

/// How many ballots gave each grade.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GradeCountsDto {
    pub excellent: usize,
    pub qualified: usize,
    pub basically_qualified: usize,
    pub unqualified: usize,
}

impl From<GradeCounts> for GradeCountsDto {
    fn from(c: GradeCounts) -> Self {
        let at = |g: ap::Grade| {
            ap::Grade::ALL
                .iter()
                .position(|x| *x == g)
                .and_then(|i| c.get(i).copied())
                .unwrap_or(0)
        };
        Self {
            excellent: at(ap::Grade::Excellent),
            qualified: at(ap::Grade::Qualified),
            basically_qualified: at(ap::Grade::BasicallyQualified),
            unqualified: at(ap::Grade::Unqualified),
        }
    }
}

/// One dimension of a reviewee's ballots.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DimensionResultView {
    pub dimension: Dimension,
    /// Mean points, 优秀 4, 合格 3, 基本合格 2, 不合格 1, to two decimals.
    #[schema(minimum = 1, maximum = 4, example = 3.25)]
    pub average: f64,
    pub counts: GradeCountsDto,
}

/// A graded participant and what their peers gave them, all of it withheld under three
/// ballots (`withheld`; the count too).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RevieweeResultView {
    pub member_id: Uuid,
    pub name: String,
    pub branch_id: Uuid,
    /// Fewer than three ballots: nothing about them is shown.
    pub withheld: bool,
    pub ballots: Option<usize>,
    pub overall: Option<GradeCountsDto>,
    pub dimensions: Option<Vec<DimensionResultView>>,
    /// The comments, without author, in a random order.
    pub comments: Option<Vec<String>>,
}

/// One branch's turnout: voters over eligible reviewers (participants not excused who grade
/// anyone).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TurnoutView {
    pub branch_id: Uuid,
    pub voters: usize,
    pub eligible: usize,
    /// Fewer than 80 % of the eligible reviewers voted.
    pub warning: bool,
}

/// The peer ballot under the caller's part of the campaign.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PeerResultsView {
    /// The stage is over: the ballots are final and their aggregates shown in `items`.
    /// During the stage `items` is empty and only the turnout is live.
    pub sealed: bool,
    /// The least ballots a reviewee needs for anything about them to be shown.
    pub min_ballots: usize,
    pub items: Vec<RevieweeResultView>,
    pub turnout: Vec<TurnoutView>,
}

impl From<&PeerResults> for PeerResultsView {
    fn from(r: &PeerResults) -> Self {
        Self {
            sealed: r.sealed,
            min_ballots: ballot::MIN_BALLOTS_SHOWN,
            items: r
                .reviewees
                .iter()
                .map(|t| {
                    let p = &t.reviewee;
                    let s = t.tally.as_ref();
                    RevieweeResultView {
                        member_id: p.member_id.as_uuid(),
                        name: p.name.clone(),
                        branch_id: p.branch_id.as_uuid(),
                        withheld: s.is_none(),
                        ballots: s.map(|s| s.ballots),
                        overall: s.map(|s| s.overall.into()),
                        dimensions: s.map(|s| {
                            s.dimensions
                                .iter()
                                .map(|d| DimensionResultView {
                                    dimension: d.dimension.into(),
                                    average: d.average,
                                    counts: d.counts.into(),
                                })
                                .collect()
                        }),
                        comments: s.map(|s| s.comments.clone()),
                    }
                })
                .collect(),
            turnout: r
                .turnout
                .iter()
                .map(|t| TurnoutView {
                    branch_id: t.branch_id.as_uuid(),
                    voters: t.voters,
                    eligible: t.eligible,
                    warning: t.warning(),
                })
                .collect(),
        }
    }
}
