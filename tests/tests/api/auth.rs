//! Access tokens, refresh rotation and logout: every attack answers 401 with its own code.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Duration;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::Method;
use serde_json::json;
use tests::fixtures::Township;
use tests::{json_body, TestApp, TestOptions, TEST_KEY_ID};

use domain::auth::RefreshTokenRepo;
use domain::clock::Clock;
use domain::org::{MemberRepo, MemberStatus};

async fn setup() -> (TestApp, Township) {
    setup_with(TestOptions::default()).await
}

async fn setup_with(options: TestOptions) -> (TestApp, Township) {
    let app = TestApp::spawn_with(options).await;
    let t = Township::create(&app.db, app.clock.now()).await;
    (app, t)
}

async fn assert_refused(res: reqwest::Response, code: &str) {
    assert_eq!(res.status().as_u16(), 401, "{code}");
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    assert_eq!(json_body(res).await["code"], code);
}

/// Claims as the app would mint them for `sub` at the app's current time.
fn claims(app: &TestApp, sub: &str) -> serde_json::Value {
    let now = app.clock.now().timestamp();
    json!({
        "iss": app.tokens.issuer, "aud": app.tokens.audience, "sub": sub,
        "exp": now + 600, "nbf": now, "iat": now, "jti": uuid::Uuid::new_v4().to_string(), "typ": "access",
    })
}

fn sign(claims: &serde_json::Value, kid: &str, secret: &[u8], alg: Algorithm) -> String {
    let mut header = Header::new(alg);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(secret)).unwrap()
}

const TEST_SECRET: [u8; 32] = [0x2a; 32];

async fn me(app: &TestApp, token: &str) -> reqwest::Response {
    app.send_as(token, Method::GET, "/api/v1/me").await
}

#[tokio::test]
async fn a_valid_token_shows_the_callers_profile_and_roles() {
    let (app, t) = setup().await;
    let res = me(&app, &app.token_for(t.secretary_a.id)).await;
    assert_eq!(res.status().as_u16(), 200);
    let body = json_body(res).await;
    assert_eq!(body["id"], t.secretary_a.id.to_string());
    assert_eq!(body["phone"], t.secretary_a.phone.as_str());
    assert_eq!(body["branch"]["id"], t.branch_a.id.to_string());
    assert_eq!(body["roles"][0]["kind"], "secretary");
    assert_eq!(body["roles"][0]["org"]["name"], "虞北村第一党支部");
}

#[tokio::test]
async fn a_missing_or_non_bearer_token_is_refused() {
    let (app, _) = setup().await;
    assert_refused(
        app.send(Method::GET, "/api/v1/me", &[]).await,
        "auth_token_missing",
    )
    .await;
    assert_refused(
        app.send(
            Method::GET,
            "/api/v1/me",
            &[("authorization", "Basic dTpw")],
        )
        .await,
        "auth_token_missing",
    )
    .await;
    assert_refused(me(&app, "not.a.jwt").await, "auth_token_malformed").await;
}

#[tokio::test]
async fn forged_and_foreign_tokens_are_refused_each_with_its_code() {
    let (app, t) = setup().await;
    let sub = t.member_a.id.to_string();
    let good = claims(&app, &sub);

    let header = URL_SAFE_NO_PAD
        .encode(json!({"alg": "none", "typ": "JWT", "kid": TEST_KEY_ID}).to_string());
    let body = URL_SAFE_NO_PAD.encode(good.to_string());
    assert_refused(
        me(&app, &format!("{header}.{body}.")).await,
        "auth_token_algorithm_not_allowed",
    )
    .await;
    let hs512 = sign(&good, TEST_KEY_ID, &TEST_SECRET, Algorithm::HS512);
    assert_refused(me(&app, &hs512).await, "auth_token_algorithm_not_allowed").await;

    let other_key = sign(&good, TEST_KEY_ID, &[7u8; 32], Algorithm::HS256);
    assert_refused(me(&app, &other_key).await, "auth_token_bad_signature").await;
    for kid in ["test-9", "../../etc/passwd", "1' OR '1'='1"] {
        let token = sign(&good, kid, &TEST_SECRET, Algorithm::HS256);
        assert_refused(me(&app, &token).await, "auth_token_unknown_key").await;
    }

    let mut wrong_aud = good.clone();
    wrong_aud["aud"] = json!("someone-else");
    assert_refused(
        me(
            &app,
            &sign(&wrong_aud, TEST_KEY_ID, &TEST_SECRET, Algorithm::HS256),
        )
        .await,
        "auth_token_wrong_audience",
    )
    .await;
    let mut wrong_iss = good.clone();
    wrong_iss["iss"] = json!("evil");
    assert_refused(
        me(
            &app,
            &sign(&wrong_iss, TEST_KEY_ID, &TEST_SECRET, Algorithm::HS256),
        )
        .await,
        "auth_token_wrong_issuer",
    )
    .await;
    let mut refresh_typed = good.clone();
    refresh_typed["typ"] = json!("refresh");
    assert_refused(
        me(
            &app,
            &sign(&refresh_typed, TEST_KEY_ID, &TEST_SECRET, Algorithm::HS256),
        )
        .await,
        "auth_token_wrong_type",
    )
    .await;
    let mut early = good.clone();
    early["nbf"] = json!(app.clock.now().timestamp() + 600);
    assert_refused(
        me(
            &app,
            &sign(&early, TEST_KEY_ID, &TEST_SECRET, Algorithm::HS256),
        )
        .await,
        "auth_token_not_yet_valid",
    )
    .await;
    let mut no_jti = good.clone();
    no_jti.as_object_mut().unwrap().remove("jti");
    assert_refused(
        me(
            &app,
            &sign(&no_jti, TEST_KEY_ID, &TEST_SECRET, Algorithm::HS256),
        )
        .await,
        "auth_token_malformed",
    )
    .await;

    // The untouched claims, properly signed, are accepted: the refusals above are real.
    let ok = sign(&good, TEST_KEY_ID, &TEST_SECRET, Algorithm::HS256);
    assert_eq!(me(&app, &ok).await.status().as_u16(), 200);
}

