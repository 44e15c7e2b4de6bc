//! Study plans: a branch's yearly plan of quarters and monthly tasks, leading cadres'
//! personal plans, and a member's tasks of the month with their progress.

use chrono::Duration;
use reqwest::Method;
use serde_json::{json, Value};
use tests::fixtures::Township;
use tests::TestApp;

use domain::clock::Clock;
use domain::org::{Member, MemberRepo};

async fn publish(app: &TestApp, who: &Member, title: &str, org: &domain::org::Org) -> String {
    app.clock.advance(Duration::seconds(1));
    let (s, m) = app
        .call(
            who,
            Method::POST,
            "/api/v1/materials",
            Some(json!({
                "title": title,
                "summary": "摘要",
                "body": "<p>正文</p>",
                "category": "party_rules",
                "required": true,
                "audience": {"orgId": org.id},
            })),
        )
        .await;
    assert_eq!(s, 201, "{m}");
    m["id"].as_str().unwrap().to_owned()
}

/// The test clock's month (2026-11, the fourth quarter).
const MONTH: &str = "2026-11";

fn branch_plan(material: &str) -> Value {
    json!({
        "title": " 2026年度党员学习计划 ",
        "quarters": [
            {"quarter": 4, "arrangement": "第四季度：学党规", "tasks": [
                {"month": 11, "title": "学习《中国共产党纪律处分条例》", "materialIds": [material]},
                {"month": 12, "title": "年终回顾", "note": "结合组织生活会"},
            ]},
            {"quarter": 1, "arrangement": "第一季度：学党章", "tasks": []},
        ],
    })
}

#[tokio::test]
async fn a_secretary_keeps_the_branch_plan_and_its_members_read_it() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let m = publish(&app, &t.secretary_a, "纪律处分条例", &t.branch_a).await;
    let path = format!("/api/v1/orgs/{}/study-plans/2026", t.branch_a.id);
    let (s, p) = app
        .call(&t.secretary_a, Method::PUT, &path, Some(branch_plan(&m)))
        .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["revision"], 1);
    assert_eq!(p["title"], "2026年度党员学习计划");
    // Quarters come back in order.
    assert_eq!(p["quarters"][0]["quarter"], 1);
    assert_eq!(p["quarters"][1]["tasks"][0]["materialIds"][0], m.as_str());
    let (s, p) = app
        .call(&t.secretary_a, Method::PUT, &path, Some(branch_plan(&m)))
        .await;
    assert_eq!((s, p["revision"].as_i64()), (200, Some(2)), "{p}");
    // Members of the branch read it; the township admin too; another branch's member not.
    let (s, read) = app.call(&t.member_a, Method::GET, &path, None).await;
    assert_eq!((s, read["revision"].as_i64()), (200, Some(2)), "{read}");
    assert_eq!(app.call(&t.admin, Method::GET, &path, None).await.0, 200);
    assert_eq!(app.call(&t.member_b, Method::GET, &path, None).await.0, 404);
    let list = format!("/api/v1/orgs/{}/study-plans", t.branch_a.id);
    let (s, l) = app.call(&t.member_a, Method::GET, &list, None).await;
    assert_eq!(
        (s, l["items"].as_array().map(Vec::len)),
        (200, Some(1)),
        "{l}"
    );
    // Nobody else writes it.
    let (s, _) = app
        .call(&t.member_a, Method::PUT, &path, Some(branch_plan(&m)))
        .await;
    assert_eq!(s, 403);
    let (s, _) = app
        .call(
            &t.other_secretary,
            Method::PUT,
            &path,
            Some(branch_plan(&m)),
        )
        .await;
    assert!(matches!(s, 403 | 404), "{s}");
    // A plan of another year is not there; an absurd year names nothing.
    let other = format!("/api/v1/orgs/{}/study-plans/2027", t.branch_a.id);
    assert_eq!(
        app.call(&t.member_a, Method::GET, &other, None).await.0,
        404
    );
    let absurd = format!("/api/v1/orgs/{}/study-plans/1999", t.branch_a.id);
    assert_eq!(
        app.call(&t.secretary_a, Method::PUT, &absurd, Some(branch_plan(&m)))
            .await
            .0,
        404
    );
    // Plans are kept per branch, not per committee.
    let committee = format!("/api/v1/orgs/{}/study-plans/2026", t.committee.id);
    let (s, e) = app
        .call(&t.admin, Method::PUT, &committee, Some(branch_plan(&m)))
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("study_plan_needs_branch")),
        "{e}"
    );
}

