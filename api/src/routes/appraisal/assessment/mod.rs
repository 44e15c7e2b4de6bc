//! Self-assessments: the caller's own, and the secretary's overview.

pub mod member;
pub mod mine;
pub mod progress;
pub mod remind;
pub mod reopen;
pub mod save;
pub mod submit;
