//! An `Idempotency-Key` never strands, whatever the cache's timing: a claim the cache
//! answers too late (and applies later), a cache paused while a request runs, and an
//! answer the cache lost all leave the key usable by the member's retry.

use std::time::Duration as StdDuration;

use chrono::Duration;
use reqwest::Method;
use serde_json::{json, Value};
use tests::fixtures::Township;
use tests::{json_body, TestApp, TestOptions};

use domain::clock::Clock;

struct World {
    app: TestApp,
    t: Township,
}

const LAT: f64 = 30.0;
const LNG: f64 = 120.0;

impl World {
    async fn new() -> Self {
        let app = TestApp::spawn_with(TestOptions {
            flaky_cache: true,
            ..TestOptions::default()
        })
        .await;
        let t = Township::create(&app.db, app.clock.now()).await;
        Self { app, t }
    }

    fn flaky(&self) -> &tests::FlakyCache {
        self.app.flaky.as_deref().unwrap()
    }

    /// A theme day on branch A starting `minutes` from now, for an hour, checked in by place.
    async fn theme_day(&self, minutes: i64) -> String {
        let now = self.app.clock.now();
        let rfc = |t: chrono::DateTime<chrono::Utc>| {
            t.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
                .to_rfc3339()
        };
        let (s, a) = self
            .app
            .call(
                &self.t.secretary_a,
                Method::POST,
                &format!("/api/v1/orgs/{}/activities", self.t.branch_a.id),
                Some(json!({
                    "kind": "theme_day",
                    "themeCategory": "study",
                    "title": "重温入党誓词",
                    "startsAt": rfc(now + Duration::minutes(minutes)),
                    "endsAt": rfc(now + Duration::minutes(minutes + 60)),
                    "proof": "location",
                    "geofence": {"center": {"lat": LAT, "lng": LNG}, "radiusM": 100.0},
                })),
            )
            .await;
        assert_eq!(s, 201, "{a}");
        a["id"].as_str().unwrap().to_owned()
    }

    /// Member A checks in with `key`: status, replayed?, body.
    async fn check_in(&self, activity: &str, key: &str) -> (u16, bool, Value) {
        let res = self
            .app
            .client
            .post(
                self.app
                    .url(&format!("/api/v1/activities/{activity}/check-ins")),
            )
            .bearer_auth(self.app.token_for(self.t.member_a.id))
            .header("Idempotency-Key", key)
            .json(&json!({"location": {"lat": LAT, "lng": LNG}}))
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let replayed = res.headers().contains_key("idempotent-replayed");
        (status, replayed, json_body(res).await)
    }
}

async fn settle() {
    tokio::time::sleep(StdDuration::from_millis(600)).await;
}

#[tokio::test]
async fn a_claim_the_cache_applies_after_the_request_finished_does_not_block_the_retry() {
    let w = World::new().await;
    let id = w.theme_day(30).await;
    w.flaky().delay_next_claim(StdDuration::from_millis(300));
    let (s, _, first) = w.check_in(&id, "late-claim").await;
    assert_eq!(s, 201, "{first}");
    settle().await; // the claim lands now, after the answer was stored
    let (s, replayed, again) = w.check_in(&id, "late-claim").await;
    assert_eq!((s, replayed), (201, true), "{again}");
    assert_eq!(again, first);
}

#[tokio::test]
async fn a_refused_request_whose_claim_lands_late_leaves_the_key_free_for_the_retry() {
    let w = World::new().await;
    let id = w.theme_day(120).await; // the window opens in 90 minutes
    w.flaky().delay_next_claim(StdDuration::from_millis(300));
    let (s, _, e) = w.check_in(&id, "refused-first").await;
    assert_eq!(
        (s, e["code"].as_str()),
        (422, Some("check_in_window_not_open"))
    );
    settle().await;
    w.app.clock.advance(Duration::minutes(95));
    let (s, replayed, body) = w.check_in(&id, "refused-first").await;
    assert_eq!((s, replayed), (201, false), "{body}");
}

#[tokio::test]
async fn a_cache_paused_through_a_request_ends_with_the_answer_stored() {
    let w = World::new().await;
    let id = w.theme_day(30).await;
    w.flaky().pause_writes(StdDuration::from_millis(300));
    let (s, _, first) = w.check_in(&id, "paused").await;
    assert_eq!(s, 201, "{first}");
    settle().await;
    let (s, replayed, again) = w.check_in(&id, "paused").await;
    assert_eq!((s, replayed), (201, true), "{again}");
    assert_eq!(again, first);

    // The same with a refusal: the retry is not told "in flight".
    let later = w.theme_day(120).await;
    w.flaky().pause_writes(StdDuration::from_millis(300));
    let (s, _, _) = w.check_in(&later, "paused-refused").await;
    assert_eq!(s, 422);
    settle().await;
    w.app.clock.advance(Duration::minutes(95));
    let (s, _, body) = w.check_in(&later, "paused-refused").await;
    assert_eq!(s, 201, "{body}");
}

#[tokio::test]
async fn a_claim_whose_answer_was_lost_holds_the_key_only_for_its_lease() {
    let w = World::new().await;
    let id = w.theme_day(30).await;
    w.flaky().lose_writes_after_next_claim();
    let (s, _, first) = w.check_in(&id, "lost").await;
    assert_eq!(s, 201, "{first}");
    w.flaky().set_down(false);
    let (s, _, e) = w.check_in(&id, "lost").await;
    assert_eq!(
        (s, e["code"].as_str()),
        (409, Some("idempotency_request_in_flight")),
        "within the lease the first request may still be running"
    );
    w.app.clock.advance(Duration::seconds(16));
    let (s, _, again) = w.check_in(&id, "lost").await;
    assert_eq!(
        s, 200,
        "the lease ran out: the retry runs and finds the stored check-in"
    );
    assert_eq!(again["id"], first["id"]);
    let (s, replayed, _) = w.check_in(&id, "lost").await;
    assert_eq!((s, replayed), (200, true));
}
