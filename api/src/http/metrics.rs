//! Prometheus metrics, one registry per application instance (many instances may run in
//! one test process): HTTP requests; the process (CPU, memory, open files); the database
//! pool and statements; the cache; the push outbox; calls to WeChat. Served on their own
//! listener (`metrics_host`/`metrics_port`), never with the API.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use prometheus::{
    Encoder, Gauge, GaugeVec, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec,
    Opts, Registry, TextEncoder,
};

use domain::cache::{Cache, CacheError};

const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    db_connections: IntGaugeVec,
    db_max_connections: IntGauge,
    db_acquire: Gauge,
    db_statements: HistogramVec,
    cache_ops: HistogramVec,
    cache_errors: IntCounterVec,
    outbox: IntGaugeVec,
    outbox_due: IntGauge,
    outbox_oldest_due: Gauge,
    wechat_calls: HistogramVec,
    scrape_errors: GaugeVec,
    near_trusted: IntGauge,
    near_entries: IntGauge,
    near_events: IntGaugeVec,
    /// When the scrape-time readings (pool, outbox) were last taken: a scraper hammering
    /// the listener gets them at most every few seconds, never a database query each.
    refreshed: Arc<tokio::sync::Mutex<Option<std::time::Instant>>>,
}

/// How long scrape-time readings are reused.
const REFRESH_EVERY: Duration = Duration::from_secs(5);

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

fn histogram(name: &str, help: &str, labels: &[&str]) -> Result<HistogramVec, prometheus::Error> {
    HistogramVec::new(
        HistogramOpts::new(name, help).buckets(LATENCY_BUCKETS.to_vec()),
        labels,
    )
}

