//! WeChat sign-in against a stand-in for WeChat's server API.

use std::time::Duration;

use serde_json::{json, Value};
use tests::fixtures::Township;
use tests::{json_body, TestApp, TestOptions};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use domain::clock::Clock;
use domain::identity::{ExternalIdentity, ExternalIdentityRepo};

async fn app_with(server: &MockServer) -> TestApp {
    TestApp::spawn_with(TestOptions {
        wechat_base: Some(server.uri()),
        ..TestOptions::default()
    })
    .await
}

/// WeChat answers `code` with `body`.
async fn answers(server: &MockServer, code: &str, body: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path("/sns/jscode2session"))
        .and(query_param("appid", tests::TEST_WECHAT_APP_ID))
        .and(query_param("js_code", code))
        .respond_with(body)
        .mount(server)
        .await;
}

async fn login(app: &TestApp, code: &str) -> (u16, reqwest::header::HeaderMap, Value) {
    let res = app
        .post_json("/api/v1/auth/wechat/login", &json!({"code": code}))
        .await;
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, headers, json_body(res).await)
}

#[tokio::test]
async fn a_bound_account_signs_in_and_an_unbound_one_gets_a_binding_ticket() {
    let server = MockServer::start().await;
    let app = app_with(&server).await;
    let t = Township::create(&app.db, app.clock.now()).await;
    app.db
        .repos()
        .link(&ExternalIdentity {
            provider: "wechat".into(),
            subject: "o-member-a".into(),
            member_id: t.member_a.id,
            linked_at: app.clock.now(),
        })
        .await
        .unwrap();
    answers(
        &server,
        "bound",
        ResponseTemplate::new(200).set_body_raw(
            r#"{"openid":"o-member-a","session_key":"never-kept"}"#,
            "text/plain",
        ),
    )
    .await;
    answers(
        &server,
        "unbound",
        ResponseTemplate::new(200).set_body_string(r#"{"openid":"o-stranger","session_key":"x"}"#),
    )
    .await;
    let (s, _, body) = login(&app, "bound").await;
    assert_eq!(
        (s, body["status"].as_str()),
        (200, Some("signed_in")),
        "{body}"
    );
    assert!(
        !body.to_string().contains("never-kept"),
        "session_key leaked"
    );
    let access = body["tokens"]["accessToken"].as_str().unwrap();
    let me = app
        .send_as(access, reqwest::Method::GET, "/api/v1/me")
        .await;
    assert_eq!(json_body(me).await["name"], "党员甲");
    let (s, _, body) = login(&app, "unbound").await;
    assert_eq!(
        (s, body["status"].as_str()),
        (200, Some("binding_required")),
        "{body}"
    );
    assert!(body["bindingTicket"].as_str().unwrap().starts_with("wxt1."));
    assert_eq!(body["expiresIn"], 300);
    assert!(body.get("tokens").is_none());
}

#[tokio::test]
async fn wechat_errors_become_their_own_problems() {
    let server = MockServer::start().await;
    let app = app_with(&server).await;
    let err = |code: i64| {
        ResponseTemplate::new(200).set_body_string(format!(r#"{{"errcode":{code},"errmsg":"x"}}"#))
    };
    answers(&server, "invalid", err(40029)).await;
    answers(&server, "used", err(40163)).await;
    answers(&server, "limited", err(45011)).await;
    answers(&server, "busy", err(-1)).await;
    answers(
        &server,
        "html",
        ResponseTemplate::new(200).set_body_raw("<html>bad gateway</html>", "text/html"),
    )
    .await;
    answers(
        &server,
        "slow",
        ResponseTemplate::new(200)
            .set_body_string(r#"{"openid":"o"}"#)
            .set_delay(Duration::from_secs(3)),
    )
    .await;
    for (code, status, problem) in [
        ("invalid", 401, "wechat_code_invalid"),
        ("used", 401, "wechat_code_used"),
        ("limited", 429, "wechat_rate_limited"),
        ("busy", 503, "wechat_busy"),
        ("html", 502, "wechat_unavailable"),
        ("slow", 502, "wechat_unavailable"),
    ] {
        let (s, headers, body) = login(&app, code).await;
        assert_eq!(
            (s, body["code"].as_str()),
            (status, Some(problem)),
            "{code}: {body}"
        );
        if matches!(status, 429 | 503) {
            assert!(
                headers.contains_key("retry-after"),
                "{code}: no Retry-After"
            );
        }
        assert!(
            !body.to_string().contains("test-app-secret"),
            "{code}: secret leaked"
        );
    }
    let (s, _, body) = login(&app, "").await;
    assert_eq!((s, body["code"].as_str()), (422, Some("validation_failed")));
}

#[tokio::test]
async fn without_a_wechat_app_sign_in_says_so() {
    let app = TestApp::spawn().await;
    let (s, _, body) = login(&app, "any").await;
    assert_eq!(
        (s, body["code"].as_str()),
        (503, Some("wechat_not_configured"))
    );
}
