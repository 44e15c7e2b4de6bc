//! Theme day and 三会一课: activities, check-ins and check-outs, reviews, exemptions,
//! holiday calendars, attendance and the compliance report.

pub mod attendance;
pub mod check_in;
pub mod check_out;
pub mod compliance;
pub mod create;
pub mod dto;
pub mod exemption;
pub mod get;
pub mod holiday;
pub mod list;
pub mod plan;
pub mod qr_token;
pub mod review;
pub mod update;
