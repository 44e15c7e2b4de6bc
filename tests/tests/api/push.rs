//! Subscribe-message push through a stand-in for WeChat: the outbox written with what
//! causes it, workers claiming deliveries with leases, consents spent and given back,
//! retries, 43101, crashed sends, activity reminders, review notices and obligation
//! notices to branch secretaries.

use chrono::Duration;
use reqwest::Method;
use serde_json::{json, Value};
use tests::fixtures::Township;
use tests::{
    TestApp, TestOptions, TEST_TEMPLATE_MATERIAL, TEST_TEMPLATE_OBLIGATION, TEST_TEMPLATE_REMINDER,
    TEST_TEMPLATE_REVIEW,
};
use wiremock::matchers::{body_partial_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use api::push::PushWorker;
use domain::auth::{ExternalIdentity, ExternalIdentityRepo};
use domain::clock::Clock;
use domain::org::Member;
use domain::push::{DeliveryStatus, PushRepo};

const SEND: &str = "/cgi-bin/message/subscribe/send";

fn options(server: &MockServer) -> TestOptions {
    TestOptions {
        wechat_base: Some(server.uri()),
        ..TestOptions::default()
    }
}

/// A WeChat stand-in that hands out access tokens.
async fn wechat() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/cgi-bin/stable_token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(r#"{"access_token":"push-token","expires_in":7200}"#),
        )
        .mount(&server)
        .await;
    server
}

fn ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_string(r#"{"errcode":0,"errmsg":"ok"}"#)
}

fn errcode(code: i64) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_string(format!(r#"{{"errcode":{code},"errmsg":"x"}}"#))
}

/// WeChat answers sends whose body contains `body` with `answer`, exactly `times` times.
async fn sends(server: &MockServer, body: Value, answer: ResponseTemplate, times: u64) {
    Mock::given(method("POST"))
        .and(path(SEND))
        .and(query_param("access_token", "push-token"))
        .and(body_partial_json(body))
        .respond_with(answer)
        .up_to_n_times(times)
        .expect(times)
        .mount(server)
        .await;
}

/// Any other send fails the test (checked when the stand-in stops).
async fn nothing_else_is_sent(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path(SEND))
        .respond_with(ok())
        .expect(0)
        .mount(server)
        .await;
}

async fn bind(app: &TestApp, member: &Member, openid: &str) {
    app.db
        .repos()
        .link(&ExternalIdentity {
            provider: "wechat".into(),
            subject: openid.into(),
            member_id: member.id,
            linked_at: app.clock.now(),
        })
        .await
        .unwrap();
}

async fn consent(app: &TestApp, who: &Member, template: &str, times: usize) {
    for _ in 0..times {
        let (s, body) = app
            .call(
                who,
                Method::POST,
                "/api/v1/me/subscriptions",
                Some(json!({ "templateId": template })),
            )
            .await;
        assert_eq!(s, 200, "{body}");
    }
}

async fn balance(app: &TestApp, who: &Member, template: &str) -> i64 {
    let (s, body) = app
        .call(who, Method::GET, "/api/v1/me/subscriptions", None)
        .await;
    assert_eq!(s, 200, "{body}");
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["templateId"] == template)
        .map_or(0, |i| i["balance"].as_i64().unwrap())
}

async fn publish(app: &TestApp, who: &Member, body: Value) -> String {
    app.clock.advance(Duration::seconds(1));
    let (s, m) = app
        .call(who, Method::POST, "/api/v1/materials", Some(body))
        .await;
    assert_eq!(s, 201, "{m}");
    m["id"].as_str().unwrap().to_owned()
}

fn material(title: &str, org: &domain::org::Org) -> Value {
    json!({
        "title": title,
        "summary": "摘要",
        "body": "<p>正文</p>",
        "category": "party_constitution",
        "required": true,
        "audience": {"orgId": org.id},
    })
}

fn worker(app: &TestApp, name: &str) -> PushWorker {
    PushWorker::from_state(&app.state, Some(name.to_owned())).expect("push is configured")
}

/// Each member's delivery status (and last error) for the message with `key`.
async fn statuses(
    app: &TestApp,
    key: &str,
) -> Vec<(domain::org::MemberId, DeliveryStatus, Option<String>)> {
    app.db
        .repos()
        .deliveries_of(key)
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.member_id, d.status, d.last_error))
        .collect()
}

