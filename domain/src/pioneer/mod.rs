//! 先锋指数 (source document 四(五)3): every half year each member of a township's pool gets
//! an index from what the service recorded of them — study, attendance, volunteer hours, the
//! appraisal grade — plus approved claims and recorded deductions, by the rule set the
//! township keeps; at least 5‰ of the pool, the lowest, are rated warning-level (警示型) and
//! moved to the help branch (教育帮扶支部). Beside it, by the same rule set, each branch gets
//! a fortress index (堡垒指数) from what the service recorded of the branch.

pub mod claim;
pub mod claim_ports;
pub mod compute;
pub mod deduction;
pub mod fortress;
pub mod fortress_records;
pub mod help;
pub mod ports;
pub mod records;
pub mod rules;
pub mod run;
pub mod score;
pub mod service;
pub mod warning;
pub mod window;

pub use claim::{Claim, ClaimDecision, ClaimId, ClaimStatus, NewClaim};
pub use claim_ports::{ClaimFilter, DeductionFilter, PioneerClaimRepo, Whose};
pub use deduction::{Deduction, DeductionId, DeductionKind, DeductionObjection, ObjectionAnswer};
pub use fortress::{score_fortress, BranchFortress, FortressFigures, FortressLine, FortressScore};
pub use help::{HelpBranch, HelpTransfer, HelpTransferId, PioneerHelpRepo};
pub use ports::{PioneerIndexRepo, PioneerRuleRepo, RuleSet, RuleSetId};
pub use rules::{
    BasicItem, BasicMetric, Centi, Exclusion, FortressItem, FortressMetric, NegativeItem,
    Placement, PositiveItem, Profile, Rules, ZeroingItem,
};
pub use run::{IndexResult, IndexRun, IndexRunId, ResultObjection, ResultOutcome, RunStatus};
pub use score::{score, Line, LineKind, Records, Scored, Share};
pub use warning::{check_confirmation, propose, quota, ConfirmRefusal, Proposal};
