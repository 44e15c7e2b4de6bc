//! Residents (群众) signing in through WeChat, their sessions, the endpoints they may and may
//! not call, and WeChat's check of their text, against a stand-in WeChat.

use chrono::Duration;
use reqwest::Method;
use serde_json::{json, Value};
use wiremock::MockServer;

use domain::auth::{ExternalIdentity, ExternalIdentityRepo, WECHAT_PROVIDER};
use domain::clock::Clock;
use domain::volunteer::{
    check_resident_text, ContentScene, ContentVerdict, Resident, ResidentRepo,
};
use tests::fixtures::Township;
use tests::wechat::{access_token_stub, login_stub, phone_stub};
use tests::{content_check_stub, json_body, TestApp, TestOptions};

/// A resident's number (on no roster).
const RESIDENT_PHONE: &str = "13900000077";

async fn app_with(server: &MockServer) -> (TestApp, Township) {
    let app = TestApp::spawn_with(TestOptions {
        wechat_base: Some(server.uri()),
        ..TestOptions::default()
    })
    .await;
    let t = Township::create(&app.db, app.clock.now()).await;
    (app, t)
}

async fn post(app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    let res = app.post_json(path, &body).await;
    let status = res.status().as_u16();
    (status, json_body(res).await)
}

/// Signs in with `wx.login`'s `code` (the stand-in names `openid` for it).
async fn login(app: &TestApp, server: &MockServer, code: &str, openid: &str) -> Value {
    login_stub(server, code, openid).await;
    let (status, body) = post(app, "/api/v1/auth/wechat/login", json!({ "code": code })).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// A sign-in ticket for `openid`, which is neither a member's nor a resident's yet.
async fn ticket(app: &TestApp, server: &MockServer, code: &str, openid: &str) -> String {
    let body = login(app, server, code, openid).await;
    assert_eq!(body["status"], "binding_required", "{body}");
    body["bindingTicket"].as_str().unwrap().to_owned()
}

async fn sign_in(app: &TestApp, body: Value) -> (u16, Value) {
    post(app, "/api/v1/auth/wechat/resident", body).await
}

async fn stored(app: &TestApp, openid: &str) -> Option<Resident> {
    app.db.repos().find_by_openid(openid).await.unwrap()
}

async fn call(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let res = match body {
        Some(b) => app.send_json_as(token, method, path, &b).await,
        None => app.send_as(token, method, path).await,
    };
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A resident signed in with a typed phone: their tokens.
async fn resident(app: &TestApp, server: &MockServer, openid: &str) -> Value {
    let ticket = ticket(app, server, &format!("code-{openid}"), openid).await;
    let (status, tokens) = sign_in(
        app,
        json!({ "ticket": ticket, "phone": RESIDENT_PHONE, "phoneConfirm": RESIDENT_PHONE }),
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    tokens
}

#[tokio::test]
async fn a_resident_signs_in_with_the_phone_wechat_vouches_for() {
    let server = MockServer::start().await;
    let (app, t) = app_with(&server).await;
    access_token_stub(&server).await;
    phone_stub(&server, "pc-1", RESIDENT_PHONE).await;
    let ticket = ticket(&app, &server, "c1", "o-resident").await;

    let (status, tokens) = sign_in(
        &app,
        json!({ "ticket": ticket, "phoneCode": "pc-1", "name": " 王阿姨 " }),
    )
    .await;

    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["tokenType"], "Bearer");
    assert!(tokens["refreshToken"].as_str().unwrap().starts_with("rt1."));
    let r = stored(&app, "o-resident").await.unwrap();
    assert_eq!(r.phone.as_str(), RESIDENT_PHONE);
    assert!(r.phone_verified);
    assert_eq!(r.name.as_deref(), Some("王阿姨"));
    assert_eq!(r.last_seen_at, app.clock.now());
    // The session is the resident's: the townships they may file with.
    let access = tokens["accessToken"].as_str().unwrap();
    let (status, list) = call(&app, access, Method::GET, "/api/v1/townships", None).await;
    assert_eq!(status, 200, "{list}");
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&t.committee.name.as_str()), "{list}");
    assert_eq!(list["items"][0].as_object().unwrap().len(), 2, "{list}");
    assert_eq!(list["nextCursor"], Value::Null);
}

