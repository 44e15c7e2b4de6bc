//! 96345 volunteer service: residents' requests, their dispatch and service.

pub mod request;
