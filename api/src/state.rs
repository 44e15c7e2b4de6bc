//! What handlers share: the database, the cache and the clock.

use std::sync::Arc;

use crate::auth::keys::KeyRing;
use crate::auth::token::TokenConfig;
use domain::activity::qr::QrKey;
use domain::activity::CheckInWriter;
use domain::auth::WeChatSignIn;
use domain::cache::Cache;
use domain::clock::Clock;
use domain::volunteer::ContentCheck;
use infra::Db;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// The repositories on the pool, which read contexts (and single-statement writes) use.
    pub repos: infra::repo::PoolRepos,
    pub cache: Arc<dyn Cache>,
    /// This instance's near cache (principals, activities, mirrored feed keys).
    pub near: infra::near::Near,
    /// `redis` or `memory`, for readiness reports.
    pub cache_backend: &'static str,
    pub clock: Arc<dyn Clock>,
    pub keys: Arc<KeyRing>,
    pub tokens: TokenConfig,
    /// Writes new check-ins, coalescing concurrent ones into one statement per activity
    /// (one writer per instance).
    pub check_in_writer: Arc<dyn CheckInWriter>,
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
    /// WeChat's check of residents' text (`msg_sec_check`); without a mini-program, a
    /// stand-in that holds every text for an operator. Services that moderate take it as
    /// an argument (see `domain::volunteer::check_resident_text`).
    pub content_check: SharedContentCheck,
    /// The push settings; their templates are cleared when there is no WeChat client.
    pub push: crate::config::PushSettings,
}

/// The content check the application shares (`&*state.content_check` is a
/// `&dyn ContentCheck`).
#[derive(Clone)]
pub struct SharedContentCheck(pub Arc<dyn ContentCheck>);

impl std::ops::Deref for SharedContentCheck {
    type Target = dyn ContentCheck;

    fn deref(&self) -> &Self::Target {
        self.0.as_ref()
    }
}

impl std::fmt::Debug for SharedContentCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedContentCheck")
    }
}
