//! Settings, layered: built-in defaults (the embedded mode) → optional TOML file →
//! environment (`APP_…`, plus the conventional `DATABASE_URL` and `REDIS_URL`).
//!
//! A bad value stops start-up with one line naming the setting. URLs that may carry
//! passwords are held in [`SecretString`] so `Debug` and logs never show them.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize};

pub const ENV_PREFIX: &str = "APP_";
/// Environment variable naming an optional TOML settings file.
pub const CONFIG_FILE_ENV: &str = "APP_CONFIG_FILE";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Human,
    Json,
}

/// The validated settings the application runs with.
#[derive(Debug, Clone)]
pub struct Settings {
    pub host: String,
    /// 0 asks the system for a free port (tests).
    pub port: u16,
    /// Where `/metrics` is served: its own listener, never the API's.
    pub metrics_host: String,
    /// 0 asks the system for a free port (tests).
    pub metrics_port: u16,
    pub database_url: SecretString,
    pub redis_url: Option<SecretString>,
    pub cache_prefix: String,
    pub log_format: LogFormat,
    pub log_level: String,
    pub body_limit: usize,
    pub cors_origins: Vec<String>,
    /// Proxies whose `X-Forwarded-For` is believed when finding a client's address.
    pub trusted_proxies: Vec<crate::http::client_ip::IpNet>,
    pub workers: usize,
    pub shutdown_timeout: Duration,
    pub db_max_connections: u32,
    pub db_connect_retry: Duration,
    pub db_acquire_timeout: Duration,
    pub cache_timeout: Duration,
    /// `kid:base64secret` entries, comma-separated; the last one signs. Unset in the
    /// embedded mode: a key is generated once beside the SQLite file.
    pub jwt_keys: Option<SecretString>,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    /// Create the demo township at start-up when running on SQLite (the embedded mode).
    pub seed_demo: bool,
    /// The WeChat mini-program, when one is configured (sign-in answers 503 without it).
    pub wechat: Option<infra::wechat::WeChatConfig>,
    /// The study-points formula and daily cap.
    pub study_points: domain::material::PointRules,
    /// The share (0-1) of a branch's expected members who must complete the monthly lesson
    /// by the month's end for the branch to count as having organised it.
    pub lesson_organised_share: f64,
    /// Subscribe-message push: templates and the worker's pace.
    pub push: PushSettings,
    /// How long a 96345 requester's personal data is kept after the request is over.
    pub volunteer_retention: domain::volunteer::Retention,
    /// How big each instance's near cache may grow and how long its entries live.
    pub near_cache: infra::near::Sizing,
}

/// Subscribe-message push. A kind of message whose template is unset is not pushed; with no
/// WeChat app configured nothing is.
#[derive(Debug, Clone)]
pub struct PushSettings {
    pub templates: domain::push::PushTemplates,
    /// How long before an activity starts its reminder goes out.
    pub reminder_lead: Duration,
    /// How long before an obligation's period ends its secretary is told it is still due.
    pub obligation_lead: Duration,
    /// How long before a 96345 request's deadline those who must act are reminded.
    pub volunteer_lead: Duration,
    /// How often each instance's worker looks for due deliveries.
    pub interval: Duration,
    /// `formal`, `trial` or `developer`: which mini-program version a message opens.
    pub miniprogram_state: String,
    /// Attempts before a retryable failure becomes final.
    pub max_attempts: i32,
}