fn status_of(
    list: &[(domain::org::MemberId, DeliveryStatus, Option<String>)],
    who: &Member,
) -> (DeliveryStatus, Option<String>) {
    list.iter()
        .find(|(m, _, _)| *m == who.id)
        .map(|(_, s, e)| (*s, e.clone()))
        .unwrap_or_else(|| panic!("no delivery to {}", who.name))
}

#[tokio::test]
async fn a_material_reaches_each_consenting_member_once_even_with_two_workers() {
    let server = wechat().await;
    let (a, b) = TestApp::spawn_pair_with(options(&server)).await;
    let t = Township::create(&a.db, a.clock.now()).await;
    bind(&a, &t.member_a, "o-member-a").await;
    bind(&a, &t.member_a2, "o-member-a2").await;
    bind(&a, &t.member_b, "o-member-b").await;
    consent(&a, &t.member_a, TEST_TEMPLATE_MATERIAL, 2).await;
    consent(&a, &t.member_b, TEST_TEMPLATE_MATERIAL, 1).await;
    let long = "学习贯彻党的二十届三中全会精神专题党课第一讲（上）";
    let cut: String = long.chars().take(19).chain(['…']).collect();
    sends(
        &server,
        json!({
            "touser": "o-member-a",
            "template_id": TEST_TEMPLATE_MATERIAL,
            "data": {"thing1": {"value": cut}, "thing2": {"value": "党章"}},
        }),
        ok(),
        1,
    )
    .await;
    sends(
        &server,
        json!({"touser": "o-member-a", "data": {"thing1": {"value": "第二讲（修订）"}}}),
        ok(),
        1,
    )
    .await;
    nothing_else_is_sent(&server).await;

    let id = publish(&a, &t.secretary_a, material(long, &t.branch_a)).await;
    let (wa, wb) = (worker(&a, "worker-a"), worker(&b, "worker-b"));
    let (ra, rb) = tokio::join!(wa.run_once(), wb.run_once());
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(ra.sent + rb.sent, 1, "{ra:?} {rb:?}");
    // Branch A's five members each have one delivery; member B is outside the audience.
    let list = statuses(&a, &format!("material:{id}:r1")).await;
    assert_eq!(list.len(), 5, "{list:?}");
    assert_eq!(status_of(&list, &t.member_a).0, DeliveryStatus::Sent);
    assert_eq!(
        status_of(&list, &t.member_a2),
        (DeliveryStatus::Skipped, Some("no_consent".into()))
    );
    assert_eq!(
        status_of(&list, &t.secretary_a),
        (DeliveryStatus::Skipped, Some("wechat_not_bound".into()))
    );
    assert_eq!(balance(&a, &t.member_a, TEST_TEMPLATE_MATERIAL).await, 1);
    assert_eq!(balance(&a, &t.member_b, TEST_TEMPLATE_MATERIAL).await, 1);
    // Nothing is due any more, on either instance.
    let again = worker(&b, "worker-b").run_once().await.unwrap();
    assert_eq!(again.sent + again.skipped, 0, "{again:?}");
    // The outbox as an operator's metrics show it.
    let metrics = a.metrics_text().await;
    for series in [
        r#"push_deliveries{status="sent"} 1"#,
        r#"push_deliveries{status="skipped"} 4"#,
        "push_deliveries_due 0",
    ] {
        assert!(metrics.contains(series), "{series} missing:\n{metrics}");
    }

    // An edit pushes nothing unless it asks to.
    let path = format!("/api/v1/materials/{id}");
    let (s, m) = a
        .call(
            &t.secretary_a,
            Method::PATCH,
            &path,
            Some(json!({"title": "第二讲"})),
        )
        .await;
    assert_eq!(s, 200, "{m}");
    worker(&a, "worker-a").run_once().await.unwrap();
    assert!(statuses(&a, &format!("material:{id}:r2")).await.is_empty());
    let (s, m) = a
        .call(
            &t.secretary_a,
            Method::PATCH,
            &path,
            Some(json!({"title": "第二讲（修订）", "notify": true})),
        )
        .await;
    assert_eq!(s, 200, "{m}");
    let r = worker(&b, "worker-b").run_once().await.unwrap();
    assert_eq!(r.sent, 1, "{r:?}");
    assert_eq!(balance(&a, &t.member_a, TEST_TEMPLATE_MATERIAL).await, 0);
}

