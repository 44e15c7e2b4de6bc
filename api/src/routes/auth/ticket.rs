//! Binding tickets: what sign-in hands an unbound WeChat account, so it can bind a roster
//! member (by phone or invite code) without signing in again. Single use, five minutes,
//! kept in the shared cache under their hash.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use domain::error::ErrorCode;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;

/// How long a binding ticket may be used.
pub const TICKET_TTL_SECS: u64 = 300;

/// The cache key of a binding ticket: its hash, so the cache never holds a usable ticket.
fn ticket_key(ticket: &str) -> String {
    let digest = Sha256::digest(ticket.as_bytes());
    format!("wxticket:{}", URL_SAFE_NO_PAD.encode(digest))
}

/// What a ticket stands for: the openid, and until when (by the injected clock, so expiry
/// does not hang on the cache's own TTL alone).
#[derive(Serialize, Deserialize)]
struct TicketValue {
    openid: String,
    expires_at: i64,
}

/// A ticket taken out of the cache to be spent: the openid it stands for, and what is
/// needed to give it back if spending it fails.
pub struct SpentTicket {
    raw: String,
    value: TicketValue,
}

impl SpentTicket {
    pub fn openid(&self) -> &str {
        &self.value.openid
    }

    /// When it was issued: when WeChat named the openid (`code2session`).
    pub fn issued_at(&self) -> chrono::DateTime<chrono::Utc> {
        let secs = self.value.expires_at - TICKET_TTL_SECS as i64;
        chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default()
    }
}

/// Issues a single-use binding ticket for `openid`.
pub async fn issue(state: &AppState, openid: &str) -> Result<String, ApiError> {
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
pub async fn peek(state: &AppState, ticket: &str) -> Result<String, ApiError> {
    let value = state.cache.get(&ticket_key(ticket)).await?;
    live(state, value)
        .map(|t| t.openid)
        .ok_or_else(ticket_invalid)
}

/// Spends a live ticket, if this call was the one that removed it (two racing calls
/// cannot both use it; 401 otherwise).
pub async fn take_ticket(state: &AppState, ticket: &str) -> Result<SpentTicket, ApiError> {
    let value = take(state, &ticket_key(ticket)).await?;
    live(state, value)
        .map(|value| SpentTicket {
            raw: ticket.to_owned(),
            value,
        })
        .ok_or_else(ticket_invalid)
}

/// Puts a spent ticket back for the rest of its life, when what it was spent on failed
/// (the member may try again, or bind another way). Best effort: a cache failure here
/// only means signing in again.
pub async fn give_back(state: &AppState, ticket: &SpentTicket) {
    let left = ticket.value.expires_at - state.clock.now().timestamp();
    let Ok(secs) = u64::try_from(left) else {
        return;
    };
    if secs == 0 {
        return;
    }
    let Ok(bytes) = serde_json::to_vec(&ticket.value) else {
        return;
    };
    let ttl = std::time::Duration::from_secs(secs.min(TICKET_TTL_SECS));
    if let Err(e) = state
        .cache
        .set(&ticket_key(&ticket.raw), &bytes, Some(ttl))
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
