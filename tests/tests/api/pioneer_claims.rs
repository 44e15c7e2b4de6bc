//! Pioneer-index claims and deductions: members claim positive items with evidence, their
//! branch decides once (one by one, or a batch that is all or nothing) within the item's
//! cap and before the half year is computed; negative items are recorded with a reason,
//! the member objects once and the township answers once; what the index computation
//! reads is counted by the repository. Out of scope is 404 as a random id.

use reqwest::Method;
use serde_json::{json, Value};
use tests::fixtures::Township;
use tests::TestApp;
use uuid::Uuid;

use domain::clock::Clock;
use domain::org::{
    Member, MemberCategory, MemberId, MemberRepo, MemberStatus, PhoneNumber, RoleGrant,
    RoleGrantId, RoleKind, RoleRepo,
};
use domain::pioneer::PioneerClaimRepo;
use domain::volunteer::HalfYear;

const CLAIMS: &str = "/api/v1/pioneer-claims";

fn claim_body(item: &str) -> Value {
    json!({
        "itemCode": item,
        "description": "带头承诺为村里修通机耕路，\n已完成",
        "evidence": ["https://img.example.cn/road.jpg"],
    })
}

async fn file(app: &TestApp, who: &Member, item: &str) -> String {
    let (s, c) = app
        .call(who, Method::POST, CLAIMS, Some(claim_body(item)))
        .await;
    assert_eq!(s, 201, "{c}");
    c["id"].as_str().unwrap().to_owned()
}

async fn decide(app: &TestApp, who: &Member, id: &str, body: Value) -> (u16, Value) {
    app.call(
        who,
        Method::POST,
        &format!("{CLAIMS}/{id}/decision"),
        Some(body),
    )
    .await
}

async fn approve(app: &TestApp, who: &Member, id: &str) -> (u16, Value) {
    decide(app, who, id, json!({"decision": "approve"})).await
}

async fn get(app: &TestApp, who: &Member, path: &str) -> (u16, Value) {
    app.call(who, Method::GET, path, None).await
}