/// The shape of every layer before validation; field names are the setting names
/// (`port` ↔ `APP_PORT` ↔ `port = …` in the file). No `Debug`: it holds URLs in clear.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Layered {
    host: String,
    port: u16,
    metrics_host: String,
    metrics_port: u16,
    database_url: String,
    #[serde(default)]
    redis_url: Option<String>,
    cache_prefix: String,
    log_format: LogFormat,
    log_level: String,
    body_limit: usize,
    #[serde(deserialize_with = "string_or_list")]
    cors_origins: Vec<String>,
    #[serde(deserialize_with = "string_or_list")]
    trusted_proxies: Vec<String>,
    workers: usize,
    shutdown_timeout_secs: u64,
    db_max_connections: u32,
    db_connect_retry_secs: u64,
    db_acquire_timeout_secs: u64,
    cache_timeout_ms: u64,
    #[serde(default)]
    jwt_keys: Option<String>,
    jwt_issuer: String,
    jwt_audience: String,
    access_token_ttl_secs: u64,
    refresh_token_ttl_days: u64,
    seed_demo: bool,
    #[serde(default)]
    wechat_app_id: Option<String>,
    #[serde(default)]
    wechat_app_secret: Option<String>,
    wechat_api_base: String,
    wechat_timeout_ms: u64,
    study_points_per_material: i32,
    study_points_per_required: i32,
    study_points_daily_cap: i32,
    lesson_organised_percent: u8,
    #[serde(default)]
    push_template_material: Option<String>,
    #[serde(default)]
    push_template_reminder: Option<String>,
    #[serde(default)]
    push_template_review: Option<String>,
    #[serde(default)]
    push_template_obligation: Option<String>,
    #[serde(default)]
    push_template_appraisal: Option<String>,
    #[serde(default)]
    push_template_volunteer: Option<String>,
    push_volunteer_lead_hours: u32,
    push_reminder_lead_minutes: u32,
    push_obligation_lead_days: u32,
    push_interval_secs: u64,
    push_miniprogram_state: String,
    push_max_attempts: i32,
    volunteer_erase_after_days: u32,
    near_cache_principals: u64,
    near_cache_activities: u64,
    near_cache_mirror_mb: u64,
    near_cache_ttl_secs: u64,
}

impl Default for Layered {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 8080,
            metrics_host: "127.0.0.1".into(),
            metrics_port: 9464,
            database_url: "sqlite://data/app.db?mode=rwc".into(),
            redis_url: None,
            cache_prefix: "zjsdkt:".into(),
            log_format: LogFormat::Human,
            log_level: "info".into(),
            body_limit: 1024 * 1024,
            cors_origins: Vec::new(),
            trusted_proxies: Vec::new(),
            workers: 0,
            shutdown_timeout_secs: 30,
            db_max_connections: 10,
            db_connect_retry_secs: 30,
            db_acquire_timeout_secs: 5,
            cache_timeout_ms: 1000,
            jwt_keys: None,
            jwt_issuer: "zhijian-classroom".into(),
            jwt_audience: "zhijian-classroom-api".into(),
            access_token_ttl_secs: 900,
            refresh_token_ttl_days: 30,
            seed_demo: true,
            wechat_app_id: None,
            wechat_app_secret: None,
            wechat_api_base: "https://api.weixin.qq.com/".into(),
            wechat_timeout_ms: 5000,
            study_points_per_material: 1,
            study_points_per_required: 2,
            study_points_daily_cap: 10,
            lesson_organised_percent: 50,
            push_template_material: None,
            push_template_reminder: None,
            push_template_review: None,
            push_template_obligation: None,
            push_template_appraisal: None,
            push_template_volunteer: None,
            push_volunteer_lead_hours: 24,
            push_reminder_lead_minutes: 60,
            push_obligation_lead_days: 7,
            push_interval_secs: 10,
            push_miniprogram_state: "formal".into(),
            push_max_attempts: 5,
            volunteer_erase_after_days: domain::volunteer::Retention::DEFAULT_DAYS,
            near_cache_principals: 100_000,
            near_cache_activities: 20_000,
            near_cache_mirror_mb: 64,
            near_cache_ttl_secs: 300,
        }
    }
}

