//! The pioneer index's storage: rule sets (as JSON, one row per version).

mod rules;
