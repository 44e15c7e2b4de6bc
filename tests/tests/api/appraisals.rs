//! Appraisal campaigns: opening, stages on the clock and early, and members'
//! self-assessments (drafts with If-Match, submission, the secretary's overview, reopening
//! and excusing), with the scope rules of every other context.

use chrono::Duration;
use reqwest::Method;
use serde_json::{json, Value};
use tests::fixtures::Township;
use tests::TestApp;

use domain::clock::Clock;

use crate::appraisal_support::{complete, open, opened, schedule, with_if_match};

/// Moves the clock into the self-assessment stage (2026-11-06, Beijing).
fn into_self_assessment(app: &TestApp) {
    app.clock.advance(Duration::days(1));
}

#[tokio::test]
async fn a_secretary_opens_a_campaign_for_the_branch_and_its_members_see_it() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let (s, c) = open(&app, &t.secretary_a, &t.branch_a).await;
    assert_eq!(s, 201, "{c}");
    assert_eq!(c["name"], "2026年度民主评议党员");
    assert_eq!(
        (c["standing"].as_str(), c["stage"].as_str()),
        (Some("open"), Some("mobilisation"))
    );
    assert_eq!(
        c["stages"][4]["endsOn"], "2026-12-02",
        "publication lasts seven days"
    );
    assert_eq!(c["positiveList"][2], "按要求参加组织生活");
    assert_eq!(
        c["excellentShare"],
        json!({"numerator": 1, "denominator": 3})
    );
    let id = c["id"].as_str().unwrap_or_default();
    let path = format!("/api/v1/appraisals/{id}");
    assert_eq!(app.call(&t.member_a, Method::GET, &path, None).await.0, 200);
    assert_eq!(app.call(&t.admin, Method::GET, &path, None).await.0, 200);
    // Branch B's member and the other township see nothing of it.
    assert_eq!(app.call(&t.member_b, Method::GET, &path, None).await.0, 404);
    assert_eq!(
        app.call(&t.other_admin, Method::GET, &path, None).await.0,
        404
    );
    let (s, l) = app
        .call(&t.member_a, Method::GET, "/api/v1/appraisals", None)
        .await;
    assert_eq!((s, l["items"][0]["id"].as_str()), (200, Some(id)), "{l}");
    let (_, l) = app
        .call(&t.member_b, Method::GET, "/api/v1/appraisals", None)
        .await;
    assert_eq!(l["items"].as_array().map(Vec::len), Some(0), "{l}");
}

#[tokio::test]
async fn only_secretaries_and_township_admins_open_campaigns_in_their_scope() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    assert_eq!(open(&app, &t.member_a, &t.branch_a).await.0, 403);
    assert_eq!(open(&app, &t.committee_a, &t.branch_a).await.0, 403);
    // Another branch, or the township, is outside a branch secretary's scope: 404.
    assert_eq!(open(&app, &t.secretary_a, &t.branch_b).await.0, 404);
    assert_eq!(open(&app, &t.secretary_a, &t.committee).await.0, 404);
    assert_eq!(open(&app, &t.other_admin, &t.branch_a).await.0, 404);
    // A group holds no campaign of its own.
    let (s, e) = open(&app, &t.admin, &t.group_a).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("appraisal_org_invalid")),
        "{e}"
    );
    // The township's campaign takes in every branch under it.
    assert_eq!(open(&app, &t.admin, &t.committee).await.0, 201);
}

