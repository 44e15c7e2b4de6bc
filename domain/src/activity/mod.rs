//! Theme day and 三会一课: activities, their schedule, check-ins, reviews and exemptions
//! (domain.md, "Theme day and 三会一课"; source document 四(五)1-2).

pub mod calendar;
pub mod geo;
pub mod model;
pub mod notice;
mod ports;
pub mod qr;
pub mod report;
pub mod schedule;
pub mod service;

pub use model::*;
pub use ports::{
    ActivityRepo, CheckInRepo, CheckInWrite, CheckInWriter, ExemptionRepo, HolidayRepo,
    PendingCounts,
};
