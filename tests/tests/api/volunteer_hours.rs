//! The volunteer-hours ledger (domain.md: "Volunteer hours go into an append-only ledger"):
//! members record their hours, the one decision of each entry, corrections as new entries,
//! totals per month and half year with training apart, entries from service requests, the
//! scope of every read and write, and the service certificate read back.

use chrono::{Duration, NaiveDate};
use reqwest::Method;
use serde_json::{json, Value};
use tests::fixtures::Township;
use tests::TestApp;

use domain::clock::Clock;
use domain::org::Member;
use domain::volunteer::{HoursCategory, HoursEntry, HoursRepo, ServiceRequestId, TeamId};

const MINE: &str = "/api/v1/me/volunteer-hours";

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Records hours as `who` (the test clock stands at 2026-11-05, Beijing).
/// The clock moves on a second first, so entries are ordered as they were written.
async fn record(
    app: &TestApp,
    who: &Member,
    category: &str,
    minutes: i32,
    on: &str,
) -> (u16, Value) {
    app.clock.advance(Duration::seconds(1));
    app.call(
        who,
        Method::POST,
        MINE,
        Some(
            json!({"category": category, "minutes": minutes, "occurredOn": on, "note": "清扫村道"}),
        ),
    )
    .await
}

/// Records hours as `who`, which must succeed: the entry's id.
async fn recorded(app: &TestApp, who: &Member, category: &str, minutes: i32, on: &str) -> String {
    let (s, e) = record(app, who, category, minutes, on).await;
    assert_eq!(s, 201, "{e}");
    assert_eq!(e["status"], "pending");
    e["id"].as_str().unwrap().to_owned()
}

async fn decide(app: &TestApp, who: &Member, id: &str, body: Value) -> (u16, Value) {
    app.call(
        who,
        Method::POST,
        &format!("/api/v1/volunteer-hours/{id}/decision"),
        Some(body),
    )
    .await
}

async fn approve(app: &TestApp, who: &Member, id: &str) -> (u16, Value) {
    decide(app, who, id, json!({"decision": "approve"})).await
}

async fn correct(app: &TestApp, who: &Member, id: &str, minutes: i32) -> (u16, Value) {
    app.clock.advance(Duration::seconds(1));
    app.call(
        who,
        Method::POST,
        &format!("/api/v1/volunteer-hours/{id}/corrections"),
        Some(json!({"minutes": minutes, "reason": "核对后更正"})),
    )
    .await
}

async fn ledger(app: &TestApp, who: &Member) -> Value {
    let (s, l) = app.call(who, Method::GET, MINE, None).await;
    assert_eq!(s, 200, "{l}");
    l
}

fn code(problem: &Value) -> &str {
    problem["code"].as_str().unwrap_or_default()
}

fn field_codes(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn volunteer_a_members_hours_are_pending_until_their_secretary_confirms_them_once() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let id = recorded(&app, &t.member_a, "service", 90, "2026-11-01").await;
    assert_eq!(
        ledger(&app, &t.member_a).await["totals"]["serviceMinutes"],
        0
    );

    let (s, e) = approve(&app, &t.secretary_a, &id).await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(e["status"], "confirmed");
    assert_eq!(e["decidedBy"], t.secretary_a.id.to_string());

    let (s, p) = decide(
        &app,
        &t.admin,
        &id,
        json!({"decision": "reject", "reason": "重复"}),
    )
    .await;
    assert_eq!((s, code(&p)), (409, "volunteer_hours_not_pending"), "{p}");
    let l = ledger(&app, &t.member_a).await;
    assert_eq!(l["totals"]["serviceMinutes"], 90);
    assert_eq!(l["items"][0]["status"], "confirmed");
}

