//! Sign-in from the mini-program: `wx.login`'s code, exchanged with WeChat for the user's
//! openid. A known openid gets a session; an unknown one a short-lived, single-use binding
//! ticket to bind a roster member with.

use actix_web::{post, web, HttpRequest};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use domain::error::ErrorCode;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::auth::session::{self, TokenPair};
use crate::error::{ApiError, Problem, RETRY_AFTER_SECS};
use crate::extract::{Json, Validate};
use crate::http::throttle;
use crate::state::AppState;
use domain::auth::ExternalIdentityRepo;
use domain::error::FieldError;
use domain::org::{Member, MemberRepo};
use infra::wechat::WeChatError;

/// The provider name of WeChat mini-program accounts.
pub const PROVIDER: &str = domain::auth::WECHAT_PROVIDER;
/// How long a binding ticket may be used.
pub const TICKET_TTL_SECS: u64 = 300;

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
    /// Not bound yet: bind by phone or invite code with this ticket (single use).
    #[serde(rename_all = "camelCase")]
    BindingRequired {
        binding_ticket: String,
        /// Seconds the ticket stays valid.
        #[schema(example = 300)]
        expires_in: u64,
    },
}

/// The cache key of a binding ticket: its hash, so the cache never holds a usable ticket.
fn ticket_key(ticket: &str) -> String {
    let digest = Sha256::digest(ticket.as_bytes());
    format!("wxticket:{}", URL_SAFE_NO_PAD.encode(digest))
}

/// What a ticket stands for: the openid, and until when (by the injected clock, so expiry
/// does not hang on the cache's own TTL alone).
#[derive(Serialize, Deserialize)]
pub struct TicketValue {
    pub openid: String,
    expires_at: i64,
}

/// Issues a single-use binding ticket for `openid`.
async fn issue_ticket(state: &AppState, openid: &str) -> Result<String, ApiError> {
    let mut raw = [0u8; 32];
    getrandom::fill(&mut raw).map_err(|e| ApiError::internal(e.to_string()))?;
    let ticket = format!("wxt1.{}", URL_SAFE_NO_PAD.encode(raw));
    let value = TicketValue {
        openid: openid.to_owned(),
        expires_at: state.clock.now().timestamp() + TICKET_TTL_SECS as i64,
    };
    let bytes = serde_json::to_vec(&value).map_err(ApiError::internal)?;
    state
        .cache
        .set(
            &ticket_key(&ticket),
            &bytes,
            Some(std::time::Duration::from_secs(TICKET_TTL_SECS)),
        )
        .await?;
    Ok(ticket)
}

fn ticket_invalid() -> ApiError {
    ApiError::new(ErrorCode::WechatTicketInvalid)
        .with_detail("sign in with WeChat again for a new ticket")
}

fn live(state: &AppState, value: Option<Vec<u8>>) -> Option<TicketValue> {
    let t: TicketValue = serde_json::from_slice(&value?).ok()?;
    (state.clock.now().timestamp() < t.expires_at).then_some(t)
}

/// The openid a live ticket stands for, leaving the ticket usable (401 otherwise).
pub async fn peek_ticket(state: &AppState, ticket: &str) -> Result<String, ApiError> {
    let value = state.cache.get(&ticket_key(ticket)).await?;
    live(state, value)
        .map(|t| t.openid)
        .ok_or_else(ticket_invalid)
}

/// Spends a live ticket, if this call was the one that removed it (two racing calls
/// cannot both use it; 401 otherwise).
pub async fn take_ticket(state: &AppState, ticket: &str) -> Result<TicketValue, ApiError> {
    let value = take(state, &ticket_key(ticket)).await?;
    live(state, value).ok_or_else(ticket_invalid)
}

/// Puts a spent ticket back for the rest of its life, when what it was spent on failed
/// (the member may try again, or bind another way). Best effort: a cache failure here
/// only means signing in again.
pub async fn give_back(state: &AppState, ticket: &str, value: &TicketValue) {
    let left = value.expires_at - state.clock.now().timestamp();
    let Ok(secs) = u64::try_from(left) else {
        return;
    };
    if secs == 0 {
        return;
    }
    let Ok(bytes) = serde_json::to_vec(value) else {
        return;
    };
    let ttl = std::time::Duration::from_secs(secs.min(TICKET_TTL_SECS));
    if let Err(e) = state
        .cache
        .set(&ticket_key(ticket), &bytes, Some(ttl))
        .await
    {
        tracing::warn!(error = %e, "a binding ticket could not be given back");
    }
}

/// Takes a single-use secret out of the cache: its value, if this call was the one that
/// removed it.
pub async fn take(state: &AppState, key: &str) -> Result<Option<Vec<u8>>, ApiError> {
    let Some(value) = state.cache.get(key).await? else {
        return Ok(None);
    };
    Ok(state.cache.delete(key).await?.then_some(value))
}

/// The WeChat client, or 503 when no mini-program is configured.
pub fn configured(state: &AppState) -> Result<&infra::wechat::WeChatClient, ApiError> {
    state.wechat.as_deref().ok_or_else(|| {
        ApiError::new(ErrorCode::WechatNotConfigured)
            .with_detail("set wechat_app_id and wechat_app_secret to enable WeChat sign-in")
    })
}

pub fn wechat_error(e: WeChatError) -> ApiError {
    match e {
        WeChatError::InvalidCode => ApiError::new(ErrorCode::WechatCodeInvalid),
        WeChatError::CodeUsed => ApiError::new(ErrorCode::WechatCodeUsed),
        WeChatError::RateLimited => {
            ApiError::new(ErrorCode::WechatRateLimited).with_retry_after(RETRY_AFTER_SECS)
        }
        WeChatError::Busy => ApiError::new(ErrorCode::WechatBusy)
            .with_detail("please retry shortly")
            .with_retry_after(RETRY_AFTER_SECS),
        WeChatError::Cache(e) => e.into(),
        other => ApiError::new(ErrorCode::WechatUnavailable).with_cause(other),
    }
}

/// Signs a mini-program user in with `wx.login`'s code.
#[utoipa::path(
    tag = "auth",
    operation_id = "wechatLogin",
    security(()),
    request_body = WeChatLoginRequest,
    responses(
        (status = 200, description = "`signed_in` with a session, or `binding_required` with a ticket", body = WeChatLoginResult),
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
    let wechat = configured(&state)?;
    throttle::check_ip(&state, throttle::LOGIN_PER_IP, &req).await?;
    let user = wechat
        .code2session(&body.into_inner().code)
        .await
        .map_err(wechat_error)?;
    throttle::check(&state, throttle::LOGIN_PER_OPENID, &user.openid).await?;
    let repos = state.db.repos();
    if let Some(link) = repos.find(PROVIDER, &user.openid).await? {
        let member = MemberRepo::get(&repos, link.member_id)
            .await?
            .filter(Member::is_active)
            .ok_or(crate::auth::token::AuthError::MemberInactive)?;
        let tokens = session::start_session(&state, &member).await?;
        return Ok(web::Json(WeChatLoginResult::SignedIn { tokens }));
    }
    let ticket = issue_ticket(&state, &user.openid).await?;
    Ok(web::Json(WeChatLoginResult::BindingRequired {
        binding_ticket: ticket,
        expires_in: TICKET_TTL_SECS,
    }))
}
