//! Checking out of a service activity (服务奉献) into the volunteer-hours ledger: the
//! pending entry it writes and who decides it, every refusal by its code, one entry
//! whatever the races, and scope. The minutes' arithmetic and the order of the rules are
//! unit-tested in domain/src/activity/service/check_out.rs; these hold the HTTP contract.
//!
//! The test clock stands at 2026-11-05 08:30 Beijing; the service activity runs on branch A
//! from 09:00 to 10:00, its check-in window open from 08:30 to 10:00.

use chrono::{DateTime, Duration, FixedOffset, Utc};
use reqwest::Method;
use serde_json::{json, Value};
use tests::fixtures::Township;
use tests::TestApp;

use domain::clock::Clock;
use domain::org::Member;
use domain::volunteer::{HoursRepo, HoursSource};

const LAT: f64 = 30.0;
const LNG: f64 = 120.0;
const TITLE: &str = "义务清扫村道";
const MINE: &str = "/api/v1/me/volunteer-hours";

/// `minutes` after the test instant (08:30 Beijing).
fn at(minutes: i64) -> DateTime<Utc> {
    tests::default_test_instant() + Duration::minutes(minutes)
}

fn rfc(t: DateTime<Utc>) -> String {
    t.with_timezone(&FixedOffset::east_opt(8 * 3600).unwrap())
        .to_rfc3339()
}

/// 09:00 and 10:00.
fn starts() -> DateTime<Utc> {
    at(30)
}

fn ends() -> DateTime<Utc> {
    at(90)
}

fn code(problem: &Value) -> &str {
    problem["code"].as_str().unwrap_or_default()
}

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

    /// A theme day of `category` on branch A, 09:00-10:00, checked in by location.
    async fn activity(&self, category: &str) -> String {
        let (s, a) = self
            .app
            .call(
                &self.t.secretary_a,
                Method::POST,
                &format!("/api/v1/orgs/{}/activities", self.t.branch_a.id),
                Some(json!({
                    "kind": "theme_day",
                    "themeCategory": category,
                    "title": TITLE,
                    "startsAt": rfc(starts()),
                    "endsAt": rfc(ends()),
                    "proof": "location",
                    "geofence": {"center": {"lat": LAT, "lng": LNG}, "radiusM": 100.0},
                })),
            )
            .await;
        assert_eq!(s, 201, "{a}");
        a["id"].as_str().unwrap().to_owned()
    }

    async fn service_day(&self) -> String {
        self.activity("service").await
    }

    /// Checks `who` in at the venue, which must succeed: the check-in.
    async fn check_in(&self, who: &Member, activity: &str) -> Value {
        let (s, c) = self
            .app
            .call(
                who,
                Method::POST,
                &format!("/api/v1/activities/{activity}/check-ins"),
                Some(json!({"location": {"lat": LAT, "lng": LNG}})),
            )
            .await;
        assert!(s == 201 || s == 200, "{s} {c}");
        c
    }

    async fn check_out(&self, who: &Member, activity: &str) -> (u16, Value) {
        self.app
            .call(
                who,
                Method::POST,
                &format!("/api/v1/activities/{activity}/check-out"),
                None,
            )
            .await
    }

    async fn ledger(&self, who: &Member) -> Value {
        let (s, l) = self.app.call(who, Method::GET, MINE, None).await;
        assert_eq!(s, 200, "{l}");
        l
    }

    async fn approve_hours(&self, who: &Member, entry: &str) -> (u16, Value) {
        self.app
            .call(
                who,
                Method::POST,
                &format!("/api/v1/volunteer-hours/{entry}/decision"),
                Some(json!({"decision": "approve"})),
            )
            .await
    }

    /// `who`'s check-in, checked in at 08:50 and out at `out` (which must succeed): the
    /// check-out's body.
    async fn served(&self, who: &Member, activity: &str, out: DateTime<Utc>) -> Value {
        self.app.clock.set(at(20));
        self.check_in(who, activity).await;
        self.app.clock.set(out);
        let (s, done) = self.check_out(who, activity).await;
        assert_eq!(s, 200, "{done}");
        done
    }
}

