//! 96345 volunteer services (四(三)3): residents' requests, their dispatch and service
//! (`request`), professional teams (`team`) and the hours ledger (`hours`).

pub mod hours;
pub mod request;
pub mod team;
