//! Exemptions (请假): a member applies, the branch decides.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::dto::{ExemptionView, ReviewRequest, ReviewStatus};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Query};
use crate::http::idempotency;
use crate::http::page::{page_request, ListEnvelope};
use crate::routes::service_context;
use crate::state::AppState;
use domain::activity::service::{self, NewExemption};
use domain::activity::{ActivityId, ExemptionId};
use domain::org::OrgId;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ApplyExemption {
    /// One activity; or else give `fromDate` and `toDate`.
    #[serde(default)]
    pub activity_id: Option<Uuid>,
    /// First day (Asia/Shanghai) of a range, e.g. a long illness; every activity starting
    /// in it is covered.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date, example = "2026-12-01")]
    pub from_date: Option<NaiveDate>,
    /// Last day of the range (inclusive; at most 366 days).
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date, example = "2027-02-28")]
    pub to_date: Option<NaiveDate>,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "printable",
        example = "住院治疗"
    )]
    pub reason: String,
}

/// Applies for an exemption from one activity or a date range, for the caller themself.
#[utoipa::path(
    tag = "exemptions",
    operation_id = "applyExemption",
    security(("bearerAuth" = [])),
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "1-128 visible ASCII characters; a retry with the same key and body gets the first response (kept 24 h)"),
    ),
    request_body = ApplyExemption,
    responses(
        (status = 201, description = "Applied; pending review", body = ExemptionView),
        (status = 400, description = "request_json_malformed or idempotency_key_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such activity, or not the caller's branch's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "exemption_exists or idempotency_request_in_flight", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "check_in_activity_cancelled, check_in_not_expected, request_json_invalid or validation_failed (exemption_scope_invalid, exemption_range_invalid, exemption_reason_invalid), idempotency_key_reused", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/exemptions")]
pub async fn apply_exemption(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<ApplyExemption>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    idempotency::run(&state, &req, user.member.id, &b, async {
        let e = service::apply_exemption(
            &service_context(&state, &user, &req),
            &user.member,
            NewExemption {
                activity_id: b.activity_id.map(ActivityId::from_uuid),
                from: b.from_date,
                to: b.to_date,
                reason: b.reason.clone(),
            },
        )
        .await?;
        let json = serde_json::to_string(&ExemptionView::from(&e)).map_err(ApiError::internal)?;
        Ok((StatusCode::CREATED, None, json))
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ExemptionListParams {
    /// Only exemptions in this state (e.g. `pending`).
    pub status: Option<ReviewStatus>,
    #[param(pattern = "^[A-Za-z0-9_-]*$")]
    pub cursor: Option<String>,
    /// 1-100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

/// Exemptions of the members under an org, newest first. S, C*, T covering it.
#[utoipa::path(
    tag = "exemptions",
    operation_id = "listExemptions",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The org"), ExemptionListParams),
    responses(
        (status = 200, description = "A page of exemptions", body = ListEnvelope<ExemptionView>),
        (status = 400, description = "pagination_cursor_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such org, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_query_invalid or exemptions_listed_per_branch", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/orgs/{id}/exemptions")]
pub async fn list_exemptions(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    query: Query<ExemptionListParams>,
) -> Result<web::Json<ListEnvelope<ExemptionView>>, ApiError> {
    let q = query.into_inner();
    let page = page_request(q.cursor.as_deref(), q.limit)?;
    let repos = state.db.repos();
    let list = service::list_exemptions(
        &repos,
        &repos,
        &user.actor,
        OrgId::from_uuid(*id),
        q.status.map(Into::into),
        &page,
    )
    .await?;
    Ok(web::Json(ListEnvelope::from_page(list, |e| {
        ExemptionView::from(&e)
    })))
}

/// Approves or rejects an exemption (a rejection needs a reason). Approved, the member is
/// excused from what it covers and cannot check in to it. S, C*, T; audited.
#[utoipa::path(
    tag = "exemptions",
    operation_id = "reviewExemption",
    security(("bearerAuth" = [])),
    params(("id" = Uuid, Path, description = "The exemption")),
    request_body = ReviewRequest,
    responses(
        (status = 200, description = "The decided exemption", body = ExemptionView),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such exemption, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "exemption_not_pending", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (review_reason_required)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/exemptions/{id}/review")]
pub async fn review_exemption(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<ReviewRequest>,
) -> Result<web::Json<ExemptionView>, ApiError> {
    let e = service::review_exemption(
        &service_context(&state, &user, &req),
        ExemptionId::from_uuid(*id),
        body.into_inner().into_domain(),
    )
    .await?;
    Ok(web::Json(ExemptionView::from(&e)))
}

impl crate::extract::Validate for ApplyExemption {
    fn validate(&self) -> Result<(), Vec<domain::error::FieldError>> {
        Ok(())
    }
}

impl crate::extract::Validate for ExemptionListParams {
    fn validate(&self) -> Result<(), Vec<domain::error::FieldError>> {
        Ok(())
    }
}
