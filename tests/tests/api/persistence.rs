//! Units of work, typed conflicts and UTC time, on whichever backend the run is configured
//! for. These are service-level: they call the domain service over the real repositories.

use chrono::{Duration, TimeZone, Utc};
use domain::audit::{AuditAction, AuditEntry, AuditId, AuditRepo, NewAuditEntry};
use domain::clock::ManualClock;
use domain::error::{DomainError, RepoError};
use domain::page::{CursorKey, PageRequest};
use domain::platform::{set_setting, SetSetting, SettingKey, SettingRepo};
use domain::uow::Transactional;
use infra::Db;
use tests::{default_test_instant, TestDatabase};

async fn database() -> (TestDatabase, Db) {
    let t = TestDatabase::create().await;
    let db = t.connect().await;
    (t, db)
}

fn change(key: &str, value: &str) -> SetSetting {
    SetSetting {
        key: key.into(),
        value: value.into(),
        actor: Some(uuid::Uuid::now_v7()),
        request_id: Some("req-1".into()),
        audit_id: None,
    }
}

fn entry(id: AuditId, org_path: Option<&str>) -> AuditEntry {
    AuditEntry::record(
        id,
        NewAuditEntry {
            actor: None,
            action: AuditAction::parse("test.entry").unwrap(),
            object_type: "test".into(),
            object_id: id.to_string(),
            org_id: None,
            org_path: org_path.map(str::to_owned),
            request_id: None,
        },
        default_test_instant(),
    )
}

async fn audit_count(db: &Db) -> usize {
    db.repos()
        .list(None, &PageRequest::first(100))
        .await
        .unwrap()
        .items
        .len()
}

#[tokio::test]
async fn a_setting_change_and_its_audit_row_commit_together() {
    let (_t, db) = database().await;
    let clock = ManualClock::new(default_test_instant());

    let saved = set_setting(&db, &clock, change("study.points.daily_cap", "10"))
        .await
        .unwrap();

    let key = SettingKey::parse("study.points.daily_cap").unwrap();
    let stored = db.repos().get(&key).await.unwrap().unwrap();
    assert_eq!(stored, saved);
    let audit = db
        .repos()
        .list(None, &PageRequest::first(10))
        .await
        .unwrap()
        .items;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action.as_str(), "platform.setting.set");
    assert_eq!(audit[0].object_id, "study.points.daily_cap");
    assert_eq!(audit[0].actor, saved.updated_by);
    assert_eq!(audit[0].occurred_at, default_test_instant());
    assert_eq!(audit[0].request_id.as_deref(), Some("req-1"));
}

#[tokio::test]
async fn a_setting_change_is_rolled_back_with_its_failed_audit_row() {
    let (_t, db) = database().await;
    let clock = ManualClock::new(default_test_instant());
    set_setting(&db, &clock, change("study.points.daily_cap", "10"))
        .await
        .unwrap();
    // An audit id that already exists makes the audit insert fail after the setting's write.
    let taken = AuditId::new();
    db.repos().append(&entry(taken, None)).await.unwrap();
    clock.advance(Duration::minutes(5));

    let mut cmd = change("study.points.daily_cap", "99");
    cmd.audit_id = Some(taken);
    let err = set_setting(&db, &clock, cmd).await.unwrap_err();

    assert!(
        matches!(err, DomainError::Repo(RepoError::Conflict { .. })),
        "{err:?}"
    );
    let key = SettingKey::parse("study.points.daily_cap").unwrap();
    let stored = db.repos().get(&key).await.unwrap().unwrap();
    assert_eq!(
        stored.value, "10",
        "the change must roll back with its audit row"
    );
    assert_eq!(stored.updated_at, default_test_instant());
    assert_eq!(audit_count(&db).await, 2);
}

#[tokio::test]
async fn a_unit_of_work_dropped_without_commit_leaves_nothing() {
    let (_t, db) = database().await;
    let uow = db.begin().await.unwrap();
    uow.audit()
        .append(&entry(AuditId::new(), None))
        .await
        .unwrap();
    drop(uow);
    assert_eq!(audit_count(&db).await, 0);

    let uow = db.begin().await.unwrap();
    uow.audit()
        .append(&entry(AuditId::new(), None))
        .await
        .unwrap();
    uow.rollback().await.unwrap();
    assert_eq!(audit_count(&db).await, 0);
}

