//! The secret peer ballot (党员互评): who grades whom, replacing a ballot, the secretary's
//! aggregates (withheld under three ballots) and turnout, and the secrecy itself: once the
//! stage is over no key in the database ties a stored tag to a member, and no response puts
//! a reviewer next to a grade.

use chrono::Duration;
use reqwest::Method;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};
use tests::fixtures::Township;
use tests::TestApp;
use uuid::Uuid;

use domain::appraisal::BallotSecret;
use domain::clock::Clock;
use domain::org::{Member, MemberId};

use crate::appraisal_support::opened;

/// 2026-11-17 08:30: peer review is open.
fn into_peer_review(app: &TestApp) {
    app.clock.advance(Duration::days(12));
}

/// 2026-11-21 08:30: peer review is over, rating open.
fn past_peer_review(app: &TestApp) {
    app.clock.advance(Duration::days(4));
}

fn body(grade: &str, comment: Option<&str>) -> Value {
    let dims: Vec<Value> = [
        "thought",
        "work_style",
        "discipline",
        "duties",
        "role",
        "morality",
    ]
    .iter()
    .map(|d| json!({"dimension": d, "grade": grade}))
    .collect();
    let mut b = json!({"overall": grade, "dimensions": dims});
    if let Some(c) = comment {
        b["comment"] = json!(c);
    }
    b
}

async fn vote(
    app: &TestApp,
    c: &str,
    who: &Member,
    on: impl std::fmt::Display,
    grade: &str,
) -> (u16, Value) {
    app.call(
        who,
        Method::PUT,
        &format!("/api/v1/appraisals/{c}/peer-reviews/{on}"),
        Some(body(grade, Some("发挥作用明显"))),
    )
    .await
}

async fn voted(app: &TestApp, c: &str, who: &Member, on: &Member, grade: &str) {
    let (s, b) = vote(app, c, who, on.id, grade).await;
    assert_eq!(s, 200, "{} on {}: {b}", who.name, on.name);
}

async fn results(app: &TestApp, c: &str, who: &Member) -> (u16, Value) {
    app.call(
        who,
        Method::GET,
        &format!("/api/v1/appraisals/{c}/peer-reviews/results"),
        None,
    )
    .await
}

async fn todo(app: &TestApp, c: &str, who: &Member) -> Value {
    let (s, t) = app
        .call(
            who,
            Method::GET,
            &format!("/api/v1/appraisals/{c}/peer-reviews/todo"),
            None,
        )
        .await;
    assert_eq!(s, 200, "{t}");
    t
}

fn item<'a>(r: &'a Value, m: &Member) -> &'a Value {
    r["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["memberId"] == m.id.to_string())
        .unwrap_or_else(|| panic!("{} is not in {r}", m.name))
}

/// Every uuid in the document, with the key it sits under.
fn uuids(v: &Value, key: &str, out: &mut Vec<(String, Uuid)>) {
    match v {
        Value::String(s) => {
            if let Ok(u) = Uuid::parse_str(s) {
                out.push((key.to_owned(), u));
            }
        }
        Value::Array(a) => a.iter().for_each(|x| uuids(x, key, out)),
        Value::Object(o) => o.iter().for_each(|(k, x)| uuids(x, k, out)),
        _ => {}
    }
}

async fn column(app: &TestApp, sql: &str) -> Vec<String> {
    let conn = app.db.connection();
    let rows = conn
        .query_all_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await
        .unwrap();
    rows.iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect()
}

/// Whether any key stored in `ballot_secret` turns any of `members` into a stored tag.
async fn linkable(app: &TestApp, members: &[&Member]) -> bool {
    let secrets = column(app, "SELECT secret FROM ballot_secret").await;
    let tags = column(app, "SELECT reviewer_tag FROM peer_ballot").await;
    secrets.iter().any(|s| {
        let key = BallotSecret::from_hex(s).unwrap();
        members
            .iter()
            .any(|m| tags.contains(&key.tag(m.id).as_str().to_owned()))
    })
}

fn branch_a(t: &Township) -> [&Member; 5] {
    [
        &t.member_a,
        &t.member_a2,
        &t.secretary_a,
        &t.committee_a,
        &t.reviewer_a,
    ]
}

