//! The near cache across three instances on one database and one cache: whatever changes
//! on one instance is seen by the others on their next request after the propagation
//! bound, and an instance that lost its subscription reads from storage until it is back,
//! then starts empty.

use std::future::Future;
use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use tests::fixtures::Township;
use tests::TestApp;

use domain::clock::Clock;
use domain::org::Member;

/// How long the tests wait for an invalidation to reach another instance: the bound the
/// README states (a published message is applied within milliseconds; an instance that
/// hears nothing for 2 s stops trusting its near cache).
const BOUND: Duration = Duration::from_secs(3);

async fn trio() -> (Vec<TestApp>, Township) {
    let apps = TestApp::spawn_many(3).await;
    let t = Township::create(&apps[0].db, apps[0].clock.now()).await;
    // Every instance's subscription is up before the test starts.
    for app in &apps {
        eventually("the near cache is trusted", || async {
            app.state.near.cache.trusted()
        })
        .await;
    }
    (apps, t)
}

/// Waits until `check` holds, failing the test after [`BOUND`].
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + BOUND;
    loop {
        if check().await {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not within {BOUND:?}: {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn status_of(app: &TestApp, who: &Member, method: Method, path: &str) -> (u16, Value) {
    app.call(who, method, path, None).await
}

async fn me_status(app: &TestApp, token: &str) -> (u16, Value) {
    let res = app.send_as(token, Method::GET, "/api/v1/me").await;
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Both other instances answer `path` as `who` with `want` (status), within the bound.
async fn others_answer(apps: &[TestApp], who: &Member, path: &str, want: u16) {
    for (i, app) in apps.iter().enumerate().skip(1) {
        eventually(
            &format!("instance {i} answers {path} with {want}"),
            || async { status_of(app, who, Method::GET, path).await.0 == want },
        )
        .await;
    }
}

/// The role kinds `/api/v1/me` shows the member holding.
async fn roles_shown(app: &TestApp, who: &Member) -> Vec<String> {
    let (s, me) = status_of(app, who, Method::GET, "/api/v1/me").await;
    assert_eq!(s, 200, "{me}");
    let mut kinds: Vec<String> = me["roles"]
        .as_array()
        .unwrap_or_else(|| panic!("no roles in {me}"))
        .iter()
        .map(|r| r["kind"].as_str().unwrap_or_default().to_owned())
        .collect();
    kinds.sort();
    kinds
}

#[tokio::test]
async fn a_role_revoked_on_one_instance_is_refused_on_the_others() {
    let (apps, t) = trio().await;
    // The secretary's power, as every instance judges it: the branch's check-in QR code.
    let (path, mut body) = theme_day(&t);
    body["proof"] = json!("qr");
    let (s, a) = apps[0]
        .call(&t.secretary_a, Method::POST, &path, Some(body))
        .await;
    assert_eq!(s, 201, "{a}");
    let qr = format!("/api/v1/activities/{}/qr-token", a["id"].as_str().unwrap());
    for app in &apps {
        assert!(roles_shown(app, &t.secretary_a)
            .await
            .contains(&"secretary".to_owned()));
        let (s, body) = status_of(app, &t.secretary_a, Method::GET, &qr).await;
        assert_eq!(s, 200, "{body}");
    }
    let (refused, _) = status_of(&apps[0], &t.member_a, Method::GET, &qr).await;
    assert_ne!(refused, 200, "a plain member may not show the code");
    let (s, roles) = status_of(
        &apps[0],
        &t.admin,
        Method::GET,
        &format!("/api/v1/members/{}/roles", t.secretary_a.id),
    )
    .await;
    assert_eq!(s, 200, "{roles}");
    let items = roles["items"].as_array().or_else(|| roles.as_array());
    let role = items
        .and_then(|items| items.iter().find(|r| r["kind"] == "secretary"))
        .unwrap_or_else(|| panic!("no secretary role in {roles}"))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (s, body) = status_of(
        &apps[0],
        &t.admin,
        Method::DELETE,
        &format!("/api/v1/members/{}/roles/{role}", t.secretary_a.id),
    )
    .await;
    assert_eq!(s, 204, "{body}");
    assert_eq!(
        status_of(&apps[0], &t.secretary_a, Method::GET, &qr)
            .await
            .0,
        refused,
        "the writing instance at once"
    );
    others_answer(&apps, &t.secretary_a, &qr, refused).await;
    for app in &apps {
        assert!(!roles_shown(app, &t.secretary_a)
            .await
            .contains(&"secretary".to_owned()));
    }
}

#[tokio::test]
async fn a_member_deactivated_on_one_instance_is_refused_on_the_others() {
    let (apps, t) = trio().await;
    let token = apps[0].token_for(t.member_a.id);
    for app in &apps {
        assert_eq!(me_status(app, &token).await.0, 200);
    }
    let (s, body) = apps[0]
        .call(
            &t.secretary_a,
            Method::PATCH,
            &format!("/api/v1/members/{}", t.member_a.id),
            Some(json!({"status": "deactivated"})),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    for (i, app) in apps.iter().enumerate() {
        eventually(&format!("instance {i} refuses the member"), || async {
            let (s, body) = me_status(app, &token).await;
            s == 401 && body["code"] == "auth_member_inactive"
        })
        .await;
    }
}

#[tokio::test]
async fn a_session_logged_out_on_one_instance_is_refused_on_the_others() {
    let (apps, t) = trio().await;
    let session = api::auth::session::start_session(&apps[0].state, &t.member_a)
        .await
        .unwrap();
    let token = session.access_token;
    for app in &apps {
        assert_eq!(me_status(app, &token).await.0, 200);
    }
    let res = apps[0]
        .send_as(&token, Method::POST, "/api/v1/auth/logout")
        .await;
    assert_eq!(res.status().as_u16(), 204);
    for (i, app) in apps.iter().enumerate() {
        eventually(
            &format!("instance {i} refuses the ended session"),
            || async {
                let (s, body) = me_status(app, &token).await;
                s == 401 && body["code"] == "auth_token_revoked"
            },
        )
        .await;
    }
}

fn theme_day(t: &Township) -> (String, Value) {
    let at = |minutes: i64| {
        (tests::default_test_instant() + chrono::Duration::minutes(minutes))
            .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
            .to_rfc3339()
    };
    (
        format!("/api/v1/orgs/{}/activities", t.branch_a.id),
        json!({
            "kind": "theme_day",
            "themeCategory": "study",
            "title": "重温入党誓词",
            "startsAt": at(30),
            "endsAt": at(90),
            "proof": "location",
            "geofence": {"center": {"lat": 30.0, "lng": 120.0}, "radiusM": 100.0},
        }),
    )
}

#[tokio::test]
async fn an_activity_moved_or_cancelled_on_one_instance_is_seen_by_the_others() {
    let (apps, t) = trio().await;
    let (path, body) = theme_day(&t);
    let (s, a) = apps[0]
        .call(&t.secretary_a, Method::POST, &path, Some(body))
        .await;
    assert_eq!(s, 201, "{a}");
    let id = a["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/activities/{id}");
    async fn shown(app: &TestApp, who: &Member, path: &str) -> (Value, Value) {
        let (s, a) = status_of(app, who, Method::GET, path).await;
        assert_eq!(s, 200, "{a}");
        (a["startsAt"].clone(), a["status"].clone())
    }
    let starts_at = |app| shown(app, &t.member_a, &path);
    let before = starts_at(&apps[0]).await;
    for app in &apps[1..] {
        assert_eq!(starts_at(app).await, before);
    }

    let later = (tests::default_test_instant() + chrono::Duration::minutes(60))
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
    let (s, moved) = apps[0]
        .call(
            &t.secretary_a,
            Method::PATCH,
            &path,
            Some(json!({
                "startsAt": later.to_rfc3339(),
                "endsAt": (later + chrono::Duration::hours(1)).to_rfc3339(),
            })),
        )
        .await;
    assert_eq!(s, 200, "{moved}");
    for (i, app) in apps.iter().enumerate() {
        eventually(&format!("instance {i} sees the move"), || async {
            starts_at(app).await.0 == moved["startsAt"]
        })
        .await;
    }

    let (s, cancelled) = apps[0]
        .call(
            &t.secretary_a,
            Method::PATCH,
            &path,
            Some(json!({"cancelReason": "台风预警"})),
        )
        .await;
    assert_eq!(s, 200, "{cancelled}");
    for (i, app) in apps.iter().enumerate() {
        eventually(&format!("instance {i} refuses a check-in"), || async {
            let (s, e) = app
                .call(
                    &t.member_a,
                    Method::POST,
                    &format!("{path}/check-ins"),
                    Some(json!({"location": {"lat": 30.0, "lng": 120.0}})),
                )
                .await;
            s == 422 && e["code"] == "check_in_activity_cancelled"
        })
        .await;
    }
}

async fn feed_titles(app: &TestApp, who: &Member) -> Vec<String> {
    let (s, body) = app.call(who, Method::GET, "/api/v1/materials", None).await;
    assert_eq!(s, 200, "{body}");
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn a_material_published_or_withdrawn_on_one_instance_is_seen_by_the_others() {
    let (apps, t) = trio().await;
    for app in &apps {
        assert!(feed_titles(app, &t.member_a).await.is_empty());
    }
    apps[0].clock.advance(chrono::Duration::seconds(1));
    let (s, m) = apps[0]
        .call(
            &t.admin,
            Method::POST,
            "/api/v1/materials",
            Some(json!({
                "title": "学习党章",
                "summary": "摘要",
                "body": "<p>正文</p>",
                "category": "party_constitution",
                "required": true,
                "audience": {"orgId": t.committee.id},
            })),
        )
        .await;
    assert_eq!(s, 201, "{m}");
    for (i, app) in apps.iter().enumerate() {
        eventually(&format!("instance {i} shows the material"), || async {
            feed_titles(app, &t.member_a).await == ["学习党章"]
        })
        .await;
    }
    let (s, body) = apps[0]
        .call(
            &t.admin,
            Method::POST,
            &format!("/api/v1/materials/{}/unpublish", m["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert!(s == 200 || s == 204, "{s} {body}");
    for (i, app) in apps.iter().enumerate() {
        eventually(&format!("instance {i} no longer shows it"), || async {
            feed_titles(app, &t.member_a).await.is_empty()
        })
        .await;
    }
}

#[tokio::test]
async fn a_second_read_of_the_caller_and_the_activity_comes_from_memory() {
    let (apps, t) = trio().await;
    let app = &apps[1];
    let token = app.token_for(t.member_a.id);
    assert_eq!(me_status(app, &token).await.0, 200);
    let stats = &app.state.near.cache.stats;
    let hits = stats.hits.load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(me_status(app, &token).await.0, 200);
    assert!(
        stats.hits.load(std::sync::atomic::Ordering::Relaxed) > hits,
        "the second request found the caller in the near cache"
    );
    assert!(app.state.near.cache.entries() >= 1);
}

/// Redis only: the subscription is what makes an instance trust its near cache.
fn redis() -> Option<String> {
    tests::cache::redis_url()
}

async fn kill_subscriptions(url: &str) {
    let client = redis::Client::open(url).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let _: i64 = redis::cmd("CLIENT")
        .arg("KILL")
        .arg("TYPE")
        .arg("pubsub")
        .query_async(&mut conn)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_lost_subscription_drops_the_near_cache_so_nothing_stale_survives() {
    let Some(url) = redis() else {
        eprintln!("skipped: needs TEST_REDIS_URL");
        return;
    };
    let (apps, t) = trio().await;
    let b = &apps[1];
    let token = b.token_for(t.member_a.id);
    let (s, me) = me_status(b, &token).await;
    assert_eq!(s, 200, "{me}");
    // A change no instance is told of (written past the repositories): B keeps serving
    // what it holds, as it would after losing the message.
    use sea_orm::ConnectionTrait;
    b.db.connection()
        .execute_unprepared(&format!(
            "UPDATE member SET name = '改名' WHERE id = '{}'",
            t.member_a.id
        ))
        .await
        .unwrap();
    assert_eq!(me_status(b, &token).await.1["name"], me["name"]);

    let resets = b
        .state
        .near
        .cache
        .stats
        .resets
        .load(std::sync::atomic::Ordering::Relaxed);
    kill_subscriptions(&url).await;
    // Distrusted at once, trusted again (empty) once resubscribed.
    eventually("B resubscribed", || async {
        b.state
            .near
            .cache
            .stats
            .resets
            .load(std::sync::atomic::Ordering::Relaxed)
            >= resets + 2
            && b.state.near.cache.trusted()
    })
    .await;
    assert_eq!(me_status(b, &token).await.1["name"], "改名");
}

#[tokio::test]
async fn while_the_subscription_is_down_answers_come_from_storage() {
    let Some(url) = redis() else {
        eprintln!("skipped: needs TEST_REDIS_URL");
        return;
    };
    let (apps, t) = trio().await;
    let (a, b) = (&apps[0], &apps[1]);
    let token = b.token_for(t.member_a.id);
    assert_eq!(me_status(b, &token).await.0, 200);
    // Kill the subscriptions repeatedly while a logout happens on A: whatever B heard, it
    // refuses the token.
    let session = api::auth::session::start_session(&a.state, &t.member_a)
        .await
        .unwrap();
    assert_eq!(me_status(b, &session.access_token).await.0, 200);
    kill_subscriptions(&url).await;
    let res = a
        .send_as(&session.access_token, Method::POST, "/api/v1/auth/logout")
        .await;
    assert_eq!(res.status().as_u16(), 204);
    kill_subscriptions(&url).await;
    eventually("B refuses the ended session", || async {
        me_status(b, &session.access_token).await.0 == 401
    })
    .await;
    for _ in 0..20 {
        assert_eq!(me_status(b, &session.access_token).await.0, 401);
        assert_eq!(me_status(b, &token).await.0, 200);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn with_redis_stopped_revocation_still_fails_closed() {
    let Some(url) = redis() else {
        eprintln!("skipped: needs TEST_REDIS_URL");
        return;
    };
    let a = TestApp::spawn().await;
    let t = Township::create(&a.db, a.clock.now()).await;
    let tests::cache::TestBus::Redis { prefix, .. } = a.bus.clone() else {
        panic!("a Redis test app has a Redis bus");
    };
    // Instance D reaches the same Redis, cache and channel, through a proxy the test cuts.
    let upstream = url
        .trim_start_matches("redis://")
        .trim_end_matches('/')
        .to_owned();
    let proxy = tests::proxy::CutProxy::start(upstream).await;
    let cache = tests::cache::redis_cache_under(&proxy.redis_url(), &prefix).await;
    let d = a
        .spawn_beside_with(
            std::sync::Arc::new(cache),
            tests::cache::TestBus::Redis {
                url: proxy.redis_url(),
                prefix,
            },
        )
        .await;
    eventually("D subscribed", || async { d.state.near.cache.trusted() }).await;
    let live = d.token_for(t.member_a2.id);
    let session = api::auth::session::start_session(&a.state, &t.member_a)
        .await
        .unwrap();
    let ended = session.access_token;
    assert_eq!(me_status(&d, &ended).await.0, 200, "held in D's near cache");
    assert_eq!(me_status(&d, &live).await.0, 200);

    proxy.cut();
    eventually("D stops trusting its near cache", || async {
        !d.state.near.cache.trusted()
    })
    .await;
    let res = a.send_as(&ended, Method::POST, "/api/v1/auth/logout").await;
    assert_eq!(res.status().as_u16(), 204);
    // D never heard of the logout: it checks the database.
    let (s, body) = me_status(&d, &ended).await;
    assert_eq!(
        (s, body["code"].as_str()),
        (401, Some("auth_token_revoked"))
    );
    assert_eq!(me_status(&d, &live).await.0, 200);
    // What needs Redis still says it is down.
    let ready = d.get("/readyz").await;
    assert_eq!(ready.status().as_u16(), 503);

    proxy.restore();
    eventually("D subscribed again", || async {
        d.state.near.cache.trusted()
    })
    .await;
    let (s, body) = me_status(&d, &ended).await;
    assert_eq!(
        (s, body["code"].as_str()),
        (401, Some("auth_token_revoked"))
    );
    assert_eq!(me_status(&d, &live).await.0, 200);
}

#[tokio::test]
async fn how_long_an_invalidation_takes_to_reach_another_instance() {
    // Not a timed test: prints the figure the README's propagation bound quotes.
    let (apps, t) = trio().await;
    let mut worst = Duration::ZERO;
    for _ in 0..5 {
        let session = api::auth::session::start_session(&apps[0].state, &t.member_a)
            .await
            .unwrap();
        let token = session.access_token;
        assert_eq!(me_status(&apps[1], &token).await.0, 200);
        let res = apps[0]
            .send_as(&token, Method::POST, "/api/v1/auth/logout")
            .await;
        assert_eq!(res.status().as_u16(), 204);
        let answered = tokio::time::Instant::now();
        let mut first = true;
        loop {
            if me_status(&apps[1], &token).await.0 == 401 {
                break;
            }
            first = false;
            assert!(answered.elapsed() < BOUND, "not within {BOUND:?}");
        }
        let took = answered.elapsed();
        worst = worst.max(took);
        eprintln!("logout answered on A -> refused on B: {took:?} (first request after: {first})");
    }
    eprintln!("worst of 5: {worst:?}");
}

#[tokio::test]
async fn an_org_renamed_on_one_instance_is_named_so_by_the_others() {
    let (apps, t) = trio().await;
    async fn named(app: &TestApp, who: &Member) -> Value {
        let (s, me) = status_of(app, who, Method::GET, "/api/v1/me").await;
        assert_eq!(s, 200, "{me}");
        me["branch"]["name"].clone()
    }
    let branch_name = |app| named(app, &t.member_a);
    for app in &apps {
        assert_eq!(branch_name(app).await, t.branch_a.name.as_str());
    }
    let (s, body) = apps[0]
        .call(
            &t.admin,
            Method::PATCH,
            &format!("/api/v1/orgs/{}", t.branch_a.id),
            Some(json!({"name": "虞北村第一党支部（更名）"})),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    for (i, app) in apps.iter().enumerate() {
        eventually(&format!("instance {i} names the branch anew"), || async {
            branch_name(app).await == "虞北村第一党支部（更名）"
        })
        .await;
    }
}
