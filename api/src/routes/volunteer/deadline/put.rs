//! Setting a township's deadlines.

use actix_web::{put, web, HttpRequest};
use uuid::Uuid;

use super::dto::{ServiceDeadlinesRequest, ServiceDeadlinesView};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::routes::write_context;
use crate::state::AppState;
use domain::org::OrgId;
use domain::volunteer::service;

/// Replaces the township's deadlines: the working days each kind and urgency has to be
/// claimed and to be completed, on its holiday calendar. What the body leaves out follows
/// the default again. Requests dispatched from then on (and reopened after an unsatisfied
/// follow-up) get them; those dispatched before keep theirs. Township admins covering the
/// township; audited (`volunteer.deadlines_set`).
#[utoipa::path(
    tag = "service-requests",
    operation_id = "putServiceDeadlines",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The township committee")),
    request_body = ServiceDeadlinesRequest,
    responses(
        (status = 200, description = "The deadlines now in force", body = ServiceDeadlinesView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied: no township admin role anywhere", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such township committee, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (service_deadline_days_invalid, service_deadline_claim_after_complete)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/api/v1/orgs/{id}/service-deadlines")]
pub async fn put_service_deadlines(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<ServiceDeadlinesRequest>,
) -> Result<web::Json<ServiceDeadlinesView>, ApiError> {
    let policy = service::set_service_deadlines(
        &write_context(&state, &user, &req),
        OrgId::from_uuid(*id),
        body.into_inner().into_set(),
    )
    .await?;
    Ok(web::Json(ServiceDeadlinesView::from(&policy)))
}
