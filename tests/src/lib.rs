//! The black-box test harness: [`TestApp::spawn`] builds the real application over its own
//! database and cache key space, binds `127.0.0.1:0` and returns typed helpers.
//!
//! Backends: SQLite in a temp file and the in-process cache by default; PostgreSQL and
//! Redis when `TEST_DATABASE_URL` and `TEST_REDIS_URL` are set (each test then gets a fresh
//! database cloned from a migrated template, and its own Redis key prefix).

pub mod cache;
pub mod database;
pub mod fixtures;
pub mod probe;
pub mod proxy;
pub mod wechat;

use std::sync::Arc;

use actix_web::dev::ServerHandle;
use chrono::{DateTime, TimeZone, Utc};

use api::auth::keys::KeyRing;
use api::auth::token::TokenConfig;
use api::config::Settings;
use api::openapi::ExtraRoutes;
use api::startup::{AppDeps, Application};
use domain::cache::Cache;
use domain::clock::{Clock, ManualClock};
use infra::Db;

pub use cache::{test_cache, FlakyCache};
pub use database::TestDatabase;
pub use wechat::content_check_stub;

/// Knobs a test may turn before the app starts.
#[derive(Default, Clone)]
pub struct TestOptions {
    pub body_limit: Option<usize>,
    pub cors_origins: Vec<String>,
    /// Wrap the cache so the test can take it down.
    pub flaky_cache: bool,
    /// Mount the probe routes (see [`probe`]) that exercise the shared HTTP machinery.
    pub probes: bool,
    /// Configure a WeChat app whose server API is at this base URL (a stand-in).
    pub wechat_base: Option<String>,
    /// With `wechat_base`: also tell secretaries of obligations coming due or overdue
    /// ([`TEST_TEMPLATE_OBLIGATION`], the default lead of 7 days).
    pub obligation_notices: bool,
}

pub struct TestApp {
    pub address: String,
    pub port: u16,
    /// Where the instance serves `/metrics` (its own listener).
    pub metrics_address: String,
    pub client: reqwest::Client,
    /// The application's clock: `set` / `advance` move its time.
    pub clock: ManualClock,
    /// The same pool the application uses.
    pub db: Db,
    pub cache: Arc<dyn Cache>,
    /// Present when spawned with `flaky_cache`.
    pub flaky: Option<Arc<FlakyCache>>,
    /// The app's signing keys and token settings, to mint tokens as the app would.
    pub keys: Arc<KeyRing>,
    pub tokens: TokenConfig,
    /// The same dependencies the app runs on, for calling its services directly.
    pub state: api::state::AppState,
    /// Where this instance's near cache hears invalidations.
    pub bus: cache::TestBus,
    handle: ServerHandle,
    _database: Arc<TestDatabase>,
}

/// 2026-11-05 08:30 in Asia/Shanghai: a theme-day morning.
pub fn default_test_instant() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 5, 0, 30, 0)
        .single()
        .unwrap_or_else(Utc::now)
}

/// The AppID of the test apps' WeChat mini-program.
pub const TEST_WECHAT_APP_ID: &str = "wx-test-app";
/// The subscribe-message templates configured with a WeChat stand-in.
pub const TEST_TEMPLATE_MATERIAL: &str = "tmpl-material";
pub const TEST_TEMPLATE_REMINDER: &str = "tmpl-reminder";
pub const TEST_TEMPLATE_REVIEW: &str = "tmpl-review";
pub const TEST_TEMPLATE_OBLIGATION: &str = "tmpl-obligation";
/// The self-assessment reminder template tests configure with a WeChat stand-in.
pub const TEST_TEMPLATE_APPRAISAL: &str = "tmpl-appraisal";
/// The 96345 deadline reminder template tests configure with a WeChat stand-in.
pub const TEST_TEMPLATE_VOLUNTEER: &str = "tmpl-volunteer";

/// The key every test app signs with (fixed, so two instances of a pair agree).
pub const TEST_KEY_ID: &str = "test-1";

pub fn test_key_entry() -> String {
    // 32 bytes of 0x2a, base64.
    format!("{TEST_KEY_ID}:KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio=")
}

pub fn test_keys() -> KeyRing {
    match KeyRing::parse(&[test_key_entry()]) {
        Ok(k) => k,
        Err(e) => panic!("test key: {e}"),
    }
}