fn ids(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn field_codes(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["pointer"].as_str().unwrap_or_default().to_owned(),
                e["code"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn half(raw: &str) -> HalfYear {
    HalfYear::parse(raw).unwrap()
}

/// A member of branch B holding its secretary role (the township has none).
async fn secretary_of_b(app: &TestApp, t: &Township) -> Member {
    let now = app.clock.now();
    let m = Member {
        id: MemberId::new(),
        name: "书记丙".into(),
        phone: PhoneNumber::parse("13900000099").unwrap(),
        category: MemberCategory::InService,
        branch_id: t.branch_b.id,
        group_id: None,
        branch_path: t.branch_b.path.clone(),
        leading_cadre: false,
        probationary: false,
        status: MemberStatus::Active,
        created_at: now,
        updated_at: now,
    };
    let repos = app.db.repos();
    MemberRepo::insert(&repos, &m).await.unwrap();
    RoleRepo::insert(
        &repos,
        &RoleGrant {
            id: RoleGrantId::new(),
            member_id: m.id,
            kind: RoleKind::Secretary,
            org_id: t.branch_b.id,
            org_path: t.branch_b.path.clone(),
            can_review: false,
            granted_at: now,
        },
    )
    .await
    .unwrap();
    m
}

/// Computes the township's half year through the API and waits until it is computed.
async fn compute(app: &TestApp, t: &Township, half: &str) {
    let path = format!("/api/v1/orgs/{}/pioneer-index?half={half}", t.committee.id);
    let (s, r) = app.call(&t.admin, Method::POST, &path, None).await;
    assert_eq!(s, 202, "{r}");
    for _ in 0..100 {
        let (s, r) = app.call(&t.admin, Method::GET, &path, None).await;
        assert_eq!(s, 200, "{r}");
        if r["status"] == "computed" {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{half} was not computed in 10 s");
}

#[tokio::test]
async fn a_claim_filed_and_approved_is_listed_approved() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let (s, c) = app
        .call(
            &t.member_a,
            Method::POST,
            CLAIMS,
            Some(claim_body("pledge")),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    assert_eq!(
        (
            c["status"].as_str(),
            c["half"].as_str(),
            c["itemCode"].as_str()
        ),
        (Some("pending"), Some("2026-H2"), Some("pledge"))
    );
    assert_eq!(c["description"], "带头承诺为村里修通机耕路，\n已完成");
    assert_eq!(c["evidence"], json!(["https://img.example.cn/road.jpg"]));
    let id = c["id"].as_str().unwrap();

    // The secretary's inbox.
    let inbox = format!("{CLAIMS}?orgId={}&status=pending", t.branch_a.id);
    let (s, list) = get(&app, &t.secretary_a, &inbox).await;
    assert_eq!(s, 200, "{list}");
    assert_eq!(ids(&list), [id]);

    let (s, decided) = approve(&app, &t.secretary_a, id).await;
    assert_eq!(s, 200, "{decided}");
    assert_eq!(decided["status"], "approved");
    assert_eq!(decided["decision"]["decidedBy"], json!(t.secretary_a.id));

    // The member's own list, the inbox emptied, the township's audit.
    let (s, mine) = get(&app, &t.member_a, CLAIMS).await;
    assert_eq!(s, 200, "{mine}");
    assert_eq!(ids(&mine), [id]);
    assert_eq!(mine["items"][0]["status"], "approved");
    let (_, list) = get(&app, &t.secretary_a, &inbox).await;
    assert!(ids(&list).is_empty(), "{list}");
    let (s, township) = get(
        &app,
        &t.admin,
        &format!("{CLAIMS}?orgId={}&half=2026-H2", t.committee.id),
    )
    .await;
    assert_eq!(s, 200, "{township}");
    assert_eq!(ids(&township), [id]);
    let (s, one) = get(&app, &t.admin, &format!("{CLAIMS}/{id}")).await;
    assert_eq!((s, &one["status"]), (200, &json!("approved")), "{one}");

    let (_, audit) = get(
        &app,
        &t.admin,
        &format!("/api/v1/audit?orgId={}", t.committee.id),
    )
    .await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for want in ["pioneer.claim_filed", "pioneer.claim_approved"] {
        assert!(actions.contains(&want), "{want} missing: {actions:?}");
    }
}

#[tokio::test]
async fn a_rejection_needs_a_reason() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let id = file(&app, &t.member_a, "volunteer").await;
    let (s, p) = decide(&app, &t.reviewer_a, &id, json!({"decision": "reject"})).await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(
        field_codes(&p),
        [("/reason".to_owned(), "review_reason_required".to_owned())]
    );
    let (s, c) = decide(
        &app,
        &t.reviewer_a,
        &id,
        json!({"decision": "reject", "reason": "佐证材料不足"}),
    )
    .await;
    assert_eq!(s, 200, "{c}");
    assert_eq!(
        (c["status"].as_str(), c["decision"]["reason"].as_str()),
        (Some("rejected"), Some("佐证材料不足"))
    );
    // Decided once.
    let (s, p) = approve(&app, &t.secretary_a, &id).await;
    assert_eq!(
        (s, p["code"].as_str()),
        (409, Some("pioneer_claim_not_pending"))
    );
}

#[tokio::test]
async fn nobody_decides_their_own_claim() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let id = file(&app, &t.secretary_a, "task_force").await;
    let (s, p) = approve(&app, &t.secretary_a, &id).await;
    assert_eq!(
        (s, p["code"].as_str()),
        (422, Some("pioneer_claim_own")),
        "{p}"
    );
    let (s, c) = approve(&app, &t.reviewer_a, &id).await;
    assert_eq!((s, c["status"].as_str()), (200, Some("approved")), "{c}");
}

#[tokio::test]
async fn another_branch_gets_what_a_random_id_gets_and_a_plain_member_is_refused() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let secretary_b = secretary_of_b(&app, &t).await;
    let id = file(&app, &t.member_a, "pledge").await;
    let random = Uuid::new_v4().to_string();

    // The secretary of branch B: branch A's claim is as missing as a random id.
    let (s, p) = approve(&app, &secretary_b, &id).await;
    let (rs, rp) = approve(&app, &secretary_b, &random).await;
    assert_eq!((s, rs), (404, 404), "{p} / {rp}");
    assert_eq!(p["code"], rp["code"]);
    for path in [format!("{CLAIMS}/{id}"), format!("{CLAIMS}/{random}")] {
        let (s, p) = get(&app, &secretary_b, &path).await;
        assert_eq!((s, p["code"].as_str()), (404, Some("resource_not_found")));
    }
    let (s, _) = get(
        &app,
        &secretary_b,
        &format!("{CLAIMS}?orgId={}", t.branch_a.id),
    )
    .await;
    assert_eq!(s, 404);
    // Another township's admin likewise.
    let (s, p) = get(&app, &t.other_admin, &format!("{CLAIMS}/{id}")).await;
    assert_eq!(s, 404, "{p}");

    // Who decides nowhere: 403 whatever the id. The township audits but does not decide.
    for who in [&t.member_a2, &t.committee_a, &t.admin, &t.operator] {
        for target in [&id, &random] {
            let (s, p) = approve(&app, who, target).await;
            assert_eq!(
                (s, p["code"].as_str()),
                (403, Some("permission_denied")),
                "{} {p}",
                who.name
            );
        }
    }
    // A plain member sees their own claims only.
    let (s, _) = get(&app, &t.member_a2, &format!("{CLAIMS}/{id}")).await;
    assert_eq!(s, 404);
    let (s, _) = get(
        &app,
        &t.member_a2,
        &format!("{CLAIMS}?orgId={}", t.branch_a.id),
    )
    .await;
    assert_eq!(s, 403);
    let (_, c) = get(&app, &t.member_a, &format!("{CLAIMS}/{id}")).await;
    assert_eq!(c["status"], "pending", "nothing was decided: {c}");
}

#[tokio::test]
async fn a_third_pledge_is_over_the_cap() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    // Standard rules: a pledge is 5 points, at most 10 a half year.
    let claims = [
        file(&app, &t.member_a, "pledge").await,
        file(&app, &t.member_a, "pledge").await,
        file(&app, &t.member_a, "pledge").await,
    ];
    for id in &claims[..2] {
        let (s, c) = approve(&app, &t.secretary_a, id).await;
        assert_eq!(s, 200, "{c}");
    }
    let (s, p) = approve(&app, &t.secretary_a, &claims[2]).await;
    assert_eq!(
        (s, p["code"].as_str()),
        (422, Some("pioneer_claim_over_cap")),
        "{p}"
    );
    let (_, c) = get(&app, &t.member_a, &format!("{CLAIMS}/{}", claims[2])).await;
    assert_eq!(c["status"], "pending");
    // Rejecting it is no approval: the cap does not stand in the way.
    let (s, c) = decide(
        &app,
        &t.secretary_a,
        &claims[2],
        json!({"decision": "reject", "reason": "本半年度已达上限"}),
    )
    .await;
    assert_eq!((s, c["status"].as_str()), (200, Some("rejected")), "{c}");
    // Another member's pledges count on their own.
    let other = file(&app, &t.member_a2, "pledge").await;
    let (s, _) = approve(&app, &t.secretary_a, &other).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn a_batch_is_all_or_nothing() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let a1 = file(&app, &t.member_a, "pledge").await;
    let a2 = file(&app, &t.member_a, "volunteer").await;
    let b1 = file(&app, &t.member_a2, "model_deed").await;
    let batch = format!("{CLAIMS}/decisions");
    let random = Uuid::new_v4().to_string();
    let (s, p) = app
        .call(
            &t.secretary_a,
            Method::POST,
            &batch,
            Some(json!({"ids": [a1, a2, b1, random], "decision": "approve"})),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(
        field_codes(&p),
        [("/ids/3".to_owned(), "pioneer_claim_not_found".to_owned())]
    );
    for id in [&a1, &a2, &b1] {
        let (_, c) = get(&app, &t.secretary_a, &format!("{CLAIMS}/{id}")).await;
        assert_eq!(c["status"], "pending", "nothing was decided: {c}");
    }
    // Three pledges at once pass the cap together: the batch counts its own approvals.
    let more = [
        file(&app, &t.member_a, "pledge").await,
        file(&app, &t.member_a, "pledge").await,
    ];
    let (s, p) = app
        .call(
            &t.secretary_a,
            Method::POST,
            &batch,
            Some(json!({"ids": [a1, more[0], more[1]], "decision": "approve"})),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(
        field_codes(&p),
        [("/ids/2".to_owned(), "pioneer_claim_over_cap".to_owned())]
    );
    let (s, done) = app
        .call(
            &t.secretary_a,
            Method::POST,
            &batch,
            Some(json!({"ids": [a1, a2, b1], "decision": "approve"})),
        )
        .await;
    assert_eq!(s, 200, "{done}");
    assert_eq!(ids(&done), [a1.clone(), a2, b1]);
    assert!(done["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["status"] == "approved"));
    // Decided ones in a batch are named, and a batch of nothing is refused.
    let (s, p) = app
        .call(
            &t.secretary_a,
            Method::POST,
            &batch,
            Some(json!({"ids": [more[0], a1], "decision": "reject", "reason": "重复申报"})),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(
        field_codes(&p),
        [("/ids/1".to_owned(), "pioneer_claim_not_pending".to_owned())]
    );
    let (s, _) = app
        .call(
            &t.secretary_a,
            Method::POST,
            &batch,
            Some(json!({"ids": [], "decision": "approve"})),
        )
        .await;
    assert_eq!(s, 422);
    let (s, p) = app
        .call(
            &t.member_a2,
            Method::POST,
            &batch,
            Some(json!({"ids": [more[0]], "decision": "approve"})),
        )
        .await;
    assert_eq!((s, p["code"].as_str()), (403, Some("permission_denied")));
    // The batch's path is no claim id: another method there is 405, not a missing claim.
    let res = app
        .send_as(&app.token_for(t.secretary_a.id), Method::GET, &batch)
        .await;
    assert_eq!(res.status().as_u16(), 405);
    assert_eq!(
        res.headers().get("allow").and_then(|v| v.to_str().ok()),
        Some("POST")
    );
}

#[tokio::test]
async fn an_item_outside_the_members_profile_or_an_excluded_member_cannot_claim() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    for item in ["dues_late", "discipline_violation", "no_such_item"] {
        let (s, p) = app
            .call(&t.member_a, Method::POST, CLAIMS, Some(claim_body(item)))
            .await;
        assert_eq!(
            (s, p["code"].as_str()),
            (422, Some("pioneer_item_not_applicable")),
            "{item}: {p}"
        );
    }
    // The standard rules leave frail members out.
    let mut frail = t.member_a2.clone();
    frail.category = MemberCategory::Frail;
    MemberRepo::update(&app.db.repos(), &frail).await.unwrap();
    let (s, p) = app
        .call(&frail, Method::POST, CLAIMS, Some(claim_body("pledge")))
        .await;
    assert_eq!(
        (s, p["code"].as_str()),
        (422, Some("pioneer_member_excluded")),
        "{p}"
    );
    // What the schema states is refused field by field.
    let mut bad = claim_body("pledge");
    bad["description"] = json!("  ");
    bad["evidence"] = json!(["http://img.example.cn/a.jpg"]);
    bad["half"] = json!("2026-H3");
    let (s, p) = app.call(&t.member_a, Method::POST, CLAIMS, Some(bad)).await;
    assert_eq!(s, 422, "{p}");
    // Links a browser or URL parser would read otherwise than the member was shown.
    for link in [
        "https://[",
        "https://[::1",
        "https://img.example.cn@evil.cn/a.jpg",
        "https://:443/a.jpg",
        "https://img.example.cn:99999/a.jpg",
        "https://图片.cn/a.jpg",
    ] {
        let mut bad = claim_body("pledge");
        bad["evidence"] = json!([link]);
        let (s, p) = app.call(&t.member_a, Method::POST, CLAIMS, Some(bad)).await;
        assert_eq!(s, 422, "{link}: {p}");
    }
    let (s, mine) = get(&app, &t.member_a, CLAIMS).await;
    assert_eq!((s, ids(&mine).len()), (200, 0), "{mine}");
    let mut fine = claim_body("pledge");
    fine["evidence"] = json!(["https://10.0.0.7:8443/e/a.jpg?v=2#p1"]);
    let (s, c) = app
        .call(&t.member_a, Method::POST, CLAIMS, Some(fine))
        .await;
    assert_eq!(s, 201, "{c}");
}

#[tokio::test]
async fn only_the_current_and_the_previous_uncomputed_half_years_take_claims() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let claim_in = |h: &str| {
        let mut b = claim_body("pledge");
        b["half"] = json!(h);
        b
    };
    let (s, c) = app
        .call(&t.member_a, Method::POST, CLAIMS, Some(claim_in("2026-H1")))
        .await;
    assert_eq!((s, c["half"].as_str()), (201, Some("2026-H1")), "{c}");
    let earlier = c["id"].as_str().unwrap().to_owned();
    for far in ["2025-H2", "2027-H1"] {
        let (s, p) = app
            .call(&t.member_a, Method::POST, CLAIMS, Some(claim_in(far)))
            .await;
        assert_eq!(
            (s, p["code"].as_str()),
            (422, Some("pioneer_half_not_open")),
            "{far}: {p}"
        );
    }
    // Once 2026-H1 is computed it takes nothing more, and its claims stand as they are.
    compute(&app, &t, "2026-H1").await;
    let (s, p) = app
        .call(&t.member_a, Method::POST, CLAIMS, Some(claim_in("2026-H1")))
        .await;
    assert_eq!((s, p["code"].as_str()), (409, Some("pioneer_half_closed")));
    let (s, p) = approve(&app, &t.secretary_a, &earlier).await;
    assert_eq!(
        (s, p["code"].as_str()),
        (409, Some("pioneer_half_closed")),
        "{p}"
    );
    let (s, p) = app
        .call(
            &t.secretary_a,
            Method::POST,
            &format!("/api/v1/members/{}/pioneer-deductions", t.member_a.id),
            Some(json!({"half": "2026-H1", "itemCode": "dues_late", "reason": "未交党费"})),
        )
        .await;
    assert_eq!((s, p["code"].as_str()), (409, Some("pioneer_half_closed")));
    // The current half year is open.
    file(&app, &t.member_a, "pledge").await;
}

#[tokio::test]
async fn a_deduction_is_seen_objected_to_once_and_an_upheld_objection_takes_it_out() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let record = |who: &Member, member: &Member, item: &str| {
        let (app, who, path) = (
            &app,
            who.clone(),
            format!("/api/v1/members/{}/pioneer-deductions", member.id),
        );
        let body = json!({"itemCode": item, "reason": "连续三个月未按时交纳党费"});
        async move { app.call(&who, Method::POST, &path, Some(body)).await }
    };
    let (s, d) = record(&t.secretary_a, &t.member_a, "dues_late").await;
    assert_eq!(s, 201, "{d}");
    assert_eq!(
        (
            d["kind"].as_str(),
            d["half"].as_str(),
            d["stands"].as_bool()
        ),
        (Some("negative"), Some("2026-H2"), Some(true))
    );
    let id = d["id"].as_str().unwrap().to_owned();
    // A committee member without review records too; the other stays standing.
    let (s, kept) = record(&t.committee_a, &t.member_a, "absent_unexcused").await;
    assert_eq!(s, 201, "{kept}");

    // The member sees theirs; nobody else's.
    let (s, mine) = get(&app, &t.member_a, "/api/v1/pioneer-deductions").await;
    assert_eq!(s, 200, "{mine}");
    assert_eq!(ids(&mine).len(), 2);
    let (_, theirs) = get(&app, &t.member_a2, "/api/v1/pioneer-deductions").await;
    assert!(ids(&theirs).is_empty());
    let (s, _) = get(
        &app,
        &t.member_a2,
        &format!("/api/v1/pioneer-deductions?memberId={}", t.member_a.id),
    )
    .await;
    assert_eq!(s, 403);
    let (s, branch) = get(
        &app,
        &t.secretary_a,
        &format!("/api/v1/pioneer-deductions?orgId={}", t.branch_a.id),
    )
    .await;
    assert_eq!((s, ids(&branch).len()), (200, 2), "{branch}");

    // One objection, by the member only.
    let object = |who: &Member, text: &str| {
        let (app, who, path) = (
            &app,
            who.clone(),
            format!("/api/v1/pioneer-deductions/{id}/objection"),
        );
        let body = json!({"text": text});
        async move { app.call(&who, Method::POST, &path, Some(body)).await }
    };
    let (s, _) = object(&t.member_a2, "不是我").await;
    assert_eq!(s, 404);
    let (s, o) = object(&t.member_a, "已于当月补交，\n有收据").await;
    assert_eq!(s, 200, "{o}");
    assert_eq!(o["objection"]["text"], "已于当月补交，\n有收据");
    let (s, p) = object(&t.member_a, "再次异议").await;
    assert_eq!(
        (s, p["code"].as_str()),
        (409, Some("pioneer_objection_exists")),
        "{p}"
    );

    // The township answers, once; the branch cannot.
    let answer_path = format!("/api/v1/pioneer-deductions/{id}/objection/answer");
    let upheld = json!({"upheld": true, "reply": "经核实已补交，撤销扣分"});
    let (s, p) = app
        .call(
            &t.secretary_a,
            Method::POST,
            &answer_path,
            Some(upheld.clone()),
        )
        .await;
    assert_eq!((s, p["code"].as_str()), (403, Some("permission_denied")));
    let (s, p) = app
        .call(
            &t.other_admin,
            Method::POST,
            &answer_path,
            Some(upheld.clone()),
        )
        .await;
    assert_eq!(s, 404, "{p}");
    let (s, a) = app
        .call(&t.admin, Method::POST, &answer_path, Some(upheld.clone()))
        .await;
    assert_eq!(s, 200, "{a}");
    assert_eq!(
        (
            a["stands"].as_bool(),
            a["objection"]["answer"]["upheld"].as_bool()
        ),
        (Some(false), Some(true))
    );
    let (s, p) = app
        .call(&t.admin, Method::POST, &answer_path, Some(upheld))
        .await;
    assert_eq!(
        (s, p["code"].as_str()),
        (409, Some("pioneer_objection_answered"))
    );
    // An objection nobody lodged cannot be answered.
    let (s, p) = app
        .call(
            &t.admin,
            Method::POST,
            &format!(
                "/api/v1/pioneer-deductions/{}/objection/answer",
                kept["id"].as_str().unwrap()
            ),
            Some(json!({"upheld": false, "reply": "维持"})),
        )
        .await;
    assert_eq!(
        (s, p["code"].as_str()),
        (409, Some("pioneer_objection_missing"))
    );

    // The member sees the answer; the index reads only what stands.
    let (_, mine) = get(&app, &t.member_a, "/api/v1/pioneer-deductions").await;
    let answered = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == json!(id))
        .unwrap();
    assert_eq!(answered["stands"], false);
    let standing =
        PioneerClaimRepo::standing_deductions(&app.db.repos(), t.committee.id, half("2026-H2"))
            .await
            .unwrap();
    assert_eq!(
        standing,
        [(t.member_a.id, "absent_unexcused".to_owned(), 1)]
    );
}

#[tokio::test]
async fn zeroing_items_are_the_townships_and_plain_members_record_nothing() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let path = |m: &Member| format!("/api/v1/members/{}/pioneer-deductions", m.id);
    let zeroing = json!({"itemCode": "discipline_violation", "reason": "受到党内警告处分"});
    let (s, p) = app
        .call(
            &t.secretary_a,
            Method::POST,
            &path(&t.member_a),
            Some(zeroing.clone()),
        )
        .await;
    assert_eq!(
        (s, p["code"].as_str()),
        (403, Some("pioneer_zeroing_by_township")),
        "{p}"
    );
    let (s, d) = app
        .call(
            &t.admin,
            Method::POST,
            &path(&t.member_a),
            Some(zeroing.clone()),
        )
        .await;
    assert_eq!((s, d["kind"].as_str()), (201, Some("zeroing")), "{d}");
    // A positive item is no deduction.
    let (s, p) = app
        .call(
            &t.admin,
            Method::POST,
            &path(&t.member_a),
            Some(json!({"itemCode": "pledge", "reason": "误选"})),
        )
        .await;
    assert_eq!(
        (s, p["code"].as_str()),
        (422, Some("pioneer_item_not_applicable"))
    );
    // A plain member records nowhere: 403 whatever the member.
    for target in [&t.member_a, &t.member_b] {
        let (s, _) = app
            .call(
                &t.member_a2,
                Method::POST,
                &path(target),
                Some(zeroing.clone()),
            )
            .await;
        assert_eq!(s, 403);
    }
    // Another branch's or township's member is as missing as a random one.
    let dues = json!({"itemCode": "dues_late", "reason": "未交党费"});
    let (s, p) = app
        .call(
            &t.secretary_a,
            Method::POST,
            &path(&t.member_b),
            Some(dues.clone()),
        )
        .await;
    let (rs, rp) = app
        .call(
            &t.secretary_a,
            Method::POST,
            &format!("/api/v1/members/{}/pioneer-deductions", Uuid::new_v4()),
            Some(dues.clone()),
        )
        .await;
    assert_eq!((s, rs), (404, 404), "{p} / {rp}");
    let (s, _) = app
        .call(&t.other_admin, Method::POST, &path(&t.member_a), Some(dues))
        .await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn the_index_reads_approved_claims_and_standing_deductions_per_member_and_item() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let p1 = file(&app, &t.member_a, "pledge").await;
    let p2 = file(&app, &t.member_a, "pledge").await;
    let v = file(&app, &t.member_a2, "volunteer").await;
    // Pending and rejected claims do not count.
    file(&app, &t.member_a2, "pledge").await;
    let rejected = file(&app, &t.member_a, "model_deed").await;
    for id in [&p1, &p2, &v] {
        let (s, _) = approve(&app, &t.secretary_a, id).await;
        assert_eq!(s, 200);
    }
    let (s, _) = decide(
        &app,
        &t.secretary_a,
        &rejected,
        json!({"decision": "reject", "reason": "不属实"}),
    )
    .await;
    assert_eq!(s, 200);
    for (who, member, item) in [
        (&t.secretary_a, &t.member_a, "dues_late"),
        (&t.secretary_a, &t.member_a, "dues_late"),
        (&t.admin, &t.member_b, "law_violation"),
    ] {
        let (s, d) = app
            .call(
                who,
                Method::POST,
                &format!("/api/v1/members/{}/pioneer-deductions", member.id),
                Some(json!({"itemCode": item, "reason": "记录"})),
            )
            .await;
        assert_eq!(s, 201, "{d}");
    }
    let repos = app.db.repos();
    let sorted = |mut v: Vec<(MemberId, String, u32)>| {
        v.sort();
        v
    };
    let approved = PioneerClaimRepo::approved_counts(&repos, t.committee.id, half("2026-H2"))
        .await
        .unwrap();
    assert_eq!(
        sorted(approved),
        sorted(vec![
            (t.member_a.id, "pledge".to_owned(), 2),
            (t.member_a2.id, "volunteer".to_owned(), 1),
        ])
    );
    let standing = PioneerClaimRepo::standing_deductions(&repos, t.committee.id, half("2026-H2"))
        .await
        .unwrap();
    assert_eq!(
        sorted(standing),
        sorted(vec![
            (t.member_a.id, "dues_late".to_owned(), 2),
            (t.member_b.id, "law_violation".to_owned(), 1),
        ])
    );
    // Other half years and other townships are apart.
    for (committee, h) in [
        (t.committee.id, "2026-H1"),
        (t.other_committee.id, "2026-H2"),
    ] {
        let none = PioneerClaimRepo::approved_counts(&repos, committee, half(h))
            .await
            .unwrap();
        assert!(none.is_empty(), "{h}");
    }
}

#[tokio::test]
async fn of_two_decisions_at_once_exactly_one_is_stored() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    // A claimant each round, so that no round's approval meets the cap of an earlier one.
    for claimant in [&t.member_a, &t.member_a2, &t.committee_a] {
        let id = file(&app, claimant, "volunteer").await;
        let reject = json!({"decision": "reject", "reason": "佐证不足"});
        let (first, second) = tokio::join!(
            approve(&app, &t.secretary_a, &id),
            decide(&app, &t.reviewer_a, &id, reject),
        );
        let mut statuses = [first.0, second.0];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "{} {}", first.1, second.1);
        let winner = if first.0 == 200 { &first.1 } else { &second.1 };
        let loser = if first.0 == 200 { &second.1 } else { &first.1 };
        assert_eq!(loser["code"], "pioneer_claim_not_pending");
        let (_, stored) = get(&app, claimant, &format!("{CLAIMS}/{id}")).await;
        assert_eq!(stored["status"], winner["status"]);
        assert_eq!(stored["decision"], winner["decision"]);
    }
}