/// The near cache's bounds: entries 0 (nothing kept) to 10,000,000, the mirror 0-4096 MiB,
/// entries living 1-3600 s.
fn near_cache_sizing(l: &Layered) -> Result<infra::near::Sizing, ConfigError> {
    for (name, value) in [
        ("near_cache_principals", l.near_cache_principals),
        ("near_cache_activities", l.near_cache_activities),
    ] {
        if value > 10_000_000 {
            return Err(ConfigError::new(name, "must be between 0 and 10000000"));
        }
    }
    if l.near_cache_mirror_mb > 4096 {
        return Err(ConfigError::new(
            "near_cache_mirror_mb",
            "must be between 0 and 4096",
        ));
    }
    if !(1..=3600).contains(&l.near_cache_ttl_secs) {
        return Err(ConfigError::new(
            "near_cache_ttl_secs",
            "must be between 1 and 3600",
        ));
    }
    Ok(infra::near::Sizing {
        principals: l.near_cache_principals,
        activities: l.near_cache_activities,
        mirror_bytes: l.near_cache_mirror_mb * 1024 * 1024,
        ttl: Duration::from_secs(l.near_cache_ttl_secs),
    })
}

/// The WeChat app: both its id and secret, or neither; the API base an http(s) URL.
fn wechat_config(
    app_id: Option<&str>,
    secret: Option<&str>,
    base: &str,
    timeout_ms: u64,
) -> Result<Option<infra::wechat::WeChatConfig>, ConfigError> {
    let app_id = app_id.map(str::trim).filter(|s| !s.is_empty());
    let secret = secret.map(str::trim).filter(|s| !s.is_empty());
    let (app_id, secret) = match (app_id, secret) {
        (None, None) => return Ok(None),
        (Some(id), Some(secret)) => (id, secret),
        (Some(_), None) => {
            return Err(ConfigError::new(
                "wechat_app_secret",
                "required when wechat_app_id is set",
            ))
        }
        (None, Some(_)) => {
            return Err(ConfigError::new(
                "wechat_app_id",
                "required when wechat_app_secret is set",
            ))
        }
    };
    let mut base = base.trim().to_owned();
    if !base.ends_with('/') {
        base.push('/');
    }
    let api_base = match url::Url::parse(&base) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => u,
        _ => {
            return Err(ConfigError::new(
                "wechat_api_base",
                "must be an http(s) URL such as https://api.weixin.qq.com",
            ))
        }
    };
    if !(100..=60_000).contains(&timeout_ms) {
        return Err(ConfigError::new(
            "wechat_timeout_ms",
            "must be between 100 and 60000",
        ));
    }
    Ok(Some(infra::wechat::WeChatConfig {
        app_id: app_id.to_owned(),
        app_secret: SecretString::from(secret.to_owned()),
        api_base,
        timeout: Duration::from_millis(timeout_ms),
    }))
}

fn push_settings(l: &Layered, wechat: bool) -> Result<PushSettings, ConfigError> {
    let mut templates = domain::push::PushTemplates::default();
    for (name, raw, slot) in [
        (
            "push_template_material",
            &l.push_template_material,
            &mut templates.material,
        ),
        (
            "push_template_reminder",
            &l.push_template_reminder,
            &mut templates.reminder,
        ),
        (
            "push_template_review",
            &l.push_template_review,
            &mut templates.review,
        ),
        (
            "push_template_obligation",
            &l.push_template_obligation,
            &mut templates.obligation,
        ),
        (
            "push_template_appraisal",
            &l.push_template_appraisal,
            &mut templates.appraisal,
        ),
        (
            "push_template_volunteer",
            &l.push_template_volunteer,
            &mut templates.volunteer,
        ),
    ] {
        let Some(raw) = raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
            continue;
        };
        let id = domain::push::Subscription::validate_template_id(raw)
            .map_err(|_| ConfigError::new(name, "not a subscribe-message template id"))?;
        if !wechat {
            return Err(ConfigError::new(
                name,
                "needs wechat_app_id and wechat_app_secret",
            ));
        }
        *slot = Some(id);
    }
    if !(1..=7 * 24 * 60).contains(&l.push_reminder_lead_minutes) {
        return Err(ConfigError::new(
            "push_reminder_lead_minutes",
            "must be between 1 and 10080 (a week)",
        ));
    }
    if !(1..=168).contains(&l.push_volunteer_lead_hours) {
        return Err(ConfigError::new(
            "push_volunteer_lead_hours",
            "must be between 1 and 168 (a week)",
        ));
    }
    if !(1..=31).contains(&l.push_obligation_lead_days) {
        return Err(ConfigError::new(
            "push_obligation_lead_days",
            "must be between 1 and 31",
        ));
    }
    if !(1..=3600).contains(&l.push_interval_secs) {
        return Err(ConfigError::new(
            "push_interval_secs",
            "must be between 1 and 3600",
        ));
    }
    if !matches!(
        l.push_miniprogram_state.as_str(),
        "formal" | "trial" | "developer"
    ) {
        return Err(ConfigError::new(
            "push_miniprogram_state",
            "must be formal, trial or developer",
        ));
    }
    if !(1..=20).contains(&l.push_max_attempts) {
        return Err(ConfigError::new(
            "push_max_attempts",
            "must be between 1 and 20",
        ));
    }
    Ok(PushSettings {
        templates,
        reminder_lead: Duration::from_secs(u64::from(l.push_reminder_lead_minutes) * 60),
        volunteer_lead: Duration::from_secs(u64::from(l.push_volunteer_lead_hours) * 3600),
        obligation_lead: Duration::from_secs(u64::from(l.push_obligation_lead_days) * 24 * 3600),
        interval: Duration::from_secs(l.push_interval_secs),
        miniprogram_state: l.push_miniprogram_state.clone(),
        max_attempts: l.push_max_attempts,
    })
}

