use async_trait::async_trait;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::{prefix_range, Repos};
use crate::entity::audit_log;
use crate::error::map_db_err;
use domain::audit::{AuditAction, AuditEntry, AuditId, AuditRepo};
use domain::error::RepoError;
use domain::page::{CursorKey, Page, PageRequest};

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> AuditRepo for Repos<C> {
    async fn append(&self, entry: &AuditEntry) -> Result<(), RepoError> {
        let row = audit_log::ActiveModel {
            id: Set(entry.id.as_uuid()),
            actor_id: Set(entry.actor),
            action: Set(entry.action.as_str().to_owned()),
            object_type: Set(entry.object_type.clone()),
            object_id: Set(entry.object_id.clone()),
            org_id: Set(entry.org_id),
            org_path: Set(entry.org_path.clone()),
            occurred_at: Set(entry.occurred_at),
            request_id: Set(entry.request_id.clone()),
        };
        audit_log::Entity::insert(row)
            .exec_without_returning(&self.conn)
            .await
            .map(|_| ())
            .map_err(map_db_err)
    }

    async fn list(
        &self,
        org_path_prefix: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<AuditEntry>, RepoError> {
        let mut query = audit_log::Entity::find();
        if let Some(prefix) = org_path_prefix {
            let (lo, hi) = prefix_range(prefix);
            query = query.filter(audit_log::Column::OrgPath.gte(lo));
            if let Some(hi) = hi {
                query = query.filter(audit_log::Column::OrgPath.lt(hi));
            }
        }
        if let Some(after) = page.after() {
            let after = Uuid::parse_str(after.as_str()).map_err(|_| RepoError::InvalidCursor)?;
            query = query.filter(audit_log::Column::Id.lt(after));
        }
        let rows = query
            .order_by_desc(audit_log::Column::Id)
            .limit(u64::from(page.limit()) + 1)
            .all(&self.conn)
            .await
            .map_err(map_db_err)?;
        let entries = rows
            .into_iter()
            .map(to_domain)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_overfetch(entries, page.limit(), |e| {
            CursorKey::new(e.id.to_string())
        }))
    }
}

fn to_domain(row: audit_log::Model) -> Result<AuditEntry, RepoError> {
    let action = AuditAction::parse(&row.action).map_err(|e| {
        RepoError::Other(format!("stored audit action is invalid: {}", e.detail).into())
    })?;
    Ok(AuditEntry {
        id: AuditId::from_uuid(row.id),
        actor: row.actor_id,
        action,
        object_type: row.object_type,
        object_id: row.object_id,
        org_id: row.org_id,
        org_path: row.org_path,
        occurred_at: row.occurred_at,
        request_id: row.request_id,
    })
}