#[tokio::test]
async fn volunteer_a_rejection_needs_a_reason_and_does_not_count() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let id = recorded(&app, &t.member_a, "service", 60, "2026-11-01").await;
    let (s, p) = decide(&app, &t.admin, &id, json!({"decision": "reject"})).await;
    assert_eq!(s, 422);
    assert_eq!(field_codes(&p), ["review_reason_required"]);
    let (s, e) = decide(
        &app,
        &t.admin,
        &id,
        json!({"decision": "reject", "reason": "当日无服务记录"}),
    )
    .await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(e["status"], "rejected");
    assert_eq!(e["decisionReason"], "当日无服务记录");
    let l = ledger(&app, &t.member_a).await;
    assert_eq!(l["totals"]["serviceMinutes"], 0);
    assert_eq!(
        l["items"].as_array().unwrap().len(),
        1,
        "still in the ledger"
    );
}

#[tokio::test]
async fn volunteer_days_and_minutes_outside_the_rules_are_refused() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    for (minutes, on, want) in [
        (60, "2026-11-06", "volunteer_hours_date_invalid"),
        (60, "2026-08-06", "volunteer_hours_date_invalid"),
        (0, "2026-11-05", "volunteer_hours_minutes_invalid"),
    ] {
        let (s, p) = record(&app, &t.member_a, "service", minutes, on).await;
        assert_eq!(s, 422, "{minutes} {on}: {p}");
        assert_eq!(field_codes(&p), [want], "{minutes} {on}");
    }
    let (s, _) = record(&app, &t.member_a, "service", 1441, "2026-11-05").await;
    assert_eq!(s, 422);
    let (s, _) = record(&app, &t.member_a, "leisure", 60, "2026-11-05").await;
    assert_eq!(s, 422);
    // The window's edges: 90 days back, and today in Beijing.
    recorded(&app, &t.member_a, "service", 1440, "2026-08-07").await;
    recorded(&app, &t.member_a, "training", 1, "2026-11-05").await;
}

#[tokio::test]
async fn volunteer_decisions_are_scoped_and_a_member_without_any_role_is_refused() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let a = recorded(&app, &t.member_a, "service", 60, "2026-11-01").await;
    let own = recorded(&app, &t.secretary_a, "service", 60, "2026-11-01").await;
    // Another township's secretary and admin: as if there were no such entry.
    for who in [&t.other_secretary, &t.other_admin] {
        let (s, p) = approve(&app, who, &a).await;
        assert_eq!((s, code(&p)), (404, "resource_not_found"), "{p}");
    }
    let random = uuid::Uuid::new_v4().to_string();
    assert_eq!(approve(&app, &t.other_admin, &random).await.0, 404);
    // A hotline operator confirms request entries, not what members record.
    assert_eq!(approve(&app, &t.operator, &a).await.0, 404);
    // A member who holds no role and leads no team: no entry anywhere.
    for id in [&a, &random] {
        let (s, p) = approve(&app, &t.member_a2, id).await;
        assert_eq!((s, code(&p)), (403, "permission_denied"), "{p}");
    }
    // Nobody confirms their own.
    let (s, p) = approve(&app, &t.secretary_a, &own).await;
    assert_eq!((s, code(&p)), (422, "volunteer_hours_own_entry"), "{p}");
    assert_eq!(approve(&app, &t.admin, &own).await.0, 200);
    // Corrections follow the same scope.
    assert_eq!(approve(&app, &t.secretary_a, &a).await.0, 200);
    assert_eq!(correct(&app, &t.other_admin, &a, -10).await.0, 404);
    assert_eq!(correct(&app, &t.member_a2, &a, -10).await.0, 403);
    assert_eq!(correct(&app, &t.member_a, &a, 10).await.0, 403);
}

