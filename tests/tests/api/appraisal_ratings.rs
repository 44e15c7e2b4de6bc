//! The organisation's rating: the 优秀 share, 不合格 with a negative situation, probationary
//! members without a grade; publication to the branch, objections during it and appeals to
//! the township after it.

use chrono::Duration;
use reqwest::Method;
use serde_json::{json, Value};
use tests::fixtures::Township;
use tests::TestApp;

use domain::clock::Clock;
use domain::org::Member;

use crate::appraisal_support::opened;

/// Begins stages early until `stage` is open.
async fn advance_to(app: &TestApp, who: &Member, id: &str, stage: &str) {
    for _ in 0..5 {
        let (s, c) = app
            .call(who, Method::GET, &format!("/api/v1/appraisals/{id}"), None)
            .await;
        assert_eq!(s, 200, "{c}");
        if c["stage"] == stage && c["standing"] == "open" {
            return;
        }
        let (s, c) = app
            .call(
                who,
                Method::POST,
                &format!("/api/v1/appraisals/{id}/advance"),
                None,
            )
            .await;
        assert_eq!(s, 200, "{c}");
    }
    panic!("{stage} never opened");
}

async fn rate(app: &TestApp, who: &Member, id: &str, member: &Member, body: Value) -> (u16, Value) {
    app.call(
        who,
        Method::PUT,
        &format!("/api/v1/appraisals/{id}/ratings/{}", member.id),
        Some(body),
    )
    .await
}

#[tokio::test]
async fn excellent_is_capped_at_a_third_of_the_branchs_graded_members() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let id = opened(&app, &t.secretary_a, &t.branch_a).await;
    // Before the rating stage nothing is rated.
    let (s, e) = rate(
        &app,
        &t.secretary_a,
        &id,
        &t.member_a,
        json!({"grade": "qualified", "rationale": "合格"}),
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("appraisal_stage_not_begun")),
        "{e}"
    );
    advance_to(&app, &t.secretary_a, &id, "rating").await;
    let (s, ratings) = app
        .call(
            &t.secretary_a,
            Method::GET,
            &format!("/api/v1/appraisals/{id}/ratings"),
            None,
        )
        .await;
    assert_eq!(s, 200, "{ratings}");
    let graded = ratings["items"].as_array().map_or(0, Vec::len);
    assert!(graded >= 3, "{ratings}");
    let most = graded / 3;
    let members: Vec<String> = ratings["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|i| i["participant"]["memberId"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    for (n, m) in members.iter().enumerate() {
        let (s, e) = app
            .call(
                &t.secretary_a,
                Method::PUT,
                &format!("/api/v1/appraisals/{id}/ratings/{m}"),
                Some(json!({"grade": "excellent", "rationale": "作用发挥明显"})),
            )
            .await;
        if n < most {
            assert_eq!(s, 200, "{n}: {e}");
        } else {
            assert_eq!(
                (s, e["code"].as_str()),
                (422, Some("rating_excellent_quota")),
                "{n}: {e}"
            );
        }
    }
    // Re-rating one already excellent is not a second one.
    let first = &members[0];
    let (s, e) = app
        .call(
            &t.secretary_a,
            Method::PUT,
            &format!("/api/v1/appraisals/{id}/ratings/{first}"),
            Some(json!({"grade": "excellent", "rationale": "维持"})),
        )
        .await;
    assert_eq!(s, 200, "{e}");
}

#[tokio::test]
async fn unqualified_needs_a_negative_situation_and_probationary_members_get_no_grade() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let (s, m) = app
        .call(
            &t.secretary_a,
            Method::PATCH,
            &format!("/api/v1/members/{}", t.member_a2.id),
            Some(json!({"probationary": true})),
        )
        .await;
    assert_eq!(s, 200, "{m}");
    let id = opened(&app, &t.secretary_a, &t.branch_a).await;
    advance_to(&app, &t.secretary_a, &id, "rating").await;
    let (s, e) = rate(
        &app,
        &t.secretary_a,
        &id,
        &t.member_a,
        json!({"grade": "unqualified", "rationale": "多次无故不参加组织生活"}),
    )
    .await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["errors"][0]["code"], "rating_needs_negative_item", "{e}");
    let (s, r) = rate(&app, &t.secretary_a, &id, &t.member_a, json!({"grade": "unqualified", "rationale": "多次无故不参加组织生活", "negativeItems": [4, 8]})).await;
    assert_eq!((s, r["negativeItems"].clone()), (200, json!([4, 8])), "{r}");
    let (s, e) = rate(
        &app,
        &t.secretary_a,
        &id,
        &t.member_a2,
        json!({"grade": "qualified", "rationale": "合格"}),
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("rating_not_graded")),
        "{e}"
    );
    // Members and other branches' secretaries rate nobody.
    assert_eq!(
        rate(
            &app,
            &t.member_a,
            &id,
            &t.member_a,
            json!({"grade": "qualified", "rationale": "x"})
        )
        .await
        .0,
        403
    );
    assert_eq!(
        rate(
            &app,
            &t.other_secretary,
            &id,
            &t.member_a,
            json!({"grade": "qualified", "rationale": "x"})
        )
        .await
        .0,
        404
    );
}