#[tokio::test]
async fn a_bad_schedule_or_period_is_refused_field_by_field() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let mut stages = schedule();
    stages["peerReview"]["startsOn"] = json!("2026-11-15");
    let path = format!("/api/v1/orgs/{}/appraisals", t.branch_a.id);
    let (s, e) = app
        .call(
            &t.secretary_a,
            Method::POST,
            &path,
            Some(json!({"name": "评议", "period": "2026-H3", "stages": stages})),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let fields: Vec<(String, String)> = e["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["pointer"].as_str().unwrap_or_default().to_owned(),
                        f["code"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert!(
        fields.contains(&("/period".into(), "appraisal_period_invalid".into())),
        "{e}"
    );
}

#[tokio::test]
async fn a_member_drafts_with_if_match_and_a_stale_write_loses_nothing() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let id = opened(&app, &t.secretary_a, &t.branch_a).await;
    let path = format!("/api/v1/appraisals/{id}/self-assessment");
    // Mobilisation: the draft is readable but not yet writable.
    let (s, etag, a) = with_if_match(&app, &t.member_a, Method::GET, &path, None, None).await;
    assert_eq!(
        (s, etag.as_deref(), a["status"].as_str()),
        (200, Some("\"0\""), Some("not_started")),
        "{a}"
    );
    let (s, _, e) = with_if_match(
        &app,
        &t.member_a,
        Method::PUT,
        &path,
        Some("\"0\""),
        Some(complete("2026-12-31")),
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("appraisal_stage_not_begun")),
        "{e}"
    );

    into_self_assessment(&app);
    // No If-Match: 428; a malformed one: 400.
    let (s, _, e) = with_if_match(
        &app,
        &t.member_a,
        Method::PUT,
        &path,
        None,
        Some(complete("2026-12-31")),
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (428, Some("request_precondition_required")),
        "{e}"
    );
    let (s, _, e) = with_if_match(
        &app,
        &t.member_a,
        Method::PUT,
        &path,
        Some("*"),
        Some(complete("2026-12-31")),
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (400, Some("request_if_match_invalid")),
        "{e}"
    );

    // Phone one saves; phone two, still holding version 0, is refused and changes nothing.
    let mut first = complete("2026-12-31");
    first["summary"] = json!("第一部手机的总结");
    let (s, etag, a) = with_if_match(
        &app,
        &t.member_a,
        Method::PUT,
        &path,
        Some("\"0\""),
        Some(first),
    )
    .await;
    assert_eq!(
        (s, etag.as_deref(), a["version"].as_i64()),
        (200, Some("\"1\""), Some(1)),
        "{a}"
    );
    let mut second = complete("2026-12-31");
    second["summary"] = json!("第二部手机的总结");
    let (s, _, e) = with_if_match(
        &app,
        &t.member_a,
        Method::PUT,
        &path,
        Some("\"0\""),
        Some(second),
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (412, Some("assessment_version_stale")),
        "{e}"
    );
    let (_, etag, a) = with_if_match(&app, &t.member_a, Method::GET, &path, None, None).await;
    assert_eq!(etag.as_deref(), Some("\"1\""));
    assert_eq!(a["content"]["summary"], "第一部手机的总结");
    assert_eq!(a["status"], "draft");
}

