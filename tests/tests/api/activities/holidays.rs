//! The committee's holiday calendar and the month's activity plan it shapes.

use reqwest::Method;
use serde_json::json;

use super::world::*;

#[tokio::test]
async fn the_plan_follows_each_sectors_rule_and_the_committees_holiday_calendar() {
    let w = World::new().await;
    let t = &w.t;
    let holidays = format!("/api/v1/orgs/{}/holidays/2026", t.committee.id);
    let (s, empty) = w.get(&t.member_a, &holidays).await;
    assert_eq!((s, empty["holidays"].as_array().unwrap().len()), (200, 0));
    let calendar = json!({
        "holidays": ["2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05",
                     "2026-10-06", "2026-10-07", "2026-12-05", "2026-12-07"],
        "workdays": ["2026-10-10"],
    });
    assert_eq!(
        w.call(
            &t.secretary_a,
            Method::PUT,
            &holidays,
            Some(calendar.clone())
        )
        .await
        .0,
        403
    );
    let (s, e) = w
        .call(
            &t.admin,
            Method::PUT,
            &holidays,
            Some(json!({"holidays": ["2027-01-01"], "workdays": []})),
        )
        .await;
    assert_eq!(
        (s, e["errors"][0]["code"].as_str()),
        (422, Some("holiday_outside_year"))
    );
    let (s, stored) = w
        .call(&t.admin, Method::PUT, &holidays, Some(calendar))
        .await;
    assert_eq!(s, 200, "{stored}");
    let plan = |org: &domain::org::Org, month: &str| {
        format!("/api/v1/orgs/{}/activity-plan?month={month}", org.id)
    };
    // Rural: the 5th; a holiday on the 5th moves to the nearest free day (4th and 6th are
    // equally near: the later one); a long holiday at the start of October → the 8th.
    for (month, want) in [
        ("2026-11", "2026-11-05"),
        ("2026-12", "2026-12-06"),
        ("2026-10", "2026-10-08"),
    ] {
        let (s, p) = w.get(&t.member_a, &plan(&t.branch_a, month)).await;
        assert_eq!(s, 200, "{p}");
        assert_eq!(p["themeDayDates"], json!([want]), "{month}");
        assert_eq!(p["themeDayRule"], "rural_fifth");
    }
    // Government: Mondays and Saturdays, skipping the holidays (Saturday the 5th, Monday
    // the 7th).
    let (s, p) = w.get(&t.admin, &plan(&t.branch_b, "2026-12")).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(
        p["themeDayDates"],
        json!([
            "2026-12-12",
            "2026-12-14",
            "2026-12-19",
            "2026-12-21",
            "2026-12-26",
            "2026-12-28"
        ])
    );
    assert_eq!(p["themeDayRule"], "government_monday_evening_or_saturday");
    // Obligations and their periods.
    let (_, p) = w.get(&t.member_a, &plan(&t.branch_a, "2026-11")).await;
    let periods: Vec<(String, String)> = p["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["kind"].as_str().unwrap().into(),
                o["period"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(periods.contains(&("theme_day".into(), "2026-11".into())));
    assert!(periods.contains(&("general_assembly".into(), "2026-Q4".into())));
    assert!(periods.contains(&("secretary_lesson".into(), "2026".into())));
    // Scope and inputs.
    assert_eq!(
        w.get(&t.member_b, &plan(&t.branch_a, "2026-11")).await.0,
        404
    );
    let (s, e) = w.get(&t.member_a, &plan(&t.committee, "2026-11")).await;
    assert_eq!(s, 404, "{e}");
    let (s, e) = w.get(&t.admin, &plan(&t.committee, "2026-11")).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("activity_plan_needs_branch"))
    );
    let (s, e) = w.get(&t.admin, &plan(&t.branch_a, "11-2026")).await;
    assert_eq!(
        (s, e["errors"][0]["code"].as_str()),
        (422, Some("month_invalid"))
    );
}

#[tokio::test]
async fn an_org_life_meeting_held_through_the_api_meets_the_years_obligation_in_the_plan() {
    let w = World::new().await;
    let t = &w.t;
    let plan =
        |org: &domain::org::Org| format!("/api/v1/orgs/{}/activity-plan?month=2026-11", org.id);
    let life_meeting = |p: &serde_json::Value| {
        let found: Vec<_> = p["obligations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["kind"] == "org_life_meeting")
            .map(|o| (o["period"].clone(), o["state"].clone()))
            .collect();
        assert_eq!(found.len(), 1, "one yearly obligation: {p}");
        found[0].clone()
    };
    let (s, before) = w.get(&t.member_a, &plan(&t.branch_a)).await;
    assert_eq!(s, 200, "{before}");
    assert_eq!(life_meeting(&before), (json!("2026"), json!("due")));

    let (s, a) = w
        .post(
            &t.secretary_a,
            &format!("/api/v1/orgs/{}/activities", t.branch_a.id),
            json!({
                "kind": "org_life_meeting",
                "title": "2026年度组织生活会",
                "startsAt": rfc(at(&w.app, 30)),
                "endsAt": rfc(at(&w.app, 90)),
                "proof": "location",
                "geofence": {"center": {"lat": LAT, "lng": LNG}, "radiusM": 100.0},
            }),
        )
        .await;
    assert_eq!(
        (s, a["kind"].as_str()),
        (201, Some("org_life_meeting")),
        "{a}"
    );
    let id = a["id"].as_str().unwrap().to_owned();
    let (s, c) = w.check_in(&t.member_a, &id, here()).await;
    assert_eq!(s, 201, "{c}");
    let (s, r) = w
        .post(
            &t.secretary_a,
            &format!("/api/v1/check-ins/{}/review", c["id"].as_str().unwrap()),
            json!({"decision": "approve"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    // Approved but still under way: not yet held.
    let (_, running) = w.get(&t.member_a, &plan(&t.branch_a)).await;
    assert_eq!(life_meeting(&running).1, json!("due"));

    w.set_clock(at(&w.app, 240));
    let (_, after) = w.get(&t.member_a, &plan(&t.branch_a)).await;
    assert_eq!(life_meeting(&after), (json!("2026"), json!("met")));
    // It stands in for no other meeting, and another branch's obligation stays open.
    let state = |p: &serde_json::Value, kind: &str| {
        p["obligations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["kind"] == kind)
            .map(|o| o["state"].clone())
    };
    assert_eq!(state(&after, "general_assembly"), Some(json!("due")));
    assert_eq!(state(&after, "party_lesson"), Some(json!("due")));
    let (_, other) = w.get(&t.admin, &plan(&t.branch_b)).await;
    assert_eq!(life_meeting(&other).1, json!("due"));
    // The whole branch is expected, as at a theme day.
    let (s, att) = w
        .get(
            &t.secretary_a,
            &format!("/api/v1/activities/{id}/attendance"),
        )
        .await;
    assert_eq!((s, &att["counts"]["expected"]), (200, &json!(5)), "{att}");
    // The township's compliance report shows it too.
    let (_, report) = w
        .get(&t.admin, "/api/v1/reports/compliance?month=2026-11")
        .await;
    let branch_a = report["branches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["branchId"] == json!(t.branch_a.id.as_uuid()))
        .unwrap();
    assert_eq!(state(branch_a, "org_life_meeting"), Some(json!("met")));
}
