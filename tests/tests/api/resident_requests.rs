//! Residents' own requests: filed through WeChat's content check (passed, held for an
//! operator, or refused), seen, cancelled and rated by their requester only.

use reqwest::Method;
use serde_json::{json, Value};
use wiremock::MockServer;

use domain::clock::Clock;
use tests::fixtures::Township;
use tests::wechat::{access_token_stub, content_check_stub_for, login_stub};
use tests::{json_body, TestApp, TestOptions};

const TITLE: &str = "帮忙买药";
const DESCRIPTION: &str = "腿脚不便，需要有人帮忙到卫生院代购降压药。";

async fn app_with(server: &MockServer) -> (TestApp, Township) {
    access_token_stub(server).await;
    let app = TestApp::spawn_with(TestOptions {
        wechat_base: Some(server.uri()),
        ..TestOptions::default()
    })
    .await;
    let t = Township::create(&app.db, app.clock.now()).await;
    (app, t)
}

/// A resident signed in with a typed phone: their access token.
async fn resident(app: &TestApp, server: &MockServer, openid: &str, phone: &str) -> String {
    let code = format!("code-{openid}");
    login_stub(server, &code, openid).await;
    let res = app
        .post_json("/api/v1/auth/wechat/login", &json!({ "code": code }))
        .await;
    let body = json_body(res).await;
    let ticket = body["bindingTicket"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let res = app
        .post_json(
            "/api/v1/auth/wechat/resident",
            &json!({ "ticket": ticket, "phone": phone, "phoneConfirm": phone }),
        )
        .await;
    let status = res.status().as_u16();
    let tokens = json_body(res).await;
    assert_eq!(status, 200, "{tokens}");
    tokens["accessToken"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
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
    let text = res.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn request(t: &Township, title: &str) -> Value {
    json!({
        "committeeId": t.committee.id,
        "kind": "hotline",
        "title": title,
        "description": DESCRIPTION,
        "address": "盖北镇新舍村12号",
        "contactName": "王阿婆",
        "contactPhone": "13900000077",
    })
}

#[tokio::test]
async fn a_residents_text_passes_is_held_or_is_refused_as_wechat_says() {
    let server = MockServer::start().await;
    for (title, suggest) in [
        (TITLE, "pass"),
        ("请帮忙修水管", "review"),
        ("违规内容", "risky"),
    ] {
        content_check_stub_for(&server, &format!("{title}\n{DESCRIPTION}"), suggest).await;
    }
    let (app, t) = app_with(&server).await;
    let me = resident(&app, &server, "o-resident", "13900000077").await;
    let file = |body: Value| {
        let me = me.clone();
        let app = &app;
        async move {
            call(
                app,
                &me,
                Method::POST,
                "/api/v1/service-requests",
                Some(body),
            )
            .await
        }
    };
    // A resident names the township.
    let mut body = request(&t, TITLE);
    body.as_object_mut().map(|o| o.remove("committeeId"));
    let (s, e) = file(body).await;
    assert_eq!(
        (s, e["errors"][0]["code"].as_str()),
        (422, Some("service_request_committee_required")),
        "{e}"
    );
    let (s, passed) = file(request(&t, TITLE)).await;
    assert_eq!(s, 201, "{passed}");
    assert_eq!(
        (
            passed["moderation"].as_str(),
            passed["filedBy"].as_str(),
            passed["contact"]["masked"].as_bool()
        ),
        (Some("passed"), Some("resident"), Some(false))
    );
    let (s, held) = file(request(&t, "请帮忙修水管")).await;
    assert_eq!(
        (s, held["moderation"].as_str()),
        (201, Some("held")),
        "{held}"
    );
    let (s, e) = file(request(&t, "违规内容")).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("service_request_content_risky")),
        "{e}"
    );

    // Held text waits for the operator: listed for them, not dispatched until let through.
    let held_id = held["id"].as_str().unwrap_or_default().to_owned();
    let (_, l) = app
        .call(
            &t.operator,
            Method::GET,
            "/api/v1/service-requests?moderation=held",
            None,
        )
        .await;
    assert_eq!(l["items"][0]["id"].as_str(), Some(held_id.as_str()), "{l}");
    let dispatch = format!("/api/v1/service-requests/{held_id}/dispatch");
    let to_a = Some(json!({"orgId": t.branch_a.id}));
    let (s, e) = app
        .call(&t.operator, Method::POST, &dispatch, to_a.clone())
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (409, Some("service_request_held")),
        "{e}"
    );
    let (s, r) = app
        .call(
            &t.operator,
            Method::POST,
            &format!("/api/v1/service-requests/{held_id}/text-approval"),
            None,
        )
        .await;
    assert_eq!(
        (s, r["moderation"].as_str()),
        (200, Some("released")),
        "{r}"
    );
    assert_eq!(
        app.call(&t.operator, Method::POST, &dispatch, to_a).await.0,
        200
    );
}

