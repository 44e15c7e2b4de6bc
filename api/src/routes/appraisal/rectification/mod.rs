//! The rectification list (整改清单).

pub mod add;
pub mod list;
pub mod mark;
pub mod mine;
pub mod summary;
