//! Repositories: implementations of the domain's storage ports over sea-orm.
//!
//! Every repository is generic over sea-orm's `ConnectionTrait`, so the same code runs on
//! the pool (single statements) or inside a transaction (a unit of work).

mod activity;
mod appraisal;
mod audit;
mod auth;
pub mod check_in_batch;
mod job_lease;
mod material;
mod org;
mod pioneer;
mod platform;
mod push;
mod volunteer;

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};

use crate::db::Db;
use crate::error::map_db_err;
use crate::near::{Invalidation, Near, NearCache, Ticket};
use domain::activity::{ActivityRepo, CheckInRepo, ExemptionRepo, HolidayRepo};
use domain::appraisal::{AppraisalRepo, BallotRepo, RatingRepo, RectificationRepo};
use domain::audit::AuditRepo;
use domain::auth::{ExternalIdentityRepo, RefreshTokenRepo};
use domain::error::RepoError;
use domain::material::{MaterialRepo, StudyPlanRepo, StudyRecordRepo};
use domain::org::{MemberRepo, OrgRepo, RoleRepo};
use domain::pioneer::{PioneerClaimRepo, PioneerHelpRepo, PioneerIndexRepo, PioneerRuleRepo};
use domain::platform::{JobLeaseRepo, SettingRepo};
use domain::push::{PushRepo, SubscriptionRepo};
use domain::uow::{Repositories, Transactional, UnitOfWork};
use domain::volunteer::ResidentRepo;
use domain::volunteer::ServiceDeadlineRepo;
use domain::volunteer::ServiceRequestRepo;
use domain::volunteer::{HoursRepo, TeamRepo};
use domain::volunteer::{RetentionRepo, VolunteerReportRepo};

/// The repositories over one connection or transaction.
#[derive(Debug, Clone)]
pub struct Repos<C> {
    conn: C,
    /// The near cache this instance reads from and announces its writes to.
    near: Option<Near>,
    /// Inside a transaction: what its writes changed, announced once it commits.
    deferred: Option<Arc<Mutex<Vec<Invalidation>>>>,
}

impl<C: ConnectionTrait + Send + Sync> Repos<C> {
    pub fn new(conn: C) -> Self {
        Self {
            conn,
            near: None,
            deferred: None,
        }
    }

    /// Announces what a write changed: at once on the pool, at commit in a transaction.
    pub(crate) async fn changed(&self, invalidations: Vec<Invalidation>) {
        match (&self.deferred, &self.near) {
            (Some(deferred), _) => deferred
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend(invalidations),
            (None, Some(near)) => near.invalidate(invalidations).await,
            (None, None) => {}
        }
    }

    /// The near cache reads may be served from: on the pool only (a transaction reads
    /// what it reads from the database).
    fn near_reads(&self) -> Option<&Near> {
        match self.deferred {
            None => self.near.as_ref(),
            Some(_) => None,
        }
    }

    /// A row by id through the near cache: what `cached` finds there, or what `load` reads,
    /// kept by `fill` unless an invalidation of `key` arrived meanwhile. A missing row is
    /// not remembered; inside a transaction the near cache is not used.
    pub(crate) async fn through_near<T: Clone>(
        &self,
        key: Invalidation,
        cached: impl FnOnce(&NearCache) -> Option<Arc<T>>,
        fill: impl FnOnce(&NearCache, Ticket, Arc<T>),
        load: impl std::future::Future<Output = Result<Option<T>, RepoError>>,
    ) -> Result<Option<T>, RepoError> {
        let near = self.near_reads().map(|n| n.cache.as_ref());
        if let Some(found) = near.and_then(cached) {
            return Ok(Some(T::clone(&found)));
        }
        let ticket = near.and_then(|n| n.ticket(&key));
        let found = load.await?;
        if let (Some(near), Some(ticket), Some(row)) = (near, ticket, &found) {
            fill(near, ticket, Arc::new(row.clone()));
        }
        Ok(found)
    }
}

/// The repositories on the pool: each call its own statement.
pub type PoolRepos = Repos<DatabaseConnection>;

impl Db {
    /// Repositories outside any transaction, for reads and single writes.
    pub fn repos(&self) -> Repos<DatabaseConnection> {
        Repos {
            near: self.near().cloned(),
            ..Repos::new(self.connection().clone())
        }
    }
}