#[tokio::test]
async fn a_unique_violation_is_a_typed_conflict() {
    let (_t, db) = database().await;
    let e = entry(AuditId::new(), None);
    db.repos().append(&e).await.unwrap();
    let err = db.repos().append(&e).await.unwrap_err();
    assert!(matches!(err, RepoError::Conflict { .. }), "{err:?}");
}

#[tokio::test]
async fn invalid_setting_input_is_refused_before_touching_storage() {
    let (_t, db) = database().await;
    let clock = ManualClock::new(default_test_instant());
    let err = set_setting(&db, &clock, change("Not A Key", "1"))
        .await
        .unwrap_err();
    let DomainError::Validation(fields) = err else {
        panic!("{err:?}")
    };
    assert_eq!(fields[0].pointer, "/key");
    let err = set_setting(&db, &clock, change("ok.key", &"x".repeat(5000)))
        .await
        .unwrap_err();
    assert!(matches!(err, DomainError::Validation(_)));
    assert_eq!(audit_count(&db).await, 0);
}

#[tokio::test]
async fn audit_lists_newest_first_within_an_org_subtree_by_cursor() {
    let (_t, db) = database().await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        let id = AuditId::new();
        db.repos()
            .append(&entry(id, Some("/c1/b1/")))
            .await
            .unwrap();
        ids.push(id);
    }
    db.repos()
        .append(&entry(AuditId::new(), Some("/c1/b10/")))
        .await
        .unwrap();
    db.repos()
        .append(&entry(AuditId::new(), Some("/c2/")))
        .await
        .unwrap();

    let first = db
        .repos()
        .list(Some("/c1/b1/"), &PageRequest::first(3))
        .await
        .unwrap();
    assert_eq!(
        first.items.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![ids[4], ids[3], ids[2]]
    );
    let next = PageRequest::new(Some(3), first.next.clone()).unwrap();
    let second = db.repos().list(Some("/c1/b1/"), &next).await.unwrap();
    assert_eq!(
        second.items.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![ids[1], ids[0]]
    );
    assert!(second.next.is_none());

    let whole = db
        .repos()
        .list(Some("/c1/"), &PageRequest::first(100))
        .await
        .unwrap();
    assert_eq!(whole.items.len(), 6);
}

#[tokio::test]
async fn a_cursor_that_names_no_position_is_refused() {
    let (_t, db) = database().await;
    let forged = PageRequest::new(Some(10), Some(CursorKey::new("not-an-id"))).unwrap();
    let err = db.repos().list(None, &forged).await.unwrap_err();
    assert!(matches!(err, RepoError::InvalidCursor), "{err:?}");
}

#[tokio::test]
async fn times_are_stored_and_read_back_as_the_same_utc_instant() {
    let (_t, db) = database().await;
    // 00:30 UTC is 08:30 in Shanghai: the same instant whatever the rendering.
    let at = Utc.with_ymd_and_hms(2026, 11, 4, 16, 0, 0).unwrap();
    let clock = ManualClock::new(at);
    set_setting(&db, &clock, change("a.first", "1"))
        .await
        .unwrap();
    clock.advance(Duration::hours(9));
    set_setting(&db, &clock, change("a.second", "1"))
        .await
        .unwrap();
    let page = db
        .repos()
        .list(None, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(page.items[0].occurred_at, at + Duration::hours(9));
    assert_eq!(page.items[1].occurred_at, at);
}

#[tokio::test]
async fn concurrent_units_of_work_all_commit() {
    let (_t, db) = database().await;
    let clock = ManualClock::new(default_test_instant());
    let mut tasks = Vec::new();
    for i in 0..16 {
        let db = db.clone();
        let clock = clock.clone();
        tasks.push(tokio::spawn(async move {
            let key = if i % 2 == 0 {
                "shared.key".to_owned()
            } else {
                format!("key.n{i}")
            };
            set_setting(&db, &clock, change(&key, &i.to_string())).await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(audit_count(&db).await, 16);
}
