//! What handlers share: the database, the cache and the clock.

use std::sync::Arc;

use crate::auth::keys::KeyRing;
use crate::auth::token::TokenConfig;
use domain::activity::qr::QrKey;
use domain::auth::WeChatSignIn;
use domain::cache::Cache;
use domain::clock::Clock;
use infra::Db;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    /// The repositories on the pool, which read contexts (and single-statement writes) use.
    pub repos: infra::repo::PoolRepos,
    pub cache: Arc<dyn Cache>,
    /// `redis` or `memory`, for readiness reports.
    pub cache_backend: &'static str,
    pub clock: Arc<dyn Clock>,
    pub keys: Arc<KeyRing>,
    pub tokens: TokenConfig,
    /// Signs and checks the rotating check-in QR codes.
    pub qr_key: Arc<QrKey>,
    /// Proxies whose `X-Forwarded-For` is believed (rate limits).
    pub trusted_proxies: Arc<[crate::http::client_ip::IpNet]>,
    /// The study-points formula and daily cap.
    pub point_rules: domain::material::PointRules,
    /// The share of a branch that must complete the monthly lesson for it to be organised.
    pub lesson_organised_share: f64,
    /// WeChat's server API, when a mini-program is configured: the push worker's sender.
    pub wechat: Option<Arc<infra::wechat::WeChatClient>>,
    /// The same client as the sign-in routes see it, through the domain's port.
    pub wechat_sign_in: Option<Arc<dyn WeChatSignIn>>,
    /// The push settings; their templates are cleared when there is no WeChat client.
    pub push: crate::config::PushSettings,
}
