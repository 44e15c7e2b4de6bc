//! Erasing requesters' personal data (PIPL) a set time after a request is over: what goes,
//! what stays for the statistics (the report's figures, claims, the hours ledger), nothing
//! before the time, and one erasure however many runs there are at once.

use chrono::{DateTime, Duration, TimeZone, Utc};
use reqwest::Method;
use sea_orm::EntityTrait;
use serde_json::{json, Value};
use tests::fixtures::Township;
use tests::TestApp;

use crate::volunteer_report::{month, report};
use domain::audit::{AuditEntry, AuditRepo};
use domain::clock::Clock;
use domain::org::Member;
use domain::page::PageRequest;
use domain::platform::JobLeaseRepo;
use domain::volunteer::service::{
    erase_personal_data, ErasureOutcome, ERASURE_ACTION, ERASURE_JOB,
};
use domain::volunteer::Retention;
use infra::entity::service_request;

const REPORT: &str = "/api/v1/reports/volunteer?month=2026-11";

async fn run(app: &TestApp, owner: &str) -> ErasureOutcome {
    erase_personal_data(&app.db, &app.clock, Retention::default(), owner)
        .await
        .unwrap()
}

async fn erasure_audits(app: &TestApp) -> Vec<AuditEntry> {
    let page = AuditRepo::list(&app.db.repos(), None, &PageRequest::first(100))
        .await
        .unwrap();
    page.items
        .into_iter()
        .filter(|e| e.action.as_str() == ERASURE_ACTION)
        .collect()
}

async fn row(app: &TestApp, id: &str) -> service_request::Model {
    service_request::Entity::find_by_id(id.parse::<uuid::Uuid>().unwrap())
        .one(app.db.connection())
        .await
        .unwrap()
        .unwrap()
}

async fn read(app: &TestApp, who: &Member, id: &str) -> (u16, Value) {
    app.call(
        who,
        Method::GET,
        &format!("/api/v1/service-requests/{id}"),
        None,
    )
    .await
}

fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 1, 0, 0).single().unwrap()
}

async fn ledger(app: &TestApp, who: &Member) -> Value {
    let (s, l) = app
        .call(who, Method::GET, "/api/v1/me/volunteer-hours", None)
        .await;
    assert_eq!(s, 200, "{l}");
    l
}

#[tokio::test]
async fn erasure_removes_the_requesters_data_a_set_time_after_the_request_is_over_and_keeps_the_figures(
) {
    let m = month().await;
    let (app, t) = (&m.app, &m.t);
    // The on-time request closed on 5 November, the late one on 9 November.
    let closed_at = row(app, &m.on_time).await.closed_at.unwrap();

    // A day before its 180 days are up: nothing happens.
    app.clock
        .set(closed_at + Duration::days(180) - Duration::seconds(1));
    assert_eq!(run(app, "here").await, ErasureOutcome::default());
    assert_eq!(
        row(app, &m.on_time).await.contact_name.as_deref(),
        Some("王阿婆")
    );
    assert!(erasure_audits(app).await.is_empty());

    // Later, when both are due: the figures before.
    app.clock.set(at(2027, 5, 10));
    let (_, before) = report(app, &t.admin, REPORT).await;
    let hours_before = ledger(app, &t.member_a).await;
    assert_eq!(run(app, "here").await.erased, 2);

    // The stored rows hold nothing personal any more; the statistics stay.
    for id in [&m.on_time, &m.late] {
        let r = row(app, id).await;
        assert_eq!(
            (
                r.contact_name.as_deref(),
                r.contact_phone.as_deref(),
                r.address.as_deref(),
                r.preferred_time.as_deref(),
                r.rating_comment.as_deref(),
                r.summary.as_deref(),
            ),
            (None, None, None, None, None, None),
            "{id}"
        );
        assert_eq!(
            (r.title.as_str(), r.description.as_str(), r.photos.as_str()),
            ("（已清除）", "", "[]")
        );
        assert_eq!(r.erased_at, Some(app.clock.now()));
        assert_eq!(r.state, "closed");
        assert!(r.rating.is_some() && r.completed_at.is_some() && r.complete_due.is_some());
    }
    // Open requests keep everything.
    let open = row(app, &m.overdue).await;
    assert_eq!(
        (open.contact_phone.as_deref(), open.erased_at),
        (Some("13800005678"), None)
    );

    // As the API shows it: no contact, no text, no 500; volunteers and rating still there.
    for who in [&t.operator, &t.member_a2, &t.member_a] {
        let (s, r) = read(app, who, &m.on_time).await;
        assert_eq!(s, 200, "{r}");
        assert_eq!(r["contact"], Value::Null, "{r}");
        assert_eq!(
            (r["title"].as_str(), r["description"].as_str()),
            (Some("（已清除）"), Some(""))
        );
        assert_eq!(r["preferredTime"], Value::Null);
        assert_eq!(r["summary"], Value::Null);
        assert_eq!(r["ratingComment"], Value::Null);
        assert_eq!(r["erasedAt"], "2027-05-10T09:00:00+08:00");
        assert_eq!(r["rating"], 5);
        assert_eq!(r["volunteers"].as_array().map(Vec::len), Some(1), "{r}");
        let text = r.to_string();
        for personal in ["王阿婆", "13800005678", "新舍村", "帮忙买药", "腿脚不便"] {
            assert!(!text.contains(personal), "{personal} in {text}");
        }
    }
    let (s, open) = read(app, &t.operator, &m.overdue).await;
    assert_eq!(
        (s, open["contact"]["phone"].as_str()),
        (200, Some("13800005678"))
    );

    // The report and the ledger count as before.
    let (_, after) = report(app, &t.admin, REPORT).await;
    assert_eq!(after, before);
    assert_eq!(after["totals"]["requests"], 5);
    assert_eq!(after["totals"]["ratings"], 2);
    assert_eq!(ledger(app, &t.member_a).await, hours_before);
    assert_eq!(
        ledger(app, &t.member_b).await["totals"]["serviceMinutes"],
        60
    );

    // One audit entry for the run, naming the count and the township; again, nothing.
    let audits = erasure_audits(app).await;
    assert_eq!(audits.len(), 1, "{audits:?}");
    assert_eq!(audits[0].object_id, "2");
    assert_eq!(audits[0].actor, None);
    assert_eq!(audits[0].org_id, Some(t.committee.id.as_uuid()));
    assert_eq!(run(app, "here").await.erased, 0);
    assert_eq!(erasure_audits(app).await.len(), 1);
}

