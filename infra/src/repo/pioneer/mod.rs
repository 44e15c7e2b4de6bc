//! The pioneer index's storage: rule sets (as JSON, one row per version), claims and
//! deductions.

mod claims;
mod rules;
