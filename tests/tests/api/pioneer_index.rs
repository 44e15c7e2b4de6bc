//! The half-yearly pioneer index: asked for by the township, computed in the background
//! from what the service recorded (here a theme day one member attended and another did
//! not), the same on a second computation, the rules locked once computed, the warning
//! level confirmed no fewer than the quota, and results seen by the township, by a branch
//! once confirmed, and by each member (their own only).

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, FixedOffset, Utc};
use reqwest::Method;
use serde_json::{json, Value};
use tests::fixtures::Township;
use tests::TestApp;
use uuid::Uuid;

use domain::clock::Clock;
use domain::org::Member;

fn rfc(t: DateTime<Utc>) -> String {
    t.with_timezone(&FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| panic!("offset")))
        .to_rfc3339()
}

fn index(t: &Township, half: &str) -> String {
    format!("/api/v1/orgs/{}/pioneer-index?half={half}", t.committee.id)
}

fn results(t: &Township, half: &str) -> String {
    format!(
        "/api/v1/orgs/{}/pioneer-index/results?half={half}&limit=100",
        t.committee.id
    )
}

/// A theme day of branch A this morning that member A attended (approved) and member A2
/// did not; the clock then moves past its end.
async fn theme_day_attended_by_a(app: &TestApp, t: &Township) {
    let start = tests::default_test_instant() + Duration::minutes(30);
    let (s, a) = app
        .call(
            &t.secretary_a,
            Method::POST,
            &format!("/api/v1/orgs/{}/activities", t.branch_a.id),
            Some(json!({
                "kind": "theme_day",
                "themeCategory": "study",
                "title": "重温入党誓词",
                "startsAt": rfc(start),
                "endsAt": rfc(start + Duration::minutes(60)),
                "proof": "location",
                "geofence": {"center": {"lat": 30.0, "lng": 120.0}, "radiusM": 100.0},
            })),
        )
        .await;
    assert_eq!(s, 201, "{a}");
    let activity = a["id"].as_str().unwrap_or_default().to_owned();
    app.clock.set(start + Duration::minutes(10));
    let (s, c) = app
        .call(
            &t.member_a,
            Method::POST,
            &format!("/api/v1/activities/{activity}/check-ins"),
            Some(json!({"location": {"lat": 30.0, "lng": 120.0}})),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    if c["status"] == "pending" {
        let (s, r) = app
            .call(
                &t.secretary_a,
                Method::POST,
                &format!(
                    "/api/v1/check-ins/{}/review",
                    c["id"].as_str().unwrap_or_default()
                ),
                Some(json!({"decision": "approve"})),
            )
            .await;
        assert_eq!(s, 200, "{r}");
    }
    app.clock.set(start + Duration::hours(3));
}

/// Asks for the half year and waits until it is computed.
async fn computed(app: &TestApp, t: &Township, half: &str) -> Value {
    let (s, run) = app
        .call(&t.admin, Method::POST, &index(t, half), None)
        .await;
    assert_eq!(s, 202, "{run}");
    for _ in 0..100 {
        let (s, run) = app.call(&t.admin, Method::GET, &index(t, half), None).await;
        assert_eq!(s, 200, "{run}");
        if run["status"] == "computed" {
            return run;
        }
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
    panic!("the index of {half} was not computed in 10 s");
}

async fn all_results(app: &TestApp, who: &Member, path: &str) -> (u16, Vec<Value>) {
    let (s, page) = app.call(who, Method::GET, path, None).await;
    (s, page["items"].as_array().cloned().unwrap_or_default())
}

fn of<'a>(items: &'a [Value], m: &Member) -> &'a Value {
    items
        .iter()
        .find(|r| r["memberId"] == json!(m.id))
        .unwrap_or_else(|| panic!("{} has no result in {items:?}", m.name))
}

