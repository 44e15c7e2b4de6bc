//! Sign-in from the mini-program: `wx.login`'s code, exchanged with WeChat for the user's
//! openid. A member's openid gets the member's session, a resident's the resident's
//! session (recording the sign-in, which WeChat's content check needs); an unknown one a
//! short-lived, single-use ticket to bind a roster member with or to sign in as a resident.

use actix_web::{post, web, HttpRequest};
use domain::error::ErrorCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ticket::{self, TICKET_TTL_SECS};
use super::wechat;
use crate::auth::session::{self, TokenPair};
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Validate};
use crate::http::throttle;
use crate::state::AppState;
use domain::auth::{ExternalIdentityRepo, WECHAT_PROVIDER};
use domain::error::FieldError;
use domain::org::{Member, MemberRepo};
use domain::volunteer::ResidentRepo;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WeChatLoginRequest {
    /// The code from `wx.login()` (valid once, for five minutes).
    #[schema(min_length = 1, max_length = 128, pattern = "visible-ascii")]
    pub code: String,
}

impl std::fmt::Debug for WeChatLoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WeChatLoginRequest { .. }")
    }
}

impl Validate for WeChatLoginRequest {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        if crate::http::schema::visible_ascii(&self.code, 128) {
            Ok(())
        } else {
            Err(vec![FieldError::new(
                "/code",
                ErrorCode::WechatCodeInvalid,
                "code must be 1-128 visible ASCII characters",
            )])
        }
    }
}

/// Either a session, or a ticket to bind a roster member with first.
#[derive(Serialize, ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum WeChatLoginResult {
    /// The WeChat account is bound to an active member: here is their session.
    SignedIn { tokens: TokenPair },
    /// The WeChat account is a resident's (群众, not on the roster): here is their session.
    /// The ticket still lets them bind a roster member instead (someone since added to
    /// the roster), by phone or invite code (single use).
    #[serde(rename_all = "camelCase")]
    ResidentSignedIn {
        tokens: TokenPair,
        binding_ticket: String,
        /// Seconds the ticket stays valid.
        #[schema(example = 300)]
        expires_in: u64,
    },
    /// Not bound yet: bind by phone or invite code with this ticket (single use), or sign
    /// in as a resident with it (`/api/v1/auth/wechat/resident`).
    #[serde(rename_all = "camelCase")]
    BindingRequired {
        binding_ticket: String,
        /// Seconds the ticket stays valid.
        #[schema(example = 300)]
        expires_in: u64,
    },
}

/// Signs a mini-program user in with `wx.login`'s code.
#[utoipa::path(
    tag = "auth",
    operation_id = "wechatLogin",
    security(()),
    request_body = WeChatLoginRequest,
    responses(
        (status = 200, description = "`signed_in` with a member's session, `resident_signed_in` with a resident's session (and a ticket to bind a member instead), or `binding_required` with a ticket", body = WeChatLoginResult),
        (status = 400, description = "request_json_malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "wechat_code_invalid, wechat_code_used or auth_member_inactive", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "request_unsupported_media_type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "request_json_invalid or validation_failed", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "wechat_rate_limited (with Retry-After) or rate_limited (with Retry-After and RateLimit)", body = Problem, content_type = "application/problem+json", headers(("Retry-After" = u64, description = "Seconds until another attempt may succeed"), ("RateLimit-Policy" = String, description = "The limit that was hit: name, quota (q) and window in seconds (w)"), ("RateLimit" = String, description = "Remaining quota (r) and seconds until it resets (t)"))),
        (status = 502, description = "wechat_unavailable: WeChat timed out or answered something unexpected", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "wechat_not_configured, wechat_busy (with Retry-After), database_unavailable or cache_unavailable", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Unexpected error", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/auth/wechat/login")]
pub async fn wechat_login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<WeChatLoginRequest>,
) -> Result<web::Json<WeChatLoginResult>, ApiError> {
    let sign_in = wechat::configured(&state)?;
    throttle::check_ip(&state, throttle::LOGIN_PER_IP, &req).await?;
    let user = sign_in
        .code_to_session(&body.into_inner().code)
        .await
        .map_err(wechat::login_failure)?;
    throttle::check(&state, throttle::LOGIN_PER_OPENID, &user.openid).await?;
    let result = match bound_member(&state, &user.openid).await? {
        Some(member) => WeChatLoginResult::SignedIn {
            tokens: session::start_session(&state, &member).await?,
        },
        // A resident's sign-in is what lets WeChat check their text for two hours.
        None => {
            match ResidentRepo::touch(&state.db.repos(), &user.openid, state.clock.now()).await? {
                Some(resident) => WeChatLoginResult::ResidentSignedIn {
                    tokens: session::start_resident_session(&state, &resident).await?,
                    binding_ticket: ticket::issue(&state, &user.openid).await?,
                    expires_in: TICKET_TTL_SECS,
                },
                None => WeChatLoginResult::BindingRequired {
                    binding_ticket: ticket::issue(&state, &user.openid).await?,
                    expires_in: TICKET_TTL_SECS,
                },
            }
        }
    };
    Ok(web::Json(result))
}

/// The member the WeChat account `openid` is bound to, if any (401 when that member is no
/// longer active).
async fn bound_member(state: &AppState, openid: &str) -> Result<Option<Member>, ApiError> {
    let repos = state.db.repos();
    let Some(link) = repos.find(WECHAT_PROVIDER, openid).await? else {
        return Ok(None);
    };
    let member = MemberRepo::get(&repos, link.member_id)
        .await?
        .filter(Member::is_active)
        .ok_or(crate::auth::token::AuthError::MemberInactive)?;
    Ok(Some(member))
}
