//! Professional teams (专业队伍): formed by the township admin, seen by the township's
//! members, joined on request and approval, left or removed, dissolved; out of scope is 404
//! as a missing id, a leader's act by a member who leads nothing is 403; and the questions
//! the request lifecycle asks of the repository.

use chrono::Duration;
use reqwest::Method;
use serde_json::{json, Value};
use tests::fixtures::Township;
use tests::TestApp;

use domain::clock::Clock;
use domain::org::{Member, Org};
use domain::volunteer::{TeamId, TeamRepo};

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

async fn form(app: &TestApp, who: &Member, org: &Org, body: Value) -> (u16, Value) {
    app.call(
        who,
        Method::POST,
        &format!("/api/v1/orgs/{}/volunteer-teams", org.id),
        Some(body),
    )
    .await
}

/// A team of the home committee led by `leader`, formed by its admin: its id.
async fn formed(app: &TestApp, t: &Township, name: &str, leader: &Member) -> String {
    let (s, team) = form(
        app,
        &t.admin,
        &t.committee,
        json!({"name": name, "leaderId": leader.id}),
    )
    .await;
    assert_eq!(s, 201, "{team}");
    team["id"].as_str().unwrap().to_owned()
}

async fn join(app: &TestApp, who: &Member, team: &str) -> (u16, Value) {
    app.clock.advance(Duration::seconds(1));
    app.call(
        who,
        Method::POST,
        &format!("/api/v1/volunteer-teams/{team}/join-requests"),
        Some(json!({"note": "退休护士", "skills": ["护理", " 护理 ", "急救"]})),
    )
    .await
}

async fn decide(
    app: &TestApp,
    who: &Member,
    team: &str,
    member: &Member,
    body: Value,
) -> (u16, Value) {
    app.call(
        who,
        Method::POST,
        &format!(
            "/api/v1/volunteer-teams/{team}/members/{}/decision",
            member.id
        ),
        Some(body),
    )
    .await
}

async fn approve(app: &TestApp, who: &Member, team: &str, member: &Member) -> (u16, Value) {
    decide(app, who, team, member, json!({"decision": "approve"})).await
}

async fn remove(app: &TestApp, who: &Member, team: &str, member: &Member) -> (u16, Value) {
    app.call(
        who,
        Method::DELETE,
        &format!("/api/v1/volunteer-teams/{team}/members/{}", member.id),
        None,
    )
    .await
}

async fn detail(app: &TestApp, who: &Member, team: &str) -> (u16, Value) {
    app.call(
        who,
        Method::GET,
        &format!("/api/v1/volunteer-teams/{team}"),
        None,
    )
    .await
}