#[tokio::test]
async fn the_index_is_computed_from_the_records_the_same_twice_and_locks_its_rules() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    theme_day_attended_by_a(&app, &t).await;
    let run = computed(&app, &t, "2026-H2").await;
    assert!(run["pool"].as_u64().is_some_and(|p| p >= 2), "{run}");
    assert_eq!(run["quota"], 1, "{run}");
    assert_eq!(run["progress"]["done"], run["progress"]["total"]);
    let (s, items) = all_results(&app, &t.admin, &results(&t, "2026-H2")).await;
    assert_eq!(s, 200);
    assert_eq!(
        items.len() as u64,
        run["pool"].as_u64().unwrap_or(0) + run["excluded"].as_u64().unwrap_or(0)
    );
    let (a, a2) = (of(&items, &t.member_a), of(&items, &t.member_a2));
    let line = |r: &Value| {
        r["lines"]
            .as_array()
            .and_then(|l| {
                l.iter()
                    .find(|l| l["item"] == "theme_day_attendance")
                    .cloned()
            })
            .unwrap_or(Value::Null)
    };
    assert_eq!(line(a)["recorded"], "1/1", "{a}");
    assert_eq!(line(a2)["recorded"], "0/1", "{a2}");
    assert_eq!(line(a2)["points"], 0.0);
    let (ta, ta2) = (
        a["total"].as_f64().unwrap_or(0.0),
        a2["total"].as_f64().unwrap_or(0.0),
    );
    assert!(ta - ta2 == 15.0, "{ta} vs {ta2}");
    // Branch A's members who were asked nothing else tie with A; A2 alone is the lowest.
    assert_eq!(a2["proposed"], true, "{a2}");
    assert_eq!(a["proposed"], false);

    // Computed again (not yet confirmed): the same results.
    computed(&app, &t, "2026-H2").await;
    let (_, again) = all_results(&app, &t.admin, &results(&t, "2026-H2")).await;
    assert_eq!(again, items);

    // The rules of a computed half year no longer change: a new version applies from the
    // next half year.
    let (s, r) = app
        .call(
            &t.admin,
            Method::GET,
            &format!("/api/v1/orgs/{}/pioneer-rules?half=2026-H2", t.committee.id),
            None,
        )
        .await;
    assert_eq!((s, &r["locked"]), (200, &json!(true)), "{r}");
    let (s, v) = app
        .call(
            &t.admin,
            Method::PUT,
            &format!("/api/v1/orgs/{}/pioneer-rules", t.committee.id),
            Some(json!({"profiles": [{"name": "全体党员", "basic": [{"metric": "theme_day_attendance", "points": 100}]}]})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["effectiveFrom"], "2027-H1", "{v}");
    computed(&app, &t, "2026-H2").await;
    let (_, still) = all_results(&app, &t.admin, &results(&t, "2026-H2")).await;
    assert_eq!(
        still, items,
        "the half year keeps the rules it was computed under"
    );

    // A half year that has not begun is not computed.
    let (s, p) = app
        .call(&t.admin, Method::POST, &index(&t, "2027-H1"), None)
        .await;
    assert_eq!(
        (s, p["code"].as_str()),
        (422, Some("pioneer_half_not_begun")),
        "{p}"
    );
}