#[tokio::test]
async fn signing_in_again_refreshes_last_seen_and_answers_the_residents_session() {
    let server = MockServer::start().await;
    let (app, _t) = app_with(&server).await;
    resident(&app, &server, "o-back").await;
    app.clock.advance(Duration::hours(3));

    let body = login(&app, &server, "c-again", "o-back").await;

    assert_eq!(body["status"], "resident_signed_in", "{body}");
    assert!(body["bindingTicket"].as_str().unwrap().starts_with("wxt1."));
    let access = body["tokens"]["accessToken"].as_str().unwrap();
    let (status, _) = call(&app, access, Method::GET, "/api/v1/townships", None).await;
    assert_eq!(status, 200);
    let r = stored(&app, "o-back").await.unwrap();
    assert_eq!(r.last_seen_at, app.clock.now());
    assert!(r.content_checkable(app.clock.now()));
}

#[tokio::test]
async fn a_typed_phone_must_be_the_same_twice_and_the_ticket_survives_a_mistake() {
    let server = MockServer::start().await;
    let (app, _t) = app_with(&server).await;
    let ticket = ticket(&app, &server, "c1", "o-typed").await;

    let (status, body) = sign_in(
        &app,
        json!({ "ticket": ticket, "phone": RESIDENT_PHONE, "phoneConfirm": "13900000078" }),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("validation_failed")),
        "{body}"
    );
    assert_eq!(body["errors"][0]["code"], "resident_phone_mismatch");
    assert_eq!(body["errors"][0]["pointer"], "/phoneConfirm");
    for wrong in [
        json!({ "ticket": ticket }),
        json!({ "ticket": ticket, "phone": RESIDENT_PHONE }),
        json!({ "ticket": ticket, "phoneCode": "pc", "phone": RESIDENT_PHONE, "phoneConfirm": RESIDENT_PHONE }),
    ] {
        let (status, body) = sign_in(&app, wrong.clone()).await;
        assert_eq!(status, 422, "{wrong}: {body}");
        assert_eq!(
            body["errors"][0]["code"], "resident_phone_source_invalid",
            "{wrong}"
        );
    }
    assert!(stored(&app, "o-typed").await.is_none());

    let (status, body) = sign_in(
        &app,
        json!({ "ticket": ticket, "phone": "+86 139-0000-0077", "phoneConfirm": RESIDENT_PHONE }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let r = stored(&app, "o-typed").await.unwrap();
    assert_eq!(r.phone.as_str(), RESIDENT_PHONE);
    assert!(!r.phone_verified);
}

#[tokio::test]
async fn a_ticket_signs_a_resident_in_once() {
    let server = MockServer::start().await;
    let (app, _t) = app_with(&server).await;
    let ticket = ticket(&app, &server, "c1", "o-once").await;
    let body = json!({ "ticket": ticket, "phone": RESIDENT_PHONE, "phoneConfirm": RESIDENT_PHONE });
    let (status, first) = sign_in(&app, body.clone()).await;
    assert_eq!(status, 200, "{first}");

    let (status, again) = sign_in(&app, body).await;

    assert_eq!(
        (status, again["code"].as_str()),
        (401, Some("wechat_ticket_invalid")),
        "{again}"
    );
}

#[tokio::test]
async fn a_members_account_never_becomes_a_resident() {
    let server = MockServer::start().await;
    let (app, t) = app_with(&server).await;
    access_token_stub(&server).await;
    // Two tickets for one account; the first binds the member.
    let first = ticket(&app, &server, "c1", "o-member").await;
    let second = ticket(&app, &server, "c2", "o-member").await;
    app.db
        .repos()
        .link(&ExternalIdentity {
            provider: WECHAT_PROVIDER.into(),
            subject: "o-member".into(),
            member_id: t.member_a.id,
            linked_at: app.clock.now(),
        })
        .await
        .unwrap();

    for ticket in [first, second] {
        let (status, body) = sign_in(
            &app,
            json!({ "ticket": ticket, "phone": RESIDENT_PHONE, "phoneConfirm": RESIDENT_PHONE }),
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (409, Some("wechat_account_is_member")),
            "{body}"
        );
    }
    assert!(stored(&app, "o-member").await.is_none());
}

#[tokio::test]
async fn a_roster_phone_is_sent_to_bind_as_the_member_with_the_same_ticket() {
    let server = MockServer::start().await;
    let (app, t) = app_with(&server).await;
    access_token_stub(&server).await;
    phone_stub(&server, "pc-member", t.member_a.phone.as_str()).await;
    let ticket = ticket(&app, &server, "c1", "o-unbound-member").await;

    let (status, body) = sign_in(&app, json!({ "ticket": ticket, "phoneCode": "pc-member" })).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("wechat_phone_on_roster")),
        "{body}"
    );
    assert!(stored(&app, "o-unbound-member").await.is_none());

    let (status, tokens) = post(
        &app,
        "/api/v1/auth/wechat/bind-phone",
        json!({ "ticket": ticket, "phoneCode": "pc-member" }),
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    let (status, me) = call(
        &app,
        tokens["accessToken"].as_str().unwrap(),
        Method::GET,
        "/api/v1/me",
        None,
    )
    .await;
    assert_eq!(
        (status, me["name"].as_str()),
        (200, Some(t.member_a.name.as_str()))
    );
}

