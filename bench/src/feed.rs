//! `feed`: the study-material feed against `/healthz` of the same server (see
//! `bench/README.md`; `bench/feed.sh` runs the whole benchmark).
//!
//! Reads the server's own settings (`DATABASE_URL`, `REDIS_URL`, `APP_CACHE_PREFIX`,
//! `APP_JWT_KEYS`, …, as `api` reads them), then:
//! 1. seeds a committee, a rural branch, its secretary and the members (`seed`);
//! 2. has the secretary publish `--materials` materials to the branch through
//!    `POST /api/v1/materials`;
//! 3. mints one access token per member with the server's key ring;
//! 4. warms the cache: each of the `--cached-members` fetches their feed once;
//! 5. over the same `--connections` keep-alive connections, one window of `--seconds` after
//!    the other, measures `GET /healthz`, the warmed members' `GET /api/v1/materials` round
//!    and round (every request a cache hit), and `GET /api/v1/materials` by members who have
//!    never fetched it, each once (every request a miss);
//! 6. checks that every answer was 200, that the cached window filled no cache entry and
//!    the uncached one exactly one per answer, and counts per request the server's Redis
//!    commands and its data segments to PostgreSQL and Redis (in the windows), and its SQL
//!    statements (in a separate pass, since PostgreSQL publishes its counters late).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{FixedOffset, SecondsFormat, Utc};
use clap::Parser;
use hyper::Method;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use secrecy::ExposeSecret;
use uuid::Uuid;

use api::config::Settings;
use bench::load::{self, report, Connections, Job, Outcome, Plan};
use bench::tokens::Tokens;
use bench::{cpu, perf, seed, wire, BoxError};

/// The study-material feed benchmark.
#[derive(Debug, Parser)]
#[command(name = "feed")]
struct Cli {
    /// Where the server listens (host:port).
    #[arg(long, env = "FEED_ADDR", default_value = "127.0.0.1:8080")]
    addr: String,
    /// Concurrent keep-alive connections, the same ones for every window.
    #[arg(short = 'c', long, default_value_t = 32)]
    connections: usize,
    /// Materials the secretary publishes to the branch (a feed page holds 20).
    #[arg(long, default_value_t = 20)]
    materials: usize,
    /// Members whose feed is warmed, then requested round and round (cache hits).
    #[arg(long, default_value_t = 1000)]
    cached_members: usize,
    /// Members who fetch their feed for the first time, once each (cache misses): at most
    /// this many requests in the uncached window.
    #[arg(long, default_value_t = 12_000)]
    uncached_members: usize,
    /// Length of each measured window, in seconds.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Requests of each kind in the statement-counting pass (0 skips it).
    #[arg(long, default_value_t = 500)]
    account: usize,
    /// Seconds to wait for PostgreSQL to publish its counters before each reading (it
    /// flushes a backend's statistics within 10 s of the backend going idle).
    #[arg(long, default_value_t = 11)]
    settle: u64,
    /// The server's process id, for its per-socket traffic to PostgreSQL and Redis.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Threads of the load generator (1 keeps it to one core).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Record a system-wide `perf` profile of the cached window (only) into this file.
    #[arg(long)]
    perf: Option<PathBuf>,
    /// Also write the results as key=value lines to this file.
    #[arg(long)]
    results: Option<PathBuf>,
}

fn main() -> ExitCode {
    bench::cpu::run_sampler_if_asked();
    let cli = Cli::parse();
    let runtime = match bench::runtime(cli.threads) {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("feed: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(&cli)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("feed: VERIFICATION FAILED (see above)");
            ExitCode::from(3)
        }
        Err(e) => {
            eprintln!("feed: {e}");
            ExitCode::FAILURE
        }
    }
}

const CATEGORIES: &[&str] = &[
    "party_constitution",
    "party_rules",
    "series_speeches",
    "party_history",
    "exemplars",
    "warning_education",
    "skills",
    "other",
];

