//! Study materials: publishing (S, T), the member's feed (served from the shared cache),
//! reading one material, study progress and the study report; study plans in [`plan`].

pub mod dto;
pub mod get;
pub mod list;
pub mod plan;
pub mod progress;
pub mod publish;
pub mod report;
pub mod sanitize;
pub mod unpublish;
pub mod update;
