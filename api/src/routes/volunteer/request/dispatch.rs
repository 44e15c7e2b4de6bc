//! Dispatching a request.

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
use domain::org::OrgId;
use domain::volunteer::service::{self, Dispatch};
use domain::volunteer::{ServiceRequestId, TeamId};

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DispatchServiceRequest {
    /// A branch of the township; for a wish, the township itself (its wish list, open to
    /// every member). Or else give `teamId`.
    #[serde(default)]
    pub org_id: Option<Uuid>,
    /// One of the township's professional teams (专业队伍), whose active members claim it.
    #[serde(default)]
    pub team_id: Option<Uuid>,
    /// How many volunteers it takes (default 1).
    #[serde(default, deserialize_with = "crate::extract::integral_opt")]
    #[schema(minimum = 1, maximum = 20)]
    pub capacity: Option<u32>,
    /// Working days to be claimed, instead of the township's deadline for its kind and
    /// urgency (`getServiceDeadlines`; by default urgent: the same day; a hotline call 1; a
    /// wish 5; others 2).
    #[serde(default, deserialize_with = "crate::extract::integral_opt")]
    #[schema(minimum = 0, maximum = 60)]
    pub claim_days: Option<u32>,
    /// Working days to be completed, instead of the township's deadline (by default urgent:
    /// the same day; a hotline call 3; a wish 20; others 10).
    #[serde(default, deserialize_with = "crate::extract::integral_opt")]
    #[schema(minimum = 0, maximum = 60)]
    pub complete_days: Option<u32>,
    /// Shown to the requester in the status note.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200, pattern = "lines")]
    pub note: Option<String>,
}

impl crate::extract::Validate for DispatchServiceRequest {
    fn validate(&self) -> Result<(), Vec<domain::error::FieldError>> {
        Ok(())
    }
}

/// Sends a submitted request to a branch or a professional team of the township (or a wish
/// to the township's wish list) with its deadlines, counted in working days on the township's holiday calendar.
/// A hotline operator or township admin of the township. Text the content check held must
/// be let through first (`service_request_held`).
#[utoipa::path(
    tag = "service-requests",
    operation_id = "dispatchServiceRequest",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The request")),
    request_body = DispatchServiceRequest,
    responses(
        (status = 200, description = "Dispatched", body = ServiceRequestView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied: no dispatcher role anywhere", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request, or org or team in the caller's township", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "service_request_state_conflict, service_request_held, service_request_changed", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (service_request_assignee_invalid, service_request_reason_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/service-requests/{id}/dispatch")]
pub async fn dispatch_service_request(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<DispatchServiceRequest>,
) -> Result<web::Json<ServiceRequestView>, ApiError> {
    let b = body.into_inner();
    let seen = service::dispatch_request(
        &member_context(&state, &user, &req),
        ServiceRequestId::from_uuid(*id),
        &Dispatch {
            org_id: b.org_id.map(OrgId::from_uuid),
            team_id: b.team_id.map(TeamId::from_uuid),
            capacity: b.capacity,
            claim_days: b.claim_days,
            complete_days: b.complete_days,
            note: b.note,
        },
    )
    .await?;
    Ok(web::Json(ServiceRequestView::of(&seen)))
}
