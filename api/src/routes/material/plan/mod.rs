//! Study plans (三(一)2): branch yearly plans, leading cadres' personal plans, and the
//! member's tasks of a month with their progress.

pub mod dto;
pub mod get_branch;
pub mod get_mine;
pub mod list_branch;
pub mod my_tasks;
pub mod put_branch;
pub mod put_mine;
