//! The mini-program's access token (`cgi-bin/stable_token`), shared by every instance.
//!
//! - The token lives in the cache until shortly before WeChat says it expires.
//! - One refresher at a time across instances: whoever takes the lock (a key written only if
//!   absent, expiring on its own if its holder dies) calls WeChat; the others poll the cache
//!   for the value it writes, and take the lock themselves if it goes away without one.
//! - When a call reports the token invalid or expired (40001, 42001), [`WeChatClient::with_token`]
//!   asks for a replacement: under the lock, and only if nobody has replaced it meanwhile, a
//!   `force_refresh` fetch (WeChat allows about 20 a day, 30 s apart; within 30 s of the last
//!   one an ordinary fetch is made instead), then retries the call once.

use std::time::Duration;

use serde::Deserialize;
use serde_json::json;

use super::{WeChatClient, WeChatError};
use secrecy::ExposeSecret;

/// How long before WeChat's expiry the cached token is dropped.
const EXPIRY_MARGIN_SECS: u64 = 300;
/// The shortest time a fetched token is cached.
const MIN_CACHE_SECS: u64 = 30;
/// How far apart forced refreshes are kept.
const FORCED_REFRESH_SPACING: Duration = Duration::from_secs(30);
/// How many forced refreshes a day we allow ourselves (WeChat allows about 20).
const FORCED_REFRESHES_PER_DAY: i64 = 15;
/// How often a waiting instance looks for the token another one is fetching.
const POLL_EVERY: Duration = Duration::from_millis(25);

#[derive(Debug, Deserialize)]
struct StableTokenBody {
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    errcode: Option<i64>,
    #[serde(default)]
    errmsg: Option<String>,
}

impl WeChatClient {
    fn token_key(&self) -> String {
        format!("wechat:access-token:{}", self.config.app_id)
    }

    fn lock_key(&self) -> String {
        format!("wechat:access-token-lock:{}", self.config.app_id)
    }

    fn forced_key(&self) -> String {
        format!("wechat:access-token-forced:{}", self.config.app_id)
    }

    fn forced_today_key(&self) -> String {
        format!("wechat:access-token-forced-count:{}", self.config.app_id)
    }

    /// Whether a forced refresh may be made now: none in the last 30 s, and fewer than the
    /// daily allowance in the last 24 h (a window starting at the first one).
    async fn may_force(&self) -> Result<bool, WeChatError> {
        if !self
            .cache
            .set_if_absent(&self.forced_key(), b"1", FORCED_REFRESH_SPACING)
            .await?
        {
            return Ok(false);
        }
        let today = self
            .cache
            .increment(&self.forced_today_key(), Duration::from_secs(24 * 3600))
            .await?;
        if today > FORCED_REFRESHES_PER_DAY {
            tracing::error!(
                today,
                "WeChat keeps rejecting fresh access tokens; not forcing another refresh today (is another deployment using this app's secret?)"
            );
            return Ok(false);
        }
        Ok(true)
    }

    /// How long a refresher may hold the lock: longer than one call may take.
    fn lock_ttl(&self) -> Duration {
        self.config.timeout * 2 + Duration::from_secs(1)
    }

    /// Runs `call` with the access token; if WeChat rejects the token, replaces it once and
    /// runs `call` once more.
    pub(super) async fn with_token<T, F, Fut>(&self, call: F) -> Result<T, WeChatError>
    where
        F: Fn(String) -> Fut,
        Fut: std::future::Future<Output = Result<T, WeChatError>>,
    {
        let token = self.access_token(None).await?;
        match call(token.clone()).await {
            Err(WeChatError::AccessTokenRejected(code)) => {
                tracing::warn!(
                    errcode = code,
                    "WeChat rejected the access token; refreshing"
                );
                let fresh = self.access_token(Some(&token)).await?;
                call(fresh).await
            }
            other => other,
        }
    }

    /// The cached token (other than `rejected`), or one fetched by whichever instance holds
    /// the lock.
    async fn access_token(&self, rejected: Option<&str>) -> Result<String, WeChatError> {
        let deadline = tokio::time::Instant::now() + self.lock_ttl();
        loop {
            if let Some(token) = self.cached_token(rejected).await? {
                return Ok(token);
            }
            let owner = uuid::Uuid::new_v4().to_string();
            if self
                .cache
                .set_if_absent(&self.lock_key(), owner.as_bytes(), self.lock_ttl())
                .await?
            {
                let result = self.refresh_under_lock(rejected).await;
                self.release_lock(&owner).await;
                return result;
            }
            if tokio::time::Instant::now() >= deadline {
                tracing::warn!("gave up waiting for another instance's WeChat token refresh");
                return Err(WeChatError::Busy);
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
    }

    async fn cached_token(&self, rejected: Option<&str>) -> Result<Option<String>, WeChatError> {
        Ok(self
            .cache
            .get(&self.token_key())
            .await?
            .and_then(|v| String::from_utf8(v).ok())
            .filter(|t| Some(t.as_str()) != rejected))
    }

    async fn refresh_under_lock(&self, rejected: Option<&str>) -> Result<String, WeChatError> {
        // Someone may have stored a token between our look and taking the lock.
        if let Some(token) = self.cached_token(rejected).await? {
            return Ok(token);
        }
        let force = rejected.is_some() && self.may_force().await?;
        let (token, expires_in) = self.stable_token(force).await?;
        // Dropped well before WeChat expires it; a short-lived token is kept for half its
        // life, one about to expire not at all.
        let ttl = if expires_in > EXPIRY_MARGIN_SECS + MIN_CACHE_SECS {
            expires_in - EXPIRY_MARGIN_SECS
        } else {
            expires_in / 2
        };
        if ttl > 0 {
            self.cache
                .set(
                    &self.token_key(),
                    token.as_bytes(),
                    Some(Duration::from_secs(ttl)),
                )
                .await?;
        }
        Ok(token)
    }

    /// Lets the lock go if it is still ours (it may have expired and passed to another):
    /// one atomic compare-and-delete, so another's lock is never removed.
    async fn release_lock(&self, owner: &str) {
        if let Err(e) = self
            .cache
            .delete_if_equals(&self.lock_key(), owner.as_bytes())
            .await
        {
            tracing::warn!(error = %e, "could not release the WeChat token lock; it expires on its own");
        }
    }

    /// `cgi-bin/stable_token`: the token and its lifetime in seconds.
    async fn stable_token(&self, force_refresh: bool) -> Result<(String, u64), WeChatError> {
        let url = self.endpoint("cgi-bin/stable_token")?;
        let body = json!({
            "grant_type": "client_credential",
            "appid": self.config.app_id,
            "secret": self.config.app_secret.expose_secret(),
            "force_refresh": force_refresh,
        });
        let answer: StableTokenBody = self.post_json(url, &body).await?;
        if let Some(errcode) = answer.errcode.filter(|c| *c != 0) {
            return Err(WeChatError::from_code(
                errcode,
                answer.errmsg.unwrap_or_default(),
            ));
        }
        match (
            answer.access_token.filter(|t| !t.is_empty()),
            answer.expires_in,
        ) {
            (Some(token), Some(expires_in)) => {
                tracing::info!(force_refresh, expires_in, "fetched a WeChat access token");
                Ok((token, expires_in))
            }
            _ => Err(WeChatError::BadResponse(
                "no access_token in the answer".into(),
            )),
        }
    }
}
