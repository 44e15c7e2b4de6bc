//! domain.md's who-may-do-what table through the API: inside scope it works, outside it
//! is 404, and with no role that could do it anywhere it is 403.

use reqwest::Method;
use serde_json::{json, Value};
use tests::fixtures::Township;
use tests::{json_body, TestApp};

use domain::clock::Clock;
use domain::org::Member;

struct World {
    app: TestApp,
    t: Township,
}

impl World {
    async fn new() -> Self {
        let app = TestApp::spawn().await;
        let t = Township::create(&app.db, app.clock.now()).await;
        Self { app, t }
    }

    async fn get(&self, who: &Member, path: &str) -> (u16, Value) {
        let res = self
            .app
            .send_as(&self.app.token_for(who.id), Method::GET, path)
            .await;
        let status = res.status().as_u16();
        (status, json_body(res).await)
    }

    /// Sends `body` as JSON (`Null`: no body at all).
    async fn send(&self, who: &Member, method: Method, path: &str, body: Value) -> (u16, Value) {
        let token = self.app.token_for(who.id);
        let res = if body.is_null() {
            self.app.send_as(&token, method, path).await
        } else {
            self.app.send_json_as(&token, method, path, &body).await
        };
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

fn phones(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["phone"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn orgs_are_read_by_members_inside_them_and_by_roles_covering_them() {
    let w = World::new().await;
    let t = &w.t;
    let a = format!("/api/v1/orgs/{}", t.branch_a.id);
    let b = format!("/api/v1/orgs/{}", t.branch_b.id);
    assert_eq!(w.get(&t.member_a, &a).await.0, 200);
    assert_eq!(
        w.get(&t.member_a, &format!("/api/v1/orgs/{}", t.committee.id))
            .await
            .0,
        200
    );
    assert_eq!(w.get(&t.member_a, &b).await.0, 404);
    assert_eq!(
        w.get(&t.secretary_a, &format!("/api/v1/orgs/{}", t.group_a.id))
            .await
            .0,
        200
    );
    assert_eq!(w.get(&t.secretary_a, &b).await.0, 404);
    assert_eq!(w.get(&t.admin, &a).await.0, 200);
    assert_eq!(w.get(&t.other_admin, &a).await.0, 404);
    assert_eq!(w.get(&t.admin, "/api/v1/orgs/not-an-id").await.0, 404);

    let (status, children) = w
        .get(
            &t.admin,
            &format!("/api/v1/orgs/{}/children", t.committee.id),
        )
        .await;
    assert_eq!(status, 200);
    let names: Vec<_> = children["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].clone())
        .collect();
    assert_eq!(names, vec![json!("虞北村党总支"), json!("镇机关党支部")]);
    assert_eq!(
        w.get(
            &t.member_b,
            &format!("/api/v1/orgs/{}/children", t.branch_a.id)
        )
        .await
        .0,
        404
    );
}

#[tokio::test]
async fn member_lists_mask_phones_except_for_the_member_secretaries_and_admins() {
    let w = World::new().await;
    let t = &w.t;
    let path = format!("/api/v1/orgs/{}/members", t.branch_a.id);

    let (status, as_member) = w.get(&t.member_a, &path).await;
    assert_eq!(status, 200);
    let shown = phones(&as_member);
    assert!(
        shown.contains(&t.member_a.phone.as_str().to_owned()),
        "own phone in full"
    );
    assert!(
        shown.contains(&t.member_a2.phone.masked()),
        "a colleague's masked"
    );
    assert!(!shown.contains(&t.member_a2.phone.as_str().to_owned()));

    let (_, as_committee) = w.get(&t.committee_a, &path).await;
    assert!(phones(&as_committee).contains(&t.member_a2.phone.masked()));
    let (_, as_secretary) = w.get(&t.secretary_a, &path).await;
    assert!(phones(&as_secretary).contains(&t.member_a2.phone.as_str().to_owned()));

    assert_eq!(
        w.get(
            &t.member_a,
            &format!("/api/v1/orgs/{}/members", t.branch_b.id)
        )
        .await
        .0,
        404
    );
    assert_eq!(
        w.get(
            &t.secretary_a,
            &format!("/api/v1/orgs/{}/members", t.branch_b.id)
        )
        .await
        .0,
        404
    );
    let subtree = format!(
        "/api/v1/orgs/{}/members?includeSubtree=true&q=%E5%85%9A%E5%91%98",
        t.committee.id
    );
    let (status, everyone) = w.get(&t.admin, &subtree).await;
    assert_eq!(status, 200);
    assert_eq!(
        everyone["items"].as_array().unwrap().len(),
        3,
        "党员甲, 党员乙, 党员丙"
    );
    assert_eq!(w.get(&t.other_admin, &subtree).await.0, 404);

    let one = format!("/api/v1/members/{}", t.member_a2.id);
    assert_eq!(
        w.get(&t.member_a, &one).await.1["phone"],
        t.member_a2.phone.masked()
    );
    assert_eq!(
        w.get(&t.admin, &one).await.1["phone"],
        t.member_a2.phone.as_str()
    );
    assert_eq!(w.get(&t.member_b, &one).await.0, 404);
}

#[tokio::test]
async fn members_are_created_by_secretaries_and_admins_within_scope_only() {
    let w = World::new().await;
    let t = &w.t;
    let new = |phone: &str| json!({"name": "新党员", "phone": phone, "category": "rural"});
    let into = |org: &domain::org::Org| format!("/api/v1/orgs/{}/members", org.id);

    assert_eq!(
        w.send(
            &t.member_a,
            Method::POST,
            &into(&t.branch_a),
            new("13700000001")
        )
        .await
        .0,
        403
    );
    let (status, created) = w
        .send(
            &t.secretary_a,
            Method::POST,
            &into(&t.branch_a),
            new("+86 137-0000-0002"),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(created["phone"], "13700000002");
    assert_eq!(
        w.send(
            &t.secretary_a,
            Method::POST,
            &into(&t.group_a),
            new("13700000003")
        )
        .await
        .0,
        201
    );
    assert_eq!(
        w.send(
            &t.secretary_a,
            Method::POST,
            &into(&t.branch_b),
            new("13700000004")
        )
        .await
        .0,
        404
    );
    assert_eq!(
        w.send(
            &t.admin,
            Method::POST,
            &into(&t.branch_b),
            new("13700000005")
        )
        .await
        .0,
        201
    );
    assert_eq!(
        w.send(
            &t.other_admin,
            Method::POST,
            &into(&t.branch_a),
            new("13700000006")
        )
        .await
        .0,
        404
    );
    assert_eq!(
        w.send(
            &t.committee_a,
            Method::POST,
            &into(&t.branch_a),
            new("13700000007")
        )
        .await
        .0,
        403
    );

    let (status, dup) = w
        .send(
            &t.admin,
            Method::POST,
            &into(&t.branch_b),
            new("13700000005"),
        )
        .await;
    assert_eq!(
        (status, dup["code"].as_str()),
        (409, Some("member_phone_taken"))
    );
    let (status, bad) = w
        .send(&t.admin, Method::POST, &into(&t.branch_b), new("12345"))
        .await;
    assert_eq!(
        (status, bad["errors"][0]["pointer"].as_str()),
        (422, Some("/phone"))
    );
    let (status, bad) = w
        .send(
            &t.admin,
            Method::POST,
            &into(&t.committee),
            new("13700000008"),
        )
        .await;
    assert_eq!(
        (status, bad["errors"][0]["code"].as_str()),
        (422, Some("member_org_not_a_branch"))
    );
}

#[tokio::test]
async fn transfers_need_both_ends_in_scope_and_deactivation_ends_sessions() {
    let w = World::new().await;
    let t = &w.t;
    let a1 = format!("/api/v1/members/{}", t.member_a.id);
    let to_b = json!({"orgId": t.branch_b.id});

    assert_eq!(
        w.send(
            &t.secretary_a,
            Method::PATCH,
            &format!("/api/v1/members/{}", t.member_b.id),
            json!({"name": "x"})
        )
        .await
        .0,
        404
    );
    assert_eq!(
        w.send(&t.member_a2, Method::PATCH, &a1, json!({"name": "x"}))
            .await
            .0,
        403
    );
    assert_eq!(
        w.send(&t.secretary_a, Method::PATCH, &a1, to_b.clone())
            .await
            .0,
        404
    );
    let (status, moved) = w.send(&t.admin, Method::PATCH, &a1, to_b).await;
    assert_eq!(status, 200);
    assert_eq!(moved["branchId"], t.branch_b.id.to_string());
    assert_eq!(
        w.get(&t.secretary_a, &a1).await.0,
        404,
        "no longer in branch A"
    );

    let session = api::auth::session::start_session(&w.app.state, &t.member_a2)
        .await
        .unwrap();
    let a2 = format!("/api/v1/members/{}", t.member_a2.id);
    let (status, _) = w
        .send(
            &t.secretary_a,
            Method::PATCH,
            &a2,
            json!({"status": "deactivated"}),
        )
        .await;
    assert_eq!(status, 200);
    let res = w
        .app
        .send_as(&session.access_token, Method::GET, "/api/v1/me")
        .await;
    assert_eq!(res.status().as_u16(), 401);
    assert_eq!(json_body(res).await["code"], "auth_member_inactive");
    let res = w
        .app
        .post_json(
            "/api/v1/auth/refresh",
            &json!({"refreshToken": session.refresh_token}),
        )
        .await;
    assert_eq!(res.status().as_u16(), 401);
}

#[tokio::test]
async fn orgs_are_created_and_changed_by_township_admins_only() {
    let w = World::new().await;
    let t = &w.t;
    let under = |o: &domain::org::Org| format!("/api/v1/orgs/{}/children", o.id);
    let branch = json!({"kind": "branch", "name": "第二党支部"});

    assert_eq!(
        w.send(
            &t.secretary_a,
            Method::POST,
            &under(&t.general),
            branch.clone()
        )
        .await
        .0,
        403
    );
    let (status, created) = w
        .send(&t.admin, Method::POST, &under(&t.general), branch.clone())
        .await;
    assert_eq!(status, 201);
    assert_eq!(created["sector"], "rural", "inherits the parent's sector");
    let (status, taken) = w
        .send(&t.admin, Method::POST, &under(&t.general), branch.clone())
        .await;
    assert_eq!(
        (status, taken["code"].as_str()),
        (409, Some("org_name_taken")),
        "siblings have distinct names"
    );
    assert_eq!(
        w.send(&t.other_admin, Method::POST, &under(&t.general), branch)
            .await
            .0,
        404
    );
    let (status, bad) = w
        .send(
            &t.admin,
            Method::POST,
            &under(&t.committee),
            json!({"kind": "group", "name": "x"}),
        )
        .await;
    assert_eq!(
        (status, bad["errors"][0]["code"].as_str()),
        (422, Some("org_kind_not_allowed_here"))
    );
    let (status, bad) = w
        .send(
            &t.admin,
            Method::POST,
            &under(&t.committee),
            json!({"kind": "village", "name": "x"}),
        )
        .await;
    assert_eq!(
        (status, bad["code"].as_str()),
        (422, Some("request_json_invalid"))
    );

    let path = format!("/api/v1/orgs/{}", t.branch_b.id);
    assert_eq!(
        w.send(
            &t.admin,
            Method::PATCH,
            &path,
            json!({"name": "镇机关第一党支部"})
        )
        .await
        .0,
        200
    );
    assert_eq!(
        w.send(&t.secretary_a, Method::PATCH, &path, json!({"name": "x"}))
            .await
            .0,
        403
    );
}

#[tokio::test]
async fn roles_are_granted_within_scope_and_never_above_the_granter() {
    let w = World::new().await;
    let t = &w.t;
    let roles_of = |m: &Member| format!("/api/v1/members/{}/roles", m.id);
    let committee_on_a = json!({"kind": "committee", "orgId": t.branch_a.id, "canReview": true});

    let (status, granted) = w
        .send(
            &t.secretary_a,
            Method::POST,
            &roles_of(&t.member_a),
            committee_on_a.clone(),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(granted["canReview"], true);
    let (status, dup) = w
        .send(
            &t.secretary_a,
            Method::POST,
            &roles_of(&t.member_a),
            committee_on_a,
        )
        .await;
    assert_eq!(
        (status, dup["code"].as_str()),
        (409, Some("role_already_granted"))
    );
    let admin_role = json!({"kind": "township_admin", "orgId": t.committee.id});
    assert_eq!(
        w.send(
            &t.secretary_a,
            Method::POST,
            &roles_of(&t.member_a2),
            admin_role.clone()
        )
        .await
        .0,
        403
    );
    let secretary_on_a = json!({"kind": "secretary", "orgId": t.branch_a.id});
    assert_eq!(
        w.send(
            &t.secretary_a,
            Method::POST,
            &roles_of(&t.member_a2),
            secretary_on_a
        )
        .await
        .0,
        403
    );
    let committee_on_b = json!({"kind": "committee", "orgId": t.branch_b.id});
    assert_eq!(
        w.send(
            &t.secretary_a,
            Method::POST,
            &roles_of(&t.member_b),
            committee_on_b
        )
        .await
        .0,
        404
    );
    assert_eq!(
        w.send(
            &t.member_a2,
            Method::POST,
            &roles_of(&t.member_a2),
            json!({"kind": "committee", "orgId": t.branch_a.id})
        )
        .await
        .0,
        403
    );
    assert_eq!(
        w.send(
            &t.other_admin,
            Method::POST,
            &roles_of(&t.member_a2),
            admin_role
        )
        .await
        .0,
        404
    );

    let (status, made) = w
        .send(
            &t.admin,
            Method::POST,
            &roles_of(&t.member_b),
            json!({"kind": "secretary", "orgId": t.branch_b.id}),
        )
        .await;
    assert_eq!(status, 201);
    let (status, bad) = w
        .send(
            &t.admin,
            Method::POST,
            &roles_of(&t.member_b),
            json!({"kind": "township_admin", "orgId": t.branch_b.id}),
        )
        .await;
    assert_eq!(
        (status, bad["errors"][0]["code"].as_str()),
        (422, Some("role_org_kind_mismatch"))
    );

    let (_, listed) = w.get(&t.admin, &roles_of(&t.member_b)).await;
    assert_eq!(listed["items"][0]["kind"], "secretary");
    let revoke = format!(
        "/api/v1/members/{}/roles/{}",
        t.member_b.id,
        made["id"].as_str().unwrap()
    );
    assert_eq!(
        w.send(&t.secretary_a, Method::DELETE, &revoke, Value::Null)
            .await
            .0,
        404
    );
    assert_eq!(
        w.send(&t.admin, Method::DELETE, &revoke, Value::Null)
            .await
            .0,
        204
    );
    assert_eq!(
        w.send(&t.admin, Method::DELETE, &revoke, Value::Null)
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn the_audit_log_records_every_change_for_township_admins_only() {
    let w = World::new().await;
    let t = &w.t;
    let body = json!({"name": "新党员", "phone": "13700000009", "category": "retired"});
    let (status, created) = w
        .send(
            &t.secretary_a,
            Method::POST,
            &format!("/api/v1/orgs/{}/members", t.branch_a.id),
            body,
        )
        .await;
    assert_eq!(status, 201);

    let (status, log) = w.get(&t.admin, "/api/v1/audit").await;
    assert_eq!(status, 200);
    let entry = &log["items"][0];
    assert_eq!(entry["action"], "member.create");
    assert_eq!(entry["objectId"], created["id"]);
    assert_eq!(entry["actorId"], t.secretary_a.id.to_string());
    assert!(entry["occurredAt"].as_str().unwrap().ends_with("+08:00"));

    assert_eq!(w.get(&t.secretary_a, "/api/v1/audit").await.0, 403);
    assert_eq!(
        w.get(
            &t.other_admin,
            &format!("/api/v1/audit?orgId={}", t.committee.id)
        )
        .await
        .0,
        404
    );
    let (_, other) = w.get(&t.other_admin, "/api/v1/audit").await;
    assert!(
        other["items"].as_array().unwrap().is_empty(),
        "another township's log is separate"
    );
}

#[tokio::test]
async fn a_secretary_cannot_change_a_member_holding_a_role_above_theirs() {
    let w = World::new().await;
    let t = &w.t;
    let roles = format!("/api/v1/members/{}/roles", t.member_a2.id);
    let made = w
        .send(
            &t.admin,
            Method::POST,
            &roles,
            json!({"kind": "township_admin", "orgId": t.committee.id}),
        )
        .await;
    assert_eq!(made.0, 201);
    let target = format!("/api/v1/members/{}", t.member_a2.id);
    for change in [
        json!({"status": "deactivated"}),
        json!({"phone": "13700000099"}),
        json!({"name": "x"}),
    ] {
        let (status, body) = w.send(&t.secretary_a, Method::PATCH, &target, change).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (403, Some("permission_denied"))
        );
    }
    assert_eq!(
        w.send(&t.admin, Method::PATCH, &target, json!({"name": "新名字"}))
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn control_characters_in_names_and_searches_are_refused_not_stored() {
    let w = World::new().await;
    let t = &w.t;
    let path = format!("/api/v1/orgs/{}/members", t.branch_a.id);
    let body = json!({"name": "a\u{0}b", "phone": "13700000010", "category": "rural"});
    let (status, problem) = w.send(&t.secretary_a, Method::POST, &path, body).await;
    assert_eq!(
        (status, problem["errors"][0]["pointer"].as_str()),
        (422, Some("/name"))
    );
    let (status, problem) = w.get(&t.secretary_a, &format!("{path}?q=%00")).await;
    assert_eq!(
        (status, problem["errors"][0]["pointer"].as_str()),
        (422, Some("/q"))
    );
}

#[tokio::test]
async fn a_groups_members_are_listed_by_their_group_and_readable_from_the_branch() {
    let w = World::new().await;
    let t = &w.t;
    let body = json!({"name": "组员", "phone": "13700000011", "category": "rural"});
    let (status, created) = w
        .send(
            &t.secretary_a,
            Method::POST,
            &format!("/api/v1/orgs/{}/members", t.group_a.id),
            body,
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(created["groupId"], t.group_a.id.to_string());

    let (status, listed) = w
        .get(
            &t.member_a,
            &format!("/api/v1/orgs/{}/members", t.group_a.id),
        )
        .await;
    assert_eq!(status, 200);
    let names: Vec<_> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].clone())
        .collect();
    assert_eq!(names, vec![json!("组员")]);
    assert_eq!(
        w.get(&t.member_a, &format!("/api/v1/orgs/{}", t.group_a.id))
            .await
            .0,
        200
    );
    assert_eq!(
        w.get(
            &t.member_b,
            &format!("/api/v1/orgs/{}/members", t.group_a.id)
        )
        .await
        .0,
        404
    );
}

#[tokio::test]
async fn a_plain_member_granting_anything_is_forbidden_wherever_the_target_is() {
    let w = World::new().await;
    let t = &w.t;
    let body = json!({"kind": "committee", "orgId": t.branch_b.id});
    let (status, problem) = w
        .send(
            &t.member_a,
            Method::POST,
            &format!("/api/v1/members/{}/roles", t.member_b.id),
            body,
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (403, Some("permission_denied"))
    );
}
