//! The two shapes a service takes. A read service takes a [`ReadContext`]: the
//! repositories, the clock and the caller. A write service takes a [`WriteContext`]: where
//! to write (a unit of work to begin, or the pool for one idempotent statement), the clock,
//! the caller, the request that asked (for the audit trail), and the shared cache whose
//! entries its changes make stale.

use crate::audit::{AuditAction, AuditEntry, AuditId, NewAuditEntry};
use crate::cache::Cache;
use crate::clock::Clock;
use crate::error::RepoError;
use crate::org::{Actor, OrgId, OrgPath};
use crate::push::PushTemplates;
use crate::uow::{Repositories, Transactional, UnitOfWork};

/// What a read service needs.
#[derive(Clone, Copy)]
pub struct ReadContext<'a> {
    pub repos: &'a dyn Repositories,
    pub clock: &'a dyn Clock,
    pub actor: &'a Actor,
    /// The shared cache, for reads it keeps (the feed).
    pub cache: &'a dyn Cache,
}

/// What a write service needs.
pub struct WriteContext<'a> {
    /// Begins the unit of work a write commits or rolls back as a whole.
    pub tx: &'a dyn Transactional,
    /// The pool's repositories: reads before a write, and a write of one idempotent
    /// statement that needs no unit of work.
    pub repos: &'a dyn Repositories,
    pub clock: &'a dyn Clock,
    pub actor: &'a Actor,
    pub request_id: Option<String>,
    /// Which kinds of message are pushed (the templates configured).
    pub push: &'a PushTemplates,
    /// The shared cache: services invalidate what they change (the feed) after commit.
    pub cache: &'a dyn Cache,
}

impl<'a> WriteContext<'a> {
    /// The same caller and clock reading through `repos` (the pool's, or a unit of work's
    /// so a write reads what it is about to change in its own transaction).
    pub fn reading<'b>(&self, repos: &'b dyn Repositories) -> ReadContext<'b>
    where
        'a: 'b,
    {
        ReadContext {
            repos,
            clock: self.clock,
            actor: self.actor,
            cache: self.cache,
        }
    }

    /// An audit entry for a change by this context's actor, stamped `now`.
    pub fn audit(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        action: &'static str,
        object_type: &'static str,
        object_id: String,
        org: Option<(OrgId, &OrgPath)>,
    ) -> AuditEntry {
        AuditEntry::record(
            AuditId::at(now),
            NewAuditEntry {
                actor: Some(self.actor.member_id.as_uuid()),
                action: AuditAction::known(action),
                object_type: object_type.to_owned(),
                object_id,
                org_id: org.map(|(id, _)| id.as_uuid()),
                org_path: org.map(|(_, path)| path.as_str().to_owned()),
                request_id: self.request_id.clone(),
            },
            now,
        )
    }

    /// Ends a write: records the audit entry of `action` on the object, in the same unit of
    /// work, and commits it.
    pub async fn commit_audited(
        &self,
        uow: Box<dyn UnitOfWork>,
        now: chrono::DateTime<chrono::Utc>,
        action: &'static str,
        object_type: &'static str,
        object_id: String,
        org: Option<(OrgId, &OrgPath)>,
    ) -> Result<(), RepoError> {
        let entry = self.audit(now, action, object_type, object_id, org);
        uow.audit().append(&entry).await?;
        uow.commit().await
    }
}
