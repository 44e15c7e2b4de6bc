//! Study plans (三(一)2): branch yearly plans, leading cadres' personal plans, and the
//! member's tasks of a month with their progress.

pub mod branch;
pub mod dto;
pub mod me;