#[tokio::test]
async fn the_township_confirms_no_fewer_than_the_quota_and_then_each_sees_their_part() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    theme_day_attended_by_a(&app, &t).await;
    computed(&app, &t, "2026-H2").await;
    let confirm = |ids: Vec<Uuid>| {
        let app = &app;
        let t = &t;
        async move {
            app.call(
                &t.admin,
                Method::POST,
                &format!(
                    "/api/v1/orgs/{}/pioneer-index/confirmation?half=2026-H2",
                    t.committee.id
                ),
                Some(json!({"warningMemberIds": ids})),
            )
            .await
        }
    };
    // Before confirmation nobody but the township sees anything.
    let (s, _) = app
        .call(
            &t.member_a2,
            Method::GET,
            "/api/v1/me/pioneer-index?half=2026-H2",
            None,
        )
        .await;
    assert_eq!(s, 404);
    let branch_a = format!("{}&orgId={}", results(&t, "2026-H2"), t.branch_a.id);
    let (s, _) = all_results(&app, &t.secretary_a, &branch_a).await;
    assert_eq!(s, 404);

    // Fewer than the quota, the lowest left out, someone outside the pool: refused.
    let (s, p) = confirm(vec![]).await;
    assert_eq!(
        (s, p["code"].as_str()),
        (422, Some("pioneer_warning_below_quota")),
        "{p}"
    );
    let (s, p) = confirm(vec![t.member_a.id.as_uuid()]).await;
    assert_eq!(
        (s, p["code"].as_str()),
        (422, Some("pioneer_warning_lowest_left_out")),
        "{p}"
    );
    let (s, p) = confirm(vec![t.member_a2.id.as_uuid(), t.other_admin.id.as_uuid()]).await;
    assert_eq!(
        (s, p["code"].as_str()),
        (422, Some("pioneer_warning_not_in_pool")),
        "{p}"
    );
    // More than the quota is allowed.
    let (s, run) = confirm(vec![t.member_a2.id.as_uuid(), t.member_b.id.as_uuid()]).await;
    assert_eq!(
        (s, run["status"].as_str()),
        (200, Some("confirmed")),
        "{run}"
    );
    assert!(run["publishUntil"].is_string());
    // Final.
    let (s, p) = confirm(vec![t.member_a2.id.as_uuid()]).await;
    assert_eq!(
        (s, p["code"].as_str()),
        (409, Some("pioneer_index_confirmed"))
    );
    let (s, p) = app
        .call(&t.admin, Method::POST, &index(&t, "2026-H2"), None)
        .await;
    assert_eq!(
        (s, p["code"].as_str()),
        (409, Some("pioneer_index_confirmed"))
    );

    // Each member sees their own, with its breakdown; warning-level shown to them.
    let (s, mine) = app
        .call(
            &t.member_a2,
            Method::GET,
            "/api/v1/me/pioneer-index?half=2026-H2",
            None,
        )
        .await;
    assert_eq!(s, 200, "{mine}");
    assert_eq!(mine["result"]["memberId"], json!(t.member_a2.id));
    assert_eq!(mine["result"]["warning"], true);
    assert!(mine["result"]["lines"]
        .as_array()
        .is_some_and(|l| !l.is_empty()));
    // A secretary sees their branch's, not another's; a plain member no list at all.
    let (s, items) = all_results(&app, &t.secretary_a, &branch_a).await;
    assert_eq!(s, 200);
    assert!(!items.is_empty());
    assert!(
        items.iter().all(|r| r["branchId"] == json!(t.branch_a.id)),
        "{items:?}"
    );
    let branch_b = format!("{}&orgId={}", results(&t, "2026-H2"), t.branch_b.id);
    let (s, _) = all_results(&app, &t.secretary_a, &branch_b).await;
    let random = format!("{}&orgId={}", results(&t, "2026-H2"), Uuid::new_v4());
    let (rs, _) = all_results(&app, &t.secretary_a, &random).await;
    assert_eq!((s, rs), (404, 404));
    let (s, _) = all_results(&app, &t.member_a, &branch_a).await;
    assert_eq!(s, 403);
    // Another township's admin: as a random committee.
    let (s, p) = app
        .call(&t.other_admin, Method::GET, &index(&t, "2026-H2"), None)
        .await;
    let (rs, rp) = app
        .call(
            &t.other_admin,
            Method::GET,
            &format!("/api/v1/orgs/{}/pioneer-index?half=2026-H2", Uuid::new_v4()),
            None,
        )
        .await;
    assert_eq!((s, &p["code"]), (rs, &rp["code"]));
    assert_eq!(s, 404);
}

