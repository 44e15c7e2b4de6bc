//! Review on the phone: the reviewer's inbox, an activity's check-ins, one-by-one and batch
//! decisions.

pub mod decide;
pub mod decide_batch;
pub mod inbox;
pub mod list;
