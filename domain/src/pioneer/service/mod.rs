//! The pioneer index's use cases.

mod claims;
mod deductions;
mod export;
mod help;
mod index;
mod objections;
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
pub use export::{export_results, ExportRow, ResultExport};
pub use help::{
    get_help_branch, list_help_transfers, move_to_help_branch, return_from_help_branch,
    set_help_branch,
};
pub use index::{
    compute_one, compute_pending, confirm_index, fortress_index, get_run, in_publication,
    list_results, my_result, request_index, WorkerPass, PUBLICATION_DAYS,
};
pub use objections::{answer_result_objection, list_objections, my_objection, object};
pub use rules::{get_rules, put_rules, RulesInForce};
