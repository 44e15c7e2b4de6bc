//! The organisation's rating, the published results, objections and appeals.

pub mod answer_appeal;
pub mod answer_objection;
pub mod export;
pub mod list;
pub mod lodge_appeal;
pub mod lodge_objection;
pub mod mine;
pub mod published;
pub mod rate;