#[tokio::test]
async fn reviewers_approving_at_once_cannot_together_pass_a_cap() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    // A pledge approved: room for one more (5 points of 10).
    let first = file(&app, &t.member_a, "pledge").await;
    let (s, _) = approve(&app, &t.secretary_a, &first).await;
    assert_eq!(s, 200);
    let mut pending = Vec::new();
    for _ in 0..6 {
        pending.push(file(&app, &t.member_a, "pledge").await);
    }
    // Six approvals at once, by two reviewers: each alone is within the cap.
    let mut tasks = Vec::new();
    for (i, id) in pending.iter().enumerate() {
        let who = if i % 2 == 0 {
            &t.secretary_a
        } else {
            &t.reviewer_a
        };
        let req = app
            .client
            .post(app.url(&format!("{CLAIMS}/{id}/decision")))
            .bearer_auth(app.token_for(who.id))
            .json(&json!({"decision": "approve"}));
        tasks.push(tokio::spawn(async move {
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            let body: Value = res.json().await.unwrap_or(Value::Null);
            (status, body["code"].as_str().unwrap_or_default().to_owned())
        }));
    }
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    outcomes.sort();
    let mut want = vec![(422, "pioneer_claim_over_cap".to_owned()); 5];
    want.insert(0, (200, String::new()));
    assert_eq!(outcomes, want);
    let approved =
        PioneerClaimRepo::approved_counts(&app.db.repos(), t.committee.id, half("2026-H2"))
            .await
            .unwrap();
    assert_eq!(approved, [(t.member_a.id, "pledge".to_owned(), 2)]);
}

