//! 96345 service requests: filing, dispatch with working-day deadlines, claims up to
//! capacity (one winner for the last place), service, rating and follow-up, the requester's
//! contact masked for whoever need not see it, and every step by whom the rules allow.

use chrono::Duration;
use reqwest::Method;
use serde_json::{json, Value};
use tests::fixtures::Township;
use tests::TestApp;

use domain::clock::Clock;
use domain::org::Member;

fn request(kind: &str, title: &str) -> Value {
    json!({
        "kind": kind,
        "title": title,
        "description": "腿脚不便，需要有人帮忙到卫生院代购降压药。",
        "address": "盖北镇新舍村12号",
        "contactName": "王阿婆",
        "contactPhone": "138 0000 5678",
        "preferredTime": "周六上午",
        "tags": ["elderly_alone"],
    })
}

/// Files `body` as `who`: its id (201 required).
async fn filed(app: &TestApp, who: &Member, body: Value) -> String {
    let (s, r) = app
        .call(who, Method::POST, "/api/v1/service-requests", Some(body))
        .await;
    assert_eq!(s, 201, "{r}");
    r["id"].as_str().unwrap_or_default().to_owned()
}

async fn act(
    app: &TestApp,
    who: &Member,
    id: &str,
    step: &str,
    body: Option<Value>,
) -> (u16, Value) {
    app.call(
        who,
        Method::POST,
        &format!("/api/v1/service-requests/{id}/{step}"),
        body,
    )
    .await
}

async fn read(app: &TestApp, who: &Member, id: &str) -> (u16, Value) {
    app.call(
        who,
        Method::GET,
        &format!("/api/v1/service-requests/{id}"),
        None,
    )
    .await
}

