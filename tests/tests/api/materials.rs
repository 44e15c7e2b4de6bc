//! Study materials through the API: who may publish, audiences, scheduled publishing,
//! sanitising, first reads, and the cached feed staying current across instances.

use chrono::Duration;
use reqwest::Method;
use serde_json::{json, Value};
use tests::fixtures::Township;
use tests::TestApp;

use domain::clock::Clock;
use domain::context::WriteContext;
use domain::material::service::{self as material_service, MaterialChanges, NewMaterial};
use domain::material::MaterialCategory;
use domain::org::service::{self as org_service, MemberChanges};
use domain::org::{Actor, ActorRole, Member, MemberRepo, RoleRepo};

fn material(title: &str, org: &domain::org::Org) -> Value {
    json!({
        "title": title,
        "summary": "摘要",
        "body": "<p>正文</p>",
        "category": "party_constitution",
        "required": true,
        "audience": {"orgId": org.id},
    })
}

/// Publishes as `who`, a second after the previous publish (the feed is newest first).
async fn publish(app: &TestApp, who: &Member, body: Value) -> (u16, Value) {
    app.clock.advance(Duration::seconds(1));
    app.call(who, Method::POST, "/api/v1/materials", Some(body))
        .await
}

async fn feed_titles(app: &TestApp, who: &Member, query: &str) -> Vec<String> {
    let (s, body) = app
        .call(who, Method::GET, &format!("/api/v1/materials{query}"), None)
        .await;
    assert_eq!(s, 200, "{body}");
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn secretaries_publish_to_their_branch_and_admins_to_their_subtree_only() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let (s, _) = publish(&app, &t.member_a, material("x", &t.branch_a)).await;
    assert_eq!(s, 403, "a plain member publishes nothing");
    let (s, _) = publish(&app, &t.secretary_a, material("x", &t.committee)).await;
    assert_eq!(s, 404, "beyond the secretary's branch");
    let (s, _) = publish(&app, &t.other_admin, material("x", &t.branch_a)).await;
    assert_eq!(s, 404, "another township");
    let (s, e) = publish(&app, &t.admin, material("x", &t.group_a)).await;
    assert_eq!(
        (s, e["errors"][0]["code"].as_str()),
        (422, Some("material_audience_invalid"))
    );
    let (s, m) = publish(&app, &t.secretary_a, material("支部学习", &t.branch_a)).await;
    assert_eq!(s, 201, "{m}");
    assert_eq!(
        (m["revision"].as_i64(), m["status"].as_str()),
        (Some(1), Some("published"))
    );
    let (s, e) = publish(
        &app,
        &t.admin,
        json!({"title": "", "body": "", "category": "gossip", "audience": {"orgId": t.committee.id}}),
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("request_json_invalid")),
        "{e}"
    );
    let mut bad = material("坏附件", &t.committee);
    bad["attachments"] = json!([{"kind": "video", "title": "v", "url": "javascript:alert(1)"}]);
    bad["studyDeadline"] = json!("2000-01-01T00:00:00+08:00");
    let (s, e) = publish(&app, &t.admin, bad).await;
    let codes: Vec<&str> = e["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["code"].as_str().unwrap())
        .collect();
    assert_eq!(s, 422);
    assert!(
        codes.contains(&"material_attachment_url_invalid")
            && codes.contains(&"material_deadline_before_publish"),
        "{codes:?}"
    );
    for url in ["http://[", "https://a.cn@b.cn/v.mp4", "https://v.cn:/v.mp4"] {
        let mut bad = material("坏链接", &t.committee);
        bad["attachments"] = json!([{"kind": "video", "title": "v", "url": url}]);
        let (s, e) = publish(&app, &t.admin, bad).await;
        assert_eq!(s, 422, "{url}: {e}");
    }
}