const PARAGRAPH: &str = "全面从严治党永远在路上，党的自我革命永远在路上。党员要认真学习党章党规，\
     对照入党誓词查找差距，把学习成果转化为推动乡村振兴的实际行动，在急难险重任务面前冲得上、\
     顶得住，在服务群众中当先锋、作表率，以实际行动诠释共产党员的初心使命。";

/// Material `i` as a secretary publishes it: a title, a summary and about 3 KB of rich
/// text, one of the eight categories, every fourth required, some attachments and study
/// deadlines, the first one this month's monthly lesson; visible from now.
fn material(i: usize, branch: Uuid, now: chrono::DateTime<FixedOffset>) -> serde_json::Value {
    let category = CATEGORIES
        .get(i % CATEGORIES.len())
        .copied()
        .unwrap_or("other");
    let mut body = format!("<h2>第{}讲</h2>", i + 1);
    for k in 0..7 {
        if k == 2 {
            body.push_str("<p><strong>学习要点：</strong>");
        } else {
            body.push_str("<p>");
        }
        body.push_str(PARAGRAPH);
        body.push_str("</p>");
    }
    let mut attachments = Vec::new();
    if i.is_multiple_of(3) {
        attachments.push(serde_json::json!({
            "kind": "video", "title": "党课视频",
            "url": format!("https://video.example.cn/lesson-{i}.mp4"),
        }));
    }
    if i.is_multiple_of(5) {
        attachments.push(serde_json::json!({
            "kind": "pdf", "title": "学习资料",
            "url": format!("https://files.example.cn/material-{i}.pdf"),
        }));
    }
    let mut m = serde_json::json!({
        "title": format!("{}月党课第{}讲：学习党章、重温誓词（压测）", now.format("%-m"), i + 1),
        "summary": "围绕党章和入党誓词开展学习，联系本村实际谈体会、找差距、定措施。",
        "body": body,
        "attachments": attachments,
        "category": category,
        "required": i.is_multiple_of(4),
        "audience": {"orgId": branch},
    });
    if i == 0 {
        m["lessonMonth"] = serde_json::json!(now.format("%Y-%m").to_string());
    }
    if i.is_multiple_of(2) {
        m["studyDeadline"] = serde_json::json!(
            (now + chrono::Duration::days(30)).to_rfc3339_opts(SecondsFormat::Secs, true)
        );
    }
    m
}

async fn publish(
    cli: &Cli,
    tokens: &Tokens,
    secretary: Uuid,
    branch: Uuid,
) -> Result<(), BoxError> {
    let bj = FixedOffset::east_opt(8 * 3600).ok_or("bad offset")?;
    let authorization = Some(tokens.bearer(secretary)?);
    for i in 0..cli.materials {
        let now = Utc::now().with_timezone(&bj);
        let job = Job {
            method: Method::POST,
            path: "/api/v1/materials".to_owned(),
            authorization: authorization.clone(),
            body: Some(serde_json::to_vec(&material(i, branch, now))?.into()),
        };
        let reply = load::once(&cli.addr, &job).await?;
        if reply.status != 201 {
            return Err(format!(
                "publishing material {i} answered {}: {}",
                reply.status,
                String::from_utf8_lossy(&reply.body)
            )
            .into());
        }
    }
    Ok(())
}

fn feed_jobs(tokens: &Tokens, members: &[Uuid]) -> Result<Vec<Job>, BoxError> {
    members
        .iter()
        .map(|m| {
            Ok(Job {
                method: Method::GET,
                path: "/api/v1/materials".to_owned(),
                authorization: Some(tokens.bearer(*m)?),
                body: None,
            })
        })
        .collect()
}

/// Redis, through `redis-cli`: the server's commands by name so far (`INFO
/// commandstats`, of the whole Redis server: another client's commands show up too), and
/// the feed entries under the run's prefix.
struct RedisProbe {
    url: String,
    entries: String,
}

impl RedisProbe {
    fn new(settings: &Settings) -> Result<Self, BoxError> {
        let url = settings
            .redis_url
            .as_ref()
            .ok_or("REDIS_URL must be the server's Redis")?;
        Ok(Self {
            url: url.expose_secret().to_owned(),
            entries: format!("{}feed:v[0-9]*:*", settings.cache_prefix),
        })
    }