#[tokio::test]
async fn a_check_out_writes_a_pending_activity_entry_that_the_branch_secretary_confirms_into_the_totals(
) {
    let w = World::new().await;
    let t = &w.t;
    let a = w.service_day().await;
    w.app.clock.set(at(20));
    let c = w.check_in(&t.member_a, &a).await;
    assert!(c["checkedOutAt"].is_null(), "{c}");

    // 09:45:30: 45 whole minutes since the start (the check-in came before it).
    let out = starts() + Duration::seconds(45 * 60 + 30);
    w.app.clock.set(out);
    let (s, done) = w.check_out(&t.member_a, &a).await;
    assert_eq!(s, 200, "{done}");
    assert_eq!(done["minutes"], 45);
    assert_eq!(done["checkIn"]["id"], c["id"]);
    assert_eq!(done["checkIn"]["checkedOutAt"], rfc(out));
    let entry = done["hoursEntryId"].as_str().unwrap().to_owned();

    let l = w.ledger(&t.member_a).await;
    let e = &l["items"][0];
    assert_eq!(e["id"], entry.as_str());
    assert_eq!(
        (
            e["source"].as_str(),
            e["status"].as_str(),
            e["category"].as_str()
        ),
        (Some("activity"), Some("pending"), Some("service"))
    );
    assert_eq!(e["activityId"], a.as_str());
    assert_eq!(
        (
            e["minutes"].as_i64(),
            e["occurredOn"].as_str(),
            e["note"].as_str()
        ),
        (Some(45), Some("2026-11-05"), Some(TITLE))
    );
    assert_eq!(e["recordedBy"], t.member_a.id.to_string());
    assert_eq!(l["totals"]["serviceMinutes"], 0, "pending counts nothing");

    let (s, decided) = w.approve_hours(&t.secretary_a, &entry).await;
    assert_eq!(s, 200, "{decided}");
    assert_eq!(decided["status"], "confirmed");
    let l = w.ledger(&t.member_a).await;
    assert_eq!(l["totals"]["serviceMinutes"], 45);
    assert_eq!(
        l["totals"]["months"][0],
        json!({"month": "2026-11", "serviceMinutes": 45, "trainingMinutes": 0})
    );
}

#[tokio::test]
async fn the_check_in_shows_when_its_member_checked_out_to_them_and_to_reviewers() {
    let w = World::new().await;
    let t = &w.t;
    let a = w.service_day().await;
    let out = starts() + Duration::minutes(30);
    w.served(&t.member_a, &a, out).await;
    // The member's check-in, asked for again (200 with the stored row).
    let again = w.check_in(&t.member_a, &a).await;
    assert_eq!(again["checkedOutAt"], rfc(out));
    // The review list.
    let (s, list) = w
        .app
        .call(
            &t.secretary_a,
            Method::GET,
            &format!("/api/v1/activities/{a}/check-ins"),
            None,
        )
        .await;
    assert_eq!(s, 200, "{list}");
    assert_eq!(list["items"][0]["checkedOutAt"], rfc(out));
}

#[tokio::test]
async fn the_certificate_lists_a_confirmed_activity_entry_as_a_service_activity_with_its_title() {
    let w = World::new().await;
    let t = &w.t;
    let a = w.service_day().await;
    let done = w
        .served(&t.member_a, &a, starts() + Duration::minutes(50))
        .await;
    let entry = done["hoursEntryId"].as_str().unwrap();
    assert_eq!(w.approve_hours(&t.secretary_a, entry).await.0, 200);
    let res = w
        .app
        .client
        .get(w.app.url(&format!("{MINE}/certificate")))
        .bearer_auth(w.app.token_for(t.member_a.id))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let bytes = res.bytes().await.unwrap();
    let entries = crate::xlsx::rows(&bytes, "服务记录");
    let col = |h: &str| crate::xlsx::column(&entries, h);
    let line: Vec<String> = [col("时长（分钟）"), col("来源"), col("说明")]
        .iter()
        .map(|&i| entries[1][i].to_string())
        .collect();
    assert_eq!(line, ["50", "服务活动", TITLE]);
}

#[tokio::test]
async fn only_a_service_activity_takes_a_check_out() {
    let w = World::new().await;
    let t = &w.t;
    let a = w.activity("study").await;
    w.app.clock.set(at(20));
    w.check_in(&t.member_a, &a).await;
    w.app.clock.set(at(60));
    let (s, p) = w.check_out(&t.member_a, &a).await;
    assert_eq!(
        (s, code(&p)),
        (422, "check_out_not_service_activity"),
        "{p}"
    );
    assert_eq!(p["title"], "只有服务奉献类活动可以签退记录志愿服务时长");
    assert_eq!(w.ledger(&t.member_a).await["items"], json!([]));
}

#[tokio::test]
async fn a_member_who_did_not_check_in_cannot_check_out() {
    let w = World::new().await;
    let a = w.service_day().await;
    w.app.clock.set(at(60));
    let (s, p) = w.check_out(&w.t.member_a, &a).await;
    assert_eq!((s, code(&p)), (422, "check_out_not_checked_in"), "{p}");
    assert_eq!(p["type"], "urn:problem:check_out_not_checked_in", "{p}");
}