/// A unit of work over one database transaction. Dropped uncommitted, it rolls back.
pub struct SeaUnitOfWork {
    repos: Repos<DatabaseTransaction>,
}

/// The repositories a connection and a unit of work hand out: every port, over the same
/// connection or transaction.
macro_rules! repositories {
    ($($name:ident: $port:ident),* $(,)?) => {
        impl<C: ConnectionTrait + Send + Sync> Repositories for Repos<C> {
            $(fn $name(&self) -> &dyn $port { self })*
        }
        impl Repositories for SeaUnitOfWork {
            $(fn $name(&self) -> &dyn $port { &self.repos })*
        }
    };
}

repositories! {
    audit: AuditRepo,
    settings: SettingRepo,
    orgs: OrgRepo,
    members: MemberRepo,
    roles: RoleRepo,
    refresh_tokens: RefreshTokenRepo,
    activities: ActivityRepo,
    check_ins: CheckInRepo,
    exemptions: ExemptionRepo,
    holidays: HolidayRepo,
    external_identities: ExternalIdentityRepo,
    materials: MaterialRepo,
    study_records: StudyRecordRepo,
    push: PushRepo,
    subscriptions: SubscriptionRepo,
    study_plans: StudyPlanRepo,
    appraisals: AppraisalRepo,
    ratings: RatingRepo,
    rectifications: RectificationRepo,
    ballots: BallotRepo,
    service_requests: ServiceRequestRepo,
    service_deadlines: ServiceDeadlineRepo,
    residents: ResidentRepo,
    volunteer_teams: TeamRepo,
    volunteer_hours: HoursRepo,
    pioneer_rules: PioneerRuleRepo,
    pioneer_index: PioneerIndexRepo,
    pioneer_help: PioneerHelpRepo,
    pioneer_claims: PioneerClaimRepo,
    volunteer_report: VolunteerReportRepo,
    volunteer_retention: RetentionRepo,
    job_leases: JobLeaseRepo,
}

/// What a unit of work changed, announced when [`now`](Self::now) is awaited or, if the
/// commit's future is dropped first, from `Drop` in the background.
struct AnnounceOnDrop(Option<(Near, Vec<Invalidation>)>);

impl AnnounceOnDrop {
    async fn now(mut self) {
        if let Some((near, changed)) = self.0.take() {
            near.invalidate(changed).await;
        }
    }
}

impl Drop for AnnounceOnDrop {
    fn drop(&mut self) {
        if let Some((near, changed)) = self.0.take() {
            let _ = near.announce(changed);
        }
    }
}

#[async_trait]
impl UnitOfWork for SeaUnitOfWork {
    async fn commit(self: Box<Self>) -> Result<(), RepoError> {
        let Repos {
            conn,
            near,
            deferred,
        } = self.repos;
        let changed = deferred
            .map(|d| std::mem::take(&mut *d.lock().unwrap_or_else(|e| e.into_inner())))
            .unwrap_or_default();
        // Announced whatever the commit answers, even if this future is dropped while it
        // waits: a commit whose answer was lost may have landed, and announcing a change that
        // did not happen only costs a reload.
        let announce = AnnounceOnDrop(near.map(|n| (n, changed)));
        let committed = conn.commit().await.map_err(map_db_err);
        announce.now().await;
        committed
    }

    async fn rollback(self: Box<Self>) -> Result<(), RepoError> {
        self.repos.conn.rollback().await.map_err(map_db_err)
    }
}

#[async_trait]
impl Transactional for Db {
    async fn begin(&self) -> Result<Box<dyn UnitOfWork>, RepoError> {
        let conn = self.connection();
        let txn = match self.db_backend() {
            // Take SQLite's write lock up front: a deferred transaction that reads and then
            // writes fails with SQLITE_BUSY when another writer got there in between.
            DbBackend::Sqlite => {
                conn.begin_with_options(TransactionOptions {
                    sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                    ..Default::default()
                })
                .await
            }
            _ => conn.begin().await,
        }
        .map_err(map_db_err)?;
        Ok(Box::new(SeaUnitOfWork {
            repos: Repos {
                conn: txn,
                near: self.near().cloned(),
                deferred: Some(Arc::default()),
            },
        }))
    }
}

