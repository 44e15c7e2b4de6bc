//! The pioneer index's use cases.

mod claims;
mod deductions;
mod placement;
mod rules;

pub use claims::{
    decide_claim, decide_claims, file_claim, get_claim, list_claims, ClaimVerdict,
    MAX_BATCH_DECISION,
};
pub use deductions::{
    answer_objection, list_deductions, object_to_deduction, record_deduction, AnswerInput,
    NewDeduction,
};
pub use rules::{get_rules, put_rules, RulesInForce};
