//! Applying for exemptions (请假), reviewing them, what they excuse, and the reviewer's
//! inbox.

use serde_json::json;

use super::world::*;

#[tokio::test]
async fn approved_exemptions_excuse_and_block_check_in_and_the_inbox_counts_what_is_pending() {
    let w = World::new().await;
    let t = &w.t;
    let a = w.theme_day(json!({})).await;
    // The secretary's inbox starts empty; a plain member has none.
    let (s, inbox) = w.get(&t.secretary_a, "/api/v1/me/inbox").await;
    assert_eq!((s, inbox["items"].as_array().unwrap().len()), (200, 0));
    assert_eq!(w.get(&t.member_a, "/api/v1/me/inbox").await.0, 403);
    let (s, ex) = w
        .post(
            &t.member_a,
            "/api/v1/exemptions",
            json!({"activityId": a, "reason": "外出务工"}),
        )
        .await;
    assert_eq!((s, ex["status"].as_str()), (201, Some("pending")), "{ex}");
    let (s, e) = w
        .post(
            &t.member_a,
            "/api/v1/exemptions",
            json!({"activityId": a, "reason": "again"}),
        )
        .await;
    assert_eq!((s, e["code"].as_str()), (409, Some("exemption_exists")));
    // A long illness: a date range covering the 5th.
    let (s, range) = w
        .post(
            &t.committee_a,
            "/api/v1/exemptions",
            json!({"fromDate": "2026-11-01", "toDate": "2027-01-31", "reason": "住院治疗"}),
        )
        .await;
    assert_eq!(s, 201, "{range}");
    let (s, e) = w
        .post(
            &t.member_b,
            "/api/v1/exemptions",
            json!({"activityId": a, "reason": "x"}),
        )
        .await;
    assert_eq!(s, 404, "{e}");
    w.check_in(&t.member_a2, &a, here()).await;
    let (_, inbox) = w.get(&t.secretary_a, "/api/v1/me/inbox").await;
    assert_eq!(inbox["items"][0]["activityId"], a.as_str());
    assert_eq!(inbox["items"][0]["pendingCheckIns"], 1);
    assert_eq!(inbox["items"][0]["pendingExemptions"], 1);
    assert_eq!(inbox["pendingRangeExemptions"], 1);
    // The township admin sees the same; branch B's nothing of it.
    let (_, admin_inbox) = w.get(&t.admin, "/api/v1/me/inbox").await;
    assert_eq!(admin_inbox["items"][0]["pendingCheckIns"], 1);
    let (_, other) = w.get(&t.other_secretary, "/api/v1/me/inbox").await;
    assert_eq!(other["items"].as_array().unwrap().len(), 0);
    // Listing and reviewing.
    let (s, list) = w
        .get(
            &t.secretary_a,
            &format!("/api/v1/orgs/{}/exemptions?status=pending", t.branch_a.id),
        )
        .await;
    assert_eq!(
        (s, list["items"].as_array().unwrap().len()),
        (200, 2),
        "{list}"
    );
    assert_eq!(
        w.get(
            &t.other_secretary,
            &format!("/api/v1/orgs/{}/exemptions", t.branch_a.id)
        )
        .await
        .0,
        404
    );
    for id in [ex["id"].as_str().unwrap(), range["id"].as_str().unwrap()] {
        let (s, r) = w
            .post(
                &t.secretary_a,
                &format!("/api/v1/exemptions/{id}/review"),
                json!({"decision": "approve"}),
            )
            .await;
        assert_eq!((s, r["status"].as_str()), (200, Some("approved")), "{r}");
    }
    let (s, e) = w
        .post(
            &t.secretary_a,
            &format!("/api/v1/exemptions/{}/review", ex["id"].as_str().unwrap()),
            json!({"decision": "approve"}),
        )
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (409, Some("exemption_not_pending"))
    );
    for who in [&t.member_a, &t.committee_a] {
        let (s, e) = w.check_in(who, &a, here()).await;
        assert_eq!((s, e["code"].as_str()), (422, Some("check_in_exempted")));
    }
    let (_, inbox) = w.get(&t.secretary_a, "/api/v1/me/inbox").await;
    assert_eq!(inbox["items"][0]["pendingExemptions"], 0);
    assert_eq!(inbox["pendingRangeExemptions"], 0);
}

#[tokio::test]
async fn an_exemption_retried_with_its_idempotency_key_is_applied_once() {
    let w = World::new().await;
    let a = w.theme_day(json!({})).await;
    let token = w.app.token_for(w.t.member_a.id);
    let body = json!({"activityId": a, "reason": "外出务工"});
    let send = || {
        reqwest::Client::new()
            .post(w.app.url("/api/v1/exemptions"))
            .bearer_auth(&token)
            .header("Idempotency-Key", "ex-1")
            .json(&body)
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status().as_u16(), 201);
    let first = first.text().await.unwrap();
    let again = send().await.unwrap();
    assert_eq!(again.status().as_u16(), 201);
    assert_eq!(again.text().await.unwrap(), first);
    let (_, list) = w
        .get(
            &w.t.secretary_a,
            &format!("/api/v1/orgs/{}/exemptions", w.t.branch_a.id),
        )
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn racing_exemption_applications_without_a_key_make_one_exemption() {
    let w = World::new().await;
    let a = w.theme_day(json!({})).await;
    let token = w.app.token_for(w.t.member_a.id);
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let req = reqwest::Client::new()
            .post(w.app.url("/api/v1/exemptions"))
            .bearer_auth(&token)
            .json(&json!({"activityId": a, "reason": "外出务工"}));
        tasks.push(tokio::spawn(async move {
            req.send().await.unwrap().status().as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
}
