//! 先锋指数: the township's rule sets, members' claims of positive items and the
//! deductions recorded against them, the half-yearly index and the warning level, and the
//! branches' fortress index (堡垒指数) computed with it.

pub mod claim;
pub mod deduction;
pub mod dto;
pub mod fortress;
pub mod help;
pub mod index;
pub mod objections;
pub mod rules;
