//! The operator's follow-up call (回访).

use actix_web::{post, web, HttpRequest};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::ServiceRequestView;
use super::member_context;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::state::AppState;
use domain::volunteer::service;
use domain::volunteer::ServiceRequestId;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FollowUpServiceRequest {
    /// Satisfied closes the request; unsatisfied reopens it to be served again.
    pub satisfied: bool,
    /// The rating the requester gave on the phone, 1-5.
    #[serde(deserialize_with = "crate::extract::integral")]
    #[schema(minimum = 1, maximum = 5)]
    pub rating: u8,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200, pattern = "lines")]
    pub comment: Option<String>,
}

impl crate::extract::Validate for FollowUpServiceRequest {
    fn validate(&self) -> Result<(), Vec<domain::error::FieldError>> {
        Ok(())
    }
}

/// Records the operator's follow-up call on a completed request: satisfied closes it with
/// the rating given on the phone; unsatisfied reopens it (volunteers' places given back,
/// new deadlines). A hotline operator or township admin of the township.
#[utoipa::path(
    tag = "service-requests",
    operation_id = "followUpServiceRequest",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The request")),
    request_body = FollowUpServiceRequest,
    responses(
        (status = 200, description = "Closed or reopened", body = ServiceRequestView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied: no dispatcher role anywhere", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request in the caller's township", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "service_request_state_conflict, service_request_changed", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (service_request_rating_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/service-requests/{id}/follow-up")]
pub async fn follow_up_service_request(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<FollowUpServiceRequest>,
) -> Result<web::Json<ServiceRequestView>, ApiError> {
    let b = body.into_inner();
    let seen = service::follow_up_request(
        &member_context(&state, &user, &req),
        ServiceRequestId::from_uuid(*id),
        b.satisfied,
        b.rating,
        b.comment.as_deref(),
    )
    .await?;
    Ok(web::Json(ServiceRequestView::of(&seen)))
}
