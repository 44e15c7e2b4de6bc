//! Rate limits on sign-in and binding: fixed windows counted in the shared cache, so every
//! instance sees the same counts. Each attempt is counted against its subject (openid,
//! ticket or member) and, separately, against the client address; carrier NAT puts whole
//! villages behind one address, so the per-address limits are the looser ones.
//!
//! A refusal is 429 `rate_limited` with `Retry-After` and the `RateLimit-Policy` /
//! `RateLimit` headers of the IETF draft. If the cache is unreachable the limiter lets the
//! attempt through and logs it (fail open, architecture.md).

use actix_web::http::StatusCode;
use actix_web::HttpRequest;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::http::client_ip::client_ip;
use crate::state::AppState;

/// One limit: at most `max` attempts per `window_secs`.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// Names the policy in headers and cache keys.
    pub name: &'static str,
    pub max: u32,
    pub window_secs: u64,
}

/// `wx.login` codes exchanged per openid.
pub const LOGIN_PER_OPENID: Limit = Limit {
    name: "wechat-login-openid",
    max: 10,
    window_secs: 60,
};
/// Sign-in attempts per client address.
pub const LOGIN_PER_IP: Limit = Limit {
    name: "wechat-login-ip",
    max: 60,
    window_secs: 60,
};
/// Binding attempts (phone or invite code) per ticket: a ticket lives five minutes.
pub const BIND_PER_TICKET: Limit = Limit {
    name: "wechat-bind-ticket",
    max: 5,
    window_secs: 300,
};
/// Binding attempts per client address (invite codes must not be guessable by retrying).
pub const BIND_PER_IP: Limit = Limit {
    name: "wechat-bind-ip",
    max: 30,
    window_secs: 300,
};
/// Invite codes issued per issuing member (a secretary onboarding a whole branch stays
/// well inside it; a stolen session cannot mint codes without end).
pub const INVITE_PER_MEMBER: Limit = Limit {
    name: "invite-code-member",
    max: 60,
    window_secs: 3600,
};
/// Invite codes issued per client address.
pub const INVITE_PER_IP: Limit = Limit {
    name: "invite-code-ip",
    max: 120,
    window_secs: 3600,
};

/// Counts one attempt by `subject` against `limit`; 429 once it is over.
pub async fn check(state: &AppState, limit: Limit, subject: &str) -> Result<(), ApiError> {
    let now = state.clock.now().timestamp().max(0) as u64;
    let window = now / limit.window_secs;
    let reset = (window + 1) * limit.window_secs - now;
    // Subjects are openids, tickets and addresses: only their hash reaches the cache.
    let digest = Sha256::digest(subject.as_bytes());
    let key = format!(
        "rl:{}:{}:{window}",
        limit.name,
        URL_SAFE_NO_PAD.encode(&digest[..16])
    );
    let count = match state
        .cache
        .increment(&key, std::time::Duration::from_secs(limit.window_secs))
        .await
    {
        Ok(count) => count,
        Err(e) => {
            tracing::warn!(error = %e, limit = limit.name, "rate limiter unavailable; letting the attempt through");
            return Ok(());
        }
    };
    if count <= i64::from(limit.max) {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        "尝试过于频繁，请稍后再试",
    )
    .with_detail(format!("too many attempts; try again in {reset} s"))
    .with_retry_after(reset)
    .with_header(
        "ratelimit-policy",
        format!("\"{}\";q={};w={}", limit.name, limit.max, limit.window_secs),
    )
    .with_header("ratelimit", format!("\"{}\";r=0;t={reset}", limit.name)))
}

/// Counts one attempt against `limit` by the client's address.
/// An IPv6 client is counted by its /64: one subscriber usually holds a whole /64.
pub async fn check_ip(state: &AppState, limit: Limit, req: &HttpRequest) -> Result<(), ApiError> {
    match client_ip(req, &state.trusted_proxies) {
        Some(ip) => check(state, limit, &bucket(ip)).await,
        None => Ok(()),
    }
}

fn bucket(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V4(v4) => v4.to_string(),
        std::net::IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & (u128::MAX << 64);
            format!("{}/64", std::net::Ipv6Addr::from(prefix))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::bucket;

    fn ip(s: &str) -> std::net::IpAddr {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn ipv6_clients_share_their_64_and_ipv4_clients_are_counted_alone() {
        let a = bucket(ip("2001:db8:1:2:aaaa::1"));
        let b = bucket(ip("2001:db8:1:2:ffff::9"));
        let c = bucket(ip("2001:db8:1:3::1"));
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a, "2001:db8:1:2::/64");
        assert_eq!(bucket(ip("203.0.113.9")), "203.0.113.9");
    }
}
