//! `spike`: the theme-day check-in spike against a running server (see `bench/README.md`;
//! `bench/spike.sh` runs the whole benchmark).
//!
//! Reads the server's own settings (`DATABASE_URL`, `APP_JWT_KEYS`, `APP_JWT_ISSUER`, …, as
//! `api` reads them), then:
//! 1. seeds a committee, a rural branch, its secretary and `--members` active members;
//! 2. has the secretary create a theme-day activity with location proof through
//!    `POST /api/v1/orgs/{branch}/activities`;
//! 3. mints one access token per member with the server's key ring (`api::auth::token::mint`);
//! 4. sends every member's `POST /api/v1/activities/{id}/check-ins` (a location inside the
//!    geofence), each with its own token, over exactly `--connections` keep-alive
//!    connections, timing each request;
//! 5. verifies in PostgreSQL exactly one check-in per member and nothing else;
//! 6. with `--probes`, measures other requests the same way for the profile.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::{FixedOffset, SecondsFormat, Utc};
use clap::{Parser, Subcommand};
use hyper::Method;
use sea_orm::ConnectionTrait;
use secrecy::ExposeSecret;
use uuid::Uuid;

use api::config::Settings;
use bench::load::{self, report, Connections, Job, Plan};
use bench::tokens::Tokens;
use bench::{cpu, perf, seed, BoxError};

/// The theme-day check-in spike benchmark.
#[derive(Debug, Parser)]
#[command(name = "spike")]
struct Cli {
    /// Where the server listens (host:port).
    #[arg(long, env = "SPIKE_ADDR", default_value = "127.0.0.1:8080")]
    addr: String,
    /// Members to seed and check in.
    #[arg(short = 'n', long, default_value_t = 20_000)]
    members: usize,
    /// Concurrent keep-alive connections.
    #[arg(short = 'c', long, default_value_t = 32)]
    connections: usize,
    /// Threads of the load generator (1 keeps it to one core).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// After the check-ins, also time GET /healthz, GET /api/v1/me and the repeated
    /// check-ins (200, already checked in) with the same tokens and connections.
    #[arg(long)]
    probes: bool,
    /// Then an open loop of new members' check-ins at a fixed arrival rate for this many
    /// seconds (0: none), latency timed from each request's due time.
    #[arg(long, default_value_t = 60)]
    open_loop_secs: u64,
    /// The open loop's rate as a share of the check-ins/s the closed loop measured.
    #[arg(long, default_value_t = 0.5)]
    open_loop_share: f64,
    /// Record a system-wide `perf` profile of the check-in window (only) into this file.
    #[arg(long)]
    perf: Option<PathBuf>,
    /// Also write the results as key=value lines to this file.
    #[arg(long)]
    results: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a command and report where the machine's CPU went while it ran
    /// (e.g. `spike cpu -- pgbench …`); prints `cpu_*` lines.
    Cpu {
        /// Divide CPU time by this many units of work for the per-unit figures.
        #[arg(long, default_value_t = 1)]
        units: usize,
        #[arg(trailing_var_arg = true, required = true)]
        command: Vec<String>,
    },
}

fn main() -> ExitCode {
    bench::cpu::run_sampler_if_asked();
    let cli = Cli::parse();
    if let Some(Command::Cpu { units, command }) = &cli.command {
        return match cpu_of(command, *units) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("spike cpu: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let runtime = match bench::runtime(cli.threads) {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("spike: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(&cli)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("spike: VERIFICATION FAILED (see above)");
            ExitCode::from(3)
        }
        Err(e) => {
            eprintln!("spike: {e}");
            ExitCode::FAILURE
        }
    }
}