/// Accepts `"a, b"` (environment) as well as `["a", "b"]` (file).
fn string_or_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        OneOrMany::Many(v) => v,
    })
}

/// A setting that cannot be used, named as the operator would set it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid setting {name}: {reason}")]
pub struct ConfigError {
    /// The setting as the operator wrote it: its environment variable, or its TOML key and
    /// file when the value came from the file.
    pub name: String,
    pub reason: String,
    /// The setting's key (the TOML name).
    key: String,
}

impl ConfigError {
    fn new(key: &str, reason: impl Into<String>) -> Self {
        Self {
            name: env_name(key),
            reason: reason.into(),
            key: key.to_owned(),
        }
    }

    /// Names the setting by where its value came from: a TOML file's key, or the
    /// environment variable.
    fn located(mut self, figment: &Figment) -> Self {
        if let Some(source) = figment
            .find_metadata(&self.key)
            .filter(|m| m.name.contains("TOML"))
            .and_then(|m| m.source.as_ref())
        {
            self.name = format!("{} (in {source})", self.key);
        }
        self
    }
}

fn env_name(key: &str) -> String {
    match key {
        "database_url" | "redis_url" => key.to_uppercase(),
        "" => "(settings)".to_owned(),
        _ => format!("{ENV_PREFIX}{}", key.to_uppercase()),
    }
}

