//! 96345 volunteer services (四(三)3): residents' requests, their dispatch and service
//! (`request`), each township's deadlines for them (`deadline`), professional teams
//! (`team`), the hours ledger (`hours`) and the monthly report (`report`).

pub mod deadline;
pub mod hours;
pub mod report;
pub mod request;
pub mod team;