fn cpu_of(command: &[String], units: usize) -> Result<ExitCode, BoxError> {
    let (program, args) = command.split_first().ok_or("no command given")?;
    let sampler = cpu::Sampler::start();
    let mut child = std::process::Command::new(program).args(args).spawn()?;
    // Read the command's own CPU time as a zombie, before reaping it moves that time into
    // ours.
    while cpu::running(child.id()) {
        std::thread::sleep(Duration::from_millis(10));
    }
    let usage = sampler.and_then(cpu::Sampler::finish);
    let status = child.wait()?;
    if let Some(usage) = usage {
        println!("cpu_share {}", usage.share_line());
        println!("cpu_per_unit {}", usage.per_unit_line(units));
    }
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The geofence: 200 m around 新舍村文化礼堂 (GCJ-02); members stand within about 75 m.
const CENTER: (f64, f64) = (30.0871, 120.8402);
const RADIUS_M: f64 = 200.0;

fn beijing() -> Result<FixedOffset, BoxError> {
    FixedOffset::east_opt(8 * 3600).ok_or_else(|| "bad offset".into())
}

async fn create_activity(
    addr: &str,
    tokens: &Tokens,
    secretary: Uuid,
    branch: Uuid,
) -> Result<Uuid, BoxError> {
    let bj = beijing()?;
    let now = Utc::now().with_timezone(&bj);
    let at = |t: chrono::DateTime<FixedOffset>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let body = serde_json::json!({
        "kind": "theme_day",
        "themeCategory": "study",
        "title": "主题党日:重温入党誓词(压测)",
        "place": "新舍村文化礼堂",
        "startsAt": at(now),
        "endsAt": at(now + chrono::Duration::hours(2)),
        "checkInOpensAt": at(now - chrono::Duration::minutes(1)),
        "checkInClosesAt": at(now + chrono::Duration::hours(2)),
        "proof": "location",
        "geofence": {"center": {"lat": CENTER.0, "lng": CENTER.1}, "radiusM": RADIUS_M},
    });
    let job = Job {
        method: Method::POST,
        path: format!("/api/v1/orgs/{branch}/activities"),
        authorization: Some(tokens.bearer(secretary)?),
        body: Some(Bytes::from(serde_json::to_vec(&body)?)),
    };
    let reply = load::once(addr, &job).await?;
    if reply.status != 201 {
        return Err(format!(
            "creating the activity answered {}: {}",
            reply.status,
            String::from_utf8_lossy(&reply.body)
        )
        .into());
    }
    let view: serde_json::Value = serde_json::from_slice(&reply.body)?;
    let id = view
        .get("id")
        .and_then(|v| v.as_str())
        .ok_or("the created activity has no id")?;
    Ok(Uuid::parse_str(id)?)
}

/// Member `i`'s check-in body: a point within about 75 m of the fence's centre.
fn check_in_body(i: usize, client_time: &str) -> Bytes {
    let dx = ((i * 7919) % 1001) as f64 / 1000.0 - 0.5; // -0.5..=0.5
    let dy = ((i * 104_729) % 1001) as f64 / 1000.0 - 0.5;
    let lat = CENTER.0 + dy * 0.001; // ±0.0005° ≈ ±55 m
    let lng = CENTER.1 + dx * 0.001; // ±0.0005° ≈ ±48 m
    Bytes::from(format!(
        r#"{{"location":{{"lat":{lat:.6},"lng":{lng:.6}}},"clientTime":"{client_time}"}}"#
    ))
}

async fn run(cli: &Cli) -> Result<bool, BoxError> {
    let settings = Settings::load(None)?;
    let url = settings.database_url.expose_secret().to_owned();
    if !url.starts_with("postgres") {
        return Err("DATABASE_URL must be the server's PostgreSQL database".into());
    }
    let tokens = Tokens::from_settings(&settings)?;
    let (n, c) = (cli.members, cli.connections);
    let db = sea_orm::Database::connect(url.as_str()).await?;
    let mut results = String::new();
    writeln!(results, "members={n}")?;
    writeln!(results, "connections={c}")?;

    let t = Instant::now();
    let seeded = seed::seed(&db, n).await?;
    println!(
        "seeded 1 committee, 1 branch, 1 secretary and {n} members in {:.2} s",
        t.elapsed().as_secs_f64()
    );

    let activity =
        create_activity(&cli.addr, &tokens, seeded.secretary_id, seeded.branch_id).await?;
    println!("created theme-day activity {activity} (proof: location) through the API");
    writeln!(results, "activity={activity}")?;

    let t = Instant::now();
    let client_time = Utc::now()
        .with_timezone(&beijing()?)
        .to_rfc3339_opts(SecondsFormat::Secs, true);
    let path = format!("/api/v1/activities/{activity}/check-ins");
    let mut jobs = Vec::with_capacity(n);
    for (i, member) in seeded.member_ids.iter().enumerate() {
        jobs.push(Job {
            method: Method::POST,
            path: path.clone(),
            authorization: Some(tokens.bearer(*member)?),
            body: Some(check_in_body(i, &client_time)),
        });
    }
    let jobs = Arc::new(jobs);
    println!(
        "minted {n} access tokens (ttl {} s) in {:.2} s",
        tokens.ttl().as_secs(),
        t.elapsed().as_secs_f64()
    );

    // Fair to both sides: pgbench's rate excludes connecting, so the window goes over
    // connections opened before it, and the server's pool is warmed first (the secretary's
    // own requests, so no member's data is read ahead); and it starts after a checkpoint,
    // as pgbench's window does.
    let mut conns = Connections::new(&cli.addr, c)?;
    let warm: Vec<Job> = (0..c * 4)
        .map(|_| {
            Ok(Job {
                method: Method::GET,
                path: "/api/v1/me".to_owned(),
                authorization: Some(tokens.bearer(seeded.secretary_id)?),
                body: None,
            })
        })
        .collect::<Result<_, BoxError>>()?;
    let o = conns.run(Arc::new(warm), 200, Plan::Once).await?;
    println!(
        "warmed {} connections and the server's pool: {}",
        o.connections,
        o.statuses_line()
    );
    db.execute_unprepared("CHECKPOINT").await?;

    println!("checking in {n} members over {c} connections …");
    let perf = match &cli.perf {
        Some(file) => Some(perf::start(file).await?),
        None => None,
    };
    let sampler = cpu::Sampler::start();
    let outcome = conns.run(Arc::clone(&jobs), 201, Plan::Once).await?;
    let usage = sampler.and_then(cpu::Sampler::finish);
    if let Some(child) = perf {
        perf::stop(child)?;
    }
    report("checkins", &outcome, 201, &mut results)?;
    if let Some(u) = &usage {
        println!("  cpu share of the machine: {}", u.share_line());
        println!("  cpu per check-in: {}", u.per_unit_line(n));
        writeln!(results, "checkins_cpu_share={}", u.share_line())?;
        writeln!(results, "checkins_cpu_per_checkin={}", u.per_unit_line(n))?;
    }

    let (rows, distinct) = seed::check_in_counts(&db, activity).await?;
    let strangers = seed::strangers(&db, activity, seeded.branch_id).await?;
    let created = outcome.count(201);
    let expected = i64::try_from(n)?;
    let verified = rows == expected && distinct == expected && strangers == 0 && created == n;
    println!(
        "verify: {rows} check-in rows, {distinct} distinct members, {strangers} outside the \
         seeded members, {created} answered 201 (expected {n} of each, 0 outside): {}",
        if verified { "OK" } else { "FAILED" }
    );
    writeln!(results, "rows={rows}")?;
    writeln!(results, "distinct_members={distinct}")?;
    writeln!(results, "duplicates={}", rows - distinct)?;
    writeln!(results, "verified={verified}")?;

    if cli.probes {
        let health: Vec<Job> = (0..n)
            .map(|_| Job {
                method: Method::GET,
                path: "/healthz".to_owned(),
                authorization: None,
                body: None,
            })
            .collect();
        let o = load::run(&cli.addr, c, Arc::new(health), 200).await?;
        report("probe_healthz", &o, 200, &mut results)?;
        let me: Vec<Job> = jobs
            .iter()
            .map(|j| Job {
                method: Method::GET,
                path: "/api/v1/me".to_owned(),
                authorization: j.authorization.clone(),
                body: None,
            })
            .collect();
        let sampler = cpu::Sampler::start();
        let o = load::run(&cli.addr, c, Arc::new(me), 200).await?;
        let usage = sampler.and_then(cpu::Sampler::finish);
        report("probe_me", &o, 200, &mut results)?;
        if let Some(u) = &usage {
            println!("  cpu per request: {}", u.per_unit_line(n));
        }
        let sampler = cpu::Sampler::start();
        let o = load::run(&cli.addr, c, Arc::clone(&jobs), 200).await?;
        let usage = sampler.and_then(cpu::Sampler::finish);
        report("probe_repeat_checkin", &o, 200, &mut results)?;
        if let Some(u) = &usage {
            println!("  cpu per request: {}", u.per_unit_line(n));
        }
        let (rows, distinct) = seed::check_in_counts(&db, activity).await?;
        println!("  after the repeats: {rows} rows, {distinct} distinct members");
        writeln!(results, "rows_after_repeats={rows}")?;
    }

    let open_ok = if cli.open_loop_secs > 0 {
        open_loop(
            cli,
            &db,
            &tokens,
            &seeded,
            activity,
            outcome.rate(201),
            &mut conns,
            &mut results,
        )
        .await?
    } else {
        true
    };

    if let Some(file) = &cli.results {
        std::fs::write(file, &results)?;
    }
    db.close().await?;
    Ok(verified && open_ok)
}

/// The open loop: new members check in at `share` of the closed loop's rate for the window,
/// each request timed from when it was due. Verifies every one answered 201 with its row.
#[allow(clippy::too_many_arguments)]
async fn open_loop(
    cli: &Cli,
    db: &sea_orm::DatabaseConnection,
    tokens: &Tokens,
    seeded: &seed::Seeded,
    activity: Uuid,
    closed_rate: f64,
    conns: &mut Connections,
    results: &mut String,
) -> Result<bool, BoxError> {
    let rate = (closed_rate * cli.open_loop_share).max(1.0);
    let window = Duration::from_secs(cli.open_loop_secs);
    let m = (rate * window.as_secs_f64()).ceil() as usize + 1;
    let (before, _) = seed::check_in_counts(db, activity).await?;
    let members = seed::more_members(db, seeded, seeded.member_ids.len(), m).await?;
    db.execute_unprepared("ANALYZE member").await?;
    let client_time = Utc::now()
        .with_timezone(&beijing()?)
        .to_rfc3339_opts(SecondsFormat::Secs, true);
    let path = format!("/api/v1/activities/{activity}/check-ins");
    let mut jobs = Vec::with_capacity(m);
    for (i, member) in members.iter().enumerate() {
        jobs.push(Job {
            method: Method::POST,
            path: path.clone(),
            authorization: Some(tokens.bearer(*member)?),
            body: Some(check_in_body(i, &client_time)),
        });
    }
    db.execute_unprepared("CHECKPOINT").await?;
    println!(
        "open loop: {rate:.0} check-ins/s ({:.0} % of {closed_rate:.0}/s) for {} s, new members …",
        cli.open_loop_share * 100.0,
        window.as_secs()
    );
    let sampler = cpu::Sampler::start();
    let o = conns
        .run(Arc::new(jobs), 201, Plan::OpenLoop { rate, window })
        .await?;
    let usage = sampler.and_then(cpu::Sampler::finish);
    report("open", &o, 201, results)?;
    let sent = o.latencies_us.len() + o.transport_errors;
    let server_errors: usize = o
        .statuses
        .iter()
        .filter(|(s, _)| **s >= 500)
        .map(|(_, n)| *n)
        .sum();
    let (p50, p99) = (o.percentile_ms(50.0), o.percentile_ms(99.0));
    let spread = p99 / p50.max(1e-9);
    if let Some(u) = &usage {
        println!("  cpu share of the machine: {}", u.share_line());
        println!("  cpu per check-in: {}", u.per_unit_line(sent));
    }
    let (after, distinct) = seed::check_in_counts(db, activity).await?;
    let added = after - before;
    let ok = o.count(201) == sent
        && o.transport_errors == 0
        && added == i64::try_from(sent)?
        && after == distinct;
    println!(
        "  open loop: rate {rate:.1}/s offered, {sent} sent, p99/p50 = {spread:.1} (goal <= 10), 5xx {server_errors}, {added} rows added: {}",
        if ok { "OK" } else { "FAILED" }
    );
    writeln!(results, "open_offered_per_s={rate:.1}")?;
    writeln!(results, "open_sent={sent}")?;
    writeln!(results, "open_p99_over_p50={spread:.2}")?;
    writeln!(results, "open_5xx={server_errors}")?;
    writeln!(results, "open_rows_added={added}")?;
    writeln!(results, "open_verified={ok}")?;
    Ok(ok)
}
