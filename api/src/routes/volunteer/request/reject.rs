//! Refusing a submitted request.

use actix_web::{post, web, HttpRequest};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::ServiceRequestView;
use super::member_context;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::http::mirror::mirror_enum;
use crate::state::AppState;
use domain::volunteer::service::{self, RejectReason};
use domain::volunteer::ServiceRequestId;

mirror_enum!(
    /// `duplicate` (of `duplicateOf`), `referred` (to another agency), `out_of_scope`,
    /// `litigation` (诉讼), `petition` (信访), `commercial_dispute`.
    ServiceRejectReason => RejectReason {
        Duplicate, Referred, OutOfScope, Litigation, Petition, CommercialDispute
    }
);

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RejectServiceRequest {
    pub reason: ServiceRejectReason,
    /// The request this one repeats: required with `duplicate`, refused with any other
    /// reason.
    #[serde(default)]
    pub duplicate_of: Option<Uuid>,
    /// Shown to the requester.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200, pattern = "lines")]
    pub note: Option<String>,
}

impl crate::extract::Validate for RejectServiceRequest {
    fn validate(&self) -> Result<(), Vec<domain::error::FieldError>> {
        Ok(())
    }
}

/// Refuses a submitted request with a reason the requester reads: a duplicate (naming the
/// request it repeats), referred elsewhere, or outside volunteer service. A hotline
/// operator or township admin of the township.
#[utoipa::path(
    tag = "service-requests",
    operation_id = "rejectServiceRequest",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The request")),
    request_body = RejectServiceRequest,
    responses(
        (status = 200, description = "Rejected", body = ServiceRequestView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied: no dispatcher role anywhere", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request in the caller's township", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "service_request_state_conflict, service_request_changed", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (service_request_reason_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/service-requests/{id}/reject")]
pub async fn reject_service_request(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<RejectServiceRequest>,
) -> Result<web::Json<ServiceRequestView>, ApiError> {
    let b = body.into_inner();
    let seen = service::reject_request(
        &member_context(&state, &user, &req),
        ServiceRequestId::from_uuid(*id),
        b.reason.into(),
        b.duplicate_of.map(ServiceRequestId::from_uuid),
        b.note.as_deref(),
    )
    .await?;
    Ok(web::Json(ServiceRequestView::of(&seen)))
}
