//! Recording a deduction against a member.

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::PioneerDeductionView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Validate};
use crate::http::idempotency;
use crate::routes::pioneer::dto::parse_half;
use crate::routes::write_context;
use crate::state::AppState;
use domain::error::FieldError;
use domain::org::MemberId;
use domain::pioneer::service::{self, NewDeduction};

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RecordPioneerDeduction {
    /// The half year it counts in: the current one (Beijing) when left out, or the one
    /// before while its index has not been computed.
    #[serde(default)]
    #[schema(pattern = "half-year", example = "2026-H2")]
    pub half: Option<String>,
    /// A negative item (or, for township admins, a zeroing item) of the member's profile
    /// under the rules in force for the half year.
    #[schema(pattern = "^[a-z0-9_]{1,32}$", example = "dues_late")]
    pub item_code: String,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "printable",
        example = "连续三个月未按时交纳党费"
    )]
    pub reason: String,
}

impl Validate for RecordPioneerDeduction {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        match &self.half {
            Some(h) => parse_half(h, "/half").map(|_| ()).map_err(|e| vec![e]),
            None => Ok(()),
        }
    }
}

/// Records a deduction against a member, with a reason: a negative item (扣分项) by a
/// secretary or branch committee member covering the member's branch, or a township admin
/// covering it; a zeroing item (一票否决) by a township admin only. The member sees it and
/// may object once. Refused once the half year is computed. Audited.
#[utoipa::path(
    tag = "pioneer",
    operation_id = "recordPioneerDeduction",
    security(("bearerAuth" = [])),
    params(
        ("id" = Uuid, Path, description = "The member"),
        ("Idempotency-Key" = Option<String>, Header, description = "1-128 visible ASCII characters; a retry with the same key and body gets the first response (kept 24 h)"),
    ),
    request_body = RecordPioneerDeduction,
    responses(
        (status = 201, description = "Recorded", body = PioneerDeductionView),
        (status = 400, description = "request_json_malformed or idempotency_key_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied, or pioneer_zeroing_by_township: a zeroing item recorded by anyone but a township admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member, or outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "pioneer_half_closed (the half year's index was computed), idempotency_request_in_flight", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (pioneer_half_invalid, pioneer_deduction_reason_invalid), pioneer_half_not_open, pioneer_member_excluded, pioneer_item_not_applicable, idempotency_key_reused", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/members/{id}/pioneer-deductions")]
pub async fn record_pioneer_deduction(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Json<RecordPioneerDeduction>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let member = MemberId::from_uuid(*id);
    // The key is the caller's on this path, so it is the member's too.
    idempotency::run(&state, &req, user.member.id, &b, async {
        let half = b
            .half
            .as_deref()
            .map(|h| parse_half(h, "/half"))
            .transpose()
            .map_err(|e| ApiError::validation(vec![e]))?;
        let d = service::record_deduction(
            &write_context(&state, &user, &req),
            member,
            NewDeduction {
                half,
                item_code: b.item_code.clone(),
                reason: b.reason.clone(),
            },
        )
        .await?;
        let json =
            serde_json::to_string(&PioneerDeductionView::from(&d)).map_err(ApiError::internal)?;
        Ok((StatusCode::CREATED, None, json))
    })
    .await
}
