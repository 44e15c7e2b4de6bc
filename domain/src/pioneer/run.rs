//! One half year's computation of a township's index: its standing (queued, running,
//! computed, confirmed), its progress, and a stored result per member of the pool.

use chrono::{DateTime, Utc};

use super::rules::Centi;
use super::score::Line;
use crate::org::{MemberCategory, MemberId, OrgId, OrgPath, OrgSector};
use crate::string_enum::string_enum;
use crate::volunteer::HalfYear;

crate::define_id!(
    /// Identifies one township's computation of one half year.
    IndexRunId
);

string_enum!(
    /// Asked for and waiting for a worker; being computed; computed (may be computed again
    /// until confirmed); confirmed by the township (final).
    RunStatus {
        Queued => "queued",
        Running => "running",
        Computed => "computed",
        Confirmed => "confirmed",
    }
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexRun {
    pub id: IndexRunId,
    pub committee_id: OrgId,
    pub committee_path: OrgPath,
    pub half: HalfYear,
    pub status: RunStatus,
    /// The rule-set version it was computed under (`None`: the standard rules).
    pub rules_version: Option<u32>,
    /// Members scored (the denominator).
    pub pool: u32,
    /// Members left out by the rules.
    pub excluded: u32,
    pub quota: u32,
    /// Members of the pool read so far, of `progress_total`.
    pub progress_done: u32,
    pub progress_total: u32,
    pub requested_by: MemberId,
    pub requested_at: DateTime<Utc>,
    pub computed_at: Option<DateTime<Utc>>,
    pub confirmed_by: Option<MemberId>,
    pub confirmed_at: Option<DateTime<Utc>>,
    /// The end of the publication window (objections until then).
    pub publish_until: Option<DateTime<Utc>>,
}

/// How a member of the pool came out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResultOutcome {
    Scored {
        profile: String,
        total: Centi,
        zeroed_by: Option<String>,
        lines: Vec<Line>,
    },
    Excluded {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexResult {
    pub run_id: IndexRunId,
    pub member_id: MemberId,
    pub member_name: String,
    pub branch_id: OrgId,
    pub branch_path: OrgPath,
    pub sector: OrgSector,
    pub category: MemberCategory,
    pub outcome: ResultOutcome,
    /// Proposed as warning-level (the lowest ⌈5‰⌉ and ties at the boundary).
    pub proposed: bool,
    /// Tied at the boundary past the quota: for the township to decide.
    pub tied: bool,
    /// Confirmed warning-level (警示型).
    pub warning: bool,
}

impl IndexResult {
    pub fn total(&self) -> Option<Centi> {
        match &self.outcome {
            ResultOutcome::Scored { total, .. } => Some(*total),
            ResultOutcome::Excluded { .. } => None,
        }
    }
}

/// A member's one objection to their published result, and the township's one answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultObjection {
    pub run_id: IndexRunId,
    pub member_id: MemberId,
    pub text: String,
    pub at: DateTime<Utc>,
    pub answer: Option<ObjectionAnswer>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectionAnswer {
    /// Upheld: a warning-level rating is withdrawn (never below the quota).
    pub upheld: bool,
    pub reply: String,
    pub by: MemberId,
    pub at: DateTime<Utc>,
}

impl ResultObjection {
    pub const MAX_TEXT_CHARS: usize = 500;
}