#[tokio::test]
async fn a_failed_send_is_retried_after_its_backoff_and_a_refusal_is_not() {
    let server = wechat().await;
    let app = TestApp::spawn_with(options(&server)).await;
    let t = Township::create(&app.db, app.clock.now()).await;
    bind(&app, &t.member_a, "o-member-a").await;
    bind(&app, &t.member_a2, "o-member-a2").await;
    consent(&app, &t.member_a, TEST_TEMPLATE_MATERIAL, 1).await;
    consent(&app, &t.member_a2, TEST_TEMPLATE_MATERIAL, 1).await;
    // WeChat is busy the first time for member A, then takes it; member A2 refuses.
    sends(&server, json!({"touser": "o-member-a"}), errcode(-1), 1).await;
    sends(&server, json!({"touser": "o-member-a"}), ok(), 1).await;
    sends(&server, json!({"touser": "o-member-a2"}), errcode(43101), 1).await;
    nothing_else_is_sent(&server).await;

    let id = publish(&app, &t.secretary_a, material("党课", &t.branch_a)).await;
    let key = format!("material:{id}:r1");
    let w = worker(&app, "worker");
    // A retryable failure ends a round (WeChat is busy): whatever came after it in the
    // queue goes in the next round, at the same instant.
    let r1 = w.run_once().await.unwrap();
    assert_eq!(r1.retrying, 1, "{r1:?}");
    let r2 = w.run_once().await.unwrap();
    assert_eq!(
        (r1.refused + r2.refused, r1.sent + r2.sent, r2.retrying),
        (1, 0, 0),
        "{r1:?} {r2:?}"
    );
    // The failed send gave its consent back; the refusal leaves none.
    assert_eq!(balance(&app, &t.member_a, TEST_TEMPLATE_MATERIAL).await, 1);
    assert_eq!(balance(&app, &t.member_a2, TEST_TEMPLATE_MATERIAL).await, 0);
    assert_eq!(
        status_of(&statuses(&app, &key).await, &t.member_a).0,
        DeliveryStatus::Pending
    );
    // Not before the backoff (30 s) has passed.
    app.clock.advance(Duration::seconds(29));
    assert_eq!(w.run_once().await.unwrap().sent, 0);
    app.clock.advance(Duration::seconds(2));
    assert_eq!(w.run_once().await.unwrap().sent, 1);
    app.clock.advance(Duration::hours(2));
    let r = w.run_once().await.unwrap();
    assert_eq!(r.sent + r.retrying + r.refused, 0, "{r:?}");
    let list = statuses(&app, &key).await;
    assert_eq!(status_of(&list, &t.member_a).0, DeliveryStatus::Sent);
    assert_eq!(status_of(&list, &t.member_a2).0, DeliveryStatus::Refused);
    assert_eq!(balance(&app, &t.member_a, TEST_TEMPLATE_MATERIAL).await, 0);
}

#[tokio::test]
async fn a_send_left_unfinished_by_a_crash_is_marked_unknown_and_never_resent() {
    let server = wechat().await;
    let app = TestApp::spawn_with(options(&server)).await;
    let t = Township::create(&app.db, app.clock.now()).await;
    bind(&app, &t.member_a, "o-member-a").await;
    consent(&app, &t.member_a, TEST_TEMPLATE_MATERIAL, 1).await;
    nothing_else_is_sent(&server).await;
    let id = publish(&app, &t.secretary_a, material("党课", &t.branch_a)).await;
    // A worker claims everything due, then dies before finishing.
    let repos = app.db.repos();
    let now = app.clock.now();
    let due = repos.due(now, 100).await.unwrap();
    assert_eq!(due.len(), 5);
    for d in &due {
        assert!(repos
            .claim(*d, "crashed", now, now + Duration::minutes(5))
            .await
            .unwrap());
        // A second claim of the same delivery loses.
        assert!(!repos
            .claim(*d, "other", now, now + Duration::minutes(5))
            .await
            .unwrap());
    }
    let w = worker(&app, "survivor");
    // While the lease runs, nobody touches the rows.
    app.clock.advance(Duration::minutes(4));
    let r = w.run_once().await.unwrap();
    assert_eq!((r.expired, r.sent), (0, 0), "{r:?}");
    app.clock.advance(Duration::minutes(2));
    let r = w.run_once().await.unwrap();
    assert_eq!((r.expired, r.sent), (5, 0), "{r:?}");
    let list = statuses(&app, &format!("material:{id}:r1")).await;
    assert!(
        list.iter().all(|(_, s, _)| *s == DeliveryStatus::Unknown),
        "{list:?}"
    );
}