#[tokio::test]
async fn warning_members_move_to_the_help_branch_after_the_window_and_return_with_their_history() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    // Member A2 has a ledger entry of their own before anything moves.
    let (s, entry) = app
        .call(
            &t.member_a2,
            Method::POST,
            "/api/v1/me/volunteer-hours",
            Some(json!({"category": "service", "minutes": 90, "occurredOn": "2026-11-01", "note": "陪护孤寡老人"})),
        )
        .await;
    assert_eq!(s, 201, "{entry}");
    theme_day_attended_by_a(&app, &t).await;
    computed(&app, &t, "2026-H2").await;
    let (s, help) = app
        .call(
            &t.admin,
            Method::POST,
            &format!("/api/v1/orgs/{}/children", t.committee.id),
            Some(json!({"kind": "branch", "name": "教育帮扶支部"})),
        )
        .await;
    assert_eq!(s, 201, "{help}");
    let help_id = help["id"].as_str().unwrap_or_default().to_owned();
    let (s, run) = app
        .call(
            &t.admin,
            Method::POST,
            &format!(
                "/api/v1/orgs/{}/pioneer-index/confirmation?half=2026-H2",
                t.committee.id
            ),
            Some(json!({"warningMemberIds": [t.member_a2.id]})),
        )
        .await;
    assert_eq!(s, 200, "{run}");
    let transfers = format!(
        "/api/v1/orgs/{}/pioneer-index/transfers?half=2026-H2",
        t.committee.id
    );
    let (s, p) = app.call(&t.admin, Method::POST, &transfers, None).await;
    assert_eq!(
        (s, p["code"].as_str()),
        (409, Some("pioneer_publication_open")),
        "{p}"
    );
    app.clock.advance(Duration::days(8));
    let (s, p) = app.call(&t.admin, Method::POST, &transfers, None).await;
    assert_eq!(
        (s, p["code"].as_str()),
        (409, Some("pioneer_help_branch_unset")),
        "{p}"
    );
    let help_branch = format!("/api/v1/orgs/{}/help-branch", t.committee.id);
    let (s, p) = app
        .call(
            &t.admin,
            Method::PUT,
            &help_branch,
            Some(json!({"branchId": t.group_a.id})),
        )
        .await;
    assert_eq!(
        (s, p["code"].as_str()),
        (422, Some("pioneer_help_branch_invalid")),
        "{p}"
    );
    let (s, p) = app
        .call(
            &t.secretary_a,
            Method::PUT,
            &help_branch,
            Some(json!({"branchId": help_id})),
        )
        .await;
    assert_eq!(s, 403, "{p}");
    let (s, h) = app
        .call(
            &t.admin,
            Method::PUT,
            &help_branch,
            Some(json!({"branchId": help_id})),
        )
        .await;
    assert_eq!(s, 200, "{h}");

    let (s, moved) = app.call(&t.admin, Method::POST, &transfers, None).await;
    assert_eq!(s, 200, "{moved}");
    assert_eq!(moved["items"].as_array().map(Vec::len), Some(1), "{moved}");
    assert_eq!(moved["items"][0]["memberId"], json!(t.member_a2.id));
    assert_eq!(moved["items"][0]["fromBranchId"], json!(t.branch_a.id));
    let member = format!("/api/v1/members/{}", t.member_a2.id);
    let (_, m) = app.call(&t.admin, Method::GET, &member, None).await;
    assert_eq!(m["branchId"].as_str(), Some(help_id.as_str()), "{m}");
    // Nobody is moved twice.
    let (_, again) = app.call(&t.admin, Method::POST, &transfers, None).await;
    assert_eq!(again["items"], json!([]));
    // Not before a later half year stops rating them warning-level.
    let back = format!("/api/v1/members/{}/help-return", t.member_a2.id);
    let (s, p) = app.call(&t.admin, Method::POST, &back, None).await;
    assert_eq!(
        (s, p["code"].as_str()),
        (422, Some("pioneer_return_not_due")),
        "{p}"
    );

    // 2027-H1: nothing recorded of anyone, so everyone ties; the township rates another.
    app.clock
        .set(tests::default_test_instant() + Duration::days(120));
    let run = computed(&app, &t, "2027-H1").await;
    assert_eq!(run["quota"], 1, "{run}");
    let (s, run) = app
        .call(
            &t.admin,
            Method::POST,
            &format!(
                "/api/v1/orgs/{}/pioneer-index/confirmation?half=2027-H1",
                t.committee.id
            ),
            Some(json!({"warningMemberIds": [t.member_b.id]})),
        )
        .await;
    assert_eq!(s, 200, "{run}");
    let (s, r) = app.call(&t.admin, Method::POST, &back, None).await;
    assert_eq!(s, 200, "{r}");
    assert!(r["returnedAt"].is_string(), "{r}");
    let (_, m) = app.call(&t.admin, Method::GET, &member, None).await;
    assert_eq!(m["branchId"], json!(t.branch_a.id), "{m}");
    let (s, p) = app.call(&t.admin, Method::POST, &back, None).await;
    assert_eq!(
        (s, p["code"].as_str()),
        (409, Some("pioneer_not_in_help_branch")),
        "{p}"
    );
    // Their history stayed theirs.
    let (s, ledger) = app
        .call(
            &t.member_a2,
            Method::GET,
            "/api/v1/me/volunteer-hours",
            None,
        )
        .await;
    assert_eq!(s, 200, "{ledger}");
    assert!(
        ledger
            .to_string()
            .contains(entry["id"].as_str().unwrap_or("-")),
        "{ledger}"
    );
    let (s, list) = app
        .call(
            &t.admin,
            Method::GET,
            &format!("/api/v1/orgs/{}/help-transfers", t.committee.id),
            None,
        )
        .await;
    assert_eq!((s, &list["items"]), (200, &json!([])), "{list}");
}

