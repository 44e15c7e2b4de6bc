//! Theme day and 三会一课: activities, check-ins, reviews, exemptions, attendance and the
//! compliance report.

pub mod attendance;
pub mod check_in;
pub mod dto;
pub mod exemptions;
pub mod holidays;
pub mod manage;
pub mod reports;
pub mod review;