    fn cli(&self, args: &[&str]) -> Result<String, BoxError> {
        let out = Command::new("redis-cli")
            .arg("-u")
            .arg(&self.url)
            .args(args)
            .output()
            .map_err(|e| format!("running redis-cli: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "redis-cli {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    fn commands(&self) -> Result<BTreeMap<String, u64>, BoxError> {
        let info = self.cli(&["info", "commandstats"])?;
        Ok(info
            .lines()
            .filter_map(|l| {
                let (name, rest) = l.strip_prefix("cmdstat_")?.split_once(':')?;
                let calls = rest
                    .split(',')
                    .find_map(|f| f.strip_prefix("calls="))?
                    .trim()
                    .parse()
                    .ok()?;
                Some((name.to_owned(), calls))
            })
            .collect())
    }

    /// The feed entries under the run's prefix: how many, and the longest time to live
    /// among them, which only an entry written since can lengthen.
    fn entries(&self) -> Result<Entries, BoxError> {
        let reply = self.cli(&["eval", ENTRIES_SCRIPT, "0", &self.entries])?;
        let mut fields = reply.split_whitespace().map(str::parse::<i64>);
        match (fields.next(), fields.next()) {
            (Some(Ok(count)), Some(Ok(max_ttl_ms))) => Ok(Entries {
                count: usize::try_from(count)?,
                max_ttl_ms,
                at: Instant::now(),
            }),
            _ => Err(format!("unexpected answer from Redis: {reply}").into()),
        }
    }
}

/// `{count, longest PTTL}` of the keys matching ARGV[1] (KEYS is fine for the few tens of
/// thousands of keys of a run).
const ENTRIES_SCRIPT: &str = "local keys = redis.call('KEYS', ARGV[1]) local m = -1 \
    for _, k in ipairs(keys) do local t = redis.call('PTTL', k) if t > m then m = t end end \
    return {#keys, m}";

#[derive(Debug, Clone, Copy)]
struct Entries {
    count: usize,
    max_ttl_ms: i64,
    at: Instant,
}

impl Entries {
    /// No entry was written between `self` and `later`: none more, and the longest time to
    /// live went down with the clock (an entry written in between would have lengthened it
    /// by at least the time since the last write before it, a whole window here; 250 ms of
    /// slack for reading the clock around `redis-cli`).
    fn unwritten_until(&self, later: &Entries) -> bool {
        let elapsed = i64::try_from(later.at.duration_since(self.at).as_millis()).unwrap_or(0);
        later.count == self.count && later.max_ttl_ms <= self.max_ttl_ms - elapsed + 250
    }
}

/// What one window cost besides time: the server's Redis commands, its data segments to
/// PostgreSQL and Redis, the CPU, and the feed entries before and after.
struct Window {
    outcome: Outcome,
    usage: Option<cpu::Usage>,
    redis: BTreeMap<String, u64>,
    pg_segments: Option<(u64, u64)>,
    redis_segments: Option<(u64, u64)>,
    entries_before: Entries,
    entries_after: Entries,
}

/// Commands the benchmark itself sends to Redis (through `redis-cli`), left out of the
/// server's.
const OWN_COMMANDS: &[&str] = &["info", "eval", "hello", "auth", "select", "command|docs"];

impl Window {
    fn redis_line(&self, n: f64) -> String {
        let mut parts: Vec<String> = self
            .redis
            .iter()
            .filter(|(_, c)| **c > 0)
            .map(|(name, c)| format!("{name}={:.2}", *c as f64 / n))
            .collect();
        if parts.is_empty() {
            parts.push("none".to_owned());
        }
        parts.join(" ")
    }

    fn server_redis_commands(&self) -> u64 {
        self.redis.values().sum()
    }
}

struct Probe<'a> {
    conns: &'a mut Connections,
    redis: &'a RedisProbe,
    server_pid: Option<u32>,
}

impl Probe<'_> {
    async fn window(
        &mut self,
        jobs: Arc<Vec<Job>>,
        plan: Plan,
        perf_file: Option<&PathBuf>,
    ) -> Result<Window, BoxError> {
        let entries_before = self.redis.entries()?;
        let perf = match perf_file {
            Some(f) => Some(perf::start(f).await?),
            None => None,
        };
        let redis0 = self.redis.commands()?;
        let pg0 = self.server_pid.and_then(|p| wire::segments(p, 5432));
        let rs0 = self.server_pid.and_then(|p| wire::segments(p, 6379));
        let sampler = cpu::Sampler::start();
        let outcome = self.conns.run(jobs, 200, plan).await?;
        let usage = sampler.and_then(cpu::Sampler::finish);
        let pg1 = self.server_pid.and_then(|p| wire::segments(p, 5432));
        let rs1 = self.server_pid.and_then(|p| wire::segments(p, 6379));
        let redis1 = self.redis.commands()?;
        if let Some(child) = perf {
            perf::stop(child)?;
        }
        let redis = redis1
            .iter()
            .filter(|(name, _)| !OWN_COMMANDS.contains(&name.as_str()))
            .map(|(name, c)| {
                let before = redis0.get(name).copied().unwrap_or(0);
                (name.clone(), c.saturating_sub(before))
            })
            .collect();
        Ok(Window {
            outcome,
            usage,
            redis,
            pg_segments: pg0.zip(pg1).map(|(a, b)| b.since(&a)),
            redis_segments: rs0.zip(rs1).map(|(a, b)| b.since(&a)),
            entries_before,
            entries_after: self.redis.entries()?,
        })
    }
}

fn describe(label: &str, w: &Window, results: &mut String) -> Result<(), BoxError> {
    report(label, &w.outcome, 200, results)?;
    let n = w.outcome.latencies_us.len().max(1);
    let nf = n as f64;
    if let Some(u) = &w.usage {
        println!("  cpu share of the machine: {}", u.share_line());
        println!("  cpu per request: {}", u.per_unit_line(n));
        writeln!(results, "{label}_cpu_share={}", u.share_line())?;
        writeln!(results, "{label}_cpu_per_request={}", u.per_unit_line(n))?;
    }
    println!(
        "  server's Redis commands per request: {} (all: {:.2})",
        w.redis_line(nf),
        w.server_redis_commands() as f64 / nf
    );
    writeln!(
        results,
        "{label}_redis_commands_per_request={:.2}",
        w.server_redis_commands() as f64 / nf
    )?;
    writeln!(results, "{label}_redis_commands={}", w.redis_line(nf))?;
    for (service, segs) in [("postgres", w.pg_segments), ("redis", w.redis_segments)] {
        if let Some((sent, received)) = segs {
            println!(
                "  server's data segments to {service} per request: {:.2} sent, {:.2} received",
                sent as f64 / nf,
                received as f64 / nf
            );
            writeln!(
                results,
                "{label}_{service}_segments_per_request={:.2}/{:.2}",
                sent as f64 / nf,
                received as f64 / nf
            )?;
        }
    }
    println!(
        "  feed entries in the cache: {} before, {} after",
        w.entries_before.count, w.entries_after.count
    );
    Ok(())
}

/// Transactions of the run's database so far, as PostgreSQL has published them: every SQL
/// statement the server sends outside a transaction is one.
async fn transactions(db: &DatabaseConnection) -> Result<i64, BoxError> {
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT (xact_commit + xact_rollback)::bigint AS n FROM pg_stat_database \
             WHERE datname = current_database()",
        ))
        .await?
        .ok_or("no pg_stat_database row")?;
    Ok(row.try_get::<i64>("", "n")?)
}

