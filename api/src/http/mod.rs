//! HTTP plumbing shared by every route: request ids, logging spans, metrics, the problem
//! rendering of every error, the route table behind 404/405, CORS and pagination.

pub mod client_ip;
pub mod guard;
pub mod idempotency;
pub mod if_match;
pub mod invite;
pub mod metrics;
pub mod mirror;
pub mod page;
mod routes;
pub mod schema;
pub mod throttle;
pub mod time;
pub mod xlsx;

pub use routes::{fallback, path_error, refuse_unexpected_body, RouteTable};

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use tracing::Instrument;

use crate::error::ApiError;
use metrics::Metrics;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The id of the request being served, accepted from `X-Request-Id` or generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

/// A client-supplied id is kept only if it is short and plain, so it is safe to log and
/// echo; anything else is replaced.
fn acceptable_request_id(raw: &str) -> bool {
    (1..=128).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// Wraps every request: assigns its id, runs it inside a span carrying that id, turns every
/// error into problem+json (logging the cause of a 500), echoes `X-Request-Id` and records
/// metrics by matched route.
pub async fn observe(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let request_id = req
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable_request_id(v))
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned);
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let method = method_label(req.method());
    if req.method() == Method::HEAD {
        // HEAD is GET without a body (RFC 9110 §9.3.2): route it as GET; the HTTP layer
        // already knows from the original request line to send no body.
        req.head_mut().method = Method::GET;
    }
    let path = req.path().to_owned();
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        method = method,
        route = tracing::field::Empty,
    );

    // Cloning the request before routing would make actix's router panic, so an `Err` from an
    // inner middleware (a refused CORS preflight) passes through as the framework renders it.
    let mut res = next
        .call(req)
        .instrument(span.clone())
        .await?
        .map_into_boxed_body();

    if let Some(problem) = problem_of(&res) {
        let _entered = span.enter();
        if problem.status().is_server_error() {
            tracing::error!(
                code = problem.code().as_str(),
                cause = problem.cause_chain().as_deref().unwrap_or("-"),
                "request failed"
            );
        } else {
            tracing::debug!(code = problem.code().as_str(), "request refused");
        }
        let mut replacement = problem.render(Some(path), Some(request_id.clone()));
        for (name, value) in res.headers() {
            if !replacement.headers().contains_key(name) && name != header::CONTENT_LENGTH {
                replacement
                    .headers_mut()
                    .append(name.clone(), value.clone());
            }
        }
        res = res.into_response(replacement);
    }

    if let Ok(value) = HeaderValue::from_str(&request_id) {
        res.headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
    }
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let status = res.status().as_u16();
    let elapsed = started.elapsed();
    span.record("route", route.as_str());
    {
        let _entered = span.enter();
        tracing::info!(
            status,
            latency_ms = elapsed.as_millis() as u64,
            "request completed"
        );
    }
    if let Some(metrics) = metrics {
        metrics.observe(method, &route, status, elapsed.as_secs_f64());
    }
    Ok(res)
}

/// A bounded label for metrics and logs: clients may send any extension method.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// The problem a response should carry, if it is an error not yet rendered as one: either
/// an error object (ours or the framework's) or a bare error status without a body type.
fn problem_of(res: &ServiceResponse<BoxBody>) -> Option<ApiError> {
    if let Some(err) = res.response().error() {
        return Some(
            err.as_error::<ApiError>()
                .cloned()
                .unwrap_or_else(|| ApiError::from_status(res.status(), err.to_string())),
        );
    }
    let status = res.status();
    let typed = res.headers().contains_key(header::CONTENT_TYPE);
    if (status.is_client_error() || status.is_server_error()) && !typed {
        return Some(ApiError::from_status(status, status.to_string()));
    }
    None
}

/// CORS for H5 front-ends: only configured origins get CORS headers; others are served
/// without them (the browser then refuses), never answered with an error.
pub fn cors(origins: &[String]) -> actix_cors::Cors {
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("idempotency-key"),
            HeaderName::from_static(REQUEST_ID_HEADER),
        ])
        .expose_headers([
            HeaderName::from_static(REQUEST_ID_HEADER),
            header::RETRY_AFTER,
            header::LOCATION,
            // The name an exported file is saved under.
            header::CONTENT_DISPOSITION,
            HeaderName::from_static("ratelimit"),
            HeaderName::from_static("ratelimit-policy"),
        ])
        .max_age(3600)
        .block_on_origin_mismatch(false);
    for origin in origins {
        cors = cors.allowed_origin(origin.trim_end_matches('/'));
    }
    cors
}

#[cfg(test)]
mod tests {
    use super::acceptable_request_id;

    #[test]
    fn only_short_plain_request_ids_are_accepted() {
        assert!(acceptable_request_id("abc-123_x.y:z"));
        assert!(!acceptable_request_id(""));
        assert!(!acceptable_request_id(&"a".repeat(129)));
        assert!(!acceptable_request_id("has space"));
        assert!(!acceptable_request_id("new\nline"));
    }
}

#[cfg(test)]
mod logging_tests {
    use std::io;
    use std::sync::{Arc, Mutex};

    use actix_web::middleware::from_fn;
    use actix_web::{test, web, App, HttpResponse};
    use tracing_subscriber::fmt::MakeWriter;

    use crate::error::ApiError;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Captured {
        fn text(&self) -> String {
            let bytes = self.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
            String::from_utf8_lossy(&bytes).into_owned()
        }
    }

    impl io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Captured {
        type Writer = Captured;

        fn make_writer(&'a self) -> Self::Writer {
            self.clone()
        }
    }

    #[actix_web::test]
    async fn an_unexpected_error_is_logged_with_its_cause_and_request_id_but_not_sent() {
        let logs = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(logs.clone())
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let app = test::init_service(App::new().wrap(from_fn(super::observe)).route(
            "/boom",
            web::get().to(|| async {
                Err::<HttpResponse, _>(ApiError::internal("connection pool exploded"))
            }),
        ))
        .await;

        let req = test::TestRequest::get()
            .uri("/boom")
            .insert_header(("x-request-id", "rid-500"))
            .to_request();
        let res = test::call_service(&app, req).await;

        assert_eq!(res.status().as_u16(), 500);
        let body = test::read_body(res).await;
        let body = String::from_utf8_lossy(&body);
        assert!(!body.contains("exploded"), "{body}");
        assert!(body.contains("rid-500"), "{body}");
        let logs = logs.text();
        let line = logs.lines().find(|l| l.contains("request failed"));
        assert!(
            line.is_some_and(|l| l.contains("connection pool exploded") && l.contains("rid-500")),
            "{logs}"
        );
    }
}
