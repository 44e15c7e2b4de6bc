use actix_web::{get, web, HttpResponse};

use crate::error::{ApiError, Problem};
use crate::http::metrics::Metrics;

/// Prometheus metrics: request counts and latency histograms by method, route and status.
#[utoipa::path(
    tag = "operations",
    operation_id = "metrics",
    security(()),
    responses(
        (status = 200, description = "Prometheus text exposition format", body = String, content_type = "text/plain; version=0.0.4"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/metrics")]
pub async fn metrics(metrics: web::Data<Metrics>) -> Result<HttpResponse, ApiError> {
    let text = metrics.render().map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(text))
}
