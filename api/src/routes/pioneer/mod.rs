//! 先锋指数: the township's rule sets (and, as they land, claims, the half-yearly index and
//! the warning level).

pub mod dto;
pub mod help;
pub mod index;
pub mod objections;
pub mod rules;