#[tokio::test]
async fn reviewing_oneself_is_refused_and_a_member_out_of_scope_looks_missing() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let c = opened(&app, &t.secretary_a, &t.branch_a).await;
    let (s, e) = vote(&app, &c, &t.member_a, t.member_a2.id, "qualified").await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("appraisal_stage_not_begun"))
    );
    into_peer_review(&app);
    let (s, e) = vote(&app, &c, &t.member_a, t.member_a.id, "excellent").await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("peer_review_self")),
        "{e}"
    );
    let (s, other) = vote(&app, &c, &t.member_a, t.member_b.id, "qualified").await;
    let (s2, random) = vote(&app, &c, &t.member_a, Uuid::new_v4(), "qualified").await;
    assert_eq!((s, s2), (404, 404));
    assert_eq!(other["code"], random["code"]);
    // Branch B's member takes no part: the campaign is out of their sight.
    assert_eq!(
        vote(&app, &c, &t.member_b, t.member_a.id, "qualified")
            .await
            .0,
        404
    );
    let mut twice = body("qualified", None);
    twice["dimensions"][5]["dimension"] = json!("thought");
    let (s, e) = app
        .call(
            &t.member_a,
            Method::PUT,
            &format!("/api/v1/appraisals/{c}/peer-reviews/{}", t.member_a2.id),
            Some(twice),
        )
        .await;
    let codes: Vec<&str> = e["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(s, 422, "{e}");
    assert_eq!(
        codes,
        [
            "peer_review_dimension_repeated",
            "peer_review_dimension_missing"
        ]
    );
    past_peer_review(&app);
    let (s, e) = vote(&app, &c, &t.member_a, t.member_a2.id, "qualified").await;
    assert_eq!((s, e["code"].as_str()), (422, Some("appraisal_stage_over")));
}

#[tokio::test]
async fn a_second_ballot_on_the_same_member_replaces_the_first() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let c = opened(&app, &t.secretary_a, &t.branch_a).await;
    into_peer_review(&app);
    voted(&app, &c, &t.member_a, &t.member_a2, "excellent").await;
    voted(&app, &c, &t.member_a, &t.member_a2, "basically_qualified").await;
    let mine = todo(&app, &c, &t.member_a).await;
    assert_eq!(mine["open"], true);
    assert_eq!(
        item(&mine, &t.member_a2)["ballot"]["overall"],
        "basically_qualified"
    );
    assert_eq!(item(&mine, &t.secretary_a)["ballot"], Value::Null);
    voted(&app, &c, &t.secretary_a, &t.member_a2, "qualified").await;
    voted(&app, &c, &t.committee_a, &t.member_a2, "qualified").await;
    past_peer_review(&app);
    let (s, r) = results(&app, &c, &t.secretary_a).await;
    assert_eq!(s, 200, "{r}");
    let a2 = item(&r, &t.member_a2);
    assert_eq!(a2["ballots"], 3, "{a2}");
    assert_eq!(
        a2["overall"],
        json!({"excellent": 0, "qualified": 2, "basicallyQualified": 1, "unqualified": 0})
    );
    assert_eq!(a2["dimensions"][0]["average"], json!(2.67));
    // Once the stage is over, even the giver no longer finds their ballot.
    let mine = todo(&app, &c, &t.member_a).await;
    assert_eq!(mine["open"], false);
    assert_eq!(item(&mine, &t.member_a2)["ballot"], Value::Null);
}

#[tokio::test]
async fn probationary_members_ballot_but_receive_no_grade() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let (s, m) = app
        .call(
            &t.secretary_a,
            Method::PATCH,
            &format!("/api/v1/members/{}", t.reviewer_a.id),
            Some(json!({"probationary": true})),
        )
        .await;
    assert_eq!(s, 200, "{m}");
    let c = opened(&app, &t.secretary_a, &t.branch_a).await;
    into_peer_review(&app);
    let list = todo(&app, &c, &t.member_a).await;
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 3, "{list}");
    assert!(!names.contains(&t.reviewer_a.name.as_str()));
    assert_eq!(
        vote(&app, &c, &t.member_a, t.reviewer_a.id, "qualified")
            .await
            .0,
        404
    );
    voted(&app, &c, &t.reviewer_a, &t.member_a, "excellent").await;
    assert_eq!(
        todo(&app, &c, &t.reviewer_a).await["items"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    past_peer_review(&app);
    let (_, r) = results(&app, &c, &t.secretary_a).await;
    let graded: Vec<&str> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["memberId"].as_str().unwrap())
        .collect();
    assert_eq!(graded.len(), 4, "{r}");
    assert!(!graded.contains(&t.reviewer_a.id.to_string().as_str()));
}

