//! The branches' fortress index (堡垒指数): computed with the half year's pioneer index, from
//! what the service recorded of each branch (obligations, study and attendance, appraisal
//! turnout, rectifications, 96345 requests), by the fortress items of the same rules; read
//! by the township's admins as JSON or as an Excel file.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, FixedOffset, TimeZone, Utc};
use reqwest::Method;
use serde_json::{json, Value};
use tests::fixtures::Township;
use tests::TestApp;
use uuid::Uuid;

use domain::clock::Clock;
use domain::org::{Member, Org};

use crate::appraisal_support::{complete, opened};
use crate::xlsx;

fn rfc(t: DateTime<Utc>) -> String {
    t.with_timezone(&FixedOffset::east_opt(8 * 3600).unwrap())
        .to_rfc3339()
}

/// 2026-12-01 10:00 Beijing: November is over, December and the quarter are not.
fn first_of_december() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 2, 0, 0).unwrap()
}

fn fortress(committee: impl std::fmt::Display, half: &str) -> String {
    format!("/api/v1/orgs/{committee}/fortress-index?half={half}")
}

fn rules_path(t: &Township) -> String {
    format!("/api/v1/orgs/{}/pioneer-rules", t.committee.id)
}

/// Asks for the half year's pioneer index and waits until it is computed.
async fn computed(app: &TestApp, t: &Township, half: &str) {
    let path = format!("/api/v1/orgs/{}/pioneer-index?half={half}", t.committee.id);
    let (s, run) = app.call(&t.admin, Method::POST, &path, None).await;
    assert_eq!(s, 202, "{run}");
    for _ in 0..100 {
        let (s, run) = app.call(&t.admin, Method::GET, &path, None).await;
        assert_eq!(s, 200, "{run}");
        if run["status"] == "computed" {
            return;
        }
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
    panic!("the index of {half} was not computed in 10 s");
}

/// The fortress index of `half`, read by the township's admin.
async fn read(app: &TestApp, t: &Township, half: &str) -> Value {
    let (s, f) = app
        .call(&t.admin, Method::GET, &fortress(t.committee.id, half), None)
        .await;
    assert_eq!(s, 200, "{f}");
    f
}

fn branch<'a>(f: &'a Value, org: &Org) -> &'a Value {
    f["branches"]
        .as_array()
        .and_then(|b| b.iter().find(|b| b["branchId"] == json!(org.id)))
        .unwrap_or_else(|| panic!("{} has no row in {f}", org.name))
}

/// The line of `metric` as (score, done, of).
fn line(b: &Value, metric: &str) -> (f64, u64, u64) {
    let l = b["lines"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["metric"] == metric))
        .unwrap_or_else(|| panic!("no {metric} line in {b}"));
    (
        l["score"].as_f64().unwrap(),
        l["done"].as_u64().unwrap(),
        l["of"].as_u64().unwrap(),
    )
}

fn total(b: &Value) -> f64 {
    b["total"].as_f64().unwrap()
}

/// A theme day of branch A this morning that member A attended (approved) and the rest of
/// the branch did not.
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
    let activity = a["id"].as_str().unwrap().to_owned();
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
                &format!("/api/v1/check-ins/{}/review", c["id"].as_str().unwrap()),
                Some(json!({"decision": "approve"})),
            )
            .await;
        assert_eq!(s, 200, "{r}");
    }
}