#[tokio::test]
async fn tokens_expire_by_the_application_clock_with_five_seconds_leeway() {
    let (app, t) = setup().await;
    let token = app.token_for(t.member_a.id);
    app.clock.advance(Duration::seconds(15 * 60 + 4));
    assert_eq!(me(&app, &token).await.status().as_u16(), 200);
    app.clock.advance(Duration::seconds(2));
    assert_refused(me(&app, &token).await, "auth_token_expired").await;
}

#[tokio::test]
async fn a_refresh_token_presented_as_an_access_token_is_refused() {
    let (app, t) = setup().await;
    let pair = api::auth::session::start_session(&app.state, &t.member_a)
        .await
        .unwrap();
    assert_refused(me(&app, &pair.refresh_token).await, "auth_token_wrong_type").await;
    assert_eq!(me(&app, &pair.access_token).await.status().as_u16(), 200);
}

#[tokio::test]
async fn a_deactivated_members_token_stops_working() {
    let (app, t) = setup().await;
    let token = app.token_for(t.member_a.id);
    assert_eq!(me(&app, &token).await.status().as_u16(), 200);
    let mut m = t.member_a.clone();
    m.status = MemberStatus::Deactivated;
    MemberRepo::update(&app.db.repos(), &m).await.unwrap();
    assert_refused(me(&app, &token).await, "auth_member_inactive").await;
}

async fn refresh(app: &TestApp, token: &str) -> reqwest::Response {
    app.post_json("/api/v1/auth/refresh", &json!({ "refreshToken": token }))
        .await
}

#[tokio::test]
async fn refresh_rotates_and_a_resend_within_thirty_seconds_gets_the_same_pair() {
    let (app, t) = setup().await;
    let first = api::auth::session::start_session(&app.state, &t.member_a)
        .await
        .unwrap();

    let res = refresh(&app, &first.refresh_token).await;
    assert_eq!(res.status().as_u16(), 200);
    let second = json_body(res).await;
    assert_ne!(second["refreshToken"], first.refresh_token.as_str());
    assert_eq!(second["tokenType"], "Bearer");

    app.clock.advance(Duration::seconds(29));
    let resent = json_body(refresh(&app, &first.refresh_token).await).await;
    assert_eq!(
        resent, second,
        "a resend within the grace window answers the same pair"
    );

    // The session survived the resend: the new refresh token still rotates.
    let res = refresh(&app, second["refreshToken"].as_str().unwrap()).await;
    assert_eq!(res.status().as_u16(), 200);
}

#[tokio::test]
async fn reusing_a_spent_refresh_token_later_revokes_the_whole_session() {
    let (app, t) = setup().await;
    let first = api::auth::session::start_session(&app.state, &t.member_a)
        .await
        .unwrap();
    let second = json_body(refresh(&app, &first.refresh_token).await).await;

    app.clock.advance(Duration::seconds(31));
    assert_refused(
        refresh(&app, &first.refresh_token).await,
        "auth_refresh_reused",
    )
    .await;
    // The thief's replay also killed the legitimate newest token.
    assert_refused(
        refresh(&app, second["refreshToken"].as_str().unwrap()).await,
        "auth_refresh_revoked",
    )
    .await;
    assert_refused(
        refresh(&app, "rt1.never-issued").await,
        "auth_refresh_invalid",
    )
    .await;
}

