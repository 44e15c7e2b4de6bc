//! Changing or cancelling an activity.

use actix_web::{patch, web, HttpRequest};
use chrono::{DateTime, FixedOffset};
use domain::error::ErrorCode;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::{ActivityView, GeofenceDto, ProofKind, ThemeCategory};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Validate};
use crate::http::time::utc;
use crate::routes::write_context;
use crate::state::AppState;
use domain::activity::service::{self, ActivityChanges};
use domain::activity::ActivityId;
use domain::error::FieldError;
use domain::org::MemberId;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UpdateActivity {
    #[serde(default)]
    pub theme_category: Option<ThemeCategory>,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 64, pattern = "printable")]
    pub title: Option<String>,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 128, pattern = "printable")]
    pub place: Option<String>,
    #[serde(default)]
    pub lecturer_id: Option<Uuid>,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 32, pattern = "printable")]
    pub lecturer_name: Option<String>,
    /// Moving the activity moves the default check-in window with it.
    #[serde(default)]
    pub starts_at: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pub ends_at: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pub check_in_opens_at: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pub check_in_closes_at: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pub proof: Option<ProofKind>,
    #[serde(default)]
    pub geofence: Option<GeofenceDto>,
    /// `true` removes the geofence.
    #[serde(default)]
    pub remove_geofence: bool,
    #[serde(default)]
    pub online_allowed: Option<bool>,
    #[serde(default)]
    pub qr_auto_approve: Option<bool>,
    /// Cancels the activity, with this reason. A cancelled activity cannot be changed.
    #[serde(default)]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "printable",
        example = "台风预警,活动取消"
    )]
    pub cancel_reason: Option<String>,
}

impl Validate for UpdateActivity {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if let Some(Err(e)) = self.geofence.map(|g| g.to_domain("/geofence")) {
            errors.push(e);
        }
        if self.remove_geofence && self.geofence.is_some() {
            errors.push(FieldError::new(
                "/removeGeofence",
                ErrorCode::GeofenceConflict,
                "send either geofence or removeGeofence",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// Changes an activity, or cancels it with a reason. S, C, T covering its branch; audited.
#[utoipa::path(
    tag = "activities",
    operation_id = "updateActivity",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The activity")),
    request_body = UpdateActivity,
    responses(
        (status = 200, description = "The changed activity", body = ActivityView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such activity, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "activity_cancelled", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/api/v1/activities/{id}")]
pub async fn update_activity(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<UpdateActivity>,
) -> Result<web::Json<ActivityView>, ApiError> {
    let b = body.into_inner();
    let geofence = if b.remove_geofence {
        Some(None)
    } else {
        b.geofence
            .map(|g| g.to_domain("/geofence").map(Some))
            .transpose()
            .map_err(|e| ApiError::validation(vec![e]))?
    };
    let changes = ActivityChanges {
        theme_category: b.theme_category.map(Into::into),
        title: b.title,
        place: b.place,
        lecturer_id: b.lecturer_id.map(MemberId::from_uuid),
        lecturer_name: b.lecturer_name,
        starts_at: b.starts_at.map(utc),
        ends_at: b.ends_at.map(utc),
        window_opens_at: b.check_in_opens_at.map(utc),
        window_closes_at: b.check_in_closes_at.map(utc),
        proof: b.proof.map(Into::into),
        geofence,
        online_allowed: b.online_allowed,
        qr_auto_approve: b.qr_auto_approve,
        cancel_reason: b.cancel_reason,
    };
    let a = service::update_activity(
        &write_context(&state, &user, &req),
        ActivityId::from_uuid(*id),
        changes,
    )
    .await?;
    Ok(web::Json(ActivityView::from(&a)))
}