#[tokio::test]
async fn a_township_that_asked_nothing_yet_scores_every_branch_the_whole_scale_by_its_path() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    computed(&app, &t, "2026-H2").await;
    let f = read(&app, &t, "2026-H2").await;
    assert_eq!(
        (f["half"].as_str(), f["status"].as_str()),
        (Some("2026-H2"), Some("computed")),
        "{f}"
    );
    assert_eq!(f["rulesVersion"], Value::Null, "the standard rules: {f}");
    // Every branch of the township (the general branch and the group are no branches), by
    // its place in the tree, named by its path below the committee.
    let mut want = vec![
        (
            &t.branch_a.path,
            json!(t.branch_a.id),
            json!("虞北村党总支/虞北村第一党支部"),
        ),
        (
            &t.branch_b.path,
            json!(t.branch_b.id),
            json!("镇机关党支部"),
        ),
    ];
    want.sort_by(|x, y| x.0.cmp(y.0));
    let want: Vec<(Value, Value)> = want.into_iter().map(|(_, id, name)| (id, name)).collect();
    let got: Vec<(Value, Value)> = f["branches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["branchId"].clone(), b["branchName"].clone()))
        .collect();
    assert_eq!(got, want);
    // November's obligations are still open on the 5th and nothing else was asked: every
    // item is whole.
    for b in f["branches"].as_array().unwrap() {
        assert_eq!(total(b), 100.0, "{b}");
        let lines = b["lines"].as_array().unwrap();
        let metrics: Vec<&str> = lines.iter().filter_map(|l| l["metric"].as_str()).collect();
        assert_eq!(
            metrics,
            [
                "theme_days",
                "meetings",
                "study",
                "attendance",
                "appraisal_turnout",
                "rectifications",
                "service_on_time"
            ]
        );
        assert_eq!(lines[0]["name"], "主题党日落实率");
        assert_eq!(
            (lines[0]["points"].as_u64(), lines[0]["score"].as_f64()),
            (Some(20), Some(20.0))
        );
        assert_eq!(
            (lines[0]["done"].as_u64(), lines[0]["of"].as_u64()),
            (Some(0), Some(0))
        );
    }
}

#[tokio::test]
async fn a_branch_that_held_its_theme_day_scores_it_where_one_that_held_nothing_does_not() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    theme_day_attended_by_a(&app, &t).await;
    app.clock.set(first_of_december());
    computed(&app, &t, "2026-H2").await;
    let f = read(&app, &t, "2026-H2").await;
    let (a, b) = (branch(&f, &t.branch_a), branch(&f, &t.branch_b));

    // Branch A held November's theme day (the months before the branches existed are not
    // asked); branch B did not.
    assert_eq!(line(a, "theme_days"), (20.0, 1, 1), "{a}");
    assert_eq!(line(b, "theme_days"), (0.0, 0, 1), "{b}");
    // Neither held November's committee meeting, nor branch A's group its meeting; the
    // quarter's general assembly and the year's lessons are still open.
    assert_eq!(line(a, "meetings"), (0.0, 0, 2), "{a}");
    assert_eq!(line(b, "meetings"), (0.0, 0, 1), "{b}");
    // One of branch A's five members attended: 15 × 1/5. Branch B held nothing to attend.
    assert_eq!(line(a, "attendance"), (3.0, 1, 5), "{a}");
    assert_eq!(line(b, "attendance"), (15.0, 0, 0), "{b}");
    // Nothing else was asked of either.
    for metric in [
        "study",
        "appraisal_turnout",
        "rectifications",
        "service_on_time",
    ] {
        assert_eq!(line(a, metric).1 + line(a, metric).2, 0, "{metric}: {a}");
        assert_eq!(line(b, metric).2, 0, "{metric}: {b}");
    }
    assert_eq!(total(a), 20.0 + 3.0 + 15.0 + 30.0);
    assert_eq!(total(b), 15.0 + 15.0 + 30.0);
    assert!(total(a) > total(b));

    // Computed again before confirmation: the same table.
    computed(&app, &t, "2026-H2").await;
    assert_eq!(read(&app, &t, "2026-H2").await, f);
}

