//! Repositories: implementations of the domain's storage ports over sea-orm.
//!
//! Every repository is generic over sea-orm's `ConnectionTrait`, so the same code runs on
//! the pool (single statements) or inside a transaction (a unit of work).

mod activity;
mod audit;
mod identity;
mod org;
mod plan;
mod platform;
mod push;
mod study;

use async_trait::async_trait;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, RuntimeErr, SqlErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

use crate::db::Db;
use domain::activity::{ActivityRepo, CheckInRepo, ExemptionRepo, HolidayRepo};
use domain::audit::AuditRepo;
use domain::error::RepoError;
use domain::identity::{ExternalIdentityRepo, RefreshTokenRepo};
use domain::org::{MemberRepo, OrgRepo, RoleRepo};
use domain::platform::SettingRepo;
use domain::push::PushRepo;
use domain::study::{MaterialRepo, StudyPlanRepo, StudyRecordRepo};
use domain::uow::{Transactional, UnitOfWork};

/// The repositories over one connection or transaction.
#[derive(Debug)]
pub struct Repos<C> {
    conn: C,
}

impl<C: ConnectionTrait + Send + Sync> Repos<C> {
    pub fn new(conn: C) -> Self {
        Self { conn }
    }
}

impl Db {
    /// Repositories outside any transaction, for reads and single writes.
    pub fn repos(&self) -> Repos<DatabaseConnection> {
        Repos::new(self.connection().clone())
    }
}

/// A unit of work over one database transaction. Dropped uncommitted, it rolls back.
pub struct SeaUnitOfWork {
    repos: Repos<DatabaseTransaction>,
}

#[async_trait]
impl UnitOfWork for SeaUnitOfWork {
    fn audit(&self) -> &dyn AuditRepo {
        &self.repos
    }

    fn settings(&self) -> &dyn SettingRepo {
        &self.repos
    }

    fn orgs(&self) -> &dyn OrgRepo {
        &self.repos
    }

    fn members(&self) -> &dyn MemberRepo {
        &self.repos
    }

    fn roles(&self) -> &dyn RoleRepo {
        &self.repos
    }

    fn refresh_tokens(&self) -> &dyn RefreshTokenRepo {
        &self.repos
    }

    fn activities(&self) -> &dyn ActivityRepo {
        &self.repos
    }

    fn check_ins(&self) -> &dyn CheckInRepo {
        &self.repos
    }

    fn exemptions(&self) -> &dyn ExemptionRepo {
        &self.repos
    }

    fn holidays(&self) -> &dyn HolidayRepo {
        &self.repos
    }

    fn external_identities(&self) -> &dyn ExternalIdentityRepo {
        &self.repos
    }

    fn materials(&self) -> &dyn MaterialRepo {
        &self.repos
    }

    fn study_records(&self) -> &dyn StudyRecordRepo {
        &self.repos
    }

    fn push(&self) -> &dyn PushRepo {
        &self.repos
    }

    fn study_plans(&self) -> &dyn StudyPlanRepo {
        &self.repos
    }

    async fn commit(self: Box<Self>) -> Result<(), RepoError> {
        self.repos.conn.commit().await.map_err(map_db_err)
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
            repos: Repos::new(txn),
        }))
    }
}

/// Maps a sea-orm error onto the port's error: unreachable stores become `Unavailable`,
/// constraint violations `Conflict` (with the constraint's name, the same on both backends,
/// where the error names one).
pub fn map_db_err(err: DbErr) -> RepoError {
    if let Some(sql) = err.sql_err() {
        let constraint = constraint_name(&err).unwrap_or_else(|| match &sql {
            SqlErr::UniqueConstraintViolation(m) | SqlErr::ForeignKeyConstraintViolation(m) => {
                m.clone()
            }
            _ => String::new(),
        });
        return RepoError::Conflict { constraint };
    }
    match &err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => RepoError::Unavailable(err.to_string()),
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            use sea_orm::sqlx::Error as E;
            match e.as_ref() {
                E::Io(_) | E::PoolClosed | E::PoolTimedOut | E::Tls(_) | E::WorkerCrashed => {
                    RepoError::Unavailable(err.to_string())
                }
                E::Database(db) if is_transient(db.code().as_deref()) => {
                    RepoError::Unavailable(err.to_string())
                }
                _ => RepoError::Other(err.to_string()),
            }
        }
        DbErr::RecordNotFound(_) => RepoError::NotFound,
        _ => RepoError::Other(err.to_string()),
    }
}

/// Database error codes that mean "busy or going away, try again", not "your query is wrong":
/// SQLite's BUSY and LOCKED families (still held after the busy timeout), PostgreSQL's
/// admin/crash shutdown, cannot-connect-now and too-many-connections.
fn is_transient(code: Option<&str>) -> bool {
    matches!(
        code,
        Some("5" | "6" | "261" | "262" | "517" | "57P01" | "57P02" | "57P03" | "53300")
    )
}

