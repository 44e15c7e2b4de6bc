//! A member's service certificate, for their secretary or a township admin.

use actix_web::{get, web, HttpResponse};
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::http::xlsx::XlsxFile;
use crate::routes::read_context;
use crate::state::AppState;
use domain::org::MemberId;
use domain::volunteer::service;

/// A member's service certificate (志愿服务证明) as an Excel file. A secretary covering
/// the member's branch, or a township admin covering it.
#[utoipa::path(
    tag = "volunteer-hours",
    operation_id = "getMemberVolunteerCertificate",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The member")),
    responses(
        (status = 200, description = "The certificate", body = XlsxFile, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/members/{id}/volunteer-hours/certificate")]
pub async fn get_member_volunteer_certificate(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let c =
        service::member_certificate(&read_context(&state, &user), MemberId::from_uuid(*id)).await?;
    super::certificate::download(&c)
}