#[tokio::test]
async fn aggregates_are_withheld_under_three_ballots_and_shown_at_three() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let c = opened(&app, &t.secretary_a, &t.branch_a).await;
    assert_eq!(
        results(&app, &c, &t.secretary_a).await.1["code"],
        "appraisal_stage_not_begun"
    );
    into_peer_review(&app);
    for who in [&t.member_a2, &t.secretary_a, &t.committee_a] {
        voted(&app, &c, who, &t.member_a, "excellent").await;
    }
    for who in [&t.member_a, &t.secretary_a] {
        voted(&app, &c, who, &t.member_a2, "unqualified").await;
    }
    let (s, live) = results(&app, &c, &t.secretary_a).await;
    assert_eq!(s, 200, "{live}");
    assert_eq!(live["sealed"], false);
    assert_eq!(
        live["items"],
        json!([]),
        "no live counts beside a live turnout"
    );
    past_peer_review(&app);
    let (_, r) = results(&app, &c, &t.secretary_a).await;
    assert_eq!(r["sealed"], true);
    let shown = item(&r, &t.member_a);
    assert_eq!(
        (shown["withheld"].as_bool(), shown["ballots"].as_u64()),
        (Some(false), Some(3))
    );
    assert_eq!(shown["overall"]["excellent"], 3);
    assert_eq!(shown["dimensions"].as_array().unwrap().len(), 6);
    assert_eq!(shown["comments"].as_array().unwrap().len(), 3);
    let withheld = item(&r, &t.member_a2);
    assert_eq!(withheld["withheld"], true);
    for hidden in ["ballots", "overall", "dimensions", "comments"] {
        assert_eq!(withheld[hidden], Value::Null, "{hidden} of {withheld}");
    }
    // A plain member reads no results.
    assert_eq!(results(&app, &c, &t.member_a).await.0, 403);
}

#[tokio::test]
async fn once_the_stage_is_over_no_key_in_the_database_ties_a_tag_to_a_member() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let c = opened(&app, &t.secretary_a, &t.branch_a).await;
    into_peer_review(&app);
    for who in [&t.member_a2, &t.secretary_a, &t.committee_a] {
        voted(&app, &c, who, &t.member_a, "qualified").await;
    }
    voted(&app, &c, &t.member_a, &t.member_a2, "qualified").await;
    let everyone = branch_a(&t);
    // During the stage the key exists: the check below would find the link.
    assert_eq!(
        column(&app, "SELECT secret FROM ballot_secret").await.len(),
        1
    );
    assert!(linkable(&app, &everyone).await);
    // The secretary begins the rating early: the key goes with the stage.
    let (s, a) = app
        .call(
            &t.secretary_a,
            Method::POST,
            &format!("/api/v1/appraisals/{c}/advance"),
            None,
        )
        .await;
    assert_eq!(s, 200, "{a}");
    assert_eq!(
        column(&app, "SELECT secret FROM ballot_secret").await,
        Vec::<String>::new()
    );
    assert!(!linkable(&app, &everyone).await);
    let tags = column(&app, "SELECT reviewer_tag FROM peer_ballot").await;
    assert_eq!(tags.len(), 4);
    let ids: Vec<MemberId> = everyone.iter().map(|m| m.id).collect();
    for tag in &tags {
        assert_eq!(tag.len(), 64);
        for id in &ids {
            let (simple, hyphen) = (id.as_uuid().simple().to_string(), id.to_string());
            assert!(!tag.contains(&simple) && !tag.contains(&hyphen), "{tag}");
        }
    }
    // The turnout stays, without grades.
    let conn = app.db.connection();
    let voters = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT COUNT(*) FROM peer_voter",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap();
    assert_eq!(voters, 4);
}

#[tokio::test]
async fn the_background_sweep_erases_the_key_when_nobody_touches_the_campaign_again() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let c = opened(&app, &t.secretary_a, &t.branch_a).await;
    into_peer_review(&app);
    voted(&app, &c, &t.member_a2, &t.member_a, "qualified").await;
    // During the stage the sweep leaves the key alone.
    let swept = domain::appraisal::service::sweep_campaigns(&app.db, &app.clock)
        .await
        .unwrap();
    assert_eq!(swept.sealed, 0);
    assert_eq!(
        column(&app, "SELECT secret FROM ballot_secret").await.len(),
        1
    );
    past_peer_review(&app);
    let swept = domain::appraisal::service::sweep_campaigns(&app.db, &app.clock)
        .await
        .unwrap();
    assert_eq!(swept.sealed, 1);
    assert_eq!(
        column(&app, "SELECT secret FROM ballot_secret").await,
        Vec::<String>::new()
    );
    assert!(!linkable(&app, &branch_a(&t)).await);
}