#[tokio::test]
async fn results_are_published_to_the_branch_and_an_objection_is_answered() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let id = opened(&app, &t.secretary_a, &t.branch_a).await;
    advance_to(&app, &t.secretary_a, &id, "rating").await;
    let (s, _) = rate(
        &app,
        &t.secretary_a,
        &id,
        &t.member_a,
        json!({"grade": "basically_qualified", "rationale": "学习不够"}),
    )
    .await;
    assert_eq!(s, 200);
    // Before publication the member sees no grade, and cannot object.
    let result = format!("/api/v1/appraisals/{id}/result");
    let (s, r) = app.call(&t.member_a, Method::GET, &result, None).await;
    assert_eq!((s, r["rating"].clone()), (200, Value::Null), "{r}");
    let objection = format!("/api/v1/appraisals/{id}/objection");
    let (s, e) = app
        .call(
            &t.member_a,
            Method::POST,
            &objection,
            Some(json!({"reason": "本人全年按时参加组织生活"})),
        )
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("objection_outside_window")),
        "{e}"
    );

    advance_to(&app, &t.secretary_a, &id, "publication").await;
    let (s, r) = app.call(&t.member_a, Method::GET, &result, None).await;
    assert_eq!(
        (s, r["rating"]["grade"].as_str()),
        (200, Some("basically_qualified")),
        "{r}"
    );
    let (s, list) = app
        .call(
            &t.member_a2,
            Method::GET,
            &format!("/api/v1/appraisals/{id}/results"),
            None,
        )
        .await;
    assert_eq!(s, 200, "{list}");
    assert!(
        list["items"]
            .as_array()
            .is_some_and(|a| a.iter().any(|i| i["grade"] == "basically_qualified")),
        "{list}"
    );
    assert!(
        list.to_string().find("学习不够").is_none(),
        "the rationale is not published: {list}"
    );
    assert_eq!(
        app.call(
            &t.member_b,
            Method::GET,
            &format!("/api/v1/appraisals/{id}/results"),
            None
        )
        .await
        .0,
        404
    );

    let (s, o) = app
        .call(
            &t.member_a,
            Method::POST,
            &objection,
            Some(json!({"reason": "本人全年按时参加组织生活"})),
        )
        .await;
    assert_eq!(s, 201, "{o}");
    let (s, e) = app
        .call(
            &t.member_a,
            Method::POST,
            &objection,
            Some(json!({"reason": "再提一次"})),
        )
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (409, Some("objection_exists")),
        "{e}"
    );
    let answer = format!(
        "/api/v1/appraisals/{id}/objections/{}/answer",
        t.member_a.id
    );
    let (s, e) = app
        .call(
            &t.secretary_a,
            Method::POST,
            &answer,
            Some(json!({"verdict": "upheld", "reason": "经核实"})),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let (s, a) = app
        .call(
            &t.secretary_a,
            Method::POST,
            &answer,
            Some(json!({"verdict": "upheld", "reason": "经核实属实", "grade": "qualified"})),
        )
        .await;
    assert_eq!(
        (s, a["answer"]["verdict"].as_str()),
        (200, Some("upheld")),
        "{a}"
    );
    let (_, r) = app.call(&t.member_a, Method::GET, &result, None).await;
    assert_eq!(r["rating"]["grade"], "qualified", "{r}");
    assert_eq!(r["objection"]["answer"]["reason"], "经核实属实", "{r}");
    let (s, e) = app
        .call(
            &t.secretary_a,
            Method::POST,
            &answer,
            Some(json!({"verdict": "rejected", "reason": "再答"})),
        )
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (409, Some("objection_answered")),
        "{e}"
    );
}

#[tokio::test]
async fn a_member_graded_unqualified_appeals_to_the_township_within_thirty_days() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let id = opened(&app, &t.secretary_a, &t.branch_a).await;
    advance_to(&app, &t.secretary_a, &id, "rating").await;
    let unqualified =
        json!({"grade": "unqualified", "rationale": "长期不参加组织生活", "negativeItems": [4]});
    assert_eq!(
        rate(&app, &t.secretary_a, &id, &t.member_a, unqualified)
            .await
            .0,
        200
    );
    assert_eq!(
        rate(
            &app,
            &t.secretary_a,
            &id,
            &t.member_a2,
            json!({"grade": "qualified", "rationale": "合格"})
        )
        .await
        .0,
        200
    );
    let appeal = format!("/api/v1/appraisals/{id}/appeal");
    let body = || Some(json!({"reason": "因病住院,已请假"}));
    // Not during publication: after it.
    advance_to(&app, &t.secretary_a, &id, "publication").await;
    let (s, e) = app.call(&t.member_a, Method::POST, &appeal, body()).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("objection_outside_window")),
        "{e}"
    );
    // 2026-12-03: publication is over.
    app.clock.advance(Duration::days(28));
    let (s, e) = app.call(&t.member_a2, Method::POST, &appeal, body()).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("appeal_not_unqualified")),
        "{e}"
    );
    let (s, o) = app.call(&t.member_a, Method::POST, &appeal, body()).await;
    assert_eq!(s, 201, "{o}");
    // The township decides, not the branch.
    let answer = format!("/api/v1/appraisals/{id}/appeals/{}/answer", t.member_a.id);
    let rejected = || Some(json!({"verdict": "rejected", "reason": "经核实,维持原评定"}));
    assert_eq!(
        app.call(&t.secretary_a, Method::POST, &answer, rejected())
            .await
            .0,
        404
    );
    let (s, a) = app.call(&t.admin, Method::POST, &answer, rejected()).await;
    assert_eq!(
        (s, a["answer"]["verdict"].as_str()),
        (200, Some("rejected")),
        "{a}"
    );
    // Thirty days later the window has shut.
    app.clock.advance(Duration::days(31));
    let (s, e) = app.call(&t.member_a2, Method::POST, &appeal, body()).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("objection_outside_window")),
        "{e}"
    );
}