impl Settings {
    /// Loads the layers from the process environment and the optional file.
    pub fn load(config_file: Option<&Path>) -> Result<Self, ConfigError> {
        let file = config_file
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os(CONFIG_FILE_ENV).map(PathBuf::from));
        let mut figment = Figment::from(Serialized::defaults(Layered::default()));
        if let Some(file) = file {
            if !file.is_file() {
                return Err(ConfigError {
                    name: CONFIG_FILE_ENV.to_owned(),
                    reason: format!("no such file: {}", file.display()),
                    key: "config_file".to_owned(),
                });
            }
            figment = figment.merge(Toml::file_exact(file));
        }
        figment = figment
            .merge(
                Env::prefixed(ENV_PREFIX)
                    .ignore(&["CONFIG_FILE"])
                    .map(|k| k.as_str().to_lowercase().into()),
            )
            .merge(
                Env::raw()
                    .only(&["DATABASE_URL", "REDIS_URL"])
                    .map(|k| k.as_str().to_lowercase().into()),
            );
        Self::from_figment(&figment)
    }

    /// The embedded default, as `cargo run` gets it with nothing configured.
    pub fn embedded_default() -> Self {
        // The defaults are valid by construction; a test pins that.
        Self::validate(Layered::default()).unwrap_or_else(|e| unreachable!("{e}"))
    }

    fn from_figment(figment: &Figment) -> Result<Self, ConfigError> {
        let layered: Layered = figment.extract().map_err(|e| {
            let key = e.path.last().cloned().unwrap_or_default();
            let reason = match &e.kind {
                figment::error::Kind::UnknownField(field, _) => {
                    return ConfigError::new(field, "unknown setting").located(figment);
                }
                kind => kind.to_string(),
            };
            ConfigError::new(&key, reason).located(figment)
        })?;
        Self::validate(layered).map_err(|e| e.located(figment))
    }

    fn validate(l: Layered) -> Result<Self, ConfigError> {
        let database_url = l.database_url.trim().to_owned();
        match url::Url::parse(&database_url) {
            Ok(u) if matches!(u.scheme(), "sqlite" | "postgres" | "postgresql") => {}
            Ok(u) => {
                return Err(ConfigError::new(
                    "database_url",
                    format!(
                        "unsupported scheme '{}' (expected sqlite or postgres)",
                        u.scheme()
                    ),
                ))
            }
            Err(e) => return Err(ConfigError::new("database_url", format!("not a URL ({e})"))),
        }
        let redis_url = match l.redis_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => match url::Url::parse(raw) {
                Ok(u) if matches!(u.scheme(), "redis" | "rediss" | "unix" | "redis+unix") => {
                    Some(SecretString::from(raw.to_owned()))
                }
                Ok(u) => {
                    return Err(ConfigError::new(
                        "redis_url",
                        format!(
                            "unsupported scheme '{}' (expected redis or rediss)",
                            u.scheme()
                        ),
                    ))
                }
                Err(e) => return Err(ConfigError::new("redis_url", format!("not a URL ({e})"))),
            },
        };
        if l.metrics_host.parse::<IpAddr>().is_err() && l.metrics_host != "localhost" {
            return Err(ConfigError::new(
                "metrics_host",
                "must be an IP address or localhost",
            ));
        }
        if l.metrics_port != 0 && l.metrics_port == l.port {
            return Err(ConfigError::new(
                "metrics_port",
                "must differ from port: metrics are served apart from the API",
            ));
        }
        if l.host.parse::<IpAddr>().is_err() && l.host != "localhost" {
            return Err(ConfigError::new(
                "host",
                "must be an IP address or localhost",
            ));
        }
        if l.body_limit == 0 {
            return Err(ConfigError::new("body_limit", "must be at least 1 byte"));
        }
        if l.db_max_connections < 2 {
            // Migrations on PostgreSQL hold a lock on one connection while using another.
            return Err(ConfigError::new("db_max_connections", "must be at least 2"));
        }
        if l.log_level
            .parse::<tracing_subscriber::EnvFilter>()
            .is_err()
        {
            return Err(ConfigError::new(
                "log_level",
                "not a tracing filter (e.g. info, api=debug)",
            ));
        }
        for origin in &l.cors_origins {
            match url::Url::parse(origin) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.path() == "/" => {}
                _ => {
                    return Err(ConfigError::new(
                        "cors_origins",
                        format!("'{origin}' is not an origin like https://h5.example.cn"),
                    ))
                }
            }
        }
        let trusted_proxies = l
            .trusted_proxies
            .iter()
            .map(|p| p.parse())
            .collect::<Result<Vec<_>, String>>()
            .map_err(|e| ConfigError::new("trusted_proxies", e))?;
        if !(60..=900).contains(&l.access_token_ttl_secs) {
            return Err(ConfigError::new(
                "access_token_ttl_secs",
                "must be between 60 and 900 (15 minutes)",
            ));
        }
        if !(1..=180).contains(&l.refresh_token_ttl_days) {
            return Err(ConfigError::new(
                "refresh_token_ttl_days",
                "must be between 1 and 180",
            ));
        }
        let jwt_keys = match l.jwt_keys.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => {
                let entries: Vec<String> = raw.split(',').map(str::to_owned).collect();
                crate::auth::keys::KeyRing::parse_configured(&entries)
                    .map_err(|e| ConfigError::new("jwt_keys", e.to_string()))?;
                Some(SecretString::from(raw.to_owned()))
            }
        };
        for (name, value) in [
            ("study_points_per_material", l.study_points_per_material),
            ("study_points_per_required", l.study_points_per_required),
            ("study_points_daily_cap", l.study_points_daily_cap),
        ] {
            if !(0..=1000).contains(&value) {
                return Err(ConfigError::new(name, "must be between 0 and 1000"));
            }
        }
        if !(1..=100).contains(&l.lesson_organised_percent) {
            return Err(ConfigError::new(
                "lesson_organised_percent",
                "must be between 1 and 100",
            ));
        }
        let volunteer_retention = domain::volunteer::Retention::days(l.volunteer_erase_after_days)
            .ok_or_else(|| {
                ConfigError::new("volunteer_erase_after_days", "must be between 1 and 3650")
            })?;
        let wechat = wechat_config(
            l.wechat_app_id.as_deref(),
            l.wechat_app_secret.as_deref(),
            &l.wechat_api_base,
            l.wechat_timeout_ms,
        )?;
        let push = push_settings(&l, wechat.is_some())?;
        let near_cache = near_cache_sizing(&l)?;
        Ok(Self {
            host: l.host,
            port: l.port,
            metrics_host: l.metrics_host,
            metrics_port: l.metrics_port,
            database_url: SecretString::from(database_url),
            redis_url,
            cache_prefix: l.cache_prefix,
            log_format: l.log_format,
            log_level: l.log_level,
            body_limit: l.body_limit,
            cors_origins: l.cors_origins,
            trusted_proxies,
            workers: l.workers,
            shutdown_timeout: Duration::from_secs(l.shutdown_timeout_secs),
            db_max_connections: l.db_max_connections,
            db_connect_retry: Duration::from_secs(l.db_connect_retry_secs),
            db_acquire_timeout: Duration::from_secs(l.db_acquire_timeout_secs.max(1)),
            cache_timeout: Duration::from_millis(l.cache_timeout_ms.max(1)),
            jwt_keys,
            jwt_issuer: l.jwt_issuer,
            jwt_audience: l.jwt_audience,
            access_token_ttl: Duration::from_secs(l.access_token_ttl_secs),
            refresh_token_ttl: Duration::from_secs(l.refresh_token_ttl_days * 24 * 3600),
            seed_demo: l.seed_demo,
            wechat,
            study_points: domain::material::PointRules {
                per_material: l.study_points_per_material,
                per_required: l.study_points_per_required,
                daily_cap: l.study_points_daily_cap,
            },
            lesson_organised_share: f64::from(l.lesson_organised_percent) / 100.0,
            push,
            volunteer_retention,
            near_cache,
        })
    }

    /// Where the database is, without credentials, for logs.
    pub fn database_location(&self) -> String {
        redact_url(self.database_url.expose_secret())
    }

    pub fn redis_location(&self) -> Option<String> {
        self.redis_url
            .as_ref()
            .map(|u| redact_url(u.expose_secret()))
    }
}

