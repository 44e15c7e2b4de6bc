//! The requester withdraws a request.

use actix_web::{post, web, HttpRequest};
use uuid::Uuid;

use super::caller_context;
use super::dto::{ServiceNoteRequest, ServiceRequestView};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::state::AppState;
use domain::volunteer::service;
use domain::volunteer::ServiceRequestId;

/// The requester withdraws the request, before the service has begun (after,
/// `service_request_state_conflict`).
#[utoipa::path(
    tag = "service-requests",
    operation_id = "cancelServiceRequest",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The request")),
    request_body = ServiceNoteRequest,
    responses(
        (status = 200, description = "The request, as the caller sees it", body = ServiceRequestView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied: not the requester", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request, or none of the caller's business", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "service_request_state_conflict, service_request_changed", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (service_request_reason_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/service-requests/{id}/cancel")]
pub async fn cancel_service_request(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<ServiceNoteRequest>,
) -> Result<web::Json<ServiceRequestView>, ApiError> {
    let b = body.into_inner();
    let ctx = caller_context(&state, &caller, &req);
    let id = ServiceRequestId::from_uuid(*id);
    let seen = service::cancel_request(&ctx, id, b.note.as_deref()).await?;
    Ok(web::Json(ServiceRequestView::of(&seen)))
}