impl Metrics {
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let labels = ["method", "route", "status"];
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests answered, by route and status",
            ),
            &labels,
        )?;
        let latency = histogram(
            "http_request_duration_seconds",
            "Time to answer HTTP requests, by route and status",
            &labels,
        )?;
        let db_connections = IntGaugeVec::new(
            Opts::new(
                "db_pool_connections",
                "Database connections of the pool, by state (in_use, idle)",
            ),
            &["state"],
        )?;
        let db_max_connections = IntGauge::new(
            "db_pool_max_connections",
            "The most connections the pool opens",
        )?;
        let db_acquire = Gauge::new(
            "db_pool_acquire_seconds",
            "How long taking a connection from the pool took at the last scrape (the wait a request sees; 5 when none came within 5 s)",
        )?;
        let db_statements = histogram(
            "db_statement_duration_seconds",
            "Time the database took per statement, by outcome (ok, error)",
            &["outcome"],
        )?;
        let cache_ops = histogram(
            "cache_operation_duration_seconds",
            "Time the shared cache took per operation, by operation and outcome",
            &["op", "outcome"],
        )?;
        let cache_errors = IntCounterVec::new(
            Opts::new(
                "cache_errors_total",
                "Cache operations that failed, by operation and kind (unavailable, failed)",
            ),
            &["op", "kind"],
        )?;
        let outbox = IntGaugeVec::new(
            Opts::new(
                "push_deliveries",
                "Subscribe-message deliveries in the outbox, by status",
            ),
            &["status"],
        )?;
        let outbox_due = IntGauge::new(
            "push_deliveries_due",
            "Pending deliveries whose time has come",
        )?;
        let outbox_oldest_due = Gauge::new(
            "push_oldest_due_age_seconds",
            "How long the longest-waiting due delivery has waited (0 when none)",
        )?;
        let wechat_calls = histogram(
            "wechat_call_duration_seconds",
            "Calls to WeChat's server API, by API and outcome (ok, errcode_<n>, http_<status>, timeout, not_connected, unreachable, bad_response)",
            &["api", "outcome"],
        )?;
        let scrape_errors = GaugeVec::new(
            Opts::new(
                "metrics_source_up",
                "Whether the last scrape could read each source (1) or not (0)",
            ),
            &["source"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(db_connections.clone()))?;
        registry.register(Box::new(db_max_connections.clone()))?;
        registry.register(Box::new(db_acquire.clone()))?;
        registry.register(Box::new(db_statements.clone()))?;
        registry.register(Box::new(cache_ops.clone()))?;
        registry.register(Box::new(cache_errors.clone()))?;
        registry.register(Box::new(outbox.clone()))?;
        registry.register(Box::new(outbox_due.clone()))?;
        registry.register(Box::new(outbox_oldest_due.clone()))?;
        registry.register(Box::new(wechat_calls.clone()))?;
        registry.register(Box::new(scrape_errors.clone()))?;
        let near_trusted = IntGauge::new(
            "near_cache_trusted",
            "Whether this instance reads from its near cache (1: subscribed to invalidations) or from storage (0)",
        )?;
        let near_entries = IntGauge::new(
            "near_cache_entries",
            "Entries in the near cache (principals, activities, mirrored feed keys)",
        )?;
        let near_events = IntGaugeVec::new(
            Opts::new(
                "near_cache_events",
                "Near-cache reads and resets since start, by event (hit, miss, bypassed: read from storage while not trusted, invalidation, reset)",
            ),
            &["event"],
        )?;
        registry.register(Box::new(near_trusted.clone()))?;
        registry.register(Box::new(near_entries.clone()))?;
        registry.register(Box::new(near_events.clone()))?;
        #[cfg(target_os = "linux")]
        registry.register(Box::new(
            prometheus::process_collector::ProcessCollector::for_self(),
        ))?;
        Ok(Self {
            registry,
            requests,
            latency,
            db_connections,
            db_max_connections,
            db_acquire,
            db_statements,
            cache_ops,
            cache_errors,
            outbox,
            outbox_due,
            outbox_oldest_due,
            wechat_calls,
            scrape_errors,
            near_trusted,
            near_entries,
            near_events,
            refreshed: Arc::new(tokio::sync::Mutex::new(None)),
        })
    }

    /// `route` is the matched pattern (`/api/v1/orgs/{id}`), never the raw path, so ids do
    /// not explode the label space.
    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let status = status.to_string();
        let labels = [method, route, status.as_str()];
        self.requests.with_label_values(&labels).inc();
        self.latency.with_label_values(&labels).observe(seconds);
    }

    /// One database statement.
    pub fn observe_statement(&self, elapsed: Duration, failed: bool) {
        let outcome = if failed { "error" } else { "ok" };
        self.db_statements
            .with_label_values(&[outcome])
            .observe(elapsed.as_secs_f64());
    }

    /// Reads what is measured at scrape time (pool, outbox), then renders everything.
    pub async fn render(
        &self,
        state: &crate::state::AppState,
    ) -> Result<String, prometheus::Error> {
        self.refresh(state).await;
        let near = &state.near.cache;
        self.near_trusted.set(i64::from(near.trusted()));
        self.near_entries
            .set(i64::try_from(near.entries()).unwrap_or(i64::MAX));
        let stats = &near.stats;
        for (event, n) in [
            ("hit", &stats.hits),
            ("miss", &stats.misses),
            ("bypassed", &stats.bypassed),
            ("invalidation", &stats.invalidations),
            ("reset", &stats.resets),
        ] {
            let n = n.load(std::sync::atomic::Ordering::Relaxed);
            self.near_events
                .with_label_values(&[event])
                .set(i64::try_from(n).unwrap_or(i64::MAX));
        }
        let mut out = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut out)?;
        String::from_utf8(out).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }

    async fn refresh(&self, state: &crate::state::AppState) {
        // One reading at a time, and none if the last is fresh enough.
        let mut refreshed = self.refreshed.lock().await;
        if refreshed.is_some_and(|at| at.elapsed() < REFRESH_EVERY) {
            return;
        }
        *refreshed = Some(std::time::Instant::now());
        let to_i64 = |n: u32| i64::from(n);
        let pool = state.db.pool_stats();
        let idle = pool.idle.min(pool.open);
        self.db_connections
            .with_label_values(&["in_use"])
            .set(to_i64(pool.open - idle));
        self.db_connections
            .with_label_values(&["idle"])
            .set(to_i64(idle));
        self.db_max_connections.set(to_i64(pool.max));
        let limit = Duration::from_secs(5);
        let waited = state.db.acquire_time(limit).await.unwrap_or(limit);
        self.db_acquire.set(waited.as_secs_f64());

        let now = state.clock.now();
        use domain::push::PushRepo;
        match state.db.repos().stats(now).await {
            Ok(stats) => {
                self.outbox.reset();
                for (status, n) in stats.by_status {
                    self.outbox
                        .with_label_values(&[status.as_str()])
                        .set(i64::try_from(n).unwrap_or(i64::MAX));
                }
                self.outbox_due
                    .set(i64::try_from(stats.due).unwrap_or(i64::MAX));
                let age = stats
                    .oldest_due
                    .map(|t| (now - t).num_milliseconds().max(0) as f64 / 1000.0)
                    .unwrap_or(0.0);
                self.outbox_oldest_due.set(age);
                self.scrape_errors.with_label_values(&["outbox"]).set(1.0);
            }
            Err(e) => {
                tracing::warn!(error = %e, "outbox metrics unavailable");
                self.scrape_errors.with_label_values(&["outbox"]).set(0.0);
            }
        }
    }
}