/// Filed by member B for a resident, dispatched by the operator to branch A.
async fn dispatched_to_a(app: &TestApp, t: &Township, capacity: u32) -> String {
    let id = filed(app, &t.member_b, request("hotline", "帮忙买药")).await;
    let (s, r) = act(
        app,
        &t.operator,
        &id,
        "dispatch",
        Some(json!({"orgId": t.branch_a.id, "capacity": capacity})),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    id
}

#[tokio::test]
async fn a_request_goes_from_filing_to_closed_and_the_contact_shows_only_to_those_serving_it() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let (s, r) = app
        .call(
            &t.member_b,
            Method::POST,
            "/api/v1/service-requests",
            Some(request("hotline", " 帮忙买药 ")),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(
        (
            r["state"].as_str(),
            r["title"].as_str(),
            r["filedBy"].as_str()
        ),
        (Some("submitted"), Some("帮忙买药"), Some("member"))
    );
    assert_eq!(
        r["contact"]["phone"], "13800005678",
        "the filer sees it: {r}"
    );
    assert_eq!(r["moderation"], "unchecked");
    let id = r["id"].as_str().unwrap_or_default().to_owned();
    // Not yet anyone else's business.
    assert_eq!(read(&app, &t.member_a, &id).await.0, 404);
    assert_eq!(read(&app, &t.other_admin, &id).await.0, 404);
    // The township's operator sees it whole and dispatches it to branch A.
    let (s, r) = read(&app, &t.operator, &id).await;
    assert_eq!(
        (s, r["contact"]["masked"].as_bool()),
        (200, Some(false)),
        "{r}"
    );
    let (s, r) = act(
        &app,
        &t.operator,
        &id,
        "dispatch",
        Some(json!({"orgId": t.branch_a.id})),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["state"], "accepted");
    // Thursday 5 November: a hotline call is claimed by the end of Friday and completed by
    // the end of Tuesday (three working days).
    assert_eq!(r["claimDue"], "2026-11-07T00:00:00+08:00", "{r}");
    assert_eq!(r["completeDue"], "2026-11-11T00:00:00+08:00", "{r}");
    assert_eq!(r["expectedAt"], r["completeDue"]);
    // Branch A's members see it masked and may claim; branch B's other members see nothing.
    let (s, r) = read(&app, &t.member_a, &id).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(
        r["contact"],
        json!({"name": "王**", "phone": "138****5678", "address": "盖北镇新****", "masked": true})
    );
    assert_eq!(r["claimable"], true);
    assert_eq!(read(&app, &t.other_secretary, &id).await.0, 404);
    // Claiming reveals the contact to the volunteer while the request is open.
    let (s, r) = act(&app, &t.member_a, &id, "claims", None).await;
    assert_eq!((s, r["state"].as_str()), (200, Some("claimed")), "{r}");
    assert_eq!(r["contact"]["name"], "王阿婆");
    assert_eq!(
        read(&app, &t.member_a2, &id).await.1["contact"]["masked"],
        true
    );
    let (s, r) = act(&app, &t.member_a, &id, "start", None).await;
    assert_eq!((s, r["state"].as_str()), (200, Some("in_progress")), "{r}");
    // Cancelling after the service began: 409 naming the state.
    let (s, e) = act(&app, &t.member_b, &id, "cancel", Some(json!({}))).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (409, Some("service_request_state_conflict")),
        "{e}"
    );
    assert!(
        e["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("in_progress"),
        "{e}"
    );
    // Someone else's hours, or not everyone's: refused.
    let (s, e) = act(
        &app,
        &t.member_a,
        &id,
        "complete",
        Some(json!({"summary": "已送药", "hours": [{"memberId": t.member_a2.id, "minutes": 60}]})),
    )
    .await;
    assert_eq!(
        (s, e["errors"][0]["code"].as_str()),
        (422, Some("service_request_hours_invalid")),
        "{e}"
    );
    let (s, r) = act(
        &app,
        &t.member_a,
        &id,
        "complete",
        Some(json!({"summary": "已代购降压药两盒并送到家中。", "hours": [{"memberId": t.member_a.id, "minutes": 90}]})),
    )
    .await;
    assert_eq!((s, r["state"].as_str()), (200, Some("completed")), "{r}");
    // Only the requester rates; that closes it.
    assert_eq!(
        act(&app, &t.member_a, &id, "rating", Some(json!({"rating": 5})))
            .await
            .0,
        403
    );
    let (s, r) = act(
        &app,
        &t.member_b,
        &id,
        "rating",
        Some(json!({"rating": 5, "comment": "非常感谢"})),
    )
    .await;
    assert_eq!(
        (s, r["state"].as_str(), r["rating"].as_u64()),
        (200, Some("closed"), Some(5)),
        "{r}"
    );
    // The requester reads the volunteer masked; once closed the volunteer reads the contact masked.
    let masked: String = t.member_a.name.chars().take(1).collect::<String>() + "**";
    assert_eq!(r["volunteers"][0]["name"], masked.as_str(), "{r}");
    let (_, r) = read(&app, &t.member_a, &id).await;
    assert_eq!(r["contact"]["masked"], true, "{r}");
    let notes: Vec<&str> = r["statusNotes"]
        .as_array()
        .map(|a| a.iter().filter_map(|n| n["state"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        notes,
        [
            "submitted",
            "accepted",
            "claimed",
            "in_progress",
            "completed",
            "closed"
        ]
    );
}

#[tokio::test]
async fn the_last_place_goes_to_exactly_one_of_two_racing_volunteers() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let id = dispatched_to_a(&app, &t, 1).await;
    let (a, b) = tokio::join!(
        act(&app, &t.member_a, &id, "claims", None),
        act(&app, &t.member_a2, &id, "claims", None),
    );
    let mut statuses = [a.0, b.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{a:?} {b:?}");
    let loser = if a.0 == 409 { &a.1 } else { &b.1 };
    assert_eq!(loser["code"], "service_request_full", "{loser}");
    let (_, r) = read(&app, &t.operator, &id).await;
    assert_eq!(
        (
            r["claimed"].as_u64(),
            r["volunteers"].as_array().map(Vec::len)
        ),
        (Some(1), Some(1))
    );
    // A second claim by the same volunteer, and a claim from another branch.
    let id = dispatched_to_a(&app, &t, 3).await;
    assert_eq!(act(&app, &t.member_a, &id, "claims", None).await.0, 200);
    let (s, e) = act(&app, &t.member_a, &id, "claims", None).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (409, Some("service_request_claimed_already"))
    );
    assert_eq!(
        act(&app, &t.member_b, &id, "claims", None).await.0,
        403,
        "member B filed it, so sees it, but is not of branch A"
    );
    assert_eq!(
        act(&app, &t.other_secretary, &id, "claims", None).await.0,
        404
    );
}

#[tokio::test]
async fn illegal_steps_answer_409_with_the_state_and_roles_stop_at_their_scope() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let id = filed(&app, &t.member_b, request("hotline", "修水龙头")).await;
    // Only dispatchers dispatch: a member 403, another township's admin 404.
    let body = Some(json!({"orgId": t.branch_a.id}));
    assert_eq!(
        act(&app, &t.member_a, &id, "dispatch", body.clone())
            .await
            .0,
        403
    );
    assert_eq!(
        act(&app, &t.other_admin, &id, "dispatch", body.clone())
            .await
            .0,
        404
    );
    // Not to another township's branch, nor to a group.
    let (s, _) = act(
        &app,
        &t.admin,
        &id,
        "dispatch",
        Some(json!({"orgId": t.other_branch.id})),
    )
    .await;
    assert_eq!(s, 404);
    let (s, e) = act(
        &app,
        &t.admin,
        &id,
        "dispatch",
        Some(json!({"orgId": t.group_a.id})),
    )
    .await;
    assert_eq!(
        (s, e["errors"][0]["code"].as_str()),
        (422, Some("service_request_assignee_invalid")),
        "{e}"
    );
    // Not started: nothing to start or complete.
    let (s, e) = act(&app, &t.operator, &id, "start", None).await;
    assert_eq!(s, 403, "{e}");
    assert_eq!(
        act(&app, &t.admin, &id, "dispatch", body.clone()).await.0,
        200
    );
    // Dispatched twice: 409 naming the state.
    let (s, e) = act(&app, &t.admin, &id, "dispatch", body.clone()).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (409, Some("service_request_state_conflict")),
        "{e}"
    );
    assert!(
        e["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("accepted"),
        "{e}"
    );
    // Rejecting needs a submitted request.
    let (s, e) = act(
        &app,
        &t.operator,
        &id,
        "reject",
        Some(json!({"reason": "out_of_scope"})),
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (409, Some("service_request_state_conflict")),
        "{e}"
    );
    // The branch sends it back (退单): its secretary, with a reason; a plain member cannot.
    assert_eq!(
        act(
            &app,
            &t.member_a,
            &id,
            "return",
            Some(json!({"reason": "不属于本村"}))
        )
        .await
        .0,
        403
    );
    assert_eq!(act(&app, &t.member_a, &id, "claims", None).await.0, 200);
    let (s, r) = act(
        &app,
        &t.secretary_a,
        &id,
        "return",
        Some(json!({"reason": "不属于本村"})),
    )
    .await;
    assert_eq!(
        (s, r["state"].as_str(), r["claimed"].as_u64()),
        (200, Some("submitted"), Some(0)),
        "{r}"
    );
    assert_eq!(
        r["reason"],
        json!({"code": "returned", "note": "不属于本村"})
    );
    // Branch A no longer sees it (member A's place was given back).
    assert_eq!(read(&app, &t.member_a2, &id).await.0, 404);
    // Now the operator may reject it as a duplicate, naming the original.
    let original = filed(&app, &t.member_b, request("hotline", "修水龙头")).await;
    let (s, e) = act(
        &app,
        &t.operator,
        &id,
        "reject",
        Some(json!({"reason": "duplicate"})),
    )
    .await;
    assert_eq!(
        (s, e["errors"][0]["code"].as_str()),
        (422, Some("service_request_reason_invalid")),
        "{e}"
    );
    let (s, r) = act(
        &app,
        &t.operator,
        &id,
        "reject",
        Some(json!({"reason": "duplicate", "duplicateOf": original})),
    )
    .await;
    assert_eq!(
        (s, r["state"].as_str(), r["duplicateOf"].as_str()),
        (200, Some("rejected"), Some(original.as_str())),
        "{r}"
    );
    // The filer cancels the original before it is served.
    let (s, r) = act(
        &app,
        &t.member_b,
        &original,
        "cancel",
        Some(json!({"note": "已自行解决"})),
    )
    .await;
    assert_eq!((s, r["state"].as_str()), (200, Some("cancelled")), "{r}");
    assert_eq!(
        act(&app, &t.member_a, &original, "cancel", Some(json!({})))
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn danger_to_life_is_refused_with_the_emergency_numbers_and_bad_fields_are_named() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let mut body = request("hotline", "邻居家着火了");
    let (s, e) = app
        .call(
            &t.member_b,
            Method::POST,
            "/api/v1/service-requests",
            Some(body.clone()),
        )
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("service_request_emergency")),
        "{e}"
    );
    assert!(
        e["title"].as_str().unwrap_or_default().contains("120"),
        "{e}"
    );
    body["title"] = json!("帮忙");
    body["contactPhone"] = json!("12345");
    body["photos"] = json!(["http://img.example.cn/a.jpg"]);
    let (s, e) = app
        .call(
            &t.member_b,
            Method::POST,
            "/api/v1/service-requests",
            Some(body),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let pointers: Vec<&str> = e["errors"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["pointer"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(pointers, ["/contactPhone", "/photos/0"], "{e}");
    // A member names no other township.
    let mut body = request("hotline", "帮忙");
    body["committeeId"] = json!(t.other_committee.id);
    let (s, _) = app
        .call(
            &t.member_b,
            Method::POST,
            "/api/v1/service-requests",
            Some(body),
        )
        .await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn deadlines_skip_holidays_and_stand_still_while_waiting_on_the_requester() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    // Friday 6 November is a holiday: a hotline call dispatched on Thursday is claimed by
    // the end of Monday 9 and completed by the end of Wednesday 11.
    let (s, c) = app
        .call(
            &t.admin,
            Method::PUT,
            &format!("/api/v1/orgs/{}/holidays/2026", t.committee.id),
            Some(json!({"holidays": ["2026-11-06"], "workdays": []})),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    let id = dispatched_to_a(&app, &t, 1).await;
    let (_, r) = read(&app, &t.operator, &id).await;
    assert_eq!(
        (r["claimDue"].as_str(), r["completeDue"].as_str()),
        (
            Some("2026-11-10T00:00:00+08:00"),
            Some("2026-11-12T00:00:00+08:00")
        ),
        "{r}"
    );
    // Nobody claims: overdue after Monday, listed as such for the dispatcher.
    app.clock.advance(Duration::days(5));
    let (_, r) = read(&app, &t.operator, &id).await;
    assert_eq!(r["overdue"], true, "{r}");
    let (_, l) = app
        .call(
            &t.operator,
            Method::GET,
            "/api/v1/service-requests?overdue=true",
            None,
        )
        .await;
    assert_eq!(l["items"].as_array().map(Vec::len), Some(1), "{l}");
    // Waiting on the requester: not overdue, and the wait moves the deadlines on.
    let (s, r) = act(
        &app,
        &t.operator,
        &id,
        "pause",
        Some(json!({"note": "联系不上求助人"})),
    )
    .await;
    assert_eq!(
        (s, r["waitingOnRequester"].as_bool(), r["overdue"].as_bool()),
        (200, Some(true), Some(false)),
        "{r}"
    );
    let (s, e) = act(&app, &t.member_a, &id, "claims", None).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (409, Some("service_request_state_conflict")),
        "{e}"
    );
    app.clock.advance(Duration::days(2));
    let (s, r) = act(&app, &t.operator, &id, "resume", None).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["completeDue"], "2026-11-14T00:00:00+08:00", "{r}");
    let (_, l) = app
        .call(
            &t.operator,
            Method::GET,
            "/api/v1/service-requests?overdue=true&state=accepted",
            None,
        )
        .await;
    assert_eq!(
        l["items"].as_array().map(Vec::len),
        Some(1),
        "claim deadline moved to the 12th, still past: {l}"
    );
}

#[tokio::test]
async fn an_unsatisfied_follow_up_reopens_and_a_satisfied_one_closes() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    // The operator files for a caller without WeChat.
    let id = filed(&app, &t.operator, request("home_visit", "上门陪护聊天")).await;
    let (_, r) = read(&app, &t.operator, &id).await;
    assert_eq!(r["filedBy"], "operator");
    assert_eq!(
        act(
            &app,
            &t.operator,
            &id,
            "dispatch",
            Some(json!({"orgId": t.branch_a.id}))
        )
        .await
        .0,
        200
    );
    for step in ["claims", "start"] {
        assert_eq!(act(&app, &t.member_a, &id, step, None).await.0, 200);
    }
    let done = json!({"summary": "陪老人聊天两小时", "hours": [{"memberId": t.member_a.id, "minutes": 120}]});
    assert_eq!(
        act(&app, &t.member_a, &id, "complete", Some(done.clone()))
            .await
            .0,
        200
    );
    // A caller without WeChat does not rate in the app: the operator's call does.
    assert_eq!(
        act(&app, &t.operator, &id, "rating", Some(json!({"rating": 4})))
            .await
            .0,
        403
    );
    let (s, r) = act(
        &app,
        &t.operator,
        &id,
        "follow-up",
        Some(json!({"satisfied": false, "rating": 2, "comment": "没有按约定时间来"})),
    )
    .await;
    assert_eq!(
        (s, r["state"].as_str(), r["claimed"].as_u64()),
        (200, Some("accepted"), Some(0)),
        "{r}"
    );
    for step in ["claims", "start"] {
        assert_eq!(act(&app, &t.member_a2, &id, step, None).await.0, 200);
    }
    let done =
        json!({"summary": "按时上门陪护", "hours": [{"memberId": t.member_a2.id, "minutes": 120}]});
    assert_eq!(
        act(&app, &t.member_a2, &id, "complete", Some(done)).await.0,
        200
    );
    let (s, r) = act(
        &app,
        &t.operator,
        &id,
        "follow-up",
        Some(json!({"satisfied": true, "rating": 5})),
    )
    .await;
    assert_eq!(
        (s, r["state"].as_str(), r["followedUp"].as_bool()),
        (200, Some("closed"), Some(true)),
        "{r}"
    );
}

#[tokio::test]
async fn a_wish_on_the_township_wish_list_is_claimed_by_any_member_of_the_township() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let id = filed(&app, &t.member_a, request("wish", "想要一套儿童读物")).await;
    // Only a wish goes to the township itself.
    let other = filed(&app, &t.member_a, request("hotline", "帮忙")).await;
    let (s, _) = act(
        &app,
        &t.operator,
        &other,
        "dispatch",
        Some(json!({"orgId": t.committee.id})),
    )
    .await;
    assert_eq!(s, 422);
    let (s, r) = act(
        &app,
        &t.operator,
        &id,
        "dispatch",
        Some(json!({"orgId": t.committee.id})),
    )
    .await;
    assert_eq!(
        (s, r["assignee"]["kind"].as_str()),
        (200, Some("wish_list")),
        "{r}"
    );
    // Listed, masked, to branch B's member, who claims it; the other township sees nothing.
    let (_, l) = app
        .call(
            &t.member_b,
            Method::GET,
            "/api/v1/service-requests?kind=wish",
            None,
        )
        .await;
    assert_eq!(l["items"][0]["contact"]["masked"], true, "{l}");
    assert_eq!(l["items"][0]["claimable"], true, "{l}");
    assert_eq!(
        act(&app, &t.other_secretary, &id, "claims", None).await.0,
        404
    );
    assert_eq!(act(&app, &t.member_b, &id, "claims", None).await.0, 200);
}

