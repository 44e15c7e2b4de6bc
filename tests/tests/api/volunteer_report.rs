//! The volunteer report (96345): a small month of requests, dispatched to a branch, a team
//! and the wish list or not at all, one completed on time and one late, one overdue, ratings
//! and confirmed hours (with a correction); the figures per line and in total, who sees which
//! lines, and the Excel file read back.

use chrono::{Duration, TimeZone, Utc};
use reqwest::Method;
use serde_json::{json, Value};
use tests::fixtures::Township;
use tests::TestApp;

use crate::xlsx;
use domain::clock::Clock;
use domain::org::Member;

const REPORT: &str = "/api/v1/reports/volunteer?month=2026-11";

fn request(kind: &str, title: &str) -> Value {
    json!({
        "kind": kind,
        "title": title,
        "description": "腿脚不便，需要有人帮忙。",
        "address": "盖北镇新舍村12号",
        "contactName": "王阿婆",
        "contactPhone": "138 0000 5678",
    })
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

/// Filed by `who` for a resident: its id.
async fn filed(app: &TestApp, who: &Member, kind: &str, title: &str) -> String {
    let (s, r) = app
        .call(
            who,
            Method::POST,
            "/api/v1/service-requests",
            Some(request(kind, title)),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    r["id"].as_str().unwrap().to_owned()
}

/// Claimed, started and completed by `volunteer` with `minutes`.
async fn served(app: &TestApp, volunteer: &Member, id: &str, minutes: u32) {
    act(app, volunteer, id, "claims", None).await;
    act(app, volunteer, id, "start", None).await;
    act(
        app,
        volunteer,
        id,
        "complete",
        Some(json!({"summary": "已上门服务", "hours": [{"memberId": volunteer.id, "minutes": minutes}]})),
    )
    .await;
}

/// The ids of `who`'s ledger entries served on request `request`.
async fn entries_of(app: &TestApp, who: &Member, request: &str) -> Vec<String> {
    let (s, l) = app
        .call(who, Method::GET, "/api/v1/me/volunteer-hours", None)
        .await;
    assert_eq!(s, 200, "{l}");
    l["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["requestId"] == request)
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn approve_hours(app: &TestApp, who: &Member, entry: &str) {
    let (s, e) = app
        .call(
            who,
            Method::POST,
            &format!("/api/v1/volunteer-hours/{entry}/decision"),
            Some(json!({"decision": "approve"})),
        )
        .await;
    assert_eq!(s, 200, "{e}");
}

pub struct Month {
    pub app: TestApp,
    pub t: Township,
    pub team: String,
    /// Closed on time, rated 5, served by member A (90 minutes, corrected by -15).
    pub on_time: String,
    /// Served late by the team (60 minutes), rated 3.
    pub late: String,
    /// Dispatched to branch A and left unclaimed past its deadline.
    pub overdue: String,
}

/// The month of the module's doc, the clock left at Monday 9 November 09:00 (Beijing).
pub async fn month() -> Month {
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
    let team = team["id"].as_str().unwrap().to_owned();

    // October: filed, dispatched to branch A and never claimed (overdue now, not filed in
    // November).
    let november = app.clock.now();
    app.clock.set(
        Utc.with_ymd_and_hms(2026, 10, 20, 1, 0, 0)
            .single()
            .unwrap(),
    );
    let october = filed(&app, &t.member_a2, "hotline", "十月的求助").await;
    act(
        &app,
        &t.operator,
        &october,
        "dispatch",
        Some(json!({"orgId": t.branch_a.id})),
    )
    .await;
    app.clock.set(november);

    // Thursday 5 November.
    let on_time = filed(&app, &t.member_a2, "hotline", "帮忙买药").await;
    act(
        &app,
        &t.operator,
        &on_time,
        "dispatch",
        Some(json!({"orgId": t.branch_a.id})),
    )
    .await;
    served(&app, &t.member_a, &on_time, 90).await;
    act(
        &app,
        &t.member_a2,
        &on_time,
        "rating",
        Some(json!({"rating": 5})),
    )
    .await;

    let late = filed(&app, &t.member_a2, "home_visit", "修水管").await;
    act(
        &app,
        &t.operator,
        &late,
        "dispatch",
        Some(json!({"teamId": team, "claimDays": 1, "completeDays": 1})),
    )
    .await;
    act(&app, &t.member_b, &late, "claims", None).await;
    act(&app, &t.member_b, &late, "start", None).await;

    let overdue = filed(&app, &t.member_a2, "hotline", "帮忙取快递").await;
    act(
        &app,
        &t.operator,
        &overdue,
        "dispatch",
        Some(json!({"orgId": t.branch_a.id, "claimDays": 1, "completeDays": 2})),
    )
    .await;
    let wish = filed(&app, &t.member_a2, "wish", "想要一套新书包").await;
    act(
        &app,
        &t.operator,
        &wish,
        "dispatch",
        Some(json!({"orgId": t.committee.id})),
    )
    .await;
    filed(&app, &t.member_a2, "outreach", "政策宣传进村").await;

    // Member A's own record of the 3rd (service) and of training, which does not count.
    for (category, minutes) in [("service", 45), ("training", 30)] {
        app.clock.advance(Duration::seconds(1));
        let (s, e) = app
            .call(
                &t.member_a,
                Method::POST,
                "/api/v1/me/volunteer-hours",
                Some(json!({"category": category, "minutes": minutes, "occurredOn": "2026-11-03", "note": "清扫村道"})),
            )
            .await;
        assert_eq!(s, 201, "{e}");
        approve_hours(&app, &t.secretary_a, e["id"].as_str().unwrap()).await;
    }
    // The request's entry, confirmed by the operator, then corrected by -15 minutes.
    let entry = entries_of(&app, &t.member_a, &on_time).await;
    assert_eq!(entry.len(), 1);
    approve_hours(&app, &t.operator, &entry[0]).await;
    let (s, c) = app
        .call(
            &t.operator,
            Method::POST,
            &format!("/api/v1/volunteer-hours/{}/corrections", entry[0]),
            Some(json!({"minutes": -15, "reason": "核对后更正"})),
        )
        .await;
    assert_eq!(s, 201, "{c}");

    // Monday 9 November, 09:00: the team's request is completed late, and rated.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 9, 1, 0, 0).single().unwrap());
    act(
        &app,
        &t.member_b,
        &late,
        "complete",
        Some(json!({"summary": "已修好", "hours": [{"memberId": t.member_b.id, "minutes": 60}]})),
    )
    .await;
    act(
        &app,
        &t.member_a2,
        &late,
        "rating",
        Some(json!({"rating": 3})),
    )
    .await;
    for e in entries_of(&app, &t.member_b, &late).await {
        approve_hours(&app, &t.operator, &e).await;
    }
    Month {
        app,
        t,
        team,
        on_time,
        late,
        overdue,
    }
}

pub async fn report(app: &TestApp, who: &Member, path: &str) -> (u16, Value) {
    app.call(who, Method::GET, path, None).await
}

fn line<'a>(r: &'a Value, kind: &str, id: &str) -> &'a Value {
    r["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == kind && l["id"] == id)
        .unwrap_or_else(|| panic!("no {kind} line {id}: {r}"))
}

fn ids(r: &Value) -> Vec<String> {
    r["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn volunteer_report_counts_each_line_where_its_requests_went_and_totals_them() {
    let m = month().await;
    let t = &m.t;
    let (s, r) = report(&m.app, &t.admin, REPORT).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["month"], "2026-11");

    let a = &line(&r, "branch", &t.branch_a.id.to_string())["figures"];
    assert_eq!(
        a["requests"], 2,
        "the October request counts in October: {a}"
    );
    assert_eq!(a["byKind"]["hotline"], 2);
    assert_eq!(
        (
            a["byState"]["closed"].as_u64(),
            a["byState"]["accepted"].as_u64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(
        (a["completed"].as_u64(), a["completedOnTime"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(a["onTimeRate"], 1.0);
    assert_eq!(
        a["overdueNow"], 2,
        "November's unclaimed one and October's: {a}"
    );
    assert_eq!(a["serviceMinutes"], 90 - 15 + 45, "training left out: {a}");
    assert_eq!(
        (a["ratings"].as_u64(), a["averageRating"].as_f64()),
        (Some(1), Some(5.0))
    );
    assert_eq!(
        line(&r, "branch", &t.branch_a.id.to_string())["name"],
        "虞北村党总支/虞北村第一党支部"
    );

    let team = line(&r, "team", &m.team);
    assert_eq!(team["name"], "维修服务队");
    let team = &team["figures"];
    assert_eq!(
        (
            team["requests"].as_u64(),
            team["byKind"]["homeVisit"].as_u64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(
        (team["completed"].as_u64(), team["completedOnTime"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(team["onTimeRate"], 0.0);
    assert_eq!(
        team["serviceMinutes"], 60,
        "minutes served through the team: {team}"
    );
    assert_eq!(team["averageRating"], 3.0);

    let wish = &line(&r, "wish_list", &t.committee.id.to_string())["figures"];
    assert_eq!(
        (
            wish["requests"].as_u64(),
            wish["byState"]["accepted"].as_u64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(wish["overdueNow"], 0);
    let waiting = &line(&r, "undispatched", &t.committee.id.to_string())["figures"];
    assert_eq!(
        (
            waiting["requests"].as_u64(),
            waiting["byKind"]["outreach"].as_u64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(waiting["byState"]["submitted"], 1);
    let b = &line(&r, "branch", &t.branch_b.id.to_string())["figures"];
    assert_eq!(
        (b["requests"].as_u64(), b["serviceMinutes"].as_i64()),
        (Some(0), Some(0))
    );
    assert_eq!(b["onTimeRate"], Value::Null);
    assert_eq!(b["averageRating"], Value::Null);

    let total = &r["totals"];
    assert_eq!(total["requests"], 5);
    assert_eq!(
        (
            total["completed"].as_u64(),
            total["completedOnTime"].as_u64()
        ),
        (Some(2), Some(1))
    );
    assert_eq!(total["onTimeRate"], 0.5);
    assert_eq!(total["overdueNow"], 2);
    assert_eq!(total["serviceMinutes"], 180);
    assert_eq!(
        (total["ratings"].as_u64(), total["averageRating"].as_f64()),
        (Some(2), Some(4.0))
    );
    // Nothing personal anywhere in it.
    let text = r.to_string();
    for personal in ["王阿婆", "13800005678", "新舍村", "帮忙买药"] {
        assert!(!text.contains(personal), "{personal} in {text}");
    }
    // The township's operator reads the same.
    let (s, same) = report(&m.app, &t.operator, REPORT).await;
    assert_eq!((s, &same), (200, &r));
    // Another month is all zeros but for what is overdue now.
    let (_, december) = report(&m.app, &t.admin, "/api/v1/reports/volunteer?month=2026-12").await;
    assert_eq!(december["totals"]["requests"], 0);
    assert_eq!(december["totals"]["serviceMinutes"], 0);
    assert_eq!(december["totals"]["overdueNow"], 2);
    let _ = (&m.on_time, &m.late, &m.overdue);
}

#[tokio::test]
async fn volunteer_report_shows_each_caller_only_the_lines_they_cover() {
    let m = month().await;
    let t = &m.t;
    // A secretary and a committee member of branch A: their branch alone.
    for who in [&t.secretary_a, &t.committee_a] {
        let (s, r) = report(&m.app, who, REPORT).await;
        assert_eq!(s, 200, "{r}");
        assert_eq!(ids(&r), [t.branch_a.id.to_string()]);
        assert_eq!(
            r["totals"],
            line(&r, "branch", &t.branch_a.id.to_string())["figures"]
        );
        assert_eq!(r["totals"]["serviceMinutes"], 120);
    }
    // Another township's admin: their own township's lines, none of this one's.
    let (s, r) = report(&m.app, &t.other_admin, REPORT).await;
    assert_eq!(s, 200, "{r}");
    assert!(ids(&r).contains(&t.other_branch.id.to_string()), "{r}");
    for id in [
        t.branch_a.id.to_string(),
        t.branch_b.id.to_string(),
        m.team.clone(),
        t.committee.id.to_string(),
    ] {
        assert!(!ids(&r).contains(&id), "{id} in {r}");
    }
    assert_eq!(r["totals"]["requests"], 0);
    assert_eq!(r["totals"]["serviceMinutes"], 0);
    // A member without any role: no report anywhere.
    let (s, p) = report(&m.app, &t.member_a, REPORT).await;
    assert_eq!(
        (s, p["code"].as_str()),
        (403, Some("permission_denied")),
        "{p}"
    );
    // The month is checked.
    for bad in ["2026-13", "2026-1", "november"] {
        let (s, p) = report(
            &m.app,
            &t.admin,
            &format!("/api/v1/reports/volunteer?month={bad}"),
        )
        .await;
        assert_eq!(s, 422, "{bad}: {p}");
        assert_eq!(p["errors"][0]["code"], "month_invalid", "{bad}: {p}");
    }
    let (s, p) = report(&m.app, &t.admin, "/api/v1/reports/volunteer").await;
    assert_eq!(
        (s, p["code"].as_str()),
        (422, Some("request_query_invalid")),
        "{p}"
    );
}

#[tokio::test]
async fn volunteer_report_exports_the_same_figures_as_an_excel_file() {
    let m = month().await;
    let t = &m.t;
    let (_, json) = report(&m.app, &t.admin, REPORT).await;
    let token = m.app.token_for(t.admin.id);
    for (query, accept) in [
        ("?month=2026-11&format=xlsx", "*/*"),
        ("?month=2026-11", xlsx::XLSX),
    ] {
        let res = m
            .app
            .send(
                Method::GET,
                &format!("/api/v1/reports/volunteer{query}"),
                &[
                    ("authorization", &format!("Bearer {token}")),
                    ("accept", accept),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(res.headers()["content-type"], xlsx::XLSX);
        let (ascii, name) = xlsx::file_names(&res);
        assert_eq!(
            (ascii.as_str(), name.as_str()),
            ("volunteer-2026-11.xlsx", "志愿服务统计-2026-11.xlsx")
        );
        let bytes = res.bytes().await.unwrap();
        xlsx::assert_laid_out(&bytes);
        xlsx::assert_columns_fit(&bytes, 1);
        let rows = xlsx::rows(&bytes, "志愿服务统计");
        let col = |h: &str| xlsx::column(&rows, h);
        let lines = json["lines"].as_array().unwrap();
        assert_eq!(
            rows.len(),
            1 + lines.len() + 1,
            "header, a row per line, the totals"
        );
        let row_of = |name: &str| {
            rows.iter()
                .find(|r| r[col("支部/服务队")] == name)
                .unwrap_or_else(|| panic!("no row {name}: {rows:?}"))
        };
        let a = row_of("虞北村党总支/虞北村第一党支部");
        assert_eq!(a[col("类别")], "支部");
        assert_eq!(a[col("工单数")], 2.0);
        assert_eq!(a[col("热线求助")], 2.0);
        assert_eq!(a[col("按时办结率")], 1.0);
        assert_eq!(a[col("当前逾期")], 2.0);
        assert_eq!(a[col("志愿服务时长(小时)")], 2.0);
        assert_eq!(a[col("平均评价")], 5.0);
        let team = row_of("维修服务队");
        assert_eq!(team[col("类别")], "服务队");
        assert_eq!(team[col("志愿服务时长(小时)")], 1.0);
        assert_eq!(team[col("按时办结率")], 0.0);
        assert_eq!(row_of("点亮心愿")[col("点亮心愿")], 1.0);
        assert_eq!(row_of("待派单")[col("上街下乡推送")], 1.0);
        assert_eq!(row_of("镇机关党支部")[col("按时办结率")], "—");
        let total = rows.last().unwrap();
        assert_eq!(total[col("类别")], "合计");
        assert_eq!(total[col("工单数")], 5.0);
        assert_eq!(total[col("本月完成数")], 2.0);
        assert_eq!(total[col("按时办结率")], 0.5);
        assert_eq!(total[col("志愿服务时长(小时)")], 3.0);
        assert_eq!(total[col("平均评价")], 4.0);
        for r in &rows {
            for cell in r {
                let text = cell.to_string();
                assert!(
                    !text.contains("王阿婆") && !text.contains("13800005678"),
                    "{text}"
                );
            }
        }
    }
    // The secretary's file holds their branch and the totals.
    let res = m
        .app
        .send_as(
            &m.app.token_for(t.secretary_a.id),
            Method::GET,
            "/api/v1/reports/volunteer?month=2026-11&format=xlsx",
        )
        .await;
    let bytes = res.bytes().await.unwrap();
    assert_eq!(xlsx::rows(&bytes, "志愿服务统计").len(), 3);
}
