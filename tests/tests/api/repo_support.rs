//! What the repository contract tests share: instants around the default test instant, a
//! township written through the repositories, and assertions on the port's errors.

use std::fmt::Debug;

use chrono::{DateTime, Duration, Utc};

use domain::error::RepoError;
use domain::page::{CursorKey, PageRequest};
use infra::Db;
use tests::fixtures::Township;
use tests::{default_test_instant, TestDatabase};

/// The default test instant moved by `secs` seconds.
pub fn at(secs: i64) -> DateTime<Utc> {
    default_test_instant() + Duration::seconds(secs)
}

/// A fresh migrated database of the configured backend, its pool, and a township in it.
pub async fn township() -> (TestDatabase, Db, Township) {
    let t = TestDatabase::create().await;
    let db = t.connect().await;
    let town = Township::create(&db, default_test_instant()).await;
    (t, db, town)
}

/// A page request continuing after `next` (which must be present).
pub fn after(limit: u32, next: &Option<CursorKey>) -> PageRequest {
    assert!(next.is_some(), "expected a next page");
    PageRequest::new(Some(limit), next.clone()).unwrap()
}

/// A page request whose cursor names no position in any list.
pub fn bad_cursor(raw: &str) -> PageRequest {
    PageRequest::new(Some(10), Some(CursorKey::new(raw))).unwrap()
}

/// Asserts the write was refused by the named constraint (the same name on every backend).
pub fn assert_conflict<T: Debug>(result: Result<T, RepoError>, constraint: &str) {
    match result {
        Err(RepoError::Conflict { constraint: c }) => assert_eq!(c, constraint),
        other => panic!("expected a conflict on {constraint}, got {other:?}"),
    }
}

/// Asserts the result is `RepoError::InvalidCursor`.
pub fn assert_invalid_cursor<T: Debug>(result: Result<T, RepoError>) {
    assert!(
        matches!(result, Err(RepoError::InvalidCursor)),
        "expected an invalid cursor, got {result:?}"
    );
}

/// Asserts the result is `RepoError::NotFound`.
pub fn assert_not_found<T: Debug>(result: Result<T, RepoError>) {
    assert!(
        matches!(result, Err(RepoError::NotFound)),
        "expected not found, got {result:?}"
    );
}
