//! Reporting a request served.

use actix_web::{post, web, HttpRequest};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::ServiceRequestView;
use super::file::PhotoLink;
use super::member_context;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::state::AppState;
use domain::org::MemberId;
use domain::volunteer::service::{self, Completion};
use domain::volunteer::ServiceRequestId;

/// One volunteer's time.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VolunteerMinutes {
    pub member_id: Uuid,
    #[serde(deserialize_with = "crate::extract::integral")]
    #[schema(minimum = 1, maximum = 1440)]
    pub minutes: i64,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CompleteServiceRequest {
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = "lines",
        example = "已代购降压药两盒并送到家中。"
    )]
    pub summary: String,
    /// Every volunteer holding a place, each once.
    #[schema(min_items = 1, max_items = 20)]
    pub hours: Vec<VolunteerMinutes>,
    #[serde(default)]
    #[schema(max_items = 9)]
    pub photos: Vec<PhotoLink>,
}

impl crate::extract::Validate for CompleteServiceRequest {
    fn validate(&self) -> Result<(), Vec<domain::error::FieldError>> {
        Ok(())
    }
}

/// A volunteer holding a place reports the service done, with a summary, photo links and
/// every volunteer's time (which goes to the hours ledger).
#[utoipa::path(
    tag = "service-requests",
    operation_id = "completeServiceRequest",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The request")),
    request_body = CompleteServiceRequest,
    responses(
        (status = 200, description = "Completed; waiting for the requester's rating", body = ServiceRequestView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied (a resident); service_request_not_claimant", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request, or none of the caller's business", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "service_request_state_conflict, service_request_changed", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (service_request_field_invalid, service_request_hours_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/service-requests/{id}/complete")]
pub async fn complete_service_request(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<CompleteServiceRequest>,
) -> Result<web::Json<ServiceRequestView>, ApiError> {
    let b = body.into_inner();
    let seen = service::complete_request(
        &member_context(&state, &user, &req),
        ServiceRequestId::from_uuid(*id),
        &Completion {
            summary: b.summary,
            minutes: b
                .hours
                .iter()
                .map(|h| (MemberId::from_uuid(h.member_id), h.minutes))
                .collect(),
            photos: b.photos.into_iter().map(|p| p.0).collect(),
        },
    )
    .await?;
    Ok(web::Json(ServiceRequestView::of(&seen)))
}
