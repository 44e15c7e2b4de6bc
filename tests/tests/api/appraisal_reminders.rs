//! The secretary's reminder (自评提醒) to members who have not submitted their
//! self-assessment: a subscribe message through the outbox, at most one per member per day,
//! dropped when the member submits first, only during the stage and within the caller's part.

use chrono::Duration;
use reqwest::Method;
use serde_json::{json, Value};
use tests::fixtures::Township;
use tests::{TestApp, TestOptions, TEST_TEMPLATE_APPRAISAL};
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use api::push::PushWorker;
use domain::auth::{ExternalIdentity, ExternalIdentityRepo};
use domain::clock::Clock;
use domain::org::Member;

use crate::appraisal_support::{complete, opened, with_if_match};

const SEND: &str = "/cgi-bin/message/subscribe/send";

/// A WeChat stand-in that hands out access tokens and takes every send, counting them.
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

/// WeChat takes sends to `openid` of the reminder, exactly `times` times.
async fn reminder_sent(server: &MockServer, openid: &str, times: u64) {
    Mock::given(method("POST"))
        .and(path(SEND))
        .and(body_partial_json(json!({
            "touser": openid,
            "template_id": TEST_TEMPLATE_APPRAISAL,
            "data": {
                "thing1": {"value": "2026年度民主评议党员"},
                "time2": {"value": "2026-11-15 23:59"},
            },
        })))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"errcode":0,"errmsg":"ok"}"#))
        .expect(times)
        .mount(server)
        .await;
}

async fn bind_and_consent(app: &TestApp, member: &Member, openid: &str) {
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
    for _ in 0..3 {
        let (s, b) = app
            .call(
                member,
                Method::POST,
                "/api/v1/me/subscriptions",
                Some(json!({ "templateId": TEST_TEMPLATE_APPRAISAL })),
            )
            .await;
        assert_eq!(s, 200, "{b}");
    }
}

async fn submit(app: &TestApp, who: &Member, id: &str) {
    let mine = format!("/api/v1/appraisals/{id}/self-assessment");
    let (s, _, b) = with_if_match(
        app,
        who,
        Method::PUT,
        &mine,
        Some("\"0\""),
        Some(complete("2026-12-31")),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let (s, _, b) = with_if_match(
        app,
        who,
        Method::POST,
        &format!("{mine}/submit"),
        Some("\"1\""),
        None,
    )
    .await;
    assert_eq!(s, 200, "{b}");
}

fn ids(v: &Value) -> Vec<String> {
    v["remindedMemberIds"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn members_who_have_not_submitted_are_reminded_once_a_day_and_not_after_submitting() {
    let server = wechat().await;
    let app = TestApp::spawn_with(TestOptions {
        wechat_base: Some(server.uri()),
        ..TestOptions::default()
    })
    .await;
    let t = Township::create(&app.db, app.clock.now()).await;
    bind_and_consent(&app, &t.member_a, "o-member-a").await;
    bind_and_consent(&app, &t.member_a2, "o-member-a2").await;
    // member_a2 is reminded on the first day and its message goes; the second day's is
    // dropped because they submit first; member_a submits before any reminder.
    reminder_sent(&server, "o-member-a2", 1).await;
    reminder_sent(&server, "o-member-a", 0).await;
    let worker = PushWorker::from_state(&app.state, Some("w".to_owned())).expect("push is on");

    let id = opened(&app, &t.secretary_a, &t.branch_a).await;
    let remind = format!("/api/v1/appraisals/{id}/self-assessments/reminders");
    // Not before the stage.
    let (s, e) = app.call(&t.secretary_a, Method::POST, &remind, None).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("appraisal_stage_not_begun")),
        "{e}"
    );
    app.clock.advance(Duration::days(1));
    submit(&app, &t.member_a, &id).await;

    // Only the secretary (or township admin) managing the branch; others see no campaign.
    assert_eq!(
        app.call(&t.member_a2, Method::POST, &remind, None).await.0,
        403
    );
    assert_eq!(
        app.call(&t.other_secretary, Method::POST, &remind, None)
            .await
            .0,
        404
    );
    assert_eq!(
        app.call(&t.other_admin, Method::POST, &remind, None)
            .await
            .0,
        404
    );

    let (s, first) = app.call(&t.secretary_a, Method::POST, &remind, None).await;
    assert_eq!(s, 200, "{first}");
    let reminded = ids(&first);
    let pending = first["pending"].as_u64().unwrap_or_default();
    assert!(reminded.contains(&t.member_a2.id.to_string()), "{first}");
    assert!(!reminded.contains(&t.member_a.id.to_string()), "{first}");
    assert_eq!(reminded.len() as u64, pending, "{first}");
    assert_eq!(first["alreadyRemindedToday"], 0, "{first}");
    // The same day, by anyone covering the branch: nobody twice.
    let (s, again) = app.call(&t.admin, Method::POST, &remind, None).await;
    assert_eq!(s, 200, "{again}");
    assert_eq!(ids(&again), Vec::<String>::new(), "{again}");
    assert_eq!(again["alreadyRemindedToday"].as_u64(), Some(pending));
    let r = worker.run_once().await.unwrap();
    assert_eq!(
        r.sent, 1,
        "only member_a2 is bound among the reminded: {r:?}"
    );

    // The next day a new reminder may go; member_a2 submits before it is sent.
    app.clock.advance(Duration::days(1));
    let (s, next) = app.call(&t.secretary_a, Method::POST, &remind, None).await;
    assert_eq!(s, 200, "{next}");
    assert!(ids(&next).contains(&t.member_a2.id.to_string()), "{next}");
    submit(&app, &t.member_a2, &id).await;
    let r = worker.run_once().await.unwrap();
    assert_eq!(r.sent, 0, "{r:?}");

    // The trail names the reminders, not the members.
    let (_, log) = app.call(&t.admin, Method::GET, "/api/v1/audit", None).await;
    let sent = log["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|e| e["action"] == "appraisal.reminders_sent")
                .count()
        })
        .unwrap_or_default();
    assert_eq!(sent, 2, "{log}");

    // After the stage, no more reminders.
    app.clock.advance(Duration::days(20));
    let (s, e) = app.call(&t.secretary_a, Method::POST, &remind, None).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("appraisal_stage_over")),
        "{e}"
    );
    drop(app);
    server.verify().await;
}

#[tokio::test]
async fn without_the_template_a_reminder_is_refused_with_its_own_code() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let id = opened(&app, &t.secretary_a, &t.branch_a).await;
    app.clock.advance(Duration::days(1));
    let remind = format!("/api/v1/appraisals/{id}/self-assessments/reminders");
    let (s, e) = app.call(&t.secretary_a, Method::POST, &remind, None).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (409, Some("appraisal_reminders_off")),
        "{e}"
    );
    // Out of scope still answers what a missing campaign answers.
    assert_eq!(
        app.call(&t.other_secretary, Method::POST, &remind, None)
            .await
            .0,
        404
    );
}
