//! The pioneer index's use cases.

mod rules;

pub use rules::{get_rules, put_rules, RulesInForce};