#[tokio::test]
async fn the_results_export_reads_back_per_branch_and_per_member() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let id = opened(&app, &t.secretary_a, &t.branch_a).await;
    advance_to(&app, &t.secretary_a, &id, "rating").await;
    let unqualified =
        json!({"grade": "unqualified", "rationale": "长期不参加组织生活", "negativeItems": [4]});
    assert_eq!(
        rate(&app, &t.secretary_a, &id, &t.member_a, unqualified)
            .await
            .0,
        200
    );
    assert_eq!(
        rate(
            &app,
            &t.secretary_a,
            &id,
            &t.member_a2,
            json!({"grade": "excellent", "rationale": "带头作用明显"})
        )
        .await
        .0,
        200
    );
    let path = format!("/api/v1/appraisals/{id}/export");
    let res = app
        .client
        .get(app.url(&path))
        .bearer_auth(app.token_for(t.admin.id))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        res.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some(crate::xlsx::XLSX)
    );
    let bytes = res.bytes().await.unwrap_or_default();
    let summary = crate::xlsx::rows(&bytes, "汇总");
    assert_eq!(summary.len(), 2, "one branch: {summary:?}");
    let cell = |h: &str| summary[1][crate::xlsx::column(&summary, h)].to_string();
    assert_eq!(cell("党支部"), t.branch_a.name);
    assert_eq!(
        (cell("优秀"), cell("不合格")),
        ("1".to_owned(), "1".to_owned())
    );
    let results = crate::xlsx::rows(&bytes, "评定结果");
    let name = crate::xlsx::column(&results, "姓名");
    let grade = crate::xlsx::column(&results, "评定等次");
    let of = |m: &Member| {
        results
            .iter()
            .find(|r| r[name].to_string() == m.name)
            .map(|r| r[grade].to_string())
    };
    assert_eq!(of(&t.member_a).as_deref(), Some("不合格"));
    assert_eq!(of(&t.member_a2).as_deref(), Some("优秀"));
    // Members have no export; the other township finds no campaign.
    let code = |who: &Member| {
        let (app, path) = (&app, path.clone());
        let token = app.token_for(who.id);
        async move {
            app.send_as(&token, Method::GET, &path)
                .await
                .status()
                .as_u16()
        }
    };
    assert_eq!(code(&t.member_a).await, 403);
    assert_eq!(code(&t.other_admin).await, 404);
}

#[tokio::test]
async fn each_participants_register_is_a_sheet_of_its_own() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let id = opened(&app, &t.secretary_a, &t.branch_a).await;
    advance_to(&app, &t.secretary_a, &id, "rating").await;
    let unqualified =
        json!({"grade": "unqualified", "rationale": "长期不参加组织生活", "negativeItems": [4]});
    assert_eq!(
        rate(&app, &t.secretary_a, &id, &t.member_a, unqualified)
            .await
            .0,
        200
    );
    let path = format!("/api/v1/appraisals/{id}/registers");
    let res = app
        .client
        .get(app.url(&path))
        .bearer_auth(app.token_for(t.secretary_a.id))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(res.status().as_u16(), 200);
    let bytes = res.bytes().await.unwrap_or_default();
    use calamine::Reader;
    let names = crate::xlsx::open(&bytes).sheet_names();
    assert!(names.contains(&t.member_a.name), "{names:?}");
    assert!(names.contains(&t.member_a2.name), "{names:?}");
    let rows = crate::xlsx::rows(&bytes, &t.member_a.name);
    let value = |k: &str| {
        rows.iter()
            .find(|r| r[0] == k)
            .map(|r| r[1].to_string())
            .unwrap_or_default()
    };
    assert_eq!(value("姓名"), t.member_a.name);
    assert_eq!(value("组织评定"), "不合格");
    assert_eq!(value("评定理由"), "长期不参加组织生活");
    assert_eq!(value("民主测评"), "不足三票,不予显示");
    assert_eq!(value("个人自评"), "未填写");
    assert_eq!(app.call(&t.member_a, Method::GET, &path, None).await.0, 403);
}
