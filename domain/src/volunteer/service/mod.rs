//! Volunteer-service use cases: professional teams (`teams`) and the hours ledger
//! (`hours`).

mod hours;
mod teams;

pub use hours::*;
pub use teams::*;