#[tokio::test]
async fn withdrawing_a_scheduled_material_cancels_its_push() {
    let server = wechat().await;
    let app = TestApp::spawn_with(options(&server)).await;
    let t = Township::create(&app.db, app.clock.now()).await;
    bind(&app, &t.member_a, "o-member-a").await;
    consent(&app, &t.member_a, TEST_TEMPLATE_MATERIAL, 1).await;
    nothing_else_is_sent(&server).await;
    let mut body = material("下月党课", &t.branch_a);
    body["publishAt"] = json!((app.clock.now() + Duration::hours(1)).to_rfc3339());
    let id = publish(&app, &t.secretary_a, body).await;
    let w = worker(&app, "worker");
    // Not before its publish time.
    assert_eq!(w.run_once().await.unwrap().sent, 0);
    let (s, m) = app
        .call(
            &t.secretary_a,
            Method::POST,
            &format!("/api/v1/materials/{id}/unpublish"),
            None,
        )
        .await;
    assert_eq!(s, 200, "{m}");
    app.clock.advance(Duration::hours(2));
    assert_eq!(w.run_once().await.unwrap().sent, 0);
    let list = statuses(&app, &format!("material:{id}:r1")).await;
    assert!(
        list.iter().all(|(_, s, _)| *s == DeliveryStatus::Cancelled),
        "{list:?}"
    );
    assert_eq!(balance(&app, &t.member_a, TEST_TEMPLATE_MATERIAL).await, 1);
}

fn rfc(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339()
}

/// A theme day on branch A; answers its id and the reminder key of its start.
async fn theme_day(app: &TestApp, t: &Township, starts_in_minutes: i64) -> (String, String) {
    let start = app.clock.now() + Duration::minutes(starts_in_minutes);
    let (s, a) = app
        .call(
            &t.secretary_a,
            Method::POST,
            &format!("/api/v1/orgs/{}/activities", t.branch_a.id),
            Some(json!({
                "kind": "theme_day",
                "themeCategory": "study",
                "title": "重温入党誓词",
                "place": "村党群服务中心",
                "startsAt": rfc(start),
                "endsAt": rfc(start + Duration::hours(1)),
                "proof": "location",
                "geofence": {"center": {"lat": 30.0, "lng": 120.0}, "radiusM": 100.0},
            })),
        )
        .await;
    assert_eq!(s, 201, "{a}");
    let id = a["id"].as_str().unwrap().to_owned();
    let key = format!("reminder:{id}:{}", start.timestamp());
    (id, key)
}

