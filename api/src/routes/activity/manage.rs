//! Scheduling activities: create, list a month, read, change or cancel, the month's plan,
//! and the rotating QR code shown on the secretary's phone.

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::dto::{parse_month, ActivityKind, ActivityView, GeofenceDto, ProofKind, ThemeCategory};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Query, Validate};
use crate::http::time::beijing;
use crate::http::time::utc;
use crate::routes::service_context;
use crate::state::AppState;
use domain::activity::report;
use domain::activity::service::{self, ActivityChanges, NewActivity};
use domain::activity::ActivityId;
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
        &service_context(&state, &user, &req),
        OrgId::from_uuid(*id),
        new,
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/activities/{}", a.id)))
        .json(ActivityView::from(&a)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct MonthParams {
    /// `YYYY-MM`, a calendar month in Asia/Shanghai.
    #[param(pattern = "month", example = "2026-12")]
    pub month: String,
}

impl Validate for MonthParams {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        parse_month(&self.month).map(|_| ()).map_err(|e| vec![e])
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActivityList {
    /// The month's activities in start order (at most 1000).
    pub items: Vec<ActivityView>,
}

/// The activities starting in a month, in the org's subtree (a group's page shows its own
/// meetings and the branch-wide activities). Members of the branch and S, C, T covering it.
#[utoipa::path(
    tag = "activities",
    operation_id = "listActivities",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The org"), MonthParams),
    responses(
        (status = 200, description = "The month's activities", body = ActivityList),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_query_invalid or validation_failed (month_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/orgs/{id}/activities")]
pub async fn list_activities(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    query: Query<MonthParams>,
) -> Result<web::Json<ActivityList>, ApiError> {
    let month =
        parse_month(&query.into_inner().month).map_err(|e| ApiError::validation(vec![e]))?;
    let repos = state.db.repos();
    let list = service::list_activities(
        &repos,
        &repos,
        &user.actor,
        OrgId::from_uuid(*id),
        month.start(),
        month.end(),
    )
    .await?;
    Ok(web::Json(ActivityList {
        items: list.iter().map(ActivityView::from).collect(),
    }))
}

/// One activity. Members of its branch and S, C, T covering it.
#[utoipa::path(
    tag = "activities",
    operation_id = "getActivity",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The activity")),
    responses(
        (status = 200, description = "The activity", body = ActivityView),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such activity, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/activities/{id}")]
pub async fn get_activity(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<ActivityView>, ApiError> {
    let repos = state.db.repos();
    let a = service::get_activity(&repos, &user.actor, ActivityId::from_uuid(*id)).await?;
    Ok(web::Json(ActivityView::from(&a)))
}

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
                "geofence_conflict",
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
        &service_context(&state, &user, &req),
        ActivityId::from_uuid(*id),
        changes,
    )
    .await?;
    Ok(web::Json(ActivityView::from(&a)))
}

/// One obligation's state for the period containing the month.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ObligationView {
    /// `theme_day`, `committee_meeting`, `group_meeting` (one per group),
    /// `general_assembly`, `party_lesson`, `secretary_lesson`.
    #[schema(example = "theme_day")]
    pub kind: String,
    /// `2026-12`, `2026-Q4` or `2026`.
    #[schema(example = "2026-12")]
    pub period: String,
    /// `met`, `due` or `overdue`.
    #[schema(example = "due")]
    pub state: String,
    pub group_id: Option<Uuid>,
    pub group_name: Option<String>,
}

impl From<&report::ObligationReport> for ObligationView {
    fn from(o: &report::ObligationReport) -> Self {
        Self {
            kind: o.kind.as_str().to_owned(),
            period: o.period.label(),
            state: o.state.as_str().to_owned(),
            group_id: o.group.as_ref().map(|g| g.id.as_uuid()),
            group_name: o.group.as_ref().map(|g| g.name.clone()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActivityPlanView {
    pub branch_id: Uuid,
    #[schema(example = "2026-12")]
    pub month: String,
    /// Suggested theme-day dates (rural: the 5th, moved off holidays inside the month;
    /// government and schools: Mondays and Saturdays; enterprises: their own choice).
    #[schema(value_type = Vec<String>, example = json!(["2026-12-05"]))]
    pub theme_day_dates: Vec<NaiveDate>,
    /// Which rule suggested them.
    #[schema(example = "rural_fifth")]
    pub theme_day_rule: String,
    pub obligations: Vec<ObligationView>,
}

/// The suggested theme-day dates and each 三会一课 obligation's state (met, due, overdue)
/// for the month. Members of the branch and S, C, T covering it.
#[utoipa::path(
    tag = "activities",
    operation_id = "getActivityPlan",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The branch"), MonthParams),
    responses(
        (status = 200, description = "The month's plan", body = ActivityPlanView),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_query_invalid, validation_failed (month_invalid) or activity_plan_needs_branch", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/orgs/{id}/activity-plan")]
pub async fn activity_plan(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    query: Query<MonthParams>,
) -> Result<web::Json<ActivityPlanView>, ApiError> {
    let month =
        parse_month(&query.into_inner().month).map_err(|e| ApiError::validation(vec![e]))?;
    let repos = state.db.repos();
    let plan = report::activity_plan(
        &repos,
        &user.actor,
        OrgId::from_uuid(*id),
        month,
        state.clock.now(),
    )
    .await?;
    Ok(web::Json(ActivityPlanView {
        branch_id: plan.branch.id.as_uuid(),
        month: plan.month.to_string(),
        theme_day_dates: plan.theme_day.dates.clone(),
        theme_day_rule: plan.theme_day.rule.to_owned(),
        obligations: plan.obligations.iter().map(ObligationView::from).collect(),
    }))
}

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
    let repos = state.db.repos();
    let t = service::qr_token(
        &repos,
        &user.actor,
        &state.qr_key,
        ActivityId::from_uuid(*id),
        state.clock.now(),
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