fn constraint_name(err: &DbErr) -> Option<String> {
    match err {
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            match e.as_ref() {
                sea_orm::sqlx::Error::Database(db) => db
                    .constraint()
                    .map(str::to_owned)
                    .or_else(|| sqlite_constraint(db.code().as_deref(), db.message())),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The unique indexes the migrations create, by the columns SQLite names when one refuses a
/// write. PostgreSQL reports the index's name; SQLite only its columns.
const UNIQUE_INDEXES: &[(&str, &str)] = &[
    ("org.path", "ux_org_path"),
    ("org.parent_id, org.name", "ux_org_parent_name"),
    ("member.phone", "ux_member_phone"),
    (
        "role_grant.member_id, role_grant.kind, role_grant.org_id",
        "ux_role_grant_member_kind_org",
    ),
    ("refresh_token.token_hash", "ux_refresh_token_hash"),
    (
        "check_in.activity_id, check_in.member_id",
        "ux_check_in_activity_member",
    ),
    (
        "external_identity.provider, external_identity.member_id",
        "ux_external_identity_provider_member",
    ),
    (
        "push_delivery.message_id, push_delivery.member_id",
        "ux_push_delivery_message_member",
    ),
    (
        "study_plan.owner, study_plan.year",
        "ux_study_plan_owner_year",
    ),
];

/// SQLite's extended result code for a primary key violation.
const SQLITE_CONSTRAINT_PRIMARYKEY: &str = "1555";

/// The name PostgreSQL gives the constraint a SQLite uniqueness error names by its columns
/// ("UNIQUE constraint failed: member.phone"), so a conflict reads the same on both
/// backends: the index's name, `<table>_pkey` for a primary key, `<table>_<columns>_key`
/// for a column's own UNIQUE.
fn sqlite_constraint(code: Option<&str>, message: &str) -> Option<String> {
    let columns = message.strip_prefix("UNIQUE constraint failed: ")?;
    let (table, _) = columns.split_once('.')?;
    if code == Some(SQLITE_CONSTRAINT_PRIMARYKEY) {
        return Some(format!("{table}_pkey"));
    }
    if let Some((_, name)) = UNIQUE_INDEXES.iter().find(|(cols, _)| *cols == columns) {
        return Some((*name).to_owned());
    }
    let names: Vec<&str> = columns
        .split(", ")
        .map(|c| c.split_once('.').map_or(c, |(_, name)| name))
        .collect();
    Some(format!("{table}_{}_key", names.join("_")))
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
    use super::{prefix_range, sqlite_constraint, SQLITE_CONSTRAINT_PRIMARYKEY};
    use crate::db::{Db, DbOptions};
    use sea_orm::{ConnectionTrait, DbBackend, Statement};

    /// A new unique index needs its entry in `UNIQUE_INDEXES`, or SQLite's conflicts on it
    /// would name it differently from PostgreSQL's.
    #[tokio::test]
    #[expect(clippy::unwrap_used, reason = "a test fails loudly")]
    async fn every_unique_key_of_the_schema_is_named_on_sqlite_as_postgresql_names_it() {
        let options = DbOptions {
            max_connections: 1,
            ..DbOptions::default()
        };
        let db = Db::connect("sqlite::memory:", &options).await.unwrap();
        db.migrate().await.unwrap();
        let query = |sql: &str| {
            let conn = db.connection().clone();
            let sql = sql.to_owned();
            async move {
                conn.query_all_raw(Statement::from_string(DbBackend::Sqlite, sql))
                    .await
                    .unwrap()
            }
        };
        let keys = query(
            "SELECT m.name AS tbl, l.name AS idx, l.origin AS origin \
             FROM sqlite_master m, pragma_index_list(m.name) l \
             WHERE m.type = 'table' AND l.\"unique\" = 1 AND m.name NOT LIKE 'seaql%'",
        )
        .await;
        assert!(keys.len() > 10, "{} unique keys", keys.len());
        for key in keys {
            let table: String = key.try_get("", "tbl").unwrap();
            let index: String = key.try_get("", "idx").unwrap();
            let origin: String = key.try_get("", "origin").unwrap();
            let columns: Vec<String> = query(&format!(
                "SELECT name FROM pragma_index_info('{index}') ORDER BY seqno"
            ))
            .await
            .iter()
            .map(|c| c.try_get::<String>("", "name").unwrap())
            .collect();
            let expected = match origin.as_str() {
                "pk" => format!("{table}_pkey"),
                "u" => format!("{table}_{}_key", columns.join("_")),
                _ => index.clone(),
            };
            let message = format!(
                "UNIQUE constraint failed: {}",
                columns
                    .iter()
                    .map(|c| format!("{table}.{c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let code = if origin == "pk" {
                SQLITE_CONSTRAINT_PRIMARYKEY
            } else {
                "2067"
            };
            assert_eq!(
                sqlite_constraint(Some(code), &message),
                Some(expected),
                "{index} on {table}"
            );
        }
    }

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
