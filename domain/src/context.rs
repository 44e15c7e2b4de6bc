//! What every write service needs: where to write, what time it is, who is acting and
//! which request asked, and the shared cache whose entries its changes make stale.

use crate::audit::{AuditAction, AuditEntry, AuditId, NewAuditEntry};
use crate::cache::Cache;
use crate::clock::Clock;
use crate::error::RepoError;
use crate::org::{Actor, OrgId, OrgPath};
use crate::push::PushTemplates;
use crate::uow::{Transactional, UnitOfWork};

pub struct ServiceContext<'a> {
    pub tx: &'a dyn Transactional,
    pub clock: &'a dyn Clock,
    pub actor: &'a Actor,
    pub request_id: Option<String>,
    /// Which kinds of message are pushed (the templates configured).
    pub push: &'a PushTemplates,
    /// The shared cache: services invalidate what they change (the feed) after commit.
    pub cache: &'a dyn Cache,
}

impl ServiceContext<'_> {
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
