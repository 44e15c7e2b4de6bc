//! Review on the phone: the secretary's inbox, pending check-ins, one-by-one and batch
//! decisions.

use actix_web::{get, post, web, HttpRequest};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::dto::{ActivityKind, CheckInView, ReviewDecision, ReviewRequest, ReviewStatus};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Query};
use crate::http::page::{page_request, ListEnvelope};
use crate::http::time::beijing;
use crate::routes::service_context;
use crate::state::AppState;
use domain::activity::service::{self, Decision};
use domain::activity::{report, ActivityId, CheckInId};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct CheckInListParams {
    /// Only check-ins in this state (e.g. `pending`).
    pub status: Option<ReviewStatus>,
    #[param(pattern = "^[A-Za-z0-9_-]*$")]
    pub cursor: Option<String>,
    /// 1-100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

/// An activity's check-ins (list envelope, in check-in order), for its reviewers: S, C*, T
/// covering its branch.
#[utoipa::path(
    tag = "check-ins",
    operation_id = "listCheckIns",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The activity"), CheckInListParams),
    responses(
        (status = 200, description = "A page of check-ins", body = ListEnvelope<CheckInView>),
        (status = 400, description = "pagination_cursor_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such activity, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_query_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/activities/{id}/check-ins")]
pub async fn list_check_ins(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    query: Query<CheckInListParams>,
) -> Result<web::Json<ListEnvelope<CheckInView>>, ApiError> {
    let q = query.into_inner();
    let page = page_request(q.cursor.as_deref(), q.limit)?;
    let repos = state.db.repos();
    let list = service::list_check_ins(
        &repos,
        &repos,
        &user.actor,
        ActivityId::from_uuid(*id),
        q.status.map(Into::into),
        &page,
    )
    .await?;
    Ok(web::Json(ListEnvelope::from_page(list, |c| {
        CheckInView::from(&c)
    })))
}

/// Approves or rejects one check-in (a rejection needs a reason). S, C*, T covering its
/// branch; audited.
#[utoipa::path(
    tag = "check-ins",
    operation_id = "reviewCheckIn",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The check-in")),
    request_body = ReviewRequest,
    responses(
        (status = 200, description = "The decided check-in", body = CheckInView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such check-in, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "check_in_not_pending", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (review_reason_required, review_reason_invalid)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/check-ins/{id}/review")]
pub async fn review_check_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<ReviewRequest>,
) -> Result<web::Json<CheckInView>, ApiError> {
    let c = service::review_check_in(
        &service_context(&state, &user, &req),
        CheckInId::from_uuid(*id),
        body.into_inner().into_domain(),
    )
    .await?;
    Ok(web::Json(CheckInView::from(&c)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BatchReviewRequest {
    /// 1-200 check-ins of this activity.
    #[schema(min_items = 1, max_items = 200)]
    pub ids: Vec<Uuid>,
    pub decision: ReviewDecision,
    /// Required to reject.
    #[serde(default)]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "printable",
        example = "未到现场"
    )]
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchReviewResult {
    /// The decided check-ins.
    pub items: Vec<CheckInView>,
}

/// Approves or rejects several check-ins of one activity, all or nothing: if any id is
/// unknown or outside the caller's scope (`check_in_not_found`), of another activity
/// (`check_in_not_in_activity`) or already decided (`check_in_not_pending`), nothing
/// changes and the 422 lists each such id by its pointer (`/ids/3`).
#[utoipa::path(
    tag = "check-ins",
    operation_id = "reviewCheckIns",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The activity")),
    request_body = BatchReviewRequest,
    responses(
        (status = 200, description = "Every check-in decided", body = BatchReviewResult),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such activity, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "check_in_not_pending (decided by someone else meanwhile)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed: the refused ids, or review_batch_size_invalid / review_reason_required", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/activities/{id}/check-ins/review")]
pub async fn review_check_ins(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<BatchReviewRequest>,
) -> Result<web::Json<BatchReviewResult>, ApiError> {
    let b = body.into_inner();
    let decided = service::review_check_ins(
        &service_context(&state, &user, &req),
        ActivityId::from_uuid(*id),
        b.ids.into_iter().map(CheckInId::from_uuid).collect(),
        Decision {
            decision: b.decision.into(),
            reason: b.reason,
        },
    )
    .await?;
    Ok(web::Json(BatchReviewResult {
        items: decided.iter().map(CheckInView::from).collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InboxItemView {
    pub activity_id: Uuid,
    pub branch_id: Uuid,
    pub kind: ActivityKind,
    pub title: String,
    pub starts_at: DateTime<FixedOffset>,
    pub pending_check_ins: u64,
    pub pending_exemptions: u64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InboxView {
    /// Activities with something pending, newest first.
    pub items: Vec<InboxItemView>,
    /// Pending exemptions for a date range rather than one activity.
    pub pending_range_exemptions: u64,
}

/// The reviewer's home screen: pending check-ins and exemptions per activity in scope,
/// newest first. For S, C*, T; a member who reviews nothing gets 403.
#[utoipa::path(
    tag = "check-ins",
    operation_id = "getInbox",
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "The inbox", body = InboxView),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/me/inbox")]
pub async fn inbox(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<InboxView>, ApiError> {
    let repos = state.db.repos();
    let inbox = report::inbox(&repos, &user.actor).await?;
    Ok(web::Json(InboxView {
        items: inbox
            .items
            .iter()
            .map(|i| InboxItemView {
                activity_id: i.activity.id.as_uuid(),
                branch_id: i.activity.branch_id.as_uuid(),
                kind: i.activity.kind.into(),
                title: i.activity.title.clone(),
                starts_at: beijing(i.activity.starts_at),
                pending_check_ins: i.pending.check_ins,
                pending_exemptions: i.pending.exemptions,
            })
            .collect(),
        pending_range_exemptions: inbox.pending_range_exemptions,
    }))
}

impl crate::extract::Validate for CheckInListParams {
    fn validate(&self) -> Result<(), Vec<domain::error::FieldError>> {
        Ok(())
    }
}

impl crate::extract::Validate for BatchReviewRequest {
    fn validate(&self) -> Result<(), Vec<domain::error::FieldError>> {
        Ok(())
    }
}
