//! Every client mistake gets its own status and a problem+json body; none is ever a 500.

use serde_json::json;
use tests::{json_body, TestApp, TestOptions};

const ITEM: &str = "/probe/items/0192f5a4-1111-7000-8000-000000000001";

async fn probe_app() -> TestApp {
    TestApp::spawn_with(TestOptions {
        probes: true,
        ..TestOptions::default()
    })
    .await
}

fn assert_problem(res: &reqwest::Response, status: u16) {
    assert_eq!(res.status().as_u16(), status);
    assert_eq!(
        res.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
}

#[tokio::test]
async fn unknown_route_is_a_404_problem() {
    let app = TestApp::spawn().await;
    let res = app.get("/api/v1/no-such-thing").await;
    assert_problem(&res, 404);
    let body = json_body(res).await;
    assert_eq!(body["code"], "route_not_found");
    assert_eq!(body["status"], 404);
    assert_eq!(body["type"], "urn:problem:route_not_found");
    assert_eq!(body["instance"], "/api/v1/no-such-thing");
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()));
}

#[tokio::test]
async fn wrong_method_is_a_405_listing_the_allowed_ones() {
    let app = probe_app().await;
    let res = app.send(reqwest::Method::DELETE, "/healthz", &[]).await;
    assert_problem(&res, 405);
    let allow: Vec<_> = res.headers().get_all("allow").iter().collect();
    assert_eq!(allow.len(), 1);
    assert_eq!(allow[0], "GET, HEAD");
    assert_eq!(json_body(res).await["code"], "method_not_allowed");

    let res = app.get(ITEM).await;
    assert_problem(&res, 405);
    assert_eq!(res.headers()["allow"], "POST");
}

#[tokio::test]
async fn head_is_answered_like_get_without_a_body() {
    let app = TestApp::spawn().await;
    let res = app.send(reqwest::Method::HEAD, "/healthz", &[]).await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers().contains_key("x-request-id"));
    assert!(res.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn body_over_the_limit_is_413() {
    let app = TestApp::spawn_with(TestOptions {
        probes: true,
        body_limit: Some(64),
        ..TestOptions::default()
    })
    .await;
    let big = json!({"name": "x".repeat(100), "count": 1});
    let res = app.post_json(ITEM, &big).await;
    assert_problem(&res, 413);
    assert_eq!(json_body(res).await["code"], "request_body_too_large");

    // Within the limit the same route answers normally.
    let res = app
        .post_json(ITEM, &json!({"name": "ok", "count": 1}))
        .await;
    assert_eq!(res.status().as_u16(), 201);
}

#[tokio::test]
async fn body_over_the_default_one_mebibyte_is_413() {
    let app = probe_app().await;
    let big = format!("{{\"name\":\"{}\",\"count\":1}}", "x".repeat(1024 * 1024));
    let res = app.post_raw(ITEM, Some("application/json"), big).await;
    assert_problem(&res, 413);
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_413_though_it_declares_no_length() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn_with(TestOptions {
        probes: true,
        body_limit: Some(64),
        ..TestOptions::default()
    })
    .await;
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", app.port))
        .await
        .unwrap();
    let chunk = format!("{{\"name\":\"{}\",\"count\":1}}", "y".repeat(80));
    let request = format!(
        "POST {ITEM} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{chunk}\r\n0\r\n\r\n",
        chunk.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response).await;
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(response.contains("request_body_too_large"), "{response}");
}

#[tokio::test]
async fn non_json_content_type_is_415() {
    let app = probe_app().await;
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let res = app
            .post_raw(ITEM, content_type, r#"{"name":"a","count":1}"#)
            .await;
        assert_problem(&res, 415);
        assert_eq!(
            json_body(res).await["code"],
            "request_unsupported_media_type"
        );
    }
    let res = app
        .post_raw(
            ITEM,
            Some("application/json; charset=utf-8"),
            r#"{"name":"a","count":1}"#,
        )
        .await;
    assert_eq!(res.status().as_u16(), 201);
}

#[tokio::test]
async fn json_syntax_error_is_400_with_line_and_column() {
    let app = probe_app().await;
    let res = app
        .post_raw(
            ITEM,
            Some("application/json"),
            "{\n  \"name\": \"a\",\n  \"count\": 1,,\n}",
        )
        .await;
    assert_problem(&res, 400);
    let body = json_body(res).await;
    assert_eq!(body["code"], "request_json_malformed");
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("line 3"), "{detail}");
    assert!(detail.contains("column 14"), "{detail}");

    for broken in ["", "{", "{\"name\": \"a\", \"count\": 1} trailing"] {
        let res = app.post_raw(ITEM, Some("application/json"), broken).await;
        assert_problem(&res, 400);
    }
}

