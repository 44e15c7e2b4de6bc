//! Deductions (扣分): a negative or zeroing item of a member's profile recorded against them
//! for a half year, with a reason. The member sees theirs and may object once; a township
//! admin answers the objection once, and an upheld objection takes the deduction out of the
//! index.

use chrono::{DateTime, Utc};

use crate::error::{ErrorCode, FieldError};
use crate::org::{MemberId, OrgId, OrgPath};
use crate::string_enum::string_enum;
use crate::text::{clean_multiline, clean_text};
use crate::volunteer::HalfYear;

crate::define_id!(
    /// Identifies one recorded deduction.
    DeductionId
);

string_enum!(
    /// Which list of the profile the item is on: points off, or the index set to 0.
    DeductionKind {
        Negative => "negative",
        Zeroing => "zeroing",
    }
);

/// How a township admin answered an objection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectionAnswer {
    /// Upheld: the deduction no longer counts.
    pub upheld: bool,
    pub reply: String,
    pub by: MemberId,
    pub at: DateTime<Utc>,
}

/// The member's one objection to a deduction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeductionObjection {
    pub text: String,
    pub at: DateTime<Utc>,
    pub answer: Option<ObjectionAnswer>,
}

/// One recorded deduction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deduction {
    pub id: DeductionId,
    pub committee_id: OrgId,
    pub member_id: MemberId,
    /// The member's branch when it was recorded.
    pub branch_id: OrgId,
    pub branch_path: OrgPath,
    pub half: HalfYear,
    pub item_code: String,
    pub kind: DeductionKind,
    pub reason: String,
    pub recorded_by: MemberId,
    pub recorded_at: DateTime<Utc>,
    pub objection: Option<DeductionObjection>,
}

impl Deduction {
    pub const MAX_REASON_CHARS: usize = 200;
    pub const MAX_OBJECTION_CHARS: usize = 500;

    /// Whether it counts in the index: every deduction but one whose objection was upheld.
    pub fn stands(&self) -> bool {
        !self
            .objection
            .as_ref()
            .and_then(|o| o.answer.as_ref())
            .is_some_and(|a| a.upheld)
    }

    /// A reason of 1-200 printable characters, on one line.
    pub fn validate_reason(raw: &str) -> Result<String, FieldError> {
        clean_text(
            raw,
            Self::MAX_REASON_CHARS,
            "/reason",
            ErrorCode::PioneerDeductionReasonInvalid,
        )
    }

    /// An objection's or an answer's text: 1-500 characters, line breaks allowed.
    pub fn validate_objection_text(raw: &str, pointer: &str) -> Result<String, FieldError> {
        clean_multiline(
            raw,
            Self::MAX_OBJECTION_CHARS,
            pointer,
            ErrorCode::PioneerObjectionTextInvalid,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deduction(objection: Option<DeductionObjection>) -> Deduction {
        let committee = OrgId::new();
        let branch = OrgId::new();
        Deduction {
            id: DeductionId::new(),
            committee_id: committee,
            member_id: MemberId::new(),
            branch_id: branch,
            branch_path: OrgPath::root(committee).child(branch),
            half: HalfYear {
                year: 2026,
                half: 2,
            },
            item_code: "dues_late".into(),
            kind: DeductionKind::Negative,
            reason: "连续三个月未交党费".into(),
            recorded_by: MemberId::new(),
            recorded_at: Utc::now(),
            objection,
        }
    }

    fn objection(answer: Option<bool>) -> DeductionObjection {
        DeductionObjection {
            text: "已补交".into(),
            at: Utc::now(),
            answer: answer.map(|upheld| ObjectionAnswer {
                upheld,
                reply: "经核实".into(),
                by: MemberId::new(),
                at: Utc::now(),
            }),
        }
    }

    #[test]
    fn only_an_upheld_objection_takes_a_deduction_out() {
        assert!(deduction(None).stands());
        assert!(deduction(Some(objection(None))).stands());
        assert!(deduction(Some(objection(Some(false)))).stands());
        assert!(!deduction(Some(objection(Some(true)))).stands());
    }

    #[test]
    fn reasons_are_one_line_and_objections_may_have_several() {
        assert_eq!(
            Deduction::validate_reason(" 无故缺席 ").ok().as_deref(),
            Some("无故缺席")
        );
        for bad in ["", "  ", "缺\n席", &"长".repeat(201)] {
            assert!(Deduction::validate_reason(bad).is_err(), "{bad:?}");
        }
        assert!(Deduction::validate_objection_text("当天请过假\n有记录", "/text").is_ok());
        let Err(e) = Deduction::validate_objection_text(&"长".repeat(501), "/reply") else {
            panic!("too long passed")
        };
        assert_eq!(
            (e.pointer.as_str(), e.code),
            ("/reply", ErrorCode::PioneerObjectionTextInvalid)
        );
    }
}