#[tokio::test]
async fn a_plan_that_does_not_fit_is_refused_with_every_problem_named() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    // A material for branch B only: branch A's members could not open it.
    let elsewhere = publish(&app, &t.admin, "机关学习", &t.branch_b).await;
    let path = format!("/api/v1/orgs/{}/study-plans/2026", t.branch_a.id);
    let (s, e) = app
        .call(
            &t.secretary_a,
            Method::PUT,
            &path,
            Some(json!({
                "title": "",
                "quarters": [
                    {"quarter": 1, "arrangement": "学党章", "tasks": [
                        {"month": 4, "title": "四月的任务"},
                        {"month": 2, "title": "二月", "materialIds": [elsewhere]},
                    ]},
                    {"quarter": 5, "arrangement": "x"},
                ],
            })),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let mut pointers: Vec<&str> = e["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["pointer"].as_str().unwrap())
        .collect();
    pointers.sort_unstable();
    assert_eq!(
        pointers,
        ["/quarters/0/tasks/0/month", "/quarters/1/quarter", "/title"],
        "{e}"
    );
    // With the shape right, the unreachable material is named.
    let (s, e) = app
        .call(
            &t.secretary_a,
            Method::PUT,
            &path,
            Some(json!({
                "title": "计划",
                "quarters": [{"quarter": 1, "arrangement": "学党章", "tasks": [
                    {"month": 2, "title": "二月", "materialIds": [elsewhere, uuid::Uuid::now_v7()]},
                ]}],
            })),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let codes: Vec<(&str, &str)> = e["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["pointer"].as_str().unwrap(), x["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        codes,
        [
            (
                "/quarters/0/tasks/0/materialIds/0",
                "study_plan_material_invalid"
            ),
            (
                "/quarters/0/tasks/0/materialIds/1",
                "study_plan_material_invalid"
            ),
        ]
    );
    // Nothing was stored.
    assert_eq!(
        app.call(&t.secretary_a, Method::GET, &path, None).await.0,
        404
    );
}

#[tokio::test]
async fn members_see_the_months_tasks_with_their_progress() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let m = publish(&app, &t.secretary_a, "纪律处分条例", &t.branch_a).await;
    let own = publish(&app, &t.secretary_a, "领导干部读本", &t.branch_a).await;
    let path = format!("/api/v1/orgs/{}/study-plans/2026", t.branch_a.id);
    let (s, p) = app
        .call(&t.secretary_a, Method::PUT, &path, Some(branch_plan(&m)))
        .await;
    assert_eq!(s, 200, "{p}");
    let tasks = format!("/api/v1/me/tasks?month={MONTH}");
    let (s, l) = app.call(&t.member_a, Method::GET, &tasks, None).await;
    assert_eq!(s, 200, "{l}");
    assert_eq!(l["month"], MONTH);
    let items = l["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{l}");
    assert_eq!(
        (
            items[0]["source"].as_str(),
            items[0]["quarter"].as_u64(),
            items[0]["completed"].as_bool()
        ),
        (Some("branch"), Some(4), Some(false))
    );
    let material = &items[0]["materials"][0];
    assert_eq!(
        (material["available"].as_bool(), material["title"].as_str()),
        (Some(true), Some("纪律处分条例"))
    );
    assert!(material["myProgress"].is_null());
    // Study it: the task is done.
    let (s, _) = app
        .call(
            &t.member_a,
            Method::GET,
            &format!("/api/v1/materials/{m}"),
            None,
        )
        .await;
    assert_eq!(s, 200);
    app.clock.advance(Duration::minutes(10));
    let (s, r) = app
        .call(
            &t.member_a,
            Method::PUT,
            &format!("/api/v1/materials/{m}/progress"),
            Some(json!({"position": 10, "secondsSpent": 300, "completed": true})),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let (_, l) = app.call(&t.member_a, Method::GET, &tasks, None).await;
    assert_eq!(l["items"][0]["completed"], true, "{l}");
    assert_eq!(
        l["items"][0]["materials"][0]["myProgress"]["completed"],
        true
    );
    // Another member of the branch has their own progress.
    let (_, l) = app.call(&t.member_a2, Method::GET, &tasks, None).await;
    assert_eq!(l["items"][0]["completed"], false, "{l}");
    // A month without tasks, and a bad month.
    let (s, l) = app
        .call(
            &t.member_a,
            Method::GET,
            "/api/v1/me/tasks?month=2026-10",
            None,
        )
        .await;
    assert_eq!(
        (s, l["items"].as_array().map(Vec::len)),
        (200, Some(0)),
        "{l}"
    );
    let (s, e) = app
        .call(
            &t.member_a,
            Method::GET,
            "/api/v1/me/tasks?month=2026-13",
            None,
        )
        .await;
    assert_eq!(
        (s, e["errors"][0]["code"].as_str()),
        (422, Some("month_invalid")),
        "{e}"
    );

    // Personal plans are for leading cadres.
    let personal = json!({"title": "个人学习计划", "items": [
        {"month": 11, "title": "自学读本", "materialIds": [own]},
    ]});
    let (s, e) = app
        .call(
            &t.member_a,
            Method::PUT,
            "/api/v1/me/study-plans/2026",
            Some(personal.clone()),
        )
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("study_plan_cadres_only")),
        "{e}"
    );
    let mut cadre = t.member_a2.clone();
    cadre.leading_cadre = true;
    app.db.repos().update(&cadre).await.unwrap();
    let (s, p) = app
        .call(
            &cadre,
            Method::PUT,
            "/api/v1/me/study-plans/2026",
            Some(personal),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["memberId"], json!(cadre.id));
    let (s, p) = app
        .call(&cadre, Method::GET, "/api/v1/me/study-plans/2026", None)
        .await;
    assert_eq!(
        (s, p["items"][0]["title"].as_str()),
        (200, Some("自学读本")),
        "{p}"
    );
    let (_, l) = app.call(&cadre, Method::GET, &tasks, None).await;
    let sources: Vec<&str> = l["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["branch", "personal"], "{l}");
    // A withdrawn material stays listed by id only.
    let (s, _) = app
        .call(
            &t.secretary_a,
            Method::POST,
            &format!("/api/v1/materials/{m}/unpublish"),
            None,
        )
        .await;
    assert_eq!(s, 200);
    let (_, l) = app.call(&t.member_a, Method::GET, &tasks, None).await;
    let material = &l["items"][0]["materials"][0];
    assert_eq!(
        (
            material["available"].as_bool(),
            material["title"].is_null(),
            material["id"].as_str()
        ),
        (Some(false), true, Some(m.as_str())),
        "{l}"
    );
    // What the member studied stays theirs: the task stays done.
    assert_eq!(l["items"][0]["completed"], true, "{l}");
    assert_eq!(material["myProgress"]["completed"], true, "{l}");
}
