//! WeChat sign-in against a stand-in for WeChat's server API.

use std::time::Duration;

use serde_json::{json, Value};
use tests::fixtures::Township;
use tests::{json_body, TestApp, TestOptions};
use wiremock::matchers::{body_partial_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use domain::auth::{ExternalIdentity, ExternalIdentityRepo};
use domain::clock::Clock;

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
    // Each call is in the metrics by API and outcome.
    let metrics = app.metrics_text().await;
    for outcome in [
        "errcode_40029",
        "errcode_45011",
        "errcode_-1",
        "bad_response",
        "timeout",
    ] {
        let series = format!(
            r#"wechat_call_duration_seconds_count{{api="sns/jscode2session",outcome="{outcome}"}} 1"#
        );
        assert!(metrics.contains(&series), "{series} missing:\n{metrics}");
    }
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

async fn ticket_for(app: &TestApp, server: &MockServer, code: &str, openid: &str) -> String {
    answers(
        server,
        code,
        ResponseTemplate::new(200).set_body_string(format!(r#"{{"openid":"{openid}"}}"#)),
    )
    .await;
    let (s, _, body) = login(app, code).await;
    assert_eq!(
        (s, body["status"].as_str()),
        (200, Some("binding_required")),
        "{body}"
    );
    body["bindingTicket"].as_str().unwrap().to_owned()
}

async fn invite(
    app: &TestApp,
    by: &domain::org::Member,
    member: &domain::org::Member,
) -> (u16, Value) {
    let res = app
        .send_as(
            &app.token_for(by.id),
            reqwest::Method::POST,
            &format!("/api/v1/members/{}/invite-code", member.id),
        )
        .await;
    let status = res.status().as_u16();
    (status, json_body(res).await)
}

async fn bind(app: &TestApp, ticket: &str, code: &str) -> (u16, Value) {
    let res = app
        .post_json(
            "/api/v1/auth/wechat/bind-invite",
            &json!({"ticket": ticket, "inviteCode": code}),
        )
        .await;
    let status = res.status().as_u16();
    (status, json_body(res).await)
}

#[tokio::test]
async fn an_invite_code_binds_the_account_once_and_later_sign_ins_need_no_binding() {
    let server = MockServer::start().await;
    let app = app_with(&server).await;
    let t = Township::create(&app.db, app.clock.now()).await;
    // Secretaries and township admins in scope issue codes; others may not.
    assert_eq!(invite(&app, &t.member_a2, &t.member_a).await.0, 403);
    assert_eq!(invite(&app, &t.other_secretary, &t.member_a).await.0, 404);
    let (s, code) = invite(&app, &t.secretary_a, &t.member_a).await;
    assert_eq!(s, 201, "{code}");
    let code = code["inviteCode"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 8);
    let ticket = ticket_for(&app, &server, "first", "o-a").await;
    let (s, tokens) = bind(&app, &ticket, &code.to_lowercase()).await;
    assert_eq!(s, 200, "{tokens}");
    let me = app
        .send_as(
            tokens["accessToken"].as_str().unwrap(),
            reqwest::Method::GET,
            "/api/v1/me",
        )
        .await;
    assert_eq!(json_body(me).await["name"], "党员甲");
    // Both the ticket and the code were single use.
    let (s, e) = bind(&app, &ticket, &code).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (401, Some("wechat_ticket_invalid"))
    );
    let other_ticket = ticket_for(&app, &server, "second", "o-somebody").await;
    let (s, e) = bind(&app, &other_ticket, &code).await;
    assert_eq!((s, e["code"].as_str()), (401, Some("invite_code_invalid")));
    // Signing in again with the bound account needs no binding.
    answers(
        &server,
        "again",
        ResponseTemplate::new(200).set_body_string(r#"{"openid":"o-a"}"#),
    )
    .await;
    let (s, _, body) = login(&app, "again").await;
    assert_eq!((s, body["status"].as_str()), (200, Some("signed_in")));
}

#[tokio::test]
async fn a_member_bound_to_another_account_is_told_to_ask_their_secretary() {
    let server = MockServer::start().await;
    let app = app_with(&server).await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let (_, first) = invite(&app, &t.secretary_a, &t.member_a).await;
    let ticket = ticket_for(&app, &server, "phone-1", "o-old-phone").await;
    assert_eq!(
        bind(&app, &ticket, first["inviteCode"].as_str().unwrap())
            .await
            .0,
        200
    );
    let (_, second) = invite(&app, &t.secretary_a, &t.member_a).await;
    let ticket = ticket_for(&app, &server, "phone-2", "o-new-phone").await;
    let (s, e) = bind(&app, &ticket, second["inviteCode"].as_str().unwrap()).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (409, Some("member_bound_elsewhere")),
        "{e}"
    );
    let (s, e) = bind(&app, "wxt1.made-up", "ABCDEFGH").await;
    assert_eq!(
        (s, e["code"].as_str()),
        (401, Some("wechat_ticket_invalid"))
    );
}

/// Binds `member` to `openid` through the API and answers their session.
async fn bound(
    app: &TestApp,
    server: &MockServer,
    t: &Township,
    member: &domain::org::Member,
    openid: &str,
) -> Value {
    let (_, code) = invite(app, &t.secretary_a, member).await;
    let ticket = ticket_for(app, server, &format!("code-{openid}"), openid).await;
    let (s, tokens) = bind(app, &ticket, code["inviteCode"].as_str().unwrap()).await;
    assert_eq!(s, 200, "{tokens}");
    tokens
}

async fn refresh_status(app: &TestApp, tokens: &Value) -> u16 {
    app.post_json(
        "/api/v1/auth/refresh",
        &json!({"refreshToken": tokens["refreshToken"]}),
    )
    .await
    .status()
    .as_u16()
}

#[tokio::test]
async fn unbinding_and_resetting_end_the_members_sessions() {
    let server = MockServer::start().await;
    let app = app_with(&server).await;
    let t = Township::create(&app.db, app.clock.now()).await;
    // The member unbinds their own account.
    let tokens = bound(&app, &server, &t, &t.member_a, "o-a").await;
    let access = tokens["accessToken"].as_str().unwrap();
    let res = app
        .send_as(access, reqwest::Method::DELETE, "/api/v1/me/wechat")
        .await;
    assert_eq!(res.status().as_u16(), 204);
    assert_eq!(refresh_status(&app, &tokens).await, 401);
    // The access token ends with the session, at once.
    let res = app
        .send_as(access, reqwest::Method::GET, "/api/v1/me")
        .await;
    assert_eq!(res.status().as_u16(), 401);
    // A token issued after the unbinding works (tokens issued up to it never do).
    app.clock.advance(chrono::Duration::seconds(1));
    let res = app
        .send_as(
            &app.token_for(t.member_a.id),
            reqwest::Method::DELETE,
            "/api/v1/me/wechat",
        )
        .await;
    assert_eq!(res.status().as_u16(), 404, "nothing bound any more");
    // The secretary resets another member's binding (a lost phone); only in scope.
    let tokens = bound(&app, &server, &t, &t.member_a2, "o-a2").await;
    let reset = format!("/api/v1/members/{}/wechat", t.member_a2.id);
    for (who, want) in [
        (&t.member_a, 403),
        (&t.other_secretary, 404),
        (&t.secretary_a, 204),
    ] {
        let res = app
            .send_as(&app.token_for(who.id), reqwest::Method::DELETE, &reset)
            .await;
        assert_eq!(res.status().as_u16(), want, "{}", who.name);
    }
    assert_eq!(refresh_status(&app, &tokens).await, 401);
    // The account is free again: signing in asks for binding.
    answers(
        &server,
        "after-reset",
        ResponseTemplate::new(200).set_body_string(r#"{"openid":"o-a2"}"#),
    )
    .await;
    let (_, _, body) = login(&app, "after-reset").await;
    assert_eq!(body["status"], "binding_required");
    let (_, audit) = {
        let res = app
            .send_as(
                &app.token_for(t.admin.id),
                reqwest::Method::GET,
                &format!("/api/v1/audit?orgId={}", t.committee.id),
            )
            .await;
        (res.status(), json_body(res).await)
    };
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["action"].as_str().unwrap())
        .collect();
    for want in [
        "account.link",
        "account.unlink",
        "account.reset",
        "member.invite_code",
    ] {
        assert!(actions.contains(&want), "{want} not audited: {actions:?}");
    }
}

/// WeChat hands out `token` from `stable_token` (ordinary or forced fetches as `force`
/// says, `None` for both), `times` times if given.
async fn hands_out_token(
    server: &MockServer,
    token: &str,
    force: Option<bool>,
    times: Option<u64>,
) {
    let mut mock = Mock::given(method("POST")).and(path("/cgi-bin/stable_token"));
    if let Some(force) = force {
        mock = mock.and(body_partial_json(json!({"force_refresh": force})));
    }
    let mut mock = mock.respond_with(
        ResponseTemplate::new(200)
            .set_body_string(format!(r#"{{"access_token":"{token}","expires_in":7200}}"#))
            .set_delay(Duration::from_millis(100)),
    );
    if let Some(n) = times {
        mock = mock.expect(n);
    }
    mock.mount(server).await;
}

/// WeChat answers the phone code `code` (with access token `token`) with `phone`, vouched
/// for to `appid`.
async fn phone_for(server: &MockServer, code: &str, token: &str, phone: &str, appid: &str) {
    Mock::given(method("POST"))
        .and(path("/wxa/business/getuserphonenumber"))
        .and(query_param("access_token", token))
        .and(body_partial_json(json!({"code": code})))
        .respond_with(ResponseTemplate::new(200).set_body_string(format!(
            r#"{{"errcode":0,"errmsg":"ok","phone_info":{{"phoneNumber":"{phone}","purePhoneNumber":"{phone}","countryCode":"86","watermark":{{"timestamp":1700000000,"appid":"{appid}"}}}}}}"#
        )))
        .mount(server)
        .await;
}

async fn bind_by_phone(app: &TestApp, ticket: &str, phone_code: &str) -> (u16, Value) {
    let res = app
        .post_json(
            "/api/v1/auth/wechat/bind-phone",
            &json!({"ticket": ticket, "phoneCode": phone_code}),
        )
        .await;
    let status = res.status().as_u16();
    (status, json_body(res).await)
}

#[tokio::test]
async fn a_phone_on_the_roster_binds_the_account_and_others_are_refused_with_the_ticket_kept() {
    let server = MockServer::start().await;
    let app = app_with(&server).await;
    let t = Township::create(&app.db, app.clock.now()).await;
    hands_out_token(&server, "tok", None, Some(1)).await;
    let app_id = tests::TEST_WECHAT_APP_ID;
    phone_for(&server, "nobody", "tok", "13999999999", app_id).await;
    phone_for(
        &server,
        "foreign",
        "tok",
        t.member_a.phone.as_str(),
        "wx-someone-else",
    )
    .await;
    phone_for(&server, "mine", "tok", t.member_a.phone.as_str(), app_id).await;
    Mock::given(method("POST"))
        .and(path("/wxa/business/getuserphonenumber"))
        .and(body_partial_json(json!({"code": "stale-code"})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(r#"{"errcode":40029,"errmsg":"invalid code"}"#),
        )
        .mount(&server)
        .await;
    let ticket = ticket_for(&app, &server, "login", "o-phone-a").await;
    for (code, status, problem) in [
        ("nobody", 404, "wechat_phone_not_on_roster"),
        ("foreign", 401, "wechat_phone_wrong_app"),
        ("stale-code", 401, "wechat_phone_code_invalid"),
    ] {
        let (s, e) = bind_by_phone(&app, &ticket, code).await;
        assert_eq!(
            (s, e["code"].as_str()),
            (status, Some(problem)),
            "{code}: {e}"
        );
    }
    // None of those spent the ticket; the member's own phone binds the account.
    let (s, tokens) = bind_by_phone(&app, &ticket, "mine").await;
    assert_eq!(s, 200, "{tokens}");
    let me = app
        .send_as(
            tokens["accessToken"].as_str().unwrap(),
            reqwest::Method::GET,
            "/api/v1/me",
        )
        .await;
    assert_eq!(json_body(me).await["id"], t.member_a.id.to_string());
    let (s, e) = bind_by_phone(&app, &ticket, "mine").await;
    assert_eq!(
        (s, e["code"].as_str()),
        (401, Some("wechat_ticket_invalid")),
        "reused"
    );
    // Another account offering the same member's phone: the member is bound elsewhere.
    let other = ticket_for(&app, &server, "login-2", "o-phone-b").await;
    let (s, e) = bind_by_phone(&app, &other, "mine").await;
    assert_eq!(
        (s, e["code"].as_str()),
        (409, Some("member_bound_elsewhere")),
        "{e}"
    );
    // Nothing was bound, so that ticket still binds with an invite code.
    let (_, code) = invite(&app, &t.secretary_a, &t.member_a2).await;
    let (s, e) = bind(&app, &other, code["inviteCode"].as_str().unwrap()).await;
    assert_eq!(s, 200, "{e}");
}

#[tokio::test]
async fn an_expired_ticket_binds_nothing() {
    let server = MockServer::start().await;
    let app = app_with(&server).await;
    let t = Township::create(&app.db, app.clock.now()).await;
    hands_out_token(&server, "tok", None, None).await;
    phone_for(
        &server,
        "mine",
        "tok",
        t.member_a.phone.as_str(),
        tests::TEST_WECHAT_APP_ID,
    )
    .await;
    let ticket = ticket_for(&app, &server, "login", "o-late").await;
    app.clock.advance(chrono::Duration::seconds(301));
    let (s, e) = bind_by_phone(&app, &ticket, "mine").await;
    assert_eq!(
        (s, e["code"].as_str()),
        (401, Some("wechat_ticket_invalid")),
        "{e}"
    );
    let (_, code) = invite(&app, &t.secretary_a, &t.member_a).await;
    let (s, e) = bind(&app, &ticket, code["inviteCode"].as_str().unwrap()).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (401, Some("wechat_ticket_invalid")),
        "{e}"
    );
}

#[tokio::test]
async fn an_access_token_rejected_mid_call_is_refreshed_once_and_the_call_retried() {
    let server = MockServer::start().await;
    let app = app_with(&server).await;
    let t = Township::create(&app.db, app.clock.now()).await;
    hands_out_token(&server, "stale", Some(false), Some(1)).await;
    hands_out_token(&server, "fresh", Some(true), Some(1)).await;
    Mock::given(method("POST"))
        .and(path("/wxa/business/getuserphonenumber"))
        .and(query_param("access_token", "stale"))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            r#"{"errcode":40001,"errmsg":"invalid credential, access_token is invalid or not latest"}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    phone_for(
        &server,
        "mine",
        "fresh",
        t.member_a.phone.as_str(),
        tests::TEST_WECHAT_APP_ID,
    )
    .await;
    let ticket = ticket_for(&app, &server, "login", "o-a").await;
    let (s, e) = bind_by_phone(&app, &ticket, "mine").await;
    assert_eq!(s, 200, "{e}");
    server.verify().await;
}

#[tokio::test]
async fn two_instances_needing_a_token_at_once_make_one_stable_token_call() {
    let server = MockServer::start().await;
    let (a, b) = TestApp::spawn_pair_with(TestOptions {
        wechat_base: Some(server.uri()),
        ..TestOptions::default()
    })
    .await;
    let t = Township::create(&a.db, a.clock.now()).await;
    hands_out_token(&server, "shared", None, Some(1)).await;
    let app_id = tests::TEST_WECHAT_APP_ID;
    phone_for(&server, "pa", "shared", t.member_a.phone.as_str(), app_id).await;
    phone_for(&server, "pb", "shared", t.member_b.phone.as_str(), app_id).await;
    let ta = ticket_for(&a, &server, "la", "o-a").await;
    let tb = ticket_for(&b, &server, "lb", "o-b").await;
    let ((sa, ea), (sb, eb)) =
        tokio::join!(bind_by_phone(&a, &ta, "pa"), bind_by_phone(&b, &tb, "pb"));
    assert_eq!((sa, sb), (200, 200), "{ea} {eb}");
    server.verify().await;
}

#[tokio::test]
async fn binding_attempts_are_limited_per_ticket_across_instances_and_per_address() {
    let server = MockServer::start().await;
    let (a, b) = TestApp::spawn_pair_with(TestOptions {
        wechat_base: Some(server.uri()),
        ..TestOptions::default()
    })
    .await;
    hands_out_token(&server, "tok", None, None).await;
    phone_for(
        &server,
        "nobody",
        "tok",
        "13999999999",
        tests::TEST_WECHAT_APP_ID,
    )
    .await;
    let ticket = ticket_for(&a, &server, "login", "o-guesser").await;
    // Five attempts with one ticket, spread over both instances, are answered...
    for (i, app) in [&a, &b, &a, &b, &a].into_iter().enumerate() {
        let (s, e) = bind_by_phone(app, &ticket, "nobody").await;
        assert_eq!(
            (s, e["code"].as_str()),
            (404, Some("wechat_phone_not_on_roster")),
            "attempt {i}"
        );
    }
    // ...the sixth is refused on either, saying when to come back.
    let res = b
        .post_json(
            "/api/v1/auth/wechat/bind-phone",
            &json!({"ticket": ticket, "phoneCode": "nobody"}),
        )
        .await;
    assert_eq!(res.status().as_u16(), 429);
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    // Sliding window: the six attempts of this window fade as it slides on; one more fits
    // once 6 × (1 − t/300 s) + 1 ≤ 5 in the next window, i.e. 100 s into it.
    let elapsed = u64::try_from(b.clock.now().timestamp() % 300).unwrap();
    assert_eq!(retry, 300 - elapsed + 100, "Retry-After");
    assert_eq!(
        res.headers()["ratelimit-policy"].to_str().unwrap(),
        "\"wechat-bind-ticket\";q=5;w=300"
    );
    assert_eq!(
        res.headers()["ratelimit"].to_str().unwrap(),
        format!("\"wechat-bind-ticket\";r=0;t={retry}")
    );
    assert_eq!(json_body(res).await["code"], "rate_limited");
    // Guessing invite codes with fresh tickets runs into the per-address limit (30 per
    // 5 minutes; the five above count too).
    let mut statuses = Vec::new();
    for i in 0..26 {
        let (s, _) = bind(
            if i % 2 == 0 { &a } else { &b },
            &format!("wxt1.made-up-{i}"),
            "ABCDEFGH",
        )
        .await;
        statuses.push(s);
    }
    assert!(statuses[..25].iter().all(|s| *s == 401), "{statuses:?}");
    assert_eq!(statuses[25], 429, "{statuses:?}");
}

#[tokio::test]
async fn a_burst_at_a_window_edge_is_not_allowed_twice() {
    let server = MockServer::start().await;
    let app = TestApp::spawn_with(TestOptions {
        wechat_base: Some(server.uri()),
        ..TestOptions::default()
    })
    .await;
    hands_out_token(&server, "tok", None, None).await;
    phone_for(
        &server,
        "nobody",
        "tok",
        "13999999999",
        tests::TEST_WECHAT_APP_ID,
    )
    .await;
    // One second before a 5-minute boundary of the per-ticket limit (5 per 300 s).
    let now = app.clock.now().timestamp();
    let boundary = (now / 300 + 1) * 300;
    app.clock
        .set(chrono::DateTime::from_timestamp(boundary - 1, 0).unwrap());
    let ticket = ticket_for(&app, &server, "login", "o-edge").await;
    for i in 0..5 {
        let (s, e) = bind_by_phone(&app, &ticket, "nobody").await;
        assert_eq!(s, 404, "attempt {i}: {e}");
    }
    // Two seconds later a fixed window would start afresh and allow five more at once.
    app.clock.advance(chrono::Duration::seconds(2));
    let (s, e) = bind_by_phone(&app, &ticket, "nobody").await;
    assert_eq!((s, e["code"].as_str()), (429, Some("rate_limited")), "{e}");
}

#[tokio::test]
async fn with_the_cache_down_the_limiter_lets_sign_in_through() {
    let server = MockServer::start().await;
    let app = TestApp::spawn_with(TestOptions {
        wechat_base: Some(server.uri()),
        flaky_cache: true,
        ..TestOptions::default()
    })
    .await;
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
        ResponseTemplate::new(200).set_body_string(r#"{"openid":"o-member-a"}"#),
    )
    .await;
    app.flaky.as_ref().unwrap().set_down(true);
    let (s, _, body) = login(&app, "bound").await;
    assert_eq!(
        (s, body["status"].as_str()),
        (200, Some("signed_in")),
        "{body}"
    );
}
