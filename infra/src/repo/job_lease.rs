//! Leases on background jobs, each taken by one conditional statement.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
};

use super::Repos;
use crate::entity::job_lease;
use crate::error::map_db_err;
use domain::error::RepoError;
use domain::platform::JobLeaseRepo;

#[async_trait]
impl<C: ConnectionTrait + Send + Sync> JobLeaseRepo for Repos<C> {
    async fn acquire(
        &self,
        job: &str,
        owner: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, RepoError> {
        use job_lease::Column as L;
        // The first lease of a job: whoever inserts the row holds it.
        let row = job_lease::ActiveModel {
            job: Set(job.to_owned()),
            owner: Set(owner.to_owned()),
            until: Set(until),
        };
        let inserted = job_lease::Entity::insert(row)
            .on_conflict_do_nothing_on([L::Job])
            .exec_without_returning(&self.conn)
            .await
            .map_err(map_db_err)?;
        if matches!(inserted, sea_orm::TryInsertResult::Inserted(1)) {
            return Ok(true);
        }
        // Afterwards: taken over only when its holder's ran out, or renewed by its holder.
        let taken = job_lease::Entity::update_many()
            .col_expr(L::Owner, Expr::value(owner))
            .col_expr(L::Until, Expr::value(until))
            .filter(L::Job.eq(job))
            .filter(
                Condition::any()
                    .add(L::Until.lte(now))
                    .add(L::Owner.eq(owner)),
            )
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(taken.rows_affected == 1)
    }

    async fn release(&self, job: &str, owner: &str, now: DateTime<Utc>) -> Result<(), RepoError> {
        use job_lease::Column as L;
        job_lease::Entity::update_many()
            .col_expr(L::Until, Expr::value(now))
            .filter(L::Job.eq(job))
            .filter(L::Owner.eq(owner))
            .exec(&self.conn)
            .await
            .map_err(map_db_err)?;
        Ok(())
    }
}