/// Three requests filed by member A2 and cancelled on 5 November.
async fn cancelled(app: &TestApp, t: &Township) -> Vec<String> {
    let mut ids = Vec::new();
    for title in ["修灯", "送米", "理发"] {
        let (s, r) = app
            .call(
                &t.member_a2,
                Method::POST,
                "/api/v1/service-requests",
                Some(json!({
                    "kind": "hotline", "title": title, "description": "张大爷家",
                    "address": "盖北镇新舍村3号", "contactName": "张大爷", "contactPhone": "13900001111",
                })),
            )
            .await;
        assert_eq!(s, 201, "{r}");
        let id = r["id"].as_str().unwrap().to_owned();
        let (s, r) = app
            .call(
                &t.member_a2,
                Method::POST,
                &format!("/api/v1/service-requests/{id}/cancel"),
                Some(json!({"note": "王阿婆已住院，电话13700000001"})),
            )
            .await;
        assert_eq!((s, r["state"].as_str()), (200, Some("cancelled")), "{r}");
        ids.push(id);
    }
    ids
}

#[tokio::test]
async fn erasure_waits_for_a_held_lease_and_two_runs_at_once_erase_each_request_once() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let ids = cancelled(&app, &t).await;
    app.clock.set(at(2027, 5, 10));
    let now = app.clock.now();

    // Another instance holds the lease: this one does nothing.
    let repos = app.db.repos();
    assert!(JobLeaseRepo::acquire(
        &repos,
        ERASURE_JOB,
        "elsewhere",
        now,
        now + Duration::hours(1)
    )
    .await
    .unwrap());
    assert!(
        !JobLeaseRepo::acquire(&repos, ERASURE_JOB, "here", now, now + Duration::hours(1))
            .await
            .unwrap()
    );
    assert_eq!(
        run(&app, "here").await,
        ErasureOutcome {
            erased: 0,
            skipped: true
        }
    );
    assert!(row(&app, &ids[0]).await.erased_at.is_none());

    // Once it has run out, two instances at once: each request erased once, one entry.
    app.clock.advance(Duration::hours(2));
    let (a, b) = tokio::join!(run(&app, "instance-a"), run(&app, "instance-b"));
    assert_eq!(a.erased + b.erased, 3, "{a:?} {b:?}");
    let audits = erasure_audits(&app).await;
    assert_eq!(audits.len(), 1, "{audits:?}");
    assert_eq!(audits[0].object_id, "3");
    for id in &ids {
        let r = row(&app, id).await;
        assert_eq!((r.contact_name, r.erased_at), (None, Some(app.clock.now())));
        assert_eq!(r.state, "cancelled");
        // The cancellation's note named the requester: only the state's label is left.
        let (_, seen) = read(&app, &t.operator, id).await;
        let notes: Vec<&str> = seen["statusNotes"]
            .as_array()
            .map(|a| a.iter().filter_map(|n| n["note"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(notes, ["已提交", "已撤销"], "{seen}");
    }
    // The lease was given back: the next run goes ahead, with nothing left to do.
    assert_eq!(run(&app, "instance-b").await, ErasureOutcome::default());
}
