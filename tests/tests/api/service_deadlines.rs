//! A township's deadlines for 96345 requests: per kind and urgency, the working days to be
//! claimed and to be completed, read by its dispatchers and set by its admins; dispatch and
//! the reopening after an unsatisfied follow-up count them on the holiday calendar. The
//! test clock starts on Thursday 5 November 2026, 08:30 Beijing.

use chrono::Duration;
use reqwest::Method;
use serde_json::{json, Value};
use tests::fixtures::Township;
use tests::TestApp;

use domain::clock::Clock;
use domain::org::Member;

fn deadlines(t: &Township) -> String {
    format!("/api/v1/orgs/{}/service-deadlines", t.committee.id)
}

async fn get(app: &TestApp, who: &Member, path: &str) -> (u16, Value) {
    app.call(who, Method::GET, path, None).await
}

async fn put(app: &TestApp, who: &Member, path: &str, body: Value) -> (u16, Value) {
    app.call(who, Method::PUT, path, Some(body)).await
}

/// Sets the township's deadlines as its admin (200 required).
async fn set(app: &TestApp, t: &Township, body: Value) -> Value {
    let (s, r) = put(app, &t.admin, &deadlines(t), body).await;
    assert_eq!(s, 200, "{r}");
    r
}

/// The row of `kind` and `urgency`.
fn row<'a>(view: &'a Value, kind: &str, urgency: &str) -> &'a Value {
    view["items"]
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .find(|r| r["kind"] == kind && r["urgency"] == urgency)
        })
        .unwrap_or_else(|| panic!("no {kind}/{urgency} in {view}"))
}

/// `(claimDays, completeDays, isDefault)` of a row.
fn days(view: &Value, kind: &str, urgency: &str) -> (u64, u64, bool) {
    let r = row(view, kind, urgency);
    (
        r["claimDays"].as_u64().unwrap(),
        r["completeDays"].as_u64().unwrap(),
        r["isDefault"].as_bool().unwrap(),
    )
}

/// Files a request of `kind` and `urgency` as member B for a resident: its id.
async fn filed(app: &TestApp, t: &Township, kind: &str, urgency: &str) -> String {
    let (s, r) = app
        .call(
            &t.member_b,
            Method::POST,
            "/api/v1/service-requests",
            Some(json!({
                "kind": kind,
                "urgency": urgency,
                "title": "帮忙买药",
                "description": "腿脚不便，需要有人帮忙到卫生院代购降压药。",
                "address": "盖北镇新舍村12号",
                "contactName": "王阿婆",
                "contactPhone": "138 0000 5678",
            })),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    r["id"].as_str().unwrap().to_owned()
}

async fn act(app: &TestApp, who: &Member, id: &str, step: &str, body: Option<Value>) -> Value {
    let (s, r) = app
        .call(
            who,
            Method::POST,
            &format!("/api/v1/service-requests/{id}/{step}"),
            body,
        )
        .await;
    assert_eq!(s, 200, "{step}: {r}");
    r
}

/// The request's `(claimDue, completeDue)`.
fn dues(r: &Value) -> (String, String) {
    (
        r["claimDue"].as_str().unwrap_or_default().to_owned(),
        r["completeDue"].as_str().unwrap_or_default().to_owned(),
    )
}

fn end_of(date: &str) -> String {
    format!("{date}T00:00:00+08:00")
}

#[tokio::test]
async fn a_township_that_set_nothing_shows_every_default_in_a_stable_order() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;

    let (s, r) = get(&app, &t.operator, &deadlines(&t)).await;

    assert_eq!(s, 200, "{r}");
    let order: Vec<(String, String)> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["kind"].as_str().unwrap().to_owned(),
                r["urgency"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut expected = Vec::new();
    for kind in ["hotline", "thematic", "home_visit", "outreach", "wish"] {
        for urgency in ["normal", "urgent"] {
            expected.push((kind.to_owned(), urgency.to_owned()));
        }
    }
    assert_eq!(order, expected);
    assert_eq!(days(&r, "hotline", "normal"), (1, 3, true));
    assert_eq!(days(&r, "home_visit", "normal"), (2, 10, true));
    assert_eq!(days(&r, "wish", "normal"), (5, 20, true));
    for kind in ["hotline", "thematic", "home_visit", "outreach", "wish"] {
        assert_eq!(days(&r, kind, "urgent"), (0, 0, true), "{kind}");
    }
}

#[tokio::test]
async fn what_the_admin_sets_is_answered_and_read_back_and_the_rest_stays_default() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;

    let put_answer = set(
        &app,
        &t,
        json!({
            "hotline": {"normal": {"claimDays": 2, "completeDays": 5}},
            "wish": {"urgent": {"claimDays": 1.0, "completeDays": 2}},
        }),
    )
    .await;
    let (s, read) = get(&app, &t.operator, &deadlines(&t)).await;

    assert_eq!(s, 200, "{read}");
    assert_eq!(read, put_answer, "PUT answers what GET reads");
    assert_eq!(days(&read, "hotline", "normal"), (2, 5, false));
    assert_eq!(days(&read, "wish", "urgent"), (1, 2, false));
    assert_eq!(days(&read, "hotline", "urgent"), (0, 0, true));
    assert_eq!(days(&read, "wish", "normal"), (5, 20, true));
    assert_eq!(days(&read, "outreach", "normal"), (2, 10, true));
}

