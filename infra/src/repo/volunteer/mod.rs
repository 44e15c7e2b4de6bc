//! The 96345 volunteer context's storage: requests (`requests`) and each township's
//! deadlines for them (`deadlines`), residents (`residents`), professional teams (`teams`)
//! and the hours ledger (`hours`).

mod deadlines;
mod hours;
mod report;
mod requests;
mod residents;
mod retention;
mod teams;

use domain::error::RepoError;
use domain::org::OrgPath;

fn corrupt(what: &str, detail: impl std::fmt::Display) -> RepoError {
    RepoError::Other(format!("stored {what} is invalid: {detail}").into())
}

fn path(raw: &str) -> Result<OrgPath, RepoError> {
    OrgPath::parse(raw).ok_or_else(|| corrupt("org path", raw))
}