/// SQL statements per request of each job list, sent once over the connections, with
/// PostgreSQL's counters read before and after. Each reading is itself one transaction,
/// counted in the next one; whatever the server does by itself meanwhile (a background
/// worker's rounds) is measured over one idle interval first and taken off.
async fn statements_per_request(
    cli: &Cli,
    db: &DatabaseConnection,
    conns: &mut Connections,
    samples: Vec<(&str, Vec<Job>)>,
) -> Result<(i64, Vec<(String, f64, Outcome)>), BoxError> {
    let settle = Duration::from_secs(cli.settle);
    tokio::time::sleep(settle).await;
    let idle_from = transactions(db).await?;
    tokio::time::sleep(settle).await;
    let mut before = transactions(db).await?;
    let idle = before - idle_from - 1;
    let mut out = Vec::new();
    for (label, jobs) in samples {
        let outcome = conns.run(Arc::new(jobs), 200, Plan::Once).await?;
        tokio::time::sleep(settle).await;
        let after = transactions(db).await?;
        let n = outcome.latencies_us.len().max(1) as f64;
        out.push((
            label.to_owned(),
            (after - before - 1 - idle) as f64 / n,
            outcome,
        ));
        before = after;
    }
    Ok((idle, out))
}

async fn run(cli: &Cli) -> Result<bool, BoxError> {
    let settings = Settings::load(None)?;
    let url = settings.database_url.expose_secret().to_owned();
    if !url.starts_with("postgres") {
        return Err("DATABASE_URL must be the server's PostgreSQL database".into());
    }
    let tokens = Tokens::from_settings(&settings)?;
    let redis = RedisProbe::new(&settings)?;
    let db = sea_orm::Database::connect(url.as_str()).await?;
    let c = cli.connections;
    let window = Duration::from_secs(cli.seconds);
    let mut results = String::new();
    writeln!(results, "connections={c}")?;
    writeln!(results, "seconds={}", cli.seconds)?;
    writeln!(results, "materials={}", cli.materials)?;

    let members = cli.cached_members + cli.uncached_members + cli.account;
    let t = Instant::now();
    let seeded = seed::seed(&db, members).await?;
    println!(
        "seeded 1 committee, 1 branch, 1 secretary and {members} members in {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    publish(cli, &tokens, seeded.secretary_id, seeded.branch_id).await?;
    println!(
        "published {} materials to the branch through the API in {:.2} s",
        cli.materials,
        t.elapsed().as_secs_f64()
    );

    let (cached_ids, rest) = seeded.member_ids.split_at(cli.cached_members);
    let (uncached_ids, account_ids) = rest.split_at(cli.uncached_members);
    let t = Instant::now();
    let cached = Arc::new(feed_jobs(&tokens, cached_ids)?);
    let uncached = Arc::new(feed_jobs(&tokens, uncached_ids)?);
    let account_uncached = feed_jobs(&tokens, account_ids)?;
    println!(
        "minted {members} access tokens (ttl {} s) in {:.2} s",
        tokens.ttl().as_secs(),
        t.elapsed().as_secs_f64()
    );
    let healthz = Arc::new(vec![Job {
        method: Method::GET,
        path: "/healthz".to_owned(),
        authorization: None,
        body: None,
    }]);

    // What a feed page looks like, from a member outside every measured set.
    let probe_job = feed_jobs(&tokens, &[seeded.secretary_id])?;
    let page = load::once(&cli.addr, probe_job.first().ok_or("no probe job")?).await?;
    let page_json: serde_json::Value = serde_json::from_slice(&page.body)?;
    let items = page_json
        .get("items")
        .and_then(|v| v.as_array())
        .map_or(0, Vec::len);
    let expected_items = cli.materials.min(20);
    println!(
        "a feed page: {} {} items, {} bytes",
        page.status,
        items,
        page.body.len()
    );
    writeln!(results, "page_items={items}")?;
    writeln!(results, "page_bytes={}", page.body.len())?;

    let mut conns = Connections::new(&cli.addr, c)?;
    let warm = conns.run(Arc::clone(&cached), 200, Plan::Once).await?;
    report("warm", &warm, 200, &mut results)?;

    let mut probe = Probe {
        conns: &mut conns,
        redis: &redis,
        server_pid: cli.server_pid,
    };
    println!(
        "windows of {} s over the same {c} connections:",
        cli.seconds
    );
    let h = probe.window(healthz, Plan::Cycle(window), None).await?;
    describe("healthz", &h, &mut results)?;
    let hit = probe
        .window(Arc::clone(&cached), Plan::Cycle(window), cli.perf.as_ref())
        .await?;
    describe("cached", &hit, &mut results)?;
    let miss = probe
        .window(Arc::clone(&uncached), Plan::OnceWithin(window), None)
        .await?;
    describe("uncached", &miss, &mut results)?;
    let miss_n = miss.outcome.latencies_us.len();
    if miss_n >= uncached.len() {
        println!(
            "  (all {} uncached members used before the window ended: raise --uncached-members)",
            uncached.len()
        );
    }

    let healthz_rate = h.outcome.rate(200);
    let ratio_cached = hit.outcome.rate(200) / healthz_rate.max(1e-9);
    let ratio_uncached = miss.outcome.rate(200) / healthz_rate.max(1e-9);
    writeln!(results, "ratio_cached={ratio_cached:.3}")?;
    writeln!(results, "ratio_uncached={ratio_uncached:.3}")?;

    let mut verified = items == expected_items && page.status == 200;
    let outcomes = [
        ("warm", &warm),
        ("healthz", &h.outcome),
        ("cached", &hit.outcome),
        ("uncached", &miss.outcome),
    ];
    for (label, o) in outcomes {
        let ok = o.count(200) == o.latencies_us.len() && o.transport_errors == 0;
        if !ok {
            println!(
                "verify: {label} had answers other than 200: {}",
                o.statuses_line()
            );
        }
        verified &= ok;
    }
    // A miss writes its page into the cache; a hit writes nothing.
    let cached_sets = hit.redis.get("set").copied().unwrap_or(0);
    let filled = miss
        .entries_after
        .count
        .saturating_sub(miss.entries_before.count);
    let hits_ok = hit.entries_before.unwritten_until(&hit.entries_after);
    let misses_ok = filled == miss.outcome.count(200);
    println!(
        "verify: the cached window wrote no entry ({} -> {} entries, longest time to live {} -> \
         {} ms over {} ms; SETs on the whole Redis server meanwhile: {cached_sets}); the \
         uncached window filled {filled} entries for {} answers: {}",
        hit.entries_before.count,
        hit.entries_after.count,
        hit.entries_before.max_ttl_ms,
        hit.entries_after.max_ttl_ms,
        hit.entries_after
            .at
            .duration_since(hit.entries_before.at)
            .as_millis(),
        miss.outcome.count(200),
        if hits_ok && misses_ok { "OK" } else { "FAILED" }
    );
    verified &= hits_ok && misses_ok;

    if cli.account > 0 {
        let n = cli.account.min(cached.len());
        let again: Vec<Job> = cached
            .iter()
            .take(n)
            .map(|j| Job {
                method: j.method.clone(),
                path: j.path.clone(),
                authorization: j.authorization.clone(),
                body: None,
            })
            .collect();
        println!(
            "counting SQL statements: {n} cached and {} uncached requests, {} s apart …",
            account_uncached.len(),
            cli.settle
        );
        let (idle, counted) = statements_per_request(
            cli,
            &db,
            &mut conns,
            vec![("cached", again), ("uncached", account_uncached)],
        )
        .await?;
        println!("  the server's own statements over an idle interval: {idle}");
        writeln!(results, "idle_sql={idle}")?;
        for (label, per, outcome) in &counted {
            println!(
                "  {label}: {per:.2} SQL statements per request ({})",
                outcome.statuses_line()
            );
            writeln!(results, "{label}_sql_per_request={per:.2}")?;
            verified &= outcome.count(200) == outcome.latencies_us.len();
        }
    }

    println!(
        "result: /healthz {healthz_rate:.0}/s, cached feed {:.0}/s ({ratio_cached:.3} of \
         /healthz), uncached feed {:.0}/s ({ratio_uncached:.3})",
        hit.outcome.rate(200),
        miss.outcome.rate(200)
    );
    writeln!(results, "verified={verified}")?;
    if let Some(file) = &cli.results {
        std::fs::write(file, &results)?;
    }
    db.close().await?;
    Ok(verified)
}
