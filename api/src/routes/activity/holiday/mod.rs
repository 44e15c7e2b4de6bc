//! Holiday calendars per committee and year: public holidays and adjusted working days.

pub mod dto;
pub mod get;
pub mod put;