#[tokio::test]
async fn json_of_the_wrong_shape_is_422_with_field_pointers() {
    let app = probe_app().await;
    let cases = [
        (
            json!({"name": "a", "count": "many"}),
            "/count",
            "invalid_type",
        ),
        (json!({"name": "a"}), "/count", "missing_field"),
        (
            json!({"name": "a", "count": 1, "isAdmin": true}),
            "/isAdmin",
            "unknown_field",
        ),
        (
            json!({"name": "a", "count": 1, "nested": {"level": 300}}),
            "/nested/level",
            "invalid_value",
        ),
        (json!({"name": "a", "count": -1}), "/count", "invalid_value"),
        (json!("just text"), "", "invalid_type"),
    ];
    for (body, pointer, code) in cases {
        let res = app.post_json(ITEM, &body).await;
        assert_problem(&res, 422);
        let problem = json_body(res).await;
        assert_eq!(problem["code"], "request_json_invalid", "{body}");
        assert_eq!(
            problem["errors"][0]["pointer"], pointer,
            "{body}: {problem}"
        );
        assert_eq!(problem["errors"][0]["code"], code, "{body}: {problem}");
    }
}

#[tokio::test]
async fn failed_validation_is_422_naming_every_bad_field() {
    let app = probe_app().await;
    let res = app
        .post_json(ITEM, &json!({"name": "  ", "count": 5000}))
        .await;
    assert_problem(&res, 422);
    let problem = json_body(res).await;
    assert_eq!(problem["code"], "validation_failed");
    let pointers: Vec<_> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(pointers, vec!["/name", "/count"]);
    // The probe's validator names its field codes from the catalogue.
    assert_eq!(problem["errors"][0]["code"], "invalid_length");
}

#[tokio::test]
async fn malformed_id_in_the_path_is_404() {
    let app = probe_app().await;
    let res = app
        .post_json("/probe/items/not-a-uuid", &json!({"name": "a", "count": 1}))
        .await;
    assert_problem(&res, 404);
    assert_eq!(json_body(res).await["code"], "resource_not_found");
}

