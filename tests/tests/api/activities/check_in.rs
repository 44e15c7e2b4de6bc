//! Checking in: the window by the server's clock, QR codes, the geofence, online
//! attendance, who is expected, and one row per member whatever the retries.

use chrono::Duration;
use reqwest::Method;
use serde_json::{json, Value};
use tests::json_body;

use domain::activity::{ActivityId, CheckInRepo};

use super::world::*;

#[tokio::test]
async fn fifty_concurrent_check_ins_by_one_member_make_one_row_one_201_and_identical_bodies() {
    let w = World::new().await;
    let id = w.theme_day(json!({})).await;
    let token = w.app.token_for(w.t.member_a.id);
    let path = format!("/api/v1/activities/{id}/check-ins");
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let client = reqwest::Client::new();
        let url = w.app.url(&path);
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            let res = client
                .post(url)
                .bearer_auth(token)
                .json(&here())
                .send()
                .await
                .unwrap();
            (res.status().as_u16(), res.text().await.unwrap())
        }));
    }
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    let created = results.iter().filter(|(s, _)| *s == 201).count();
    let repeated = results.iter().filter(|(s, _)| *s == 200).count();
    assert_eq!((created, repeated), (1, 49), "{results:?}");
    let first = &results[0].1;
    assert!(results.iter().all(|(_, b)| b == first), "bodies differ");
    let rows = w
        .app
        .db
        .repos()
        .all_of(ActivityId::from_uuid(id.parse().unwrap()))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let body: Value = serde_json::from_str(first).unwrap();
    assert_eq!(body["status"], "pending");
    assert_eq!(body["method"], "location");
}

#[tokio::test]
async fn the_server_clock_decides_the_window_at_its_edges() {
    let w = World::new().await;
    // Opens 08:30 (30 minutes before 09:00), closes at the end, 10:00.
    let id = w.theme_day(json!({})).await;
    let opens = at(&w.app, 0);
    let closes = at(&w.app, 90);
    let client_claims = json!({
        "location": {"lat": LAT, "lng": LNG},
        "clientTime": rfc(opens + Duration::hours(1)),
    });
    w.set_clock(opens - Duration::seconds(1));
    let (s, e) = w.check_in(&w.t.member_a, &id, client_claims.clone()).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("check_in_window_not_open"))
    );
    w.set_clock(opens);
    let (s, c) = w.check_in(&w.t.member_a, &id, client_claims).await;
    assert_eq!(s, 201, "{c}");
    assert_eq!(c["checkedInAt"], rfc(opens));
    assert_eq!(c["clientTime"], rfc(opens + Duration::hours(1)));
    w.set_clock(closes);
    assert_eq!(w.check_in(&w.t.member_a2, &id, here()).await.0, 201);
    w.set_clock(closes + Duration::seconds(1));
    let (s, e) = w.check_in(&w.t.secretary_a, &id, here()).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("check_in_window_closed"))
    );
    // A member who already checked in still gets their check-in back after closing.
    assert_eq!(w.check_in(&w.t.member_a, &id, here()).await.0, 200);
}

