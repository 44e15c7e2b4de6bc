//! A member records hours they served.

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dto::{HoursEntryView, VolunteerHoursCategory};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Validate};
use crate::http::idempotency;
use crate::routes::write_context;
use crate::state::AppState;
use domain::error::FieldError;
use domain::volunteer::service;
use domain::volunteer::NewManualHours;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RecordHoursRequest {
    pub category: VolunteerHoursCategory,
    #[serde(deserialize_with = "crate::extract::integral")]
    #[schema(minimum = 1, maximum = 1440, example = 90)]
    pub minutes: i32,
    /// The day served (Beijing): within the last 90 days, not after today.
    #[schema(example = "2026-11-01")]
    pub occurred_on: NaiveDate,
    /// What was done.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "printable",
        example = "为独居老人清理院落"
    )]
    pub note: String,
}

impl Validate for RecordHoursRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Ok(())
    }
}

/// Records hours the caller served or trained; pending until their branch's secretary or
/// a township admin decides. Audited.
#[utoipa::path(
    tag = "volunteer-hours",
    operation_id = "recordMyVolunteerHours",
    security(("bearerAuth" = [])),
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "1-128 visible ASCII characters; a retry with the same key and body gets the first response (kept 24 h)"),
    ),
    request_body = RecordHoursRequest,
    responses(
        (status = 201, description = "Recorded; pending", body = HoursEntryView),
        (status = 400, description = "request_json_malformed or idempotency_key_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "idempotency_request_in_flight", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (volunteer_hours_minutes_invalid, volunteer_hours_date_invalid, volunteer_hours_note_invalid), idempotency_key_reused", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/me/volunteer-hours")]
pub async fn record_my_volunteer_hours(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<RecordHoursRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    idempotency::run(&state, &req, user.member.id, &b, async {
        let e = service::record_my_hours(
            &write_context(&state, &user, &req),
            &user.member,
            NewManualHours {
                category: b.category.into(),
                minutes: b.minutes,
                occurred_on: b.occurred_on,
                note: b.note.clone(),
            },
        )
        .await?;
        let json = serde_json::to_string(&HoursEntryView::from(&e)).map_err(ApiError::internal)?;
        Ok((StatusCode::CREATED, None, json))
    })
    .await
}
