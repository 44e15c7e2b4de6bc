//! Study materials: publishing (S, T), the member's feed (served from the shared cache),
//! and reading one material; study plans in [`plan`].

pub mod dto;
pub mod feed;
pub mod manage;
pub mod plan;
pub mod progress;
pub mod report;
pub mod sanitize;
