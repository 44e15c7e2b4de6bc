//! A branch returns a misrouted request (退单).

use actix_web::{post, web, HttpRequest};
use uuid::Uuid;

use super::dto::{ServiceReasonRequest, ServiceRequestView};
use super::member_context;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::state::AppState;
use domain::volunteer::service;
use domain::volunteer::ServiceRequestId;

/// The branch sends a misrouted request back to the dispatcher (退单) with a reason: its
/// secretary or committee member (or the township's dispatcher). Volunteers' places are
/// given back.
#[utoipa::path(
    tag = "service-requests",
    operation_id = "returnServiceRequest",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The request")),
    request_body = ServiceReasonRequest,
    responses(
        (status = 200, description = "The request, as the caller sees it", body = ServiceRequestView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied (a resident, or a member of the branch without a role over it)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request, or none of the caller's business", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "service_request_state_conflict, service_request_changed", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (service_request_reason_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/service-requests/{id}/return")]
pub async fn return_service_request(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<ServiceReasonRequest>,
) -> Result<web::Json<ServiceRequestView>, ApiError> {
    let b = body.into_inner();
    let ctx = member_context(&state, &user, &req);
    let id = ServiceRequestId::from_uuid(*id);
    let seen = service::return_request(&ctx, id, &b.reason).await?;
    Ok(web::Json(ServiceRequestView::of(&seen)))
}
