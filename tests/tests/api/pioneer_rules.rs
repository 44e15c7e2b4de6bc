//! Pioneer-index rule sets (先锋指数考评细则): the standard rules until a township stores its
//! own; versions in force from the current half year; read by anyone inside the township,
//! kept by its admins; every rule named by its pointer; out of scope is 404 as a random id.

use reqwest::Method;
use serde_json::{json, Value};
use tests::fixtures::Township;
use tests::TestApp;
use uuid::Uuid;

use domain::clock::Clock;

fn field_codes(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["pointer"].as_str().unwrap_or_default().to_owned(),
                e["code"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn rural_rules() -> Value {
    json!({
        "scale": 100,
        "exclusions": [{"category": "frail", "reason": "年老体弱党员不参加考评"}],
        "profiles": [{
            "name": "农村党员",
            "sectors": ["rural"],
            "categories": [],
            "basic": [
                {"metric": "theme_day_attendance", "points": 40},
                {"metric": "volunteer_hours", "points": 20, "targetHours": 10},
                {"metric": "appraisal_grade", "points": 20},
            ],
            "positive": [{"code": "pledge", "name": "带头承诺践诺", "points": 5, "cap": 10}],
            "negative": [{"code": "dues_late", "name": "未按时交纳党费", "points": 5}],
            "zeroing": [{"code": "law_violation", "name": "违法犯罪"}],
        }],
    })
}

/// The rules as stored and read back: the standard fortress items where none were sent.
fn rural_rules_read() -> Value {
    let mut r = rural_rules();
    r["fortress"] = json!([
        {"metric": "theme_days", "points": 20},
        {"metric": "meetings", "points": 20},
        {"metric": "study", "points": 15},
        {"metric": "attendance", "points": 15},
        {"metric": "appraisal_turnout", "points": 10},
        {"metric": "rectifications", "points": 10},
        {"metric": "service_on_time", "points": 10},
    ]);
    r
}

fn rules_path(org: impl std::fmt::Display) -> String {
    format!("/api/v1/orgs/{org}/pioneer-rules")
}

#[tokio::test]
async fn the_standard_rules_apply_until_the_township_stores_a_version() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let (s, r) = app
        .call(&t.member_a, Method::GET, &rules_path(t.committee.id), None)
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["half"], "2026-H2");
    assert_eq!(r["isDefault"], true);
    assert_eq!(r["version"], Value::Null);
    assert_eq!(r["locked"], false);
    assert_eq!(r["rules"]["scale"], 100);
    assert_eq!(r["rules"]["profiles"][0]["name"], "全体党员");
    assert!(r["rules"]["exclusions"]
        .as_array()
        .is_some_and(|e| e.iter().any(|x| x["category"] == "frail")));
}

#[tokio::test]
async fn an_admin_stores_versions_in_force_from_the_current_half_year() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let (s, v1) = app
        .call(
            &t.admin,
            Method::PUT,
            &rules_path(t.committee.id),
            Some(rural_rules()),
        )
        .await;
    assert_eq!(s, 200, "{v1}");
    assert_eq!(
        (v1["version"].as_u64(), v1["effectiveFrom"].as_str()),
        (Some(1), Some("2026-H2"))
    );
    assert_eq!(v1["isDefault"], false);
    assert_eq!(v1["rules"], rural_rules_read());

    // Every member of the township reads the version in force.
    let (s, read) = app
        .call(&t.member_b, Method::GET, &rules_path(t.committee.id), None)
        .await;
    assert_eq!(s, 200, "{read}");
    assert_eq!(read["version"], 1);
    assert_eq!(read["rules"], rural_rules_read());

    // A second version supersedes the first; the half year before keeps the standard rules.
    let mut changed = rural_rules();
    changed["profiles"][0]["basic"][0]["points"] = json!(50);
    changed["profiles"][0]["name"] = json!("  农村党员（修订） ");
    let (s, v2) = app
        .call(
            &t.admin,
            Method::PUT,
            &rules_path(t.committee.id),
            Some(changed),
        )
        .await;
    assert_eq!(s, 200, "{v2}");
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["rules"]["profiles"][0]["name"], "农村党员（修订）");
    let (_, now) = app
        .call(&t.member_a, Method::GET, &rules_path(t.committee.id), None)
        .await;
    assert_eq!(now["version"], 2);
    assert_eq!(now["rules"]["profiles"][0]["basic"][0]["points"], 50);
    let (s, before) = app
        .call(
            &t.member_a,
            Method::GET,
            &format!("{}?half=2026-H1", rules_path(t.committee.id)),
            None,
        )
        .await;
    assert_eq!(s, 200, "{before}");
    assert_eq!(
        (before["half"].as_str(), before["isDefault"].as_bool()),
        (Some("2026-H1"), Some(true))
    );
    // A later half year is under the newest version.
    let (_, later) = app
        .call(
            &t.member_a,
            Method::GET,
            &format!("{}?half=2027-H2", rules_path(t.committee.id)),
            None,
        )
        .await;
    assert_eq!(later["version"], 2);

    // Audited.
    let (s, audit) = app
        .call(
            &t.admin,
            Method::GET,
            &format!("/api/v1/audit?orgId={}", t.committee.id),
            None,
        )
        .await;
    assert_eq!(s, 200, "{audit}");
    let rules_set = audit["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["action"] == "pioneer.rules_set")
        .count();
    assert_eq!(rules_set, 2, "{audit}");
}

