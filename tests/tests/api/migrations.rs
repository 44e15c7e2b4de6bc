//! Migrations apply from an empty database on the configured backend.

use infra::{Db, DbOptions};
use sea_orm::ConnectionTrait;
use tests::TestDatabase;

#[tokio::test]
async fn migrations_apply_from_empty_and_again_change_nothing() {
    let blank = TestDatabase::blank().await;
    let db = Db::connect(&blank.url, &DbOptions::default())
        .await
        .unwrap();
    assert!(db
        .applied_migrations()
        .await
        .map(|m| m.is_empty())
        .unwrap_or(true));

    db.migrate().await.unwrap();
    assert_eq!(
        db.applied_migrations().await.unwrap(),
        Db::known_migrations()
    );
    for table in ["audit_log", "setting", "org", "member", "role_grant"] {
        db.connection()
            .execute_unprepared(&format!("SELECT COUNT(*) FROM {table}"))
            .await
            .unwrap_or_else(|e| panic!("table {table} missing: {e}"));
    }

    db.migrate().await.unwrap();
    assert_eq!(
        db.applied_migrations().await.unwrap(),
        Db::known_migrations()
    );
    db.close().await;
}

#[tokio::test]
async fn instances_starting_together_migrate_one_at_a_time() {
    if std::env::var_os("TEST_DATABASE_URL").is_none() {
        return; // the embedded SQLite mode runs a single instance
    }
    let blank = TestDatabase::blank().await;
    let mut handles = Vec::new();
    for _ in 0..4 {
        let url = blank.url.clone();
        handles.push(tokio::spawn(async move {
            let db = Db::connect(&url, &DbOptions::default()).await.unwrap();
            let result = db.migrate().await;
            db.close().await;
            result
        }));
    }
    for h in handles {
        h.await.unwrap().unwrap();
    }
    let db = Db::connect(&blank.url, &DbOptions::default())
        .await
        .unwrap();
    assert_eq!(
        db.applied_migrations().await.unwrap(),
        Db::known_migrations()
    );
    db.close().await;
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_a_busy_timeout() {
    if std::env::var_os("TEST_DATABASE_URL").is_some() {
        return; // a SQLite-only property; the PostgreSQL run covers the other backend
    }
    let blank = TestDatabase::blank().await;
    let db = Db::connect(&blank.url, &DbOptions::default())
        .await
        .unwrap();
    let conn = db.connection();
    let mode = conn
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "PRAGMA journal_mode",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        mode.try_get_by_index::<String>(0).unwrap().to_lowercase(),
        "wal"
    );
    let busy = conn
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "PRAGMA busy_timeout",
        ))
        .await
        .unwrap()
        .unwrap();
    assert!(busy.try_get_by_index::<i64>(0).unwrap() >= 1000);
    db.close().await;
}
