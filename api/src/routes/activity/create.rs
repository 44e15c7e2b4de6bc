//! Scheduling an activity in a branch (S, C, T covering it).

use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::{ActivityKind, ActivityView, GeofenceDto, ProofKind, ThemeCategory};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Validate};
use crate::http::time::utc;
use crate::routes::write_context;
use crate::state::AppState;
use domain::activity::service::{self, NewActivity};
use domain::error::FieldError;
use domain::org::{MemberId, OrgId};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CreateActivity {
    pub kind: ActivityKind,
    /// Required for a theme day.
    #[serde(default)]
    pub theme_category: Option<ThemeCategory>,
    #[schema(
        min_length = 1,
        max_length = 64,
        pattern = "printable",
        example = "重温入党誓词"
    )]
    pub title: String,
    #[serde(default)]
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = "printable",
        example = "虞北村文化礼堂"
    )]
    pub place: Option<String>,
    /// A party lesson's lecturer, when a member.
    #[serde(default)]
    pub lecturer_id: Option<Uuid>,
    /// A party lesson's lecturer as shown (defaults to the member's name).
    #[serde(default)]
    #[schema(min_length = 1, max_length = 32, pattern = "printable")]
    pub lecturer_name: Option<String>,
    /// RFC 3339 with an offset, e.g. `2026-12-05T09:00:00+08:00`.
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    /// Default: 30 minutes before the start.
    #[serde(default)]
    pub check_in_opens_at: Option<DateTime<FixedOffset>>,
    /// Default: the end.
    #[serde(default)]
    pub check_in_closes_at: Option<DateTime<FixedOffset>>,
    /// Default: `either`.
    #[serde(default)]
    pub proof: Option<ProofKind>,
    #[serde(default)]
    pub geofence: Option<GeofenceDto>,
    /// Retired, frail and mobile members may attend online (always reviewed).
    #[serde(default)]
    pub online_allowed: bool,
    /// A fresh QR code approves the check-in at once.
    #[serde(default)]
    pub qr_auto_approve: bool,
}

impl Validate for CreateActivity {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        match self.geofence.map(|g| g.to_domain("/geofence")) {
            Some(Err(e)) => Err(vec![e]),
            _ => Ok(()),
        }
    }
}

/// Schedules an activity on a branch (a group meeting on a group). Secretaries, committee
/// members and township admins covering it.
#[utoipa::path(
    tag = "activities",
    operation_id = "createActivity",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The branch, or the group for a group meeting")),
    request_body = CreateActivity,
    responses(
        (status = 201, description = "Scheduled", body = ActivityView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (activity_org_mismatch, activity_time_invalid, check_in_window_invalid, theme_category_required, geofence_required, lecturer_*)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/orgs/{id}/activities")]
pub async fn create_activity(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<CreateActivity>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let geofence = b
        .geofence
        .map(|g| g.to_domain("/geofence"))
        .transpose()
        .map_err(|e| ApiError::validation(vec![e]))?;
    let new = NewActivity {
        kind: b.kind.into(),
        theme_category: b.theme_category.map(Into::into),
        title: b.title,
        place: b.place,
        lecturer_id: b.lecturer_id.map(MemberId::from_uuid),
        lecturer_name: b.lecturer_name,
        starts_at: utc(b.starts_at),
        ends_at: utc(b.ends_at),
        window_opens_at: b.check_in_opens_at.map(utc),
        window_closes_at: b.check_in_closes_at.map(utc),
        proof: b
            .proof
            .map(Into::into)
            .unwrap_or(domain::activity::ProofKind::Either),
        geofence,
        online_allowed: b.online_allowed,
        qr_auto_approve: b.qr_auto_approve,
    };
    let a = service::create_activity(
        &write_context(&state, &user, &req),
        OrgId::from_uuid(*id),
        new,
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/activities/{}", a.id)))
        .json(ActivityView::from(&a)))
}