#[tokio::test]
async fn audiences_decide_who_sees_what_in_the_feed_and_by_id() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let mut cadre = t.member_a2.clone();
    cadre.leading_cadre = true;
    MemberRepo::update(&app.db.repos(), &cadre).await.unwrap();
    publish(&app, &t.admin, material("全镇", &t.committee)).await;
    let (_, branch) = publish(&app, &t.secretary_a, material("一支部", &t.branch_a)).await;
    let mut retired = material("离退休", &t.committee);
    retired["audience"]["categories"] = json!(["retired"]);
    publish(&app, &t.admin, retired).await;
    let mut rural = material("农村党员", &t.committee);
    rural["audience"]["categories"] = json!(["rural", "mobile"]);
    publish(&app, &t.admin, rural).await;
    let mut cadres = material("领导干部", &t.committee);
    cadres["audience"]["leadingCadresOnly"] = json!(true);
    publish(&app, &t.admin, cadres).await;

    assert_eq!(
        feed_titles(&app, &t.member_a, "").await,
        ["农村党员", "一支部", "全镇"].map(String::from)
    );
    assert_eq!(
        feed_titles(&app, &t.member_a2, "").await,
        ["领导干部", "农村党员", "一支部", "全镇"].map(String::from)
    );
    assert_eq!(
        feed_titles(&app, &t.member_b, "").await,
        ["农村党员", "全镇"].map(String::from)
    );
    assert!(feed_titles(&app, &t.other_secretary, "").await.is_empty());
    // By id: outside the audience is 404, like a missing id.
    let path = format!("/api/v1/materials/{}", branch["id"].as_str().unwrap());
    assert_eq!(app.call(&t.member_b, Method::GET, &path, None).await.0, 404);
    assert_eq!(
        app.call(&t.other_admin, Method::GET, &path, None).await.0,
        404
    );
    let (s, seen) = app.call(&t.member_a, Method::GET, &path, None).await;
    assert_eq!(s, 200);
    assert_eq!(seen["body"], "<p>正文</p>");
    // The admin covering it sees a preview, without a study record.
    let (s, preview) = app.call(&t.admin, Method::GET, &path, None).await;
    assert_eq!((s, &preview["myProgress"]), (200, &Value::Null));
    // Filters.
    assert_eq!(
        feed_titles(&app, &t.member_b, "?category=party_rules").await,
        Vec::<String>::new()
    );
    assert_eq!(
        feed_titles(&app, &t.member_b, "?required=true&limit=1").await,
        ["农村党员"].map(String::from)
    );
    let (s, e) = app
        .call(
            &t.member_b,
            Method::GET,
            "/api/v1/materials?lessonMonth=2026-13",
            None,
        )
        .await;
    assert_eq!(s, 422, "{e}");
}

#[tokio::test]
async fn the_first_read_is_recorded_and_unread_filters_it_out() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let (_, m) = publish(&app, &t.admin, material("党章", &t.committee)).await;
    publish(&app, &t.admin, material("党规", &t.committee)).await;
    assert_eq!(
        feed_titles(&app, &t.member_a, "?unread=true").await.len(),
        2
    );
    let path = format!("/api/v1/materials/{}", m["id"].as_str().unwrap());
    let (_, first) = app.call(&t.member_a, Method::GET, &path, None).await;
    let opened = first["myProgress"]["openedAt"].clone();
    assert!(opened.is_string(), "{first}");
    app.clock.advance(Duration::minutes(5));
    let (_, again) = app.call(&t.member_a, Method::GET, &path, None).await;
    assert_eq!(
        again["myProgress"]["openedAt"], opened,
        "the first open is kept"
    );
    assert_eq!(
        feed_titles(&app, &t.member_a, "?unread=true").await,
        ["党规"].map(String::from)
    );
    let (_, feed) = app
        .call(&t.member_a, Method::GET, "/api/v1/materials", None)
        .await;
    assert_eq!(feed["items"][1]["myProgress"]["openedAt"], opened);
    assert_eq!(
        feed_titles(&app, &t.member_b, "?unread=true").await.len(),
        2,
        "per member"
    );
}

