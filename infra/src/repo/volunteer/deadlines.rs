//! Each township's deadlines: one row per committee, kind and urgency it set.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QuerySelect,
};
use uuid::Uuid;

use super::corrupt;
use crate::entity::{org, service_deadline};
use crate::error::map_db_err;
use crate::repo::{fetch_all, Repos};
use domain::error::RepoError;
use domain::org::OrgId;
use domain::volunteer::{Allowance, DeadlinePolicy, ServiceDeadlineRepo, ServiceKind, Urgency};

fn allowance_of(
    r: service_deadline::Model,
) -> Result<(ServiceKind, Urgency, Allowance), RepoError> {
    let days = |n: i32| u32::try_from(n).map_err(|_| corrupt("deadline days", n));
    Ok((
        ServiceKind::parse(&r.kind).ok_or_else(|| corrupt("service kind", &r.kind))?,
        Urgency::parse(&r.urgency).ok_or_else(|| corrupt("urgency", &r.urgency))?,
        Allowance {
            claim_days: days(r.claim_days)?,
            complete_days: days(r.complete_days)?,
        },
    ))
}

fn days(n: u32) -> Result<i32, RepoError> {
    i32::try_from(n).map_err(|_| RepoError::Other(format!("{n} days do not fit a column").into()))
}

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> ServiceDeadlineRepo for Repos<C> {
    async fn deadline_policy(&self, committee: OrgId) -> Result<DeadlinePolicy, RepoError> {
        let set = fetch_all(
            &self.conn,
            service_deadline::Entity::find()
                .filter(service_deadline::Column::CommitteeId.eq(committee.as_uuid())),
            allowance_of,
        )
        .await?;
        DeadlinePolicy::new(set).map_err(|e| corrupt("deadline policy", format!("{e:?}")))
    }

    async fn replace_deadline_policy(
        &self,
        committee: OrgId,
        policy: &DeadlinePolicy,
        at: DateTime<Utc>,
    ) -> Result<(), RepoError> {
        // Two replacements of one committee's policy take turns on its org row (FOR UPDATE
        // on PostgreSQL; SQLite's unit of work holds the write lock already). Without that,
        // under READ COMMITTED the second one's delete misses the first one's new rows and
        // its insert collides with them.
        if self.conn.get_database_backend() == DbBackend::Postgres {
            org::Entity::find_by_id(committee.as_uuid())
                .select_only()
                .column(org::Column::Id)
                .lock_exclusive()
                .into_tuple::<Uuid>()
                .one(&self.conn)
                .await
                .map_err(map_db_err)?;
        }
        service_deadline::Entity::delete_many()
            .filter(service_deadline::Column::CommitteeId.eq(committee.as_uuid()))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        let rows = policy
            .set()
            .map(|(kind, urgency, a)| {
                Ok(service_deadline::ActiveModel {
                    committee_id: Set(committee.as_uuid()),
                    kind: Set(kind.as_str().to_owned()),
                    urgency: Set(urgency.as_str().to_owned()),
                    claim_days: Set(days(a.claim_days)?),
                    complete_days: Set(days(a.complete_days)?),
                    updated_at: Set(at),
                })
            })
            .collect::<Result<Vec<_>, RepoError>>()?;
        if rows.is_empty() {
            return Ok(());
        }
        service_deadline::Entity::insert_many(rows)
            .exec_without_returning(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(())
    }
}