pub fn init_test_logging() {
    if std::env::var_os("TEST_LOG").is_some() {
        api::telemetry::init(api::config::LogFormat::Human, "info,sqlx=warn");
    }
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(TestOptions::default()).await
    }

    pub async fn spawn_with(options: TestOptions) -> Self {
        init_test_logging();
        let database = Arc::new(TestDatabase::create().await);
        let (cache, bus) = test_cache().await;
        Self::start(
            options,
            database,
            cache,
            bus,
            ManualClock::new(default_test_instant()),
        )
        .await
    }

    /// Two instances over the same database and the same cache (one shared in-process
    /// cache, or the same Redis prefix), with one clock.
    pub async fn spawn_pair() -> (Self, Self) {
        Self::spawn_pair_with(TestOptions::default()).await
    }

    /// [`spawn_pair`](Self::spawn_pair), both instances with `options`.
    pub async fn spawn_pair_with(options: TestOptions) -> (Self, Self) {
        init_test_logging();
        let database = Arc::new(TestDatabase::create().await);
        let (cache, bus) = test_cache().await;
        let clock = ManualClock::new(default_test_instant());
        let a = Self::start(
            options.clone(),
            database.clone(),
            cache.clone(),
            bus.clone(),
            clock.clone(),
        )
        .await;
        let b = Self::start(options, database, cache, bus, clock).await;
        (a, b)
    }

    /// `n` instances over one database, one cache and one clock: what a load balancer
    /// spreads a township's requests over.
    pub async fn spawn_many(n: usize) -> Vec<Self> {
        init_test_logging();
        let database = Arc::new(TestDatabase::create().await);
        let (cache, bus) = test_cache().await;
        let clock = ManualClock::new(default_test_instant());
        let mut apps = Vec::with_capacity(n);
        for _ in 0..n {
            apps.push(
                Self::start(
                    TestOptions::default(),
                    database.clone(),
                    cache.clone(),
                    bus.clone(),
                    clock.clone(),
                )
                .await,
            );
        }
        apps
    }

    async fn start(
        options: TestOptions,
        database: Arc<TestDatabase>,
        cache: Arc<dyn Cache>,
        bus: cache::TestBus,
        clock: ManualClock,
    ) -> Self {
        let mut settings = Settings::embedded_default();
        settings.port = 0;
        settings.metrics_port = 0;
        settings.workers = 1;
        settings.shutdown_timeout = std::time::Duration::from_secs(1);
        if let Some(limit) = options.body_limit {
            settings.body_limit = limit;
        }
        settings.cors_origins = options.cors_origins.clone();
        if let Some(base) = &options.wechat_base {
            settings.wechat = Some(infra::wechat::WeChatConfig {
                app_id: TEST_WECHAT_APP_ID.into(),
                app_secret: secrecy::SecretString::from("test-app-secret"),
                api_base: match url::Url::parse(&format!("{}/", base.trim_end_matches('/'))) {
                    Ok(u) => u,
                    Err(e) => panic!("wechat base {base}: {e}"),
                },
                timeout: std::time::Duration::from_millis(500),
            });
            settings.push.templates = domain::push::PushTemplates {
                material: Some(TEST_TEMPLATE_MATERIAL.into()),
                reminder: Some(TEST_TEMPLATE_REMINDER.into()),
                review: Some(TEST_TEMPLATE_REVIEW.into()),
                obligation: options
                    .obligation_notices
                    .then(|| TEST_TEMPLATE_OBLIGATION.into()),
                appraisal: Some(TEST_TEMPLATE_APPRAISAL.into()),
                volunteer: Some(TEST_TEMPLATE_VOLUNTEER.into()),
            };
        }

        let near = bus.near().await;
        let test_bus = bus.clone();
        let db = database.connect().await.with_near(near.clone());
        let (cache, flaky): (Arc<dyn Cache>, Option<Arc<FlakyCache>>) = if options.flaky_cache {
            let flaky = Arc::new(FlakyCache::new(cache));
            (flaky.clone(), Some(flaky))
        } else {
            (cache, None)
        };
        let keys = Arc::new(test_keys());
        let deps = AppDeps {
            db: db.clone(),
            cache: cache.clone(),
            cache_backend: if std::env::var_os("TEST_REDIS_URL").is_some() {
                "redis"
            } else {
                "memory"
            },
            clock: Arc::new(clock.clone()),
            keys: keys.clone(),
            near,
        };
        let extra: Option<ExtraRoutes> = options.probes.then(|| {
            let routes: ExtraRoutes = Arc::new(probe::configure);
            routes
        });
        let state = api::state::AppState::new(deps.clone(), &settings);
        let app = match Application::build_with(&settings, deps, extra) {
            Ok(app) => app,
            Err(e) => panic!("the test app did not start: {e}"),
        };
        let port = app.port();
        let metrics_port = app.metrics_port();
        let handle = app.handle();
        tokio::spawn(app.run_until_stopped());
        let client = match reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
        {
            Ok(c) => c,
            Err(e) => panic!("http client: {e}"),
        };
        Self {
            address: format!("http://127.0.0.1:{port}"),
            port,
            metrics_address: format!("http://127.0.0.1:{metrics_port}"),
            client,
            clock,
            db,
            cache,
            flaky,
            keys,
            tokens: api::startup::token_config(&settings),
            state,
            bus: test_bus,
            handle,
            _database: database,
        }
    }

    /// Another instance over this one's database and clock with a fresh, empty cache: what
    /// the service looks like after its Redis restarted without persistence.
    pub async fn spawn_beside_with_empty_cache(&self) -> Self {
        let (cache, bus) = test_cache().await;
        Self::start(
            TestOptions::default(),
            self._database.clone(),
            cache,
            bus,
            self.clock.clone(),
        )
        .await
    }

    /// Another instance over this one's database and clock, on `cache` and `bus`.
    pub async fn spawn_beside_with(&self, cache: Arc<dyn Cache>, bus: cache::TestBus) -> Self {
        Self::start(
            TestOptions::default(),
            self._database.clone(),
            cache,
            bus,
            self.clock.clone(),
        )
        .await
    }

    /// What the instance's metrics listener serves at `/metrics`.
    pub async fn metrics_text(&self) -> String {
        let url = format!("{}/metrics", self.metrics_address);
        match self.client.get(&url).send().await {
            Ok(res) => match res.text().await {
                Ok(text) => text,
                Err(e) => panic!("reading {url}: {e}"),
            },
            Err(e) => panic!("GET {url}: {e}"),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        match self.client.get(self.url(path)).send().await {
            Ok(r) => r,
            Err(e) => panic!("GET {path}: {e}"),
        }
    }

    /// Sends a body-less request with extra headers.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut req = self.client.request(method.clone(), self.url(path));
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        match req.send().await {
            Ok(r) => r,
            Err(e) => panic!("{method} {path}: {e}"),
        }
    }

    /// POSTs raw bytes with the given content type (or none).
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: Option<&str>,
        body: impl Into<reqwest::Body>,
    ) -> reqwest::Response {
        let mut req = self.client.post(self.url(path)).body(body);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        match req.send().await {
            Ok(r) => r,
            Err(e) => panic!("POST {path}: {e}"),
        }
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.post_raw(path, Some("application/json"), body.to_string())
            .await
    }

    /// An access token for `member`, minted now by the app's clock and keys.
    pub fn token_for(&self, member: domain::org::MemberId) -> String {
        let ttl = self.tokens.access_ttl;
        match api::auth::token::mint(
            &self.keys,
            &self.tokens,
            member,
            None,
            self.clock.now(),
            ttl,
        ) {
            Ok((token, _)) => token,
            Err(e) => panic!("minting a test token: {e}"),
        }
    }

    /// Sends a body-less request as `token`.
    pub async fn send_as(
        &self,
        token: &str,
        method: reqwest::Method,
        path: &str,
    ) -> reqwest::Response {
        let bearer = format!("Bearer {token}");
        self.send(method, path, &[("authorization", &bearer)]).await
    }

    /// Sends a request as `who` (a fresh token), with an optional JSON body; answers the
    /// status and the body parsed as JSON (`Null` when it is not JSON).
    pub async fn call(
        &self,
        who: &domain::org::Member,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let token = self.token_for(who.id);
        let res = match body {
            Some(b) => self.send_json_as(&token, method, path, &b).await,
            None => self.send_as(&token, method, path).await,
        };
        let status = res.status().as_u16();
        let text = match res.text().await {
            Ok(t) => t,
            Err(e) => panic!("{path}: reading the body: {e}"),
        };
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    }

    /// Sends a JSON request as `token`.
    pub async fn send_json_as(
        &self,
        token: &str,
        method: reqwest::Method,
        path: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        let req = self
            .client
            .request(method.clone(), self.url(path))
            .bearer_auth(token)
            .json(body);
        match req.send().await {
            Ok(r) => r,
            Err(e) => panic!("{method} {path}: {e}"),
        }
    }

    /// Stops the server, letting in-flight requests finish.
    pub async fn stop(&self) {
        self.handle.stop(true).await;
    }
}

/// Reads a response body as JSON, failing the test with the body when it is not.
pub async fn json_body(res: reqwest::Response) -> serde_json::Value {
    let text = match res.text().await {
        Ok(t) => t,
        Err(e) => panic!("reading body: {e}"),
    };
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}
