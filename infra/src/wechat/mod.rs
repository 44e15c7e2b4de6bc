//! The WeChat server API, reached at a configurable base URL (a stand-in in tests, and for
//! anyone without a WeChat account). Only this module knows WeChat's wire format and error
//! codes; callers get [`WeChatError`] variants that say what to tell the client. Sign-in
//! reaches it through the domain's port, `domain::auth::WeChatSignIn` ([`sign_in`]).
//!
//! `session_key` is never deserialised: it is not needed to sign members in, so it is
//! neither returned, logged nor stored.
//!
//! Residents' text is checked through `wxa/msg_sec_check` ([`sec_check`]), as the domain's
//! `domain::volunteer::ContentCheck` port.
//!
//! Calls that need an access token ([`phone`], [`sec_check`]) get it from [`token`]: one token per app,
//! shared by every instance through the cache.

mod phone;
mod sec_check;
mod sign_in;
mod subscribe;
mod token;

pub use phone::WeChatPhone;
pub use sec_check::{HoldEveryText, MAX_CHARS_PER_CHECK};
pub use subscribe::WeChatPushSender;

use std::sync::Arc;
use std::time::Duration;

use domain::cache::{Cache, CacheError};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

/// The mini-program's credentials and where WeChat's server API is.
#[derive(Debug, Clone)]
pub struct WeChatConfig {
    pub app_id: String,
    pub app_secret: SecretString,
    /// `https://api.weixin.qq.com` in production.
    pub api_base: Url,
    /// How long one call may take before it counts as WeChat being unreachable.
    pub timeout: Duration,
}

/// A mini-program user as `jscode2session` identifies them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeChatSession {
    pub openid: String,
    pub unionid: Option<String>,
}

/// What went wrong with a WeChat call, by what the client should be told.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WeChatError {
    /// 40029: the login code is not valid.
    #[error("wechat: invalid login code")]
    InvalidCode,
    /// 40163: the login code was already used.
    #[error("wechat: login code already used")]
    CodeUsed,
    /// 45011: WeChat's rate limit for this user.
    #[error("wechat: rate limited")]
    RateLimited,
    /// -1: WeChat is busy; try again shortly.
    #[error("wechat: busy")]
    Busy,
    /// Any other error code.
    #[error("wechat: errcode {errcode}: {errmsg}")]
    Rejected { errcode: i64, errmsg: String },
    /// No answer in time, or the answer was cut off: the request may have arrived.
    #[error("wechat unreachable: {0}")]
    Unreachable(String),
    /// No connection could be made: the request never left.
    #[error("wechat unreachable: connection failed")]
    NotConnected,
    /// WeChat (or a proxy before it) answered with an HTTP error status.
    #[error("wechat answered HTTP {0}")]
    HttpStatus(u16),
    /// An answer that is not WeChat's JSON (an HTML error page, a proxy's reply, …).
    #[error("wechat answered unexpectedly: {0}")]
    BadResponse(String),
    /// 40001 or 42001: the access token a call used is invalid or expired (handled inside
    /// this module by refreshing once; callers see it only if the retry fails the same way).
    #[error("wechat: access token rejected ({0})")]
    AccessTokenRejected(i64),
    /// The shared cache holding the access token and its lock is unreachable.
    #[error("{0}")]
    Cache(#[from] CacheError),
}

impl WeChatError {
    fn from_code(errcode: i64, errmsg: String) -> Self {
        match errcode {
            40029 => WeChatError::InvalidCode,
            40163 => WeChatError::CodeUsed,
            45011 => WeChatError::RateLimited,
            -1 => WeChatError::Busy,
            40001 | 42001 => WeChatError::AccessTokenRejected(errcode),
            _ => WeChatError::Rejected { errcode, errmsg },
        }
    }
}

#[derive(Debug, Deserialize)]
struct Code2SessionBody {
    #[serde(default)]
    openid: Option<String>,
    #[serde(default)]
    unionid: Option<String>,
    #[serde(default)]
    errcode: Option<i64>,
    #[serde(default)]
    errmsg: Option<String>,
}

/// A client of WeChat's server API.
#[derive(Debug, Clone)]
pub struct WeChatClient {
    config: WeChatConfig,
    http: reqwest::Client,
    /// Where the access token, its refresh lock and the forced-refresh marker live.
    cache: Arc<dyn Cache>,
    observer: std::sync::OnceLock<Arc<dyn CallObserver>>,
}

/// Told about every call to WeChat's server API (metrics): the API's path
/// (`sns/jscode2session`), how it ended (`ok`, `errcode_<n>`, `http_<status>`, `timeout`,
/// `not_connected`, `unreachable`, `bad_response`) and how long it took.
pub trait CallObserver: Send + Sync + std::fmt::Debug {
    fn observe(&self, api: &str, outcome: &str, seconds: f64);
}

