//! Activity services, one file per seam the routes use (as api/src/routes/activity/ does):
//! scheduling and changing activities (`manage`), checking in (`check_in`), checking out of
//! a service activity into the volunteer-hours ledger (`check_out`), reviewing
//! check-ins (`review`), applying for and deciding exemptions (`exemptions`) and the
//! committee's holiday calendar (`holidays`), and what the push worker writes on its round
//! (`notices`: activity reminders, obligation notices). Writes authorise with the policy, validate, and store the change with its
//! audit entry in one unit of work; the check-in itself is one idempotent insert.

mod check_in;
mod check_out;
mod exemptions;
#[cfg(test)]
mod fixtures;
mod holidays;
mod manage;
pub mod notices;
mod review;

use crate::error::ErrorCode;
use chrono::{DateTime, Utc};

use crate::error::DomainError;
use crate::org::OrgPath;
use crate::text::clean_text;

pub use check_in::{check_in, CheckInOutcome, CheckInProof};
pub use check_out::{check_out, judge_check_out, CheckedOut, CHECK_OUT_GRACE_HOURS};
pub use exemptions::{apply_exemption, list_exemptions, review_exemption, NewExemption};
pub use holidays::{get_holidays, put_holidays};
pub use manage::{
    create_activity, get_activity, list_activities, qr_token, update_activity, ActivityChanges,
    NewActivity, MAX_LISTED_ACTIVITIES,
};
pub use review::{list_check_ins, review_check_in, review_check_ins, Decision, MAX_BATCH_REVIEW};

/// Refuses instants outside the years the calendar knows (2000-2100), before any
/// arithmetic on them can overflow.
pub fn check_instant(
    t: Option<DateTime<Utc>>,
    pointer: &str,
    code: ErrorCode,
) -> Result<(), DomainError> {
    crate::clock::check_instant(t, pointer, code).map_err(|e| DomainError::Validation(vec![e]))
}

fn optional_text(
    raw: Option<String>,
    max: usize,
    pointer: &str,
    code: ErrorCode,
) -> Result<Option<String>, DomainError> {
    raw.map(|t| clean_text(&t, max, pointer, code))
        .transpose()
        .map_err(|e| DomainError::Validation(vec![e]))
}

/// The branch id at the end of a branch path.
fn activity_branch(path: &OrgPath) -> Result<crate::org::OrgId, DomainError> {
    path.last_id()
        .ok_or_else(|| DomainError::Repo(crate::error::RepoError::Other("empty org path".into())))
}