#[tokio::test]
async fn appraisal_turnout_counts_submissions_of_those_not_excused_and_rectifications_their_due_date(
) {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let id = opened(&app, &t.secretary_a, &t.branch_a).await;
    let (s, p) = app
        .call(
            &t.secretary_a,
            Method::PUT,
            &format!(
                "/api/v1/appraisals/{id}/participants/{}/excusal",
                t.reviewer_a.id
            ),
            Some(json!({"reason": "长期病休"})),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    // The self-assessment stage: members A and A2 submit, each with a problem to rectify.
    app.clock.advance(Duration::days(1));
    let mine = format!("/api/v1/appraisals/{id}/self-assessment");
    for (who, due) in [(&t.member_a, "2026-11-20"), (&t.member_a2, "2026-11-25")] {
        let (s, _, r) = crate::appraisal_support::with_if_match(
            &app,
            who,
            Method::PUT,
            &mine,
            Some("\"0\""),
            Some(complete(due)),
        )
        .await;
        assert_eq!(s, 200, "{r}");
        let (s, _, r) = crate::appraisal_support::with_if_match(
            &app,
            who,
            Method::POST,
            &format!("{mine}/submit"),
            Some("\"1\""),
            None,
        )
        .await;
        assert_eq!(s, 200, "{r}");
    }
    // Member A rectifies in time; member A2 only after the due date.
    let line_of = |who: &Member| {
        let app = &app;
        let id = id.clone();
        let who = who.clone();
        async move {
            let (_, l) = app
                .call(
                    &who,
                    Method::GET,
                    &format!("/api/v1/appraisals/{id}/rectifications/mine"),
                    None,
                )
                .await;
            format!(
                "/api/v1/appraisals/{id}/rectifications/{}",
                l["items"][0]["id"].as_str().unwrap()
            )
        }
    };
    let done = json!({"done": true, "note": "已系统学习党章"});
    let (s, m) = app
        .call(
            &t.member_a,
            Method::PATCH,
            &line_of(&t.member_a).await,
            Some(done.clone()),
        )
        .await;
    assert_eq!(s, 200, "{m}");
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 27, 2, 0, 0).unwrap());
    let (s, m) = app
        .call(
            &t.member_a2,
            Method::PATCH,
            &line_of(&t.member_a2).await,
            Some(done),
        )
        .await;
    assert_eq!(s, 200, "{m}");

    app.clock.set(first_of_december());
    computed(&app, &t, "2026-H2").await;
    let f = read(&app, &t, "2026-H2").await;
    let (a, b) = (branch(&f, &t.branch_a), branch(&f, &t.branch_b));
    // Two of the four members not excused submitted: 10 × 2/4.
    assert_eq!(line(a, "appraisal_turnout"), (5.0, 2, 4), "{a}");
    // One of the two items due in November was done by its due date: 10 × 1/2.
    assert_eq!(line(a, "rectifications"), (5.0, 1, 2), "{a}");
    // Branch B took no part: nothing asked.
    assert_eq!(line(b, "appraisal_turnout"), (10.0, 0, 0), "{b}");
    assert_eq!(line(b, "rectifications"), (10.0, 0, 0), "{b}");
}

#[tokio::test]
async fn requests_completed_after_their_deadline_lower_the_on_time_item() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let request = |title: &str| {
        json!({
            "kind": "hotline",
            "title": title,
            "description": "腿脚不便，需要有人帮忙到卫生院代购降压药。",
            "address": "盖北镇新舍村12号",
            "contactName": "王阿婆",
            "contactPhone": "138 0000 5678",
        })
    };
    let mut ids = Vec::new();
    for (title, volunteer) in [("帮忙买药", &t.member_a), ("帮忙取快递", &t.member_a2)] {
        let (s, r) = app
            .call(
                &t.member_b,
                Method::POST,
                "/api/v1/service-requests",
                Some(request(title)),
            )
            .await;
        assert_eq!(s, 201, "{r}");
        let id = r["id"].as_str().unwrap().to_owned();
        let step = |who: &Member, step: &str, body: Option<Value>| {
            let app = &app;
            let path = format!("/api/v1/service-requests/{id}/{step}");
            let who = who.clone();
            async move { app.call(&who, Method::POST, &path, body).await }
        };
        let (s, r) = step(
            &t.operator,
            "dispatch",
            Some(json!({"orgId": t.branch_a.id})),
        )
        .await;
        assert_eq!(s, 200, "{r}");
        // Completed by the end of Tuesday 10 November (three working days).
        assert_eq!(r["completeDue"], "2026-11-11T00:00:00+08:00", "{r}");
        for s in ["claims", "start"] {
            let (status, r) = step(volunteer, s, None).await;
            assert_eq!(status, 200, "{s}: {r}");
        }
        ids.push((id, volunteer));
    }
    let finish = |id: &str, who: &Member| {
        let app = &app;
        let path = format!("/api/v1/service-requests/{id}/complete");
        let body = json!({"summary": "已办结。", "hours": [{"memberId": who.id, "minutes": 60}]});
        let who = who.clone();
        async move { app.call(&who, Method::POST, &path, Some(body)).await }
    };
    let (s, r) = finish(&ids[0].0, ids[0].1).await;
    assert_eq!((s, r["state"].as_str()), (200, Some("completed")), "{r}");
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 12, 2, 0, 0).unwrap());
    let (s, r) = finish(&ids[1].0, ids[1].1).await;
    assert_eq!((s, r["state"].as_str()), (200, Some("completed")), "{r}");

    app.clock.set(first_of_december());
    computed(&app, &t, "2026-H2").await;
    let f = read(&app, &t, "2026-H2").await;
    assert_eq!(
        line(branch(&f, &t.branch_a), "service_on_time"),
        (5.0, 1, 2),
        "{f}"
    );
    assert_eq!(
        line(branch(&f, &t.branch_b), "service_on_time"),
        (10.0, 0, 0),
        "{f}"
    );
}