#[tokio::test]
async fn a_scheduled_material_appears_at_its_time_and_not_a_second_before() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let at = app.clock.now() + Duration::hours(1);
    let mut later = material("定时发布", &t.committee);
    later["publishAt"] = json!(at.to_rfc3339());
    let (s, m) = publish(&app, &t.admin, later).await;
    assert_eq!(s, 201, "{m}");
    let path = format!("/api/v1/materials/{}", m["id"].as_str().unwrap());
    assert!(feed_titles(&app, &t.member_a, "").await.is_empty());
    assert_eq!(app.call(&t.member_a, Method::GET, &path, None).await.0, 404);
    app.clock.set(at - Duration::seconds(1));
    assert!(
        feed_titles(&app, &t.member_a, "").await.is_empty(),
        "cached or not, not yet"
    );
    app.clock.set(at + Duration::seconds(1));
    assert_eq!(
        feed_titles(&app, &t.member_a, "").await,
        ["定时发布"].map(String::from)
    );
    assert_eq!(app.call(&t.member_a, Method::GET, &path, None).await.0, 200);
}

#[tokio::test]
async fn rich_text_is_sanitised_on_the_way_in() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let mut m = material("清洗", &t.committee);
    m["body"] = json!(
        "<p onclick=\"steal()\">学习<script>alert(1)</script></p>\
         <a href=\"javascript:alert(2)\">链接</a>\
         <img src=\"data:image/svg+xml;base64,PHN2Zz4=\">\
         <svg onload=\"alert(3)\"><circle r=\"1\"/></svg>\
         <a href=\"https://example.cn/\">好链接</a>"
    );
    let (s, created) = publish(&app, &t.admin, m).await;
    assert_eq!(s, 201, "{created}");
    let body = created["body"].as_str().unwrap();
    for bad in [
        "script",
        "onclick",
        "javascript:",
        "data:",
        "svg",
        "onload",
        "alert",
    ] {
        assert!(!body.contains(bad), "{bad} survived: {body}");
    }
    assert!(
        body.contains("学习") && body.contains("href=\"https://example.cn/\""),
        "{body}"
    );
    // Edits are cleaned too.
    let path = format!("/api/v1/materials/{}", created["id"].as_str().unwrap());
    let (s, edited) = app
        .call(
            &t.admin,
            Method::PATCH,
            &path,
            Some(json!({"body": "<b onmouseover=x()>粗</b>"})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(edited["body"], "<b>粗</b>");
    assert_eq!(edited["revision"], 2);
}

#[tokio::test]
async fn publishing_editing_and_unpublishing_show_at_once_on_every_instance() {
    let (a, b) = TestApp::spawn_pair().await;
    let t = Township::create(&a.db, a.clock.now()).await;
    // The member's feed is read (and cached) on instance a.
    assert!(feed_titles(&a, &t.member_a, "").await.is_empty());
    assert!(feed_titles(&a, &t.member_a, "").await.is_empty());
    let (_, m) = publish(&b, &t.admin, material("第一版", &t.committee)).await;
    assert_eq!(
        feed_titles(&a, &t.member_a, "").await,
        ["第一版"].map(String::from)
    );
    let path = format!("/api/v1/materials/{}", m["id"].as_str().unwrap());
    let (s, _) = b
        .call(
            &t.admin,
            Method::PATCH,
            &path,
            Some(json!({"title": "第二版"})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        feed_titles(&a, &t.member_a, "").await,
        ["第二版"].map(String::from)
    );
    let (s, gone) = b
        .call(&t.admin, Method::POST, &format!("{path}/unpublish"), None)
        .await;
    assert_eq!((s, gone["status"].as_str()), (200, Some("unpublished")));
    assert!(feed_titles(&a, &t.member_a, "").await.is_empty());
    assert_eq!(a.call(&t.member_a, Method::GET, &path, None).await.0, 404);
    let (s, e) = b
        .call(
            &t.admin,
            Method::PATCH,
            &path,
            Some(json!({"title": "第三版"})),
        )
        .await;
    assert_eq!((s, e["code"].as_str()), (409, Some("material_unpublished")));
    // Out of scope: another township's admin cannot edit or unpublish it.
    assert_eq!(
        b.call(
            &t.other_admin,
            Method::POST,
            &format!("{path}/unpublish"),
            None
        )
        .await
        .0,
        404
    );
    assert_eq!(
        b.call(
            &t.member_a,
            Method::POST,
            &format!("{path}/unpublish"),
            None
        )
        .await
        .0,
        403
    );
}

#[tokio::test]
async fn the_feed_is_served_from_the_cache_until_something_changes() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    publish(&app, &t.admin, material("已发布", &t.committee)).await;
    assert_eq!(
        feed_titles(&app, &t.member_a, "").await,
        ["已发布"].map(String::from)
    );
    // A row written behind the API's back (no generation bump) is not seen: the page
    // came from the cache, not the database.
    let (_, m) = publish(&app, &t.admin, material("模板", &t.committee)).await;
    let mut sneaky = domain::material::MaterialRepo::get(
        &app.db.repos(),
        domain::material::MaterialId::from_uuid(m["id"].as_str().unwrap().parse().unwrap()),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        feed_titles(&app, &t.member_a, "").await,
        ["模板", "已发布"].map(String::from)
    );
    sneaky.id = domain::material::MaterialId::at(app.clock.now() + Duration::seconds(1));
    sneaky.title = "后门".into();
    domain::material::MaterialRepo::insert(&app.db.repos(), &sneaky)
        .await
        .unwrap();
    assert_eq!(
        feed_titles(&app, &t.member_a, "").await,
        ["模板", "已发布"].map(String::from)
    );
    // Any publish makes every feed current again.
    publish(&app, &t.admin, material("新的", &t.committee)).await;
    assert_eq!(
        feed_titles(&app, &t.member_a, "").await,
        ["新的", "后门", "模板", "已发布"].map(String::from)
    );
}

#[tokio::test]
async fn a_members_feed_follows_their_membership_at_once() {
    let (a, b) = TestApp::spawn_pair().await;
    let t = Township::create(&a.db, a.clock.now()).await;
    publish(&a, &t.secretary_a, material("一支部", &t.branch_a)).await;
    let mut b_lesson = material("二支部", &t.branch_b);
    b_lesson["required"] = json!(false);
    publish(&a, &t.admin, b_lesson).await;
    let mut retired = material("离退休", &t.committee);
    retired["audience"]["categories"] = json!(["retired"]);
    publish(&a, &t.admin, retired).await;
    let mut cadres = material("领导干部", &t.committee);
    cadres["audience"]["leadingCadresOnly"] = json!(true);
    publish(&a, &t.admin, cadres).await;
    assert_eq!(
        feed_titles(&b, &t.member_a, "").await,
        ["一支部"].map(String::from)
    );

    let path = format!("/api/v1/members/{}", t.member_a.id);
    let (s, body) = a
        .call(
            &t.admin,
            Method::PATCH,
            &path,
            Some(json!({"orgId": t.branch_b.id})),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(
        feed_titles(&b, &t.member_a, "").await,
        ["二支部"].map(String::from),
        "transferred: the new branch's material, not the old one's"
    );

    let (s, body) = a
        .call(
            &t.admin,
            Method::PATCH,
            &path,
            Some(json!({"category": "retired", "leadingCadre": true})),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(
        feed_titles(&b, &t.member_a, "").await,
        ["领导干部", "离退休", "二支部"].map(String::from)
    );
}

async fn progress(app: &TestApp, who: &Member, id: &str, body: Value) -> (u16, Value) {
    app.call(
        who,
        Method::PUT,
        &format!("/api/v1/materials/{id}/progress"),
        Some(body),
    )
    .await
}

#[tokio::test]
async fn progress_is_monotonic_and_never_more_than_the_time_since_opening() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let (_, m) = publish(&app, &t.admin, material("党章", &t.committee)).await;
    let id = m["id"].as_str().unwrap().to_owned();
    app.call(
        &t.member_a,
        Method::GET,
        &format!("/api/v1/materials/{id}"),
        None,
    )
    .await;
    app.clock.advance(Duration::seconds(60));
    let (s, p) = progress(
        &app,
        &t.member_a,
        &id,
        json!({"position": 40, "secondsSpent": 500}),
    )
    .await;
    assert_eq!(
        (s, p["secondsSpent"].as_i64()),
        (200, Some(60)),
        "capped at the wall time: {p}"
    );
    let (_, p) = progress(
        &app,
        &t.member_a,
        &id,
        json!({"position": 10, "secondsSpent": 30}),
    )
    .await;
    assert_eq!(
        (p["secondsSpent"].as_i64(), p["position"].as_i64()),
        (Some(60), Some(10)),
        "time never decreases"
    );
    app.clock.advance(Duration::seconds(100));
    let done = json!({"position": 90, "secondsSpent": 150, "completed": true});
    let (_, p) = progress(&app, &t.member_a, &id, done.clone()).await;
    assert_eq!(
        (
            p["secondsSpent"].as_i64(),
            p["completed"].as_bool(),
            p["points"].as_i64()
        ),
        (Some(150), Some(true), Some(2))
    );
    let (_, again) = progress(&app, &t.member_a, &id, done).await;
    assert_eq!(again, p, "the same report twice changes nothing");
    let (_, p) = progress(
        &app,
        &t.member_a,
        &id,
        json!({"position": 0, "secondsSpent": 0, "completed": false}),
    )
    .await;
    assert_eq!(
        (
            p["completed"].as_bool(),
            p["points"].as_i64(),
            p["secondsSpent"].as_i64()
        ),
        (Some(true), Some(2), Some(150)),
        "completion never reverts"
    );
    // The feed shows it.
    let (_, feed) = app
        .call(&t.member_a, Method::GET, "/api/v1/materials", None)
        .await;
    assert_eq!(feed["items"][0]["myProgress"]["completed"], true);
    // Outside the audience, and bad numbers.
    let (_, branch_only) = publish(&app, &t.secretary_a, material("一支部", &t.branch_a)).await;
    let other = branch_only["id"].as_str().unwrap();
    assert_eq!(
        progress(
            &app,
            &t.member_b,
            other,
            json!({"position": 0, "secondsSpent": 1})
        )
        .await
        .0,
        404
    );
    let (s, e) = progress(
        &app,
        &t.member_a,
        &id,
        json!({"position": -1, "secondsSpent": 99999999}),
    )
    .await;
    assert_eq!(s, 422, "{e}");
    // Never opened: the clock starts now, so nothing is credited yet.
    let (_, p) = progress(
        &app,
        &t.member_a,
        other,
        json!({"position": 5, "secondsSpent": 600}),
    )
    .await;
    assert_eq!(p["secondsSpent"], 0);
}

#[tokio::test]
async fn study_points_stop_at_the_daily_cap_and_start_again_the_next_day() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let mut ids = Vec::new();
    for i in 0..7 {
        let (_, m) = publish(&app, &t.admin, material(&format!("必学{i}"), &t.committee)).await;
        ids.push(m["id"].as_str().unwrap().to_owned());
    }
    let mut points = Vec::new();
    for id in &ids[..6] {
        let (_, p) = progress(
            &app,
            &t.member_a,
            id,
            json!({"position": 1, "secondsSpent": 1, "completed": true}),
        )
        .await;
        points.push(p["points"].as_i64().unwrap());
    }
    assert_eq!(
        points,
        vec![2, 2, 2, 2, 2, 0],
        "2 per required material, 10 a day"
    );
    app.clock.advance(Duration::days(1));
    let (_, p) = progress(
        &app,
        &t.member_a,
        &ids[6],
        json!({"position": 1, "secondsSpent": 1, "completed": true}),
    )
    .await;
    assert_eq!(p["points"], 2, "a new day");
}

#[tokio::test]
async fn the_study_report_shows_completion_who_has_not_studied_and_the_monthly_lesson() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let mut lesson = material("十一月党课", &t.committee);
    lesson["lessonMonth"] = json!("2026-11");
    lesson["required"] = json!(false);
    let (_, lesson) = publish(&app, &t.admin, lesson).await;
    let (_, required) = publish(&app, &t.secretary_a, material("一支部必学", &t.branch_a)).await;
    let lesson_id = lesson["id"].as_str().unwrap().to_owned();
    // Everyone in branch A completes the lesson; member_a also the required material.
    let branch_a = MemberRepo::active_in_branch(&app.db.repos(), &t.branch_a.path)
        .await
        .unwrap();
    for m in &branch_a {
        let (s, _) = progress(
            &app,
            m,
            &lesson_id,
            json!({"position": 1, "secondsSpent": 0, "completed": true}),
        )
        .await;
        assert_eq!(s, 200);
    }
    progress(
        &app,
        &t.member_a,
        required["id"].as_str().unwrap(),
        json!({"position": 1, "secondsSpent": 0, "completed": true}),
    )
    .await;

    assert_eq!(
        app.call(
            &t.member_a,
            Method::GET,
            "/api/v1/reports/study?month=2026-11",
            None
        )
        .await
        .0,
        403
    );
    let (s, e) = app
        .call(&t.admin, Method::GET, "/api/v1/reports/study", None)
        .await;
    assert_eq!(
        (s, e["errors"][0]["code"].as_str()),
        (422, Some("study_report_selection_invalid")),
        "{e}"
    );
    let (s, report) = app
        .call(
            &t.admin,
            Method::GET,
            "/api/v1/reports/study?month=2026-11",
            None,
        )
        .await;
    assert_eq!(s, 200, "{report}");
    // Generated clients that write the `selection` object as `selection[month]` get the
    // same report.
    let (s, bracketed) = app
        .call(
            &t.admin,
            Method::GET,
            "/api/v1/reports/study?selection%5Bmonth%5D=2026-11",
            None,
        )
        .await;
    assert_eq!((s, &bracketed), (200, &report));
    let branch = |name: &str| {
        report["branches"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["branchName"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} missing: {report}"))
    };
    let a = branch(&t.branch_a.name);
    assert_eq!(a["lesson"], json!({"received": true, "organised": true}));
    let rows = a["materials"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{a}");
    assert_eq!(
        (rows[0]["completed"].as_u64(), rows[0]["expected"].as_u64()),
        (Some(branch_a.len() as u64), Some(branch_a.len() as u64))
    );
    assert_eq!(rows[1]["completed"], 1);
    let missing: Vec<&str> = rows[1]["notStudied"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert!(
        missing.contains(&t.member_a2.name.as_str())
            && !missing.contains(&t.member_a.name.as_str()),
        "{missing:?}"
    );
    assert_eq!(
        rows[1]["notStudied"][0]["phone"].as_str().unwrap().len(),
        11,
        "masked, 138****5678"
    );
    assert!(rows[1]["notStudied"][0]["phone"]
        .as_str()
        .unwrap()
        .contains("****"));
    let b = branch(&t.branch_b.name);
    assert_eq!(
        b["lesson"],
        json!({"received": true, "organised": false}),
        "the township sees who has not organised it"
    );
    assert!(
        report.to_string().find(&t.other_branch.name).is_none(),
        "another township"
    );
    // A secretary sees their branch only; one material by id; another township gets 404.
    let (_, mine) = app
        .call(
            &t.secretary_a,
            Method::GET,
            "/api/v1/reports/study?month=2026-11",
            None,
        )
        .await;
    assert_eq!(mine["branches"].as_array().unwrap().len(), 1);
    let by_id = format!(
        "/api/v1/reports/study?materialId={}",
        required["id"].as_str().unwrap()
    );
    let (s, one) = app.call(&t.admin, Method::GET, &by_id, None).await;
    assert_eq!(
        (s, one["branches"][0]["lesson"].clone()),
        (200, Value::Null)
    );
    assert_eq!(
        app.call(&t.other_admin, Method::GET, &by_id, None).await.0,
        404
    );
    // The same as an Excel file.
    let res = app
        .send_as(
            &app.token_for(t.admin.id),
            Method::GET,
            "/api/v1/reports/study?month=2026-11&format=xlsx",
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("spreadsheetml"));
    let bytes = res.bytes().await.unwrap();
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    assert_eq!(
        book.sheet_names(),
        vec!["学习情况".to_owned(), "未学习党员".to_owned()]
    );
    let sheet = book.worksheet_range("未学习党员").unwrap();
    let names: Vec<String> = sheet.rows().skip(1).map(|r| r[2].to_string()).collect();
    assert!(names.contains(&t.member_a2.name), "{names:?}");
}

#[tokio::test]
async fn each_consent_adds_one_message_and_a_retried_request_counts_once() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let consent = |key: Option<&'static str>| {
        let app = &app;
        let token = app.token_for(t.member_a.id);
        async move {
            let mut req = app
                .client
                .post(app.url("/api/v1/me/subscriptions"))
                .bearer_auth(token)
                .json(&json!({"templateId": "tmpl_material-push"}));
            if let Some(k) = key {
                req = req.header("Idempotency-Key", k);
            }
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap())
        }
    };
    assert_eq!(
        consent(None).await,
        (
            200,
            json!({"templateId": "tmpl_material-push", "balance": 1})
        )
    );
    assert_eq!(consent(Some("k-1")).await.1["balance"], 2);
    assert_eq!(
        consent(Some("k-1")).await.1["balance"],
        2,
        "a retry counts once"
    );
    assert_eq!(consent(Some("k-2")).await.1["balance"], 3);
    let (s, list) = app
        .call(&t.member_a, Method::GET, "/api/v1/me/subscriptions", None)
        .await;
    assert_eq!(
        (s, list),
        (
            200,
            json!({"items": [{"templateId": "tmpl_material-push", "balance": 3}]})
        )
    );
    let (_, other) = app
        .call(&t.member_b, Method::GET, "/api/v1/me/subscriptions", None)
        .await;
    assert_eq!(other, json!({"items": []}), "per member");
    let (s, e) = app
        .call(
            &t.member_a,
            Method::POST,
            "/api/v1/me/subscriptions",
            Some(json!({"templateId": "bad id!"})),
        )
        .await;
    assert_eq!(
        (s, e["errors"][0]["code"].as_str()),
        (422, Some("subscription_template_invalid"))
    );
}

