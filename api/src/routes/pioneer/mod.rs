//! 先锋指数: the township's rule sets, members' claims of positive items and the
//! deductions recorded against them (and, as they land, the half-yearly index and the
//! warning level).

pub mod claim;
pub mod deduction;
pub mod dto;
pub mod help;
pub mod index;
pub mod objections;
pub mod rules;