#[tokio::test]
async fn volunteer_of_two_decisions_at_once_exactly_one_is_stored() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    for _ in 0..3 {
        let id = recorded(&app, &t.member_a, "service", 60, "2026-11-01").await;
        let reject = json!({"decision": "reject", "reason": "无记录"});
        let (first, second) = tokio::join!(
            approve(&app, &t.secretary_a, &id),
            decide(&app, &t.admin, &id, reject),
        );
        let mut statuses = [first.0, second.0];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "{} {}", first.1, second.1);
        let winner = if first.0 == 200 { &first.1 } else { &second.1 };
        let stored = HoursRepo::entry(
            &app.db.repos(),
            domain::volunteer::HoursEntryId::from_uuid(
                winner["id"].as_str().unwrap().parse().unwrap(),
            ),
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(stored.status.as_str(), winner["status"].as_str().unwrap());
        assert_eq!(
            stored.decision.map(|d| d.by.to_string()),
            winner["decidedBy"].as_str().map(str::to_owned)
        );
    }
}

#[tokio::test]
async fn volunteer_no_operation_edits_or_deletes_an_entry() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let id = recorded(&app, &t.member_a, "service", 60, "2026-11-01").await;
    assert_eq!(approve(&app, &t.secretary_a, &id).await.0, 200);
    let path = format!("/api/v1/volunteer-hours/{id}");
    for method in [Method::PATCH, Method::PUT, Method::DELETE] {
        let (s, _) = app
            .call(
                &t.admin,
                method.clone(),
                &path,
                Some(json!({"minutes": 600})),
            )
            .await;
        assert!(s == 404 || s == 405, "{method}: {s}");
    }
    let doc = api::openapi::document();
    for (p, item) in &doc.paths.paths {
        if p.starts_with("/api/v1/volunteer-hours") || p.contains("volunteer-hours") {
            assert!(
                item.put.is_none() && item.patch.is_none() && item.delete.is_none(),
                "{p}"
            );
        }
    }
    let l = ledger(&app, &t.member_a).await;
    assert_eq!(l["items"][0]["minutes"], 60);
    assert_eq!(l["totals"]["serviceMinutes"], 60);
}

#[tokio::test]
async fn volunteer_corrections_are_new_entries_that_sum_and_never_go_below_zero() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let id = recorded(&app, &t.member_a, "service", 90, "2026-10-20").await;
    let (s, p) = correct(&app, &t.secretary_a, &id, -30).await;
    assert_eq!(
        (s, code(&p)),
        (409, "volunteer_hours_not_confirmed"),
        "pending: {p}"
    );
    assert_eq!(approve(&app, &t.secretary_a, &id).await.0, 200);

    let (s, c) = correct(&app, &t.secretary_a, &id, -30).await;
    assert_eq!(s, 201, "{c}");
    assert_eq!(
        (
            c["source"].as_str(),
            c["correctsId"].as_str(),
            c["status"].as_str()
        ),
        (Some("correction"), Some(id.as_str()), Some("confirmed"))
    );
    assert_eq!(
        (c["minutes"].as_i64(), c["occurredOn"].as_str()),
        (Some(-30), Some("2026-10-20"))
    );
    assert_eq!(c["note"], "核对后更正");

    let (s, p) = correct(&app, &t.admin, &id, -61).await;
    assert_eq!((s, code(&p)), (422, "volunteer_hours_below_zero"), "{p}");
    let (s, p) = correct(&app, &t.admin, &id, 0).await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(field_codes(&p), ["volunteer_hours_minutes_invalid"]);
    let (s, p) = correct(&app, &t.admin, c["id"].as_str().unwrap(), 10).await;
    assert_eq!(
        (s, code(&p)),
        (409, "volunteer_hours_not_confirmed"),
        "a correction's: {p}"
    );
    assert_eq!(
        correct(&app, &t.admin, &id, -60).await.0,
        201,
        "down to zero"
    );
    assert_eq!(correct(&app, &t.admin, &id, 15).await.0, 201);

    let l = ledger(&app, &t.member_a).await;
    assert_eq!(l["totals"]["serviceMinutes"], 15);
    assert_eq!(l["items"].as_array().unwrap().len(), 4);
    assert_eq!(
        l["items"][3]["minutes"], 90,
        "the entry itself is never changed"
    );
    assert_eq!(
        l["totals"]["months"][0],
        json!({"month": "2026-10", "serviceMinutes": 15, "trainingMinutes": 0})
    );
    let minutes = HoursRepo::confirmed_minutes(
        &app.db.repos(),
        t.member_a.id,
        day("2026-10-01"),
        day("2026-10-31"),
        HoursCategory::Service,
    )
    .await
    .unwrap();
    assert_eq!(minutes, 15);
}