#[tokio::test]
async fn the_study_report_excel_file_is_named_after_the_material_and_month_with_dates_and_branch_paths(
) {
    use crate::xlsx;
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let mut lesson = material("十一月党课", &t.committee);
    lesson["lessonMonth"] = json!("2026-11");
    lesson["studyDeadline"] = json!("2026-11-30T18:00:00+08:00");
    let (s, lesson) = publish(&app, &t.admin, lesson).await;
    assert_eq!(s, 201, "{lesson}");
    let published = app
        .clock
        .now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .naive_local();
    let (_, odd) = publish(
        &app,
        &t.admin,
        material("\"二十大\"精神/第一讲", &t.committee),
    )
    .await;
    let token = app.token_for(t.admin.id);
    let get = |query: String| {
        let app = &app;
        let token = token.clone();
        async move {
            let res = app
                .send_as(
                    &token,
                    Method::GET,
                    &format!("/api/v1/reports/study?{query}&format=xlsx"),
                )
                .await;
            assert_eq!(res.status().as_u16(), 200);
            res
        }
    };

    let res = get(format!("materialId={}", lesson["id"].as_str().unwrap())).await;
    let (ascii, name) = xlsx::file_names(&res);
    assert_eq!(name, "学习情况-十一月党课-2026-11.xlsx");
    assert_eq!(ascii, "study-material-2026-11.xlsx");
    let bytes = res.bytes().await.unwrap();
    xlsx::assert_laid_out(&bytes);
    xlsx::assert_columns_fit(&bytes, 1);
    xlsx::assert_columns_fit(&bytes, 2);
    let rows = xlsx::rows(&bytes, "学习情况");
    let col = |h: &str| xlsx::column(&rows, h);
    let mut branches: Vec<String> = rows.iter().skip(1).map(|r| r[0].to_string()).collect();
    branches.sort();
    assert_eq!(branches, ["虞北村党总支/虞北村第一党支部", "镇机关党支部"]);
    for r in rows.iter().skip(1) {
        assert_eq!(
            xlsx::date_time(&r[col("月送党课")]).date(),
            chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
        );
        assert_eq!(xlsx::date_time(&r[col("发布时间")]), published);
        assert_eq!(
            xlsx::date_time(&r[col("学习截止")]),
            chrono::NaiveDate::from_ymd_opt(2026, 11, 30)
                .unwrap()
                .and_hms_opt(18, 0, 0)
                .unwrap()
        );
    }
    let missing = xlsx::rows(&bytes, "未学习党员");
    assert!(missing
        .iter()
        .skip(1)
        .any(|r| r[0] == "虞北村党总支/虞北村第一党支部"));

    // A title that is no file name still gives one.
    let res = get(format!("materialId={}", odd["id"].as_str().unwrap())).await;
    let (_, name) = xlsx::file_names(&res);
    assert!(
        name.starts_with("学习情况-")
            && name.ends_with("-2026-11.xlsx")
            && name.contains("二十大")
            && name.contains("第一讲")
            && !name.contains(['/', '"']),
        "{name}"
    );
    // The month's report is named after the month.
    let res = get("month=2026-11".to_owned()).await;
    assert_eq!(
        xlsx::file_names(&res),
        (
            "study-2026-11.xlsx".to_owned(),
            "学习情况-2026-11.xlsx".to_owned()
        )
    );
}

