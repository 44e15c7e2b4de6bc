//! A member's own attributes through the API: what is set on creation or by an update is
//! what every member view reads back.

use reqwest::Method;
use serde_json::{json, Value};
use tests::fixtures::Township;
use tests::{json_body, TestApp};

use domain::clock::Clock;
use domain::org::{Member, MemberId};

async fn call(
    app: &TestApp,
    who: &Member,
    method: Method,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let token = app.token_for(who.id);
    let res = if body.is_null() {
        app.send_as(&token, method, path).await
    } else {
        app.send_json_as(&token, method, path, &body).await
    };
    let status = res.status().as_u16();
    (status, json_body(res).await)
}

#[tokio::test]
async fn a_probationary_member_is_created_read_back_and_admitted_as_a_full_member() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let (s, created) = call(
        &app,
        &t.secretary_a,
        Method::POST,
        &format!("/api/v1/orgs/{}/members", t.branch_a.id),
        json!({"name": "预备甲", "phone": "13700000051", "category": "rural", "probationary": true}),
    )
    .await;
    assert_eq!(
        (s, &created["probationary"]),
        (201, &json!(true)),
        "{created}"
    );
    let id = created["id"].as_str().unwrap().to_owned();
    let one = format!("/api/v1/members/{id}");

    let (s, read) = call(&app, &t.secretary_a, Method::GET, &one, Value::Null).await;
    assert_eq!((s, &read["probationary"]), (200, &json!(true)), "{read}");
    let (_, list) = call(
        &app,
        &t.member_a,
        Method::GET,
        &format!("/api/v1/orgs/{}/members", t.branch_a.id),
        Value::Null,
    )
    .await;
    let listed = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == json!(id))
        .unwrap_or_else(|| panic!("{list}"));
    assert_eq!(listed["probationary"], true);
    let me = app.token_for(MemberId::from_uuid(id.parse().unwrap()));
    let me = json_body(app.send_as(&me, Method::GET, "/api/v1/me").await).await;
    assert_eq!(me["probationary"], true, "{me}");

    // An update that leaves the flag out keeps it.
    let (s, renamed) = call(
        &app,
        &t.secretary_a,
        Method::PATCH,
        &one,
        json!({"name": "预备乙"}),
    )
    .await;
    assert_eq!(
        (s, &renamed["probationary"]),
        (200, &json!(true)),
        "{renamed}"
    );

    let (s, admitted) = call(
        &app,
        &t.secretary_a,
        Method::PATCH,
        &one,
        json!({"probationary": false}),
    )
    .await;
    assert_eq!(
        (s, &admitted["probationary"]),
        (200, &json!(false)),
        "{admitted}"
    );
    let (_, read) = call(&app, &t.secretary_a, Method::GET, &one, Value::Null).await;
    assert_eq!(read["probationary"], false);

    // Each change is audited as a member update.
    let (_, log) = call(&app, &t.admin, Method::GET, "/api/v1/audit", Value::Null).await;
    // The test clock stands still: entries of one instant come in no set order.
    let mut actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["objectId"] == json!(id))
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    actions.sort_unstable();
    assert_eq!(actions, ["member.create", "member.update", "member.update"]);
}

#[tokio::test]
async fn a_member_is_a_full_member_unless_said_otherwise() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let (s, created) = call(
        &app,
        &t.admin,
        Method::POST,
        &format!("/api/v1/orgs/{}/members", t.branch_b.id),
        json!({"name": "正式党员", "phone": "13700000052", "category": "in_service"}),
    )
    .await;
    assert_eq!(
        (s, &created["probationary"]),
        (201, &json!(false)),
        "{created}"
    );
    let (_, me) = call(&app, &t.member_a, Method::GET, "/api/v1/me", Value::Null).await;
    assert_eq!(me["probationary"], false, "{me}");
}

#[tokio::test]
async fn probationary_takes_a_boolean_and_nothing_else() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    for bad in [json!("是"), json!(1), Value::Null] {
        let (s, e) = call(
            &app,
            &t.secretary_a,
            Method::POST,
            &format!("/api/v1/orgs/{}/members", t.branch_a.id),
            json!({"name": "某人", "phone": "13700000053", "category": "rural", "probationary": bad}),
        )
        .await;
        assert_eq!(
            (s, e["code"].as_str()),
            (422, Some("request_json_invalid")),
            "{bad}: {e}"
        );
    }
    let (s, e) = call(
        &app,
        &t.secretary_a,
        Method::PATCH,
        &format!("/api/v1/members/{}", t.member_a.id),
        json!({"probationary": "否"}),
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("request_json_invalid")),
        "{e}"
    );
}
