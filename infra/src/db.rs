//! Connecting to the database: SQLite (embedded default) or PostgreSQL, with bounded retry
//! at start-up, WAL and a busy timeout on SQLite, and migrations.

use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr,
    TransactionTrait,
};
use sea_orm_migration::MigratorTrait;

use crate::error::map_db_err;
use crate::migration::Migrator;
use domain::error::RepoError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Self::Postgres)
        } else {
            None
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

#[derive(Debug, Clone)]
pub struct DbOptions {
    pub max_connections: u32,
    /// How long start-up keeps retrying an unreachable database before giving up.
    pub connect_retry_for: Duration,
    /// How long a request waits for a pooled connection before the database counts as
    /// unavailable (answered 503).
    pub acquire_timeout: Duration,
    /// How long SQLite waits for a lock held by another connection.
    pub sqlite_busy_timeout: Duration,
}

impl Default for DbOptions {
    fn default() -> Self {
        Self {
            max_connections: 10,
            connect_retry_for: Duration::from_secs(30),
            acquire_timeout: Duration::from_secs(5),
            sqlite_busy_timeout: Duration::from_secs(5),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("unsupported database URL scheme (expected sqlite: or postgres://)")]
    UnsupportedScheme,
    #[error("cannot create the database directory {dir}: {source}")]
    CreateDir { dir: String, source: std::io::Error },
    #[error("database unreachable after {attempts} attempts over {waited:?}: {last}")]
    Unreachable {
        attempts: u32,
        waited: Duration,
        last: String,
    },
}

/// A pooled database handle. Cloning shares the pool.
#[derive(Clone)]
pub struct Db {
    conn: DatabaseConnection,
    backend: Backend,
    observer: Arc<OnceLock<StatementObserver>>,
    /// The near cache repositories read from and announce writes to (none: every read
    /// goes to the database and writes announce nothing).
    near: Option<crate::near::Near>,
}

/// Told how long each statement took and whether it failed (metrics).
pub type StatementObserver = Arc<dyn Fn(Duration, bool) + Send + Sync>;

/// How the connection pool stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// Connections open (in use or idle).
    pub open: u32,
    pub idle: u32,
    pub max: u32,
}

impl std::fmt::Debug for Db {
    // The URL may carry a password: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("backend", &self.backend)
            .finish()
    }
}

/// How long a pooled connection may sit idle and still be used without a ping first.
const IDLE_BEFORE_PING: Duration = Duration::from_secs(30);

impl Db {
    /// Connects, retrying with exponential backoff (see [`crate::retry`]) for at most
    /// `options.connect_retry_for`.
    pub async fn connect(url: &str, options: &DbOptions) -> Result<Self, ConnectError> {
        let backend = Backend::from_url(url).ok_or(ConnectError::UnsupportedScheme)?;
        if backend == Backend::Sqlite {
            ensure_sqlite_dir(url)?;
        }
        let observer: Arc<OnceLock<StatementObserver>> = Arc::new(OnceLock::new());
        let mut opts = ConnectOptions::new(url.to_owned());
        opts.max_connections(options.max_connections)
            .min_connections(0)
            .acquire_timeout(options.acquire_timeout)
            .connect_timeout(options.acquire_timeout)
            // Ping a pooled connection before use only when it sat idle for a while: a ping
            // on every checkout was a third round trip per statement (bench/README.md, feed
            // benchmark), while a connection idle past this may have been cut by the server.
            .test_before_acquire_if_idle_for(IDLE_BEFORE_PING)
            .sqlx_logging(false);
        let busy = options.sqlite_busy_timeout;
        opts.map_sqlx_sqlite_opts(move |o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(busy)
                .foreign_keys(true)
        });

