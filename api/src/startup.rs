//! Building the application: connect dependencies, mount routes, bind, return the port.

use std::net::TcpListener;
use std::sync::Arc;

use actix_service::{fn_service, map_config, IntoServiceFactory, ServiceFactoryExt};
use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpResponse};

use crate::http::guard::Guarded;
use secrecy::ExposeSecret;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config as SwaggerConfig, SwaggerUi};

use crate::auth::keys::{embedded_key_file, KeyRing};
use crate::auth::token::TokenConfig;
use crate::config::Settings;
use crate::extract::BodyLimit;
use crate::http::metrics::{MeteredCache, Metrics};
use crate::http::{cors, fallback, observe, refuse_unexpected_body, RouteTable};
use crate::openapi::{self, ExtraRoutes, DOC_PATH};
use crate::state::AppState;
use domain::cache::{Cache, CacheError};
use domain::clock::{Clock, SystemClock};
use infra::cache::{MemoryCache, RedisCache};
use infra::db::ConnectError;
use infra::near::bus::{LocalHub, RedisBus};
use infra::near::{Bus, Near, NearCache};
use infra::repo::check_in_batch::{BatchLimits, BatchedCheckInWriter};
use infra::{Backend, Db, DbOptions};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("signing keys: {0}")]
    Keys(String),
    #[error("database: {0}")]
    Database(#[from] ConnectError),
    #[error("database migration failed: {0}")]
    Migration(String),
    #[error("cache: {0}")]
    Cache(#[from] CacheError),
    #[error("metrics: {0}")]
    Metrics(#[from] prometheus::Error),
    #[error("cannot listen: {0}")]
    Io(#[from] std::io::Error),
}

/// The application's dependencies, built from settings or injected by tests.
#[derive(Clone, Debug)]
pub struct AppDeps {
    pub db: Db,
    pub cache: Arc<dyn Cache>,
    pub cache_backend: &'static str,
    pub clock: Arc<dyn Clock>,
    pub keys: Arc<KeyRing>,
    /// This instance's near cache and the channel that keeps it coherent (the database
    /// handle above announces its writes through it).
    pub near: Near,
}

/// A near cache of `sizing` on the channel Redis gives at `redis` (`url`, key prefix), or,
/// without Redis, on `hub` (near caches of one process), trusted there only if this
/// process is `alone` with its database: several instances on one PostgreSQL without
/// Redis could not tell each other what changed, so they read from storage.
pub async fn near_cache(
    sizing: infra::near::Sizing,
    redis: Option<(&str, &str)>,
    hub: &Arc<LocalHub>,
    alone: bool,
    timeout: std::time::Duration,
) -> Result<Near, CacheError> {
    let cache = Arc::new(NearCache::new(sizing));
    let bus = match redis {
        Some((url, prefix)) => {
            let bus = Arc::new(RedisBus::connect(url, prefix, timeout).await?);
            bus.subscribe(&cache);
            Bus::Redis(bus)
        }
        None => {
            if alone {
                hub.join(&cache);
            }
            Bus::Local(hub.clone())
        }
    };
    Ok(Near { cache, bus })
}

pub fn token_config(settings: &Settings) -> TokenConfig {
    TokenConfig {
        issuer: settings.jwt_issuer.clone(),
        audience: settings.jwt_audience.clone(),
        access_ttl: settings.access_token_ttl,
        refresh_ttl: settings.refresh_token_ttl,
    }
}

/// The configured key ring; in the embedded mode (SQLite, nothing configured) a key kept
/// beside the database file. PostgreSQL means production: configured keys or no start.
pub fn key_ring(settings: &Settings) -> Result<KeyRing, StartupError> {
    let url = settings.database_url.expose_secret();
    match &settings.jwt_keys {
        Some(raw) => {
            let entries: Vec<String> = raw.expose_secret().split(',').map(str::to_owned).collect();
            KeyRing::parse_configured(&entries).map_err(|e| StartupError::Keys(e.to_string()))
        }
        None if url.starts_with("sqlite:") => KeyRing::load_or_create(&embedded_key_file(url))
            .map_err(|e| StartupError::Keys(e.to_string())),
        None => Err(StartupError::Keys(
            "APP_JWT_KEYS must be set when DATABASE_URL is PostgreSQL".to_owned(),
        )),
    }
}

pub fn db_options(settings: &Settings) -> DbOptions {
    DbOptions {
        max_connections: settings.db_max_connections,
        connect_retry_for: settings.db_connect_retry,
        acquire_timeout: settings.db_acquire_timeout,
        ..DbOptions::default()
    }
}

/// Connects the database (migrating it) and the cache, each retried with backoff for at
/// most the configured time.
pub async fn connect_dependencies(settings: &Settings) -> Result<AppDeps, StartupError> {
    let keys = Arc::new(key_ring(settings)?);
    let db = Db::connect(settings.database_url.expose_secret(), &db_options(settings)).await?;
    db.migrate()
        .await
        .map_err(|e| StartupError::Migration(e.to_string()))?;
    let (cache, cache_backend): (Arc<dyn Cache>, &'static str) = match &settings.redis_url {
        Some(url) => (
            Arc::new(connect_redis(url.expose_secret(), settings).await?),
            "redis",
        ),
        None => (Arc::new(MemoryCache::default()), "memory"),
    };
    let redis = settings
        .redis_url
        .as_ref()
        .map(|u| (u.expose_secret(), settings.cache_prefix.as_str()));
    // The embedded SQLite mode is one process; PostgreSQL without Redis may be several.
    let alone = db.backend() == Backend::Sqlite;
    let near = near_cache(
        settings.near_cache,
        redis,
        &Arc::default(),
        alone,
        settings.cache_timeout,
    )
    .await?;
    Ok(AppDeps {
        db: db.with_near(near.clone()),
        near,
        cache,
        cache_backend,
        clock: Arc::new(SystemClock),
        keys,
    })
}

async fn connect_redis(url: &str, settings: &Settings) -> Result<RedisCache, CacheError> {
    infra::retry::with_backoff(
        "redis",
        settings.db_connect_retry,
        |e| matches!(e, CacheError::Unavailable(_)),
        |_| RedisCache::connect(url, &settings.cache_prefix, settings.cache_timeout),
    )
    .await
    .map_err(|e| e.last)
}

impl AppState {
    pub fn new(deps: AppDeps, settings: &Settings) -> Self {
        let wechat = settings.wechat.clone().and_then(|config| {
            infra::wechat::WeChatClient::new(config, deps.cache.clone())
                .map_err(|e| tracing::error!(error = %e, "WeChat client not available"))
                .ok()
                .map(Arc::new)
        });
        let mut push = settings.push.clone();
        if wechat.is_none() {
            push.templates = domain::push::PushTemplates::default();
        }
        let wechat_sign_in = wechat
            .clone()
            .map(|client| client as Arc<dyn domain::auth::WeChatSignIn>);
        let content_check: Arc<dyn domain::volunteer::ContentCheck> = match &wechat {
            Some(client) => client.clone(),
            None => Arc::new(infra::wechat::HoldEveryText),
        };
        // Over Redis, the feed's generations and pages are read from the near cache.
        let cache: Arc<dyn Cache> = match &deps.near.bus {
            Bus::Redis(_) => Arc::new(infra::near::NearMirror::new(
                deps.cache,
                deps.near.clone(),
                domain::material::feed::NEAR_COUNTERS,
                domain::material::feed::NEAR_IMMUTABLE,
            )),
            Bus::Local(_) => deps.cache,
        };
        // One writer per state, its task on the runtime building the state (start-up's).
        let check_in_writer = Arc::new(BatchedCheckInWriter::start(
            deps.db.clone(),
            BatchLimits::for_db(&deps.db),
        ));
        Self {
            repos: deps.db.repos(),
            near: deps.near,
            check_in_writer,
            db: deps.db,
            wechat,
            wechat_sign_in,
            content_check: crate::state::SharedContentCheck(content_check),
            push,
            cache,
            cache_backend: deps.cache_backend,
            clock: deps.clock,
            qr_key: Arc::new(deps.keys.qr_key()),
            keys: deps.keys,
            tokens: token_config(settings),
            trusted_proxies: settings.trusted_proxies.clone().into(),
            point_rules: settings.study_points,
            lesson_organised_share: settings.lesson_organised_share,
        }
    }
}

pub struct Application {
    port: u16,
    metrics_port: u16,
    server: Server,
    metrics_server: Server,
    db: Db,
    state: web::Data<AppState>,
}

impl Application {
    /// Connects everything the settings name and binds the listener.
    pub async fn build(settings: &Settings) -> Result<Self, StartupError> {
        let deps = connect_dependencies(settings).await?;
        if settings.seed_demo && deps.db.backend() == Backend::Sqlite {
            let accounts = crate::cli::demo::seed(&deps.db, deps.clock.now())
                .await
                .map_err(|e| StartupError::Migration(format!("seeding the demo township: {e}")))?;
            tracing::info!(
                accounts = accounts.len(),
                "demo township ready; try `cargo run -q -- token --member 13800000001`"
            );
        }
        let app = Self::build_with(settings, deps, None)?;
        if let Some(worker) = crate::push::PushWorker::from_state(&app.state, None) {
            tracing::info!(
                interval_secs = settings.push.interval.as_secs(),
                "push worker started"
            );
            tokio::spawn(worker.run_forever(settings.push.interval));
        }
        tokio::spawn(sweep_campaigns_forever(
            app.state.db.clone(),
            app.state.clock.clone(),
            SWEEP_INTERVAL,
        ));
        tokio::spawn(compute_pioneer_index_forever(
            app.state.db.clone(),
            app.state.repos.clone(),
            app.state.clock.clone(),
            instance_name(),
            SWEEP_INTERVAL,
        ));
        tokio::spawn(erase_personal_data_forever(
            app.state.db.clone(),
            app.state.clock.clone(),
            settings.volunteer_retention,
            instance_name(),
            ERASE_INTERVAL,
        ));
        Ok(app)
    }

    /// Binds the application over ready dependencies, with optional extra routes.
    pub fn build_with(
        settings: &Settings,
        deps: AppDeps,
        extra: Option<ExtraRoutes>,
    ) -> Result<Self, StartupError> {
        let listener = TcpListener::bind((settings.host.as_str(), settings.port))?;
        let port = listener.local_addr()?.port();
        let metrics_listener =
            TcpListener::bind((settings.metrics_host.as_str(), settings.metrics_port))?;
        let metrics_port = metrics_listener.local_addr()?.port();
        let db = deps.db.clone();

        // Everything the instance does is measured: its cache operations, its statements
        // and its calls to WeChat.
        let metrics = Metrics::new()?;
        let mut deps = deps;
        deps.cache = Arc::new(MeteredCache::new(deps.cache, metrics.clone()));
        let observer = metrics.clone();
        deps.db.observe_statements(Arc::new(move |elapsed, failed| {
            observer.observe_statement(elapsed, failed)
        }));

        let doc = openapi::document_with(extra.as_ref());
        let mut table = RouteTable::from_openapi(&doc);
        table.add("/docs", &["GET"]);
        table.add("/docs/{_:.*}", &["GET"]);
        table.add(DOC_PATH, &["GET"]);
        let table = web::Data::new(table);
        // The document is rendered once and its bytes shared by every worker: a copy of the
        // document in each worker (as Swagger UI's own route keeps it) cost tens of MiB each.
        let doc_json = web::Bytes::from(serde_json::to_vec(&doc).map_err(std::io::Error::other)?);
        drop(doc);
        let state = web::Data::new(AppState::new(deps, settings));
        if let Some(wechat) = &state.wechat {
            wechat.observe_calls(Arc::new(metrics.clone()));
        }
        let metrics_server =
            crate::http::metrics::server(metrics_listener, metrics.clone(), state.clone())?;
        let metrics = web::Data::new(metrics);
        let app_state = state.clone();
        let body_limit = settings.body_limit;
        let origins = settings.cors_origins.clone();

        let make_app = move || {
            let app = App::new()
                .wrap(from_fn(refuse_unexpected_body))
                .wrap(cors(&origins))
                .wrap(from_fn(observe))
                .app_data(state.clone())
                .app_data(metrics.clone())
                .app_data(table.clone())
                .app_data(BodyLimit(body_limit))
                .app_data(web::PayloadConfig::new(body_limit))
                .app_data(web::JsonConfig::default().limit(body_limit))
                .app_data(
                    // A malformed id can name no resource: answer as for a missing one
                    // (unless the segment is a literal route's: see `path_error`).
                    web::PathConfig::default().error_handler(|_, req| crate::http::path_error(req)),
                )
                .into_utoipa_app();
            let (app, _) = openapi::mount(app, extra.as_ref()).split_for_parts();
            app.route(
                "/docs",
                web::get().to(|| async {
                    HttpResponse::PermanentRedirect()
                        .insert_header(("Location", "/docs/"))
                        .finish()
                }),
            )
            .route(DOC_PATH, {
                let doc_json = doc_json.clone();
                web::get().to(move || {
                    let body = doc_json.clone();
                    async move {
                        HttpResponse::Ok()
                            .content_type(actix_web::http::header::ContentType::json())
                            .body(body)
                    }
                })
            })
            .service(
                SwaggerUi::new("/docs/{_:.*}")
                    // The default validator badge calls an outside server: keep it offline.
                    .config(SwaggerConfig::new([DOC_PATH]).validator_url("none")),
            )
            .default_service(web::to(fallback))
        };
        // Served through the connection guard (see `crate::http::guard`), which HttpServer
        // cannot wrap around its connections: the same HTTP/1.1 service, built as HttpServer
        // builds it.
        let addr = listener.local_addr()?;
        let mut builder = actix_server::Server::build()
            .listen("api", listener, move || {
                let factory = make_app()
                    .into_factory()
                    .map_err(|err: actix_web::Error| err.error_response());
                let host = addr.to_string();
                let service = actix_http::HttpService::build()
                    .local_addr(addr)
                    .h1(map_config(factory, move |_| {
                        actix_web::dev::AppConfig::__priv_test_new(false, host.clone(), addr)
                    }));
                fn_service(|io: actix_web::rt::net::TcpStream| {
                    let peer = io.peer_addr().ok();
                    std::future::ready(Ok::<_, actix_http::error::DispatchError>((
                        Guarded::new(io),
                        peer,
                    )))
                })
                .and_then(service)
            })?
            .shutdown_timeout(settings.shutdown_timeout.as_secs());
        if settings.workers > 0 {
            builder = builder.workers(settings.workers);
        }
        let server = builder.run();
        Ok(Self {
            port,
            metrics_port,
            server,
            metrics_server,
            db,
            state: app_state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port `/metrics` is served on.
    pub fn metrics_port(&self) -> u16 {
        self.metrics_port
    }

    /// Stops the server from elsewhere (tests); `graceful` lets in-flight requests finish.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped (SIGINT/SIGTERM finish in-flight requests within the
    /// configured shutdown timeout), then closes the database pool.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let metrics = self.metrics_server.handle();
        let metrics_task = tokio::spawn(self.metrics_server);
        let result = self.server.await;
        metrics.stop(true).await;
        let _ = metrics_task.await;
        self.db.close().await;
        result
    }
}

/// How often an instance sweeps the appraisal campaigns.
const SWEEP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(60);

/// Every `interval`, records the stage transitions the dates brought about in campaigns
/// nobody has written to since, and erases the ballot secrets of campaigns whose peer review
/// is over (the secret must go when the stage closes, even if nobody touches the campaign
/// again). Every instance runs it; the store lets each transition be recorded once.
async fn sweep_campaigns_forever(
    db: Db,
    clock: Arc<dyn domain::clock::Clock>,
    interval: std::time::Duration,
) {
    let mut ticker = tokio::time::interval(interval);
    loop {
        ticker.tick().await;
        match domain::appraisal::service::sweep_campaigns(&db, clock.as_ref()).await {
            Ok(done) if done == Default::default() => {}
            Ok(done) => tracing::info!(
                advanced = done.advanced,
                sealed = done.sealed,
                "appraisal stages recorded and ended peer reviews sealed"
            ),
            Err(e) => tracing::warn!(error = %e, "sweeping appraisal campaigns failed; retrying"),
        }
    }
}

/// Every `interval`, computes the pioneer indices asked for and not done (a request computes
/// its own at once; this pass takes over one whose instance stopped). Leases keep each to
/// one instance at a time.
async fn compute_pioneer_index_forever(
    db: Db,
    repos: infra::repo::PoolRepos,
    clock: Arc<dyn domain::clock::Clock>,
    owner: String,
    interval: std::time::Duration,
) {
    let mut ticker = tokio::time::interval(interval);
    loop {
        ticker.tick().await;
        match domain::pioneer::service::compute_pending(&db, &repos, clock.as_ref(), &owner).await {
            Ok(pass) if pass.computed == 0 => {}
            Ok(pass) => tracing::info!(computed = pass.computed, "pioneer indices computed"),
            Err(e) => tracing::warn!(error = %e, "computing pioneer indices failed; retrying"),
        }
    }
}

/// How often an instance looks for requesters' personal data due for erasure.
const ERASE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(3600);

/// This instance's name in job leases: host, process and a random part.
pub(crate) fn instance_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".to_owned());
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!(
        "{}:{}:{}",
        host.chars().take(32).collect::<String>(),
        std::process::id(),
        random.chars().take(8).collect::<String>()
    )
}

/// At start and then every `interval`, erases the personal data of 96345 requests over for
/// the retention period (PIPL). Every instance runs it; a lease lets one at a time do the
/// work, and erasing twice changes nothing. Logs counts only.
async fn erase_personal_data_forever(
    db: Db,
    clock: Arc<dyn domain::clock::Clock>,
    retention: domain::volunteer::Retention,
    owner: String,
    interval: std::time::Duration,
) {
    let mut ticker = tokio::time::interval(interval);
    loop {
        ticker.tick().await;
        match domain::volunteer::service::erase_personal_data(
            &db,
            clock.as_ref(),
            retention,
            &owner,
        )
        .await
        {
            Ok(done) if done.erased == 0 => {}
            Ok(done) => tracing::info!(
                erased = done.erased,
                "requesters' personal data erased after the retention period"
            ),
            Err(e) => {
                tracing::warn!(error = %e, "erasing requesters' personal data failed; retrying")
            }
        }
    }
}