/// The member's ledger entries as they read them.
async fn my_hours(app: &TestApp, who: &Member) -> Value {
    let (s, l) = app
        .call(who, Method::GET, "/api/v1/me/volunteer-hours", None)
        .await;
    assert_eq!(s, 200, "{l}");
    l
}

#[tokio::test]
async fn a_completion_credits_each_volunteer_in_the_ledger_pending_the_operators_confirmation() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let id = dispatched_to_a(&app, &t, 2).await;
    for who in [&t.member_a, &t.member_a2] {
        assert_eq!(act(&app, who, &id, "claims", None).await.0, 200);
    }
    assert_eq!(act(&app, &t.member_a2, &id, "start", None).await.0, 200);
    let (s, r) = act(
        &app,
        &t.member_a2,
        &id,
        "complete",
        Some(json!({"summary": "两人上门送药", "hours": [
            {"memberId": t.member_a.id, "minutes": 45},
            {"memberId": t.member_a2.id, "minutes": 60},
        ]})),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    let mine = my_hours(&app, &t.member_a).await;
    let entry = &mine["items"][0];
    assert_eq!(
        (entry["minutes"].as_i64(), entry["status"].as_str()),
        (Some(45), Some("pending")),
        "{mine}"
    );
    assert_eq!(
        mine["totals"]["serviceMinutes"], 0,
        "pending counts nothing: {mine}"
    );
    // The township's operator confirms it; then it counts.
    let entry_id = entry["id"].as_str().unwrap_or_default().to_owned();
    let (s, e) = app
        .call(
            &t.operator,
            Method::POST,
            &format!("/api/v1/volunteer-hours/{entry_id}/decision"),
            Some(json!({"decision": "approve"})),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(
        my_hours(&app, &t.member_a).await["totals"]["serviceMinutes"],
        45
    );
    assert_eq!(
        my_hours(&app, &t.member_a2).await["items"][0]["minutes"],
        60
    );
}

#[tokio::test]
async fn a_request_sent_to_a_team_is_claimed_by_its_active_members_and_led_by_its_leader() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    // A team led by member B, joined by member A2 (of another branch).
    let (s, team) = app
        .call(
            &t.admin,
            Method::POST,
            &format!("/api/v1/orgs/{}/volunteer-teams", t.committee.id),
            Some(json!({"name": "医疗服务队", "skills": ["护理"], "leaderId": t.member_b.id})),
        )
        .await;
    assert_eq!(s, 201, "{team}");
    let team = team["id"].as_str().unwrap_or_default().to_owned();
    let (s, j) = app
        .call(
            &t.member_a2,
            Method::POST,
            &format!("/api/v1/volunteer-teams/{team}/join-requests"),
            Some(json!({"note": "退休护士"})),
        )
        .await;
    assert_eq!(s, 201, "{j}");
    let (s, d) = app
        .call(
            &t.member_b,
            Method::POST,
            &format!(
                "/api/v1/volunteer-teams/{team}/members/{}/decision",
                t.member_a2.id
            ),
            Some(json!({"decision": "approve"})),
        )
        .await;
    assert_eq!(s, 200, "{d}");
    let id = filed(&app, &t.operator, request("home_visit", "上门换药")).await;
    // orgId and teamId: one of them.
    let (s, e) = act(
        &app,
        &t.operator,
        &id,
        "dispatch",
        Some(json!({"orgId": t.branch_a.id, "teamId": team})),
    )
    .await;
    assert_eq!(s, 422, "{e}");
    let (s, r) = act(
        &app,
        &t.operator,
        &id,
        "dispatch",
        Some(json!({"teamId": team})),
    )
    .await;
    assert_eq!(
        (s, r["assignee"]["kind"].as_str()),
        (200, Some("team")),
        "{r}"
    );
    // Branch A's other members have no business with it; the team's member claims it.
    assert_eq!(read(&app, &t.member_a, &id).await.0, 404);
    let (_, l) = app
        .call(&t.member_a2, Method::GET, "/api/v1/service-requests", None)
        .await;
    assert_eq!(l["items"][0]["id"].as_str(), Some(id.as_str()), "{l}");
    assert_eq!(act(&app, &t.member_a2, &id, "claims", None).await.0, 200);
    // The leader sends it back as misrouted.
    let (s, r) = act(
        &app,
        &t.member_b,
        &id,
        "return",
        Some(json!({"reason": "需要专业医护"})),
    )
    .await;
    assert_eq!((s, r["state"].as_str()), (200, Some("submitted")), "{r}");
}