#[tokio::test]
async fn a_member_whose_check_in_was_rejected_cannot_check_out() {
    let w = World::new().await;
    let t = &w.t;
    let a = w.service_day().await;
    w.app.clock.set(at(20));
    let c = w.check_in(&t.member_a, &a).await;
    let (s, r) = w
        .app
        .call(
            &t.secretary_a,
            Method::POST,
            &format!("/api/v1/check-ins/{}/review", c["id"].as_str().unwrap()),
            Some(json!({"decision": "reject", "reason": "代签"})),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    w.app.clock.set(at(60));
    let (s, p) = w.check_out(&t.member_a, &a).await;
    assert_eq!((s, code(&p)), (422, "check_out_check_in_rejected"), "{p}");
}

#[tokio::test]
async fn a_second_check_out_is_a_conflict_and_writes_nothing() {
    let w = World::new().await;
    let t = &w.t;
    let a = w.service_day().await;
    w.served(&t.member_a, &a, at(60)).await;
    w.app.clock.set(at(80));
    let (s, p) = w.check_out(&t.member_a, &a).await;
    assert_eq!((s, code(&p)), (409, "check_out_already_recorded"), "{p}");
    assert_eq!(p["status"], 409, "problem+json carries the status too: {p}");
    let l = w.ledger(&t.member_a).await;
    assert_eq!(l["items"].as_array().unwrap().len(), 1);
    assert_eq!(l["items"][0]["minutes"], 30);
}

#[tokio::test]
async fn check_out_closes_two_hours_after_the_end_then_the_member_records_hours_by_hand() {
    let w = World::new().await;
    let t = &w.t;
    let a = w.service_day().await;
    w.app.clock.set(at(20));
    w.check_in(&t.member_a, &a).await;
    w.check_in(&t.member_a2, &a).await;
    let closes = ends() + Duration::hours(2);
    w.app.clock.set(closes + Duration::seconds(1));
    let (s, p) = w.check_out(&t.member_a, &a).await;
    assert_eq!((s, code(&p)), (422, "check_out_window_closed"), "{p}");
    // The last instant is inside, and counts up to the end only.
    w.app.clock.set(closes);
    let (s, done) = w.check_out(&t.member_a2, &a).await;
    assert_eq!(s, 200, "{done}");
    assert_eq!(done["minutes"], 60);
}

#[tokio::test]
async fn a_check_out_before_a_minute_was_served_is_refused() {
    let w = World::new().await;
    let t = &w.t;
    let a = w.service_day().await;
    w.app.clock.set(at(20));
    w.check_in(&t.member_a, &a).await;
    // 08:55, before the start.
    w.app.clock.set(at(25));
    let (s, p) = w.check_out(&t.member_a, &a).await;
    assert_eq!((s, code(&p)), (422, "check_out_no_minutes"), "{p}");
    // 09:00:59: not yet a whole minute.
    w.app.clock.set(starts() + Duration::seconds(59));
    let (s, p) = w.check_out(&t.member_a, &a).await;
    assert_eq!((s, code(&p)), (422, "check_out_no_minutes"), "{p}");
    // Refused check-outs leave the check-in open.
    w.app.clock.set(starts() + Duration::seconds(60));
    let (s, done) = w.check_out(&t.member_a, &a).await;
    assert_eq!((s, done["minutes"].as_i64()), (200, Some(1)), "{done}");
}

#[tokio::test]
async fn a_cancelled_service_activity_takes_no_check_out() {
    let w = World::new().await;
    let t = &w.t;
    let a = w.service_day().await;
    w.app.clock.set(at(20));
    w.check_in(&t.member_a, &a).await;
    let (s, cancelled) = w
        .app
        .call(
            &t.secretary_a,
            Method::PATCH,
            &format!("/api/v1/activities/{a}"),
            Some(json!({"cancelReason": "台风预警"})),
        )
        .await;
    assert_eq!(s, 200, "{cancelled}");
    w.app.clock.set(at(60));
    let (s, p) = w.check_out(&t.member_a, &a).await;
    assert_eq!((s, code(&p)), (422, "check_in_activity_cancelled"), "{p}");
}

#[tokio::test]
async fn two_check_outs_at_once_make_one_entry_and_one_conflict() {
    let w = World::new().await;
    let t = &w.t;
    let a = w.service_day().await;
    let members = [&t.member_a, &t.member_a2, &t.committee_a];
    w.app.clock.set(at(20));
    for m in members {
        w.check_in(m, &a).await;
    }
    w.app.clock.set(at(70));
    for m in members {
        let (first, second) = tokio::join!(w.check_out(m, &a), w.check_out(m, &a));
        let mut statuses = [first.0, second.0];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "{} {}", first.1, second.1);
        let loser = if first.0 == 409 { &first.1 } else { &second.1 };
        assert_eq!(code(loser), "check_out_already_recorded", "{loser}");
        let page = HoursRepo::entries_of(
            &w.app.db.repos(),
            m.id,
            &domain::page::PageRequest::new(None, None).unwrap(),
        )
        .await
        .unwrap();
        let from_activity = page
            .items
            .iter()
            .filter(|e| matches!(e.source, HoursSource::Activity { .. }))
            .count();
        assert_eq!((page.items.len(), from_activity), (1, 1), "{}", m.name);
    }
}

