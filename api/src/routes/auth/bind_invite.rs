//! Binding an unbound WeChat account to a roster member with an invite code, after sign-in
//! answered `binding_required`.

use actix_web::{post, web, HttpRequest};
use domain::error::ErrorCode;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{binding, ticket};
use crate::auth::session::TokenPair;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Validate};
use crate::http::invite::invite_key;
use crate::state::AppState;
use domain::error::FieldError;
use domain::org::MemberId;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BindInviteRequest {
    /// The ticket from sign-in (single use, five minutes).
    #[schema(min_length = 1, max_length = 128, pattern = "visible-ascii")]
    pub ticket: String,
    /// The code the member's secretary issued (single use; case and surrounding spaces do
    /// not matter).
    #[schema(min_length = 1, max_length = 32, example = "K7PX3M9Q")]
    pub invite_code: String,
}

impl std::fmt::Debug for BindInviteRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BindInviteRequest { .. }")
    }
}

impl Validate for BindInviteRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if !crate::http::schema::visible_ascii(&self.ticket, 128) {
            errors.push(FieldError::new(
                "/ticket",
                ErrorCode::WechatTicketInvalid,
                "ticket must be 1-128 visible ASCII characters",
            ));
        }
        if !(1..=32).contains(&self.invite_code.chars().count()) {
            errors.push(FieldError::new(
                "/inviteCode",
                ErrorCode::InviteCodeInvalid,
                "inviteCode must be 1-32 characters",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// Binds the WeChat account behind `ticket` to the member an invite code was issued for,
/// and signs them in.
#[utoipa::path(
    tag = "auth",
    operation_id = "wechatBindInvite",
    security(()),
    request_body = BindInviteRequest,
    responses(
        (status = 200, description = "Bound and signed in", body = TokenPair),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "wechat_ticket_invalid (unknown, expired or used) or invite_code_invalid (unknown, expired or used; the ticket is spent too)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "member_bound_elsewhere (ask the branch secretary to reset it) or account_bound_to_another_member", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited (with Retry-After and RateLimit)", body = Problem, content_type = "application/problem+json", headers(("Retry-After" = u64, description = "Seconds until another attempt may succeed"), ("RateLimit-Policy" = String, description = "The limit that was hit: name, quota (q) and window in seconds (w)"), ("RateLimit" = String, description = "Remaining quota (r) and seconds until it resets (t)"))),
        (status = 503, description = "database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/auth/wechat/bind-invite")]
pub async fn bind_invite(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<BindInviteRequest>,
) -> Result<web::Json<TokenPair>, ApiError> {
    let b = body.into_inner();
    binding::limit_attempts(&state, &req, &b.ticket).await?;
    // Spent before the invite code is looked at: a wrong code costs the ticket too.
    let ticket = ticket::take_ticket(&state, &b.ticket).await?;
    let member_id = invited_member(&state, &b.invite_code).await?;
    let tokens = binding::bind_and_sign_in(&state, &req, ticket, member_id).await?;
    Ok(web::Json(tokens))
}

/// The member an invite code was issued for, spending the code (401 when it is unknown,
/// expired or used).
async fn invited_member(state: &AppState, invite_code: &str) -> Result<MemberId, ApiError> {
    ticket::take(state, &invite_key(invite_code))
        .await?
        .and_then(|v| String::from_utf8(v).ok())
        .and_then(|v| uuid::Uuid::parse_str(&v).ok())
        .map(MemberId::from_uuid)
        .ok_or_else(|| {
            ApiError::new(ErrorCode::InviteCodeInvalid)
                .with_detail("ask your branch secretary for a new invite code")
        })
}