#[tokio::test]
async fn a_resident_sees_cancels_and_rates_only_their_own_requests() {
    let server = MockServer::start().await;
    content_check_stub_for(&server, &format!("{TITLE}\n{DESCRIPTION}"), "pass").await;
    let (app, t) = app_with(&server).await;
    let me = resident(&app, &server, "o-one", "13900000077").await;
    let other = resident(&app, &server, "o-two", "13900000088").await;
    let (s, r) = call(
        &app,
        &me,
        Method::POST,
        "/api/v1/service-requests",
        Some(request(&t, TITLE)),
    )
    .await;
    assert_eq!(s, 201, "{r}");
    let id = r["id"].as_str().unwrap_or_default().to_owned();
    let path = format!("/api/v1/service-requests/{id}");
    // Another resident: as if it did not exist; nor in their list.
    assert_eq!(call(&app, &other, Method::GET, &path, None).await.0, 404);
    let (_, l) = call(&app, &other, Method::GET, "/api/v1/service-requests", None).await;
    assert_eq!(l["items"].as_array().map(Vec::len), Some(0), "{l}");
    assert_eq!(
        call(
            &app,
            &other,
            Method::POST,
            &format!("{path}/cancel"),
            Some(json!({}))
        )
        .await
        .0,
        404
    );
    let (_, l) = call(&app, &me, Method::GET, "/api/v1/service-requests", None).await;
    assert_eq!(l["items"].as_array().map(Vec::len), Some(1), "{l}");
    // A resident has no volunteer's powers.
    assert_eq!(
        call(&app, &me, Method::POST, &format!("{path}/claims"), None)
            .await
            .0,
        403
    );
    // Served, then rated by the resident, which closes it.
    assert_eq!(
        app.call(
            &t.operator,
            Method::POST,
            &format!("{path}/dispatch"),
            Some(json!({"orgId": t.branch_a.id}))
        )
        .await
        .0,
        200
    );
    for step in ["claims", "start"] {
        assert_eq!(
            app.call(&t.member_a, Method::POST, &format!("{path}/{step}"), None)
                .await
                .0,
            200
        );
    }
    let done = json!({"summary": "已送药", "hours": [{"memberId": t.member_a.id, "minutes": 30}]});
    assert_eq!(
        app.call(
            &t.member_a,
            Method::POST,
            &format!("{path}/complete"),
            Some(done)
        )
        .await
        .0,
        200
    );
    assert_eq!(
        call(
            &app,
            &other,
            Method::POST,
            &format!("{path}/rating"),
            Some(json!({"rating": 1}))
        )
        .await
        .0,
        404
    );
    let (s, r) = call(
        &app,
        &me,
        Method::POST,
        &format!("{path}/rating"),
        Some(json!({"rating": 5, "comment": "谢谢"})),
    )
    .await;
    assert_eq!((s, r["state"].as_str()), (200, Some("closed")), "{r}");
    // The volunteer is named to the resident masked.
    assert!(
        r["volunteers"][0]["name"]
            .as_str()
            .unwrap_or_default()
            .ends_with("**"),
        "{r}"
    );
}