#[tokio::test]
async fn only_a_secretary_or_admin_covering_the_activitys_branch_decides_its_entry() {
    let w = World::new().await;
    let t = &w.t;
    let a = w.service_day().await;
    let done = w.served(&t.member_a, &a, at(60)).await;
    let entry = done["hoursEntryId"].as_str().unwrap();
    // Branch B gets a secretary: their branch is not the entry's.
    let (s, g) = w
        .app
        .call(
            &t.admin,
            Method::POST,
            &format!("/api/v1/members/{}/roles", t.member_b.id),
            Some(json!({"kind": "secretary", "orgId": t.branch_b.id})),
        )
        .await;
    assert_eq!(s, 201, "{g}");
    for who in [&t.member_b, &t.other_secretary, &t.other_admin] {
        let (s, p) = w.approve_hours(who, entry).await;
        assert_eq!(
            (s, code(&p)),
            (404, "resource_not_found"),
            "{}: {p}",
            who.name
        );
    }
    // Hotline operators decide request entries, not these.
    assert_eq!(w.approve_hours(&t.operator, entry).await.0, 404);
    // A member who holds no role: 403 whatever the id.
    assert_eq!(w.approve_hours(&t.member_a2, entry).await.0, 403);
    // The member themself holds no role either.
    assert_eq!(w.approve_hours(&t.member_a, entry).await.0, 403);
    let (s, e) = w.approve_hours(&t.admin, entry).await;
    assert_eq!((s, e["status"].as_str()), (200, Some("confirmed")), "{e}");
}

#[tokio::test]
async fn a_secretary_checking_out_of_their_own_branchs_activity_is_decided_by_the_township() {
    let w = World::new().await;
    let t = &w.t;
    let a = w.service_day().await;
    let done = w.served(&t.secretary_a, &a, at(60)).await;
    let entry = done["hoursEntryId"].as_str().unwrap();
    let (s, p) = w.approve_hours(&t.secretary_a, entry).await;
    assert_eq!((s, code(&p)), (422, "volunteer_hours_own_entry"), "{p}");
    assert_eq!(w.approve_hours(&t.admin, entry).await.0, 200);
}

#[tokio::test]
async fn an_activity_out_of_sight_answers_as_a_missing_one() {
    let w = World::new().await;
    let t = &w.t;
    let a = w.service_day().await;
    w.app.clock.set(at(60));
    let random = uuid::Uuid::new_v4().to_string();
    let (s, missing) = w.check_out(&t.member_a, &random).await;
    assert_eq!(
        (s, code(&missing)),
        (404, "resource_not_found"),
        "{missing}"
    );
    // Another township's members, and a member of another branch of this one.
    for who in [&t.other_secretary, &t.other_admin, &t.member_b] {
        let (s, p) = w.check_out(who, &a).await;
        assert_eq!(
            (s, code(&p)),
            (404, "resource_not_found"),
            "{}: {p}",
            who.name
        );
        assert_eq!(p["title"], missing["title"]);
    }
}

#[tokio::test]
async fn a_check_out_takes_no_body() {
    let w = World::new().await;
    let t = &w.t;
    let a = w.service_day().await;
    w.app.clock.set(at(20));
    w.check_in(&t.member_a, &a).await;
    w.app.clock.set(at(60));
    let (s, p) = w
        .app
        .call(
            &t.member_a,
            Method::POST,
            &format!("/api/v1/activities/{a}/check-out"),
            Some(json!({"minutes": 600})),
        )
        .await;
    assert_eq!((s, code(&p)), (400, "request_body_unexpected"), "{p}");
    assert_eq!(
        w.check_out(&t.member_a, &a).await.0,
        200,
        "nothing was done"
    );
}