#[tokio::test]
async fn every_broken_rule_is_named_by_its_pointer_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let mut bad = rural_rules();
    bad["scale"] = json!(50);
    bad["exclusions"] = json!([
        {"category": "frail", "reason": "甲"},
        {"category": "frail", "reason": "乙"},
    ]);
    let p = &mut bad["profiles"][0];
    p["basic"][1] = json!({"metric": "volunteer_hours", "points": 20});
    p["basic"][2] = json!({"metric": "theme_day_attendance", "points": 5, "targetHours": 3});
    p["positive"][0]["cap"] = json!(1);
    p["negative"][0]["code"] = json!("pledge");
    let (s, problem) = app
        .call(
            &t.admin,
            Method::PUT,
            &rules_path(t.committee.id),
            Some(bad),
        )
        .await;
    assert_eq!(s, 422, "{problem}");
    assert_eq!(problem["code"], "validation_failed", "{problem}");
    let got = field_codes(&problem);
    for pointer in [
        "/profiles/0/basic",
        "/exclusions/1/category",
        "/profiles/0/basic/1/targetHours",
        "/profiles/0/basic/2/metric",
        "/profiles/0/basic/2/targetHours",
        "/profiles/0/positive/0/cap",
        "/profiles/0/negative/0/code",
    ] {
        assert!(
            got.iter()
                .any(|(p, c)| p == pointer && c == "pioneer_rules_invalid"),
            "{pointer} missing: {got:?}"
        );
    }
    // What the schema states is refused before any rule: out of range, a bad code.
    for (field, value) in [("scale", json!(0)), ("scale", json!(1001))] {
        let mut b = rural_rules();
        b[field] = value;
        let (s, p) = app
            .call(&t.admin, Method::PUT, &rules_path(t.committee.id), Some(b))
            .await;
        assert_eq!(s, 422, "{p}");
    }
    let mut b = rural_rules();
    b["profiles"][0]["positive"][0]["code"] = json!("Bad Code");
    let (s, p) = app
        .call(&t.admin, Method::PUT, &rules_path(t.committee.id), Some(b))
        .await;
    assert_eq!(s, 422, "{p}");
    let mut b = rural_rules();
    b["profiles"] = json!([]);
    let (s, p) = app
        .call(&t.admin, Method::PUT, &rules_path(t.committee.id), Some(b))
        .await;
    assert_eq!(s, 422, "{p}");
    // Nothing was stored.
    let (_, r) = app
        .call(&t.admin, Method::GET, &rules_path(t.committee.id), None)
        .await;
    assert_eq!(r["isDefault"], true, "{r}");
    // A half year the calendar cannot mean.
    for half in ["2026-H3", "26-H1", "2101-H1"] {
        let (s, p) = app
            .call(
                &t.member_a,
                Method::GET,
                &format!("{}?half={half}", rules_path(t.committee.id)),
                None,
            )
            .await;
        assert_eq!(s, 422, "{half}: {p}");
        assert!(
            field_codes(&p)
                .iter()
                .any(|(_, c)| c == "pioneer_half_invalid"),
            "{half}: {p}"
        );
    }
}

#[tokio::test]
async fn only_the_townships_admins_keep_its_rules_and_out_of_scope_is_missing() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let put = |who, org: Uuid| {
        let app = &app;
        async move {
            app.call(who, Method::PUT, &rules_path(org), Some(rural_rules()))
                .await
        }
    };
    // A secretary or member could keep rules nowhere: 403 whatever the id.
    for who in [&t.secretary_a, &t.member_a, &t.operator] {
        let (s, p) = put(who, t.committee.id.as_uuid()).await;
        assert_eq!(
            (s, p["code"].as_str()),
            (403, Some("permission_denied")),
            "{p}"
        );
        let (s, _) = put(who, Uuid::new_v4()).await;
        assert_eq!(s, 403);
    }
    // Another township's admin: the same answer as a random id.
    let (s, p) = put(&t.other_admin, t.committee.id.as_uuid()).await;
    let (rs, rp) = put(&t.other_admin, Uuid::new_v4()).await;
    assert_eq!((s, &p["code"]), (404, &rp["code"]), "{p} / {rp}");
    assert_eq!(rs, 404);
    // Reading another township's rules: 404 as a random id.
    let (s, p) = app
        .call(
            &t.other_secretary,
            Method::GET,
            &rules_path(t.committee.id),
            None,
        )
        .await;
    let (rs, rp) = app
        .call(
            &t.other_secretary,
            Method::GET,
            &rules_path(Uuid::new_v4()),
            None,
        )
        .await;
    assert_eq!((s, rs), (404, 404), "{p} / {rp}");
    assert_eq!(p["code"], rp["code"]);
    // Rules are kept per committee, not per branch.
    let (s, p) = put(&t.admin, t.branch_a.id.as_uuid()).await;
    assert_eq!(
        (s, p["code"].as_str()),
        (422, Some("pioneer_needs_committee")),
        "{p}"
    );
}