#[tokio::test]
async fn a_reminder_goes_to_the_expected_members_once_before_the_theme_day() {
    let server = wechat().await;
    let (a, b) = TestApp::spawn_pair_with(options(&server)).await;
    let t = Township::create(&a.db, a.clock.now()).await;
    bind(&a, &t.member_a, "o-member-a").await;
    bind(&a, &t.member_a2, "o-member-a2").await;
    bind(&a, &t.member_b, "o-member-b").await;
    consent(&a, &t.member_a, TEST_TEMPLATE_REMINDER, 3).await;
    consent(&a, &t.member_a2, TEST_TEMPLATE_REMINDER, 3).await;
    consent(&a, &t.member_b, TEST_TEMPLATE_REMINDER, 3).await;
    // Once for the first date, once more after the theme day is moved.
    sends(
        &server,
        json!({
            "touser": "o-member-a",
            "template_id": TEST_TEMPLATE_REMINDER,
            "data": {"thing1": {"value": "重温入党誓词"}, "thing3": {"value": "村党群服务中心"}},
        }),
        ok(),
        2,
    )
    .await;
    nothing_else_is_sent(&server).await;
    let (id, key) = theme_day(&a, &t, 120).await;
    // Member A2 is excused from it: not reminded.
    let (s, e) = a
        .call(
            &t.member_a2,
            Method::POST,
            "/api/v1/exemptions",
            Some(json!({"activityId": id, "reason": "外出务工"})),
        )
        .await;
    assert_eq!(s, 201, "{e}");
    let (s, r) = a
        .call(
            &t.secretary_a,
            Method::POST,
            &format!("/api/v1/exemptions/{}/review", e["id"].as_str().unwrap()),
            Some(json!({"decision": "approve"})),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let (wa, wb) = (worker(&a, "worker-a"), worker(&b, "worker-b"));
    // Two hours ahead: too early (the default lead is 60 minutes).
    assert_eq!(wa.run_once().await.unwrap().reminders, 0);
    a.clock.advance(Duration::minutes(61));
    let (ra, rb) = tokio::join!(wa.run_once(), wb.run_once());
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(ra.reminders + rb.reminders, 1, "{ra:?} {rb:?}");
    // Whichever wrote it, the next rounds send what is due.
    wa.run_once().await.unwrap();
    a.clock.advance(Duration::minutes(10));
    let r = wb.run_once().await.unwrap();
    assert_eq!(r.reminders, 0, "{r:?}");
    let list = statuses(&a, &key).await;
    // Branch A's five members are expected, less the excused one; member B is not.
    assert_eq!(list.len(), 4, "{list:?}");
    assert_eq!(status_of(&list, &t.member_a).0, DeliveryStatus::Sent);
    assert_eq!(balance(&a, &t.member_a, TEST_TEMPLATE_REMINDER).await, 2);
    assert_eq!(balance(&a, &t.member_a2, TEST_TEMPLATE_REMINDER).await, 3);
    assert_eq!(balance(&a, &t.member_b, TEST_TEMPLATE_REMINDER).await, 3);

    // Moved to the next day: a new reminder when the new time comes near.
    let start = a.clock.now() + Duration::days(1);
    let (s, m) = a.call(&t.secretary_a,
        Method::PATCH,
        &format!("/api/v1/activities/{id}"),
        Some(json!({"startsAt": start.to_rfc3339(), "endsAt": (start + Duration::hours(1)).to_rfc3339()})),
    )
    .await;
    assert_eq!(s, 200, "{m}");
    assert_eq!(wa.run_once().await.unwrap().reminders, 0);
    a.clock.set(start - Duration::minutes(30));
    let r = wa.run_once().await.unwrap();
    assert_eq!((r.reminders, r.sent), (1, 1), "{r:?}");
    assert_eq!(balance(&a, &t.member_a, TEST_TEMPLATE_REMINDER).await, 1);
}

#[tokio::test]
async fn a_reminder_not_sent_before_the_activity_is_cancelled_or_starts_never_goes() {
    let server = wechat().await;
    let app = TestApp::spawn_with(options(&server)).await;
    let t = Township::create(&app.db, app.clock.now()).await;
    bind(&app, &t.member_a, "o-member-a").await;
    consent(&app, &t.member_a, TEST_TEMPLATE_REMINDER, 2).await;
    // WeChat is busy whenever asked.
    sends(&server, json!({"touser": "o-member-a"}), errcode(-1), 2).await;
    nothing_else_is_sent(&server).await;
    let w = worker(&app, "worker");
    // One activity is cancelled while its reminder waits for a retry.
    let (id, key) = theme_day(&app, &t, 40).await;
    let r = w.run_once().await.unwrap();
    assert_eq!((r.reminders, r.retrying), (1, 1), "{r:?}");
    let (s, m) = app
        .call(
            &t.secretary_a,
            Method::PATCH,
            &format!("/api/v1/activities/{id}"),
            Some(json!({"cancelReason": "暴雨"})),
        )
        .await;
    assert_eq!(s, 200, "{m}");
    app.clock.advance(Duration::minutes(5));
    assert_eq!(w.run_once().await.unwrap().sent, 0);
    assert_eq!(
        status_of(&statuses(&app, &key).await, &t.member_a).0,
        DeliveryStatus::Cancelled
    );
    // Another one starts before its retry comes due: it is dropped, not sent late.
    let (_, key) = theme_day(&app, &t, 1).await;
    let r = w.run_once().await.unwrap();
    assert_eq!((r.reminders, r.retrying), (1, 1), "{r:?}");
    app.clock.advance(Duration::minutes(2));
    let r = w.run_once().await.unwrap();
    assert_eq!(r.sent, 0, "{r:?}");
    assert_eq!(
        status_of(&statuses(&app, &key).await, &t.member_a),
        (DeliveryStatus::Skipped, Some("expired".into()))
    );
    assert_eq!(balance(&app, &t.member_a, TEST_TEMPLATE_REMINDER).await, 2);
}

#[tokio::test]
async fn an_edit_replaces_a_pending_push_and_a_narrowed_audience_is_not_pushed() {
    let server = wechat().await;
    let app = TestApp::spawn_with(options(&server)).await;
    let t = Township::create(&app.db, app.clock.now()).await;
    bind(&app, &t.member_a, "o-member-a").await;
    consent(&app, &t.member_a, TEST_TEMPLATE_MATERIAL, 3).await;
    sends(
        &server,
        json!({"touser": "o-member-a", "data": {"thing1": {"value": "改后的标题"}}}),
        ok(),
        1,
    )
    .await;
    nothing_else_is_sent(&server).await;
    let at = app.clock.now() + Duration::hours(1);
    let mut body = material("原标题", &t.branch_a);
    body["publishAt"] = json!(at.to_rfc3339());
    let first = publish(&app, &t.secretary_a, body.clone()).await;
    let mut body2 = material("只给领导干部", &t.branch_a);
    body2["publishAt"] = json!(at.to_rfc3339());
    let second = publish(&app, &t.secretary_a, body2).await;
    // The first is renamed with notify before it goes out: one push, of the new title.
    let (s, m) = app
        .call(
            &t.secretary_a,
            Method::PATCH,
            &format!("/api/v1/materials/{first}"),
            Some(json!({"title": "改后的标题", "notify": true})),
        )
        .await;
    assert_eq!(s, 200, "{m}");
    // The second is narrowed to leading cadres without a new push.
    let (s, m) = app
        .call(
            &t.secretary_a,
            Method::PATCH,
            &format!("/api/v1/materials/{second}"),
            Some(json!({"audience": {"orgId": t.branch_a.id, "leadingCadresOnly": true}})),
        )
        .await;
    assert_eq!(s, 200, "{m}");
    app.clock.set(at + Duration::seconds(1));
    let w = worker(&app, "worker");
    let r = w.run_once().await.unwrap();
    assert_eq!(r.sent, 1, "{r:?}");
    let old = statuses(&app, &format!("material:{first}:r1")).await;
    assert_eq!(status_of(&old, &t.member_a).0, DeliveryStatus::Cancelled);
    let narrowed = statuses(&app, &format!("material:{second}:r1")).await;
    assert_eq!(
        status_of(&narrowed, &t.member_a),
        (DeliveryStatus::Skipped, Some("not_in_audience".into()))
    );
    assert_eq!(balance(&app, &t.member_a, TEST_TEMPLATE_MATERIAL).await, 2);
}

#[tokio::test]
async fn members_are_told_when_their_check_in_or_exemption_was_reviewed() {
    let server = wechat().await;
    let app = TestApp::spawn_with(options(&server)).await;
    let t = Township::create(&app.db, app.clock.now()).await;
    bind(&app, &t.member_a, "o-member-a").await;
    bind(&app, &t.member_a2, "o-member-a2").await;
    consent(&app, &t.member_a, TEST_TEMPLATE_REVIEW, 1).await;
    consent(&app, &t.member_a2, TEST_TEMPLATE_REVIEW, 1).await;
    sends(
        &server,
        json!({
            "touser": "o-member-a",
            "template_id": TEST_TEMPLATE_REVIEW,
            "data": {"thing1": {"value": "签到：重温入党誓词"}, "phrase2": {"value": "已通过"}},
        }),
        ok(),
        1,
    )
    .await;
    sends(
        &server,
        json!({
            "touser": "o-member-a2",
            "template_id": TEST_TEMPLATE_REVIEW,
            "data": {
                "thing1": {"value": "请假申请"},
                "phrase2": {"value": "未通过"},
                "thing3": {"value": "请假理由不充分"},
            },
        }),
        ok(),
        1,
    )
    .await;
    nothing_else_is_sent(&server).await;
    // Far enough ahead that no reminder is due, with the check-in window open now.
    let (activity, _) = theme_day(&app, &t, 30).await;
    let (s, c) = app
        .call(
            &t.member_a,
            Method::POST,
            &format!("/api/v1/activities/{activity}/check-ins"),
            Some(json!({"location": {"lat": 30.0, "lng": 120.0}})),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    let (s, e) = app
        .call(
            &t.member_a2,
            Method::POST,
            "/api/v1/exemptions",
            Some(json!({"activityId": activity, "reason": "外出务工"})),
        )
        .await;
    assert_eq!(s, 201, "{e}");
    let w = worker(&app, "worker");
    assert_eq!(w.run_once().await.unwrap().sent, 0);
    let (s, r) = app
        .call(
            &t.secretary_a,
            Method::POST,
            &format!("/api/v1/check-ins/{}/review", c["id"].as_str().unwrap()),
            Some(json!({"decision": "approve"})),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let (s, r) = app
        .call(
            &t.secretary_a,
            Method::POST,
            &format!("/api/v1/exemptions/{}/review", e["id"].as_str().unwrap()),
            Some(json!({"decision": "reject", "reason": "请假理由不充分"})),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let r = w.run_once().await.unwrap();
    assert_eq!(r.sent, 2, "{r:?}");
}

/// Branch A's theme day this morning, held: member A's check-in approved by its secretary.
async fn held_theme_day(app: &TestApp, t: &Township) {
    use domain::activity::{
        ActivityId, CheckIn, CheckInId, CheckInMethod, CheckInRepo, Review, ReviewStatus,
    };
    let (id, _) = theme_day(app, t, 60).await;
    let now = app.clock.now();
    let check_in = CheckIn {
        id: CheckInId::new(),
        activity_id: ActivityId::from_uuid(uuid::Uuid::parse_str(&id).unwrap()),
        member_id: t.member_a.id,
        branch_path: t.branch_a.path.clone(),
        method: CheckInMethod::Location,
        status: ReviewStatus::Pending,
        client_time: None,
        location: None,
        created_at: now,
        review: None,
        checked_out_at: None,
    };
    let repos = app.db.repos();
    repos.insert_if_absent(&check_in).await.unwrap().unwrap();
    let review = Review {
        reviewer_id: t.secretary_a.id,
        reviewed_at: now,
        reason: None,
    };
    let decided = repos
        .decide(&[check_in.id], ReviewStatus::Approved, &review)
        .await
        .unwrap();
    assert_eq!(decided, 1);
}

fn obligation_key(stage: &str, branch: &domain::org::Org, duty: &str, period: &str) -> String {
    format!("obligation:{stage}:{}:{duty}:{period}", branch.id)
}

#[tokio::test]
async fn a_secretary_is_told_once_when_an_obligation_comes_due_and_once_when_it_is_overdue() {
    let server = wechat().await;
    let (a, b) = TestApp::spawn_pair_with(TestOptions {
        obligation_notices: true,
        ..options(&server)
    })
    .await;
    let t = Township::create(&a.db, a.clock.now()).await;
    bind(&a, &t.secretary_a, "o-secretary-a").await;
    consent(&a, &t.secretary_a, TEST_TEMPLATE_OBLIGATION, 10).await;
    // November's theme day is held; its committee meeting and group meeting are not.
    held_theme_day(&a, &t).await;
    for (duty, stage) in [
        ("11月支委会", "即将到期"),
        ("11月党小组会·第一党小组", "即将到期"),
        ("11月支委会", "已逾期"),
        ("11月党小组会·第一党小组", "已逾期"),
    ] {
        sends(
            &server,
            json!({
                "touser": "o-secretary-a",
                "template_id": TEST_TEMPLATE_OBLIGATION,
                "data": {
                    "thing1": {"value": duty},
                    "thing2": {"value": "虞北村第一党支部"},
                    "time3": {"value": "2026-11-30 23:59"},
                    "phrase4": {"value": stage},
                },
            }),
            ok(),
            1,
        )
        .await;
    }
    nothing_else_is_sent(&server).await;
    let (wa, wb) = (worker(&a, "worker-a"), worker(&b, "worker-b"));

    // 20 November: nothing ends within the 7-day lead.
    a.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-11-20T09:00:00+08:00")
            .unwrap()
            .into(),
    );
    assert_eq!(wa.run_once().await.unwrap().obligation_notices, 0);

    // 25 November: both workers judge the month; each notice is written once.
    a.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-11-25T09:00:00+08:00")
            .unwrap()
            .into(),
    );
    let (ra, rb) = tokio::join!(wa.run_once(), wb.run_once());
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    // Branch A's committee and group meetings, and the other township's branch's theme day
    // and committee meeting; branch B has no secretary.
    assert_eq!(
        ra.obligation_notices + rb.obligation_notices,
        4,
        "{ra:?} {rb:?}"
    );
    wa.run_once().await.unwrap();
    let committee_due = obligation_key("due", &t.branch_a, "committee_meeting", "2026-11");
    let group_due = format!(
        "obligation:due:{}:group_meeting:{}:2026-11",
        t.branch_a.id, t.group_a.id
    );
    for key in [&committee_due, &group_due] {
        let list = statuses(&a, key).await;
        assert_eq!(list.len(), 1, "{key}: {list:?}");
        assert_eq!(status_of(&list, &t.secretary_a).0, DeliveryStatus::Sent);
    }
    assert!(
        statuses(
            &a,
            &obligation_key("due", &t.branch_a, "theme_day", "2026-11")
        )
        .await
        .is_empty(),
        "a held theme day is not due"
    );
    // Later rounds of the same period write nothing more.
    a.clock.advance(Duration::hours(1));
    let (ra, rb) = tokio::join!(wa.run_once(), wb.run_once());
    assert_eq!(
        ra.unwrap().obligation_notices + rb.unwrap().obligation_notices,
        0
    );

    // 00:30 on 1 December: November's unmet meetings are overdue, told once more.
    a.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-12-01T00:30:00+08:00")
            .unwrap()
            .into(),
    );
    let (ra, rb) = tokio::join!(wa.run_once(), wb.run_once());
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(
        ra.obligation_notices + rb.obligation_notices,
        4,
        "{ra:?} {rb:?}"
    );
    wa.run_once().await.unwrap();
    let committee_overdue = obligation_key("overdue", &t.branch_a, "committee_meeting", "2026-11");
    let list = statuses(&a, &committee_overdue).await;
    assert_eq!(status_of(&list, &t.secretary_a).0, DeliveryStatus::Sent);
    // Four messages, four consents spent.
    assert_eq!(
        balance(&a, &t.secretary_a, TEST_TEMPLATE_OBLIGATION).await,
        6
    );
    // The other township's secretary has no WeChat bound: written, skipped, not sent.
    let other = obligation_key("overdue", &t.other_branch, "committee_meeting", "2026-11");
    assert_eq!(
        status_of(&statuses(&a, &other).await, &t.other_secretary),
        (DeliveryStatus::Skipped, Some("wechat_not_bound".into()))
    );
    // A week later the overdue window has closed; nothing new is written.
    a.clock.advance(Duration::days(8));
    assert_eq!(wa.run_once().await.unwrap().obligation_notices, 0);
}

#[tokio::test]
async fn without_the_obligation_template_no_obligation_notice_is_written() {
    let server = wechat().await;
    let app = TestApp::spawn_with(options(&server)).await;
    let t = Township::create(&app.db, app.clock.now()).await;
    nothing_else_is_sent(&server).await;
    app.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-11-25T09:00:00+08:00")
            .unwrap()
            .into(),
    );
    let r = worker(&app, "worker").run_once().await.unwrap();
    assert_eq!(r.obligation_notices, 0);
    assert!(statuses(
        &app,
        &obligation_key("due", &t.branch_a, "committee_meeting", "2026-11")
    )
    .await
    .is_empty());
}
