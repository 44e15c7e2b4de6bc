//! The clock runs again.

use actix_web::{post, web, HttpRequest};
use uuid::Uuid;

use super::caller_context;
use super::dto::ServiceRequestView;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use domain::volunteer::service;
use domain::volunteer::ServiceRequestId;

/// The requester answered: the clock runs again, the deadlines moved on by the wait.
#[utoipa::path(
    tag = "service-requests",
    operation_id = "resumeServiceRequest",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The request")),
    responses(
        (status = 200, description = "The request, as the caller sees it", body = ServiceRequestView),
        (status = 400, description = "request_body_unexpected", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request, or none of the caller's business", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "service_request_state_conflict, service_request_changed", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/service-requests/{id}/resume")]
pub async fn resume_service_request(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<ServiceRequestView>, ApiError> {
    let ctx = caller_context(&state, &caller, &req);
    let id = ServiceRequestId::from_uuid(*id);
    let seen = service::resume_request(&ctx, id).await?;
    Ok(web::Json(ServiceRequestView::of(&seen)))
}