#[tokio::test]
async fn setting_the_deadlines_is_audited() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;

    set(
        &app,
        &t,
        json!({"thematic": {"normal": {"claimDays": 3, "completeDays": 15}}}),
    )
    .await;

    let (s, log) = get(&app, &t.admin, "/api/v1/audit").await;
    assert_eq!(s, 200, "{log}");
    let entry = log["items"]
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .find(|e| e["action"] == "volunteer.deadlines_set")
        })
        .unwrap_or_else(|| panic!("not audited: {log}"));
    assert_eq!(entry["objectId"], t.committee.id.to_string(), "{entry}");
    assert_eq!(entry["actorId"], t.admin.id.to_string(), "{entry}");
}

#[tokio::test]
async fn leaving_a_kind_out_returns_it_to_the_default() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    set(
        &app,
        &t,
        json!({
            "hotline": {"normal": {"claimDays": 2, "completeDays": 5}, "urgent": {"claimDays": 1, "completeDays": 1}},
            "outreach": {"normal": {"claimDays": 4, "completeDays": 8}},
        }),
    )
    .await;

    let r = set(
        &app,
        &t,
        json!({"hotline": {"urgent": {"claimDays": 1, "completeDays": 1}}, "outreach": null}),
    )
    .await;

    assert_eq!(days(&r, "hotline", "normal"), (1, 3, true));
    assert_eq!(days(&r, "hotline", "urgent"), (1, 1, false));
    assert_eq!(days(&r, "outreach", "normal"), (2, 10, true));
    let r = set(&app, &t, json!({})).await;
    assert!(
        r["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["isDefault"] == true),
        "{r}"
    );
}

#[tokio::test]
async fn a_dispatch_counts_the_townships_working_days_across_the_weekend() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    set(
        &app,
        &t,
        json!({"thematic": {"normal": {"claimDays": 1, "completeDays": 2}}}),
    )
    .await;
    let id = filed(&app, &t, "thematic", "normal").await;

    let r = act(
        &app,
        &t.operator,
        &id,
        "dispatch",
        Some(json!({"orgId": t.branch_a.id})),
    )
    .await;

    // Dispatched on Thursday: claimed by the end of Friday, completed by the end of
    // Monday 9 (the weekend does not count); the default would be Monday and the 19th.
    assert_eq!(
        dues(&r),
        (end_of("2026-11-07"), end_of("2026-11-10")),
        "{r}"
    );
}

#[tokio::test]
async fn a_dispatchers_own_days_still_win_over_the_townships() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    set(
        &app,
        &t,
        json!({"thematic": {"normal": {"claimDays": 1, "completeDays": 2}}}),
    )
    .await;
    let id = filed(&app, &t, "thematic", "normal").await;

    let r = act(
        &app,
        &t.operator,
        &id,
        "dispatch",
        Some(json!({"orgId": t.branch_a.id, "claimDays": 0})),
    )
    .await;

    // Claimed the same day, as the dispatcher said; completed as the township says.
    assert_eq!(
        dues(&r),
        (end_of("2026-11-06"), end_of("2026-11-10")),
        "{r}"
    );
}

