//! A township's deadlines for 96345 requests, per kind and urgency: read by its
//! dispatchers, set by its admins.

pub mod dto;
pub mod get;
pub mod put;