#[tokio::test]
async fn the_branch_asks_for_more_working_days_and_the_dispatcher_decides() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let id = dispatched_to_a(&app, &t, 1).await;
    assert_eq!(act(&app, &t.member_a, &id, "claims", None).await.0, 200);
    let ask = json!({"days": 2, "reason": "需要等待药品到货"});
    // A member of the branch without a place or role: 403; too many days: 422.
    assert_eq!(
        act(&app, &t.member_a2, &id, "extension", Some(ask.clone()))
            .await
            .0,
        403
    );
    let (s, e) = act(
        &app,
        &t.secretary_a,
        &id,
        "extension",
        Some(json!({"days": 31, "reason": "太久"})),
    )
    .await;
    assert_eq!(
        (s, e["errors"][0]["code"].as_str()),
        (422, Some("service_request_extension_invalid")),
        "{e}"
    );
    let (s, r) = act(&app, &t.secretary_a, &id, "extension", Some(ask.clone())).await;
    assert_eq!((s, r["extension"]["days"].as_u64()), (200, Some(2)), "{r}");
    let (s, e) = act(&app, &t.member_a, &id, "extension", Some(ask)).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (409, Some("service_request_extension_pending")),
        "{e}"
    );
    // Only the dispatcher decides; due Tuesday 10th → Thursday 12th.
    let approve = json!({"decision": "approve"});
    assert_eq!(
        act(
            &app,
            &t.secretary_a,
            &id,
            "extension/decision",
            Some(approve.clone())
        )
        .await
        .0,
        403
    );
    let (s, r) = act(
        &app,
        &t.operator,
        &id,
        "extension/decision",
        Some(approve.clone()),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(
        (r["completeDue"].as_str(), r["extension"].is_null()),
        (Some("2026-11-13T00:00:00+08:00"), true),
        "{r}"
    );
    let (_, r) = read(&app, &t.member_b, &id).await;
    assert_eq!(
        r["expectedAt"], "2026-11-13T00:00:00+08:00",
        "the requester sees it: {r}"
    );
    let (s, e) = act(&app, &t.operator, &id, "extension/decision", Some(approve)).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (409, Some("service_request_extension_missing")),
        "{e}"
    );
}