#[tokio::test]
async fn lists_page_with_an_opaque_cursor_until_it_is_null() {
    let app = probe_app().await;
    let mut seen = Vec::new();
    let mut path = "/probe/numbers".to_owned();
    loop {
        let body = json_body(app.get(&path).await).await;
        seen.extend(
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap()),
        );
        match body["nextCursor"].as_str() {
            Some(cursor) => path = format!("/probe/numbers?cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, (1..=45).collect::<Vec<u64>>());

    let body = json_body(app.get("/probe/numbers?limit=100").await).await;
    assert_eq!(body["items"].as_array().unwrap().len(), 45);
    assert!(body["nextCursor"].is_null());
}

#[tokio::test]
async fn list_limit_over_one_hundred_is_422_and_a_foreign_cursor_is_400() {
    let app = probe_app().await;
    let res = app.get("/probe/numbers?limit=101").await;
    assert_problem(&res, 422);
    assert_eq!(json_body(res).await["errors"][0]["pointer"], "/limit");

    let res = app.get("/probe/numbers?limit=ten").await;
    assert_problem(&res, 422);
    let body = json_body(res).await;
    assert_eq!(body["code"], "request_query_invalid");
    assert_eq!(body["errors"][0]["pointer"], "/limit");

    let res = app.get("/probe/numbers?cursor=definitely-not-ours").await;
    assert_problem(&res, 400);
    assert_eq!(json_body(res).await["code"], "pagination_cursor_invalid");

    let res = app.get("/probe/numbers?sort=desc").await;
    assert_problem(&res, 422);
}

#[tokio::test]
async fn unexpected_failure_is_an_opaque_500_with_the_request_id() {
    let app = probe_app().await;
    let res = app
        .send(
            reqwest::Method::GET,
            "/probe/boom",
            &[("x-request-id", "trace-boom-1")],
        )
        .await;
    assert_problem(&res, 500);
    let text = res.text().await.unwrap();
    assert!(!text.contains("secret"), "{text}");
    assert!(!text.contains("relation"), "{text}");
    let body: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["code"], "internal_error");
    assert_eq!(body["requestId"], "trace-boom-1");
}

#[tokio::test]
async fn database_unavailable_is_503_with_retry_after() {
    let app = probe_app().await;
    let ok = app
        .post_json("/probe/settings", &json!({"key": "a.b", "value": "1"}))
        .await;
    assert_eq!(ok.status().as_u16(), 204);

    app.db.close().await;
    let res = app
        .post_json("/probe/settings", &json!({"key": "a.b", "value": "2"}))
        .await;
    assert_problem(&res, 503);
    assert_eq!(res.headers()["retry-after"], "5");
    assert_eq!(json_body(res).await["code"], "database_unavailable");
}

#[tokio::test]
async fn cache_unavailable_is_503_with_retry_after() {
    let app = TestApp::spawn_with(TestOptions {
        probes: true,
        flaky_cache: true,
        ..TestOptions::default()
    })
    .await;
    assert_eq!(app.get("/probe/cache").await.status().as_u16(), 200);
    app.flaky.as_ref().unwrap().set_down(true);
    let res = app.get("/probe/cache").await;
    assert_problem(&res, 503);
    assert!(res.headers().contains_key("retry-after"));
    assert_eq!(json_body(res).await["code"], "cache_unavailable");
}

#[tokio::test]
async fn cors_answers_only_configured_origins() {
    let app = TestApp::spawn_with(TestOptions {
        cors_origins: vec!["https://h5.example.cn".into()],
        ..TestOptions::default()
    })
    .await;
    let allowed = app
        .send(
            reqwest::Method::GET,
            "/healthz",
            &[("origin", "https://h5.example.cn")],
        )
        .await;
    assert_eq!(allowed.status().as_u16(), 200);
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://h5.example.cn"
    );

    let other = app
        .send(
            reqwest::Method::GET,
            "/healthz",
            &[("origin", "https://evil.example.com")],
        )
        .await;
    assert_eq!(other.status().as_u16(), 200);
    assert!(!other.headers().contains_key("access-control-allow-origin"));

    let preflight = app
        .send(
            reqwest::Method::OPTIONS,
            "/healthz",
            &[
                ("origin", "https://h5.example.cn"),
                ("access-control-request-method", "GET"),
                (
                    "access-control-request-headers",
                    "authorization, idempotency-key",
                ),
            ],
        )
        .await;
    assert!(preflight.status().is_success(), "{}", preflight.status());
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "https://h5.example.cn"
    );
}

#[tokio::test]
async fn an_h5_front_end_may_read_the_name_an_export_is_saved_under() {
    let app = TestApp::spawn_with(TestOptions {
        cors_origins: vec!["https://h5.example.cn".into()],
        ..TestOptions::default()
    })
    .await;
    let res = app
        .send(
            reqwest::Method::GET,
            "/healthz",
            &[("origin", "https://h5.example.cn")],
        )
        .await;
    let exposed = res.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        exposed
            .split(',')
            .any(|h| h.trim() == "content-disposition"),
        "{exposed}"
    );
}

