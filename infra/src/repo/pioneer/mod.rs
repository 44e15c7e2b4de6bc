//! The pioneer index's storage: rule sets (as JSON, one row per version), the
//! half-yearly computations and their results.

mod help;
mod index;
mod rules;