#[tokio::test]
async fn submission_needs_every_part_and_then_locks_until_reopened() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let id = opened(&app, &t.secretary_a, &t.branch_a).await;
    into_self_assessment(&app);
    let path = format!("/api/v1/appraisals/{id}/self-assessment");
    let submit = format!("{path}/submit");
    let partial = json!({"summary": "只写了总结"});
    let (s, _, _) = with_if_match(
        &app,
        &t.member_a,
        Method::PUT,
        &path,
        Some("\"0\""),
        Some(partial),
    )
    .await;
    assert_eq!(s, 200);
    let (s, _, e) = with_if_match(
        &app,
        &t.member_a,
        Method::POST,
        &submit,
        Some("\"1\""),
        None,
    )
    .await;
    assert_eq!(s, 422, "{e}");
    assert!(
        e["errors"].as_array().is_some_and(
            |a| a.len() == 6 + 4 + 5 && a.iter().all(|f| f["code"] == "assessment_incomplete")
        ),
        "{e}"
    );

    let (s, _, _) = with_if_match(
        &app,
        &t.member_a,
        Method::PUT,
        &path,
        Some("\"1\""),
        Some(complete("2026-12-31")),
    )
    .await;
    assert_eq!(s, 200);
    let (s, etag, a) = with_if_match(
        &app,
        &t.member_a,
        Method::POST,
        &submit,
        Some("\"2\""),
        None,
    )
    .await;
    assert_eq!(
        (s, etag.as_deref(), a["status"].as_str()),
        (200, Some("\"3\""), Some("submitted")),
        "{a}"
    );
    // Submitted: an edit is refused and the stored text stays.
    let (s, _, e) = with_if_match(
        &app,
        &t.member_a,
        Method::PUT,
        &path,
        Some("\"3\""),
        Some(json!({"summary": "改"})),
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("assessment_submitted")),
        "{e}"
    );

    // The secretary sees who submitted, reads it, and reopens it with a reason.
    let (s, p) = app
        .call(
            &t.secretary_a,
            Method::GET,
            &format!("/api/v1/appraisals/{id}/self-assessments"),
            None,
        )
        .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["submitted"], 1);
    assert!(p["total"].as_u64().is_some_and(|n| n >= 2), "{p}");
    let member = format!("/api/v1/appraisals/{id}/self-assessments/{}", t.member_a.id);
    let (s, read) = app.call(&t.secretary_a, Method::GET, &member, None).await;
    assert_eq!(
        (s, read["content"]["summary"].as_str()),
        (200, Some("一年来认真履行党员义务。")),
        "{read}"
    );
    let (s, r) = app
        .call(
            &t.secretary_a,
            Method::POST,
            &format!("{member}/reopen"),
            Some(json!({"reason": "请补充整改措施"})),
        )
        .await;
    assert_eq!(
        (s, r["status"].as_str(), r["reopenedReason"].as_str()),
        (200, Some("draft"), Some("请补充整改措施")),
        "{r}"
    );
    let (s, _, _) = with_if_match(
        &app,
        &t.member_a,
        Method::PUT,
        &path,
        Some("\"4\""),
        Some(complete("2026-12-31")),
    )
    .await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn nothing_changes_after_the_stage_and_the_gap_is_not_the_next_stage() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let id = opened(&app, &t.secretary_a, &t.branch_a).await;
    into_self_assessment(&app);
    let path = format!("/api/v1/appraisals/{id}/self-assessment");
    let (s, _, _) = with_if_match(
        &app,
        &t.member_a,
        Method::PUT,
        &path,
        Some("\"0\""),
        Some(complete("2026-12-31")),
    )
    .await;
    assert_eq!(s, 200);
    // 2026-11-16, the gap: self-assessment is over.
    app.clock.advance(Duration::days(10));
    let (s, _, e) = with_if_match(
        &app,
        &t.member_a,
        Method::PUT,
        &path,
        Some("\"1\""),
        Some(complete("2026-12-31")),
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("appraisal_stage_over")),
        "{e}"
    );
    let (s, _, e) = with_if_match(
        &app,
        &t.member_a,
        Method::POST,
        &format!("{path}/submit"),
        Some("\"1\""),
        None,
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("appraisal_stage_over")),
        "{e}"
    );
    let (_, c) = app
        .call(
            &t.member_a,
            Method::GET,
            &format!("/api/v1/appraisals/{id}"),
            None,
        )
        .await;
    assert_eq!(
        (c["standing"].as_str(), c["stage"].as_str()),
        (Some("ended"), Some("self_assessment")),
        "{c}"
    );
}

