//! The command line: `corkboard [SETTINGS] <serve|migrate|seed-demo>`.

use std::net::TcpListener;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::config::Settings;
use crate::db::ids::JobId;
use crate::db::{self, Database};
use crate::startup::{AppState, Application};
use crate::storage::Storage;
use crate::web::{Db, SiteConfig};
use crate::{demo, telemetry};

#[derive(Debug, Parser)]
#[command(
    name = "corkboard",
    version,
    about = "Corkboard: a self-hostable classifieds marketplace",
    long_about = "Corkboard: a self-hostable classifieds marketplace.\n\n\
        Every setting below can also be given as the environment variable shown, or in a .env \
        file in the working directory. With none set, Corkboard keeps everything under ./var: \
        its own PostgreSQL cluster, uploaded photos and outgoing mail."
)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web site (the default command).
    Serve(ServeArgs),
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Fill an empty database with demo data, then exit.
    SeedDemo,
    /// Make USERNAME an admin. If no such account exists, create it: give --email, and the
    /// password on standard input (e.g. `printf '%s' "$PW" | corkboard create-admin alice --email a@example.com`).
    CreateAdmin(CreateAdminArgs),
    /// Manage the private PostgreSQL cluster (when DATABASE_URL is unset): `start` leaves it
    /// running and prints its URL (for psql, pg_dump or the Diesel CLI), `stop` stops it.
    Database {
        #[arg(value_enum)]
        action: DatabaseAction,
    },
    /// Background jobs: list the queue (the default), retry or discard a job, or queue a ping
    /// to see that workers run.
    Jobs {
        #[command(subcommand)]
        action: Option<JobsAction>,
    },
}