#[tokio::test]
async fn member_endpoints_refuse_a_resident_token_and_townships_serve_both() {
    let server = MockServer::start().await;
    let (app, t) = app_with(&server).await;
    let tokens = resident(&app, &server, "o-not-a-member").await;
    let access = tokens["accessToken"].as_str().unwrap();
    let branch = t.branch_a.id;

    for (method, path, body) in [
        (Method::GET, "/api/v1/me".to_owned(), None),
        (Method::GET, format!("/api/v1/orgs/{branch}/members"), None),
        (Method::GET, "/api/v1/materials".to_owned(), None),
        (
            Method::POST,
            format!("/api/v1/orgs/{branch}/children"),
            Some(json!({ "name": "第一党小组", "kind": "group", "sector": "rural" })),
        ),
        (Method::DELETE, "/api/v1/me/wechat".to_owned(), None),
    ] {
        let (status, problem) = call(&app, access, method.clone(), &path, body).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (403, Some("permission_denied")),
            "{method} {path}: {problem}"
        );
    }
    let member = app.token_for(t.member_a.id);
    let (status, list) = call(&app, &member, Method::GET, "/api/v1/townships", None).await;
    assert_eq!(status, 200, "{list}");
    let (status, problem) = call(&app, "", Method::GET, "/api/v1/townships", None).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (401, Some("auth_token_missing"))
    );
}

#[tokio::test]
async fn a_residents_session_refreshes_and_logs_out_for_good_even_after_a_cache_flush() {
    let server = MockServer::start().await;
    let (app, _t) = app_with(&server).await;
    let tokens = resident(&app, &server, "o-session").await;
    app.clock.advance(Duration::seconds(5));
    let (status, renewed) = post(
        &app,
        "/api/v1/auth/refresh",
        json!({ "refreshToken": tokens["refreshToken"] }),
    )
    .await;
    assert_eq!(status, 200, "{renewed}");
    let access = renewed["accessToken"].as_str().unwrap();
    let (status, _) = call(&app, access, Method::GET, "/api/v1/townships", None).await;
    assert_eq!(status, 200);

    let (status, _) = call(&app, access, Method::POST, "/api/v1/auth/logout", None).await;
    assert_eq!(status, 204);

    let flushed = app.spawn_beside_with_empty_cache().await;
    for instance in [&app, &flushed] {
        let (status, problem) =
            call(instance, access, Method::GET, "/api/v1/townships", None).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (401, Some("auth_token_revoked"))
        );
        let (status, problem) = post(
            instance,
            "/api/v1/auth/refresh",
            json!({ "refreshToken": renewed["refreshToken"] }),
        )
        .await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (401, Some("auth_refresh_revoked"))
        );
    }
}

