//! Storage errors: how a sea-orm (sqlx) error becomes the domain's [`RepoError`].

use domain::error::RepoError;
use sea_orm::{DbErr, RuntimeErr, SqlErr};

/// Maps a sea-orm error onto the port's error: unreachable stores become `Unavailable`,
/// constraint violations `Conflict` (with the constraint's name where the driver gives it).
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
                sea_orm::sqlx::Error::Database(db) => db.constraint().map(str::to_owned),
                _ => None,
            }
        }
        _ => None,
    }
}