#[tokio::test]
async fn the_secretary_begins_a_stage_early_and_it_never_reopens() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let id = opened(&app, &t.secretary_a, &t.branch_a).await;
    let advance = format!("/api/v1/appraisals/{id}/advance");
    assert_eq!(
        app.call(&t.member_a, Method::POST, &advance, None).await.0,
        403
    );
    assert_eq!(
        app.call(&t.other_secretary, Method::POST, &advance, None)
            .await
            .0,
        404
    );
    let (s, c) = app.call(&t.secretary_a, Method::POST, &advance, None).await;
    assert_eq!(
        (s, c["stage"].as_str()),
        (200, Some("self_assessment")),
        "{c}"
    );
    // A member can write at once, on the mobilisation day.
    let path = format!("/api/v1/appraisals/{id}/self-assessment");
    let (s, _, _) = with_if_match(
        &app,
        &t.member_a,
        Method::PUT,
        &path,
        Some("\"0\""),
        Some(complete("2026-12-31")),
    )
    .await;
    assert_eq!(s, 200);
    let (s, c) = app.call(&t.secretary_a, Method::POST, &advance, None).await;
    assert_eq!((s, c["stage"].as_str()), (200, Some("peer_review")), "{c}");
    // Self-assessment is over for good, even on its scheduled days.
    app.clock.advance(Duration::days(2));
    let (s, _, e) = with_if_match(
        &app,
        &t.member_a,
        Method::PUT,
        &path,
        Some("\"1\""),
        Some(complete("2026-12-31")),
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("appraisal_stage_over")),
        "{e}"
    );
    // The moves are in the audit trail.
    let (s, log) = app.call(&t.admin, Method::GET, "/api/v1/audit", None).await;
    assert_eq!(s, 200, "{log}");
    let actions: Vec<&str> = log["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["action"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        actions.contains(&"appraisal.self_assessment_begun"),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"appraisal.peer_review_begun"),
        "{actions:?}"
    );
    assert!(actions.contains(&"appraisal.open"), "{actions:?}");
}