#[tokio::test]
async fn the_excel_file_has_a_row_per_branch_with_each_items_score() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    theme_day_attended_by_a(&app, &t).await;
    app.clock.set(first_of_december());
    computed(&app, &t, "2026-H2").await;
    let token = app.token_for(t.admin.id);
    let res = app
        .send(
            Method::GET,
            &format!("{}&format=xlsx", fortress(t.committee.id, "2026-H2")),
            &[("authorization", &format!("Bearer {token}"))],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["content-type"], xlsx::XLSX);
    let (ascii, name) = xlsx::file_names(&res);
    assert_eq!(name, "堡垒指数-2026-H2.xlsx");
    assert_eq!(ascii, "fortress-index-2026-H2.xlsx");
    let bytes = res.bytes().await.unwrap();
    assert!(!bytes.is_empty());
    xlsx::assert_laid_out(&bytes);
    xlsx::assert_columns_fit(&bytes, 1);
    let rows = xlsx::rows(&bytes, "堡垒指数");
    let header: Vec<String> = rows[0].iter().map(ToString::to_string).collect();
    assert_eq!(
        header,
        [
            "支部",
            "堡垒指数",
            "主题党日落实率",
            "三会一课落实率",
            "学习完成率",
            "组织生活参加率",
            "民主评议参评率",
            "整改按期完成率",
            "96345按时办结率",
        ]
    );
    assert_eq!(rows.len(), 3, "a row per branch: {rows:?}");
    let a = rows
        .iter()
        .find(|r| r[0] == "虞北村党总支/虞北村第一党支部")
        .unwrap_or_else(|| panic!("no row of branch A: {rows:?}"));
    let number = |c: &calamine::Data| match c {
        calamine::Data::Float(f) => *f,
        calamine::Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    };
    assert_eq!(number(&a[1]), 68.0);
    assert_eq!(number(&a[2]), 20.0);
    assert_eq!(number(&a[5]), 3.0);

    // The Accept header asks for the same file.
    let res = app
        .send(
            Method::GET,
            &fortress(t.committee.id, "2026-H2"),
            &[
                ("authorization", &format!("Bearer {token}")),
                ("accept", xlsx::XLSX),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["content-type"], xlsx::XLSX);
}

#[tokio::test]
async fn only_the_townships_admins_read_it_once_computed_and_only_of_a_committee() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    // Not computed yet: nothing to show.
    let (s, p) = app
        .call(
            &t.admin,
            Method::GET,
            &fortress(t.committee.id, "2026-H2"),
            None,
        )
        .await;
    assert_eq!(s, 404, "{p}");
    computed(&app, &t, "2026-H2").await;
    let (s, p) = app
        .call(
            &t.admin,
            Method::GET,
            &fortress(t.committee.id, "2026-H1"),
            None,
        )
        .await;
    assert_eq!(s, 404, "another half year: {p}");
    // A secretary or a member keeps no township's index anywhere: 403 whatever the id.
    for who in [&t.secretary_a, &t.member_a] {
        let (s, p) = app
            .call(who, Method::GET, &fortress(t.committee.id, "2026-H2"), None)
            .await;
        assert_eq!(
            (s, p["code"].as_str()),
            (403, Some("permission_denied")),
            "{p}"
        );
    }
    // Another township's admin: the answer a random id gets.
    let (s, p) = app
        .call(
            &t.other_admin,
            Method::GET,
            &fortress(t.committee.id, "2026-H2"),
            None,
        )
        .await;
    let (rs, rp) = app
        .call(
            &t.other_admin,
            Method::GET,
            &fortress(Uuid::new_v4(), "2026-H2"),
            None,
        )
        .await;
    assert_eq!((s, rs), (404, 404), "{p} / {rp}");
    assert_eq!(p["code"], rp["code"]);
    // The index is the township's: a branch is refused.
    let (s, p) = app
        .call(
            &t.admin,
            Method::GET,
            &fortress(t.branch_a.id, "2026-H2"),
            None,
        )
        .await;
    assert_eq!(
        (s, p["code"].as_str()),
        (422, Some("pioneer_needs_committee")),
        "{p}"
    );
    // A half year the calendar cannot mean.
    let (s, p) = app
        .call(
            &t.admin,
            Method::GET,
            &fortress(t.committee.id, "2026-H3"),
            None,
        )
        .await;
    assert_eq!(s, 422, "{p}");
}

