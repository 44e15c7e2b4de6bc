//! Request and response shapes of pioneer-index claims.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::mirror::mirror_enum;
use crate::http::time::beijing;
use domain::pioneer::{self as pi, Claim, ClaimDecision};

mirror_enum!(
    /// `pending` until its one decision: `approved` or `rejected`.
    PioneerClaimStatus => pi::ClaimStatus { Pending, Approved, Rejected }
);

/// Approve the claim, or reject it with a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PioneerClaimVerdict {
    Approve,
    Reject,
}

/// An https link to evidence (a photo, a certificate, a news item).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = String, min_length = 9, max_length = 500, pattern = "https-url", example = "https://img.example.cn/pledge.jpg")]
pub struct EvidenceLink(pub String);

/// Who decided, when and why.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PioneerDecisionView {
    pub decided_by: Uuid,
    pub decided_at: DateTime<FixedOffset>,
    /// Given with every rejection; an approval may carry one.
    pub reason: Option<String>,
}

impl From<&ClaimDecision> for PioneerDecisionView {
    fn from(d: &ClaimDecision) -> Self {
        Self {
            decided_by: d.by.as_uuid(),
            decided_at: beijing(d.at),
            reason: d.reason.clone(),
        }
    }
}

/// A member's claim of a positive item (加分项) for a half year.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PioneerClaimView {
    pub id: Uuid,
    pub committee_id: Uuid,
    pub member_id: Uuid,
    /// The member's branch when they filed it: its secretary or reviewing committee
    /// members decide.
    pub branch_id: Uuid,
    #[schema(example = "2026-H2")]
    pub half: String,
    #[schema(example = "pledge")]
    pub item_code: String,
    #[schema(example = "带头承诺为村里修路，已完成")]
    pub description: String,
    pub evidence: Vec<String>,
    pub status: PioneerClaimStatus,
    pub decision: Option<PioneerDecisionView>,
    pub created_at: DateTime<FixedOffset>,
}

impl From<&Claim> for PioneerClaimView {
    fn from(c: &Claim) -> Self {
        Self {
            id: c.id.as_uuid(),
            committee_id: c.committee_id.as_uuid(),
            member_id: c.member_id.as_uuid(),
            branch_id: c.branch_id.as_uuid(),
            half: c.half.to_string(),
            item_code: c.item_code.clone(),
            description: c.description.clone(),
            evidence: c.evidence.clone(),
            status: c.status.into(),
            decision: c.decision.as_ref().map(Into::into),
            created_at: beijing(c.created_at),
        }
    }
}
