//! The rotating QR code shown on the secretary's phone.

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::http::time::beijing;
use crate::routes::read_context;
use crate::state::AppState;
use domain::activity::service::{self};
use domain::activity::ActivityId;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QrTokenView {
    /// Show this as a QR code; members scan it and send it as `qrToken`.
    #[schema(example = "59372160.3f0c9a1b2c4d5e6f708192a3b4c5d6e7")]
    pub token: String,
    /// The 30-second slot it was issued in.
    pub slot: i64,
    /// Fetch a new one every 30 seconds; this one is accepted until then.
    pub expires_at: DateTime<FixedOffset>,
    pub rotates_every_seconds: i64,
}

/// The activity's current check-in QR code (rotates every 30 s; the previous one is still
/// accepted). S, C, T covering its branch.
#[utoipa::path(
    tag = "activities",
    operation_id = "getActivityQrToken",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The activity")),
    responses(
        (status = 200, description = "The current QR token", body = QrTokenView),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such activity, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "check_in_activity_cancelled or activity_qr_not_used", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/activities/{id}/qr-token")]
pub async fn qr_token(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let t = service::qr_token(
        &read_context(&state, &user),
        &state.qr_key,
        ActivityId::from_uuid(*id),
    )
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(QrTokenView {
            token: t.token,
            slot: t.slot,
            expires_at: beijing(t.expires_at),
            rotates_every_seconds: domain::activity::qr::QR_SLOT_SECS,
        }))
}
