//! Tests of the binary itself: configuration errors, the migrate subcommand, serving the
//! embedded default from nothing, JSON logs carrying the request id, graceful shutdown.
#![expect(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn api(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_api"));
    cmd.current_dir(dir);
    for (key, _) in std::env::vars() {
        if key.starts_with("APP_")
            || key == "DATABASE_URL"
            || key == "REDIS_URL"
            || key == "RUST_LOG"
        {
            cmd.env_remove(key);
        }
    }
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("the binary runs")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn a_bad_setting_stops_start_up_with_one_line_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("APP_PORT", "70000", "APP_PORT"),
        ("APP_PORT", "http", "APP_PORT"),
        ("APP_LOG_FORMAT", "xml", "APP_LOG_FORMAT"),
        ("DATABASE_URL", "definitely not a url", "DATABASE_URL"),
        ("REDIS_URL", "http://cache:6379", "REDIS_URL"),
        ("APP_BODY_LIMIT", "-5", "APP_BODY_LIMIT"),
    ];
    for (var, value, named) in cases {
        let out = run(api(dir.path()).env(var, value));
        assert_eq!(out.status.code(), Some(2), "{var}={value}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<_> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "{var}={value}: {stderr}");
        assert!(lines[0].contains(named), "{var}={value}: {stderr}");
    }
    assert!(
        !dir.path().join("data").exists(),
        "nothing is created when settings are bad"
    );
}

#[test]
fn a_missing_config_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(api(dir.path()).args(["--config", "nope.toml"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope.toml"));
}

#[test]
fn an_unreachable_database_fails_after_bounded_retries_without_leaking_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = run(api(dir.path())
        .env("DATABASE_URL", "postgres://app:s3cret-pw@127.0.0.1:1/app")
        .env("APP_JWT_KEYS", fresh_key())
        .env("APP_DB_CONNECT_RETRY_SECS", "3")
        .env("APP_DB_ACQUIRE_TIMEOUT_SECS", "1"));
    assert!(!out.status.success());
    assert!(started.elapsed() < Duration::from_secs(30));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("database unreachable after"), "{stderr}");
    assert!(stderr.contains("not reachable yet"), "it retried: {stderr}");
    assert!(!stderr.contains("s3cret-pw"), "{stderr}");
}

#[test]
fn postgres_without_signing_keys_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(api(dir.path()).env("DATABASE_URL", "postgres://app@127.0.0.1:1/app"));
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("APP_JWT_KEYS must be set"), "{stderr}");
}

/// A signing key made for this run (never one written in the repository).
fn fresh_key() -> String {
    use base64::Engine;
    let secret: Vec<u8> = uuid::Uuid::new_v4()
        .as_bytes()
        .iter()
        .chain(uuid::Uuid::new_v4().as_bytes())
        .copied()
        .collect();
    format!(
        "run-1:{}",
        base64::engine::general_purpose::STANDARD.encode(secret)
    )
}

#[test]
fn a_signing_key_published_in_the_repository_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    // The development key the compose file used to default to.
    let published = "dev-1:ZGV2ZWxvcG1lbnQta2V5LWRvLW5vdC11c2UtaW4tcHJvZHVjdGlvbg==";
    for database in [
        "postgres://app@127.0.0.1:1/app",
        "sqlite://data/app.db?mode=rwc",
    ] {
        let out = run(api(dir.path())
            .env("DATABASE_URL", database)
            .env("APP_JWT_KEYS", published));
        assert_eq!(out.status.code(), Some(2), "{database}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "one line: {stderr}");
        assert!(lines[0].contains("APP_JWT_KEYS"), "{stderr}");
        assert!(lines[0].contains("published"), "{stderr}");
        assert!(
            !stderr.contains("ZGV2ZWxvcG1lbnQ"),
            "the secret is not echoed: {stderr}"
        );
    }
}

#[test]
fn a_malformed_signing_key_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(api(dir.path()).env("APP_JWT_KEYS", "k1:too-short"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("APP_JWT_KEYS"), "{stderr}");
    assert!(
        !stderr.contains("too-short"),
        "the secret is not echoed: {stderr}"
    );
}

#[test]
fn seed_demo_is_deterministic_and_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let first = run(api(dir.path()).args(["seed-demo", "--json"]));
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let again = run(api(dir.path()).args(["seed-demo", "--json"]));
    assert_eq!(first.stdout, again.stdout);
    let accounts: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    let accounts = accounts.as_array().unwrap();
    assert_eq!(accounts.len(), 20);
    let roles: Vec<_> = accounts
        .iter()
        .map(|a| a["role"].as_str().unwrap())
        .collect();
    for role in [
        "township_admin",
        "hotline_operator",
        "secretary",
        "committee",
        "member",
    ] {
        assert!(roles.contains(&role), "{role}");
    }
    let elsewhere = tempfile::tempdir().unwrap();
    let other = run(api(elsewhere.path()).args(["seed-demo", "--json"]));
    assert_eq!(
        first.stdout, other.stdout,
        "the same accounts and ids on every machine"
    );
}

