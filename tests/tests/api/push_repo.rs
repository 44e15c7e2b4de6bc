//! The push outbox on the configured backend: messages stored once per key, deliveries
//! claimed by one worker at a time under a lease, the operators' view of the backlog, and
//! members' subscribe-message consents.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use domain::org::MemberId;
use domain::push::{
    Delivery, DeliveryId, DeliveryStatus, DeliveryUpdate, PushKind, PushMessage, PushMessageId,
    PushRepo, SubscriptionRepo,
};
use infra::Db;
use tests::TestDatabase;

use crate::repo_support::{at, township};

fn message(key: &str, subject: &str) -> PushMessage {
    PushMessage {
        id: PushMessageId::new(),
        key: key.into(),
        subject: subject.into(),
        kind: PushKind::Material,
        template_id: "tmpl-material".into(),
        page: "pages/materials/detail?id=1".into(),
        fields: vec![
            ("thing1".into(), "学习资料".into()),
            ("time2".into(), "2026-11-05 08:30".into()),
        ],
        expires_at: None,
        created_at: at(-600),
    }
}

async fn database() -> (TestDatabase, Db) {
    let t = TestDatabase::create().await;
    let db = t.connect().await;
    (t, db)
}

/// Enqueues `message` for `members` due at `not_before`; answers the deliveries by member.
async fn enqueue(
    db: &Db,
    message: &PushMessage,
    members: &[MemberId],
    not_before: DateTime<Utc>,
) -> HashMap<MemberId, Delivery> {
    assert!(db
        .repos()
        .enqueue(message, members, not_before)
        .await
        .unwrap());
    deliveries(db, &message.key).await
}

async fn deliveries(db: &Db, key: &str) -> HashMap<MemberId, Delivery> {
    db.repos()
        .deliveries_of(key)
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.member_id, d))
        .collect()
}

async fn delivery(db: &Db, id: DeliveryId) -> Delivery {
    db.repos().job(id).await.unwrap().unwrap().0
}

fn members(n: usize) -> Vec<MemberId> {
    (0..n).map(|_| MemberId::new()).collect()
}

fn update(
    status: DeliveryStatus,
    next: Option<DateTime<Utc>>,
    error: Option<&str>,
    sent: Option<DateTime<Utc>>,
) -> DeliveryUpdate {
    DeliveryUpdate {
        status,
        next_attempt_at: next,
        last_error: error.map(str::to_owned),
        sent_at: sent,
    }
}

