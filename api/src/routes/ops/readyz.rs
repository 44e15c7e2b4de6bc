use std::time::Duration;

use actix_web::http::{header, StatusCode};
use actix_web::{get, web, HttpResponse};

use super::dto::{CheckStatus, DependencyCheck, Readiness, ReadinessChecks};
use crate::error::{Problem, RETRY_AFTER_SECS};
use crate::state::AppState;

const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// Readiness: the database and the cache are reachable. A load balancer should stop sending
/// traffic to an instance answering 503.
#[utoipa::path(
    tag = "operations",
    operation_id = "readyz",
    security(()),
    responses(
        (status = 200, description = "Ready to serve", body = Readiness),
        (status = 503, description = "A dependency is unreachable; the body says which",
            body = Readiness, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let (db, cache) = tokio::join!(
        tokio::time::timeout(CHECK_TIMEOUT, state.db.ping()),
        tokio::time::timeout(CHECK_TIMEOUT, state.cache.ping()),
    );
    let database = match db {
        Ok(Ok(())) => CheckStatus::Up,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: database down");
            CheckStatus::Down
        }
        Err(_) => {
            tracing::warn!("readiness: database check timed out");
            CheckStatus::Down
        }
    };
    let cache = match cache {
        Ok(Ok(())) => CheckStatus::Up,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: cache down");
            CheckStatus::Down
        }
        Err(_) => {
            tracing::warn!("readiness: cache check timed out");
            CheckStatus::Down
        }
    };
    let ready = database == CheckStatus::Up && cache == CheckStatus::Up;
    let body = Readiness {
        status: if ready { "ready" } else { "unavailable" },
        checks: ReadinessChecks {
            database: DependencyCheck {
                status: database,
                backend: state.db.backend().as_str(),
            },
            cache: DependencyCheck {
                status: cache,
                backend: state.cache_backend,
            },
        },
    };
    if ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::build(StatusCode::SERVICE_UNAVAILABLE)
            .insert_header((header::RETRY_AFTER, RETRY_AFTER_SECS.to_string()))
            .json(body)
    }
}
