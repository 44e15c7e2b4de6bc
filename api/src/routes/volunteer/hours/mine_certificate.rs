//! The caller's own service certificate.

use actix_web::{get, web, HttpResponse};

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::http::xlsx::XlsxFile;
use crate::routes::read_context;
use crate::state::AppState;
use domain::volunteer::service;

/// The caller's service certificate (志愿服务证明) as an Excel file: their confirmed
/// hours in all, every confirmed entry (corrections as their own lines) and the totals per
/// month and half year, service and training apart.
#[utoipa::path(
    tag = "volunteer-hours",
    operation_id = "getMyVolunteerCertificate",
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "The certificate", body = XlsxFile, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/me/volunteer-hours/certificate")]
pub async fn get_my_volunteer_certificate(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let c = service::my_certificate(&read_context(&state, &user)).await?;
    super::certificate::download(&c)
}