/// The audit actions of the campaign `id`, oldest first, as the township admin reads them.
async fn stage_trail(app: &TestApp, t: &Township, id: &str) -> Vec<String> {
    let (s, log) = app
        .call(&t.admin, Method::GET, "/api/v1/audit?limit=100", None)
        .await;
    assert_eq!(s, 200, "{log}");
    let mut actions: Vec<String> = log["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|e| e["objectType"] == "appraisal" && e["objectId"] == id)
                .filter_map(|e| e["action"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    actions.reverse();
    actions
}

#[tokio::test]
async fn the_sweep_records_what_the_dates_brought_about_once_without_any_request() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let id = opened(&app, &t.secretary_a, &t.branch_a).await;
    let sweep = || domain::appraisal::service::sweep_campaigns(&app.db, &app.clock);
    // Nothing moved yet: nothing recorded.
    assert_eq!(sweep().await.unwrap().advanced, 0);
    assert_eq!(stage_trail(&app, &t, &id).await, ["appraisal.open"]);
    // Past peer review, with no request in between: every transition on the way, once,
    // even when the sweep runs again or two of them run at once.
    app.clock.advance(Duration::days(12));
    let (a, b) = tokio::join!(sweep(), sweep());
    assert_eq!(a.unwrap().advanced + b.unwrap().advanced, 1);
    assert_eq!(sweep().await.unwrap().advanced, 0);
    let trail = stage_trail(&app, &t, &id).await;
    assert_eq!(
        trail,
        [
            "appraisal.open",
            "appraisal.self_assessment_begun",
            // 16 November lies between the two stages.
            "appraisal.self_assessment_ended",
            "appraisal.peer_review_begun",
        ],
        "{trail:?}"
    );
    // A request afterwards records nothing the sweep recorded already.
    let path = format!("/api/v1/appraisals/{id}");
    assert_eq!(app.call(&t.member_a, Method::GET, &path, None).await.0, 200);
    let (s, _) = app
        .call(
            &t.secretary_a,
            Method::POST,
            &format!("{path}/advance"),
            None,
        )
        .await;
    assert_eq!(s, 200);
    let trail = stage_trail(&app, &t, &id).await;
    assert_eq!(
        trail
            .iter()
            .filter(|a| *a == "appraisal.peer_review_begun")
            .count(),
        1,
        "{trail:?}"
    );
    // Once closed, the campaign leaves the sweep's work list.
    app.clock.advance(Duration::days(60));
    assert_eq!(sweep().await.unwrap().advanced, 1);
    assert_eq!(sweep().await.unwrap().advanced, 0);
    assert_eq!(
        stage_trail(&app, &t, &id).await.last().map(String::as_str),
        Some("appraisal.closed")
    );
}

#[tokio::test]
async fn a_secretary_of_another_branch_sees_no_submission_and_a_member_no_overview() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let id = opened(&app, &t.admin, &t.committee).await;
    into_self_assessment(&app);
    let path = format!("/api/v1/appraisals/{id}/self-assessment");
    let (s, _, _) = with_if_match(
        &app,
        &t.member_b,
        Method::PUT,
        &path,
        Some("\"0\""),
        Some(complete("2026-12-31")),
    )
    .await;
    assert_eq!(s, 200);
    let member_b = format!("/api/v1/appraisals/{id}/self-assessments/{}", t.member_b.id);
    // Branch A's secretary manages branch A's part only: branch B's member is not found.
    assert_eq!(
        app.call(&t.secretary_a, Method::GET, &member_b, None)
            .await
            .0,
        404
    );
    assert_eq!(
        app.call(&t.admin, Method::GET, &member_b, None).await.0,
        200
    );
    let overview = format!("/api/v1/appraisals/{id}/self-assessments");
    let (s, p) = app.call(&t.secretary_a, Method::GET, &overview, None).await;
    assert_eq!(s, 200, "{p}");
    let branches: Vec<&str> = p["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|i| i["participant"]["branchId"].as_str())
                .collect()
        })
        .unwrap_or_default();
    let branch_a = t.branch_a.id.to_string();
    assert!(
        !branches.is_empty() && branches.iter().all(|b| *b == branch_a),
        "{p}"
    );
    assert_eq!(
        app.call(&t.member_a, Method::GET, &overview, None).await.0,
        403
    );
    assert_eq!(
        app.call(&t.other_admin, Method::GET, &overview, None)
            .await
            .0,
        404
    );
    // Nobody reads another member's draft through their own endpoint.
    let (_, _, mine) = with_if_match(&app, &t.member_a, Method::GET, &path, None, None).await;
    assert_eq!(
        mine["memberId"].as_str(),
        Some(t.member_a.id.to_string().as_str())
    );
}

#[tokio::test]
async fn an_excused_member_writes_nothing_and_the_excusal_can_be_withdrawn() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let id = opened(&app, &t.secretary_a, &t.branch_a).await;
    into_self_assessment(&app);
    let excusal = format!(
        "/api/v1/appraisals/{id}/participants/{}/excusal",
        t.member_a.id
    );
    let (s, p) = app
        .call(
            &t.secretary_a,
            Method::PUT,
            &excusal,
            Some(json!({"reason": "长期病休"})),
        )
        .await;
    assert_eq!(
        (s, p["excusedReason"].as_str()),
        (200, Some("长期病休")),
        "{p}"
    );
    let path = format!("/api/v1/appraisals/{id}/self-assessment");
    let (s, _, e) = with_if_match(
        &app,
        &t.member_a,
        Method::PUT,
        &path,
        Some("\"0\""),
        Some(complete("2026-12-31")),
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("appraisal_excused")),
        "{e}"
    );
    let (s, p) = app
        .call(&t.secretary_a, Method::DELETE, &excusal, None)
        .await;
    assert_eq!((s, p["excusedReason"].clone()), (200, Value::Null), "{p}");
    let (s, _, _) = with_if_match(
        &app,
        &t.member_a,
        Method::PUT,
        &path,
        Some("\"0\""),
        Some(complete("2026-12-31")),
    )
    .await;
    assert_eq!(s, 200);
    // A blank reason is refused; a member cannot excuse anyone.
    let (s, e) = app
        .call(
            &t.secretary_a,
            Method::PUT,
            &excusal,
            Some(json!({"reason": "  "})),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(
        app.call(
            &t.member_a2,
            Method::PUT,
            &excusal,
            Some(json!({"reason": "x"}))
        )
        .await
        .0,
        403
    );
}