#[tokio::test]
async fn reading_the_results_after_the_stage_erases_a_key_left_over() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let c = opened(&app, &t.secretary_a, &t.branch_a).await;
    into_peer_review(&app);
    voted(&app, &c, &t.member_a2, &t.member_a, "qualified").await;
    // The dates end the stage; nothing has written the campaign since.
    past_peer_review(&app);
    assert_eq!(
        column(&app, "SELECT secret FROM ballot_secret").await.len(),
        1
    );
    assert_eq!(results(&app, &c, &t.secretary_a).await.0, 200);
    assert_eq!(
        column(&app, "SELECT secret FROM ballot_secret").await,
        Vec::<String>::new()
    );
    assert!(!linkable(&app, &branch_a(&t)).await);
}

#[tokio::test]
async fn a_branch_secretary_sees_only_their_branch_of_a_township_campaign() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let township = opened(&app, &t.admin, &t.committee).await;
    let branch_b = opened(&app, &t.admin, &t.branch_b).await;
    into_peer_review(&app);
    voted(&app, &township, &t.operator, &t.member_b, "excellent").await;
    past_peer_review(&app);
    let (s, r) = results(&app, &township, &t.secretary_a).await;
    assert_eq!(s, 200, "{r}");
    let a: Vec<String> = branch_a(&t).iter().map(|m| m.id.to_string()).collect();
    assert!(r["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| a.contains(&i["memberId"].as_str().unwrap().to_owned())));
    assert_eq!(r["turnout"].as_array().unwrap().len(), 1);
    assert_eq!(r["turnout"][0]["branchId"], t.branch_a.id.to_string());
    assert_eq!(results(&app, &branch_b, &t.secretary_a).await.0, 404);
    let (_, all) = results(&app, &township, &t.admin).await;
    assert_eq!(all["turnout"].as_array().unwrap().len(), 2, "{all}");
}

#[tokio::test]
async fn responses_never_put_a_reviewer_next_to_a_grade() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    app.call(
        &t.secretary_a,
        Method::PATCH,
        &format!("/api/v1/members/{}", t.reviewer_a.id),
        Some(json!({"probationary": true})),
    )
    .await;
    let c = opened(&app, &t.secretary_a, &t.branch_a).await;
    into_peer_review(&app);
    for who in [&t.reviewer_a, &t.member_a2, &t.secretary_a] {
        voted(&app, &c, who, &t.member_a, "excellent").await;
    }
    // The giver's own list names only the members they grade, never the giver.
    let mine = todo(&app, &c, &t.reviewer_a).await;
    let mut found = Vec::new();
    uuids(&mine, "", &mut found);
    for (key, id) in &found {
        assert_ne!(*id, t.reviewer_a.id.as_uuid(), "{mine}");
        assert!(
            ["campaignId", "memberId", "groupId"].contains(&key.as_str()),
            "{key}"
        );
    }
    past_peer_review(&app);
    let (_, r) = results(&app, &c, &t.secretary_a).await;
    let mut found = Vec::new();
    uuids(&r, "", &mut found);
    for (key, id) in &found {
        assert!(
            ["memberId", "branchId"].contains(&key.as_str()),
            "{key} in {r}"
        );
        assert_ne!(
            *id,
            t.reviewer_a.id.as_uuid(),
            "the probationary reviewer appears: {r}"
        );
    }
    let text = r.to_string();
    assert!(
        !text.contains("reviewer") && !text.contains("tag"),
        "{text}"
    );
}

#[tokio::test]
async fn turnout_under_eighty_percent_is_flagged() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app.db, app.clock.now()).await;
    let c = opened(&app, &t.secretary_a, &t.branch_a).await;
    into_peer_review(&app);
    for who in [&t.member_a2, &t.secretary_a, &t.committee_a] {
        voted(&app, &c, who, &t.member_a, "qualified").await;
    }
    let (_, r) = results(&app, &c, &t.secretary_a).await;
    assert_eq!(
        r["turnout"][0],
        json!({"branchId": t.branch_a.id.to_string(), "voters": 3, "eligible": 5, "warning": true})
    );
    voted(&app, &c, &t.reviewer_a, &t.member_a, "qualified").await;
    let (_, r) = results(&app, &c, &t.secretary_a).await;
    assert_eq!(
        (
            r["turnout"][0]["voters"].as_u64(),
            r["turnout"][0]["warning"].as_bool()
        ),
        (Some(4), Some(false))
    );
}
