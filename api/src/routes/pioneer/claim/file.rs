//! A member claims a positive item.

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dto::{EvidenceLink, PioneerClaimView};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Validate};
use crate::http::idempotency;
use crate::routes::pioneer::dto::parse_half;
use crate::routes::write_context;
use crate::state::AppState;
use domain::error::FieldError;
use domain::pioneer::{service, NewClaim};

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FilePioneerClaim {
    /// The half year claimed for: the current one (Beijing) when left out, or the one
    /// before while its index has not been computed.
    #[serde(default)]
    #[schema(pattern = "half-year", example = "2026-H2")]
    pub half: Option<String>,
    /// A positive item of the caller's profile under the rules in force for the half year
    /// (`GET /api/v1/orgs/{committeeId}/pioneer-rules`).
    #[schema(pattern = "^[a-z0-9_]{1,32}$", example = "pledge")]
    pub item_code: String,
    /// What the caller did; line breaks allowed.
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = "lines",
        example = "带头承诺为村里修通机耕路，已完成"
    )]
    pub description: String,
    /// Evidence links, at most 5.
    #[serde(default)]
    #[schema(max_items = 5)]
    pub evidence: Vec<EvidenceLink>,
}

impl Validate for FilePioneerClaim {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        match &self.half {
            Some(h) => parse_half(h, "/half").map(|_| ()).map_err(|e| vec![e]),
            None => Ok(()),
        }
    }
}

/// Claims a positive item (加分项) of the caller's profile, with a description and evidence
/// links, for the current half year or the one before while it is not computed. Pending
/// until the caller's branch secretary (or a committee member granted review) decides it.
/// Audited.
#[utoipa::path(
    tag = "pioneer",
    operation_id = "filePioneerClaim",
    security(("bearerAuth" = [])),
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "1-128 visible ASCII characters; a retry with the same key and body gets the first response (kept 24 h)"),
    ),
    request_body = FilePioneerClaim,
    responses(
        (status = 201, description = "Filed; pending", body = PioneerClaimView),
        (status = 400, description = "request_json_malformed or idempotency_key_invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "auth_token_*", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "pioneer_half_closed (the half year's index was computed), idempotency_request_in_flight", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed (pioneer_half_invalid, pioneer_claim_text_invalid, pioneer_evidence_invalid), pioneer_half_not_open, pioneer_member_excluded, pioneer_item_not_applicable, idempotency_key_reused", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/pioneer-claims")]
pub async fn file_pioneer_claim(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<FilePioneerClaim>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    idempotency::run(&state, &req, user.member.id, &b, async {
        let half = b
            .half
            .as_deref()
            .map(|h| parse_half(h, "/half"))
            .transpose()
            .map_err(|e| ApiError::validation(vec![e]))?;
        let c = service::file_claim(
            &write_context(&state, &user, &req),
            &user.member,
            NewClaim {
                half,
                item_code: b.item_code.clone(),
                description: b.description.clone(),
                evidence: b.evidence.iter().map(|l| l.0.clone()).collect(),
            },
        )
        .await?;
        let view = PioneerClaimView::from(&c);
        let json = serde_json::to_string(&view).map_err(ApiError::internal)?;
        Ok((
            StatusCode::CREATED,
            Some(format!("/api/v1/pioneer-claims/{}", view.id)),
            json,
        ))
    })
    .await
}
