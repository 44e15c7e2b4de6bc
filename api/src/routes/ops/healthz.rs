use actix_web::{get, web};

use super::dto::Health;
use crate::error::Problem;

/// Liveness: the process is up and serving.
#[utoipa::path(
    tag = "operations",
    operation_id = "healthz",
    security(()),
    responses(
        (status = 200, description = "The process is alive", body = Health),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}
