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

/// A member stored before `probationary` existed is a full member afterwards, on either
/// backend (the column is added NOT NULL with a default).
#[tokio::test]
async fn members_stored_before_the_probationary_column_are_full_members() {
    use domain::org::{MemberId, MemberRepo, OrgId, OrgPath};
    use infra::migration::Migrator;
    use sea_orm::sea_query::{Alias, Query};
    use sea_orm_migration::MigratorTrait;

    let blank = TestDatabase::blank().await;
    let db = Db::connect(&blank.url, &DbOptions::default())
        .await
        .unwrap();
    let before = Db::known_migrations()
        .iter()
        .position(|m| m == "m20261130_000021_add_member_probationary")
        .unwrap();
    Migrator::up(db.connection(), Some(u32::try_from(before).unwrap()))
        .await
        .unwrap();
    let id = MemberId::new();
    let branch = OrgPath::root(OrgId::new()).child(OrgId::new());
    let now = chrono::Utc::now();
    let insert = Query::insert()
        .into_table(Alias::new("member"))
        .columns(
            [
                "id",
                "name",
                "phone",
                "category",
                "branch_id",
                "group_id",
                "branch_path",
                "leading_cadre",
                "status",
                "created_at",
                "updated_at",
            ]
            .map(Alias::new),
        )
        .values_panic([
            id.as_uuid().into(),
            "老党员".into(),
            "13700000061".into(),
            "rural".into(),
            branch.last_id().unwrap().as_uuid().into(),
            Option::<uuid::Uuid>::None.into(),
            branch.as_str().into(),
            false.into(),
            "active".into(),
            now.into(),
            now.into(),
        ])
        .to_owned();
    db.connection().execute(&insert).await.unwrap();

    db.migrate().await.unwrap();
    let member = MemberRepo::get(&db.repos(), id).await.unwrap().unwrap();
    assert!(!member.probationary);
    assert_eq!(member.name, "老党员");
    db.close().await;
}
