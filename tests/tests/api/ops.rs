//! Liveness, readiness, request ids and metrics.

use tests::{json_body, TestApp, TestOptions};

#[tokio::test]
async fn healthz_answers_ok() {
    let app = TestApp::spawn().await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(json_body(res).await["status"], "ok");
}

#[tokio::test]
async fn readyz_is_200_when_database_and_cache_are_up() {
    let app = TestApp::spawn().await;
    let res = app.get("/readyz").await;
    assert_eq!(res.status().as_u16(), 200);
    let body = json_body(res).await;
    assert_eq!(body["status"], "ready");
    assert_eq!(body["checks"]["database"]["status"], "up");
    assert_eq!(body["checks"]["cache"]["status"], "up");
    let expected_db = if std::env::var_os("TEST_DATABASE_URL").is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(body["checks"]["database"]["backend"], expected_db);
}

#[tokio::test]
async fn readyz_is_503_naming_the_database_when_it_is_unreachable() {
    let app = TestApp::spawn().await;
    app.db.close().await;
    let res = app.get("/readyz").await;
    assert_eq!(res.status().as_u16(), 503);
    assert!(res.headers().contains_key("retry-after"));
    let body = json_body(res).await;
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["checks"]["database"]["status"], "down");
    assert_eq!(body["checks"]["cache"]["status"], "up");
    // Liveness is unaffected: the process is fine, its dependency is not.
    assert_eq!(app.get("/healthz").await.status().as_u16(), 200);
}

#[tokio::test]
async fn readyz_is_503_naming_the_cache_when_it_is_unreachable() {
    let app = TestApp::spawn_with(TestOptions {
        flaky_cache: true,
        ..TestOptions::default()
    })
    .await;
    app.flaky.as_ref().unwrap().set_down(true);
    let res = app.get("/readyz").await;
    assert_eq!(res.status().as_u16(), 503);
    let body = json_body(res).await;
    assert_eq!(body["checks"]["cache"]["status"], "down");
    assert_eq!(body["checks"]["database"]["status"], "up");

    app.flaky.as_ref().unwrap().set_down(false);
    assert_eq!(app.get("/readyz").await.status().as_u16(), 200);
}

#[tokio::test]
async fn a_given_request_id_is_echoed_on_success_and_in_problems() {
    let app = TestApp::spawn().await;
    let res = app
        .send(
            reqwest::Method::GET,
            "/healthz",
            &[("x-request-id", "mp-7f3a-0001")],
        )
        .await;
    assert_eq!(res.headers()["x-request-id"], "mp-7f3a-0001");

    let res = app
        .send(
            reqwest::Method::GET,
            "/nowhere",
            &[("x-request-id", "mp-7f3a-0002")],
        )
        .await;
    assert_eq!(res.headers()["x-request-id"], "mp-7f3a-0002");
    assert_eq!(json_body(res).await["requestId"], "mp-7f3a-0002");
}

#[tokio::test]
async fn a_missing_or_unsafe_request_id_is_replaced_by_a_generated_one() {
    let app = TestApp::spawn().await;
    let res = app.get("/healthz").await;
    let generated = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&generated).is_ok(), "{generated}");

    let too_long = "x".repeat(300);
    let res = app
        .send(
            reqwest::Method::GET,
            "/healthz",
            &[("x-request-id", &too_long)],
        )
        .await;
    let replaced = res.headers()["x-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(replaced).is_ok(), "{replaced}");
    assert_ne!(replaced, generated);
}

#[tokio::test]
async fn metrics_count_requests_by_route_pattern_and_status() {
    let app = TestApp::spawn_with(TestOptions {
        probes: true,
        ..TestOptions::default()
    })
    .await;
    app.get("/healthz").await;
    app.get("/healthz").await;
    app.post_json("/probe/items/not-a-uuid", &serde_json::json!({}))
        .await;
    let text = app.metrics_text().await;
    assert!(
        text.contains(r#"http_requests_total{method="GET",route="/healthz",status="200"} 2"#),
        "{text}"
    );
    assert!(
        text.contains(
            r#"http_requests_total{method="POST",route="/probe/items/{id}",status="404"} 1"#
        ),
        "{text}"
    );
    assert!(
        !text.contains("not-a-uuid"),
        "raw paths must not become labels"
    );
    assert!(
        text.contains("http_request_duration_seconds_bucket"),
        "{text}"
    );
}

#[tokio::test]
async fn two_instances_share_one_database_and_one_cache() {
    let (a, b) = TestApp::spawn_pair().await;
    a.cache.set("shared", b"1", None).await.unwrap();
    assert_eq!(b.cache.get("shared").await.unwrap(), Some(b"1".to_vec()));
    assert_eq!(a.get("/readyz").await.status().as_u16(), 200);
    assert_eq!(b.get("/readyz").await.status().as_u16(), 200);
}

#[tokio::test]
async fn a_graceful_stop_lets_in_flight_requests_finish() {
    let app = TestApp::spawn_with(TestOptions {
        probes: true,
        ..TestOptions::default()
    })
    .await;
    use std::sync::atomic::Ordering;
    let before = tests::probe::SLOW_STARTED.load(Ordering::SeqCst);
    let in_flight = tokio::spawn({
        let client = app.client.clone();
        let url = app.url("/probe/slow");
        async move { client.get(url).send().await }
    });
    while tests::probe::SLOW_STARTED.load(Ordering::SeqCst) == before {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let started = std::time::Instant::now();
    app.stop().await;

    let res = in_flight
        .await
        .unwrap()
        .expect("the in-flight request was answered");
    assert_eq!(res.status().as_u16(), 200);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "stop is bounded"
    );
    assert!(
        app.client.get(app.url("/healthz")).send().await.is_err(),
        "no new requests after stop"
    );
}

#[tokio::test]
async fn metrics_are_served_apart_from_the_api_and_cover_the_process_pool_cache_and_outbox() {
    let app = TestApp::spawn().await;
    // Not on the API's listener.
    let res = app.get("/metrics").await;
    assert_eq!(res.status().as_u16(), 404);
    assert_eq!(json_body(res).await["code"], "route_not_found");
    app.get("/healthz").await;
    app.get("/readyz").await;
    let res = app
        .client
        .get(format!("{}/metrics", app.metrics_address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let text = res.text().await.unwrap();
    for family in [
        "process_resident_memory_bytes",
        "process_cpu_seconds_total",
        "process_open_fds",
        "db_pool_connections{state=\"in_use\"}",
        "db_pool_connections{state=\"idle\"}",
        "db_pool_max_connections",
        "db_pool_acquire_seconds",
        "db_statement_duration_seconds_bucket{outcome=\"ok\"",
        "cache_operation_duration_seconds_bucket{op=\"ping\",outcome=\"ok\"",
        "push_deliveries_due 0",
        "push_oldest_due_age_seconds 0",
        "metrics_source_up{source=\"outbox\"} 1",
        "near_cache_trusted",
        "near_cache_entries",
        "near_cache_events{event=\"hit\"}",
        "near_cache_events{event=\"bypassed\"}",
    ] {
        assert!(text.contains(family), "{family} missing:\n{text}");
    }
    // Only /metrics there.
    let res = app
        .client
        .get(format!("{}/api/v1/me", app.metrics_address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 404);
}