#[tokio::test]
async fn volunteer_totals_run_per_month_and_half_year_with_training_kept_apart() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let mut ids = vec![
        recorded(&app, &t.member_a, "service", 60, "2026-11-01").await,
        recorded(&app, &t.member_a, "training", 30, "2026-11-02").await,
        recorded(&app, &t.member_a, "service", 45, "2026-10-15").await,
    ];
    // Into the new year: one last day of 2026, one first day of 2027.
    app.clock.advance(Duration::days(60));
    ids.push(recorded(&app, &t.member_a, "service", 20, "2026-12-31").await);
    ids.push(recorded(&app, &t.member_a, "training", 40, "2027-01-01").await);
    let pending = recorded(&app, &t.member_a, "service", 500, "2027-01-02").await;
    for id in &ids {
        assert_eq!(approve(&app, &t.admin, id).await.0, 200);
    }
    let l = ledger(&app, &t.member_a).await;
    assert_eq!(l["items"][0]["id"], pending.as_str(), "newest first");
    let totals = &l["totals"];
    assert_eq!(
        (
            totals["serviceMinutes"].as_i64(),
            totals["trainingMinutes"].as_i64()
        ),
        (Some(125), Some(70))
    );
    assert_eq!(
        totals["months"],
        json!([
            {"month": "2027-01", "serviceMinutes": 0, "trainingMinutes": 40},
            {"month": "2026-12", "serviceMinutes": 20, "trainingMinutes": 0},
            {"month": "2026-11", "serviceMinutes": 60, "trainingMinutes": 30},
            {"month": "2026-10", "serviceMinutes": 45, "trainingMinutes": 0},
        ])
    );
    assert_eq!(
        totals["halfYears"],
        json!([
            {"halfYear": "2027-H1", "serviceMinutes": 0, "trainingMinutes": 40},
            {"halfYear": "2026-H2", "serviceMinutes": 125, "trainingMinutes": 30},
        ])
    );
    let repos = app.db.repos();
    let h2 = |category| {
        HoursRepo::confirmed_minutes(
            &repos,
            t.member_a.id,
            day("2026-07-01"),
            day("2026-12-31"),
            category,
        )
    };
    assert_eq!(h2(HoursCategory::Service).await.unwrap(), 125);
    assert_eq!(h2(HoursCategory::Training).await.unwrap(), 30);
    // The ledger pages.
    let (s, page) = app
        .call(&t.member_a, Method::GET, &format!("{MINE}?limit=4"), None)
        .await;
    assert_eq!(s, 200);
    let cursor = page["nextCursor"].as_str().unwrap();
    let (_, rest) = app
        .call(
            &t.member_a,
            Method::GET,
            &format!("{MINE}?limit=4&cursor={cursor}"),
            None,
        )
        .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 2);
    assert!(rest["nextCursor"].is_null());
}