/// Scheme, host, port and path of a URL; never user or password.
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(u) => {
            let host = u.host_str().unwrap_or_default();
            let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
            format!("{}://{}{}{}", u.scheme(), host, port, u.path())
        }
        Err(_) => "(unparseable URL)".to_owned(),
    }
}

#[cfg(test)]
#[allow(
    clippy::result_large_err,
    reason = "figment::Jail closures return figment's own error"
)]
mod tests {
    use super::*;
    use figment::Jail;

    fn load_in_jail(f: impl FnOnce(&mut Jail) -> figment::error::Result<()>) {
        if let Err(e) = Jail::try_with(f) {
            panic!("{e}");
        }
    }

    #[test]
    fn nothing_set_gives_the_embedded_default() {
        load_in_jail(|_| {
            let s = Settings::load(None).map_err(|e| e.to_string())?;
            assert_eq!(s.host, "127.0.0.1");
            assert_eq!(s.port, 8080);
            assert_eq!(
                s.database_url.expose_secret(),
                "sqlite://data/app.db?mode=rwc"
            );
            assert!(s.redis_url.is_none());
            assert_eq!(s.body_limit, 1024 * 1024);
            assert_eq!(s.log_format, LogFormat::Human);
            Ok(())
        });
    }

    #[test]
    fn environment_overrides_file_which_overrides_defaults() {
        load_in_jail(|jail| {
            jail.create_file(
                "app.toml",
                "port = 9000\nlog_format = \"json\"\ncors_origins = [\"https://h5.example.cn\"]",
            )?;
            jail.set_env("APP_PORT", "9100");
            let s = Settings::load(Some(Path::new("app.toml"))).map_err(|e| e.to_string())?;
            assert_eq!(s.port, 9100);
            assert_eq!(s.log_format, LogFormat::Json);
            assert_eq!(s.cors_origins, vec!["https://h5.example.cn".to_owned()]);
            Ok(())
        });
    }