#[test]
fn grant_makes_a_township_admin_once_and_token_refresh_prints_a_pair() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = run(api(dir.path()).args(["seed-demo", "--json"]));
    let accounts: serde_json::Value = serde_json::from_slice(&seeded.stdout).unwrap();
    let committee = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["role"] == "township_admin")
        .map(|a| a["orgId"].as_str().unwrap().to_owned())
        .unwrap();
    let grant = [
        "grant",
        "--member",
        "13800000004",
        "--role",
        "township_admin",
        "--org",
        committee.as_str(),
    ];
    let out = run(api(dir.path()).args(grant));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(uuid::Uuid::parse_str(String::from_utf8_lossy(&out.stdout).trim()).is_ok());
    let again = run(api(dir.path()).args(grant));
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds"));
    let misplaced = run(api(dir.path()).args([
        "grant",
        "--member",
        "13800000004",
        "--role",
        "secretary",
        "--org",
        committee.as_str(),
    ]));
    assert!(String::from_utf8_lossy(&misplaced.stderr).contains("cannot be held on a committee"));
    let bad_role = run(api(dir.path()).args([
        "grant",
        "--member",
        "13800000004",
        "--role",
        "king",
        "--org",
        committee.as_str(),
    ]));
    assert!(String::from_utf8_lossy(&bad_role.stderr).contains("--role king"));

    let pair = run(api(dir.path()).args([
        "token",
        "--member",
        "13800000004",
        "--refresh",
        "--ttl",
        "5m",
    ]));
    assert!(
        pair.status.success(),
        "{}",
        String::from_utf8_lossy(&pair.stderr)
    );
    let lines: Vec<String> = String::from_utf8(pair.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[1].starts_with("rt1."));
    let nobody = run(api(dir.path()).args(["token", "--member", "13899999999"]));
    assert!(!nobody.status.success());
    let stderr = String::from_utf8_lossy(&nobody.stderr);
    assert!(stderr.contains("no such member"), "{stderr}");
    assert!(
        !stderr.contains("13899999999"),
        "phones are masked in messages: {stderr}"
    );
}

#[test]
fn migrate_applies_every_migration_to_a_fresh_sqlite_file_and_is_repeatable() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let out = run(api(dir.path()).arg("migrate"));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let expected = format!("{} migrations applied", infra::Db::known_migrations().len());
        assert!(stdout.contains(&expected), "{stdout}");
    }
    assert!(dir.path().join("data/app.db").is_file());
}

/// A tiny synchronous HTTP/1.1 GET so this test needs no async runtime.
mod raw_http {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::process::Child;
    use std::time::{Duration, Instant};

    pub struct Client {
        pub port: u16,
    }

    impl Client {
        /// Returns (status, body).
        pub fn get(&self, path: &str, request_id: Option<&str>) -> (u16, String) {
            let extra = request_id
                .map(|id| format!("X-Request-Id: {id}\r\n"))
                .unwrap_or_default();
            self.get_with(path, &extra)
        }

        /// GET with extra header lines, each ending in CRLF.
        pub fn get_with(&self, path: &str, extra: &str) -> (u16, String) {
            let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            write!(
                stream,
                "GET {path} HTTP/1.1\r\nHost: localhost\r\n{extra}Connection: close\r\n\r\n"
            )
            .unwrap();
            let mut raw = String::new();
            stream.read_to_string(&mut raw).unwrap();
            let status = raw
                .split(' ')
                .nth(1)
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let body = raw.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned();
            (status, body)
        }
    }

    pub fn wait_until_up(child: &mut Child, port: u16) -> Client {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("the server exited early: {status}");
            }
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Client { port };
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the server did not come up");
    }
}

