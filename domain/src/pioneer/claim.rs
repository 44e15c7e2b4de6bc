//! Claims of positive items (加分项申报): a member says what they did — 带头承诺践诺,
//! 志愿服务, 突击队 duty, 先进事迹 — with evidence links, for a half year; their branch
//! approves or rejects it once. An approved claim scores the item's points in that half
//! year, up to the item's cap.

use chrono::{DateTime, Utc};

use super::rules::PositiveItem;
use crate::error::{ErrorCode, FieldError};
use crate::org::{MemberId, OrgId, OrgPath};
use crate::string_enum::string_enum;
use crate::text::{clean_multiline, is_https_link};
use crate::volunteer::HalfYear;

crate::define_id!(
    /// Identifies one claim.
    ClaimId
);

string_enum!(
    /// Where a claim stands: pending until its one decision.
    ClaimStatus {
        Pending => "pending",
        Approved => "approved",
        Rejected => "rejected",
    }
);

/// A claim was decided already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlreadyDecided;

impl ClaimStatus {
    /// A pending claim is approved or rejected, once.
    pub fn decide(self, approve: bool) -> Result<ClaimStatus, AlreadyDecided> {
        match (self, approve) {
            (ClaimStatus::Pending, true) => Ok(ClaimStatus::Approved),
            (ClaimStatus::Pending, false) => Ok(ClaimStatus::Rejected),
            _ => Err(AlreadyDecided),
        }
    }
}

/// Who decided a claim, when, and why (a reason is required to reject).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimDecision {
    pub by: MemberId,
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
}

/// One claim as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub id: ClaimId,
    /// The township whose index it counts for.
    pub committee_id: OrgId,
    pub member_id: MemberId,
    /// The member's branch when they filed it: who decides it.
    pub branch_id: OrgId,
    pub branch_path: OrgPath,
    pub half: HalfYear,
    /// A positive item of the member's profile.
    pub item_code: String,
    pub description: String,
    /// 0-5 https links.
    pub evidence: Vec<String>,
    pub status: ClaimStatus,
    pub decision: Option<ClaimDecision>,
    pub created_at: DateTime<Utc>,
}

/// What a member sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewClaim {
    /// Default: the current half year (Beijing).
    pub half: Option<HalfYear>,
    pub item_code: String,
    pub description: String,
    pub evidence: Vec<String>,
}

impl Claim {
    pub const MAX_DESCRIPTION_CHARS: usize = 500;
    pub const MAX_EVIDENCE: usize = 5;
    pub const MAX_LINK_CHARS: usize = 500;
    pub const MAX_REASON_CHARS: usize = 200;

    /// Checks what a member writes, every problem at once: a description of 1-500
    /// characters (line breaks allowed), at most 5 evidence links, each an https link of
    /// at most 500 characters. Answers the cleaned description and the links.
    pub fn validate_content(
        description: &str,
        evidence: &[String],
    ) -> Result<(String, Vec<String>), Vec<FieldError>> {
        let mut errors = Vec::new();
        let description = clean_multiline(
            description,
            Self::MAX_DESCRIPTION_CHARS,
            "/description",
            ErrorCode::PioneerClaimTextInvalid,
        )
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
        if evidence.len() > Self::MAX_EVIDENCE {
            errors.push(FieldError::new(
                "/evidence",
                ErrorCode::PioneerEvidenceInvalid,
                format!("at most {} evidence links", Self::MAX_EVIDENCE),
            ));
        }
        for (i, link) in evidence.iter().enumerate() {
            if !is_https_link(link, Self::MAX_LINK_CHARS) {
                errors.push(FieldError::new(
                    format!("/evidence/{i}"),
                    ErrorCode::PioneerEvidenceInvalid,
                    "evidence is an https link of at most 500 characters",
                ));
            }
        }
        if errors.is_empty() {
            Ok((description, evidence.to_vec()))
        } else {
            Err(errors)
        }
    }
}

/// Whether approving one more claim of `item` keeps the member within its cap for the half
/// year, `approved` claims of it being approved already.
pub fn within_cap(item: &PositiveItem, approved: u32) -> bool {
    (u64::from(approved) + 1) * u64::from(item.points) <= u64::from(item.cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pledge() -> PositiveItem {
        PositiveItem {
            code: "pledge".into(),
            name: "带头承诺践诺".into(),
            points: 5,
            cap: 10,
        }
    }

    #[test]
    fn a_pending_claim_is_decided_once() {
        assert_eq!(ClaimStatus::Pending.decide(true), Ok(ClaimStatus::Approved));
        assert_eq!(
            ClaimStatus::Pending.decide(false),
            Ok(ClaimStatus::Rejected)
        );
        for decided in [ClaimStatus::Approved, ClaimStatus::Rejected] {
            for approve in [true, false] {
                assert_eq!(decided.decide(approve), Err(AlreadyDecided));
            }
        }
    }

    #[test]
    fn the_cap_counts_the_claim_being_approved() {
        let item = pledge();
        assert!(within_cap(&item, 0));
        assert!(within_cap(&item, 1));
        assert!(!within_cap(&item, 2), "a third pledge would make 15 of 10");
        let whole = PositiveItem {
            cap: 12,
            ..pledge()
        };
        assert!(!within_cap(&whole, 2), "no part of an item is scored");
    }

    #[test]
    fn the_description_is_cleaned_and_lines_are_kept() {
        let Ok((d, links)) = Claim::validate_content(
            "  带头承诺：\n为村里修路 ",
            &["https://img.example.cn/a.jpg".to_owned()],
        ) else {
            panic!("a good claim was refused")
        };
        assert_eq!(d, "带头承诺：\n为村里修路");
        assert_eq!(links.len(), 1);
    }

    #[test]
    fn every_bad_field_is_named_by_its_pointer() {
        let links: Vec<String> = [
            "https://a.cn/1",
            "http://a.cn/2",
            "https://a.cn/ 3",
            "https://",
            "https://a.cn/5",
            "https://a.cn/6",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        let Err(e) = Claim::validate_content(&"长".repeat(501), &links) else {
            panic!("a bad claim passed")
        };
        let got: Vec<_> = e.iter().map(|f| (f.pointer.as_str(), f.code)).collect();
        assert_eq!(
            got,
            [
                ("/description", ErrorCode::PioneerClaimTextInvalid),
                ("/evidence", ErrorCode::PioneerEvidenceInvalid),
                ("/evidence/1", ErrorCode::PioneerEvidenceInvalid),
                ("/evidence/2", ErrorCode::PioneerEvidenceInvalid),
                ("/evidence/3", ErrorCode::PioneerEvidenceInvalid),
            ]
        );
        assert!(Claim::validate_content(" \n ", &[]).is_err());
        assert!(Claim::validate_content(&"长".repeat(500), &[]).is_ok());
    }

    #[test]
    fn statuses_round_trip() {
        for s in ClaimStatus::ALL {
            assert_eq!(ClaimStatus::parse(s.as_str()), Some(*s));
        }
    }
}
