//! The organisation's rating (组织评定), its publication (亮分公示), members' objections
//! during publication and appeals (申诉) to the township after it.

use chrono::{DateTime, Duration, Utc};

use super::campaign::CampaignId;
use super::model::{Grade, LIST_ITEMS};
use crate::error::{ErrorCode, FieldError};
use crate::org::{MemberId, OrgPath};
use crate::text::clean_multiline;

/// A graded member's result, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rating {
    pub campaign_id: CampaignId,
    pub member_id: MemberId,
    pub branch_path: OrgPath,
    pub grade: Grade,
    pub rationale: String,
    /// Items of the campaign's negative list the member's situation falls under (1-10);
    /// at least one for 不合格.
    pub negative_items: Vec<u8>,
    pub rated_by: MemberId,
    pub rated_at: DateTime<Utc>,
}

impl Rating {
    pub const MAX_RATIONALE_CHARS: usize = 1000;

    /// Checks what a rater sends: a rationale of 1-1000 characters, negative items in range
    /// and each once, and at least one for 不合格.
    pub fn validate(
        grade: Grade,
        rationale: &str,
        negative_items: &[u8],
    ) -> Result<(String, Vec<u8>), Vec<FieldError>> {
        let mut errors = Vec::new();
        let rationale = clean_multiline(
            rationale,
            Self::MAX_RATIONALE_CHARS,
            "/rationale",
            ErrorCode::RatingRationaleInvalid,
        )
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
        for (i, item) in negative_items.iter().enumerate() {
            let ptr = format!("/negativeItems/{i}");
            if !(1..=LIST_ITEMS).contains(&usize::from(*item)) {
                errors.push(FieldError::new(
                    ptr,
                    ErrorCode::AssessmentItemUnknown,
                    format!("items are numbered 1-{LIST_ITEMS}"),
                ));
            } else if negative_items[..i].contains(item) {
                errors.push(FieldError::new(
                    ptr,
                    ErrorCode::AssessmentPartRepeated,
                    format!("item {item} is given more than once"),
                ));
            }
        }
        if grade == Grade::Unqualified && negative_items.is_empty() {
            errors.push(FieldError::new(
                "/negativeItems",
                ErrorCode::RatingNeedsNegativeItem,
                "不合格 needs at least one situation of the negative list",
            ));
        }
        if errors.is_empty() {
            let mut items = negative_items.to_vec();
            items.sort_unstable();
            Ok((rationale, items))
        } else {
            Err(errors)
        }
    }
}

/// What a member may lodge about their own result: an objection (异议) during publication,
/// answered by the secretary, or an appeal (申诉) to the township after it, against 不合格.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectionKind {
    Objection,
    Appeal,
}

impl ObjectionKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            ObjectionKind::Objection => "objection",
            ObjectionKind::Appeal => "appeal",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Objection, Self::Appeal]
            .into_iter()
            .find(|k| k.as_str() == raw)
    }
}

/// How an objection or appeal was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// The result changes (to the grade given with the answer).
    Upheld,
    /// The result stands; the reason is recorded.
    Rejected,
}

impl Verdict {
    pub const fn as_str(self) -> &'static str {
        match self {
            Verdict::Upheld => "upheld",
            Verdict::Rejected => "rejected",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Upheld, Self::Rejected]
            .into_iter()
            .find(|v| v.as_str() == raw)
    }
}

/// An answer to an objection or appeal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub verdict: Verdict,
    pub reason: String,
    /// The grade an upheld objection or appeal gives.
    pub grade: Option<Grade>,
    pub by: MemberId,
    pub at: DateTime<Utc>,
}

/// A member's objection or appeal about their own result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Objection {
    pub campaign_id: CampaignId,
    pub member_id: MemberId,
    pub kind: ObjectionKind,
    pub branch_path: OrgPath,
    pub reason: String,
    pub lodged_at: DateTime<Utc>,
    pub answer: Option<Answer>,
}

impl Objection {
    pub const MAX_REASON_CHARS: usize = 1000;
    /// How long after publication ends a member graded 不合格 may appeal.
    pub const APPEAL_DAYS: i64 = 30;

    pub fn validate_reason(raw: &str, pointer: &str) -> Result<String, FieldError> {
        clean_multiline(
            raw,
            Self::MAX_REASON_CHARS,
            pointer,
            ErrorCode::AppraisalReasonInvalid,
        )
    }

    /// Until when an appeal may be lodged, given when publication ended.
    pub fn appeal_deadline(publication_end: DateTime<Utc>) -> DateTime<Utc> {
        publication_end + Duration::days(Self::APPEAL_DAYS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unqualified_needs_a_negative_situation_and_the_others_do_not() {
        let Err(e) = Rating::validate(Grade::Unqualified, "多次无故不参加组织生活", &[])
        else {
            panic!("不合格 without a situation passed")
        };
        assert_eq!(e[0].code, ErrorCode::RatingNeedsNegativeItem);
        assert!(Rating::validate(Grade::Unqualified, "多次无故不参加组织生活", &[4]).is_ok());
        assert!(Rating::validate(Grade::Excellent, "带头作用明显", &[]).is_ok());
    }

    #[test]
    fn items_are_in_range_once_and_sorted_and_the_rationale_is_clean() {
        let Err(e) = Rating::validate(Grade::Qualified, "  ", &[0, 3, 3, 11]) else {
            panic!("bad rating passed")
        };
        let got: Vec<_> = e.iter().map(|f| (f.pointer.as_str(), f.code)).collect();
        assert_eq!(
            got,
            [
                ("/rationale", ErrorCode::RatingRationaleInvalid),
                ("/negativeItems/0", ErrorCode::AssessmentItemUnknown),
                ("/negativeItems/2", ErrorCode::AssessmentPartRepeated),
                ("/negativeItems/3", ErrorCode::AssessmentItemUnknown),
            ]
        );
        let Ok((r, items)) = Rating::validate(Grade::BasicallyQualified, " 需改进 ", &[9, 2])
        else {
            panic!("a good rating was refused")
        };
        assert_eq!((r.as_str(), items), ("需改进", vec![2, 9]));
    }

    #[test]
    fn kinds_and_verdicts_round_trip() {
        for k in [ObjectionKind::Objection, ObjectionKind::Appeal] {
            assert_eq!(ObjectionKind::parse(k.as_str()), Some(k));
        }
        for v in [Verdict::Upheld, Verdict::Rejected] {
            assert_eq!(Verdict::parse(v.as_str()), Some(v));
        }
    }
}
