//! The command line: `corkboard [SETTINGS] <serve|migrate|seed-demo>`.

use std::net::TcpListener;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::config::Settings;
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
    let database = Database::open(&settings)?;
    let result = match command {
        Command::Serve(args) => serve(&settings, &database, &args),
        Command::Migrate => migrate(&database.url),
        Command::SeedDemo => migrate(&database.url).and_then(|()| seed(&settings, &database)),
    };
    let closed = database.close();
    result.and(closed)
}

fn migrate(url: &str) -> anyhow::Result<()> {
    let ran = db::run_migrations(&mut db::connect(url)?)?;
    tracing::info!(migrations = ran, "database schema is up to date");
    Ok(())
}

fn seed(settings: &Settings, database: &Database) -> anyhow::Result<()> {
    let secret = settings.load_or_create_session_key()?;
    let storage = Storage::from_settings(&settings.storage, &settings.data_dir, &secret)?;
    let pool = db::build_pool(&database.url, &settings.database);
    let report = actix_web::rt::System::new().block_on(demo::seed_demo(&pool, &storage))?;
    for line in report.lines {
        println!("seed-demo: {line}");
    }
    Ok(())
}

fn serve(settings: &Settings, database: &Database, args: &ServeArgs) -> anyhow::Result<()> {
    migrate(&database.url)?;
    if args.seed_demo {
        seed(settings, database)?;
    }
    let secret = settings.load_or_create_session_key()?;
    let storage = Storage::from_settings(&settings.storage, &settings.data_dir, &secret)?;
    let state = AppState {
        db: Db::new(db::build_pool(&database.url, &settings.database)),
        storage,
        site: SiteConfig {
            site_name: settings.site_name.clone(),
            public_url: settings.public_url(),
        },
    };
    let listener = TcpListener::bind(&settings.bind)
        .with_context(|| format!("cannot listen on {}", settings.bind))?;
    let workers = settings
        .workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(state, listener, workers)?;
        tracing::info!(storage = app_storage_name(settings), "ready");
        println!(
            "\n  Corkboard is running at {}\n  Press Ctrl-C to stop.\n",
            settings.public_url()
        );
        app.run_until_stopped().await?;
        tracing::info!("stopped");
        Ok(())
    })
}

fn app_storage_name(settings: &Settings) -> &'static str {
    if settings.storage.s3_bucket.is_some() {
        "S3"
    } else {
        "local disk"
    }
}