    #[test]
    fn comma_separated_lists_come_from_the_environment() {
        load_in_jail(|jail| {
            jail.set_env(
                "APP_CORS_ORIGINS",
                "https://a.example.cn, https://b.example.cn",
            );
            jail.set_env("APP_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7");
            let s = Settings::load(None).map_err(|e| e.to_string())?;
            assert_eq!(s.trusted_proxies.len(), 2);
            assert_eq!(
                s.cors_origins,
                vec![
                    "https://a.example.cn".to_owned(),
                    "https://b.example.cn".to_owned()
                ]
            );
            Ok(())
        });
    }

    fn error_for(var: &str, value: &str) -> ConfigError {
        let mut out = None;
        load_in_jail(|jail| {
            jail.set_env(var, value);
            out = Settings::load(None).err();
            Ok(())
        });
        out.unwrap_or_else(|| panic!("{var}={value} was accepted"))
    }

    #[test]
    fn bad_settings_are_named_as_the_operator_set_them() {
        assert_eq!(error_for("APP_PORT", "70000").name, "APP_PORT");
        assert_eq!(error_for("APP_PORT", "eighty").name, "APP_PORT");
        assert_eq!(error_for("APP_LOG_FORMAT", "xml").name, "APP_LOG_FORMAT");
        assert_eq!(error_for("DATABASE_URL", "not a url").name, "DATABASE_URL");
        assert_eq!(
            error_for("DATABASE_URL", "mysql://h/db").name,
            "DATABASE_URL"
        );
        assert_eq!(error_for("REDIS_URL", "::").name, "REDIS_URL");
        assert_eq!(
            error_for("APP_CORS_ORIGINS", "not-an-origin").name,
            "APP_CORS_ORIGINS"
        );
        assert_eq!(error_for("APP_BODY_LIMIT", "0").name, "APP_BODY_LIMIT");
        assert_eq!(
            error_for("APP_TRUSTED_PROXIES", "10.0.0.0/8, proxy.local").name,
            "APP_TRUSTED_PROXIES"
        );
        assert_eq!(
            error_for("APP_STUDY_POINTS_DAILY_CAP", "-1").name,
            "APP_STUDY_POINTS_DAILY_CAP"
        );
        assert_eq!(
            error_for("APP_NO_SUCH_THING", "1").name,
            "APP_NO_SUCH_THING"
        );
    }

    #[test]
    fn requesters_data_is_kept_one_day_to_ten_years_after_a_request_is_over() {
        for bad in ["0", "3651", "-1", "half a year"] {
            assert_eq!(
                error_for("APP_VOLUNTEER_ERASE_AFTER_DAYS", bad).name,
                "APP_VOLUNTEER_ERASE_AFTER_DAYS",
                "{bad}"
            );
        }
        load_in_jail(|jail| {
            assert_eq!(
                Settings::load(None)
                    .map(|s| s.volunteer_retention.in_days())
                    .ok(),
                Some(180)
            );
            jail.set_env("APP_VOLUNTEER_ERASE_AFTER_DAYS", "30");
            assert_eq!(
                Settings::load(None)
                    .map(|s| s.volunteer_retention.in_days())
                    .ok(),
                Some(30)
            );
            Ok(())
        });
    }

