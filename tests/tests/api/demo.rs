//! The demo township shows every capability on first start: a newcomer's first calls of the
//! feed, the secretary's inbox and the theme day's attendance answer real rows, whatever
//! day of the month the demo was first seeded.

use chrono::{Duration, TimeZone, Utc};
use reqwest::Method;
use serde_json::Value;

use domain::clock::Clock;
use domain::org::{Member, MemberRepo, PhoneNumber};
use tests::TestApp;

const THEME_DAY: &str = "01930000-0000-7000-8000-000000040001";

async fn demo_member(app: &TestApp, phone: &str) -> Member {
    app.db
        .repos()
        .find_by_phone(&PhoneNumber::parse(phone).unwrap())
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no demo member {phone}"))
}

async fn get(app: &TestApp, who: &Member, path: &str) -> Value {
    let (s, body) = app.call(who, Method::GET, path, None).await;
    assert_eq!(s, 200, "{path}: {body}");
    body
}

async fn seed(app: &TestApp) {
    api::cli::demo::seed(&app.db, app.clock.now())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_demo_seeded_after_its_theme_day_still_shows_feed_inbox_and_attendance() {
    let app = TestApp::spawn().await;
    // First started on the 20th, two weeks after this month's theme day (the 5th).
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 20, 2, 0, 0).unwrap());
    seed(&app).await;
    seed(&app).await; // idempotent

    let member = demo_member(&app, "13800000007").await; // 周丽, a branch committee member
    let feed = get(&app, &member, "/api/v1/materials").await;
    let items = feed["items"].as_array().unwrap();
    assert!(
        items.iter().any(|m| m["lessonMonth"] == "2026-11"),
        "this month's lesson: {feed}"
    );
    assert!(
        items.iter().any(|m| m["required"] == true),
        "a required material: {feed}"
    );
    assert!(
        items.iter().any(|m| !m["myProgress"].is_null()),
        "some progress of this member: {feed}"
    );

    let secretary = demo_member(&app, "13800000006").await; // 孙建国
    let inbox = get(&app, &secretary, "/api/v1/me/inbox").await;
    let line = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["activityId"] == THEME_DAY)
        .unwrap_or_else(|| panic!("the theme day waits for review: {inbox}"));
    assert!(line["pendingCheckIns"].as_u64().unwrap() >= 1, "{inbox}");
    assert!(line["pendingExemptions"].as_u64().unwrap() >= 1, "{inbox}");

    let attendance = get(
        &app,
        &secretary,
        &format!("/api/v1/activities/{THEME_DAY}/attendance"),
    )
    .await;
    assert_eq!(
        attendance["counts"]["expected"], 8,
        "every member of 新舍村第一党支部: {attendance}"
    );
    assert!(attendance["counts"]["present"].as_u64().unwrap() >= 1);
    assert!(attendance["counts"]["pending"].as_u64().unwrap() >= 1);
    assert_eq!(attendance["members"].as_array().unwrap().len(), 8);

    // The month's plan shows the theme day as held.
    let plan = get(
        &app,
        &secretary,
        "/api/v1/orgs/01930000-0000-7000-8000-000000010003/activity-plan?month=2026-11",
    )
    .await;
    assert!(
        plan.to_string().contains(r#""kind":"theme_day""#)
            && plan["obligations"]
                .as_array()
                .unwrap()
                .iter()
                .any(|o| o["kind"] == "theme_day" && o["state"] == "met"),
        "{plan}"
    );
}

#[tokio::test]
async fn a_demo_seeded_before_its_theme_day_shows_the_feed_and_the_pending_exemption() {
    let app = TestApp::spawn().await;
    // The 2nd: the theme day is three days ahead.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 2, 1, 0, 0).unwrap());
    seed(&app).await;
    let member = demo_member(&app, "13800000009").await; // 郑大山
    let feed = get(&app, &member, "/api/v1/materials").await;
    assert!(feed["items"].as_array().unwrap().len() >= 2, "{feed}");
    let secretary = demo_member(&app, "13800000006").await;
    let inbox = get(&app, &secretary, "/api/v1/me/inbox").await;
    assert!(!inbox["items"].as_array().unwrap().is_empty(), "{inbox}");
    let attendance = get(
        &app,
        &secretary,
        &format!("/api/v1/activities/{THEME_DAY}/attendance"),
    )
    .await;
    assert_eq!(attendance["counts"]["expected"], 8, "{attendance}");
    // And a week later everything is still consistent.
    app.clock.advance(Duration::days(7));
    let attendance = get(
        &app,
        &secretary,
        &format!("/api/v1/activities/{THEME_DAY}/attendance"),
    )
    .await;
    assert_eq!(attendance["counts"]["expected"], 8, "{attendance}");
}

