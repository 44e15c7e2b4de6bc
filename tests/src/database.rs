//! One database per test: a SQLite file in a temp directory, or (with `TEST_DATABASE_URL`)
//! a PostgreSQL database cloned from a migrated template and dropped afterwards
//! (kept when `TEST_KEEP_DATABASES` is set, for inspection).

use std::time::Duration;

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};

use infra::{Db, DbOptions};

pub struct TestDatabase {
    pub url: String,
    postgres: Option<PgTarget>,
    _dir: Option<tempfile::TempDir>,
}

struct PgTarget {
    admin_url: String,
    name: String,
}

fn options() -> DbOptions {
    DbOptions {
        max_connections: 5,
        connect_retry_for: Duration::from_secs(5),
        acquire_timeout: Duration::from_secs(5),
        ..DbOptions::default()
    }
}

fn with_database(url: &str, name: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            u.set_path(&format!("/{name}"));
            u.to_string()
        }
        Err(e) => panic!("TEST_DATABASE_URL is not a URL: {e}"),
    }
}

async fn admin(url: &str) -> DatabaseConnection {
    let mut opts = ConnectOptions::new(url.to_owned());
    // One connection, so a session-level advisory lock is released by the session that took it.
    opts.max_connections(1).sqlx_logging(false);
    match Database::connect(opts).await {
        Ok(c) => c,
        Err(e) => panic!("TEST_DATABASE_URL is set but PostgreSQL is unreachable: {e}"),
    }
}

async fn exec(conn: &DatabaseConnection, sql: &str) {
    if let Err(e) = conn.execute_unprepared(sql).await {
        panic!("{sql}: {e}");
    }
}

/// Names the template after the migrations it holds, so a new migration gets a new template.
fn template_name() -> String {
    let mut hash: u64 = 0xcbf29ce484222325;
    for byte in Db::known_migrations().join(",").bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x100000001b3);
    }
    format!("t_tpl_{hash:016x}")
}

impl TestDatabase {
    /// A migrated database of the configured backend.
    pub async fn create() -> Self {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(admin_url) if !admin_url.is_empty() => Self::create_postgres(&admin_url).await,
            _ => {
                let db = Self::blank_sqlite();
                let conn = db.connect_raw().await;
                if let Err(e) = conn.migrate().await {
                    panic!("migrating the test database: {e}");
                }
                db
            }
        }
    }

    /// An empty database with no migrations applied (for migration tests).
    pub async fn blank() -> Self {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(admin_url) if !admin_url.is_empty() => {
                let name = format!("t_{}", uuid::Uuid::new_v4().simple());
                let conn = admin(&admin_url).await;
                exec(&conn, &format!("CREATE DATABASE \"{name}\"")).await;
                let _ = conn.close().await;
                Self {
                    url: with_database(&admin_url, &name),
                    postgres: Some(PgTarget { admin_url, name }),
                    _dir: None,
                }
            }
            _ => Self::blank_sqlite(),
        }
    }

    fn blank_sqlite() -> Self {
        let dir = match tempfile::tempdir() {
            Ok(d) => d,
            Err(e) => panic!("temp dir: {e}"),
        };
        let url = format!("sqlite://{}/test.db?mode=rwc", dir.path().display());
        Self {
            url,
            postgres: None,
            _dir: Some(dir),
        }
    }

    async fn create_postgres(admin_url: &str) -> Self {
        let conn = admin(admin_url).await;
        let template = template_name();
        exec(&conn, "SELECT pg_advisory_lock(724001)").await;
        let exists = conn
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                format!("SELECT 1 FROM pg_database WHERE datname = '{template}'"),
            ))
            .await
            .ok()
            .flatten()
            .is_some();
        if !exists {
            // Built under another name and renamed when complete, so a crash mid-way never
            // leaves a half-migrated template behind.
            let building = format!("{template}_building");
            exec(
                &conn,
                &format!("DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"),
            )
            .await;
            exec(&conn, &format!("CREATE DATABASE \"{building}\"")).await;
            let db = match Db::connect(&with_database(admin_url, &building), &options()).await {
                Ok(db) => db,
                Err(e) => panic!("connecting the template: {e}"),
            };
            if let Err(e) = db.migrate().await {
                panic!("migrating the template: {e}");
            }
            db.close().await;
            exec(
                &conn,
                &format!("ALTER DATABASE \"{building}\" RENAME TO \"{template}\""),
            )
            .await;
        }
        let name = format!("t_{}", uuid::Uuid::new_v4().simple());
        exec(
            &conn,
            &format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""),
        )
        .await;
        exec(&conn, "SELECT pg_advisory_unlock(724001)").await;
        let _ = conn.close().await;
        Self {
            url: with_database(admin_url, &name),
            postgres: Some(PgTarget {
                admin_url: admin_url.to_owned(),
                name,
            }),
            _dir: None,
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    async fn connect_raw(&self) -> Db {
        match Db::connect(&self.url, &options()).await {
            Ok(db) => db,
            Err(e) => panic!("connecting the test database: {e}"),
        }
    }

    /// A new pool on this database.
    pub async fn connect(&self) -> Db {
        self.connect_raw().await
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some(target) = self.postgres.take() else {
            return;
        };
        if std::env::var_os("TEST_KEEP_DATABASES").is_some() {
            eprintln!("kept test database {}", target.name);
            return;
        }
        // Drop runs inside the test's runtime; the clean-up gets a runtime of its own.
        let cleanup = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                let conn = admin(&target.admin_url).await;
                let _ = conn
                    .execute_unprepared(&format!(
                        "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                        target.name
                    ))
                    .await;
                let _ = conn.close().await;
            });
        });
        let _ = cleanup.join();
    }
}
