//! Exemptions (请假): a member applies, the branch decides.

pub mod apply;
pub mod decide;
pub mod list;
