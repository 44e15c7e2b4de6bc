//! Reviewing check-ins, one by one or in a batch, inside the reviewer's scope.

use serde_json::json;

use super::world::*;

#[tokio::test]
async fn reviews_stay_inside_the_reviewers_scope_and_batches_are_all_or_nothing() {
    let w = World::new().await;
    let t = &w.t;
    let a = w.theme_day(json!({})).await;
    let (s, b) = w
        .post(
            &t.admin,
            &format!("/api/v1/orgs/{}/activities", t.branch_b.id),
            json!({
                "kind": "theme_day", "themeCategory": "service", "title": "机关主题党日",
                "startsAt": rfc(at(&w.app, 30)), "endsAt": rfc(at(&w.app, 90)),
                "proof": "location",
                "geofence": {"center": {"lat": LAT, "lng": LNG}, "radiusM": 100.0},
            }),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let b = b["id"].as_str().unwrap().to_owned();
    let (_, ca1) = w.check_in(&t.member_a, &a, here()).await;
    let (_, ca2) = w.check_in(&t.member_a2, &a, here()).await;
    let (_, cb) = w.check_in(&t.member_b, &b, here()).await;
    let (ca1, ca2, cb) = (
        ca1["id"].as_str().unwrap().to_owned(),
        ca2["id"].as_str().unwrap().to_owned(),
        cb["id"].as_str().unwrap().to_owned(),
    );
    // Branch A's secretary cannot see branch B's check-in, alone or in a batch.
    let approve = json!({"decision": "approve"});
    let (s, _) = w
        .post(
            &t.secretary_a,
            &format!("/api/v1/check-ins/{cb}/review"),
            approve.clone(),
        )
        .await;
    assert_eq!(s, 404);
    let batch = format!("/api/v1/activities/{a}/check-ins/review");
    let (s, e) = w
        .post(
            &t.secretary_a,
            &batch,
            json!({"ids": [ca1, cb, "0193f5a4-0000-7000-8000-000000000000"], "decision": "approve"}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let errors: Vec<(String, String)> = e["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["pointer"].as_str().unwrap().into(),
                x["code"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        vec![
            ("/ids/1".into(), "check_in_not_found".into()),
            ("/ids/2".into(), "check_in_not_found".into()),
        ]
    );
    let pending = format!("/api/v1/activities/{a}/check-ins?status=pending");
    let (_, list) = w.get(&t.secretary_a, &pending).await;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        2,
        "nothing changed"
    );
    // A plain member reviewing: 403, whatever the id.
    assert_eq!(
        w.post(
            &t.member_a2,
            &format!("/api/v1/check-ins/{ca1}/review"),
            approve.clone()
        )
        .await
        .0,
        403
    );
    assert_eq!(
        w.post(
            &t.member_a2,
            &batch,
            json!({"ids": [ca1], "decision": "approve"})
        )
        .await
        .0,
        403
    );
    // A committee member without canReview cannot; with it they can.
    assert_eq!(
        w.post(
            &t.committee_a,
            &format!("/api/v1/check-ins/{ca1}/review"),
            approve.clone()
        )
        .await
        .0,
        403
    );
    // A rejection needs a reason.
    let (s, e) = w
        .post(
            &t.reviewer_a,
            &format!("/api/v1/check-ins/{ca2}/review"),
            json!({"decision": "reject"}),
        )
        .await;
    assert_eq!(
        (s, e["errors"][0]["code"].as_str()),
        (422, Some("review_reason_required"))
    );
    let (s, c) = w
        .post(
            &t.reviewer_a,
            &format!("/api/v1/check-ins/{ca2}/review"),
            json!({"decision": "reject", "reason": "未到现场"}),
        )
        .await;
    assert_eq!((s, c["status"].as_str()), (200, Some("rejected")), "{c}");
    assert_eq!(c["review"]["reason"], "未到现场");
    // Now the batch names a decided check-in and another activity's one.
    let (s, e) = w
        .post(
            &t.admin,
            &batch,
            json!({"ids": [ca1, ca2, cb], "decision": "approve"}),
        )
        .await;
    assert_eq!(s, 422);
    let codes: Vec<&str> = e["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["check_in_not_pending", "check_in_not_in_activity"]);
    let (s, done) = w
        .post(
            &t.secretary_a,
            &batch,
            json!({"ids": [ca1], "decision": "approve"}),
        )
        .await;
    assert_eq!(s, 200, "{done}");
    assert_eq!(done["items"][0]["status"], "approved");
    let (s, e) = w
        .post(
            &t.secretary_a,
            &format!("/api/v1/check-ins/{ca1}/review"),
            approve,
        )
        .await;
    assert_eq!((s, e["code"].as_str()), (409, Some("check_in_not_pending")));
    // Every decision is in the audit log.
    let (_, audit) = w
        .get(&t.admin, &format!("/api/v1/audit?orgId={}", t.committee.id))
        .await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"check_in.reject"), "{actions:?}");
    assert!(actions.contains(&"check_in.approve"), "{actions:?}");
}

#[tokio::test]
async fn a_plain_member_reviewing_is_forbidden_before_the_body_is_judged() {
    let w = World::new().await;
    let t = &w.t;
    let a = w.theme_day(json!({})).await;
    let (_, c) = w.check_in(&t.member_a, &a, here()).await;
    let id = c["id"].as_str().unwrap();
    let reject_without_reason = json!({"decision": "reject"});
    let single = format!("/api/v1/check-ins/{id}/review");
    assert_eq!(
        w.post(&t.member_a2, &single, reject_without_reason.clone())
            .await
            .0,
        403
    );
    let batch = format!("/api/v1/activities/{a}/check-ins/review");
    let empty = json!({"ids": [], "decision": "reject"});
    assert_eq!(w.post(&t.member_a2, &batch, empty).await.0, 403);
    let (_, ex) = w
        .post(
            &t.member_a2,
            "/api/v1/exemptions",
            json!({"activityId": a, "reason": "出差"}),
        )
        .await;
    let ex = format!("/api/v1/exemptions/{}/review", ex["id"].as_str().unwrap());
    assert_eq!(w.post(&t.member_a, &ex, reject_without_reason).await.0, 403);
}
