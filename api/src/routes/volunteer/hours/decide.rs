//! The one decision of a pending entry.

use actix_web::{post, web, HttpRequest};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::HoursEntryView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Validate};
use crate::routes::volunteer::team::dto::VolunteerDecision;
use crate::routes::write_context;
use crate::state::AppState;
use domain::error::FieldError;
use domain::volunteer::service;
use domain::volunteer::HoursEntryId;

/// Confirm the entry (`approve`) or reject it with a reason.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HoursDecisionRequest {
    pub decision: VolunteerDecision,
    /// Required to reject.
    #[serde(default)]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "printable",
        example = "当日无服务记录"
    )]
    pub reason: Option<String>,
}

impl Validate for HoursDecisionRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}

/// Confirms or rejects a pending entry: its one change, made once (a second decision, or
/// the loser of two at once, gets 409). A member's own entry: a secretary covering their
/// branch or a township admin; a service request's: a hotline operator or township admin
/// covering the township, or the leader of the team it was served through. Nobody decides
/// their own. Audited.
#[utoipa::path(
    tag = "volunteer-hours",
    operation_id = "decideVolunteerHours",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The entry")),
    request_body = HoursDecisionRequest,
    responses(
        (status = 200, description = "The decided entry", body = HoursEntryView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such entry, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "volunteer_hours_not_pending", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (review_reason_required, review_reason_invalid), volunteer_hours_own_entry", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/volunteer-hours/{id}/decision")]
pub async fn decide_volunteer_hours(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<HoursDecisionRequest>,
) -> Result<web::Json<HoursEntryView>, ApiError> {
    let b = body.into_inner();
    let e = service::decide_hours(
        &write_context(&state, &user, &req),
        HoursEntryId::from_uuid(*id),
        b.decision == VolunteerDecision::Approve,
        b.reason.as_deref(),
    )
    .await?;
    Ok(web::Json(HoursEntryView::from(&e)))
}