#[tokio::test]
async fn each_member_objects_once_while_published_and_an_upheld_objection_withdraws_a_rating() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    theme_day_attended_by_a(&app, &t).await;
    computed(&app, &t, "2026-H2").await;
    let (s, run) = app
        .call(
            &t.admin,
            Method::POST,
            &format!(
                "/api/v1/orgs/{}/pioneer-index/confirmation?half=2026-H2",
                t.committee.id
            ),
            Some(json!({"warningMemberIds": [t.member_a2.id, t.member_b.id]})),
        )
        .await;
    assert_eq!(s, 200, "{run}");
    let object = "/api/v1/me/pioneer-index/objection?half=2026-H2";
    let (s, o) = app
        .call(
            &t.member_a2,
            Method::POST,
            object,
            Some(json!({"text": "本人当天请了病假，请核实"})),
        )
        .await;
    assert_eq!(s, 200, "{o}");
    let (s, p) = app
        .call(
            &t.member_a2,
            Method::POST,
            object,
            Some(json!({"text": "再提一次"})),
        )
        .await;
    assert_eq!(
        (s, p["code"].as_str()),
        (409, Some("pioneer_objection_exists")),
        "{p}"
    );
    let (s, p) = app
        .call(
            &t.member_a,
            Method::POST,
            object,
            Some(json!({"text": "  "})),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    let (s, p) = app
        .call(
            &t.other_secretary,
            Method::POST,
            object,
            Some(json!({"text": "别的镇"})),
        )
        .await;
    assert_eq!(s, 404, "{p}");

    // The help branch waits for every answer.
    app.clock.advance(Duration::days(8));
    let (s, p) = app
        .call(
            &t.secretary_a,
            Method::POST,
            object,
            Some(json!({"text": "公示期已过"})),
        )
        .await;
    assert_eq!(
        (s, p["code"].as_str()),
        (409, Some("pioneer_publication_closed")),
        "{p}"
    );
    let transfers = format!(
        "/api/v1/orgs/{}/pioneer-index/transfers?half=2026-H2",
        t.committee.id
    );
    let (s, p) = app.call(&t.admin, Method::POST, &transfers, None).await;
    assert_eq!(
        (s, p["code"].as_str()),
        (409, Some("pioneer_objections_open")),
        "{p}"
    );

    let (s, list) = app
        .call(
            &t.admin,
            Method::GET,
            &format!(
                "/api/v1/orgs/{}/pioneer-index/objections?half=2026-H2",
                t.committee.id
            ),
            None,
        )
        .await;
    assert_eq!(s, 200, "{list}");
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");
    let answer = format!(
        "/api/v1/orgs/{}/pioneer-index/objections/{}/answer?half=2026-H2",
        t.committee.id, t.member_a2.id
    );
    let (s, a) = app
        .call(
            &t.admin,
            Method::POST,
            &answer,
            Some(json!({"upheld": true, "reply": "经核实属实，撤销警示"})),
        )
        .await;
    assert_eq!(s, 200, "{a}");
    assert_eq!(a["answer"]["upheld"], true);
    let (s, p) = app
        .call(
            &t.admin,
            Method::POST,
            &answer,
            Some(json!({"upheld": false, "reply": "再答一次"})),
        )
        .await;
    assert_eq!(
        (s, p["code"].as_str()),
        (409, Some("pioneer_objection_answered")),
        "{p}"
    );
    let (_, mine) = app
        .call(
            &t.member_a2,
            Method::GET,
            "/api/v1/me/pioneer-index?half=2026-H2",
            None,
        )
        .await;
    assert_eq!(mine["result"]["warning"], false, "{mine}");
    // The quota still holds: member B stays warning-level.
    let (_, b) = app
        .call(
            &t.member_b,
            Method::GET,
            "/api/v1/me/pioneer-index?half=2026-H2",
            None,
        )
        .await;
    assert_eq!(b["result"]["warning"], true, "{b}");
}