#[test]
fn with_nothing_configured_it_serves_from_a_new_sqlite_file_and_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = api(dir.path())
        .env("APP_PORT", port.to_string())
        .env("APP_METRICS_PORT", "0")
        .env("APP_LOG_FORMAT", "json")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let client = raw_http::wait_until_up(&mut child, port);

    let (status, body) = client.get("/healthz", None);
    assert_eq!(status, 200, "{body}");
    let (status, body) = client.get("/readyz", Some("cli-ready-1"));
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("\"sqlite\"") && body.contains("\"memory\""),
        "{body}"
    );
    assert!(dir.path().join("data/app.db").is_file());

    // The embedded mode seeded the demo township; the command line's token works against
    // the running server (same database, same generated key).
    let token = run(api(dir.path()).args(["token", "--member", "13800000001"]));
    assert!(
        token.status.success(),
        "{}",
        String::from_utf8_lossy(&token.stderr)
    );
    let token = String::from_utf8(token.stdout).unwrap();
    assert_eq!(token.lines().count(), 1, "only the token is printed");
    let (status, body) = client.get_with(
        "/api/v1/me",
        &format!("Authorization: Bearer {}\r\n", token.trim()),
    );
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("township_admin") && body.contains("张明"),
        "{body}"
    );

    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(40),
            "no graceful stop"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "{status}");

    let mut logs = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    let request_line = logs
        .lines()
        .find(|l| l.contains("request completed") && l.contains("cli-ready-1"))
        .unwrap_or_else(|| panic!("no JSON log line carries the request id: {logs}"));
    let parsed: serde_json::Value = serde_json::from_str(request_line).expect("JSON log line");
    assert_eq!(
        parsed["span"]["request_id"], "cli-ready-1",
        "{request_line}"
    );
    assert!(logs.contains("stopped gracefully"), "{logs}");
}

#[test]
fn import_roster_checks_first_writes_once_and_reports_in_plain_lines_off_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/roster.csv");
    // A dry run on a fresh embedded database: the demo township is there, nothing written.
    let dry = run(api(dir.path())
        .args(["import", "roster", "--dry-run"])
        .arg(&sample));
    let stdout = String::from_utf8_lossy(&dry.stdout);
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    assert!(stdout.contains("试运行"), "{stdout}");
    let first = run(api(dir.path()).args(["import", "roster"]).arg(&sample));
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(stdout.contains("新增党员 6 名"), "{stdout}");
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(
        stderr.contains("写入 "),
        "no plain progress lines: {stderr}"
    );
    let again = run(api(dir.path()).args(["import", "roster"]).arg(&sample));
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert!(
        stdout.contains("新增党员 0 名") && stdout.contains("6 名党员无变化"),
        "{stdout}"
    );
    // A bad file: a failing exit status and every bad row on stderr.
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "组织路径,姓名,手机号,党员类别\n盖北镇党委/镇机关党支部,甲,123,在职\n盖北镇党委/镇机关党支部,乙,13700000001,外星\n",
    )
    .unwrap();
    let out = run(api(dir.path()).args(["import", "roster"]).arg(&bad));
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("第 2 行") && stderr.contains("第 3 行"),
        "{stderr}"
    );
}

/// `key=value` lines as `api init` prints them.
fn keyed(stdout: &[u8]) -> std::collections::HashMap<String, String> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

#[test]
fn init_starts_a_township_once_whose_admin_can_get_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let init = [
        "init",
        "--committee",
        "虞南镇党委",
        "--sector",
        "农村",
        "--admin-name",
        "沈组织",
        "--admin-phone",
        "137 0000 0001",
    ];
    let out = run(api(dir.path()).env("APP_SEED_DEMO", "false").args(init));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ids = keyed(&out.stdout);
    for key in ["committee_id", "office_branch_id", "admin_member_id"] {
        assert!(
            ids.get(key)
                .is_some_and(|v| uuid::Uuid::parse_str(v).is_ok()),
            "{key}: {ids:?}"
        );
    }
    // The admin signs in by phone and holds township_admin on the new committee.
    let token = run(api(dir.path()).args(["token", "--member", "13700000001"]));
    assert!(
        token.status.success(),
        "{}",
        String::from_utf8_lossy(&token.stderr)
    );

    // Again with the same committee name (another admin): refused, nothing written.
    let again = run(api(dir.path()).args([
        "init",
        "--committee",
        "虞南镇党委",
        "--sector",
        "rural",
        "--admin-name",
        "另一人",
        "--admin-phone",
        "13700000002",
    ]));
    assert_eq!(again.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("已有同名镇党委"), "{stderr}");
    assert!(stderr.contains(&ids["committee_id"]), "{stderr}");
    assert!(again.stdout.is_empty());
    let nobody = run(api(dir.path()).args(["token", "--member", "13700000002"]));
    assert!(!nobody.status.success(), "the second admin was not written");

    // Another township whose admin phone is taken: refused, nothing written.
    let taken = run(api(dir.path()).args([
        "init",
        "--committee",
        "虞东镇党委",
        "--sector",
        "rural",
        "--admin-name",
        "沈组织",
        "--admin-phone",
        "13700000001",
    ]));
    assert_eq!(taken.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&taken.stderr);
    assert!(stderr.contains("已属于党员"), "{stderr}");
    assert!(
        !stderr.contains("13700000001"),
        "phones are masked: {stderr}"
    );
    let fresh = run(api(dir.path()).args([
        "init",
        "--committee",
        "虞东镇党委",
        "--sector",
        "government",
        "--admin-name",
        "陆组织",
        "--admin-phone",
        "13700000003",
    ]));
    assert!(
        fresh.status.success(),
        "the refused attempt left no 虞东镇党委 behind: {}",
        String::from_utf8_lossy(&fresh.stderr)
    );
}

