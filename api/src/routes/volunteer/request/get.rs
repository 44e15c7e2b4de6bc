//! One service request.

use actix_web::{get, web, HttpRequest};
use uuid::Uuid;

use super::caller_context;
use super::dto::ServiceRequestView;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use domain::volunteer::service;
use domain::volunteer::ServiceRequestId;

/// One request with its volunteers and status notes. The requester's contact is whole for
/// the requester, the township's operators and admins, and the volunteers serving it while
/// it is open; masked for the branch's other members and the wish list.
#[utoipa::path(
    tag = "service-requests",
    operation_id = "getServiceRequest",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The request")),
    responses(
        (status = 200, description = "The request", body = ServiceRequestView),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request, or none of the caller's business", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/service-requests/{id}")]
pub async fn get_service_request(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<ServiceRequestView>, ApiError> {
    let seen = service::get_request(
        &caller_context(&state, &caller, &req),
        ServiceRequestId::from_uuid(*id),
    )
    .await?;
    Ok(web::Json(ServiceRequestView::of(&seen)))
}
