//! A member applies for an exemption (请假).

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::http::idempotency;
use crate::routes::activity::dto::ExemptionView;
use crate::routes::write_context;
use crate::state::AppState;
use domain::activity::service::{self, NewExemption};
use domain::activity::ActivityId;

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
            &write_context(&state, &user, &req),
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

impl crate::extract::Validate for ApplyExemption {
    fn validate(&self) -> Result<(), Vec<domain::error::FieldError>> {
        Ok(())
    }
}
