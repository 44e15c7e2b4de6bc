//! A correction of a confirmed entry.

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::HoursEntryView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Validate};
use crate::http::idempotency;
use crate::routes::write_context;
use crate::state::AppState;
use domain::error::FieldError;
use domain::volunteer::service;
use domain::volunteer::HoursEntryId;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HoursCorrectionRequest {
    /// Minutes to add (positive) or take away (negative); not zero. The entry with its
    /// corrections stays within 0-1440 minutes.
    #[serde(deserialize_with = "crate::extract::integral")]
    #[schema(minimum = -1440, maximum = 1440, example = -30)]
    pub minutes: i32,
    /// Why.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "printable",
        example = "重复填报，核减半小时"
    )]
    pub reason: String,
}

impl Validate for HoursCorrectionRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}

/// Corrects a confirmed entry: a new, confirmed entry naming it, with a reason, counted in
/// the same category and on the same day. Whoever may decide the entry; not one's own.
/// Audited.
#[utoipa::path(
    tag = "volunteer-hours",
    operation_id = "correctVolunteerHours",
    security(("bearerAuth" = [])),
    params(
        ("id" = Uuid, Path, description = "The confirmed entry"),
        ("Idempotency-Key" = Option<String>, Header, description = "1-128 visible ASCII characters; a retry with the same key and body gets the first response (kept 24 h)"),
    ),
    request_body = HoursCorrectionRequest,
    responses(
        (status = 201, description = "The correction", body = HoursEntryView),
        (status = 400, description = "request_json_malformed or idempotency_key_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such entry, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "volunteer_hours_not_confirmed or idempotency_request_in_flight", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (volunteer_hours_minutes_invalid, volunteer_hours_note_invalid), volunteer_hours_below_zero, volunteer_hours_own_entry, idempotency_key_reused", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/volunteer-hours/{id}/corrections")]
pub async fn correct_volunteer_hours(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<HoursCorrectionRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let entry = HoursEntryId::from_uuid(*id);
    idempotency::run(&state, &req, user.member.id, &b, async {
        let c = service::correct_hours(
            &write_context(&state, &user, &req),
            entry,
            b.minutes,
            &b.reason,
        )
        .await?;
        let json = serde_json::to_string(&HoursEntryView::from(&c)).map_err(ApiError::internal)?;
        Ok((StatusCode::CREATED, None, json))
    })
    .await
}