#[tokio::test]
async fn a_message_is_stored_once_per_key_with_one_pending_delivery_per_member() {
    let (_t, db) = database().await;
    let m = PushMessage {
        expires_at: Some(at(3600)),
        ..message("material:1:r1", "material:1")
    };
    let who = members(2);

    let stored = enqueue(&db, &m, &[who[0], who[1], who[0]], at(60)).await;

    assert_eq!(stored.len(), 2);
    for member in &who {
        let d = &stored[member];
        assert_eq!(d.message_id, m.id);
        assert_eq!(d.status, DeliveryStatus::Pending);
        assert_eq!(d.attempts, 0);
        assert_eq!(d.next_attempt_at, at(60));
        assert_eq!(
            (&d.lease_owner, d.lease_until, &d.last_error, d.sent_at),
            (&None, None, &None, None)
        );
        let (job, of) = db.repos().job(d.id).await.unwrap().unwrap();
        assert_eq!(&job, d);
        assert_eq!(of, m);
    }
    assert!(db.repos().message_exists(&m.key).await.unwrap());
    assert!(!db.repos().message_exists("material:1:r2").await.unwrap());

    // The same key again (a retried publish) stores nothing, for whomever it was meant.
    let again = message("material:1:r1", "material:1");
    let late = MemberId::new();
    assert!(!db.repos().enqueue(&again, &[late], at(0)).await.unwrap());
    assert_eq!(deliveries(&db, &m.key).await, stored);
    assert!(db
        .repos()
        .deliveries_of("material:9:r1")
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn an_enqueue_reaches_every_member_however_many_there_are() {
    let (_t, db) = database().await;
    let who = members(1201);

    let stored = enqueue(&db, &message("reminder:big", "activity:big"), &who, at(0)).await;

    assert_eq!(stored.len(), who.len());
    assert!(who.iter().all(|m| stored.contains_key(m)));
}

#[tokio::test]
async fn due_deliveries_are_the_pending_ones_whose_time_came_oldest_first_up_to_a_limit() {
    let (_t, db) = database().await;
    let who = members(5);
    let early = enqueue(&db, &message("k1", "s1"), &who[0..1], at(-60)).await;
    let now_due = enqueue(&db, &message("k2", "s2"), &who[1..3], at(0)).await;
    let later = enqueue(&db, &message("k3", "s3"), &who[3..4], at(1)).await;
    let claimed = enqueue(&db, &message("k4", "s4"), &who[4..5], at(-120)).await;
    let claimed_id = claimed[&who[4]].id;
    assert!(db
        .repos()
        .claim(claimed_id, "w1", at(0), at(30))
        .await
        .unwrap());
    let mut tied = [now_due[&who[1]].id, now_due[&who[2]].id];
    tied.sort();

    let due = db.repos().due(at(0), 10).await.unwrap();

    assert_eq!(due, [early[&who[0]].id, tied[0], tied[1]]);
    assert_eq!(
        db.repos().due(at(0), 2).await.unwrap(),
        [early[&who[0]].id, tied[0]]
    );
    assert_eq!(
        db.repos().due(at(1), 10).await.unwrap(),
        [early[&who[0]].id, tied[0], tied[1], later[&who[3]].id]
    );
    assert!(db.repos().due(at(-61), 10).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_delivery_is_claimed_by_one_worker_and_the_claim_counts_an_attempt() {
    let (_t, db) = database().await;
    let who = members(2);
    let due = enqueue(&db, &message("k1", "s1"), &who[0..1], at(0)).await[&who[0]].clone();
    let not_yet = enqueue(&db, &message("k2", "s2"), &who[1..2], at(60)).await[&who[1]].clone();
    let repos = db.repos();

    assert!(repos.claim(due.id, "w1", at(0), at(30)).await.unwrap());
    assert!(!repos.claim(due.id, "w2", at(1), at(31)).await.unwrap());
    let held = delivery(&db, due.id).await;
    assert_eq!(held.status, DeliveryStatus::Sending);
    assert_eq!(held.lease_owner.as_deref(), Some("w1"));
    assert_eq!(held.lease_until, Some(at(30)));
    assert_eq!(held.attempts, 1);
    assert_eq!(held.updated_at, at(0));

    assert!(!repos.claim(not_yet.id, "w1", at(59), at(90)).await.unwrap());
    assert_eq!(delivery(&db, not_yet.id).await, not_yet);
    assert!(repos.claim(not_yet.id, "w1", at(60), at(90)).await.unwrap());
    assert!(!repos
        .claim(DeliveryId::new(), "w1", at(60), at(90))
        .await
        .unwrap());
}

#[tokio::test]
async fn racing_workers_win_a_delivery_once() {
    let (_t, db) = database().await;
    let who = members(1);
    let d = enqueue(&db, &message("k1", "s1"), &who, at(0)).await[&who[0]].id;
    let db = Arc::new(db);

    let workers: Vec<_> = (0..8)
        .map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                db.repos()
                    .claim(d, &format!("w{i}"), at(1), at(60))
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut winners = 0;
    for w in workers {
        if w.await.unwrap() {
            winners += 1;
        }
    }

    assert_eq!(winners, 1);
    assert_eq!(delivery(&db, d).await.attempts, 1);
}

#[tokio::test]
async fn finishing_needs_the_lease_and_may_put_the_delivery_back_in_line() {
    let (_t, db) = database().await;
    let who = members(1);
    let d = enqueue(&db, &message("k1", "s1"), &who, at(0)).await[&who[0]].id;
    let repos = db.repos();
    assert!(repos.claim(d, "w1", at(0), at(60)).await.unwrap());

    let retry = update(
        DeliveryStatus::Pending,
        Some(at(300)),
        Some(&"忙".repeat(300)),
        None,
    );
    assert!(!repos.finish(d, "w2", &retry, at(10)).await.unwrap());
    assert!(repos.finish(d, "w1", &retry, at(10)).await.unwrap());
    // Finished once: the lease is gone, so a second outcome is refused.
    assert!(!repos.finish(d, "w1", &retry, at(11)).await.unwrap());

    let waiting = delivery(&db, d).await;
    assert_eq!(waiting.status, DeliveryStatus::Pending);
    assert_eq!((waiting.lease_owner, waiting.lease_until), (None, None));
    assert_eq!(waiting.next_attempt_at, at(300));
    assert_eq!(waiting.attempts, 1);
    assert_eq!(waiting.updated_at, at(10));
    assert_eq!(waiting.last_error, Some("忙".repeat(250)));
    assert!(repos.due(at(299), 10).await.unwrap().is_empty());
    assert_eq!(repos.due(at(300), 10).await.unwrap(), [d]);

    assert!(repos.claim(d, "w2", at(300), at(360)).await.unwrap());
    let sent = update(DeliveryStatus::Sent, None, None, Some(at(301)));
    assert!(repos.finish(d, "w2", &sent, at(301)).await.unwrap());
    let done = delivery(&db, d).await;
    assert_eq!(done.status, DeliveryStatus::Sent);
    assert_eq!(done.attempts, 2);
    assert_eq!(done.sent_at, Some(at(301)));
    assert_eq!(done.last_error, None);
    // No new time given: the last one stays.
    assert_eq!(done.next_attempt_at, at(300));
    assert!(repos.due(at(1000), 10).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_lease_that_ran_out_leaves_the_delivery_unknown_never_sent_again() {
    let (_t, db) = database().await;
    let who = members(2);
    let sent = enqueue(&db, &message("k1", "s1"), &who, at(0)).await;
    let (stuck, waiting) = (sent[&who[0]].id, sent[&who[1]].id);
    let repos = db.repos();
    assert!(repos.claim(stuck, "w1", at(0), at(60)).await.unwrap());

    // At the lease's last instant it still holds.
    assert_eq!(repos.expire_leases(at(60)).await.unwrap(), 0);
    assert_eq!(delivery(&db, stuck).await.status, DeliveryStatus::Sending);
    assert_eq!(repos.expire_leases(at(61)).await.unwrap(), 1);

    let lost = delivery(&db, stuck).await;
    assert_eq!(lost.status, DeliveryStatus::Unknown);
    assert!(lost.last_error.is_some());
    assert_eq!(lost.updated_at, at(61));
    assert_eq!(delivery(&db, waiting).await.status, DeliveryStatus::Pending);
    let late = update(DeliveryStatus::Sent, None, None, Some(at(62)));
    assert!(!repos.finish(stuck, "w1", &late, at(62)).await.unwrap());
    assert!(!repos.claim(stuck, "w2", at(62), at(120)).await.unwrap());
    assert_eq!(repos.due(at(62), 10).await.unwrap(), [waiting]);
    assert_eq!(repos.expire_leases(at(1000)).await.unwrap(), 0);
}

#[tokio::test]
async fn cancelling_a_subject_cancels_its_pending_deliveries_only() {
    let (_t, db) = database().await;
    let who = members(3);
    let r1 = enqueue(&db, &message("m:x:r1", "material:x"), &who[0..2], at(0)).await;
    let r2 = enqueue(
        &db,
        &message("m:x:r2", "material:x"),
        &[who[0], who[2]],
        at(0),
    )
    .await;
    let other = enqueue(&db, &message("m:y:r1", "material:y"), &who[0..1], at(0)).await;
    let in_flight = r1[&who[0]].id;
    assert!(db
        .repos()
        .claim(in_flight, "w1", at(0), at(60))
        .await
        .unwrap());

    assert_eq!(
        db.repos()
            .cancel_pending("material:x", at(10))
            .await
            .unwrap(),
        3
    );

    for d in [r1[&who[1]].id, r2[&who[0]].id, r2[&who[2]].id] {
        let cancelled = delivery(&db, d).await;
        assert_eq!(cancelled.status, DeliveryStatus::Cancelled);
        assert_eq!(cancelled.updated_at, at(10));
    }
    assert_eq!(
        delivery(&db, in_flight).await.status,
        DeliveryStatus::Sending
    );
    assert_eq!(
        delivery(&db, other[&who[0]].id).await.status,
        DeliveryStatus::Pending
    );
    assert_eq!(
        db.repos()
            .cancel_pending("material:x", at(20))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        db.repos()
            .cancel_pending("material:z", at(20))
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn stats_count_deliveries_by_status_and_the_backlog_due_now() {
    let (_t, db) = database().await;
    let empty = db.repos().stats(at(0)).await.unwrap();
    assert!(empty.by_status.is_empty());
    assert_eq!((empty.due, empty.oldest_due), (0, None));

    let who = members(6);
    let overdue = enqueue(&db, &message("k1", "s1"), &who[0..3], at(-120)).await;
    enqueue(&db, &message("k2", "s2"), &who[3..4], at(0)).await;
    enqueue(&db, &message("k3", "s3"), &who[4..6], at(60)).await;
    let repos = db.repos();
    let (sending, sent) = (overdue[&who[0]].id, overdue[&who[1]].id);
    assert!(repos.claim(sending, "w1", at(-100), at(600)).await.unwrap());
    assert!(repos.claim(sent, "w1", at(-100), at(600)).await.unwrap());
    let done = update(DeliveryStatus::Sent, None, None, Some(at(-90)));
    assert!(repos.finish(sent, "w1", &done, at(-90)).await.unwrap());

    let stats = repos.stats(at(0)).await.unwrap();

    let by_status: HashMap<_, _> = stats.by_status.into_iter().collect();
    assert_eq!(
        by_status,
        HashMap::from([
            (DeliveryStatus::Pending, 4),
            (DeliveryStatus::Sending, 1),
            (DeliveryStatus::Sent, 1),
        ])
    );
    // Due now counts: the overdue one and the one due this instant.
    assert_eq!(stats.due, 2);
    assert_eq!(stats.oldest_due, Some(at(-120)));
}

#[tokio::test]
async fn the_job_of_an_unknown_delivery_is_none() {
    let (_t, db) = database().await;

    assert!(db.repos().job(DeliveryId::new()).await.unwrap().is_none());
}

#[tokio::test]
async fn consents_accumulate_and_are_spent_one_at_a_time() {
    let (_t, db, town) = township().await;
    let repos = db.repos();
    let me = town.member_a.id;

    assert_eq!(repos.add_consent(me, "tmpl-b", at(0)).await.unwrap(), 1);
    assert_eq!(repos.add_consent(me, "tmpl-b", at(1)).await.unwrap(), 2);
    assert_eq!(repos.add_consent(me, "tmpl-a", at(2)).await.unwrap(), 1);
    assert_eq!(
        repos
            .add_consent(town.member_a2.id, "tmpl-b", at(3))
            .await
            .unwrap(),
        1
    );
    let balances = |member: MemberId| {
        let repos = db.repos();
        async move {
            SubscriptionRepo::of_member(&repos, member)
                .await
                .unwrap()
                .into_iter()
                .map(|s| (s.template_id, s.balance))
                .collect::<std::collections::BTreeMap<_, _>>()
                .into_iter()
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        balances(me).await,
        [("tmpl-a".to_owned(), 1), ("tmpl-b".to_owned(), 2)]
    );

    assert!(repos.take_consent(me, "tmpl-b", at(10)).await.unwrap());
    assert!(repos.take_consent(me, "tmpl-b", at(11)).await.unwrap());
    assert!(!repos.take_consent(me, "tmpl-b", at(12)).await.unwrap());
    assert!(!repos.take_consent(me, "tmpl-none", at(12)).await.unwrap());
    repos.give_back_consent(me, "tmpl-b", at(13)).await.unwrap();
    assert_eq!(
        balances(me).await,
        [("tmpl-a".to_owned(), 1), ("tmpl-b".to_owned(), 1)]
    );
    repos.clear_consent(me, "tmpl-a", at(14)).await.unwrap();
    assert!(!repos.take_consent(me, "tmpl-a", at(15)).await.unwrap());

    let stored = SubscriptionRepo::of_member(&repos, me).await.unwrap();
    let cleared = stored.iter().find(|s| s.template_id == "tmpl-a").unwrap();
    assert_eq!((cleared.balance, cleared.updated_at), (0, at(14)));
    assert_eq!(
        balances(town.member_a2.id).await,
        [("tmpl-b".to_owned(), 1)]
    );
    assert!(balances(MemberId::new()).await.is_empty());
}