#[tokio::test]
async fn held_text_is_listed_for_the_operator_and_released_before_dispatch() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let id = filed(&app, &t.member_b, request("hotline", "帮忙买药")).await;
    // A member's text is not held; approving it is refused with the state.
    let (s, e) = act(&app, &t.operator, &id, "text-approval", None).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (409, Some("service_request_state_conflict")),
        "{e}"
    );
    let (_, l) = app
        .call(
            &t.operator,
            Method::GET,
            "/api/v1/service-requests?moderation=held",
            None,
        )
        .await;
    assert_eq!(l["items"].as_array().map(Vec::len), Some(0), "{l}");
}

#[tokio::test]
async fn dispatch_suggestions_put_matching_teams_first_then_the_least_loaded() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    for (name, skill) in [("维修服务队", "水电维修"), ("医疗服务队", "护理")] {
        let (s, team) = app
            .call(
                &t.admin,
                Method::POST,
                &format!("/api/v1/orgs/{}/volunteer-teams", t.committee.id),
                Some(json!({"name": name, "skills": [skill], "leaderId": t.member_b.id})),
            )
            .await;
        assert_eq!(s, 201, "{team}");
    }
    // Branch A already has a request in hand.
    dispatched_to_a(&app, &t, 1).await;
    let mut body = request("home_visit", "上门换药");
    body["description"] = json!("腿部伤口需要护理换药");
    let id = filed(&app, &t.member_b, body).await;
    let path = format!("/api/v1/service-requests/{id}/dispatch-suggestions");
    let (s, l) = app.call(&t.operator, Method::GET, &path, None).await;
    assert_eq!(s, 200, "{l}");
    let names: Vec<&str> = l["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names[0], "医疗服务队", "{l}");
    assert_eq!(l["items"][0]["skillMatch"], true);
    let a = l["items"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["id"] == json!(t.branch_a.id)))
        .cloned()
        .unwrap_or_default();
    assert_eq!(a["load"], 1, "{l}");
    // Asked for a skill: that team first.
    let (_, l) = app
        .call(
            &t.operator,
            Method::GET,
            &format!("{path}?skill=水电维修"),
            None,
        )
        .await;
    assert_eq!(l["items"][0]["name"], "维修服务队", "{l}");
    // A member may not; another township sees no such request.
    assert_eq!(app.call(&t.member_a, Method::GET, &path, None).await.0, 403);
    assert_eq!(
        app.call(&t.other_admin, Method::GET, &path, None).await.0,
        404
    );
}