#[tokio::test]
async fn qr_codes_of_this_and_the_previous_slot_pass_older_and_forged_ones_do_not() {
    let w = World::new().await;
    let id = w
        .theme_day(json!({"proof": "qr", "qrAutoApprove": true}))
        .await;
    let other = w.theme_day(json!({"proof": "qr"})).await;
    let (s, qr) = w
        .get(
            &w.t.secretary_a,
            &format!("/api/v1/activities/{id}/qr-token"),
        )
        .await;
    assert_eq!(s, 200, "{qr}");
    let token = qr["token"].as_str().unwrap().to_owned();
    // A plain member cannot fetch the code.
    assert_eq!(
        w.get(&w.t.member_a, &format!("/api/v1/activities/{id}/qr-token"))
            .await
            .0,
        403
    );
    // The next slot: the previous code still passes, and auto-approves.
    w.set_clock(at(&w.app, 0) + Duration::seconds(30));
    let (s, c) = w
        .check_in(&w.t.member_a, &id, json!({"qrToken": token}))
        .await;
    assert_eq!(s, 201, "{c}");
    assert_eq!(
        (c["method"].as_str(), c["status"].as_str()),
        (Some("qr"), Some("approved"))
    );
    // Forged: another activity's code, a changed signature, garbage.
    let (_, other_qr) = w
        .get(
            &w.t.secretary_a,
            &format!("/api/v1/activities/{other}/qr-token"),
        )
        .await;
    let mut tampered = token.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == '0' { '1' } else { '0' });
    for forged in [
        other_qr["token"].as_str().unwrap(),
        tampered.as_str(),
        "not-a-code",
    ] {
        let (s, e) = w
            .check_in(&w.t.member_a2, &id, json!({"qrToken": forged}))
            .await;
        assert_eq!(
            (s, e["code"].as_str()),
            (422, Some("check_in_qr_invalid")),
            "{forged}"
        );
    }
    // Two slots later the first code has expired.
    w.set_clock(at(&w.app, 0) + Duration::seconds(60));
    let (s, e) = w
        .check_in(&w.t.member_a2, &id, json!({"qrToken": token}))
        .await;
    assert_eq!((s, e["code"].as_str()), (422, Some("check_in_qr_expired")));
    // A location is no proof for a QR-only activity.
    let (s, e) = w.check_in(&w.t.member_a2, &id, here()).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("check_in_proof_required"))
    );
}

#[tokio::test]
async fn the_geofence_edge_decides_location_check_ins() {
    let w = World::new().await;
    let id = w.theme_day(json!({})).await;
    let (s, e) = w.check_in(&w.t.member_a, &id, north(100.5)).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("check_in_outside_geofence"))
    );
    assert_eq!(w.check_in(&w.t.member_a, &id, north(99.5)).await.0, 201);
    let (s, e) = w
        .check_in(
            &w.t.member_a2,
            &id,
            json!({"location": {"lat": 91.0, "lng": LNG}}),
        )
        .await;
    assert_eq!(
        (s, e["errors"][0]["code"].as_str()),
        (422, Some("location_invalid"))
    );
}

#[tokio::test]
async fn online_check_in_is_for_retired_frail_and_mobile_members_where_the_activity_allows_it() {
    let w = World::new().await;
    let t = &w.t;
    let online = w.theme_day(json!({"onlineAllowed": true})).await;
    let (s, e) = w
        .check_in(&t.member_a, &online, json!({"online": true}))
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("check_in_online_not_allowed"))
    );
    let (s, _) = w
        .call(
            &t.secretary_a,
            Method::PATCH,
            &format!("/api/v1/members/{}", t.member_a.id),
            Some(json!({"category": "retired"})),
        )
        .await;
    assert_eq!(s, 200);
    let (s, c) = w
        .check_in(&t.member_a, &online, json!({"online": true}))
        .await;
    assert_eq!((s, c["status"].as_str()), (201, Some("pending")), "{c}");
    let located = w.theme_day(json!({})).await;
    let (s, e) = w
        .check_in(&t.member_a, &located, json!({"online": true}))
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("check_in_online_not_allowed"))
    );
}

#[tokio::test]
async fn a_committee_meeting_expects_the_branch_committee_only() {
    let w = World::new().await;
    let t = &w.t;
    let (s, meeting) = w
        .post(
            &t.secretary_a,
            &format!("/api/v1/orgs/{}/activities", t.branch_a.id),
            json!({
                "kind": "committee_meeting",
                "title": "支委会",
                "startsAt": rfc(at(&w.app, 30)),
                "endsAt": rfc(at(&w.app, 90)),
                "proof": "location",
                "geofence": {"center": {"lat": LAT, "lng": LNG}, "radiusM": 100.0},
            }),
        )
        .await;
    assert_eq!(s, 201, "{meeting}");
    let meeting = meeting["id"].as_str().unwrap();
    let (s, e) = w.check_in(&t.member_a2, meeting, here()).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("check_in_not_expected"))
    );
    assert_eq!(w.check_in(&t.committee_a, meeting, here()).await.0, 201);
}

