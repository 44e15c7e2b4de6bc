//! The audit repository on the configured backend: append-only entries listed newest first,
//! optionally under an org path.

use domain::audit::{AuditAction, AuditEntry, AuditId, AuditRepo};
use domain::org::Org;
use domain::page::{CursorKey, PageRequest};
use infra::Db;

use crate::repo_support::{
    after, assert_conflict, assert_invalid_cursor, at, bad_cursor, township,
};

fn entry(secs: i64, org: Option<&Org>) -> AuditEntry {
    AuditEntry {
        id: AuditId::at(at(secs)),
        actor: Some(uuid::Uuid::now_v7()),
        action: AuditAction::known("member.update"),
        object_type: "member".into(),
        object_id: format!("object-{secs}"),
        org_id: org.map(|o| o.id.as_uuid()),
        org_path: org.map(|o| o.path.as_str().to_owned()),
        occurred_at: at(secs),
        request_id: Some(format!("req-{secs}")),
    }
}

async fn append_all(db: &Db, entries: &[&AuditEntry]) {
    for e in entries {
        db.repos().append(e).await.unwrap();
    }
}

#[tokio::test]
async fn entries_page_newest_first_and_continue_strictly_after_the_cursor() {
    let (_t, db, town) = township().await;
    let e: Vec<AuditEntry> = (0..5).map(|i| entry(i, Some(&town.branch_a))).collect();
    // Appended out of order: the list follows the ids, not the order of writing.
    append_all(&db, &[&e[2], &e[0], &e[4], &e[1], &e[3]]).await;
    let repos = db.repos();

    let p1 = repos.list(None, &PageRequest::first(2)).await.unwrap();
    assert_eq!(p1.items, vec![e[4].clone(), e[3].clone()]);
    let p2 = repos.list(None, &after(2, &p1.next)).await.unwrap();
    assert_eq!(p2.items, vec![e[2].clone(), e[1].clone()]);
    let p3 = repos.list(None, &after(2, &p2.next)).await.unwrap();
    assert_eq!(p3.items, vec![e[0].clone()]);
    assert_eq!(p3.next, None);

    // A page that ends exactly at the last entry says there is nothing more.
    let all = repos.list(None, &PageRequest::first(5)).await.unwrap();
    assert_eq!(all.items.len(), 5);
    assert_eq!(all.next, None);
}

#[tokio::test]
async fn a_cursor_is_a_position_even_when_no_entry_has_that_id() {
    let (_t, db, _town) = township().await;
    let e: Vec<AuditEntry> = (0..4).map(|i| entry(i * 10, None)).collect();
    append_all(&db, &[&e[0], &e[1], &e[2], &e[3]]).await;

    let between = AuditId::at(at(15));
    let page = PageRequest::new(Some(10), Some(CursorKey::new(between.to_string()))).unwrap();
    let rest = db.repos().list(None, &page).await.unwrap();

    assert_eq!(rest.items, vec![e[1].clone(), e[0].clone()]);
    assert_eq!(rest.next, None);
}

#[tokio::test]
async fn a_path_prefix_keeps_the_list_inside_that_subtree() {
    let (_t, db, town) = township().await;
    let on_committee = entry(0, Some(&town.committee));
    let on_general = entry(1, Some(&town.general));
    let on_branch_a = entry(2, Some(&town.branch_a));
    let on_branch_b = entry(3, Some(&town.branch_b));
    let elsewhere = entry(4, Some(&town.other_branch));
    let nowhere = entry(5, None);
    append_all(
        &db,
        &[
            &on_committee,
            &on_general,
            &on_branch_a,
            &on_branch_b,
            &elsewhere,
            &nowhere,
        ],
    )
    .await;
    let ids = |prefix: Option<&Org>| {
        let repos = db.repos();
        let prefix = prefix.map(|o| o.path.as_str().to_owned());
        async move {
            repos
                .list(prefix.as_deref(), &PageRequest::first(100))
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|e| e.id)
                .collect::<Vec<_>>()
        }
    };

    assert_eq!(
        ids(Some(&town.general)).await,
        [on_branch_a.id, on_general.id]
    );
    assert_eq!(
        ids(Some(&town.committee)).await,
        [
            on_branch_b.id,
            on_branch_a.id,
            on_general.id,
            on_committee.id
        ]
    );
    assert_eq!(ids(Some(&town.other_committee)).await, [elsewhere.id]);
    assert!(ids(Some(&town.group_a)).await.is_empty());
    // Unscoped, entries without an org are listed too.
    assert_eq!(ids(None).await.len(), 6);
}

#[tokio::test]
async fn paging_continues_inside_the_prefix() {
    let (_t, db, town) = township().await;
    let a0 = entry(0, Some(&town.branch_a));
    let b1 = entry(1, Some(&town.branch_b));
    let a2 = entry(2, Some(&town.branch_a));
    let b3 = entry(3, Some(&town.branch_b));
    let a4 = entry(4, Some(&town.branch_a));
    append_all(&db, &[&a0, &b1, &a2, &b3, &a4]).await;
    let prefix = Some(town.branch_a.path.as_str());

    let p1 = db
        .repos()
        .list(prefix, &PageRequest::first(2))
        .await
        .unwrap();
    assert_eq!(p1.items, vec![a4, a2]);
    let p2 = db.repos().list(prefix, &after(2, &p1.next)).await.unwrap();
    assert_eq!(p2.items, vec![a0]);
    assert_eq!(p2.next, None);
}

#[tokio::test]
async fn a_cursor_that_is_not_an_entry_id_is_invalid() {
    let (_t, db, _town) = township().await;
    append_all(&db, &[&entry(0, None)]).await;

    assert_invalid_cursor(db.repos().list(None, &bad_cursor("not-an-id")).await);
    assert_invalid_cursor(db.repos().list(Some("/x/"), &bad_cursor("")).await);
}

#[tokio::test]
async fn an_id_written_twice_is_a_conflict_on_the_primary_key() {
    let (_t, db, town) = township().await;
    let first = entry(0, Some(&town.branch_a));
    db.repos().append(&first).await.unwrap();
    let again = AuditEntry {
        object_id: "another object".into(),
        ..first.clone()
    };

    assert_conflict(db.repos().append(&again).await, "audit_log_pkey");
    let stored = db
        .repos()
        .list(None, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(stored.items, vec![first]);
}