#[tokio::test]
async fn an_urgent_request_gets_the_townships_urgent_deadlines() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    set(
        &app,
        &t,
        json!({"hotline": {"urgent": {"claimDays": 0, "completeDays": 1}}}),
    )
    .await;
    let id = filed(&app, &t, "hotline", "urgent").await;

    let r = act(
        &app,
        &t.operator,
        &id,
        "dispatch",
        Some(json!({"orgId": t.branch_a.id})),
    )
    .await;

    // Claimed today (Thursday), completed by the end of Friday instead of today.
    assert_eq!(
        dues(&r),
        (end_of("2026-11-06"), end_of("2026-11-07")),
        "{r}"
    );
}

#[tokio::test]
async fn an_unsatisfied_follow_up_reopens_with_the_townships_deadlines() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let id = filed(&app, &t, "home_visit", "normal").await;
    act(
        &app,
        &t.operator,
        &id,
        "dispatch",
        Some(json!({"orgId": t.branch_a.id})),
    )
    .await;
    for step in ["claims", "start"] {
        act(&app, &t.member_a, &id, step, None).await;
    }
    let done = json!({"summary": "陪老人聊天两小时", "hours": [{"memberId": t.member_a.id, "minutes": 120}]});
    act(&app, &t.member_a, &id, "complete", Some(done)).await;
    // The township shortens home visits after the dispatch; the call comes on Friday.
    set(
        &app,
        &t,
        json!({"home_visit": {"normal": {"claimDays": 1, "completeDays": 3}}}),
    )
    .await;
    app.clock.advance(Duration::days(1));

    let r = act(
        &app,
        &t.operator,
        &id,
        "follow-up",
        Some(json!({"satisfied": false, "rating": 2, "comment": "没有按约定时间来"})),
    )
    .await;

    // From Friday: claimed by the end of Monday 9, completed by the end of Wednesday 11
    // (the default would be Tuesday and the 20th).
    assert_eq!(r["state"], "accepted", "{r}");
    assert_eq!(
        dues(&r),
        (end_of("2026-11-10"), end_of("2026-11-12")),
        "{r}"
    );
}

#[tokio::test]
async fn more_days_to_claim_than_to_complete_is_refused_at_the_field() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;

    let (s, e) = put(
        &app,
        &t.admin,
        &deadlines(&t),
        json!({"outreach": {"normal": {"claimDays": 5, "completeDays": 4}}}),
    )
    .await;

    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("validation_failed")),
        "{e}"
    );
    assert_eq!(
        (
            e["errors"][0]["pointer"].as_str(),
            e["errors"][0]["code"].as_str()
        ),
        (
            Some("/outreach/normal/claimDays"),
            Some("service_deadline_claim_after_complete")
        ),
        "{e}"
    );
    let (_, r) = get(&app, &t.admin, &deadlines(&t)).await;
    assert_eq!(
        days(&r, "outreach", "normal"),
        (2, 10, true),
        "nothing stored"
    );
}

#[tokio::test]
async fn days_out_of_range_or_not_whole_are_refused_at_the_field() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let refused = |body: Value| {
        let app = &app;
        let path = deadlines(&t);
        let admin = t.admin.clone();
        async move {
            let (s, e) = put(app, &admin, &path, body).await;
            (
                s,
                e["code"].as_str().unwrap_or_default().to_owned(),
                e["errors"][0]["pointer"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                e["errors"][0]["code"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        }
    };

    assert_eq!(
        refused(json!({"wish": {"normal": {"claimDays": 31, "completeDays": 31}}})).await,
        (
            422,
            "validation_failed".to_owned(),
            "/wish/normal/claimDays".to_owned(),
            "service_deadline_days_invalid".to_owned()
        )
    );
    assert_eq!(
        refused(json!({"wish": {"normal": {"claimDays": 1, "completeDays": 91}}})).await,
        (
            422,
            "validation_failed".to_owned(),
            "/wish/normal/completeDays".to_owned(),
            "service_deadline_days_invalid".to_owned()
        )
    );
    let (s, code, pointer, _) =
        refused(json!({"wish": {"normal": {"claimDays": -1, "completeDays": 3}}})).await;
    assert_eq!(
        (s, code.as_str(), pointer.as_str()),
        (422, "request_json_invalid", "/wish/normal/claimDays")
    );
    let (s, code, pointer, _) =
        refused(json!({"wish": {"normal": {"claimDays": 1.5, "completeDays": 3}}})).await;
    assert_eq!(
        (s, code.as_str(), pointer.as_str()),
        (422, "request_json_invalid", "/wish/normal/claimDays")
    );
    let (s, code, _, field) = refused(json!({"wish": {"normal": {"claimDays": 1}}})).await;
    assert_eq!(
        (s, code.as_str(), field.as_str()),
        (422, "request_json_invalid", "missing_field")
    );
    let (s, code, _, field) = refused(json!({"errands": {}})).await;
    assert_eq!(
        (s, code.as_str(), field.as_str()),
        (422, "request_json_invalid", "unknown_field")
    );
}

#[tokio::test]
async fn callers_with_no_such_role_anywhere_are_refused_before_any_lookup() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let body = json!({"hotline": {"normal": {"claimDays": 1, "completeDays": 2}}});

    // A secretary neither reads nor sets; an operator reads but does not set.
    assert_eq!(get(&app, &t.secretary_a, &deadlines(&t)).await.0, 403);
    assert_eq!(
        put(&app, &t.secretary_a, &deadlines(&t), body.clone())
            .await
            .0,
        403
    );
    let (s, e) = put(&app, &t.operator, &deadlines(&t), body.clone()).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (403, Some("permission_denied")),
        "{e}"
    );
    let random = format!("/api/v1/orgs/{}/service-deadlines", uuid::Uuid::now_v7());
    assert_eq!(get(&app, &t.member_a, &random).await.0, 403);
    assert_eq!(put(&app, &t.operator, &random, body).await.0, 403);
}