/// The caller as the API's extractor builds it, for calling services directly.
async fn actor_of(app: &TestApp, who: &Member) -> Actor {
    let roles = RoleRepo::of_member(&app.db.repos(), who.id).await.unwrap();
    Actor {
        member_id: who.id,
        branch_path: who.branch_path.clone(),
        roles: roles
            .into_iter()
            .map(|g| ActorRole {
                kind: g.kind,
                org_path: g.org_path,
                can_review: g.can_review,
            })
            .collect(),
    }
}

/// A write context on `app`'s database and shared cache, with no handler involved.
fn context<'a>(app: &'a TestApp, actor: &'a Actor) -> WriteContext<'a> {
    WriteContext {
        tx: &app.db,
        repos: &app.state.repos,
        clock: &app.clock,
        actor,
        request_id: None,
        push: &app.state.push.templates,
        cache: app.state.cache.as_ref(),
    }
}

#[tokio::test]
async fn material_services_alone_make_every_cached_feed_current() {
    let (a, b) = TestApp::spawn_pair().await;
    let t = Township::create(&a.db, a.clock.now()).await;
    // Cached on instance a; with nothing scheduled the entry would never stop being current.
    assert!(feed_titles(&a, &t.member_a, "").await.is_empty());
    assert!(feed_titles(&a, &t.member_a, "").await.is_empty());
    let admin = actor_of(&b, &t.admin).await;

    b.clock.advance(Duration::seconds(1));
    let m = material_service::publish(
        &context(&b, &admin),
        NewMaterial {
            title: "服务发布".into(),
            summary: String::new(),
            body_html: "<p>正文</p>".into(),
            attachments: Vec::new(),
            category: MaterialCategory::PartyConstitution,
            required: false,
            lesson_month: None,
            audience_org: t.committee.id,
            audience_categories: Vec::new(),
            leading_cadres_only: false,
            publish_at: None,
            study_deadline: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        feed_titles(&a, &t.member_a, "").await,
        ["服务发布"].map(String::from)
    );

    let changes = MaterialChanges {
        title: Some("服务修改".into()),
        ..MaterialChanges::default()
    };
    material_service::edit(&context(&b, &admin), m.id, changes)
        .await
        .unwrap();
    assert_eq!(
        feed_titles(&a, &t.member_a, "").await,
        ["服务修改"].map(String::from)
    );

    material_service::unpublish(&context(&b, &admin), m.id)
        .await
        .unwrap();
    assert!(feed_titles(&a, &t.member_a, "").await.is_empty());
}

#[tokio::test]
async fn a_member_moved_by_the_service_alone_sees_the_new_branchs_feed() {
    let (a, b) = TestApp::spawn_pair().await;
    let t = Township::create(&a.db, a.clock.now()).await;
    publish(&a, &t.secretary_a, material("一支部", &t.branch_a)).await;
    publish(&a, &t.admin, material("二支部", &t.branch_b)).await;
    assert_eq!(
        feed_titles(&b, &t.member_a, "").await,
        ["一支部"].map(String::from)
    );

    let admin = actor_of(&a, &t.admin).await;
    let changes = MemberChanges {
        org_id: Some(t.branch_b.id),
        ..MemberChanges::default()
    };
    org_service::update_member(&context(&a, &admin), t.member_a.id, changes)
        .await
        .unwrap();
    assert_eq!(
        feed_titles(&b, &t.member_a, "").await,
        ["二支部"].map(String::from)
    );
}
