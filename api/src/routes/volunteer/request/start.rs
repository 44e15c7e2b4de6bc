//! A volunteer begins the service.

use actix_web::{post, web, HttpRequest};
use uuid::Uuid;

use super::dto::ServiceRequestView;
use super::member_context;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use domain::volunteer::service;
use domain::volunteer::ServiceRequestId;

/// A volunteer holding a place begins the service.
#[utoipa::path(
    tag = "service-requests",
    operation_id = "startServiceRequest",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The request")),
    responses(
        (status = 200, description = "The request, as the caller sees it", body = ServiceRequestView),
        (status = 400, description = "request_body_unexpected", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied (a resident); service_request_not_claimant", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request, or none of the caller's business", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "service_request_state_conflict, service_request_changed", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/service-requests/{id}/start")]
pub async fn start_service_request(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<ServiceRequestView>, ApiError> {
    let ctx = member_context(&state, &user, &req);
    let id = ServiceRequestId::from_uuid(*id);
    let seen = service::start_request(&ctx, id).await?;
    Ok(web::Json(ServiceRequestView::of(&seen)))
}