#[tokio::test]
async fn logout_revokes_the_access_token_on_every_instance_and_ends_the_session() {
    let (a, b) = TestApp::spawn_pair().await;
    let t = Township::create(&a.db, a.clock.now()).await;
    let pair = api::auth::session::start_session(&a.state, &t.member_a)
        .await
        .unwrap();
    assert_eq!(me(&b, &pair.access_token).await.status().as_u16(), 200);

    let res = a
        .send_as(&pair.access_token, Method::POST, "/api/v1/auth/logout")
        .await;
    assert_eq!(res.status().as_u16(), 204);

    assert_refused(me(&b, &pair.access_token).await, "auth_token_revoked").await;
    assert_refused(me(&a, &pair.access_token).await, "auth_token_revoked").await;
    assert_refused(
        refresh(&b, &pair.refresh_token).await,
        "auth_refresh_revoked",
    )
    .await;
    // Other sessions of the same member are untouched.
    assert_eq!(
        me(&b, &a.token_for(t.member_a.id)).await.status().as_u16(),
        200
    );
}

#[tokio::test]
async fn logout_ends_every_access_token_of_the_session_not_just_the_one_presented() {
    let (a, b) = TestApp::spawn_pair().await;
    let t = Township::create(&a.db, a.clock.now()).await;
    let first = api::auth::session::start_session(&a.state, &t.member_a)
        .await
        .unwrap();
    a.clock.advance(Duration::seconds(1));
    let second = json_body(refresh(&a, &first.refresh_token).await).await;
    let a2 = second["accessToken"].as_str().unwrap();
    assert_eq!(me(&b, &first.access_token).await.status().as_u16(), 200);

    let res = a.send_as(a2, Method::POST, "/api/v1/auth/logout").await;
    assert_eq!(res.status().as_u16(), 204);

    for app in [&a, &b] {
        assert_refused(me(app, &first.access_token).await, "auth_token_revoked").await;
        assert_refused(me(app, a2).await, "auth_token_revoked").await;
    }
}

#[tokio::test]
async fn a_detected_refresh_reuse_ends_the_familys_current_access_token_at_once() {
    let (app, t) = setup().await;
    let first = api::auth::session::start_session(&app.state, &t.member_a)
        .await
        .unwrap();
    let second = json_body(refresh(&app, &first.refresh_token).await).await;
    let current = second["accessToken"].as_str().unwrap();
    assert_eq!(me(&app, current).await.status().as_u16(), 200);

    app.clock.advance(Duration::seconds(31));
    assert_refused(
        refresh(&app, &first.refresh_token).await,
        "auth_refresh_reused",
    )
    .await;
    assert_refused(me(&app, current).await, "auth_token_revoked").await;
    assert_refused(me(&app, &first.access_token).await, "auth_token_revoked").await;
}

