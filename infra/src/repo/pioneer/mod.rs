//! The pioneer index's storage: rule sets (as JSON, one row per version), claims and
//! deductions, the half-yearly computations and their results, the help branch.

mod claims;
mod help;
mod index;
mod rules;