        // The pool connects lazily and each attempt is a ping under our own timeout: sqlx's
        // pool would otherwise retry a refused connection silently for its whole acquire
        // timeout, hiding the attempts and overrunning the retry budget.
        opts.connect_lazy(true);
        crate::retry::with_backoff(
            "database",
            options.connect_retry_for,
            |_| true,
            |remaining| {
                let opts = opts.clone();
                let attempt_timeout = options
                    .acquire_timeout
                    .min(remaining)
                    .max(Duration::from_millis(500));
                let observer = observer.clone();
                async move {
                    let mut conn = Database::connect(opts).await.map_err(|e| e.to_string())?;
                    let seen = observer.clone();
                    conn.set_metric_callback(move |info| {
                        if let Some(observe) = seen.get() {
                            observe(info.elapsed, info.failed);
                        }
                    });
                    match tokio::time::timeout(attempt_timeout, conn.ping()).await {
                        Ok(Ok(())) => Ok(Self {
                            conn,
                            backend,
                            observer,
                            near: None,
                        }),
                        Ok(Err(e)) => {
                            let _ = conn.close_by_ref().await;
                            Err(e.to_string())
                        }
                        Err(_) => {
                            let _ = conn.close_by_ref().await;
                            Err(format!("no connection within {attempt_timeout:?}"))
                        }
                    }
                }
            },
        )
        .await
        .map_err(|e| ConnectError::Unreachable {
            attempts: e.attempts,
            waited: e.waited,
            last: e.last,
        })
    }

    /// Applies every pending migration. On PostgreSQL, instances starting together take
    /// turns: a transaction-scoped advisory lock is held on one pooled connection while the
    /// migrator works on another (so the pool needs at least two connections).
    pub async fn migrate(&self) -> Result<(), DbErr> {
        match self.backend {
            // The embedded mode is a single instance; SQLite's file lock covers the rest.
            Backend::Sqlite => Migrator::up(&self.conn, None).await,
            Backend::Postgres => {
                let lock = self.conn.begin().await?;
                lock.execute_unprepared("SELECT pg_advisory_xact_lock(7240010001)")
                    .await?;
                let result = Migrator::up(&self.conn, None).await;
                lock.commit().await?;
                result
            }
        }
    }

    /// Names of the migrations applied so far, oldest first.
    pub async fn applied_migrations(&self) -> Result<Vec<String>, DbErr> {
        let applied = Migrator::get_applied_migrations(&self.conn).await?;
        Ok(applied.iter().map(|m| m.name().to_owned()).collect())
    }

    /// Names of all migrations this build knows, oldest first.
    pub fn known_migrations() -> Vec<String> {
        Migrator::migrations()
            .iter()
            .map(|m| m.name().to_owned())
            .collect()
    }

    pub async fn ping(&self) -> Result<(), RepoError> {
        self.conn.ping().await.map_err(map_db_err)
    }

    /// Closes the pool: later calls answer `RepoError::Unavailable`.
    pub async fn close(&self) {
        if let Err(e) = self.conn.close_by_ref().await {
            tracing::warn!(error = %e, "closing the database pool failed");
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// This handle with `near` as its near cache: its repositories read from it and
    /// announce their writes through it.
    pub fn with_near(&self, near: crate::near::Near) -> Self {
        Self {
            near: Some(near),
            ..self.clone()
        }
    }

    pub fn near(&self) -> Option<&crate::near::Near> {
        self.near.as_ref()
    }

    /// Reports every statement's duration and failure to `observer` from now on (set once).
    pub fn observe_statements(&self, observer: StatementObserver) {
        let _ = self.observer.set(observer);
    }

    /// The pool's connections now.
    pub fn pool_stats(&self) -> PoolStats {
        let (open, idle, max) = match self.backend {
            Backend::Postgres => {
                let pool = self.conn.get_postgres_connection_pool();
                (
                    pool.size(),
                    pool.num_idle(),
                    pool.options().get_max_connections(),
                )
            }
            Backend::Sqlite => {
                let pool = self.conn.get_sqlite_connection_pool();
                (
                    pool.size(),
                    pool.num_idle(),
                    pool.options().get_max_connections(),
                )
            }
        };
        PoolStats {
            open,
            idle: u32::try_from(idle).unwrap_or(u32::MAX),
            max,
        }
    }

    /// How long taking a connection from the pool takes right now (the wait a request
    /// would see), bounded by `limit`; `None` when none came in time.
    pub async fn acquire_time(&self, limit: Duration) -> Option<Duration> {
        let started = std::time::Instant::now();
        let acquired = match self.backend {
            Backend::Postgres => {
                let pool = self.conn.get_postgres_connection_pool();
                tokio::time::timeout(limit, pool.acquire())
                    .await
                    .ok()?
                    .is_ok()
            }
            Backend::Sqlite => {
                let pool = self.conn.get_sqlite_connection_pool();
                tokio::time::timeout(limit, pool.acquire())
                    .await
                    .ok()?
                    .is_ok()
            }
        };
        acquired.then(|| started.elapsed())
    }

    pub fn connection(&self) -> &DatabaseConnection {
        &self.conn
    }

    pub(crate) fn db_backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }
}

fn ensure_sqlite_dir(url: &str) -> Result<(), ConnectError> {
    let rest = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path.starts_with(":memory:") {
        return Ok(());
    }
    match Path::new(path).parent() {
        Some(dir) if !dir.as_os_str().is_empty() => {
            std::fs::create_dir_all(dir).map_err(|source| ConnectError::CreateDir {
                dir: dir.display().to_string(),
                source,
            })
        }
        _ => Ok(()),
    }
}
