use super::model::AuditEntry;
use crate::context::ReadContext;
use crate::error::DomainError;
use crate::org::policy::{self, Action};
use crate::org::OrgId;
use crate::page::{Page, PageRequest};

/// The audit log under an org (township admins only), newest first. Without an org, the
/// subtree of the caller's first township-admin role.
pub async fn list_audit(
    ctx: &ReadContext<'_>,
    org: Option<OrgId>,
    page: &PageRequest,
) -> Result<Page<AuditEntry>, DomainError> {
    let (orgs, audit, actor) = (ctx.repos.orgs(), ctx.repos.audit(), ctx.actor);
    let path = match org {
        Some(id) => {
            policy::load_in_scope(actor, Action::ReadAudit, orgs.get(id), |o| &o.path)
                .await?
                .path
        }
        None => policy::scopes(actor, Action::ReadAudit)
            .into_iter()
            .next()
            .ok_or(DomainError::Forbidden)?,
    };
    Ok(audit.list(Some(path.as_str()), page).await?)
}