#[tokio::test]
async fn the_demo_holds_a_team_a_resident_and_requests_in_several_states() {
    let app = TestApp::spawn().await;
    seed(&app).await;
    seed(&app).await; // idempotent
    let operator = demo_member(&app, "13800000002").await; // 李红, hotline operator
    let list = get(&app, &operator, "/api/v1/service-requests").await;
    let states: std::collections::BTreeSet<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["state"].as_str())
        .collect();
    assert_eq!(
        states.into_iter().collect::<Vec<_>>(),
        ["accepted", "completed", "in_progress", "submitted"],
        "{list}"
    );
    assert_eq!(list["items"].as_array().unwrap().len(), 6, "{list}");
    // The operator sees the resident's contact whole; a member of the branch masked.
    let member = demo_member(&app, "13800000009").await; // 郑大山, leads the team
    let mine = get(&app, &member, "/api/v1/service-requests").await;
    assert!(
        mine["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["contact"]["masked"] == true),
        "{mine}"
    );
    let teams = get(&app, &member, "/api/v1/volunteer-teams").await;
    assert_eq!(teams["items"][0]["name"], "盖北镇医疗志愿服务队", "{teams}");
    // The completed request's volunteer has hours waiting for confirmation.
    let volunteer = demo_member(&app, "13800000012").await; // 何小军
    let hours = get(&app, &volunteer, "/api/v1/me/volunteer-hours").await;
    assert_eq!(hours["items"][0]["status"], "pending", "{hours}");
}

#[tokio::test]
async fn the_demo_has_a_pioneer_rule_set_and_a_computed_half_year() {
    let app = TestApp::spawn().await;
    seed(&app).await;
    seed(&app).await; // idempotent: one rule set, one computation
    let half = domain::volunteer::HalfYear::containing(app.clock.now()).previous();
    let admin = demo_member(&app, "13800000001").await; // 张明, township admin
    let committee = admin_committee(&app, &admin).await;
    let rules = get(
        &app,
        &admin,
        &format!("/api/v1/orgs/{committee}/pioneer-rules"),
    )
    .await;
    assert_eq!(rules["version"], 1, "{rules}");
    let run = get(
        &app,
        &admin,
        &format!("/api/v1/orgs/{committee}/pioneer-index?half={half}"),
    )
    .await;
    assert_eq!(run["status"], "computed", "{run}");
    assert_eq!(run["rulesVersion"], 1, "{run}");
    let results = get(
        &app,
        &admin,
        &format!("/api/v1/orgs/{committee}/pioneer-index/results?half={half}&limit=100"),
    )
    .await;
    let items = results["items"].as_array().unwrap();
    let by_name = |name: &str| {
        items
            .iter()
            .find(|r| r["memberName"] == name)
            .unwrap_or_else(|| panic!("no result for {name}: {results}"))
    };
    // 吴强's deduction puts him lowest: the one proposed warning-level; 周丽's approved
    // claim shows in her breakdown; 冯德福 (frail) is listed as left out.
    let wu = by_name("吴强");
    assert_eq!(wu["proposed"], true, "{wu}");
    let proposed: Vec<&Value> = items.iter().filter(|r| r["proposed"] == true).collect();
    assert_eq!(proposed.len(), 1, "{proposed:?}");
    let zhou = by_name("周丽");
    assert!(
        zhou["lines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["kind"] == "positive" && l["item"] == "pledge"),
        "{zhou}"
    );
    assert!(zhou["total"].as_f64() > wu["total"].as_f64());
    assert_eq!(by_name("冯德福")["excluded"], true);
    // Each branch's fortress index of the same half year.
    let fortress = get(
        &app,
        &admin,
        &format!("/api/v1/orgs/{committee}/fortress-index?half={half}"),
    )
    .await;
    let branches = fortress["branches"].as_array().unwrap();
    assert!(
        branches
            .iter()
            .any(|b| b["branchName"] == "新舍村党总支/新舍村第一党支部"
                && b["lines"].as_array().is_some_and(|l| l.len() == 7)),
        "{fortress}"
    );
    // The current half year is still open: a member may claim in it.
    let zheng = demo_member(&app, "13800000009").await;
    let (s, c) = app
        .call(
            &zheng,
            Method::POST,
            "/api/v1/pioneer-claims",
            Some(serde_json::json!({
                "itemCode": "volunteer",
                "description": "每周为独居老人送菜上门",
                "evidence": [],
            })),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    // Seeded again half a year later (a server restarted with the demo on): its own
    // previous half year is added and computed, nothing of the earlier one collides.
    let later = app.clock.now() + chrono::Duration::days(190);
    api::cli::demo::seed(&app.db, later).await.unwrap();
    let later_half = domain::volunteer::HalfYear::containing(later).previous();
    assert_ne!(
        later_half,
        domain::volunteer::HalfYear::containing(app.clock.now()).previous()
    );
    let later_run = get(
        &app,
        &admin,
        &format!("/api/v1/orgs/{committee}/pioneer-index?half={later_half}"),
    )
    .await;
    assert_eq!(later_run["status"], "computed", "{later_run}");
}

async fn admin_committee(app: &TestApp, admin: &Member) -> String {
    let me = get(app, admin, "/api/v1/me").await;
    me["roles"]
        .as_array()
        .and_then(|r| r.iter().find(|g| g["kind"] == "township_admin"))
        .and_then(|g| g["org"]["id"].as_str())
        .unwrap_or_else(|| panic!("no township admin role in {me}"))
        .to_owned()
}