impl WeChatClient {
    pub fn new(config: WeChatConfig, cache: Arc<dyn Cache>) -> Result<Self, WeChatError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .build()
            .map_err(|e| WeChatError::Unreachable(e.to_string()))?;
        Ok(Self {
            config,
            http,
            cache,
            observer: std::sync::OnceLock::new(),
        })
    }

    /// Reports every call to `observer` from now on (set once).
    pub fn observe_calls(&self, observer: Arc<dyn CallObserver>) {
        let _ = self.observer.set(observer);
    }

    pub fn app_id(&self) -> &str {
        &self.config.app_id
    }

    fn endpoint(&self, path: &str) -> Result<Url, WeChatError> {
        self.config
            .api_base
            .join(path)
            .map_err(|e| WeChatError::BadResponse(format!("bad WeChat base URL: {e}")))
    }

    /// `sns/jscode2session`: who is behind a `wx.login` code.
    pub async fn code2session(&self, code: &str) -> Result<WeChatSession, WeChatError> {
        let mut url = self.endpoint("sns/jscode2session")?;
        url.query_pairs_mut()
            .append_pair("appid", &self.config.app_id)
            .append_pair("secret", self.config.app_secret.expose_secret())
            .append_pair("js_code", code)
            .append_pair("grant_type", "authorization_code");
        let body: Code2SessionBody = self.get_json(url).await?;
        if let Some(errcode) = body.errcode.filter(|c| *c != 0) {
            return Err(WeChatError::from_code(
                errcode,
                body.errmsg.unwrap_or_default(),
            ));
        }
        match body.openid.filter(|o| !o.is_empty()) {
            Some(openid) => Ok(WeChatSession {
                openid,
                unionid: body.unionid,
            }),
            None => Err(WeChatError::BadResponse("no openid in the answer".into())),
        }
    }

    /// GETs `url` and reads WeChat's JSON, whatever content type it claims (WeChat often
    /// sends JSON as `text/plain`). The URL carries the secret: errors never include it.
    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: Url) -> Result<T, WeChatError> {
        self.read_json(self.http.get(url)).await
    }

    /// POSTs `body` as JSON to `url` and reads WeChat's JSON answer.
    async fn post_json<T: serde::de::DeserializeOwned>(
        &self,
        url: Url,
        body: &serde_json::Value,
    ) -> Result<T, WeChatError> {
        self.read_json(self.http.post(url).json(body)).await
    }

    async fn read_json<T: serde::de::DeserializeOwned>(
        &self,
        req: reqwest::RequestBuilder,
    ) -> Result<T, WeChatError> {
        let api = req
            .try_clone()
            .and_then(|r| r.build().ok())
            .map(|r| r.url().path().trim_start_matches('/').to_owned())
            .unwrap_or_default();
        let started = std::time::Instant::now();
        let (result, outcome) = self.exchange(req).await;
        if let Some(observer) = self.observer.get() {
            observer.observe(&api, &outcome, started.elapsed().as_secs_f64());
        }
        result
    }

    /// One request and its answer, with how it ended for metrics.
    async fn exchange<T: serde::de::DeserializeOwned>(
        &self,
        req: reqwest::RequestBuilder,
    ) -> (Result<T, WeChatError>, String) {
        let res = match req.send().await {
            Ok(res) => res,
            Err(e) if e.is_connect() => {
                return (Err(WeChatError::NotConnected), "not_connected".into())
            }
            Err(e) if e.is_timeout() => {
                return (
                    Err(WeChatError::Unreachable("timed out".into())),
                    "timeout".into(),
                )
            }
            Err(_) => {
                return (
                    Err(WeChatError::Unreachable("request failed".into())),
                    "unreachable".into(),
                )
            }
        };
        let status = res.status();
        let Ok(bytes) = res.bytes().await else {
            return (
                Err(WeChatError::Unreachable("answer cut off".into())),
                "unreachable".into(),
            );
        };
        if !status.is_success() {
            return (
                Err(WeChatError::HttpStatus(status.as_u16())),
                format!("http_{}", status.as_u16()),
            );
        }
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
            return (
                Err(WeChatError::BadResponse(format!(
                    "not JSON ({} bytes)",
                    bytes.len()
                ))),
                "bad_response".into(),
            );
        };
        let outcome = match value.get("errcode").and_then(serde_json::Value::as_i64) {
            Some(code) if code != 0 => format!("errcode_{code}"),
            _ => "ok".to_owned(),
        };
        let parsed = serde_json::from_value(value).map_err(|_| {
            WeChatError::BadResponse(format!("unexpected JSON ({} bytes)", bytes.len()))
        });
        (parsed, outcome)
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use super::*;
    use wiremock::matchers::{method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    pub(super) async fn client(server: &MockServer, timeout_ms: u64) -> WeChatClient {
        client_sharing(
            server,
            timeout_ms,
            Arc::new(crate::cache::MemoryCache::default()),
        )
    }

    /// A client whose access token lives in `cache` (two such clients are two instances).
    pub(super) fn client_sharing(
        server: &MockServer,
        timeout_ms: u64,
        cache: Arc<dyn Cache>,
    ) -> WeChatClient {
        WeChatClient::new(
            WeChatConfig {
                app_id: "wx-test-app".into(),
                app_secret: SecretString::from("s3cret-of-the-app"),
                api_base: Url::parse(&format!("{}/", server.uri())).unwrap(),
                timeout: Duration::from_millis(timeout_ms),
            },
            cache,
        )
        .unwrap()
    }

    /// `cgi-bin/stable_token`'s answer handing out `token`.
    pub(super) fn token_answer(token: &str) -> ResponseTemplate {
        ResponseTemplate::new(200)
            .set_body_string(format!(r#"{{"access_token":"{token}","expires_in":7200}}"#))
    }

    /// A stand-in WeChat whose `cgi-bin/stable_token` hands out `token`.
    pub(super) async fn handing_out_token(token: &str) -> MockServer {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/cgi-bin/stable_token"))
            .respond_with(token_answer(token))
            .mount(&server)
            .await;
        server
    }

    /// `getuserphonenumber`'s answer: 13800000001 (+86), vouched to `appid`.
    pub(super) fn phone_answer(appid: &str) -> ResponseTemplate {
        ResponseTemplate::new(200).set_body_string(format!(
            r#"{{"errcode":0,"errmsg":"ok","phone_info":{{"phoneNumber":"+86 13800000001","purePhoneNumber":"13800000001","countryCode":"86","watermark":{{"timestamp":1637744274,"appid":"{appid}"}}}}}}"#
        ))
    }

    async fn answering(template: ResponseTemplate) -> MockServer {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/sns/jscode2session"))
            .respond_with(template)
            .mount(&server)
            .await;
        server
    }

    #[tokio::test]
    async fn a_good_code_names_the_user_and_the_secret_goes_only_to_wechat() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/sns/jscode2session"))
            .and(query_param("appid", "wx-test-app"))
            .and(query_param("secret", "s3cret-of-the-app"))
            .and(query_param("js_code", "code-1"))
            .and(query_param("grant_type", "authorization_code"))
            // WeChat sends JSON as text/plain, and a session_key we never keep.
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                r#"{"openid":"o-1","session_key":"sk","unionid":"u-1"}"#,
                "text/plain",
            ))
            .mount(&server)
            .await;
        let c = client(&server, 2000).await;
        assert_eq!(
            c.code2session("code-1").await,
            Ok(WeChatSession {
                openid: "o-1".into(),
                unionid: Some("u-1".into()),
            })
        );
        assert!(
            !format!("{c:?}").contains("s3cret"),
            "Debug shows the secret"
        );
    }

    #[tokio::test]
    async fn wechat_error_codes_become_what_the_client_should_be_told() {
        for (code, want) in [
            (40029, WeChatError::InvalidCode),
            (40163, WeChatError::CodeUsed),
            (45011, WeChatError::RateLimited),
            (-1, WeChatError::Busy),
            (
                40226,
                WeChatError::Rejected {
                    errcode: 40226,
                    errmsg: "high risk user".into(),
                },
            ),
        ] {
            let body = format!(r#"{{"errcode":{code},"errmsg":"high risk user"}}"#);
            let server = answering(ResponseTemplate::new(200).set_body_string(body)).await;
            let got = client(&server, 2000).await.code2session("c").await;
            assert_eq!(got, Err(want), "errcode {code}");
        }
    }

    #[tokio::test]
    async fn html_pages_timeouts_and_missing_openids_are_bad_answers_not_panics() {
        let html = answering(
            ResponseTemplate::new(200).set_body_raw("<html>502 Bad Gateway</html>", "text/html"),
        )
        .await;
        assert!(matches!(
            client(&html, 2000).await.code2session("c").await,
            Err(WeChatError::BadResponse(_))
        ));
        let status = answering(ResponseTemplate::new(503)).await;
        assert_eq!(
            client(&status, 2000).await.code2session("c").await,
            Err(WeChatError::HttpStatus(503))
        );
        let empty = answering(ResponseTemplate::new(200).set_body_string("{}")).await;
        assert!(matches!(
            client(&empty, 2000).await.code2session("c").await,
            Err(WeChatError::BadResponse(_))
        ));
        let slow = answering(
            ResponseTemplate::new(200)
                .set_body_string(r#"{"openid":"o"}"#)
                .set_delay(Duration::from_millis(800)),
        )
        .await;
        let got = client(&slow, 100).await.code2session("c").await;
        assert_eq!(got, Err(WeChatError::Unreachable("timed out".into())));
        let err = got.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(!err.contains("s3cret"), "an error shows the secret: {err}");
    }
}