fn listed(detail: &Value, member: &Member) -> Option<Value> {
    detail["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["memberId"] == member.id.to_string())
        .cloned()
}

async fn team_ids(app: &TestApp, who: &Member) -> Vec<String> {
    let (s, page) = app
        .call(who, Method::GET, "/api/v1/volunteer-teams", None)
        .await;
    assert_eq!(s, 200, "{page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn volunteer_an_admin_forms_a_team_its_township_sees_and_no_other() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let (s, team) = form(
        &app,
        &t.admin,
        &t.committee,
        json!({"name": " 医疗服务队 ", "skills": ["医疗", " 急救 ", "医疗"], "leaderId": t.member_b.id}),
    )
    .await;
    assert_eq!(s, 201, "{team}");
    assert_eq!(team["name"], "医疗服务队");
    assert_eq!(team["skills"], json!(["医疗", "急救"]));
    assert_eq!(
        (team["status"].as_str(), team["committeeId"].as_str()),
        (Some("active"), Some(t.committee.id.to_string().as_str()))
    );
    let id = team["id"].as_str().unwrap().to_owned();

    for who in [&t.member_a, &t.secretary_a, &t.admin, &t.operator] {
        assert_eq!(team_ids(&app, who).await, std::slice::from_ref(&id));
        assert_eq!(detail(&app, who, &id).await.0, 200);
    }
    for who in [&t.other_secretary, &t.other_admin] {
        assert!(team_ids(&app, who).await.is_empty());
        let (s, p) = detail(&app, who, &id).await;
        assert_eq!((s, code(&p)), (404, "resource_not_found"));
    }
    let (_, d) = detail(&app, &t.member_a, &id).await;
    let leader = listed(&d, &t.member_b).unwrap();
    assert_eq!(
        (leader["leader"].as_bool(), leader["status"].as_str()),
        (Some(true), Some("active"))
    );
    assert_eq!(
        leader["phone"],
        t.member_b.phone.masked(),
        "a branch-A member sees B's phone masked"
    );
    let (_, d) = detail(&app, &t.admin, &id).await;
    assert_eq!(
        listed(&d, &t.member_b).unwrap()["phone"],
        t.member_b.phone.as_str()
    );
}

#[tokio::test]
async fn volunteer_forming_a_team_is_for_the_township_admin_of_that_committee() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let body = |name: &str, leader: &Member| json!({"name": name, "leaderId": leader.id});
    formed(&app, &t, "医疗服务队", &t.member_b).await;
    // No township-admin role anywhere: 403, whatever the org.
    for who in [&t.secretary_a, &t.member_a, &t.operator] {
        let (s, p) = form(&app, who, &t.committee, body("法律服务队", &t.member_a)).await;
        assert_eq!((s, code(&p)), (403, "permission_denied"), "{p}");
    }
    // Another township's admin: 404, as for a missing org.
    let (s, _) = form(
        &app,
        &t.other_admin,
        &t.committee,
        body("法律服务队", &t.member_a),
    )
    .await;
    assert_eq!(s, 404);
    let (s, p) = form(&app, &t.admin, &t.branch_a, body("法律服务队", &t.member_a)).await;
    assert_eq!(
        (s, code(&p)),
        (422, "volunteer_team_needs_committee"),
        "{p}"
    );
    let (s, p) = form(
        &app,
        &t.admin,
        &t.committee,
        body("医疗服务队", &t.member_a),
    )
    .await;
    assert_eq!((s, code(&p)), (409, "volunteer_team_name_taken"), "{p}");
    let (s, p) = form(
        &app,
        &t.admin,
        &t.committee,
        body("法律服务队", &t.other_secretary),
    )
    .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(field_codes(&p), ["volunteer_team_leader_invalid"]);
    let eleven: Vec<String> = (0..11).map(|i| format!("技能{i}")).collect();
    let (s, _) = form(
        &app,
        &t.admin,
        &t.committee,
        json!({"name": "队", "skills": eleven, "leaderId": t.member_a.id}),
    )
    .await;
    assert_eq!(s, 422);
    let (s, p) = form(
        &app,
        &t.admin,
        &t.committee,
        body(&"队".repeat(31), &t.member_a),
    )
    .await;
    assert_eq!(s, 422, "{p}");
}

