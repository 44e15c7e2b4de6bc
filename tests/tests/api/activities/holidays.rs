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
