//! Request and response shapes of pioneer-index deductions.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::mirror::mirror_enum;
use crate::http::time::beijing;
use domain::pioneer::{self as pi, Deduction, DeductionObjection, ObjectionAnswer};

mirror_enum!(
    /// `negative`: points off (扣分项); `zeroing`: the index is 0 (一票否决).
    PioneerDeductionKind => pi::DeductionKind { Negative, Zeroing }
);

/// A township admin's answer to an objection.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PioneerObjectionAnswerView {
    /// Upheld: the deduction no longer counts.
    pub upheld: bool,
    pub reply: String,
    pub answered_by: Uuid,
    pub answered_at: DateTime<FixedOffset>,
}

impl From<&ObjectionAnswer> for PioneerObjectionAnswerView {
    fn from(a: &ObjectionAnswer) -> Self {
        Self {
            upheld: a.upheld,
            reply: a.reply.clone(),
            answered_by: a.by.as_uuid(),
            answered_at: beijing(a.at),
        }
    }
}

/// The member's one objection.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PioneerObjectionView {
    pub text: String,
    pub objected_at: DateTime<FixedOffset>,
    pub answer: Option<PioneerObjectionAnswerView>,
}

impl From<&DeductionObjection> for PioneerObjectionView {
    fn from(o: &DeductionObjection) -> Self {
        Self {
            text: o.text.clone(),
            objected_at: beijing(o.at),
            answer: o.answer.as_ref().map(Into::into),
        }
    }
}

/// A negative or zeroing item recorded against a member for a half year.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PioneerDeductionView {
    pub id: Uuid,
    pub committee_id: Uuid,
    pub member_id: Uuid,
    /// The member's branch when it was recorded.
    pub branch_id: Uuid,
    #[schema(example = "2026-H2")]
    pub half: String,
    #[schema(example = "dues_late")]
    pub item_code: String,
    pub kind: PioneerDeductionKind,
    #[schema(example = "连续三个月未按时交纳党费")]
    pub reason: String,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<FixedOffset>,
    /// Whether it counts in the index: false once an objection to it is upheld.
    pub stands: bool,
    pub objection: Option<PioneerObjectionView>,
}

impl From<&Deduction> for PioneerDeductionView {
    fn from(d: &Deduction) -> Self {
        Self {
            id: d.id.as_uuid(),
            committee_id: d.committee_id.as_uuid(),
            member_id: d.member_id.as_uuid(),
            branch_id: d.branch_id.as_uuid(),
            half: d.half.to_string(),
            item_code: d.item_code.clone(),
            kind: d.kind.into(),
            reason: d.reason.clone(),
            recorded_by: d.recorded_by.as_uuid(),
            recorded_at: beijing(d.recorded_at),
            stands: d.stands(),
            objection: d.objection.as_ref().map(Into::into),
        }
    }
}