    #[test]
    fn a_wechat_app_needs_its_id_and_its_secret() {
        assert_eq!(
            error_for("APP_WECHAT_APP_ID", "wx1234567890abcdef").name,
            "APP_WECHAT_APP_SECRET"
        );
        assert_eq!(
            error_for("APP_WECHAT_APP_SECRET", "secret").name,
            "APP_WECHAT_APP_ID"
        );
        load_in_jail(|jail| {
            assert!(Settings::load(None)
                .map_err(|e| e.to_string())?
                .wechat
                .is_none());
            jail.set_env("APP_WECHAT_APP_ID", "wx1234567890abcdef");
            jail.set_env("APP_WECHAT_APP_SECRET", "s3cret-of-the-app");
            jail.set_env("APP_WECHAT_API_BASE", "http://127.0.0.1:9999/wx");
            let s = Settings::load(None).map_err(|e| e.to_string())?;
            let wechat = s.wechat.clone().ok_or("no wechat config")?;
            assert_eq!(wechat.app_id, "wx1234567890abcdef");
            assert_eq!(wechat.api_base.as_str(), "http://127.0.0.1:9999/wx/");
            assert!(
                !format!("{s:?}").contains("s3cret"),
                "Debug shows the secret"
            );
            jail.set_env("APP_WECHAT_API_BASE", "ftp://x");
            let e = Settings::load(None).err().ok_or("ftp accepted")?;
            assert_eq!(e.name, "APP_WECHAT_API_BASE");
            Ok(())
        });
    }

    #[test]
    fn obligation_notices_have_their_template_and_lead_days() {
        assert_eq!(
            error_for("APP_PUSH_OBLIGATION_LEAD_DAYS", "0").name,
            "APP_PUSH_OBLIGATION_LEAD_DAYS"
        );
        assert_eq!(
            error_for("APP_PUSH_OBLIGATION_LEAD_DAYS", "32").name,
            "APP_PUSH_OBLIGATION_LEAD_DAYS"
        );
        assert_eq!(
            error_for("APP_PUSH_TEMPLATE_OBLIGATION", "tmpl-obligation").name,
            "APP_PUSH_TEMPLATE_OBLIGATION",
            "a template needs the WeChat app"
        );
        load_in_jail(|jail| {
            let s = Settings::load(None).map_err(|e| e.to_string())?;
            assert_eq!(s.push.obligation_lead, Duration::from_secs(7 * 24 * 3600));
            assert!(s.push.templates.obligation.is_none());
            jail.set_env("APP_WECHAT_APP_ID", "wx1234567890abcdef");
            jail.set_env("APP_WECHAT_APP_SECRET", "s3cret-of-the-app");
            jail.set_env("APP_PUSH_TEMPLATE_OBLIGATION", "tmpl-obligation");
            jail.set_env("APP_PUSH_OBLIGATION_LEAD_DAYS", "3");
            let s = Settings::load(None).map_err(|e| e.to_string())?;
            assert_eq!(
                s.push.templates.obligation.as_deref(),
                Some("tmpl-obligation")
            );
            assert_eq!(s.push.obligation_lead, Duration::from_secs(3 * 24 * 3600));
            Ok(())
        });
    }

    #[test]
    fn debug_output_never_shows_passwords() {
        load_in_jail(|jail| {
            jail.set_env("DATABASE_URL", "postgres://app:s3cret-pw@db:5432/app");
            jail.set_env("REDIS_URL", "redis://:r3dis-pw@cache:6379");
            let s = Settings::load(None).map_err(|e| e.to_string())?;
            let shown = format!("{s:?} {} {:?}", s.database_location(), s.redis_location());
            assert!(!shown.contains("s3cret-pw"), "{shown}");
            assert!(!shown.contains("r3dis-pw"), "{shown}");
            assert!(shown.contains("postgres://db:5432/app"), "{shown}");
            Ok(())
        });
    }
}
