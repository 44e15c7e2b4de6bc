//! Reminders before a 96345 request's deadlines, through a WeChat stand-in: the branch's
//! secretaries before anyone claims it, the volunteer holding a place before it is due to
//! be completed; once per deadline.

use chrono::Duration;
use reqwest::Method;
use serde_json::json;
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use api::push::PushWorker;
use domain::auth::{ExternalIdentity, ExternalIdentityRepo};
use domain::clock::Clock;
use domain::org::Member;
use tests::fixtures::Township;
use tests::{TestApp, TestOptions, TEST_TEMPLATE_VOLUNTEER};

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

/// WeChat takes exactly `times` reminders to `openid` saying `phrase`.
async fn reminded(server: &MockServer, openid: &str, phrase: &str, times: u64) {
    Mock::given(method("POST"))
        .and(path("/cgi-bin/message/subscribe/send"))
        .and(body_partial_json(json!({
            "touser": openid,
            "template_id": TEST_TEMPLATE_VOLUNTEER,
            "data": {"thing1": {"value": "帮忙买药"}, "phrase3": {"value": phrase}},
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
    for _ in 0..2 {
        let (s, b) = app
            .call(
                member,
                Method::POST,
                "/api/v1/me/subscriptions",
                Some(json!({ "templateId": TEST_TEMPLATE_VOLUNTEER })),
            )
            .await;
        assert_eq!(s, 200, "{b}");
    }
}

#[tokio::test]
async fn those_who_must_act_are_reminded_once_before_each_deadline() {
    let server = wechat().await;
    let app = TestApp::spawn_with(TestOptions {
        wechat_base: Some(server.uri()),
        ..TestOptions::default()
    })
    .await;
    let t = Township::create(&app.db, app.clock.now()).await;
    bind_and_consent(&app, &t.secretary_a, "o-secretary").await;
    bind_and_consent(&app, &t.member_a, "o-member-a").await;
    reminded(&server, "o-secretary", "待认领", 1).await;
    reminded(&server, "o-member-a", "待完成", 1).await;
    let worker = PushWorker::from_state(&app.state, Some("w".to_owned())).expect("push is on");

    // Thursday 08:30: a hotline call, to be claimed by the end of Friday.
    let (s, r) = app
        .call(
            &t.member_b,
            Method::POST,
            "/api/v1/service-requests",
            Some(json!({
                "kind": "hotline", "title": "帮忙买药", "description": "需要代购降压药",
                "address": "新舍村12号", "contactName": "王阿婆", "contactPhone": "13800005678",
            })),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let id = r["id"].as_str().unwrap_or_default().to_owned();
    let (s, r) = app
        .call(
            &t.operator,
            Method::POST,
            &format!("/api/v1/service-requests/{id}/dispatch"),
            Some(json!({"orgId": t.branch_a.id})),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let r = worker.run_once().await.unwrap();
    assert_eq!(r.deadline_reminders, 0, "more than a day ahead: {r:?}");
    // Friday 00:30: the claim deadline is within a day.
    app.clock.advance(Duration::hours(16));
    let r = worker.run_once().await.unwrap();
    assert_eq!((r.deadline_reminders, r.sent), (1, 1), "{r:?}");
    app.clock.advance(Duration::minutes(5));
    assert_eq!(worker.run_once().await.unwrap().deadline_reminders, 0);
    // Claimed; Tuesday 01:00 the completion deadline (end of Tuesday) is within a day.
    let (s, r) = app
        .call(
            &t.member_a,
            Method::POST,
            &format!("/api/v1/service-requests/{id}/claims"),
            None,
        )
        .await;
    assert_eq!(s, 200, "{r}");
    app.clock.advance(Duration::days(4));
    let r = worker.run_once().await.unwrap();
    assert_eq!((r.deadline_reminders, r.sent), (1, 1), "{r:?}");
    drop(app);
    server.verify().await;
}
