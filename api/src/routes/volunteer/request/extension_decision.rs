//! Deciding an extension.

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

/// Grant or refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExtensionVerdict {
    Approve,
    Reject,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DecideServiceExtension {
    pub decision: ExtensionVerdict,
    /// Shown to the requester and the branch.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200, pattern = "lines")]
    pub reason: Option<String>,
}

impl crate::extract::Validate for DecideServiceExtension {
    fn validate(&self) -> Result<(), Vec<domain::error::FieldError>> {
        Ok(())
    }
}

/// The dispatcher grants the pending extension (the completion deadline moves on by its
/// working days; the requester sees the new expected time) or refuses it. A hotline
/// operator or township admin of the township.
#[utoipa::path(
    tag = "service-requests",
    operation_id = "decideServiceExtension",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The request")),
    request_body = DecideServiceExtension,
    responses(
        (status = 200, description = "Decided", body = ServiceRequestView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied: no dispatcher role anywhere", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request in the caller's township", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "service_request_extension_missing, service_request_changed", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (service_request_reason_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/service-requests/{id}/extension/decision")]
pub async fn decide_service_extension(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<DecideServiceExtension>,
) -> Result<web::Json<ServiceRequestView>, ApiError> {
    let b = body.into_inner();
    let seen = service::decide_extension(
        &member_context(&state, &user, &req),
        ServiceRequestId::from_uuid(*id),
        b.decision == ExtensionVerdict::Approve,
        b.reason.as_deref(),
    )
    .await?;
    Ok(web::Json(ServiceRequestView::of(&seen)))
}
