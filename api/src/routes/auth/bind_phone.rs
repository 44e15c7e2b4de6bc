//! Binding an unbound WeChat account to the roster member whose phone WeChat vouches for,
//! after sign-in answered `binding_required`.

use actix_web::{post, web, HttpRequest};
use domain::auth::WeChatSignIn;
use domain::error::ErrorCode;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{binding, ticket, wechat};
use crate::auth::session::TokenPair;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Validate};
use crate::state::AppState;
use domain::error::FieldError;
use domain::org::{Member, MemberRepo};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BindPhoneRequest {
    /// The ticket from sign-in (single use, five minutes).
    #[schema(min_length = 1, max_length = 128, pattern = "visible-ascii")]
    pub ticket: String,
    /// The code from the mini-program's `getPhoneNumber` button (single use).
    #[schema(min_length = 1, max_length = 128, pattern = "visible-ascii")]
    pub phone_code: String,
}

impl std::fmt::Debug for BindPhoneRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BindPhoneRequest { .. }")
    }
}

impl Validate for BindPhoneRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if !crate::http::schema::visible_ascii(&self.ticket, 128) {
            errors.push(FieldError::new(
                "/ticket",
                ErrorCode::WechatTicketInvalid,
                "ticket must be 1-128 visible ASCII characters",
            ));
        }
        if !crate::http::schema::visible_ascii(&self.phone_code, 128) {
            errors.push(FieldError::new(
                "/phoneCode",
                ErrorCode::WechatPhoneCodeInvalid,
                "phoneCode must be 1-128 visible ASCII characters",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

fn not_on_roster() -> ApiError {
    ApiError::new(ErrorCode::WechatPhoneNotOnRoster)
    .with_detail(
        "no active member has this phone; ask your branch secretary to correct the roster or for an invite code",
    )
}

/// Binds the WeChat account behind `ticket` to the active roster member whose phone WeChat
/// vouches for, and signs them in. The ticket is spent only when the binding succeeds, so a
/// member whose phone is not on the roster can still bind with an invite code.
#[utoipa::path(
    tag = "auth",
    operation_id = "wechatBindPhone",
    security(()),
    request_body = BindPhoneRequest,
    responses(
        (status = 200, description = "Bound and signed in", body = TokenPair),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "wechat_ticket_invalid (unknown, expired or used), wechat_phone_code_invalid, or wechat_phone_wrong_app (the phone code was issued to another mini-program)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "wechat_phone_not_on_roster: no active member has this phone", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "member_bound_elsewhere (ask the branch secretary to reset it) or account_bound_to_another_member", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "wechat_rate_limited (with Retry-After) or rate_limited (with Retry-After and RateLimit)", body = Problem, content_type = "application/problem+json", headers(("Retry-After" = u64, description = "Seconds until another attempt may succeed"), ("RateLimit-Policy" = String, description = "The limit that was hit: name, quota (q) and window in seconds (w)"), ("RateLimit" = String, description = "Remaining quota (r) and seconds until it resets (t)"))),
        (status = 502, description = "wechat_unavailable: WeChat timed out or answered something unexpected", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "wechat_not_configured, wechat_busy (with Retry-After), database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/auth/wechat/bind-phone")]
pub async fn bind_phone(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<BindPhoneRequest>,
) -> Result<web::Json<TokenPair>, ApiError> {
    let b = body.into_inner();
    let sign_in = wechat::configured(&state)?;
    binding::limit_attempts(&state, &req, &b.ticket).await?;
    // Only looked at: the ticket is spent once a member is found, so a phone that is not
    // on the roster leaves it for an invite code.
    ticket::peek(&state, &b.ticket).await?;
    let member = roster_member(&state, sign_in, &b.phone_code).await?;
    let ticket = ticket::take_ticket(&state, &b.ticket).await?;
    let tokens = binding::bind_and_sign_in(&state, &req, ticket, member.id).await?;
    Ok(web::Json(tokens))
}

/// The active roster member whose phone WeChat vouches for behind `phone_code`.
async fn roster_member(
    state: &AppState,
    sign_in: &dyn WeChatSignIn,
    phone_code: &str,
) -> Result<Member, ApiError> {
    let phone = sign_in
        .phone_number(phone_code)
        .await
        .map_err(wechat::phone_failure)?;
    let number = phone.roster_number().ok_or_else(not_on_roster)?;
    MemberRepo::find_by_phone(&state.db.repos(), &number)
        .await?
        .filter(Member::is_active)
        .ok_or_else(not_on_roster)
}