#[tokio::test]
async fn approved_claims_and_standing_deductions_count_in_the_index() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let (s, c) = app
        .call(
            &t.member_a,
            Method::POST,
            "/api/v1/pioneer-claims",
            Some(json!({"itemCode": "model_deed", "description": "获评县级优秀共产党员", "evidence": []})),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    let (s, d) = app
        .call(
            &t.secretary_a,
            Method::POST,
            &format!(
                "/api/v1/pioneer-claims/{}/decision",
                c["id"].as_str().unwrap_or_default()
            ),
            Some(json!({"decision": "approve"})),
        )
        .await;
    assert_eq!(s, 200, "{d}");
    let (s, n) = app
        .call(
            &t.secretary_a,
            Method::POST,
            &format!("/api/v1/members/{}/pioneer-deductions", t.member_a2.id),
            Some(json!({"itemCode": "dues_late", "reason": "连续三个月未交纳党费"})),
        )
        .await;
    assert_eq!(s, 201, "{n}");
    computed(&app, &t, "2026-H2").await;
    let (_, items) = all_results(&app, &t.admin, &results(&t, "2026-H2")).await;
    let line = |r: &Value, item: &str| {
        r["lines"]
            .as_array()
            .and_then(|l| l.iter().find(|l| l["item"] == item).cloned())
            .unwrap_or(Value::Null)
    };
    assert_eq!(
        line(of(&items, &t.member_a), "model_deed")["points"],
        10.0,
        "{items:?}"
    );
    assert_eq!(
        line(of(&items, &t.member_a2), "dues_late")["points"],
        -5.0,
        "{items:?}"
    );
    let total = |m: &Member| of(&items, m)["total"].as_f64().unwrap_or(0.0);
    assert_eq!(total(&t.member_a) - total(&t.member_a2), 15.0);
}

#[tokio::test]
async fn members_the_rules_leave_out_are_listed_with_the_reason_and_not_counted_in_the_pool() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let first = computed(&app, &t, "2026-H2").await;
    // Member A becomes 年老体弱: the standard rules leave them out.
    let (s, m) = app
        .call(
            &t.admin,
            Method::PATCH,
            &format!("/api/v1/members/{}", t.member_a.id),
            Some(json!({"category": "frail"})),
        )
        .await;
    assert_eq!(s, 200, "{m}");
    let run = computed(&app, &t, "2026-H2").await;
    let pool = |r: &Value| r["pool"].as_u64().unwrap_or(0);
    assert_eq!(pool(&run), pool(&first) - 1, "{run}");
    assert_eq!(run["excluded"], 1, "{run}");
    let (_, items) = all_results(&app, &t.admin, &results(&t, "2026-H2")).await;
    let a = of(&items, &t.member_a);
    assert_eq!(a["excluded"], true, "{a}");
    assert!(
        a["excludedReason"]
            .as_str()
            .is_some_and(|r| r.contains("年老体弱")),
        "{a}"
    );
    assert_eq!(
        (a["total"].clone(), a["proposed"].clone()),
        (Value::Null, json!(false))
    );
    // Someone left out cannot be confirmed warning-level.
    let (s, p) = app
        .call(
            &t.admin,
            Method::POST,
            &format!(
                "/api/v1/orgs/{}/pioneer-index/confirmation?half=2026-H2",
                t.committee.id
            ),
            Some(json!({"warningMemberIds": [t.member_a.id]})),
        )
        .await;
    assert_eq!(
        (s, p["code"].as_str()),
        (422, Some("pioneer_warning_not_in_pool")),
        "{p}"
    );
}

async fn export(app: &TestApp, who: &Member, path: &str) -> (u16, Vec<u8>) {
    let res = app.send_as(&app.token_for(who.id), Method::GET, path).await;
    let status = res.status().as_u16();
    if status == 200 {
        let kind = res.headers()["content-type"].to_str().unwrap_or_default();
        assert!(kind.contains("spreadsheetml"), "{kind}");
        let disposition = res.headers()["content-disposition"]
            .to_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            disposition.contains("pioneer-index-2026-H2.xlsx"),
            "{disposition}"
        );
    }
    (
        status,
        res.bytes().await.map(|b| b.to_vec()).unwrap_or_default(),
    )
}

