//! Volunteer use cases: service requests (`requests`) and each township's deadlines for them
//! (`deadline_settings`), professional teams (`teams`) and the hours ledger (`hours`).
//! Requests are filed and followed by residents as well as members, so the request services
//! take a [`RequestContext`]: the house's write context with the caller as [`Who`] (a
//! member's [`Actor`] or a resident) instead of an actor alone. Teams, hours and deadlines
//! are members' business and take the house's contexts.

mod deadline_settings;
mod deadlines;
mod hours;
mod requests;
mod retention;
mod teams;

pub use deadline_settings::*;
pub use deadlines::*;
pub use hours::*;
pub use requests::*;
pub use retention::*;
pub use teams::*;

use chrono::{DateTime, Utc};

use super::moderation::ContentCheck;
use super::resident::Resident;
use crate::audit::{AuditAction, AuditEntry, AuditId, NewAuditEntry};
use crate::clock::Clock;
use crate::error::{DomainError, RepoError};
use crate::org::{Actor, OrgId, OrgPath};
use crate::push::PushTemplates;
use crate::uow::{Repositories, Transactional, UnitOfWork};

/// Who is acting.
#[derive(Debug, Clone, Copy)]
pub enum Who<'a> {
    Member(&'a Actor),
    Resident(&'a Resident),
}

impl<'a> Who<'a> {
    /// The member acting, or 403 for a resident (their only powers are their own requests).
    pub fn member(&self) -> Result<&'a Actor, DomainError> {
        match self {
            Who::Member(a) => Ok(a),
            Who::Resident(_) => Err(DomainError::Forbidden),
        }
    }
}

/// What a request service needs: where to write, the clock, the caller, the request that
/// asked, the push templates and the content check for residents' text.
pub struct RequestContext<'a> {
    pub tx: &'a dyn Transactional,
    pub repos: &'a dyn Repositories,
    pub clock: &'a dyn Clock,
    pub who: Who<'a>,
    pub request_id: Option<String>,
    pub push: &'a PushTemplates,
    pub content: &'a dyn ContentCheck,
}

impl RequestContext<'_> {
    /// Ends a write: the audit entry of `action` on the request (its actor the member, or
    /// none for a resident: the request names its filer), then commit.
    pub async fn commit_audited(
        &self,
        uow: Box<dyn UnitOfWork>,
        now: DateTime<Utc>,
        action: &'static str,
        object_id: String,
        org: Option<(OrgId, &OrgPath)>,
    ) -> Result<(), RepoError> {
        let actor = match self.who {
            Who::Member(a) => Some(a.member_id.as_uuid()),
            Who::Resident(_) => None,
        };
        let entry = AuditEntry::record(
            AuditId::at(now),
            NewAuditEntry {
                actor,
                action: AuditAction::known(action),
                object_type: "service_request".to_owned(),
                object_id,
                org_id: org.map(|(id, _)| id.as_uuid()),
                org_path: org.map(|(_, p)| p.as_str().to_owned()),
                request_id: self.request_id.clone(),
            },
            now,
        );
        uow.audit().append(&entry).await?;
        uow.commit().await
    }
}