/// `GET /metrics` on the metrics listener: the Prometheus text format.
pub async fn serve(
    metrics: actix_web::web::Data<Metrics>,
    state: actix_web::web::Data<crate::state::AppState>,
) -> actix_web::HttpResponse {
    match metrics.render(&state).await {
        Ok(text) => actix_web::HttpResponse::Ok()
            .content_type("text/plain; version=0.0.4")
            .body(text),
        Err(e) => {
            tracing::error!(error = %e, "metrics could not be rendered");
            actix_web::HttpResponse::InternalServerError().finish()
        }
    }
}

/// Binds the metrics listener: `/metrics` and nothing else.
pub fn server(
    listener: std::net::TcpListener,
    metrics: Metrics,
    state: actix_web::web::Data<crate::state::AppState>,
) -> std::io::Result<actix_web::dev::Server> {
    let metrics = actix_web::web::Data::new(metrics);
    Ok(actix_web::HttpServer::new(move || {
        actix_web::App::new()
            .app_data(metrics.clone())
            .app_data(state.clone())
            .route("/metrics", actix_web::web::get().to(serve))
    })
    .workers(1)
    .disable_signals()
    .shutdown_timeout(1)
    .listen(listener)?
    .run())
}

impl infra::wechat::CallObserver for Metrics {
    fn observe(&self, api: &str, outcome: &str, seconds: f64) {
        self.wechat_calls
            .with_label_values(&[api, outcome])
            .observe(seconds);
    }
}

/// The shared cache, timed: every operation's latency and every failure go to the metrics.
#[derive(Debug)]
pub struct MeteredCache {
    inner: Arc<dyn Cache>,
    metrics: Metrics,
}

impl MeteredCache {
    pub fn new(inner: Arc<dyn Cache>, metrics: Metrics) -> Self {
        Self { inner, metrics }
    }

    fn record<T>(&self, op: &str, started: std::time::Instant, result: &Result<T, CacheError>) {
        let outcome = match result {
            Ok(_) => "ok",
            Err(CacheError::Unavailable(_)) => "unavailable",
            Err(CacheError::Failed(_)) => "failed",
        };
        self.metrics
            .cache_ops
            .with_label_values(&[op, outcome])
            .observe(started.elapsed().as_secs_f64());
        if result.is_err() {
            self.metrics
                .cache_errors
                .with_label_values(&[op, outcome])
                .inc();
        }
    }
}

macro_rules! timed {
    ($self:ident, $op:literal, $call:expr) => {{
        let started = std::time::Instant::now();
        let result = $call.await;
        $self.record($op, started, &result);
        result
    }};
}

#[async_trait]
impl Cache for MeteredCache {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        timed!(self, "get", self.inner.get(key))
    }

    async fn set(&self, key: &str, value: &[u8], ttl: Option<Duration>) -> Result<(), CacheError> {
        timed!(self, "set", self.inner.set(key, value, ttl))
    }

    async fn set_if_absent(
        &self,
        key: &str,
        value: &[u8],
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        timed!(
            self,
            "set_if_absent",
            self.inner.set_if_absent(key, value, ttl)
        )
    }

    async fn delete(&self, key: &str) -> Result<bool, CacheError> {
        timed!(self, "delete", self.inner.delete(key))
    }

    async fn replace_if_equals(
        &self,
        key: &str,
        expected: &[u8],
        value: &[u8],
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        timed!(
            self,
            "replace_if_equals",
            self.inner.replace_if_equals(key, expected, value, ttl)
        )
    }

    async fn delete_if_equals(&self, key: &str, expected: &[u8]) -> Result<bool, CacheError> {
        timed!(
            self,
            "delete_if_equals",
            self.inner.delete_if_equals(key, expected)
        )
    }

    async fn increment(&self, key: &str, ttl: Duration) -> Result<i64, CacheError> {
        timed!(self, "increment", self.inner.increment(key, ttl))
    }

    async fn ping(&self) -> Result<(), CacheError> {
        timed!(self, "ping", self.inner.ping())
    }
}
