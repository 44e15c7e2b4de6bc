//! 96345 volunteer services (四(三)3): professional teams (`team`) and the hours ledger
//! (`hours`).

pub mod hours;
pub mod team;