#[tokio::test]
async fn another_branchs_member_does_not_see_the_activity_to_check_in_to() {
    let w = World::new().await;
    let t = &w.t;
    let located = w.theme_day(json!({})).await;
    assert_eq!(w.check_in(&t.member_b, &located, here()).await.0, 404);
}

#[tokio::test]
async fn a_broken_phone_clock_is_dropped_not_held_against_the_member() {
    let w = World::new().await;
    let t = &w.t;
    let online = w.theme_day(json!({"onlineAllowed": true})).await;
    let (s, e) = w
        .check_in(
            &t.member_a2,
            &online,
            json!({"location": {"lat": LAT, "lng": LNG}, "clientTime": "1900-01-01T00:00:00Z"}),
        )
        .await;
    // A broken phone clock is not trusted, nor held against the member: it is dropped.
    assert_eq!((s, &e["clientTime"]), (201, &Value::Null), "{e}");
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_answer_and_refuses_another_body() {
    let w = World::new().await;
    let id = w.theme_day(json!({})).await;
    let token = w.app.token_for(w.t.member_a.id);
    let path = format!("/api/v1/activities/{id}/check-ins");
    let send = |body: Value, key: &'static str| {
        let req = reqwest::Client::new()
            .post(w.app.url(&path))
            .bearer_auth(&token)
            .header("Idempotency-Key", key)
            .json(&body);
        async move { req.send().await.unwrap() }
    };
    let first = send(here(), "k-1").await;
    assert_eq!(first.status().as_u16(), 201);
    let first_body = first.text().await.unwrap();
    let again = send(here(), "k-1").await;
    assert_eq!(again.status().as_u16(), 201);
    assert_eq!(
        again
            .headers()
            .get("idempotent-replayed")
            .map(|v| v.to_str().unwrap()),
        Some("true")
    );
    assert_eq!(again.text().await.unwrap(), first_body);
    let other = send(north(10.0), "k-1").await;
    assert_eq!(other.status().as_u16(), 422);
    assert_eq!(json_body(other).await["code"], "idempotency_key_reused");
    // Without the key, a repeat is the stored check-in with 200.
    assert_eq!(w.check_in(&w.t.member_a, &id, here()).await.0, 200);
    // While the first request with a key is in flight, a second one is told so.
    let key = format!(
        "idem:{}:POST {path}:k-2",
        w.t.member_a2.id.as_uuid().simple()
    );
    let fp = {
        use sha2::Digest;
        // The request as the server re-serialises it, fields in declaration order.
        let bytes =
            br#"{"qrToken":null,"location":{"lat":30.0,"lng":120.0},"online":false,"clientTime":null}"#;
        sha2::Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let in_flight = json!({"state": "in_flight", "fp": fp}).to_string();
    w.app
        .cache
        .set(
            &key,
            in_flight.as_bytes(),
            Some(std::time::Duration::from_secs(60)),
        )
        .await
        .unwrap();
    let res = reqwest::Client::new()
        .post(w.app.url(&path))
        .bearer_auth(w.app.token_for(w.t.member_a2.id))
        .header("Idempotency-Key", "k-2")
        .json(&here())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 409);
    assert_eq!(
        json_body(res).await["code"],
        "idempotency_request_in_flight"
    );
    let res = reqwest::Client::new()
        .post(w.app.url(&path))
        .bearer_auth(w.app.token_for(w.t.member_a2.id))
        .header("Idempotency-Key", "")
        .json(&here())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 400);
}