#[tokio::test]
async fn reactivating_a_member_does_not_bring_back_tokens_issued_before_deactivation() {
    let (app, t) = setup().await;
    let session = api::auth::session::start_session(&app.state, &t.member_a)
        .await
        .unwrap();
    let plain = app.token_for(t.member_a.id);
    let path = format!("/api/v1/members/{}", t.member_a.id);

    app.clock.advance(Duration::seconds(1));
    let (s, body) = app
        .call(
            &t.secretary_a,
            Method::PATCH,
            &path,
            Some(json!({"status": "deactivated"})),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    assert_refused(me(&app, &plain).await, "auth_member_inactive").await;

    app.clock.advance(Duration::seconds(1));
    let (s, body) = app
        .call(
            &t.secretary_a,
            Method::PATCH,
            &path,
            Some(json!({"status": "active"})),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    assert_refused(me(&app, &plain).await, "auth_token_revoked").await;
    assert_refused(me(&app, &session.access_token).await, "auth_token_revoked").await;
    assert_refused(
        refresh(&app, &session.refresh_token).await,
        "auth_refresh_revoked",
    )
    .await;
    // A sign-in after the reactivation works.
    let fresh = api::auth::session::start_session(&app.state, &t.member_a)
        .await
        .unwrap();
    assert_eq!(me(&app, &fresh.access_token).await.status().as_u16(), 200);
    assert_eq!(
        me(&app, &app.token_for(t.member_a.id))
            .await
            .status()
            .as_u16(),
        200
    );
}

#[tokio::test]
async fn a_logout_survives_a_cache_restart() {
    let (app, t) = setup().await;
    let pair = api::auth::session::start_session(&app.state, &t.member_a)
        .await
        .unwrap();
    let plain = app.token_for(t.member_a.id);
    for token in [&pair.access_token, &plain] {
        let res = app
            .send_as(token, Method::POST, "/api/v1/auth/logout")
            .await;
        assert_eq!(res.status().as_u16(), 204);
    }
    // The same database with an empty cache: what a Redis restart leaves behind.
    let restarted = app.spawn_beside_with_empty_cache().await;
    assert_refused(
        me(&restarted, &pair.access_token).await,
        "auth_token_revoked",
    )
    .await;
    assert_refused(me(&restarted, &plain).await, "auth_token_revoked").await;
    assert_refused(
        refresh(&restarted, &pair.refresh_token).await,
        "auth_refresh_revoked",
    )
    .await;
    assert_eq!(
        me(&restarted, &restarted.token_for(t.member_a.id))
            .await
            .status()
            .as_u16(),
        200
    );
}

#[tokio::test]
async fn revocation_does_not_depend_on_the_cache_being_up() {
    // The database is the record of ended sessions: with the cache down a live token still
    // works and an ended one is still refused (never accepted).
    let (app, t) = setup_with(TestOptions {
        flaky_cache: true,
        ..TestOptions::default()
    })
    .await;
    let live = app.token_for(t.member_a.id);
    let ended = app.token_for(t.member_a2.id);
    let res = app
        .send_as(&ended, Method::POST, "/api/v1/auth/logout")
        .await;
    assert_eq!(res.status().as_u16(), 204);
    app.flaky.as_ref().unwrap().set_down(true);
    assert_eq!(me(&app, &live).await.status().as_u16(), 200);
    assert_refused(me(&app, &ended).await, "auth_token_revoked").await;
}

#[tokio::test]
async fn ending_a_members_sessions_also_ends_a_refresh_that_raced_it() {
    // A refresh committed while the member's sessions were being ended (or on an instance
    // whose clock runs ahead) issues tokens dated after the ending, in an old family.
    let (app, t) = setup().await;
    let session = api::auth::session::start_session(&app.state, &t.member_a)
        .await
        .unwrap();
    let family = {
        let hash = {
            use sha2::Digest;
            sha2::Sha256::digest(session.refresh_token.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        };
        RefreshTokenRepo::find_by_hash(&app.db.repos(), &hash)
            .await
            .unwrap()
            .unwrap()
            .family_id
    };
    app.clock.advance(Duration::seconds(1));
    let ended_at = app.clock.now();
    RefreshTokenRepo::revoke_member(&app.db.repos(), t.member_a.id, ended_at)
        .await
        .unwrap();
    // The racing refresh: a new refresh token and access token of that family, later.
    app.clock.advance(Duration::seconds(1));
    let raced = "rt1.raced-refresh-token";
    let raced_hash = {
        use sha2::Digest;
        sha2::Sha256::digest(raced.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    RefreshTokenRepo::insert(
        &app.db.repos(),
        &domain::auth::RefreshToken {
            id: domain::auth::RefreshTokenId::at(app.clock.now()),
            family_id: family,
            principal: domain::auth::Principal::Member(t.member_a.id),
            token_hash: raced_hash,
            created_at: app.clock.now(),
            expires_at: app.clock.now() + Duration::days(30),
            used_at: None,
            revoked_at: None,
        },
    )
    .await
    .unwrap();
    let (access, _) = api::auth::token::mint(
        &app.keys,
        &app.tokens,
        t.member_a.id,
        Some(family),
        app.clock.now(),
        app.tokens.access_ttl,
    )
    .unwrap();
    assert_refused(me(&app, &access).await, "auth_token_revoked").await;
    assert_refused(refresh(&app, raced).await, "auth_refresh_revoked").await;
}

#[tokio::test]
async fn a_members_revocation_instant_never_moves_back() {
    let (app, t) = setup().await;
    let early = app.clock.now();
    app.clock.advance(Duration::seconds(10));
    let between = app.token_for(t.member_a.id);
    app.clock.advance(Duration::seconds(10));
    let late = app.clock.now();
    // The later ending commits first, an earlier-dated one after it.
    RefreshTokenRepo::revoke_member(&app.db.repos(), t.member_a.id, late)
        .await
        .unwrap();
    RefreshTokenRepo::revoke_member(&app.db.repos(), t.member_a.id, early)
        .await
        .unwrap();
    assert_refused(me(&app, &between).await, "auth_token_revoked").await;
}
