//! The check-in itself: the spike endpoint of every theme-day morning.

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, FixedOffset};
use domain::error::ErrorCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::{CheckInView, Point};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Validate};
use crate::http::idempotency;
use crate::http::time::utc;
use crate::routes::write_context;
use crate::state::AppState;
use domain::activity::service::{self, CheckInOutcome, CheckInProof};
use domain::activity::ActivityId;
use domain::error::FieldError;

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CheckInRequest {
    /// The QR code scanned from the secretary's phone.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 128, pattern = "visible-ascii")]
    pub qr_token: Option<String>,
    /// Where the member is (GCJ-02, from `wx.getLocation({type: 'gcj02'})`).
    #[serde(default)]
    pub location: Option<Point>,
    /// Attending online (retired, frail and mobile members, where the activity allows it);
    /// always reviewed.
    #[serde(default)]
    pub online: bool,
    /// The phone's clock; recorded, never trusted (the server's clock decides the window).
    #[serde(default)]
    pub client_time: Option<DateTime<FixedOffset>>,
}

impl Validate for CheckInRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if let Some(Err(e)) = self.location.map(|p| p.to_domain("/location")) {
            errors.push(e);
        }
        if self
            .qr_token
            .as_ref()
            .is_some_and(|t| !crate::http::schema::visible_ascii(t, 128))
        {
            errors.push(FieldError::new(
                "/qrToken",
                ErrorCode::CheckInQrInvalid,
                "qrToken is 1-128 visible ASCII characters",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// Checks the caller in to an activity, with the proof it requires. Exactly one check-in
/// per member and activity: the first call answers 201, every repeat 200 with the same
/// body. Send an `Idempotency-Key` to have a retry answered with the first response.
#[utoipa::path(
    tag = "check-ins",
    operation_id = "checkIn",
    security(("bearerAuth" = [])),
    params(
        ("id" = Uuid, Path, description = "The activity"),
        ("Idempotency-Key" = Option<String>, Header, description = "1-128 visible ASCII characters; a retry with the same key and body gets the first response (kept 24 h)"),
    ),
    request_body = CheckInRequest,
    responses(
        (status = 201, description = "Checked in", body = CheckInView),
        (status = 200, description = "Already checked in: the stored check-in", body = CheckInView),
        (status = 400, description = "request_json_malformed or idempotency_key_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such activity, or outside the caller's branch", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "idempotency_request_in_flight", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "check_in_window_not_open, check_in_window_closed, check_in_qr_invalid, check_in_qr_expired, check_in_outside_geofence, check_in_online_not_allowed, check_in_not_expected, check_in_exempted, check_in_activity_cancelled, check_in_proof_required, idempotency_key_reused, request_json_invalid or validation_failed", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/activities/{id}/check-ins")]
pub async fn check_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<CheckInRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    idempotency::run(
        &state,
        &req,
        user.member.id,
        &body.clone(),
        run(&state, &user, &req, ActivityId::from_uuid(*id), body),
    )
    .await
}

async fn run(
    state: &AppState,
    user: &AuthUser,
    req: &HttpRequest,
    id: ActivityId,
    body: CheckInRequest,
) -> Result<(StatusCode, Option<String>, String), ApiError> {
    let location = body
        .location
        .map(|p| p.to_domain("/location"))
        .transpose()
        .map_err(|e| ApiError::validation(vec![e]))?;
    let proof = CheckInProof {
        qr_token: body.qr_token,
        location,
        online: body.online,
        client_time: body.client_time.map(utc),
    };
    let ctx = write_context(state, user, req);
    let (c, outcome) = service::check_in(
        &ctx,
        state.check_in_writer.as_ref(),
        &user.member,
        &state.qr_key,
        id,
        proof,
    )
    .await?;
    let json = serde_json::to_string(&CheckInView::from(&c)).map_err(ApiError::internal)?;
    let status = match outcome {
        CheckInOutcome::Created => StatusCode::CREATED,
        CheckInOutcome::Existing => StatusCode::OK,
    };
    Ok((status, None, json))
}
