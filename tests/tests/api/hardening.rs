//! What outside testing found in the input handling: foreign phone numbers, arrays read as
//! objects, syntax errors hidden behind unknown fields, dates the calendar cannot mean,
//! and bodies sent to operations that take none.

use reqwest::Method;
use serde_json::{json, Value};
use tests::fixtures::Township;
use tests::{json_body, TestApp};

use domain::clock::Clock;
use domain::org::OrgRepo;

async fn world() -> (TestApp, Township) {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    (app, t)
}

fn codes(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_number_with_another_country_code_is_refused_not_stored_as_mainland() {
    let (app, t) = world().await;
    let path = format!("/api/v1/orgs/{}/members", t.branch_a.id);
    for phone in ["+1 380 000 1234", "001 380 000 1234", "+852 13800001234"] {
        let (s, e) = app
            .call(
                &t.secretary_a,
                Method::POST,
                &path,
                Some(json!({"name": "张三", "phone": phone, "category": "rural"})),
            )
            .await;
        assert_eq!(s, 422, "{phone}: {e}");
        assert_eq!(codes(&e), ["phone_not_mainland"], "{phone}: {e}");
    }
    let member = format!("/api/v1/members/{}", t.member_a.id);
    let (s, e) = app
        .call(
            &t.secretary_a,
            Method::PATCH,
            &member,
            Some(json!({"phone": "+1 380 000 1234"})),
        )
        .await;
    assert_eq!((s, codes(&e)), (422, vec!["phone_not_mainland".to_owned()]));
    // Mainland numbers with +86 still pass.
    let (s, m) = app
        .call(
            &t.secretary_a,
            Method::POST,
            &path,
            Some(json!({"name": "李四", "phone": "+86 138 0000 1234", "category": "rural"})),
        )
        .await;
    assert_eq!((s, m["phone"].as_str()), (201, Some("13800001234")), "{m}");
}

#[tokio::test]
async fn the_roster_import_names_the_row_of_a_foreign_number() {
    let (app, _t) = world().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("roster.csv");
    std::fs::write(
        &file,
        "组织路径,组织类别,姓名,手机号,党员类别\n\
         盖北镇党委/虞北村党总支/虞北村第一党支部,,好人,13700000001,农村\n\
         盖北镇党委/虞北村党总支/虞北村第一党支部,,外国号,+1 380 000 1234,农村\n",
    )
    .unwrap();
    let Err(api::cli::import::ImportError::Rows(errors)) =
        api::cli::import::run(&app.db, app.clock.now(), &file, false).await
    else {
        panic!("a foreign number was imported");
    };
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].line, 3);
    assert!(errors[0].reason.contains("不是大陆手机号"), "{errors:#?}");
}

#[tokio::test]
async fn an_array_is_never_read_as_an_object_at_any_depth() {
    let (app, t) = world().await;
    let org = format!("/api/v1/orgs/{}", t.branch_a.id);
    let (s, e) = app
        .call(&t.admin, Method::PATCH, &org, Some(json!(["新名字"])))
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("request_json_invalid")),
        "{e}"
    );
    assert_eq!(e["errors"][0]["pointer"], "", "{e}");
    let stored = OrgRepo::get(&app.db.repos(), t.branch_a.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.name, t.branch_a.name, "not renamed");

    let member = format!("/api/v1/members/{}", t.member_a.id);
    let (s, _) = app
        .call(
            &t.secretary_a,
            Method::PATCH,
            &member,
            Some(json!(["改名"])),
        )
        .await;
    assert_eq!(s, 422);
    let (s, _) = app
        .call(&t.admin, Method::PATCH, &org, Some(json!("新名字")))
        .await;
    assert_eq!(s, 422);

    // Nested: a location given as [lat, lng] is not a location.
    let now = app.clock.now();
    let rfc = |m: i64| {
        (now + chrono::Duration::minutes(m))
            .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
            .to_rfc3339()
    };
    let (s, a) = app
        .call(
            &t.secretary_a,
            Method::POST,
            &format!("/api/v1/orgs/{}/activities", t.branch_a.id),
            Some(json!({
                "kind": "theme_day", "themeCategory": "study", "title": "主题党日",
                "startsAt": rfc(10), "endsAt": rfc(70), "proof": "location",
                "geofence": {"center": [30.0, 120.0], "radiusM": 100.0},
            })),
        )
        .await;
    assert_eq!(s, 422, "{a}");
    assert_eq!(a["errors"][0]["pointer"], "/geofence/center", "{a}");
    let (s, a) = app
        .call(
            &t.secretary_a,
            Method::POST,
            &format!("/api/v1/orgs/{}/activities", t.branch_a.id),
            Some(json!({
                "kind": "theme_day", "themeCategory": "study", "title": "主题党日",
                "startsAt": rfc(10), "endsAt": rfc(70), "proof": "location",
                "geofence": {"center": {"lat": 30.0, "lng": 120.0}, "radiusM": 100.0},
            })),
        )
        .await;
    assert_eq!(s, 201, "{a}");
    let activity = a["id"].as_str().unwrap();
    let (s, e) = app
        .call(
            &t.member_a,
            Method::POST,
            &format!("/api/v1/activities/{activity}/check-ins"),
            Some(json!({"location": [30.0, 120.0]})),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["errors"][0]["pointer"], "/location", "{e}");
    let (s, e) = app
        .call(
            &t.secretary_a,
            Method::PATCH,
            &format!("/api/v1/activities/{activity}"),
            Some(json!(["改个标题"])),
        )
        .await;
    assert_eq!(s, 422, "{e}");
}