#[tokio::test]
async fn the_township_and_then_each_branch_export_their_results_as_a_spreadsheet() {
    use calamine::DataType;
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    theme_day_attended_by_a(&app, &t).await;
    computed(&app, &t, "2026-H2").await;
    let all = format!(
        "/api/v1/orgs/{}/pioneer-index/results?half=2026-H2&format=xlsx",
        t.committee.id
    );
    let branch_a = format!("{all}&orgId={}", t.branch_a.id);
    // Before confirmation only the township; a branch's secretary as for a missing org.
    assert_eq!(export(&app, &t.secretary_a, &branch_a).await.0, 404);
    let (s, bytes) = export(&app, &t.admin, &all).await;
    assert_eq!(s, 200);
    let rows = crate::xlsx::rows(&bytes, "先锋指数");
    let name = crate::xlsx::column(&rows, "姓名");
    let total = crate::xlsx::column(&rows, "先锋指数");
    let proposed = crate::xlsx::column(&rows, "拟评警示型");
    let row_of = |rows: &[Vec<calamine::Data>], m: &Member| {
        rows.iter()
            .find(|r| r[name].to_string() == m.name)
            .cloned()
            .unwrap_or_else(|| panic!("no row for {} in {rows:?}", m.name))
    };
    let a = row_of(&rows, &t.member_a);
    let a2 = row_of(&rows, &t.member_a2);
    // Member A attended the theme day, A2 did not: the spreadsheet shows the same indices
    // as the JSON list, A2 lower and proposed warning-level.
    let (_, items) = all_results(&app, &t.admin, &results(&t, "2026-H2")).await;
    for (row, m) in [(&a, &t.member_a), (&a2, &t.member_a2)] {
        assert_eq!(
            row[total].as_f64(),
            of(&items, m)["total"].as_f64(),
            "{row:?}"
        );
    }
    assert!(a[total].as_f64() > a2[total].as_f64(), "{a:?} {a2:?}");
    assert_eq!(a2[proposed].to_string(), "是");
    assert_eq!(a[proposed].to_string(), "");
    // Every scored member's breakdown, a line per item.
    let lines = crate::xlsx::rows(&bytes, "得分明细");
    assert_eq!(
        lines[0].iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["党支部", "姓名", "项目类别", "项目", "记录", "得分"]
    );
    let item = crate::xlsx::column(&lines, "项目");
    let a2_lines: Vec<String> = lines
        .iter()
        .filter(|r| r[1].to_string() == t.member_a2.name)
        .map(|r| r[item].to_string())
        .collect();
    assert!(
        a2_lines.contains(&"主题党日参加率".to_owned()),
        "{a2_lines:?}"
    );
    // Once confirmed, branch A's secretary exports branch A only, not branch B.
    let (s, run) = app
        .call(
            &t.admin,
            Method::POST,
            &format!(
                "/api/v1/orgs/{}/pioneer-index/confirmation?half=2026-H2",
                t.committee.id
            ),
            Some(json!({"warningMemberIds": [t.member_a2.id]})),
        )
        .await;
    assert_eq!(s, 200, "{run}");
    let (s, bytes) = export(&app, &t.secretary_a, &branch_a).await;
    assert_eq!(s, 200);
    let rows = crate::xlsx::rows(&bytes, "先锋指数");
    let warning = crate::xlsx::column(&rows, "警示型");
    assert!(rows.len() > 1);
    assert!(rows
        .iter()
        .skip(1)
        .all(|r| r[name].to_string() != t.member_b.name));
    assert_eq!(row_of(&rows, &t.member_a2)[warning].to_string(), "是");
    let branch_b = format!("{all}&orgId={}", t.branch_b.id);
    assert_eq!(export(&app, &t.secretary_a, &branch_b).await.0, 404);
    assert_eq!(export(&app, &t.member_a, &branch_a).await.0, 403);
    assert_eq!(export(&app, &t.other_admin, &all).await.0, 404);
}