#[tokio::test]
async fn volunteer_a_member_joins_on_approval_and_is_then_listed() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let team = formed(&app, &t, "医疗服务队", &t.member_b).await;
    let (s, m) = join(&app, &t.member_a, &team).await;
    assert_eq!(s, 201, "{m}");
    assert_eq!(
        (m["status"].as_str(), m["skills"].clone()),
        (Some("pending"), json!(["护理", "急救"]))
    );
    let (s, p) = join(&app, &t.member_a, &team).await;
    assert_eq!((s, code(&p)), (409, "volunteer_team_request_pending"));

    // The pending request: the leader and the admin see it, other members do not.
    let (_, d) = detail(&app, &t.member_b, &team).await;
    assert_eq!(listed(&d, &t.member_a).unwrap()["status"], "pending");
    assert_eq!(listed(&d, &t.member_a).unwrap()["note"], "退休护士");
    assert_eq!(d["managesMembers"], true);
    let (_, d) = detail(&app, &t.member_a2, &team).await;
    assert!(listed(&d, &t.member_a).is_none());
    assert_eq!(d["managesMembers"], false);
    let (_, d) = detail(&app, &t.member_a, &team).await;
    assert_eq!(
        listed(&d, &t.member_a).unwrap()["status"],
        "pending",
        "one's own"
    );

    let (s, m) = approve(&app, &t.member_b, &team, &t.member_a).await;
    assert_eq!(s, 200, "{m}");
    assert_eq!(
        (m["status"].as_str(), m["decidedBy"].as_str()),
        (Some("active"), Some(t.member_b.id.to_string().as_str()))
    );
    let (s, p) = approve(&app, &t.admin, &team, &t.member_a).await;
    assert_eq!((s, code(&p)), (409, "volunteer_team_request_not_pending"));
    let (s, p) = join(&app, &t.member_a, &team).await;
    assert_eq!((s, code(&p)), (409, "volunteer_team_already_member"));

    let (_, d) = detail(&app, &t.member_a2, &team).await;
    let a = listed(&d, &t.member_a).unwrap();
    assert_eq!(
        (a["status"].as_str(), a["name"].as_str()),
        (Some("active"), Some(t.member_a.name.as_str()))
    );
    assert_eq!(a["phone"], t.member_a.phone.masked());
    assert!(
        a["note"].is_null(),
        "a member's note is for the leader and admins"
    );
    let (_, d) = detail(&app, &t.secretary_a, &team).await;
    assert_eq!(
        listed(&d, &t.member_a).unwrap()["phone"],
        t.member_a.phone.as_str(),
        "their secretary sees it whole"
    );

    let repos = app.db.repos();
    let id = TeamId::from_uuid(team.parse().unwrap());
    let active = TeamRepo::active_member_ids(&repos, id).await.unwrap();
    assert_eq!(active.len(), 2);
    assert!(active.contains(&t.member_a.id) && active.contains(&t.member_b.id));
    assert!(TeamRepo::is_active_member(&repos, id, t.member_a.id)
        .await
        .unwrap());
    assert!(!TeamRepo::is_active_member(&repos, id, t.member_a2.id)
        .await
        .unwrap());
    let teams = TeamRepo::teams_of_member(&repos, t.member_a.id)
        .await
        .unwrap();
    assert_eq!(teams.iter().map(|t| t.id).collect::<Vec<_>>(), [id]);
}

#[tokio::test]
async fn volunteer_only_the_leader_or_an_admin_decides_and_a_rejection_says_why() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let team = formed(&app, &t, "医疗服务队", &t.member_b).await;
    let other_team = formed(&app, &t, "法律服务队", &t.member_a2).await;
    assert_eq!(join(&app, &t.member_a, &team).await.0, 201);
    // Leads nothing, holds no township-admin role: 403 for any team, real or random.
    for who in [&t.secretary_a, &t.operator] {
        for id in [team.clone(), uuid::Uuid::new_v4().to_string()] {
            let (s, p) = approve(&app, who, &id, &t.member_a).await;
            assert_eq!((s, code(&p)), (403, "permission_denied"), "{p}");
        }
    }
    // Leads another team: this one is none of theirs.
    assert_eq!(approve(&app, &t.member_a2, &team, &t.member_a).await.0, 404);
    assert_eq!(
        approve(&app, &t.other_admin, &team, &t.member_a).await.0,
        404
    );
    assert_eq!(
        approve(&app, &t.member_b, &other_team, &t.member_a).await.0,
        404,
        "not their team"
    );
    let (s, p) = decide(
        &app,
        &t.member_b,
        &team,
        &t.member_a,
        json!({"decision": "reject"}),
    )
    .await;
    assert_eq!(s, 422);
    assert_eq!(field_codes(&p), ["review_reason_required"]);
    let (s, m) = decide(
        &app,
        &t.admin,
        &team,
        &t.member_a,
        json!({"decision": "reject", "reason": "暂不缺人"}),
    )
    .await;
    assert_eq!(s, 200, "{m}");
    assert_eq!(
        (m["status"].as_str(), m["reason"].as_str()),
        (Some("rejected"), Some("暂不缺人"))
    );
    // Turned down, one may ask again.
    assert_eq!(join(&app, &t.member_a, &team).await.0, 201);
}

