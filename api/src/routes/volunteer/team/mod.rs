//! Professional teams (专业队伍): forming and changing them, joining, deciding, leaving.

pub mod create;
pub mod decide;
pub mod dto;
pub mod get;
pub mod join;
pub mod list;
pub mod remove;
pub mod update;