#[tokio::test]
async fn another_townships_admin_and_a_branch_get_what_a_random_id_gets() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let body = json!({"hotline": {"normal": {"claimDays": 1, "completeDays": 2}}});
    let at = |id: String| format!("/api/v1/orgs/{id}/service-deadlines");
    let random = at(uuid::Uuid::now_v7().to_string());
    let (random_get, random_put) = (
        get(&app, &t.other_admin, &random).await,
        put(&app, &t.other_admin, &random, body.clone()).await,
    );
    assert_eq!(random_get.0, 404, "{}", random_get.1);
    assert_eq!(random_put.0, 404, "{}", random_put.1);

    // Another township, and orgs in the caller's own township that are no committee.
    for (who, path) in [
        (&t.other_admin, at(t.committee.id.to_string())),
        (&t.admin, at(t.other_committee.id.to_string())),
        (&t.admin, at(t.branch_b.id.to_string())),
        (&t.admin, at(t.general.id.to_string())),
    ] {
        let (s, e) = get(&app, who, &path).await;
        assert_eq!(
            (s, &e["code"]),
            (404, &random_get.1["code"]),
            "GET {path}: {e}"
        );
        let (s, e) = put(&app, who, &path, body.clone()).await;
        assert_eq!(
            (s, &e["code"]),
            (404, &random_put.1["code"]),
            "PUT {path}: {e}"
        );
    }
    let (s, e) = get(&app, &t.operator, &at(t.branch_a.id.to_string())).await;
    assert_eq!((s, &e["code"]), (404, &random_get.1["code"]), "{e}");
    let (_, r) = get(&app, &t.admin, &deadlines(&t)).await;
    assert_eq!(
        days(&r, "hotline", "normal"),
        (1, 3, true),
        "nothing stored"
    );
}

#[tokio::test]
async fn admins_saving_at_once_all_succeed_and_one_whole_set_stands() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    set(
        &app,
        &t,
        json!({"wish": {"normal": {"claimDays": 9, "completeDays": 9}}}),
    )
    .await;
    let body = |n: u32| {
        json!({
            "hotline": {"normal": {"claimDays": n, "completeDays": n + 1}},
            "wish": {"normal": {"claimDays": n, "completeDays": 30}},
        })
    };
    let path = deadlines(&t);

    let answers = tokio::join!(
        put(&app, &t.admin, &path, body(1)),
        put(&app, &t.admin, &path, body(2)),
        put(&app, &t.admin, &path, body(3)),
        put(&app, &t.admin, &path, body(4)),
    );

    for (s, r) in [answers.0, answers.1, answers.2, answers.3] {
        assert_eq!(s, 200, "{r}");
    }
    let (_, r) = get(&app, &t.admin, &path).await;
    let (claim, complete, _) = days(&r, "hotline", "normal");
    assert_eq!(complete, claim + 1, "{r}");
    assert_eq!(
        days(&r, "wish", "normal"),
        (claim, 30, false),
        "one body, whole: {r}"
    );
}
