//! Study materials (学习资料, 月送党课), their audiences and members' study records
//! (domain.md, "Study materials"; source document 三(一), 四(五)1, 四(六)3).

pub mod feed;
pub mod model;
pub mod notice;
pub mod plan;
mod ports;
pub mod report;
pub mod service;

pub use model::*;
pub use ports::{FeedQuery, MaterialRepo, StudyPlanRepo, StudyRecordRepo};