#[tokio::test]
async fn volunteer_members_leave_or_are_removed_and_the_leader_stays() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let team = formed(&app, &t, "医疗服务队", &t.member_b).await;
    for m in [&t.member_a, &t.member_a2] {
        assert_eq!(join(&app, m, &team).await.0, 201);
        assert_eq!(approve(&app, &t.member_b, &team, m).await.0, 200);
    }
    assert_eq!(
        remove(&app, &t.member_a, &team, &t.member_a).await.0,
        204,
        "leaves"
    );
    assert_eq!(
        remove(&app, &t.member_a, &team, &t.member_a).await.0,
        404,
        "gone already"
    );
    // A plain member removing someone else: 403; another township's admin: 404.
    assert_eq!(remove(&app, &t.member_a, &team, &t.member_a2).await.0, 403);
    assert_eq!(
        remove(&app, &t.other_admin, &team, &t.member_a2).await.0,
        404
    );
    let (s, p) = remove(&app, &t.member_b, &team, &t.member_b).await;
    assert_eq!((s, code(&p)), (409, "volunteer_team_leader_stays"));
    assert_eq!(
        remove(&app, &t.member_b, &team, &t.member_a2).await.0,
        204,
        "the leader removes"
    );
    let repos = app.db.repos();
    let id = TeamId::from_uuid(team.parse().unwrap());
    assert_eq!(
        TeamRepo::active_member_ids(&repos, id).await.unwrap(),
        [t.member_b.id]
    );
    assert_eq!(
        join(&app, &t.member_a, &team).await.0,
        201,
        "one may come back"
    );
}

#[tokio::test]
async fn volunteer_the_admin_renames_changes_the_leader_and_dissolves_a_team() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let team = formed(&app, &t, "医疗服务队", &t.member_b).await;
    formed(&app, &t, "法律服务队", &t.member_b).await;
    let path = format!("/api/v1/volunteer-teams/{team}");
    let patch = |who: &Member, body: Value| {
        let (app, path, who) = (&app, path.clone(), who.clone());
        async move { app.call(&who, Method::PATCH, &path, Some(body)).await }
    };
    assert_eq!(
        patch(&t.member_b, json!({"name": "新名"})).await.0,
        403,
        "leading is not administering"
    );
    assert_eq!(patch(&t.other_admin, json!({"name": "新名"})).await.0, 404);
    let (s, p) = patch(&t.admin, json!({"name": "法律服务队"})).await;
    assert_eq!((s, code(&p)), (409, "volunteer_team_name_taken"));
    let (s, v) = patch(
        &t.admin,
        json!({"name": "医疗护理队", "skills": ["护理"], "leaderId": t.member_a.id}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["name"].as_str(), v["leaderId"].as_str()),
        (Some("医疗护理队"), Some(t.member_a.id.to_string().as_str()))
    );
    let repos = app.db.repos();
    let id = TeamId::from_uuid(team.parse().unwrap());
    assert!(
        TeamRepo::is_active_member(&repos, id, t.member_a.id)
            .await
            .unwrap(),
        "the new leader is in"
    );

    let (s, v) = patch(&t.admin, json!({"dissolve": true})).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("dissolved")));
    let (s, p) = patch(&t.admin, json!({"name": "再改"})).await;
    assert_eq!((s, code(&p)), (409, "volunteer_team_dissolved"));
    let (s, p) = join(&app, &t.member_a2, &team).await;
    assert_eq!((s, code(&p)), (409, "volunteer_team_dissolved"));
    assert!(
        TeamRepo::active_member_ids(&repos, id)
            .await
            .unwrap()
            .is_empty(),
        "a dissolved team has no active members"
    );
    assert!(TeamRepo::teams_of_member(&repos, t.member_a.id)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn volunteer_only_members_of_the_township_ask_to_join() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let team = formed(&app, &t, "医疗服务队", &t.member_b).await;
    for who in [&t.other_secretary, &t.other_admin] {
        let (s, p) = join(&app, who, &team).await;
        assert_eq!((s, code(&p)), (404, "resource_not_found"), "{p}");
    }
    let (s, p) = app
        .call(
            &t.member_a,
            Method::POST,
            &format!("/api/v1/volunteer-teams/{team}/join-requests"),
            Some(json!({"note": " "})),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(field_codes(&p), ["volunteer_team_note_invalid"]);
    let (s, _) = app
        .call(
            &t.member_a,
            Method::POST,
            &format!("/api/v1/volunteer-teams/{team}/join-requests"),
            Some(json!({})),
        )
        .await;
    assert_eq!(s, 201, "note and skills are optional");
}