#[tokio::test]
async fn volunteer_a_members_ledger_is_read_by_their_secretary_or_admin_only() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let id = recorded(&app, &t.member_a, "service", 60, "2026-11-01").await;
    let path = format!("/api/v1/members/{}/volunteer-hours", t.member_a.id);
    for who in [&t.secretary_a, &t.admin] {
        let (s, l) = app.call(who, Method::GET, &path, None).await;
        assert_eq!(s, 200, "{l}");
        assert_eq!(l["items"][0]["id"], id.as_str());
        assert_eq!(l["memberId"], t.member_a.id.to_string());
    }
    for who in [&t.other_secretary, &t.other_admin] {
        assert_eq!(app.call(who, Method::GET, &path, None).await.0, 404);
    }
    let b = format!("/api/v1/members/{}/volunteer-hours", t.member_b.id);
    assert_eq!(app.call(&t.secretary_a, Method::GET, &b, None).await.0, 404);
    for who in [&t.member_a, &t.member_a2, &t.operator] {
        let (s, p) = app.call(who, Method::GET, &path, None).await;
        assert_eq!((s, code(&p)), (403, "permission_denied"), "{p}");
    }
}

#[tokio::test]
async fn volunteer_a_request_entry_is_confirmed_by_the_team_leader_or_the_hotline() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let (s, team) = app
        .call(
            &t.admin,
            Method::POST,
            &format!("/api/v1/orgs/{}/volunteer-teams", t.committee.id),
            Some(json!({"name": "维修服务队", "leaderId": t.member_b.id})),
        )
        .await;
    assert_eq!(s, 201, "{team}");
    let team = TeamId::from_uuid(team["id"].as_str().unwrap().parse().unwrap());
    let now = app.clock.now();
    let entry = |request, team| {
        HoursEntry::from_request(
            &t.member_a,
            request,
            team,
            120,
            day("2026-11-04"),
            "修水管",
            t.operator.id,
            now,
        )
        .unwrap()
    };
    let (r1, r2) = (ServiceRequestId::new(), ServiceRequestId::new());
    let via_team = entry(r1, Some(team));
    let direct = entry(r2, None);
    let repos = app.db.repos();
    HoursRepo::append(&repos, &[via_team.clone(), direct.clone()])
        .await
        .unwrap();

    let (via_team, direct) = (via_team.id.to_string(), direct.id.to_string());
    // The member's secretary confirms what members record, not request entries.
    assert_eq!(approve(&app, &t.secretary_a, &via_team).await.0, 404);
    // The team's leader: entries served through their team only.
    assert_eq!(approve(&app, &t.member_b, &direct).await.0, 404);
    let (s, e) = approve(&app, &t.member_b, &via_team).await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(
        (e["source"].as_str(), e["category"].as_str()),
        (Some("request"), Some("service"))
    );
    assert_eq!(e["requestId"], r1.to_string());
    assert_eq!(approve(&app, &t.other_admin, &direct).await.0, 404);
    assert_eq!(approve(&app, &t.operator, &direct).await.0, 200);
    assert_eq!(
        ledger(&app, &t.member_a).await["totals"]["serviceMinutes"],
        240
    );
}