#[derive(Debug, Subcommand)]
pub enum JobsAction {
    /// Waiting, running, failed and dead jobs, with their last error.
    List,
    /// Run a failed or dead job again now.
    Retry { id: JobId },
    /// Delete a job that no worker holds.
    Discard { id: JobId },
    /// Queue a job that only logs "pong" (after DELAY_MS), to check that workers run.
    Ping {
        #[arg(long, default_value_t = 0)]
        delay_ms: u64,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum DatabaseAction {
    Start,
    Stop,
}

#[derive(Debug, Args)]
pub struct CreateAdminArgs {
    /// The account's username.
    pub username: String,
    /// E-mail address, for a new account.
    #[arg(long)]
    pub email: Option<String>,
}

#[derive(Debug, Default, Args)]
pub struct ServeArgs {
    /// Load the demo data first when the database holds none of its own.
    #[arg(long)]
    pub seed_demo: bool,
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    telemetry::init();
    let settings = cli.settings;
    let command = cli.command.unwrap_or(Command::Serve(ServeArgs::default()));
    if let Command::Database { action } = command {
        return manage_database(&settings, action);
    }
    let database = Database::open(&settings)?;
    let result = match command {
        Command::Serve(args) => serve(&settings, &database, &args),
        Command::Migrate => migrate(&database.url),
        Command::SeedDemo => migrate(&database.url).and_then(|()| seed(&settings, &database)),
        Command::CreateAdmin(args) => {
            migrate(&database.url).and_then(|()| create_admin(&settings, &database, &args))
        }
        Command::Jobs { action } => migrate(&database.url)
            .and_then(|()| manage_jobs(&database, action.unwrap_or(JobsAction::List))),
        Command::Database { .. } => unreachable!("handled above"),
    };
    let closed = database.close();
    result.and(closed)
}

fn manage_database(settings: &Settings, action: DatabaseAction) -> anyhow::Result<()> {
    use crate::db::embedded::{Durability, EmbeddedCluster};
    if settings.database.database_url.is_some() {
        anyhow::bail!("DATABASE_URL is set: Corkboard does not manage that database");
    }
    let cluster = EmbeddedCluster::new(&settings.data_dir.join("postgres"))?;
    match action {
        DatabaseAction::Start => {
            cluster.start(Durability::Durable)?;
            cluster.ensure_database(db::EMBEDDED_DATABASE)?;
            println!("{}", cluster.url(db::EMBEDDED_DATABASE));
        }
        DatabaseAction::Stop => cluster.stop()?,
    }
    Ok(())
}

fn manage_jobs(database: &Database, action: JobsAction) -> anyhow::Result<()> {
    use crate::jobs::queue;
    let mut conn = db::connect(&database.url)?;
    match action {
        JobsAction::List => {
            let now = chrono::Utc::now();
            let jobs = queue::list(&mut conn, 200)?;
            if jobs.is_empty() {
                println!("No jobs are queued.");
            }
            for job in jobs {
                let condition = job.condition(now);
                println!(
                    "{:>8}  {:<10} {:<8} attempt {}/{}  due {}{}",
                    job.id,
                    job.kind,
                    condition,
                    job.attempts,
                    job.max_attempts,
                    job.run_at.format("%Y-%m-%d %H:%M:%S UTC"),
                    job.locked_by
                        .filter(|_| condition == "running")
                        .map(|w| format!("  on {w}"))
                        .unwrap_or_default()
                );
                if let Some(error) = job.last_error {
                    println!("          last error: {error}");
                }
            }
        }
        JobsAction::Retry { id } => {
            anyhow::ensure!(
                queue::retry(&mut conn, id)?,
                "no job {id} that is not running"
            );
            println!("Job {id} will run again now.");
        }
        JobsAction::Discard { id } => {
            anyhow::ensure!(
                queue::discard(&mut conn, id)?,
                "no job {id} that is not running"
            );
            println!("Job {id} discarded.");
        }
        JobsAction::Ping { delay_ms } => {
            queue::enqueue(&mut conn, &crate::jobs::Ping { delay_ms })?;
            println!("Queued a ping; a worker logs \"pong\" when it runs it.");
        }
    }
    Ok(())
}

fn migrate(url: &str) -> anyhow::Result<()> {
    crate::bootstrap::prepare(&mut db::connect(url)?)
}

fn seed(settings: &Settings, database: &Database) -> anyhow::Result<()> {
    let secret = settings.load_or_create_session_key()?;
    let storage = Storage::from_settings(&settings.storage, &settings.data_dir, &secret)?;
    let pool = db::build_command_pool(&database.url, &settings.database);
    let report = actix_web::rt::System::new().block_on(demo::seed_demo(
        &pool,
        &storage,
        settings.auth.bcrypt_cost,
    ))?;
    for line in report.lines {
        println!("seed-demo: {line}");
    }
    Ok(())
}

fn create_admin(
    settings: &Settings,
    database: &Database,
    args: &CreateAdminArgs,
) -> anyhow::Result<()> {
    use crate::accounts::domain::{Email, NewPassword, Username};
    use crate::accounts::{models, password, queries};

    let mut conn = db::connect(&database.url)?;
    if let Some(user) = queries::find_by_login(&mut conn, &args.username)?
        .filter(|u| u.username.eq_ignore_ascii_case(&args.username))
    {
        queries::set_role(&mut conn, user.id, models::Role::Admin)?;
        println!("{} is now an admin.", user.username);
        return Ok(());
    }
    let username = Username::parse(&args.username).map_err(|e| anyhow::anyhow!("username: {e}"))?;
    let email = args
        .email
        .as_deref()
        .context("no account is called that: give --email to create it")?;
    let email = Email::parse(email).map_err(|e| anyhow::anyhow!("e-mail: {e}"))?;
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        eprint!("Password for {} (visible as you type): ", username.as_str());
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("cannot read the password")?;
    let plain = line.trim_end_matches(['\r', '\n']);
    let new_password = NewPassword::parse(plain, username.as_str(), email.as_str())
        .map_err(|e| anyhow::anyhow!("password: {e}"))?;
    let hash = password::hash(new_password.expose(), settings.auth.bcrypt_cost)?;
    let user = queries::insert_user(
        &mut conn,
        &models::NewUser {
            username: username.as_str(),
            email: email.as_str(),
            password_hash: &hash,
            role: models::Role::Admin,
        },
    )
    .map_err(|err| anyhow::anyhow!("cannot create the account: {err}"))?;
    println!("Created admin {}.", user.username);
    Ok(())
}

fn serve(settings: &Settings, database: &Database, args: &ServeArgs) -> anyhow::Result<()> {
    migrate(&database.url)?;
    if args.seed_demo {
        seed(settings, database)?;
    }
    let secret = settings.load_or_create_session_key()?;
    let storage = Storage::from_settings(&settings.storage, &settings.data_dir, &secret)?;
    if settings.auth.bcrypt_cost < 12 {
        tracing::warn!(
            cost = settings.auth.bcrypt_cost,
            "BCRYPT_COST is below 12: fine for tests, too weak for a real site"
        );
    }
    let state = AppState {
        db: match &settings.database.replica_url {
            Some(replica) => Db::new(db::build_pool(&database.url, &settings.database))
                .with_replica(
                    db::build_pool(replica, &settings.database),
                    std::time::Duration::from_millis(settings.database.replica_max_lag_ms),
                ),
            None => Db::new(db::build_pool(&database.url, &settings.database)),
        },
        storage,
        site: SiteConfig {
            site_name: settings.site_name.clone(),
            public_url: settings.public_url(),
            map_tile_url: settings.map_tile_url.clone(),
            map_attribution: settings.map_attribution.clone(),
        },
        auth: settings.auth.clone(),
        listings: settings.listings.clone(),
        messages: settings.messages.clone(),
        moderation: settings.moderation.clone(),
        secret,
        database_url: database.url.clone(),
    };
    let listener = TcpListener::bind(&settings.bind)
        .with_context(|| format!("cannot listen on {}", settings.bind))?;
    let workers = settings
        .workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let job_workers = settings.jobs.job_workers;
    actix_web::rt::System::new().block_on(async move {
        // The SMTP pool starts a task of its own: made inside the runtime.
        let mailer = crate::mail::Mailer::from_settings(&settings.mail, &settings.data_dir)?;
        let jobs = crate::jobs::JobContext {
            site: crate::mail::MailSite::from(&state.site),
            secret: state.secret.clone(),
            db: state.db.clone(),
            storage: state.storage.clone(),
            mailer: mailer.clone(),
            session_lifetime: std::time::Duration::from_secs(
                u64::from(settings.auth.session_lifetime_days) * 86_400,
            ),
            lease: std::time::Duration::from_secs(settings.jobs.job_lease_seconds),
            poll: std::time::Duration::from_secs(1),
        };
        let jobs_db = jobs.db.clone();
        actix_web::rt::spawn(crate::jobs::runner::run_workers(jobs, job_workers));
        let app = Application::build(state, listener, workers)?;
        tracing::info!(
            storage = app_storage_name(settings),
            mail = mailer.backend_name(),
            job_workers,
            "ready"
        );
        println!(
            "\n  Corkboard is running at {}\n  Press Ctrl-C to stop.\n",
            settings.public_url()
        );
        let lifecycle = app.lifecycle();
        let metrics = match &settings.metrics_bind {
            Some(bind) => {
                let listener = TcpListener::bind(bind)
                    .with_context(|| format!("cannot listen on {bind} for /metrics"))?;
                let server = crate::metrics::serve(
                    listener,
                    crate::metrics::Sources {
                        db: jobs_db.clone(),
                        hub: lifecycle.hub().clone(),
                    },
                )?;
                let handle = server.handle();
                actix_web::rt::spawn(server);
                tracing::info!(%bind, "metrics at /metrics");
                Some(handle)
            }
            None => None,
        };
        let drain = std::time::Duration::from_secs(settings.shutdown_drain_seconds);
        actix_web::rt::spawn(async move {
            let drain = match stop_signal().await {
                StopSignal::Terminate => drain,
                // Ctrl-C at a terminal: nobody is balancing onto this process.
                StopSignal::Interrupt => std::time::Duration::ZERO,
            };
            lifecycle.shut_down(drain).await;
            if let Some(metrics) = metrics {
                metrics.stop(true).await;
            }
        });
        app.run_until_stopped().await?;
        tracing::info!("stopped");
        Ok(())
    })
}

/// Which signal asked the process to stop.
enum StopSignal {
    Terminate,
    Interrupt,
}

/// Waits for SIGTERM (an orchestrator, a rolling restart) or SIGINT (Ctrl-C).
async fn stop_signal() -> StopSignal {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut terminate), Ok(mut interrupt)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::error!("cannot listen for stop signals");
        return std::future::pending().await;
    };
    tokio::select! {
        _ = terminate.recv() => StopSignal::Terminate,
        _ = interrupt.recv() => StopSignal::Interrupt,
    }
}

fn app_storage_name(settings: &Settings) -> &'static str {
    if settings.storage.s3_bucket.is_some() {
        "S3"
    } else {
        "local disk"
    }
}