#[tokio::test]
async fn a_claim_or_deduction_sent_again_with_its_idempotency_key_is_stored_once() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let send = |who: &Member, path: String, key: &'static str, b: Value| {
        let token = app.token_for(who.id);
        let req = app
            .client
            .post(app.url(&path))
            .bearer_auth(token)
            .header("Idempotency-Key", key)
            .json(&b);
        async move { req.send().await.unwrap() }
    };
    let body = claim_body("pledge");
    let first = send(&t.member_a, CLAIMS.into(), "claim-1", body.clone()).await;
    assert_eq!(first.status().as_u16(), 201);
    let first = tests::json_body(first).await;
    let again = tests::json_body(send(&t.member_a, CLAIMS.into(), "claim-1", body).await).await;
    assert_eq!(first["id"], again["id"]);
    let (_, mine) = get(&app, &t.member_a, CLAIMS).await;
    assert_eq!(ids(&mine).len(), 1, "{mine}");

    let path = format!("/api/v1/members/{}/pioneer-deductions", t.member_a.id);
    let dues = json!({"itemCode": "dues_late", "reason": "未按时交纳党费"});
    let first =
        tests::json_body(send(&t.secretary_a, path.clone(), "d-1", dues.clone()).await).await;
    let again = tests::json_body(send(&t.secretary_a, path.clone(), "d-1", dues).await).await;
    assert_eq!(first["id"], again["id"]);
    let other = json!({"itemCode": "no_role", "reason": "群众反映差"});
    let reused = send(&t.secretary_a, path, "d-1", other).await;
    assert_eq!(reused.status().as_u16(), 422);
    let (_, theirs) = get(&app, &t.member_a, "/api/v1/pioneer-deductions").await;
    assert_eq!(ids(&theirs).len(), 1, "{theirs}");
}
