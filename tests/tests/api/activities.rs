//! Theme day and 三会一课 through the API: scheduling, check-in rules and races, review in
//! scope, exemptions, attendance, the inbox, the month's plan and the compliance report.

use chrono::{DateTime, Duration, Utc};
use reqwest::Method;
use serde_json::{json, Value};
use tests::fixtures::Township;
use tests::{json_body, TestApp};

use domain::activity::{ActivityId, CheckInRepo};
use domain::clock::Clock;
use domain::org::Member;

struct World {
    app: TestApp,
    t: Township,
}

/// The test instant is 2026-11-05 08:30 +08:00; activities below start at 09:00.
fn at(_app: &TestApp, minutes: i64) -> DateTime<Utc> {
    tests::default_test_instant() + Duration::minutes(minutes)
}

fn rfc(t: DateTime<Utc>) -> String {
    t.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .to_rfc3339()
}

const LAT: f64 = 30.0;
const LNG: f64 = 120.0;
/// Metres per degree of latitude on the haversine sphere used (R = 6 371 008.8 m).
const M_PER_DEG: f64 = 111_195.08;

impl World {
    async fn new() -> Self {
        let app = TestApp::spawn().await;
        let t = Township::create(&app.db, app.clock.now()).await;
        Self { app, t }
    }

    async fn call(
        &self,
        who: &Member,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let token = self.app.token_for(who.id);
        let res = match body {
            Some(b) => self.app.send_json_as(&token, method, path, &b).await,
            None => self.app.send_as(&token, method, path).await,
        };
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get(&self, who: &Member, path: &str) -> (u16, Value) {
        self.call(who, Method::GET, path, None).await
    }

    async fn post(&self, who: &Member, path: &str, body: Value) -> (u16, Value) {
        self.call(who, Method::POST, path, Some(body)).await
    }

    /// A theme day on branch A from 09:00 to 10:00 with the given extra fields.
    async fn theme_day(&self, extra: Value) -> String {
        let mut body = json!({
            "kind": "theme_day",
            "themeCategory": "study",
            "title": "重温入党誓词",
            "startsAt": rfc(at(&self.app, 30)),
            "endsAt": rfc(at(&self.app, 90)),
            "proof": "location",
            "geofence": {"center": {"lat": LAT, "lng": LNG}, "radiusM": 100.0},
        });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, a) = self
            .post(
                &self.t.secretary_a,
                &format!("/api/v1/orgs/{}/activities", self.t.branch_a.id),
                body,
            )
            .await;
        assert_eq!(status, 201, "{a}");
        a["id"].as_str().unwrap().to_owned()
    }

    async fn check_in(&self, who: &Member, activity: &str, body: Value) -> (u16, Value) {
        self.post(
            who,
            &format!("/api/v1/activities/{activity}/check-ins"),
            body,
        )
        .await
    }

    fn set_clock(&self, t: DateTime<Utc>) {
        self.app.clock.set(t);
    }
}

fn here() -> Value {
    json!({"location": {"lat": LAT, "lng": LNG}})
}