#[tokio::test]
async fn no_origin_is_allowed_by_default() {
    let app = TestApp::spawn().await;
    let res = app
        .send(
            reqwest::Method::GET,
            "/healthz",
            &[("origin", "https://h5.example.cn")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(!res.headers().contains_key("access-control-allow-origin"));
}

/// Sends raw bytes on a fresh connection and reads until the server closes it or the
/// deadline passes: the whole conversation as text.
async fn raw(app: &TestApp, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", app.port))
        .await
        .unwrap();
    stream.write_all(request).await.unwrap();
    let mut out = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match tokio::time::timeout(
            std::time::Duration::from_millis(1500),
            stream.read(&mut chunk),
        )
        .await
        {
            Ok(Ok(0)) | Err(_) | Ok(Err(_)) => break,
            Ok(Ok(n)) => out.extend_from_slice(&chunk[..n]),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn problem_in(answer: &str) -> serde_json::Value {
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {answer}"))
}

#[tokio::test]
async fn a_request_line_too_long_is_414_problem_json_with_a_request_id() {
    let app = TestApp::spawn().await;
    let long = format!("/api/v1/orgs/{}", "a".repeat(90 * 1024));
    let answer = raw(
        &app,
        format!("GET {long} HTTP/1.1\r\nhost: x\r\n\r\n").as_bytes(),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 414 "), "{answer:.200}");
    let head = answer.split("\r\n\r\n").next().unwrap().to_lowercase();
    assert!(
        head.contains("content-type: application/problem+json"),
        "{head}"
    );
    let id = head
        .lines()
        .find_map(|l| l.strip_prefix("x-request-id: "))
        .unwrap_or_else(|| panic!("no request id: {head}"))
        .to_owned();
    let problem = problem_in(&answer);
    assert_eq!(problem["code"], "request_uri_too_long");
    assert_eq!(problem["status"], 414);
    assert_eq!(problem["requestId"], id.as_str());
    // A long URL under the limit still reaches the application.
    let answer = raw(
        &app,
        format!(
            "GET /api/v1/{} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
            "b".repeat(12 * 1024)
        )
        .as_bytes(),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 404 "), "{answer:.200}");
    assert_eq!(problem_in(&answer)["code"], "route_not_found");
}

#[tokio::test]
async fn a_head_the_parser_refuses_is_a_400_problem_not_an_empty_answer() {
    let app = TestApp::spawn().await;
    for bad in [
        "GET /healthz HTTP/1.1\r\nhost: x\r\nno colon here\r\n\r\n".to_owned(),
        "GET /healthz HTTP/1.1\r\nhost: x\r\nx-bad: a\u{1}b\r\n\r\n".to_owned(),
        "GET /healthz HTTP/1.1\r\nhost: x\r\ncontent-length: abc\r\n\r\n".to_owned(),
    ] {
        let answer = raw(&app, bad.as_bytes()).await;
        assert!(answer.starts_with("HTTP/1.1 400 "), "{bad:?}: {answer}");
        let problem = problem_in(&answer);
        assert_eq!(problem["code"], "request_head_invalid", "{bad:?}");
        assert!(problem["requestId"].as_str().is_some_and(|r| !r.is_empty()));
    }
}

#[tokio::test]
async fn the_guard_lets_bodies_and_kept_alive_requests_through_unchanged() {
    let app = TestApp::spawn().await;
    // A POST with a body followed, on the same connection, by a GET: both answered.
    let body = r#"{"refreshToken":"rt1.nothing-like-it"}"#;
    let answer = raw(
        &app,
        format!(
            "POST /api/v1/auth/refresh HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n\
             content-length: {}\r\n\r\n{body}GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 401 "), "{answer}");
    assert!(answer.contains("auth_refresh_invalid"), "{answer}");
    assert!(
        answer.contains("HTTP/1.1 200 OK"),
        "the kept-alive request: {answer}"
    );
    assert!(answer.contains(r#"{"status":"ok"}"#), "{answer}");
}

/// The answers on one connection, in the order they came, as (status, body) pairs.
fn answers(stream: &str) -> Vec<(u16, String)> {
    let mut out = Vec::new();
    let mut rest = stream;
    while let Some(at) = rest.find("HTTP/1.1 ") {
        rest = &rest[at..];
        let status = rest[9..12].parse().unwrap_or(0);
        let (head, after) = rest.split_once("\r\n\r\n").unwrap_or((rest, ""));
        let length = head
            .lines()
            .find_map(|l| {
                l.to_lowercase()
                    .strip_prefix("content-length: ")
                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
            })
            .unwrap_or(0);
        let body = after.get(..length).unwrap_or(after).to_owned();
        out.push((status, body));
        rest = after.get(length..).unwrap_or("");
    }
    out
}

#[tokio::test]
async fn a_chunked_body_does_not_end_the_guarding_of_its_connection() {
    let app = TestApp::spawn().await;
    // A chunked POST (with a chunk extension and a trailer) followed on the same connection
    // by a head the framework's parser refuses: the second answer is still our problem.
    let body = r#"{"refreshToken":"rt1.nothing-like-it"}"#;
    let (a, b) = body.split_at(10);
    let answer = raw(
        &app,
        format!(
            "POST /api/v1/auth/refresh HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n\
             transfer-encoding: chunked\r\n\r\n{:x};note=1\r\n{a}\r\n{:x}\r\n{b}\r\n0\r\nx-t: 1\r\n\r\n\
             GET /healthz HTTP/1.1\r\nhost: x\r\nno colon here\r\n\r\n",
            a.len(),
            b.len()
        )
        .as_bytes(),
    )
    .await;
    let got = answers(&answer);
    assert_eq!(got.len(), 2, "{answer}");
    assert_eq!(got[0].0, 401, "{answer}");
    assert!(got[0].1.contains("auth_refresh_invalid"), "{answer}");
    assert_eq!(got[1].0, 400, "{answer}");
    let problem: serde_json::Value =
        serde_json::from_str(&got[1].1).unwrap_or_else(|e| panic!("not a problem ({e}): {answer}"));
    assert_eq!(problem["code"], "request_head_invalid");
}

#[tokio::test]
async fn a_refusal_on_a_pipelined_connection_comes_after_the_answers_before_it() {
    let app = TestApp::spawn().await;
    let ok = "GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n";
    let long = format!("GET /{} HTTP/1.1\r\nhost: x\r\n\r\n", "a".repeat(20 * 1024));
    for bad in [
        "GET /healthz HTTP/1.1\r\nhost: x\r\nno colon here\r\n\r\n",
        long.as_str(),
    ] {
        let answer = raw(&app, format!("{ok}{ok}{bad}{ok}").as_bytes()).await;
        let got = answers(&answer);
        let statuses: Vec<u16> = got.iter().map(|(s, _)| *s).collect();
        let refusal = if bad.len() > 1024 { 414 } else { 400 };
        // In order; nothing after the refusal (the connection ends with it).
        assert_eq!(statuses, [200, 200, refusal], "{answer:.600}");
        assert!(got[0].1.contains(r#""status":"ok""#), "{answer:.600}");
        let problem: serde_json::Value = serde_json::from_str(&got[2].1).unwrap();
        assert_eq!(problem["status"], refusal);
        assert!(problem["requestId"].as_str().is_some_and(|r| !r.is_empty()));
    }
}

#[tokio::test]
async fn a_client_cannot_ask_for_the_guards_refusal_itself() {
    let app = TestApp::spawn().await;
    let answer = raw(
        &app,
        b"GET /_guard/refusal HTTP/1.1\r\nhost: x\r\nx-guard-refusal: 00 request_uri_too_long\r\n\
          x-guard-detail: forged\r\nconnection: close\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 404 "), "{answer}");
    assert_eq!(problem_in(&answer)["code"], "route_not_found");
}