/// Which end of the id order (creation order: ids are v7) a list starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdOrder {
    Oldest,
    Newest,
}

/// One page of `query` in id order, continuing after the page's cursor (an id).
pub async fn page_by_id<E, C, T>(
    conn: &C,
    mut query: sea_orm::Select<E>,
    order: IdOrder,
    id: E::Column,
    page: &domain::page::PageRequest,
    convert: impl Fn(E::Model) -> Result<T, RepoError>,
    id_of: impl Fn(&T) -> uuid::Uuid,
) -> Result<domain::page::Page<T>, RepoError>
where
    E: sea_orm::EntityTrait,
    C: ConnectionTrait,
{
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
    if let Some(after) = page.after() {
        let after = uuid::Uuid::parse_str(after.as_str()).map_err(|_| RepoError::InvalidCursor)?;
        query = match order {
            IdOrder::Oldest => query.filter(id.gt(after)).order_by_asc(id),
            IdOrder::Newest => query.filter(id.lt(after)).order_by_desc(id),
        };
    } else {
        query = match order {
            IdOrder::Oldest => query.order_by_asc(id),
            IdOrder::Newest => query.order_by_desc(id),
        };
    }
    let items = fetch_all(conn, query.limit(u64::from(page.limit()) + 1), convert).await?;
    Ok(domain::page::Page::from_overfetch(
        items,
        page.limit(),
        |t| domain::page::CursorKey::new(id_of(t).to_string()),
    ))
}

/// Every row of `query`, converted to the domain.
pub async fn fetch_all<E, C, T>(
    conn: &C,
    query: sea_orm::Select<E>,
    convert: impl Fn(E::Model) -> Result<T, RepoError>,
) -> Result<Vec<T>, RepoError>
where
    E: sea_orm::EntityTrait,
    C: ConnectionTrait,
{
    query
        .all(conn)
        .await
        .map_err(map_db_err)?
        .into_iter()
        .map(convert)
        .collect()
}

/// Rows whose path column lies in the subtree at `path` (an indexed range scan).
pub fn subtree<C: sea_orm::ColumnTrait>(
    column: C,
    path: &domain::org::OrgPath,
) -> sea_orm::Condition {
    let (lo, hi) = prefix_range(path.as_str());
    let mut range = sea_orm::Condition::all().add(column.gte(lo));
    if let Some(hi) = hi {
        range = range.add(column.lt(hi));
    }
    range
}

/// Rows whose path column lies in any of the subtrees (nothing when there are none).
pub fn any_subtree<C: sea_orm::ColumnTrait + Copy>(
    column: C,
    paths: &[domain::org::OrgPath],
) -> sea_orm::Condition {
    paths.iter().fold(sea_orm::Condition::any(), |any, p| {
        any.add(subtree(column, p))
    })
}

/// The half-open range `[prefix, upper)` of strings that start with `prefix`, so a subtree
/// query is an indexed range scan on both backends (`LIKE 'p%'` is not, under PostgreSQL's
/// default collation). `None` as the upper bound means "no upper bound".
pub fn prefix_range(prefix: &str) -> (String, Option<String>) {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        if let Some(next) = char::from_u32(last as u32 + 1) {
            chars.push(next);
            return (prefix.to_owned(), Some(chars.into_iter().collect()));
        }
    }
    (prefix.to_owned(), None)
}

#[cfg(test)]
mod tests {
    use super::prefix_range;

    #[test]
    fn prefix_range_bounds_exactly_the_strings_with_that_prefix() {
        let (lo, hi) = prefix_range("/a1/b2/");
        assert_eq!(lo, "/a1/b2/");
        assert_eq!(hi.as_deref(), Some("/a1/b20"));
        let hi = hi.unwrap_or_default();
        for inside in ["/a1/b2/", "/a1/b2/c3/", "/a1/b2/~"] {
            assert!(inside >= lo.as_str() && inside < hi.as_str(), "{inside}");
        }
        for outside in ["/a1/b20/", "/a1/b1/", "/a1/b3/", "/a1/b2"] {
            assert!(
                !(outside >= lo.as_str() && outside < hi.as_str()),
                "{outside}"
            );
        }
    }
}
