use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use secrecy::ExposeSecret;

use api::config::{LogFormat, Settings};
use api::startup::{db_options, Application};
use infra::Db;

/// 指尖上的课堂 backend. With nothing configured it serves on 127.0.0.1:8080 from a SQLite
/// file under ./data/ with an in-process cache.
#[derive(Debug, Parser)]
#[command(name = "api", version)]
struct Cli {
    /// A TOML settings file (also APP_CONFIG_FILE); environment variables override it.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Log what a command does (migrations applied, …); commands other than `serve` log
    /// only warnings and errors otherwise, unless APP_LOG_LEVEL says more.
    #[arg(long, short, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Mint an access token for trying the API; prints only the token.
    Token {
        /// The member's id or phone.
        #[arg(long)]
        member: String,
        /// Lifetime, e.g. 15m or 300s (at most 15m).
        #[arg(long, default_value = "15m")]
        ttl: String,
        /// Also start a session: prints a refresh token on a second line.
        #[arg(long)]
        refresh: bool,
    },
    /// Start a township: its committee, an office branch and the first township admin
    /// (holding township_admin on the committee), in one transaction with an audit entry.
    /// Refuses a committee name or an admin phone already there, writing nothing. Prints
    /// committee_id, office_branch_id and admin_member_id as key=value lines.
    Init {
        /// The township committee's name, e.g. 盖北镇党委.
        #[arg(long)]
        committee: String,
        /// rural, government, enterprise or school_hospital (or 农村, 机关事业单位,
        /// 非公企业和社会组织, 学校、卫生院).
        #[arg(long)]
        sector: String,
        /// The first township admin's name.
        #[arg(long)]
        admin_name: String,
        /// The first township admin's mobile phone (their sign-in identity).
        #[arg(long)]
        admin_phone: String,
        /// The branch the admin belongs to, created under the committee (sector
        /// government).
        #[arg(long, default_value = domain::org::township::DEFAULT_OFFICE_BRANCH)]
        office_branch: String,
    },
    /// Create the demo township (idempotent) and print its accounts.
    SeedDemo {
        /// Print the accounts as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Import data from a file.
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Grant a role from the shell (e.g. a second township admin); prints its id.
    Grant {
        /// The member's id or phone.
        #[arg(long)]
        member: String,
        /// secretary, committee, township_admin or hotline_operator.
        #[arg(long)]
        role: String,
        /// The org the role covers.
        #[arg(long)]
        org: String,
    },
}

#[derive(Debug, Subcommand)]
enum ImportWhat {
    /// A roster (.xlsx or .csv): orgs, members, groups and roles. Every row is checked
    /// first; a file with any bad row imports nothing and lists them all.
    Roster {
        /// The file; columns 组织路径, 组织类别, 姓名, 手机号, 党员类别, 党小组, 领导干部, 职务.
        file: PathBuf,
        /// Check the file and say what would change, writing nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    // A command's output is its answer (a token, a report): the migrations it applies on
    // the way are not news unless asked for.
    let serving = matches!(cli.command, None | Some(Command::Serve));
    let level = if serving
        || cli.verbose
        || std::env::var_os("APP_LOG_LEVEL").is_some()
        || settings.log_level != "info"
    {
        settings.log_level.as_str()
    } else {
        "warn"
    };
    api::telemetry::init(settings.log_format, level);
    let json_logs = settings.log_format == LogFormat::Json;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => runtime.block_on(serve(settings)),
        Command::Migrate => runtime.block_on(migrate(settings)),
        Command::Token {
            member,
            ttl,
            refresh,
        } => runtime
            .block_on(api::cli::token(&settings, &member, &ttl, refresh))
            .map(|lines| lines.iter().for_each(|l| println!("{l}")))
            .map_err(|e| e.to_string()),
        Command::Init {
            committee,
            sector,
            admin_name,
            admin_phone,
            office_branch,
        } => runtime
            .block_on(api::cli::init(
                &settings,
                &domain::org::township::TownshipRequest {
                    committee,
                    sector,
                    admin_name,
                    admin_phone,
                    office_branch: Some(office_branch),
                },
            ))
            .map(|report| println!("{report}"))
            .map_err(|e| e.to_string()),
        Command::SeedDemo { json } => runtime
            .block_on(api::cli::seed_demo(&settings, json))
            .map(|out| println!("{}", out.trim_end()))
            .map_err(|e| e.to_string()),
        Command::Import {
            what: ImportWhat::Roster { file, dry_run },
        } => runtime
            .block_on(api::cli::import::import_roster(&settings, &file, dry_run))
            .map(|report| println!("{report}"))
            .map_err(|e| e.to_string()),
        Command::Grant { member, role, org } => runtime
            .block_on(api::cli::grant(&settings, &member, &role, &org))
            .map(|id| println!("{id}"))
            .map_err(|e| e.to_string()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        // Once, on stderr: as a log event where stderr is a stream of JSON objects (a plain
        // line would break it), else as plain text (the log line would repeat it).
        Err(e) if json_logs => {
            tracing::error!(error = %e, "stopped");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(settings: Settings) -> Result<(), String> {
    tracing::info!(
        database = %settings.database_location(),
        cache = %settings.redis_location().unwrap_or_else(|| "memory".to_owned()),
        "starting"
    );
    let app = Application::build(&settings)
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!(address = %format!("{}:{}", settings.host, app.port()), "listening");
    app.run_until_stopped().await.map_err(|e| e.to_string())?;
    tracing::info!("stopped gracefully");
    Ok(())
}

async fn migrate(settings: Settings) -> Result<(), String> {
    let db = Db::connect(
        settings.database_url.expose_secret(),
        &db_options(&settings),
    )
    .await
    .map_err(|e| e.to_string())?;
    db.migrate()
        .await
        .map_err(|e| format!("migration failed: {e}"))?;
    let applied = db.applied_migrations().await.map_err(|e| e.to_string())?;
    db.close().await;
    println!(
        "{} migrations applied; latest: {}",
        applied.len(),
        applied.last().map_or("-", String::as_str)
    );
    Ok(())
}
