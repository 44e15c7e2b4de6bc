//! The pioneer index's storage: rule sets (as JSON, one row per version), the
//! half-yearly computations and their results.

mod index;
mod rules;