fn north(metres: f64) -> Value {
    json!({"location": {"lat": LAT + metres / M_PER_DEG, "lng": LNG}})
}

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
async fn every_refusal_has_its_own_code() {
    let w = World::new().await;
    let t = &w.t;
    // Online: only where allowed, and only for retired, frail and mobile members.
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
    // A committee meeting expects the branch committee only.
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
    // Another branch's member does not see the activity at all.
    assert_eq!(w.check_in(&t.member_b, &located, here()).await.0, 404);
    // Cancelled: no check-in, no further change.
    let path = format!("/api/v1/activities/{located}");
    let (s, a) = w
        .call(
            &t.secretary_a,
            Method::PATCH,
            &path,
            Some(json!({"cancelReason": "台风预警"})),
        )
        .await;
    assert_eq!((s, a["status"].as_str()), (200, Some("cancelled")), "{a}");
    let (s, e) = w.check_in(&t.member_a2, &located, here()).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("check_in_activity_cancelled"))
    );
    let (s, e) = w
        .call(
            &t.secretary_a,
            Method::PATCH,
            &path,
            Some(json!({"title": "改期"})),
        )
        .await;
    assert_eq!((s, e["code"].as_str()), (409, Some("activity_cancelled")));
    // Creating: members may not, a theme day needs its category, times must make sense.
    let create = format!("/api/v1/orgs/{}/activities", t.branch_a.id);
    let base = json!({
        "kind": "theme_day", "title": "x", "startsAt": rfc(at(&w.app, 30)),
        "endsAt": rfc(at(&w.app, 90)),
    });
    assert_eq!(w.post(&t.member_a, &create, base.clone()).await.0, 403);
    let (s, e) = w.post(&t.secretary_a, &create, base).await;
    assert_eq!(
        (s, e["errors"][0]["code"].as_str()),
        (422, Some("theme_category_required"))
    );
    let (s, e) = w
        .post(
            &t.secretary_a,
            &create,
            json!({"kind": "party_lesson", "title": "x", "startsAt": rfc(at(&w.app, 90)),
                   "endsAt": rfc(at(&w.app, 30))}),
        )
        .await;
    assert_eq!(
        (s, e["errors"][0]["code"].as_str()),
        (422, Some("activity_time_invalid"))
    );
    // Times far outside the calendar are refused before any arithmetic on them.
    let (s, e) = w
        .post(
            &t.secretary_a,
            &create,
            json!({"kind": "party_lesson", "title": "x", "startsAt": "+262142-01-01T00:00:00Z",
                   "endsAt": "+262142-01-01T01:00:00Z"}),
        )
        .await;
    assert_eq!(
        (s, e["errors"][0]["code"].as_str()),
        (422, Some("activity_time_invalid")),
        "{e}"
    );
    let (s, e) = w
        .check_in(
            &t.member_a2,
            &online,
            json!({"location": {"lat": LAT, "lng": LNG}, "clientTime": "1900-01-01T00:00:00Z"}),
        )
        .await;
    // A broken phone clock is not trusted, nor held against the member: it is dropped.
    assert_eq!((s, &e["clientTime"]), (201, &Value::Null), "{e}");
    let other_branch = format!("/api/v1/orgs/{}/activities", t.branch_b.id);
    let body = json!({"kind": "party_lesson", "title": "x", "startsAt": rfc(at(&w.app, 30)),
                      "endsAt": rfc(at(&w.app, 90))});
    assert_eq!(w.post(&t.secretary_a, &other_branch, body).await.0, 404);
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

/// A month on branch A: member A present, A2 did nothing, the secretary pending, committee
/// member excused, the reviewer rejected. Branch B held nothing.
async fn seeded_month(w: &World) -> String {
    let t = &w.t;
    let a = w.theme_day(json!({})).await;
    let (_, ex) = w
        .post(
            &t.committee_a,
            "/api/v1/exemptions",
            json!({"activityId": a, "reason": "生病"}),
        )
        .await;
    w.post(
        &t.secretary_a,
        &format!("/api/v1/exemptions/{}/review", ex["id"].as_str().unwrap()),
        json!({"decision": "approve"}),
    )
    .await;
    let (_, present) = w.check_in(&t.member_a, &a, here()).await;
    w.check_in(&t.secretary_a, &a, here()).await;
    let (_, rejected) = w.check_in(&t.reviewer_a, &a, here()).await;
    w.post(
        &t.secretary_a,
        &format!(
            "/api/v1/check-ins/{}/review",
            present["id"].as_str().unwrap()
        ),
        json!({"decision": "approve"}),
    )
    .await;
    w.post(
        &t.secretary_a,
        &format!(
            "/api/v1/check-ins/{}/review",
            rejected["id"].as_str().unwrap()
        ),
        json!({"decision": "reject", "reason": "代签"}),
    )
    .await;
    a
}