#[tokio::test]
async fn reusing_a_residents_spent_refresh_token_ends_their_session() {
    let server = MockServer::start().await;
    let (app, _t) = app_with(&server).await;
    let tokens = resident(&app, &server, "o-stolen").await;
    let refresh = json!({ "refreshToken": tokens["refreshToken"] });
    let (status, renewed) = post(&app, "/api/v1/auth/refresh", refresh.clone()).await;
    assert_eq!(status, 200);
    app.clock.advance(Duration::seconds(31));

    let (status, problem) = post(&app, "/api/v1/auth/refresh", refresh).await;

    assert_eq!(
        (status, problem["code"].as_str()),
        (401, Some("auth_refresh_reused"))
    );
    let access = renewed["accessToken"].as_str().unwrap();
    let (status, problem) = call(&app, access, Method::GET, "/api/v1/townships", None).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (401, Some("auth_token_revoked"))
    );
}

#[tokio::test]
async fn a_resident_whose_account_is_bound_to_a_member_later_is_signed_out() {
    let server = MockServer::start().await;
    let (app, t) = app_with(&server).await;
    let tokens = resident(&app, &server, "o-joins").await;
    app.db
        .repos()
        .link(&ExternalIdentity {
            provider: WECHAT_PROVIDER.into(),
            subject: "o-joins".into(),
            member_id: t.member_b.id,
            linked_at: app.clock.now(),
        })
        .await
        .unwrap();

    let access = tokens["accessToken"].as_str().unwrap();
    let (status, problem) = call(&app, access, Method::GET, "/api/v1/townships", None).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (401, Some("auth_token_revoked"))
    );
    let body = login(&app, &server, "c-member-now", "o-joins").await;
    assert_eq!(body["status"], "signed_in", "{body}");
}

#[tokio::test]
async fn the_apps_content_check_answers_as_wechat_does_for_a_recent_resident() {
    for (suggest, want) in [
        ("pass", ContentVerdict::Pass),
        ("review", ContentVerdict::Review),
        ("risky", ContentVerdict::Risky),
    ] {
        let server = MockServer::start().await;
        content_check_stub(&server, suggest).await;
        let (app, _t) = app_with(&server).await;
        resident(&app, &server, "o-writer").await;
        let r = stored(&app, "o-writer").await.unwrap();
        let check = &*app.state.content_check;
        let now = app.clock.now();

        let got = check_resident_text(check, &r, "请帮忙修水管", ContentScene::Forum, now).await;
        assert_eq!(got, want, "{suggest}");
        // Three hours on, WeChat would refuse to check: held without asking.
        let later = now + Duration::hours(3);
        let got = check_resident_text(check, &r, "请帮忙修水管", ContentScene::Forum, later).await;
        assert_eq!(got, ContentVerdict::Review, "{suggest}, stale sign-in");
    }
}

#[tokio::test]
async fn without_a_wechat_app_every_residents_text_is_held() {
    let app = TestApp::spawn().await;
    let check = &*app.state.content_check;
    let got = check
        .check("o-any", "hello", ContentScene::Forum)
        .await
        .unwrap();
    assert_eq!(got, ContentVerdict::Review);
}

#[tokio::test]
async fn when_wechat_is_down_a_residents_text_is_held_not_failed() {
    let server = MockServer::start().await;
    let (app, _t) = app_with(&server).await;
    resident(&app, &server, "o-down").await;
    let r = stored(&app, "o-down").await.unwrap();
    // No token endpoint, no msg_sec_check: every call fails.
    let got = check_resident_text(
        &*app.state.content_check,
        &r,
        "text",
        ContentScene::Forum,
        app.clock.now(),
    )
    .await;
    assert_eq!(got, ContentVerdict::Review);
}
