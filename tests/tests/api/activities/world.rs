//! What the activity tests share: a spawned app with the fixture township, the theme day
//! most of them use, and the month of check-ins and exemptions the reports read.

use chrono::{DateTime, Duration, Utc};
use reqwest::Method;
use serde_json::{json, Value};
use tests::fixtures::Township;
use tests::TestApp;

use domain::clock::Clock;
use domain::org::Member;

pub(super) struct World {
    pub(super) app: TestApp,
    pub(super) t: Township,
}

/// The test instant is 2026-11-05 08:30 +08:00; activities below start at 09:00.
pub(super) fn at(_app: &TestApp, minutes: i64) -> DateTime<Utc> {
    tests::default_test_instant() + Duration::minutes(minutes)
}

pub(super) fn rfc(t: DateTime<Utc>) -> String {
    t.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .to_rfc3339()
}

pub(super) const LAT: f64 = 30.0;
pub(super) const LNG: f64 = 120.0;
/// Metres per degree of latitude on the haversine sphere used (R = 6 371 008.8 m).
const M_PER_DEG: f64 = 111_195.08;

impl World {
    pub(super) async fn new() -> Self {
        let app = TestApp::spawn().await;
        let t = Township::create(&app.db, app.clock.now()).await;
        Self { app, t }
    }

    pub(super) async fn call(
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

    pub(super) async fn get(&self, who: &Member, path: &str) -> (u16, Value) {
        self.call(who, Method::GET, path, None).await
    }

    pub(super) async fn post(&self, who: &Member, path: &str, body: Value) -> (u16, Value) {
        self.call(who, Method::POST, path, Some(body)).await
    }

    /// A theme day on branch A from 09:00 to 10:00 with the given extra fields.
    pub(super) async fn theme_day(&self, extra: Value) -> String {
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

    pub(super) async fn check_in(&self, who: &Member, activity: &str, body: Value) -> (u16, Value) {
        self.post(
            who,
            &format!("/api/v1/activities/{activity}/check-ins"),
            body,
        )
        .await
    }

    pub(super) fn set_clock(&self, t: DateTime<Utc>) {
        self.app.clock.set(t);
    }
}

pub(super) fn here() -> Value {
    json!({"location": {"lat": LAT, "lng": LNG}})
}

pub(super) fn north(metres: f64) -> Value {
    json!({"location": {"lat": LAT + metres / M_PER_DEG, "lng": LNG}})
}

/// A month on branch A: member A present, A2 did nothing, the secretary pending, committee
/// member excused, the reviewer rejected. Branch B held nothing.
pub(super) async fn seeded_month(w: &World) -> String {
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

/// A general branch under the committee with a branch named `branch` in it.
pub(super) async fn village_with_branch(w: &World, village: &str, branch: &str) {
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

pub(super) fn shanghai(y: i32, m: u32, d: u32, h: u32, min: u32) -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, min, 0)
        .unwrap()
}