#[tokio::test]
async fn attendance_lists_every_expected_member_and_absentees() {
    let w = World::new().await;
    let t = &w.t;
    let a = seeded_month(&w).await;
    let (s, att) = w
        .get(
            &t.secretary_a,
            &format!("/api/v1/activities/{a}/attendance"),
        )
        .await;
    assert_eq!(s, 200, "{att}");
    let counts = &att["counts"];
    assert_eq!(
        [
            &counts["expected"],
            &counts["present"],
            &counts["pending"],
            &counts["excused"],
            &counts["absent"]
        ],
        [5, 1, 1, 1, 2]
    );
    assert_eq!(counts["rate"], 0.25);
    let status_of = |name: &str| {
        att["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .map(|m| m["status"].as_str().unwrap().to_owned())
    };
    assert_eq!(status_of("党员乙").as_deref(), Some("absent"));
    assert_eq!(status_of("支委乙").as_deref(), Some("absent"));
    assert_eq!(status_of("支委甲").as_deref(), Some("excused"));
    assert_eq!(status_of("书记甲").as_deref(), Some("pending"));
    assert_eq!(status_of("党员甲").as_deref(), Some("present"));
    // The secretary sees full phones; the committee member masked ones; members nothing.
    let (_, as_committee) = w
        .get(
            &t.committee_a,
            &format!("/api/v1/activities/{a}/attendance"),
        )
        .await;
    assert!(as_committee["members"][0]["phone"]
        .as_str()
        .unwrap()
        .contains("****"));
    assert!(!att["members"][0]["phone"].as_str().unwrap().contains('*'));
    assert_eq!(
        w.get(&t.member_a, &format!("/api/v1/activities/{a}/attendance"))
            .await
            .0,
        403
    );
    assert_eq!(
        w.get(
            &t.other_secretary,
            &format!("/api/v1/activities/{a}/attendance")
        )
        .await
        .0,
        404
    );
}

#[tokio::test]
async fn the_compliance_report_shows_each_branch_and_its_excel_file_holds_the_same_rows() {
    use calamine::{DataType, Reader, Xlsx};
    let w = World::new().await;
    let t = &w.t;
    seeded_month(&w).await;
    // After the theme day ended.
    w.set_clock(at(&w.app, 240));
    let (s, r) = w
        .get(&t.admin, "/api/v1/reports/compliance?month=2026-11")
        .await;
    assert_eq!(s, 200, "{r}");
    let branches = r["branches"].as_array().unwrap();
    assert_eq!(branches.len(), 2);
    let a = branches
        .iter()
        .find(|b| b["branchName"] == "虞北村第一党支部")
        .unwrap();
    let b = branches
        .iter()
        .find(|b| b["branchName"] == "镇机关党支部")
        .unwrap();
    assert_eq!(a["themeDayHeld"], true);
    assert_eq!(b["themeDayHeld"], false);
    assert_eq!(a["attendance"]["rate"], 0.25);
    assert_eq!(a["absentees"], 2);
    let state = |b: &Value, kind: &str| {
        b["obligations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["kind"] == kind)
            .map(|o| o["state"].as_str().unwrap().to_owned())
    };
    assert_eq!(state(a, "theme_day").as_deref(), Some("met"));
    assert_eq!(state(b, "theme_day").as_deref(), Some("due"));
    assert_eq!(state(a, "committee_meeting").as_deref(), Some("due"));
    assert_eq!(state(a, "group_meeting").as_deref(), Some("due"));
    assert_eq!(state(b, "group_meeting"), None, "branch B has no groups");
    // A past month with nothing held is overdue everywhere.
    let (_, october) = w
        .get(&t.admin, "/api/v1/reports/compliance?month=2026-10")
        .await;
    for b in october["branches"].as_array().unwrap() {
        assert_eq!(state(b, "theme_day").as_deref(), Some("overdue"));
    }
    // Scope: branch A's secretary sees only branch A; members none.
    let (_, mine) = w
        .get(&t.secretary_a, "/api/v1/reports/compliance?month=2026-11")
        .await;
    assert_eq!(mine["branches"].as_array().unwrap().len(), 1);
    assert_eq!(
        w.get(&t.member_a, "/api/v1/reports/compliance?month=2026-11")
            .await
            .0,
        403
    );
    let (s, e) = w
        .get(&t.admin, "/api/v1/reports/compliance?month=2026-13")
        .await;
    assert_eq!(
        (s, e["errors"][0]["code"].as_str()),
        (422, Some("month_invalid"))
    );
    // The same as an Excel file, by parameter and by Accept.
    let token = w.app.token_for(t.admin.id);
    for (path, accept) in [
        (
            "/api/v1/reports/compliance?month=2026-11&format=xlsx",
            "*/*",
        ),
        (
            "/api/v1/reports/compliance?month=2026-11",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ] {
        let res = w
            .app
            .send(
                Method::GET,
                path,
                &[
                    ("authorization", &format!("Bearer {token}")),
                    ("accept", accept),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(
            res.headers()["content-type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let bytes = res.bytes().await.unwrap();
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let sheet = book.worksheet_range("合规情况").unwrap();
        let rows: Vec<_> = sheet.rows().collect();
        assert_eq!(rows.len(), 3, "header and two branches");
        assert_eq!(rows[0][0].get_string(), Some("党支部"));
        let row_a = rows
            .iter()
            .find(|r| r[0].get_string() == Some("虞北村党总支/虞北村第一党支部"))
            .unwrap();
        assert_eq!(row_a[2].get_string(), Some("已开展"));
        assert_eq!(row_a[8].get_float(), Some(5.0));
        assert_eq!(row_a[9].get_float(), Some(1.0));
        assert_eq!(row_a[13].get_float(), Some(0.25));
        let absent = book.worksheet_range("缺席名单").unwrap();
        let mut names: Vec<(String, String)> = absent
            .rows()
            .skip(1)
            .map(|r| {
                (
                    r[1].get_string().unwrap().to_owned(),
                    r[2].get_string().unwrap().to_owned(),
                )
            })
            .collect();
        names.sort();
        assert_eq!(names.len(), 2);
        assert_eq!(names[0].0, "党员乙");
        assert_eq!(names[1].0, "支委乙");
        assert!(
            names.iter().all(|(_, phone)| phone.contains("****")),
            "{names:?}"
        );
        assert_eq!(
            names[0].1,
            t.member_a2.phone.masked(),
            "the absentee's masked phone"
        );
    }
}

#[tokio::test]
async fn the_plan_follows_each_sectors_rule_and_the_committees_holiday_calendar() {
    let w = World::new().await;
    let t = &w.t;
    let holidays = format!("/api/v1/orgs/{}/holidays/2026", t.committee.id);
    let (s, empty) = w.get(&t.member_a, &holidays).await;
    assert_eq!((s, empty["holidays"].as_array().unwrap().len()), (200, 0));
    let calendar = json!({
        "holidays": ["2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05",
                     "2026-10-06", "2026-10-07", "2026-12-05", "2026-12-07"],
        "workdays": ["2026-10-10"],
    });
    assert_eq!(
        w.call(
            &t.secretary_a,
            Method::PUT,
            &holidays,
            Some(calendar.clone())
        )
        .await
        .0,
        403
    );
    let (s, e) = w
        .call(
            &t.admin,
            Method::PUT,
            &holidays,
            Some(json!({"holidays": ["2027-01-01"], "workdays": []})),
        )
        .await;
    assert_eq!(
        (s, e["errors"][0]["code"].as_str()),
        (422, Some("holiday_outside_year"))
    );
    let (s, stored) = w
        .call(&t.admin, Method::PUT, &holidays, Some(calendar))
        .await;
    assert_eq!(s, 200, "{stored}");
    let plan = |org: &domain::org::Org, month: &str| {
        format!("/api/v1/orgs/{}/activity-plan?month={month}", org.id)
    };
    // Rural: the 5th; a holiday on the 5th moves to the nearest free day (4th and 6th are
    // equally near: the later one); a long holiday at the start of October → the 8th.
    for (month, want) in [
        ("2026-11", "2026-11-05"),
        ("2026-12", "2026-12-06"),
        ("2026-10", "2026-10-08"),
    ] {
        let (s, p) = w.get(&t.member_a, &plan(&t.branch_a, month)).await;
        assert_eq!(s, 200, "{p}");
        assert_eq!(p["themeDayDates"], json!([want]), "{month}");
        assert_eq!(p["themeDayRule"], "rural_fifth");
    }
    // Government: Mondays and Saturdays, skipping the holidays (Saturday the 5th, Monday
    // the 7th).
    let (s, p) = w.get(&t.admin, &plan(&t.branch_b, "2026-12")).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(
        p["themeDayDates"],
        json!([
            "2026-12-12",
            "2026-12-14",
            "2026-12-19",
            "2026-12-21",
            "2026-12-26",
            "2026-12-28"
        ])
    );
    assert_eq!(p["themeDayRule"], "government_monday_evening_or_saturday");
    // Obligations and their periods.
    let (_, p) = w.get(&t.member_a, &plan(&t.branch_a, "2026-11")).await;
    let periods: Vec<(String, String)> = p["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["kind"].as_str().unwrap().into(),
                o["period"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(periods.contains(&("theme_day".into(), "2026-11".into())));
    assert!(periods.contains(&("general_assembly".into(), "2026-Q4".into())));
    assert!(periods.contains(&("secretary_lesson".into(), "2026".into())));
    // Scope and inputs.
    assert_eq!(
        w.get(&t.member_b, &plan(&t.branch_a, "2026-11")).await.0,
        404
    );
    let (s, e) = w.get(&t.member_a, &plan(&t.committee, "2026-11")).await;
    assert_eq!(s, 404, "{e}");
    let (s, e) = w.get(&t.admin, &plan(&t.committee, "2026-11")).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("activity_plan_needs_branch"))
    );
    let (s, e) = w.get(&t.admin, &plan(&t.branch_a, "11-2026")).await;
    assert_eq!(
        (s, e["errors"][0]["code"].as_str()),
        (422, Some("month_invalid"))
    );
}

#[tokio::test]
async fn a_month_of_activities_is_listed_for_members_of_the_branch_only() {
    let w = World::new().await;
    let t = &w.t;
    let id = w.theme_day(json!({})).await;
    let list = |org: &domain::org::Org| format!("/api/v1/orgs/{}/activities?month=2026-11", org.id);
    let (s, l) = w.get(&t.member_a, &list(&t.branch_a)).await;
    assert_eq!((s, l["items"][0]["id"].as_str()), (200, Some(id.as_str())));
    let (_, l) = w.get(&t.admin, &list(&t.committee)).await;
    assert_eq!(l["items"].as_array().unwrap().len(), 1);
    let (_, l) = w
        .get(
            &t.member_a,
            &format!("/api/v1/orgs/{}/activities?month=2026-12", t.branch_a.id),
        )
        .await;
    assert_eq!(l["items"].as_array().unwrap().len(), 0);
    assert_eq!(w.get(&t.member_b, &list(&t.branch_a)).await.0, 404);
    assert_eq!(
        w.get(&t.member_b, &format!("/api/v1/activities/{id}"))
            .await
            .0,
        404
    );
    let (s, a) = w
        .get(&t.member_a, &format!("/api/v1/activities/{id}"))
        .await;
    assert_eq!(
        (s, a["checkInOpensAt"].as_str()),
        (200, Some("2026-11-05T08:30:00+08:00"))
    );
}

/// What the README says of the list: a whole month, `month` required, not paged.
#[tokio::test]
async fn the_activity_list_is_one_whole_month_and_is_not_paged() {
    let w = World::new().await;
    let t = &w.t;
    w.theme_day(json!({})).await;
    let base = format!("/api/v1/orgs/{}/activities", t.branch_a.id);
    let (s, l) = w.get(&t.member_a, &format!("{base}?month=2026-11")).await;
    assert_eq!(s, 200, "{l}");
    assert_eq!(l["items"].as_array().unwrap().len(), 1);
    assert!(l.get("nextCursor").is_none(), "no cursor: {l}");
    for query in [
        "",
        "?limit=10",
        "?month=2026-11&limit=10",
        "?month=2026-11&cursor=x",
    ] {
        let (s, p) = w.get(&t.member_a, &format!("{base}{query}")).await;
        assert_eq!(
            (s, p["code"].as_str()),
            (422, Some("request_query_invalid")),
            "{query}: {p}"
        );
    }
}

#[tokio::test]
async fn a_groups_page_lists_its_meetings_and_only_its_members_are_expected() {
    let w = World::new().await;
    let t = &w.t;
    // Member A2 moves into branch A's group.
    let (s, m) = w
        .call(
            &t.secretary_a,
            Method::PATCH,
            &format!("/api/v1/members/{}", t.member_a2.id),
            Some(json!({"orgId": t.group_a.id})),
        )
        .await;
    assert_eq!(s, 200, "{m}");
    let theme_day = w.theme_day(json!({})).await;
    let (s, meeting) = w
        .post(
            &t.secretary_a,
            &format!("/api/v1/orgs/{}/activities", t.group_a.id),
            json!({
                "kind": "group_meeting", "title": "党小组学习", "startsAt": rfc(at(&w.app, 30)),
                "endsAt": rfc(at(&w.app, 90)), "proof": "location",
                "geofence": {"center": {"lat": LAT, "lng": LNG}, "radiusM": 100.0},
            }),
        )
        .await;
    assert_eq!(s, 201, "{meeting}");
    assert_eq!(meeting["groupId"], json!(t.group_a.id));
    let meeting = meeting["id"].as_str().unwrap().to_owned();
    // A group meeting belongs on a group, everything else on a branch.
    let (s, e) = w
        .post(
            &t.secretary_a,
            &format!("/api/v1/orgs/{}/activities", t.branch_a.id),
            json!({"kind": "group_meeting", "title": "x", "startsAt": rfc(at(&w.app, 30)),
                   "endsAt": rfc(at(&w.app, 90))}),
        )
        .await;
    assert_eq!(
        (s, e["errors"][0]["code"].as_str()),
        (422, Some("activity_org_mismatch"))
    );
    let (s, list) = w
        .get(
            &t.member_a2,
            &format!("/api/v1/orgs/{}/activities?month=2026-11", t.group_a.id),
        )
        .await;
    assert_eq!(s, 200, "{list}");
    let mut ids: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    let mut want = vec![theme_day.as_str(), meeting.as_str()];
    want.sort_unstable();
    assert_eq!(ids, want);
    let (s, e) = w.check_in(&t.member_a, &meeting, here()).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("check_in_not_expected"))
    );
    assert_eq!(w.check_in(&t.member_a2, &meeting, here()).await.0, 201);
    let (_, att) = w
        .get(
            &t.secretary_a,
            &format!("/api/v1/activities/{meeting}/attendance"),
        )
        .await;
    assert_eq!(att["counts"]["expected"], 1, "{att}");
    let (s, e) = w
        .get(
            &t.secretary_a,
            &format!("/api/v1/orgs/{}/exemptions", t.group_a.id),
        )
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("exemptions_listed_per_branch"))
    );
}

#[tokio::test]
async fn members_who_joined_after_an_activity_ended_are_not_counted_absent() {
    let w = World::new().await;
    let t = &w.t;
    let a = w.theme_day(json!({})).await;
    let (_, before) = w
        .get(
            &t.secretary_a,
            &format!("/api/v1/activities/{a}/attendance"),
        )
        .await;
    w.set_clock(at(&w.app, 24 * 60));
    let (s, m) = w
        .post(
            &t.secretary_a,
            &format!("/api/v1/orgs/{}/members", t.branch_a.id),
            json!({"name": "新党员", "phone": "13912345678", "category": "rural"}),
        )
        .await;
    assert_eq!(s, 201, "{m}");
    let (_, after) = w
        .get(
            &t.secretary_a,
            &format!("/api/v1/activities/{a}/attendance"),
        )
        .await;
    assert_eq!(after["counts"], before["counts"]);
    assert_eq!(after["counts"]["expected"], 5);
}

#[tokio::test]
async fn a_lecturer_is_a_member_the_scheduler_may_see() {
    let w = World::new().await;
    let t = &w.t;
    let lesson = |lecturer: &Member| {
        json!({"kind": "party_lesson", "title": "书记讲党课", "startsAt": rfc(at(&w.app, 30)),
               "endsAt": rfc(at(&w.app, 90)), "lecturerId": lecturer.id})
    };
    let create = format!("/api/v1/orgs/{}/activities", t.branch_a.id);
    let (s, a) = w
        .post(&t.secretary_a, &create, lesson(&t.secretary_a))
        .await;
    assert_eq!(s, 201, "{a}");
    assert_eq!(a["lecturerName"], "书记甲");
    assert_eq!(a["lecturerIsSecretary"], true);
    let (s, a) = w.post(&t.secretary_a, &create, lesson(&t.member_a)).await;
    assert_eq!((s, &a["lecturerIsSecretary"]), (201, &json!(false)));
    for outsider in [&t.member_b, &t.other_secretary] {
        let (s, e) = w.post(&t.secretary_a, &create, lesson(outsider)).await;
        assert_eq!(
            (s, e["errors"][0]["code"].as_str()),
            (422, Some("lecturer_unknown"))
        );
    }
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

/// A general branch under the committee with a branch named `branch` in it.
async fn village_with_branch(w: &World, village: &str, branch: &str) {
    use domain::org::{Org, OrgId, OrgKind, OrgRepo, OrgSector};
    let now = w.app.clock.now();
    let general_id = OrgId::new();
    let general = Org {
        id: general_id,
        parent_id: Some(w.t.committee.id),
        kind: OrgKind::GeneralBranch,
        sector: OrgSector::Rural,
        name: village.into(),
        path: w.t.committee.path.child(general_id),
        created_at: now,
    };
    let branch_id = OrgId::new();
    let branch = Org {
        id: branch_id,
        parent_id: Some(general_id),
        kind: OrgKind::Branch,
        sector: OrgSector::Rural,
        name: branch.into(),
        path: general.path.child(branch_id),
        created_at: now,
    };
    let repos = w.app.db.repos();
    OrgRepo::insert(&repos, &general).await.unwrap();
    OrgRepo::insert(&repos, &branch).await.unwrap();
}

fn shanghai(y: i32, m: u32, d: u32, h: u32, min: u32) -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, min, 0)
        .unwrap()
}

#[tokio::test]
async fn the_compliance_excel_file_names_branches_by_path_with_date_cells_under_a_frozen_filtered_header(
) {
    use crate::xlsx;
    let w = World::new().await;
    let t = &w.t;
    village_with_branch(&w, "新舍村党总支", "第一党支部").await;
    village_with_branch(&w, "虞南村党总支", "第一党支部").await;
    seeded_month(&w).await;
    w.set_clock(at(&w.app, 240));
    let token = w.app.token_for(t.admin.id);
    let res = w
        .app
        .send(
            Method::GET,
            "/api/v1/reports/compliance?month=2026-11&format=xlsx",
            &[("authorization", &format!("Bearer {token}"))],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let (ascii, name) = xlsx::file_names(&res);
    assert_eq!(name, "主题党日及三会一课落实情况-2026-11.xlsx");
    assert_eq!(ascii, "compliance-2026-11.xlsx");
    let bytes = res.bytes().await.unwrap();
    xlsx::assert_laid_out(&bytes);
    xlsx::assert_columns_fit(&bytes, 1);
    xlsx::assert_columns_fit(&bytes, 2);

    let rows = xlsx::rows(&bytes, "合规情况");
    let mut branches: Vec<String> = rows.iter().skip(1).map(|r| r[0].to_string()).collect();
    branches.sort();
    assert_eq!(
        branches,
        [
            "新舍村党总支/第一党支部",
            "虞北村党总支/虞北村第一党支部",
            "虞南村党总支/第一党支部",
            "镇机关党支部",
        ],
        "the path below the committee tells the two 第一党支部 apart"
    );
    let month = xlsx::column(&rows, "月份");
    for r in rows.iter().skip(1) {
        assert_eq!(xlsx::date_time(&r[month]), shanghai(2026, 11, 1, 0, 0));
    }
    let absent = xlsx::rows(&bytes, "缺席名单");
    assert_eq!(absent.len(), 3, "header and two absentees");
    let when = xlsx::column(&absent, "活动时间");
    for r in absent.iter().skip(1) {
        assert_eq!(r[0].to_string(), "虞北村党总支/虞北村第一党支部");
        assert_eq!(
            xlsx::date_time(&r[when]),
            shanghai(2026, 11, 5, 9, 0),
            "the theme day's start, Beijing time"
        );
    }
}

#[tokio::test]
async fn attendance_exports_the_same_rows_as_an_excel_file_by_parameter_or_accept() {
    use crate::xlsx;
    let w = World::new().await;
    let t = &w.t;
    let a = seeded_month(&w).await;
    let path = format!("/api/v1/activities/{a}/attendance");
    // Phones as the JSON shows them to each caller: full to the secretary, masked to a
    // committee member.
    for (who, query, accept) in [
        (&t.secretary_a, "?format=xlsx", "*/*"),
        (&t.committee_a, "", xlsx::XLSX),
    ] {
        let (_, json) = w.get(who, &path).await;
        let token = w.app.token_for(who.id);
        let res = w
            .app
            .send(
                Method::GET,
                &format!("{path}{query}"),
                &[
                    ("authorization", &format!("Bearer {token}")),
                    ("accept", accept),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(res.headers()["content-type"], xlsx::XLSX);
        let (ascii, name) = xlsx::file_names(&res);
        assert_eq!(
            name,
            "出勤情况-虞北村党总支-虞北村第一党支部-重温入党誓词-2026-11-05.xlsx"
        );
        assert_eq!(ascii, "attendance-2026-11-05.xlsx");
        let bytes = res.bytes().await.unwrap();
        xlsx::assert_laid_out(&bytes);
        xlsx::assert_columns_fit(&bytes, 1);

        let rows = xlsx::rows(&bytes, "出勤情况");
        let col = |h: &str| xlsx::column(&rows, h);
        let (branch, name, phone, status, starts, checked_in) = (
            col("党支部"),
            col("姓名"),
            col("手机号"),
            col("出勤情况"),
            col("活动开始"),
            col("签到时间"),
        );
        let mut sheet: Vec<(String, String, String)> = rows
            .iter()
            .skip(1)
            .map(|r| {
                (
                    r[name].to_string(),
                    r[phone].to_string(),
                    r[status].to_string(),
                )
            })
            .collect();
        let zh = |s: &str| match s {
            "present" => "出席",
            "pending" => "待审核",
            "excused" => "请假",
            "absent" => "缺席",
            other => panic!("{other}"),
        };
        let mut expected: Vec<(String, String, String)> = json["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["name"].as_str().unwrap().to_owned(),
                    m["phone"].as_str().unwrap().to_owned(),
                    zh(m["status"].as_str().unwrap()).to_owned(),
                )
            })
            .collect();
        sheet.sort();
        expected.sort();
        assert_eq!(sheet, expected, "the JSON's rows");
        assert_eq!(expected.len(), 5);
        for r in rows.iter().skip(1) {
            assert_eq!(r[branch].to_string(), "虞北村党总支/虞北村第一党支部");
            assert_eq!(xlsx::date_time(&r[starts]), shanghai(2026, 11, 5, 9, 0));
            match r[name].to_string().as_str() {
                // Checked in when the test began, 08:30 Beijing time.
                "党员甲" => assert_eq!(
                    xlsx::date_time(&r[checked_in]),
                    shanghai(2026, 11, 5, 8, 30)
                ),
                "党员乙" => assert!(
                    matches!(r[checked_in], calamine::Data::Empty),
                    "{:?}",
                    r[checked_in]
                ),
                _ => {}
            }
        }
    }
    // The same scope as the JSON.
    for (who, status) in [(&t.member_a, 403), (&t.other_secretary, 404)] {
        let token = w.app.token_for(who.id);
        let res = w
            .app
            .send(
                Method::GET,
                &format!("{path}?format=xlsx"),
                &[("authorization", &format!("Bearer {token}"))],
            )
            .await;
        assert_eq!(res.status().as_u16(), status);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
    }
    let (s, e) = w.get(&t.secretary_a, &format!("{path}?format=pdf")).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("request_query_invalid"))
    );
}