/// A 组织生活会 of branch A on 2026-11-20 (Beijing), as its secretary schedules it.
async fn life_meeting(app: &TestApp, t: &Township, kind: &str) -> String {
    let (s, a) = app
        .call(
            &t.secretary_a,
            Method::POST,
            &format!("/api/v1/orgs/{}/activities", t.branch_a.id),
            Some(json!({
                "kind": kind,
                "themeCategory": "study",
                "title": "2026年度组织生活会",
                "startsAt": "2026-11-20T09:00:00+08:00",
                "endsAt": "2026-11-20T11:00:00+08:00",
                "proof": "qr",
            })),
        )
        .await;
    assert_eq!(s, 201, "{a}");
    a["id"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_member_exempted_from_the_meeting_may_write_after_the_stage_until_the_rating() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let meeting = life_meeting(&app, &t, "org_life_meeting").await;
    // Only an org_life_meeting of a branch in the campaign is its meeting.
    let theme_day = life_meeting(&app, &t, "theme_day").await;
    let path = format!("/api/v1/orgs/{}/appraisals", t.branch_a.id);
    let body = |meeting: &str| {
        Some(json!({"name": "评议", "period": "2026", "stages": schedule(), "meetingId": meeting}))
    };
    let (s, e) = app
        .call(&t.secretary_a, Method::POST, &path, body(&theme_day))
        .await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["errors"][0]["code"], "appraisal_meeting_invalid", "{e}");
    let (s, c) = app
        .call(&t.secretary_a, Method::POST, &path, body(&meeting))
        .await;
    assert_eq!(s, 201, "{c}");
    let id = c["id"].as_str().unwrap_or_default().to_owned();
    // member_a is excused from the meeting (frail), approved by the secretary.
    let (s, ex) = app
        .call(
            &t.member_a,
            Method::POST,
            "/api/v1/exemptions",
            Some(json!({"activityId": meeting, "reason": "年老体弱"})),
        )
        .await;
    assert_eq!(s, 201, "{ex}");
    let review = format!(
        "/api/v1/exemptions/{}/review",
        ex["id"].as_str().unwrap_or_default()
    );
    assert_eq!(
        app.call(
            &t.secretary_a,
            Method::POST,
            &review,
            Some(json!({"decision": "approve"}))
        )
        .await
        .0,
        200
    );
    // 2026-11-16, after the self-assessment stage.
    app.clock.advance(Duration::days(11));
    let mine = format!("/api/v1/appraisals/{id}/self-assessment");
    let (s, _, a) = with_if_match(
        &app,
        &t.member_a,
        Method::PUT,
        &mine,
        Some("\"0\""),
        Some(complete("2026-12-31")),
    )
    .await;
    assert_eq!(s, 200, "{a}");
    let (s, _, a) = with_if_match(
        &app,
        &t.member_a,
        Method::POST,
        &format!("{mine}/submit"),
        Some("\"1\""),
        None,
    )
    .await;
    assert_eq!((s, a["status"].as_str()), (200, Some("submitted")), "{a}");
    // A member without the exemption is too late.
    let (s, _, e) = with_if_match(
        &app,
        &t.member_a2,
        Method::PUT,
        &mine,
        Some("\"0\""),
        Some(complete("2026-12-31")),
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("appraisal_stage_over")),
        "{e}"
    );
    // Once the rating has begun, nobody writes.
    app.clock.advance(Duration::days(5));
    let (s, _, e) = with_if_match(
        &app,
        &t.member_a,
        Method::PUT,
        &mine,
        Some("\"2\""),
        Some(complete("2026-12-31")),
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("appraisal_stage_over")),
        "{e}"
    );
}