#[tokio::test]
async fn a_syntax_error_is_400_even_after_an_unknown_field() {
    let (app, t) = world().await;
    let token = app.token_for(t.admin.id);
    let org = format!("/api/v1/orgs/{}", t.branch_a.id);
    for body in [r#"{"a": "#, r#"{"bogus": 1, "name": "#, r#"{"bogus": 1} x"#] {
        let res = app
            .client
            .patch(app.url(&org))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 400, "{body}");
        assert_eq!(
            json_body(res).await["code"],
            "request_json_malformed",
            "{body}"
        );
    }
}

#[tokio::test]
async fn material_times_the_calendar_cannot_mean_are_refused() {
    let (app, t) = world().await;
    for (field, value) in [
        ("publishAt", "0000-01-01T00:00:00+08:00"),
        ("publishAt", "1999-12-31T00:00:00+08:00"),
        ("studyDeadline", "0000-06-01T00:00:00Z"),
        ("studyDeadline", "2101-06-01T00:00:00+08:00"),
    ] {
        let mut body = json!({
            "title": "党章", "body": "<p>正文</p>", "category": "party_constitution",
            "audience": {"orgId": t.committee.id},
        });
        body[field] = json!(value);
        let (s, e) = app
            .call(&t.admin, Method::POST, "/api/v1/materials", Some(body))
            .await;
        assert_eq!(s, 422, "{field}={value}: {e}");
        assert!(
            codes(&e).contains(&"material_time_invalid".to_owned()),
            "{field}={value}: {e}"
        );
    }
    let mut body = json!({
        "title": "党章", "body": "<p>正文</p>", "category": "party_constitution",
        "audience": {"orgId": t.committee.id}, "studyDeadline": "+10000-01-01T00:00:00Z",
    });
    let (s, e) = app
        .call(
            &t.admin,
            Method::POST,
            "/api/v1/materials",
            Some(body.clone()),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    body["studyDeadline"] = json!("10000-01-01T00:00:00Z");
    let (s, e) = app
        .call(&t.admin, Method::POST, "/api/v1/materials", Some(body))
        .await;
    assert_eq!(s, 422, "{e}");
}

#[tokio::test]
async fn a_body_sent_to_an_operation_that_takes_none_is_refused() {
    let (app, t) = world().await;
    let token = app.token_for(t.member_a.id);
    for (method, path) in [
        (Method::GET, "/api/v1/me".to_owned()),
        (Method::POST, "/api/v1/auth/logout".to_owned()),
        (Method::DELETE, "/api/v1/me/wechat".to_owned()),
        (Method::GET, format!("/api/v1/orgs/{}", t.branch_a.id)),
    ] {
        let res = app
            .client
            .request(method.clone(), app.url(&path))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(r#"{"x": 1}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 400, "{method} {path}");
        let request_id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
        let problem = json_body(res).await;
        assert_eq!(
            problem["code"], "request_body_unexpected",
            "{method} {path}"
        );
        assert_eq!(problem["requestId"], request_id.as_str(), "{method} {path}");
        assert_eq!(problem["instance"], path.as_str(), "{method} {path}");
    }
    // Without a body (or with an empty one) they work as before.
    let res = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .header("content-length", "0")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    // The document says so.
    let doc = json_body(app.get("/api-docs/openapi.json").await).await;
    let me = &doc["paths"]["/api/v1/me"]["get"]["responses"]["400"]["description"];
    assert!(
        me.as_str()
            .unwrap_or("")
            .contains("request_body_unexpected"),
        "{me}"
    );
}