#[tokio::test]
async fn the_rules_keep_fortress_items_once_each_and_default_to_the_standard_ones() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let profiles =
        json!([{"name": "全体党员", "basic": [{"metric": "theme_day_attendance", "points": 80}]}]);
    // A metric twice: named by its pointer, nothing stored.
    let (s, p) = app
        .call(
            &t.admin,
            Method::PUT,
            &rules_path(&t),
            Some(json!({
                "profiles": profiles,
                "fortress": [
                    {"metric": "theme_days", "points": 30},
                    {"metric": "theme_days", "points": 30},
                ],
            })),
        )
        .await;
    assert_eq!(
        (s, p["code"].as_str()),
        (422, Some("validation_failed")),
        "{p}"
    );
    assert!(
        p["errors"].as_array().is_some_and(|e| e.iter().any(|e| {
            e["pointer"] == "/fortress/1/metric" && e["code"] == "pioneer_rules_invalid"
        })),
        "{p}"
    );
    // More than 1000 points in all, or an unknown metric: refused too.
    for fortress in [
        json!([{"metric": "theme_days", "points": 600}, {"metric": "meetings", "points": 401}]),
        json!([{"metric": "dues", "points": 10}]),
    ] {
        let (s, p) = app
            .call(
                &t.admin,
                Method::PUT,
                &rules_path(&t),
                Some(json!({"profiles": profiles, "fortress": fortress})),
            )
            .await;
        assert_eq!(s, 422, "{p}");
    }

    // A branch's index is out of its items' points, not the members' scale: members scored
    // out of 40 with the standard 100-point fortress items (sent, or left out) is a rule set.
    let (s, v) = app
        .call(
            &t.admin,
            Method::PUT,
            &rules_path(&t),
            Some(json!({"scale": 40, "profiles": [{
                "name": "全体党员",
                "basic": [{"metric": "theme_day_attendance", "points": 40}],
            }]})),
        )
        .await;
    assert_eq!(s, 200, "{v}");

    // Left out: the standard items, shown by every read.
    let (s, v) = app
        .call(
            &t.admin,
            Method::PUT,
            &rules_path(&t),
            Some(json!({"profiles": profiles})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let standard = json!([
        {"metric": "theme_days", "points": 20},
        {"metric": "meetings", "points": 20},
        {"metric": "study", "points": 15},
        {"metric": "attendance", "points": 15},
        {"metric": "appraisal_turnout", "points": 10},
        {"metric": "rectifications", "points": 10},
        {"metric": "service_on_time", "points": 10},
    ]);
    assert_eq!(v["rules"]["fortress"], standard, "{v}");
    let (s, r) = app
        .call(&t.member_a, Method::GET, &rules_path(&t), None)
        .await;
    assert_eq!((s, &r["rules"]["fortress"]), (200, &standard), "{r}");

    // A version of the township's own scores by its items, and says so.
    let (s, v) = app
        .call(
            &t.admin,
            Method::PUT,
            &rules_path(&t),
            Some(json!({
                "profiles": profiles,
                "fortress": [
                    {"metric": "service_on_time", "points": 40},
                    {"metric": "theme_days", "points": 60},
                ],
            })),
        )
        .await;
    // The third version: the scale-40 one and the standard one came before.
    assert_eq!((s, v["version"].as_u64()), (200, Some(3)), "{v}");
    computed(&app, &t, "2026-H2").await;
    let f = read(&app, &t, "2026-H2").await;
    assert_eq!(f["rulesVersion"], 3, "{f}");
    for b in f["branches"].as_array().unwrap() {
        let metrics: Vec<&str> = b["lines"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|l| l["metric"].as_str())
            .collect();
        assert_eq!(metrics, ["service_on_time", "theme_days"], "{b}");
        assert_eq!(total(b), 100.0, "nothing asked yet: {b}");
    }
}
