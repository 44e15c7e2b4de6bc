//! Study plans (三(一)2): a branch's yearly plan of quarterly arrangements and monthly tasks
//! pointing to materials, and leading cadres' personal yearly plans of monthly items; a
//! member's tasks for a month with their progress.

pub(crate) mod model;
mod service;

pub use model::*;
pub use service::*;