#[tokio::test]
async fn volunteer_recording_again_with_the_same_idempotency_key_records_once() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let token = app.token_for(t.member_a.id);
    let body = json!({"category": "service", "minutes": 30, "occurredOn": "2026-11-03", "note": "入户走访"});
    let send = |b: Value| {
        app.client
            .post(app.url(MINE))
            .bearer_auth(&token)
            .header("Idempotency-Key", "hours-1")
            .json(&b)
            .send()
    };
    let first = tests::json_body(send(body.clone()).await.unwrap()).await;
    let second = tests::json_body(send(body.clone()).await.unwrap()).await;
    assert_eq!(first["id"], second["id"]);
    let mut other = body;
    other["minutes"] = json!(31);
    assert_eq!(send(other).await.unwrap().status().as_u16(), 422);
    assert_eq!(
        ledger(&app, &t.member_a).await["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn volunteer_the_certificate_states_the_confirmed_ledger_with_totals() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let service = recorded(&app, &t.member_a, "service", 90, "2026-11-01").await;
    let training = recorded(&app, &t.member_a, "training", 30, "2026-10-20").await;
    recorded(&app, &t.member_a, "service", 600, "2026-11-02").await;
    for id in [&service, &training] {
        assert_eq!(approve(&app, &t.secretary_a, id).await.0, 200);
    }
    assert_eq!(correct(&app, &t.admin, &service, -30).await.0, 201);

    let get = |who: &Member, path: String| {
        let req = app
            .client
            .get(app.url(&path))
            .bearer_auth(app.token_for(who.id));
        async move { req.send().await.unwrap() }
    };
    let res = get(&t.member_a, format!("{MINE}/certificate")).await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["content-type"], crate::xlsx::XLSX);
    let bytes = res.bytes().await.unwrap();

    let summary = crate::xlsx::rows(&bytes, "证明");
    let cell = |h: &str| summary[1][crate::xlsx::column(&summary, h)].to_string();
    assert_eq!(cell("姓名"), t.member_a.name);
    assert_eq!(cell("所在党支部"), t.branch_a.name);
    assert_eq!(cell("志愿服务时长（小时）"), "1");
    assert_eq!(cell("培训时长（小时）"), "0.5");

    let entries = crate::xlsx::rows(&bytes, "服务记录");
    assert_eq!(
        entries.len(),
        4,
        "three confirmed lines, the pending one left out"
    );
    let minutes = crate::xlsx::column(&entries, "时长（分钟）");
    let source = crate::xlsx::column(&entries, "来源");
    let lines: Vec<(String, String)> = entries[1..]
        .iter()
        .map(|r| (r[minutes].to_string(), r[source].to_string()))
        .collect();
    assert!(lines.contains(&("-30".into(), "更正".into())), "{lines:?}");
    assert!(
        lines.contains(&("90".into(), "本人填报".into())),
        "{lines:?}"
    );

    let periods = crate::xlsx::rows(&bytes, "分期汇总");
    let first: Vec<String> = periods.iter().map(|r| r[0].to_string()).collect();
    assert_eq!(first, ["期间", "2026-H2", "2026-11", "2026-10"]);

    let path = format!(
        "/api/v1/members/{}/volunteer-hours/certificate",
        t.member_a.id
    );
    assert_eq!(
        get(&t.secretary_a, path.clone()).await.status().as_u16(),
        200
    );
    assert_eq!(get(&t.admin, path.clone()).await.status().as_u16(), 200);
    assert_eq!(
        get(&t.other_admin, path.clone()).await.status().as_u16(),
        404
    );
    assert_eq!(get(&t.member_a2, path).await.status().as_u16(), 403);
}

#[tokio::test]
async fn volunteer_the_store_decides_a_pending_entry_once_whoever_read_it_pending() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let now = app.clock.now();
    let e = HoursEntry::from_request(
        &t.member_a,
        ServiceRequestId::new(),
        None,
        60,
        day("2026-11-04"),
        "送药上门",
        t.operator.id,
        now,
    )
    .unwrap();
    let repos = app.db.repos();
    HoursRepo::append(&repos, std::slice::from_ref(&e))
        .await
        .unwrap();
    let decision = |by: &Member| domain::volunteer::HoursDecision {
        by: by.id,
        at: now,
        reason: None,
    };
    use domain::volunteer::HoursStatus::{Confirmed, Rejected};
    // Both deciders read it pending; the store lets the first write win and refuses the second.
    assert!(
        HoursRepo::decide(&repos, e.id, Confirmed, &decision(&t.operator))
            .await
            .unwrap()
    );
    assert!(
        !HoursRepo::decide(&repos, e.id, Rejected, &decision(&t.admin))
            .await
            .unwrap()
    );
    let stored = HoursRepo::entry(&repos, e.id).await.unwrap().unwrap();
    assert_eq!(stored.status, Confirmed);
    assert_eq!(stored.decision.map(|d| d.by), Some(t.operator.id));
    assert_eq!((stored.minutes, stored.note.as_str()), (60, "送药上门"));
}