#[test]
fn init_with_bad_arguments_names_each_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(api(dir.path()).args([
        "init",
        "--committee",
        "虞南镇党委",
        "--sector",
        "urban",
        "--admin-name",
        "沈组织",
        "--admin-phone",
        "1370000",
    ]));
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--sector urban") && stderr.contains("--admin-phone"),
        "{stderr}"
    );
    assert!(
        !dir.path().join("data").exists(),
        "arguments are checked before the database is touched"
    );
}

#[test]
fn commands_print_their_answer_without_migration_chatter_or_colour_codes() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(api(dir.path()).args(["seed-demo"]));
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr)
        .to_lowercase()
        .contains("migration"));
    let out = run(api(dir.path()).args(["token", "--member", "13800000001"]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.to_lowercase().contains("migration"), "{stderr}");
    assert!(stderr.trim().is_empty(), "nothing but the answer: {stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);

    // Asked for, the same command says what it did, without colour codes off a terminal.
    let other = tempfile::tempdir().unwrap();
    let out = run(api(other.path()).args(["--verbose", "seed-demo"]));
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.to_lowercase().contains("migration"), "{stderr}");
    assert!(
        !stderr.contains('\u{1b}'),
        "ANSI codes in a pipe: {stderr:?}"
    );

    // A failing command says why once.
    let out = run(api(dir.path()).args(["token", "--member", "13900009999"]));
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("no such member").count(), 1, "{stderr}");
}

#[test]
fn a_bad_setting_from_the_toml_file_is_named_by_its_key_there() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.toml"), "port = 70000\n").unwrap();
    let out = run(api(dir.path()).args(["--config", "app.toml"]));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("port (in "), "{stderr}");
    assert!(stderr.contains("app.toml"), "{stderr}");
    assert!(!stderr.contains("APP_PORT"), "{stderr}");
    std::fs::write(dir.path().join("app.toml"), "body_limit = 0\n").unwrap();
    let out = run(api(dir.path()).args(["--config", "app.toml"]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("body_limit (in "), "{stderr}");
    std::fs::write(dir.path().join("app.toml"), "no_such_thing = 1\n").unwrap();
    let out = run(api(dir.path()).args(["--config", "app.toml"]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no_such_thing (in "), "{stderr}");
    // The same value from the environment names the variable.
    let out = run(api(dir.path()).env("APP_PORT", "70000"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("APP_PORT"));
}

#[test]
fn import_roster_progress_counts_rows_up_to_the_number_of_rows() {
    let dir = tempfile::tempdir().unwrap();
    // 25 rows that write 51 records: a general branch, a branch, a group, 24 members each
    // given a role.
    let mut csv = String::from("组织路径,组织类别,姓名,手机号,党员类别,党小组,领导干部,职务\n");
    csv.push_str("盖北镇党委/新河村党总支,农村,,,,,,\n");
    for i in 1..=24 {
        csv.push_str(&format!(
            "盖北镇党委/新河村党总支/第一党支部,农村,党员{i},1391000{i:04},农村,第一党小组,否,支委\n"
        ));
    }
    let file = dir.path().join("roster.csv");
    std::fs::write(&file, csv).unwrap();
    let out = run(api(dir.path()).args(["import", "roster"]).arg(&file));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let progress: Vec<(usize, usize)> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("写入 "))
        .map(|l| {
            let (done, total) = l.trim().split_once('/').unwrap();
            (done.parse().unwrap(), total.parse().unwrap())
        })
        .collect();
    assert!(progress.len() > 1, "plain progress lines: {stderr}");
    assert!(progress.iter().all(|(_, total)| *total == 25), "{stderr}");
    assert!(
        progress.windows(2).all(|w| w[0].0 < w[1].0),
        "counting up: {stderr}"
    );
    assert_eq!(progress.last(), Some(&(25, 25)), "{stderr}");
}

#[test]
fn import_roster_prints_each_bad_row_once() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "组织路径,姓名,手机号,党员类别\n盖北镇党委/镇机关党支部,甲,123,在职\n盖北镇党委/镇机关党支部,乙,13700000001,外星\n",
    )
    .unwrap();
    let out = run(api(dir.path()).args(["import", "roster"]).arg(&bad));
    assert_eq!(out.status.code(), Some(1));
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for needle in ["第 2 行：", "第 3 行：", "未导入任何数据"] {
        assert_eq!(printed.matches(needle).count(), 1, "{needle}: {printed}");
    }
}
