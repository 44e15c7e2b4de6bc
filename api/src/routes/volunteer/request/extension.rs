//! Asking for more time.

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
pub struct RequestServiceExtension {
    /// More working days to complete it.
    #[serde(deserialize_with = "crate::extract::integral")]
    #[schema(minimum = 1, maximum = 30)]
    pub days: u32,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "printable",
        example = "需要等待配件到货"
    )]
    pub reason: String,
}

impl crate::extract::Validate for RequestServiceExtension {
    fn validate(&self) -> Result<(), Vec<domain::error::FieldError>> {
        Ok(())
    }
}

/// The branch or team asks the dispatcher for more working days to complete the request:
/// its secretary or committee member, the team's leader, or a volunteer holding a place.
/// One at a time.
#[utoipa::path(
    tag = "service-requests",
    operation_id = "requestServiceExtension",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The request")),
    request_body = RequestServiceExtension,
    responses(
        (status = 200, description = "Asked; the dispatcher decides", body = ServiceRequestView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request, or none of the caller's business", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "service_request_state_conflict, service_request_extension_pending, service_request_changed", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (service_request_extension_invalid, service_request_reason_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/service-requests/{id}/extension")]
pub async fn request_service_extension(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<RequestServiceExtension>,
) -> Result<web::Json<ServiceRequestView>, ApiError> {
    let b = body.into_inner();
    let seen = service::request_extension(
        &member_context(&state, &user, &req),
        ServiceRequestId::from_uuid(*id),
        b.days,
        &b.reason,
    )
    .await?;
    Ok(web::Json(ServiceRequestView::of(&seen)))
}
