//! The requester's rating.

use actix_web::{post, web, HttpRequest};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::caller_context;
use super::dto::ServiceRequestView;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::state::AppState;
use domain::volunteer::service;
use domain::volunteer::ServiceRequestId;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RateServiceRequest {
    /// 1 (very unsatisfied) to 5 (very satisfied).
    #[serde(deserialize_with = "crate::extract::integral")]
    #[schema(minimum = 1, maximum = 5)]
    pub rating: u8,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200, pattern = "lines")]
    pub comment: Option<String>,
}

impl crate::extract::Validate for RateServiceRequest {
    fn validate(&self) -> Result<(), Vec<domain::error::FieldError>> {
        Ok(())
    }
}

/// The requester rates the completed service, which closes the request. A caller without
/// WeChat is rated through the operator's follow-up call instead.
#[utoipa::path(
    tag = "service-requests",
    operation_id = "rateServiceRequest",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The request")),
    request_body = RateServiceRequest,
    responses(
        (status = 200, description = "Closed", body = ServiceRequestView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied: not the requester, or filed by an operator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request, or none of the caller's business", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "service_request_state_conflict, service_request_changed", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (service_request_rating_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/service-requests/{id}/rating")]
pub async fn rate_service_request(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<RateServiceRequest>,
) -> Result<web::Json<ServiceRequestView>, ApiError> {
    let b = body.into_inner();
    let seen = service::rate_request(
        &caller_context(&state, &caller, &req),
        ServiceRequestId::from_uuid(*id),
        b.rating,
        b.comment.as_deref(),
    )
    .await?;
    Ok(web::Json(ServiceRequestView::of(&seen)))
}
