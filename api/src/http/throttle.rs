//! Rate limits on sign-in and binding: sliding windows counted in the shared cache, so every
//! instance sees the same counts. Each attempt is counted against its subject (openid,
//! ticket or member) and, separately, against the client address; carrier NAT puts whole
//! villages behind one address, so the per-address limits are the looser ones.
//!
//! The sliding window (Cloudflare's "sliding window counter") weighs the previous fixed
//! window's count by how much of it still lies within one window of now: a burst at the end
//! of one window is still counted at the start of the next, so there is no double burst at
//! window edges, with two counters per subject and no per-attempt log. No maintained crate
//! fits both cache backends (governor keeps its state in process memory), so it is built on
//! the cache port's atomic increment.
//!
//! A refusal is 429 `rate_limited` with `Retry-After` and the `RateLimit-Policy` /
//! `RateLimit` headers of the IETF draft. If the cache is unreachable the limiter lets the
//! attempt through and logs it (fail open, architecture.md).

use actix_web::HttpRequest;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use domain::error::ErrorCode;
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
    let now = state.clock.now().timestamp_millis().max(0) as u64;
    let window_ms = limit.window_secs * 1000;
    let window = now / window_ms;
    let elapsed_ms = now % window_ms;
    // Subjects are openids, tickets and addresses: only their hash reaches the cache.
    let digest = Sha256::digest(subject.as_bytes());
    let key = |w: u64| {
        format!(
            "rl2:{}:{}:{w}",
            limit.name,
            URL_SAFE_NO_PAD.encode(&digest[..16])
        )
    };
    // Each counter must outlive the window after its own, where it is the previous one.
    let keep = std::time::Duration::from_secs(2 * limit.window_secs);
    let counted = async {
        let current = state.cache.increment(&key(window), keep).await?;
        let previous = match window.checked_sub(1) {
            Some(w) => state
                .cache
                .get(&key(w))
                .await?
                .and_then(|v| String::from_utf8(v).ok())
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or(0),
            None => 0,
        };
        Ok::<_, domain::cache::CacheError>((current, previous))
    };
    let (current, previous) = match counted.await {
        Ok(counts) => counts,
        Err(e) => {
            tracing::warn!(error = %e, limit = limit.name, "rate limiter unavailable; letting the attempt through");
            return Ok(());
        }
    };
    let sliding = SlidingWindow {
        max: u64::from(limit.max),
        window_ms,
        elapsed_ms,
        previous: u64::try_from(previous).unwrap_or(0),
        current: u64::try_from(current).unwrap_or(0),
    };
    let Some(retry_ms) = sliding.refusal() else {
        return Ok(());
    };
    let reset = retry_ms.div_ceil(1000).max(1);
    Err(ApiError::new(ErrorCode::RateLimited)
        .with_detail(format!("too many attempts; try again in {reset} s"))
        .with_retry_after(reset)
        .with_header(
            "ratelimit-policy",
            format!("\"{}\";q={};w={}", limit.name, limit.max, limit.window_secs),
        )
        .with_header("ratelimit", format!("\"{}\";r=0;t={reset}", limit.name)))
}

/// The counts of a sliding window at one instant.
#[derive(Debug, Clone, Copy)]
struct SlidingWindow {
    max: u64,
    window_ms: u64,
    /// How far into the current fixed window we are.
    elapsed_ms: u64,
    /// Attempts in the previous fixed window.
    previous: u64,
    /// Attempts in the current fixed window, this one included.
    current: u64,
}

impl SlidingWindow {
    /// Whether `current` attempts in this window (elapsed `elapsed` ms into it) and
    /// `previous` in the one before stay within `max`: the previous window's count weighs
    /// by the share of it still inside the sliding window. In integers (scaled by the
    /// window length), so the same counts always give the same answer.
    fn within(&self, previous: u64, current: u64, elapsed: u64) -> bool {
        let w = u128::from(self.window_ms);
        let still_in = w - u128::from(elapsed.min(self.window_ms));
        u128::from(previous) * still_in + u128::from(current) * w <= u128::from(self.max) * w
    }

    /// `None` if the attempt is allowed, else how long (ms) until one more would be.
    fn refusal(&self) -> Option<u64> {
        if self.within(self.previous, self.current, self.elapsed_ms) {
            return None;
        }
        let w = u128::from(self.window_ms);
        let ceil_div = |a: u128, b: u128| a.div_ceil(b.max(1));
        // The next attempt counts as one more, in whichever window it falls. Later in this
        // window, once enough of the previous window's weight has faded...
        let next = self.current + 1;
        if next <= self.max && self.previous > 0 {
            let needed = u128::from(self.previous + next - self.max);
            let at = u64::try_from(ceil_div(w * needed, u128::from(self.previous))).ok()?;
            if at < self.window_ms {
                return Some(at.saturating_sub(self.elapsed_ms).max(1));
            }
        }
        // ...or in the next window, where this window's count is the previous one.
        let left = self.window_ms - self.elapsed_ms;
        let at = if self.current < self.max {
            0
        } else {
            let needed = u128::from(self.current + 1 - self.max);
            u64::try_from(ceil_div(w * needed, u128::from(self.current))).ok()?
        };
        Some(left + at.min(self.window_ms))
    }
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
    use super::{bucket, SlidingWindow};

    fn window(previous: u64, current: u64, elapsed_ms: u64) -> SlidingWindow {
        SlidingWindow {
            max: 5,
            window_ms: 300_000,
            elapsed_ms,
            previous,
            current,
        }
    }

    #[test]
    fn a_burst_at_the_end_of_one_window_still_counts_at_the_start_of_the_next() {
        // Five at the end of the previous window, one now: refused (fixed windows would
        // have allowed five more at once).
        assert!(window(5, 1, 2_000).refusal().is_some());
        // Half a window later, half the previous burst has faded: 2.5 + 2 fit, 2.5 + 3 not.
        assert!(window(5, 2, 150_000).refusal().is_none());
        assert!(window(5, 3, 150_000).refusal().is_some());
        // With nothing before, the window's own limit holds.
        assert!(window(0, 5, 1_000).refusal().is_none());
        assert!(window(0, 6, 1_000).refusal().is_some());
    }

    #[test]
    fn the_advised_wait_is_enough_and_not_much_more() {
        for (previous, current, elapsed) in
            [(5, 1, 2_000), (5, 4, 150_000), (0, 6, 1_000), (9, 9, 10)]
        {
            let w = window(previous, current, elapsed);
            let wait = w.refusal().unwrap_or(0);
            // Replay the clock forward by the advised wait: one more attempt then fits.
            let at = elapsed + wait;
            let (prev, cur, el) = if at < w.window_ms {
                (previous, current, at)
            } else {
                (current, 0, at - w.window_ms)
            };
            assert!(
                w.within(prev, cur + 1, el),
                "{previous},{current},{elapsed}: wait {wait}"
            );
            // A second earlier it would not have fitted yet.
            let earlier = at.saturating_sub(1_000);
            let (prev, cur, el) = if earlier < w.window_ms {
                (previous, current, earlier)
            } else {
                (current, 0, earlier - w.window_ms)
            };
            assert!(
                !w.within(prev, cur + 1, el),
                "{previous},{current},{elapsed}: wait {wait} is too long"
            );
        }
    }

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
