//! The `cohort` binary: the only place that names concrete stores.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use cohort_engine::demo::DemoSpec;
use cohort_engine::Engine;
use cohort_store::Store;

mod audit;
mod bench;
mod bench_log;
mod bench_people;
mod bench_pledge_import;
mod bench_results;
mod consensus;
mod jobs;
mod keys;
mod log_key;
mod matching;
mod payments;
mod people_import;
mod private_file;
mod progress;
mod recompute;
mod rollcalls;
mod web_key;

/// Accounts the demo makes so every dashboard can be tried.
const DEMO_ORGANIZER: &str = "organizer@demo.cohort.example";
const DEMO_CAMPAIGN: &str = "campaign@demo.cohort.example";

/// The demo organizer organizes every slate; the demo campaign account is
/// the first candidate who has not signed, so it can sign and unlock.
async fn grant_demo_accounts(engine: &Engine, spec: &DemoSpec) -> Result<()> {
    use cohort_store::Role;
    engine
        .grant(DEMO_ORGANIZER, Role::Organizer, None, None)
        .await?;
    let view = engine.slate_view(&spec.slate.slug).await?;
    if let Some(c) = view.candidates.iter().find(|c| !c.signed) {
        engine
            .grant(
                DEMO_CAMPAIGN,
                Role::Candidate,
                Some(&view.slug),
                Some(&c.slug),
            )
            .await?;
    }
    Ok(())
}

/// The demo slate, committed with the code so the quick start needs nothing else.
const DEMO: &str = include_str!("../../../data/demo/slate.json");
/// The demo slate's conversation: statement texts over synthetic votes.
const DEMO_CONVERSATION: &str = include_str!("../../../data/demo/conversation.json");

#[derive(Parser)]
#[command(
    name = "cohort",
    version,
    about = "Pledges to a slate of candidates that unlock when they commit to each other."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct Db {
    /// Directory for the embedded SQLite database.
    #[arg(long, default_value = "./cohort-data")]
    data_dir: PathBuf,
    /// Use PostgreSQL instead: postgres://user@host:port/db
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web app and JSON API.
    Serve {
        #[command(flatten)]
        db: Db,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Load the demo slate first (into an empty database).
        #[arg(long)]
        demo: bool,
    },
    /// Print a new API token (`--role`), or `token list`, or `token revoke ID`.
    Token(TokenArgs),
    /// Give a person (by email) a role; their account is made if need be.
    /// They sign in at /sign-in with an emailed link.
    Grant {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        email: String,
        #[arg(long, value_enum)]
        role: TokenRole,
        /// The slate (required for candidates; without it an organizer organizes every slate).
        #[arg(long)]
        slate: Option<String>,
        /// The candidate's slug (campaign accounts).
        #[arg(long)]
        candidate: Option<String>,
    },
    /// Apply database migrations and exit.
    Migrate {
        #[command(flatten)]
        db: Db,
    },
    /// Audit a running Cohort's transparency log from outside, over HTTP;
    /// exits non-zero naming the first problem.
    Audit(audit::AuditArgs),
    /// Print the transparency log's note verifier key (making the signing
    /// key in the data directory if there is none yet).
    LogKey {
        #[command(flatten)]
        db: Db,
    },
    /// Check every invariant on the database; exits non-zero naming any violation.
    Verify {
        #[command(flatten)]
        db: Db,
    },
    /// Measure pledge intake and unlock speed beside the database's raw insert rate.
    Bench {
        /// Backends to measure: sqlite, postgres, or both.
        #[arg(long, value_delimiter = ',', default_value = "sqlite,postgres")]
        backend: Vec<String>,
        /// Pending-pledge counts for the unlock benchmark.
        #[arg(long, value_delimiter = ',', default_value = "100000,1000000")]
        sizes: Vec<usize>,
        /// Requests per intake measurement.
        #[arg(long, default_value_t = 2000)]
        requests: usize,
        /// Concurrent clients for intake.
        #[arg(long, value_delimiter = ',', default_value = "1,64,512")]
        concurrency: Vec<usize>,
        /// PostgreSQL server to create scratch databases on.
        #[arg(
            long,
            env = "COHORT_TEST_PG",
            default_value = "postgres://postgres@127.0.0.1:5432/test"
        )]
        pg: String,
        /// Where SQLite benchmark databases go.
        #[arg(long, default_value = "./cohort-bench")]
        data_dir: PathBuf,
        /// Also write the Markdown report to this file.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Only seed each size and time the public pages (no intake, no unlock).
        #[arg(long)]
        pages_only: bool,
    },
    /// The conversation's results page at scale (a synthetic conversation, both backends).
    BenchResults(bench_results::BenchResultsArgs),
    /// Opinion groups and consensus statements of a Pol.is export folder (or --synthetic).
    Consensus(consensus::ConsensusArgs),
    /// Match volunteers to campaign needs for the maximum total score (CSV in, CSV out).
    Match {
        /// Volunteers: id,skills,hours_per_week,weeks,utc_offset,state,remote
        #[arg(long)]
        volunteers: PathBuf,
        /// Needs: id,campaign,role,skill,min_level,hours_per_week,weeks,utc_offset,state,remote_ok,priority
        #[arg(long)]
        needs: PathBuf,
        /// Where to write the assignment (need_id,volunteer_id,score); written whole or not at all.
        #[arg(long)]
        out: PathBuf,
        /// Also print why each unfilled role stayed unfilled.
        #[arg(long)]
        explain: bool,
    },
    /// Roll calls of Congress: `rollcalls import DIR` (the layout of votes-119/).
    Rollcalls(rollcalls::RollcallsArgs),
    /// The transparency log's cost to intake (log off and on, in turns) and
    /// the time `cohort audit` takes on logs of `--leaves` leaves.
    BenchLog {
        #[arg(long, default_value = "sqlite")]
        backend: String,
        /// Pledges per intake measurement (0: skip intake).
        #[arg(long, default_value_t = 2000)]
        requests: usize,
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
        /// Log sizes to build and audit.
        #[arg(long, value_delimiter = ',', default_value = "100000")]
        leaves: Vec<usize>,
        /// Also time another `cohort` binary's audit of the same log (e.g. an older build).
        #[arg(long)]
        compare_with: Option<PathBuf>,
        #[arg(
            long,
            env = "COHORT_TEST_PG",
            default_value = "postgres://postgres@127.0.0.1:5432/test"
        )]
        pg: String,
        #[arg(long, default_value = "./cohort-bench")]
        data_dir: PathBuf,
    },
    /// Measure importing a supporter list from CSV (SQLite) beside the store's raw upserts.
    BenchPeople {
        /// Rows in the synthetic file.
        #[arg(long, default_value_t = 100_000)]
        rows: usize,
        /// Where the benchmark's SQLite databases go.
        #[arg(long, default_value = "./cohort-bench")]
        data_dir: PathBuf,
    },
    /// Measure importing pledges made offline from CSV (SQLite) beside raw inserts.
    BenchPledgeImport {
        #[arg(long, default_value_t = 100_000)]
        rows: usize,
        #[arg(long, default_value = "./cohort-bench")]
        data_dir: PathBuf,
    },
    /// Import from CSV: `import people|pledges FILE --slate SLUG [--dry-run]`.
    Import(people_import::ImportArgs),
    /// Process the date passing now: expire, unlock date conditions, monthly installments.
    Tick {
        #[command(flatten)]
        db: Db,
    },
}

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
struct TokenArgs {
    #[command(subcommand)]
    action: Option<TokenAction>,
    #[command(flatten)]
    db: Db,
    #[arg(long, value_enum)]
    role: Option<TokenRole>,
    /// The slate (required for candidates; limits an organizer to one slate).
    #[arg(long)]
    slate: Option<String>,
    /// The candidate's slug (candidate tokens).
    #[arg(long)]
    candidate: Option<String>,
    /// A name to know it by in `cohort token list`.
    #[arg(long, default_value = "")]
    name: String,
    /// When it stops working: `30d`, `12h`, or a date (`2027-01-31`, through
    /// that day UTC). Without it, the token works until revoked.
    #[arg(long)]
    expires: Option<String>,
}

#[derive(Subcommand)]
enum TokenAction {
    /// Every API token: id, name, role, scope, created, expires, revoked.
    List {
        #[command(flatten)]
        db: Db,
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token by its id: refused at once by every server.
    Revoke {
        #[command(flatten)]
        db: Db,
        id: i64,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum TokenRole {
    Organizer,
    Candidate,
}

async fn open(db: &Db) -> Result<Engine> {
    let store: Arc<dyn Store> = match &db.database_url {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Arc::new(cohort_store_postgres::PostgresStore::connect(url).await?)
        }
        Some(url) => bail!(
            "--database-url must start with postgres:// (got {url:?}); leave it out to use SQLite"
        ),
        None => Arc::new(cohort_store_sqlite::SqliteStore::open_dir(&db.data_dir).await?),
    };
    store.migrate().await.context("migrating the database")?;
    let engine = Engine::with_store(store)
        .with_gateway(payments::gateway_from_env())
        .with_keyring(keys::load(&db.data_dir)?);
    engine
        .seal_at_rest()
        .await
        .context("sealing secrets older versions kept in plain text")?;
    Ok(engine)
}

/// Errors end the program with their chain of causes on one line and exit
/// code 1, whatever `RUST_BACKTRACE` says: a user is told what went wrong,
/// not where in the code.
fn main() -> std::process::ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Serve { db, addr, demo } => serve(&db, addr, demo).await,
        Command::Token(args) => token(args).await,
        Command::Grant {
            db,
            email,
            role,
            slate,
            candidate,
        } => {
            let engine = open(&db).await?;
            let role = match role {
                TokenRole::Organizer => cohort_store::Role::Organizer,
                TokenRole::Candidate => cohort_store::Role::Candidate,
            };
            engine
                .grant(&email, role, slate.as_deref(), candidate.as_deref())
                .await?;
            println!("{email} may now sign in at /sign-in with an emailed link");
            Ok(())
        }
        Command::Migrate { db } => {
            open(&db).await?;
            eprintln!("migrations applied");
            Ok(())
        }
        Command::Audit(args) => audit::main(args).await,
        Command::LogKey { db } => {
            let engine = open(&db).await?;
            let signer = log_key::load(&db.data_dir, &engine)?;
            println!("{}", signer.verifier_key());
            Ok(())
        }
        Command::Verify { db } => {
            let engine = open(&db).await?;
            let violations = engine.verify().await?;
            if violations.is_empty() {
                println!("ok: every invariant holds");
                Ok(())
            } else {
                for v in &violations {
                    println!("VIOLATION [{}] {}", v.rule, v.detail);
                }
                bail!("{} invariant violation(s)", violations.len())
            }
        }
        Command::Bench {
            backend,
            sizes,
            requests,
            concurrency,
            pg,
            data_dir,
            out,
            pages_only,
        } => {
            let report = bench::run(bench::BenchArgs {
                pages_only,
                backends: backend,
                sizes,
                requests,
                concurrency,
                pg_admin: pg,
                data_dir,
            })
            .await?;
            println!("{report}");
            if let Some(out) = out {
                std::fs::write(&out, &report)
                    .with_context(|| format!("writing {}", out.display()))?;
            }
            Ok(())
        }
        Command::BenchResults(args) => {
            println!("{}", bench_results::run(args).await?);
            Ok(())
        }
        Command::Consensus(args) => consensus::run(args),
        Command::Match {
            volunteers,
            needs,
            out,
            explain,
        } => matching::run(&volunteers, &needs, &out, explain),
        Command::Rollcalls(args) => match args.action {
            rollcalls::RollcallsAction::Import { dir, db } => {
                let engine = open(&db).await?;
                rollcalls::import(&engine, &dir).await
            }
        },
        Command::BenchLog {
            backend,
            requests,
            concurrency,
            leaves,
            compare_with,
            pg,
            data_dir,
        } => {
            let report = bench_log::run(bench_log::BenchLogArgs {
                backend,
                requests,
                concurrency,
                leaves,
                compare_with,
                pg_admin: pg,
                data_dir,
            })
            .await?;
            println!("{report}");
            Ok(())
        }
        Command::BenchPeople { rows, data_dir } => {
            println!("{}", bench_people::run(rows, &data_dir).await?);
            Ok(())
        }
        Command::BenchPledgeImport { rows, data_dir } => {
            println!("{}", bench_pledge_import::run(rows, &data_dir).await?);
            Ok(())
        }
        Command::Import(args) => match args.what {
            people_import::ImportWhat::People {
                file,
                slate,
                dry_run,
                db,
            } => {
                let engine = open(&db).await?;
                people_import::people(&engine, &file, &slate, dry_run).await
            }
            people_import::ImportWhat::Pledges {
                file,
                slate,
                dry_run,
                db,
            } => {
                let engine = open(&db).await?;
                people_import::pledges(&engine, &file, &slate, dry_run).await
            }
        },
        Command::Tick { db } => {
            let engine = open(&db).await?;
            let s = engine.tick().await?;
            println!("{}", serde_json::to_string(&s)?);
            Ok(())
        }
    }
}

async fn token(args: TokenArgs) -> Result<()> {
    use cohort_engine::tokens::{parse_expiry, TokenSpec};
    match args.action {
        Some(TokenAction::List { db, json }) => {
            let engine = open(&db).await?;
            let tokens = engine.list_tokens().await?;
            let day = |t: Option<chrono::DateTime<chrono::Utc>>| {
                t.map_or_else(
                    || "-".to_owned(),
                    |t| t.format("%Y-%m-%d %H:%M").to_string(),
                )
            };
            if json {
                for t in &tokens {
                    println!("{}", serde_json::to_string(t)?);
                }
            } else {
                println!("ID\tNAME\tROLE\tSCOPE\tCREATED\tEXPIRES\tREVOKED\tSTATE");
                for t in &tokens {
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        t.id,
                        if t.name.is_empty() { "-" } else { &t.name },
                        t.role,
                        t.scope,
                        day(Some(t.created_at)),
                        day(t.expires_at),
                        day(t.revoked_at),
                        t.state
                    );
                }
            }
            Ok(())
        }
        Some(TokenAction::Revoke { db, id }) => {
            let engine = open(&db).await?;
            engine.revoke_token(id).await?;
            println!("token {id} revoked");
            Ok(())
        }
        None => {
            let Some(role) = args.role else {
                bail!("cohort token needs --role organizer|candidate (or: cohort token list, cohort token revoke ID)");
            };
            let engine = open(&args.db).await?;
            let spec = TokenSpec {
                name: args.name,
                expires_at: match &args.expires {
                    Some(e) => Some(parse_expiry(e, engine.now())?),
                    None => None,
                },
            };
            let (token, _) = match role {
                TokenRole::Organizer => {
                    engine
                        .issue_organizer_token_as(args.slate.as_deref(), &spec)
                        .await?
                }
                TokenRole::Candidate => {
                    let (Some(slate), Some(candidate)) = (args.slate, args.candidate) else {
                        bail!("a candidate token needs --slate SLUG and --candidate CSLUG");
                    };
                    engine
                        .issue_candidate_token_as(&slate, &candidate, &spec)
                        .await?
                }
            };
            println!("{token}");
            Ok(())
        }
    }
}

/// The demo's organizer token: the one kept in `demo-token` in the data
/// directory while it still works, else a new one (named `demo`) kept there.
/// Only its hash is in the database.
async fn demo_token(engine: &Engine, dir: &std::path::Path) -> Result<String> {
    let path = dir.join("demo-token");
    if let Ok(kept) = std::fs::read_to_string(&path) {
        let kept = kept.trim();
        if engine.is_global_organizer_token(kept).await {
            return Ok(kept.to_owned());
        }
    }
    let spec = cohort_engine::tokens::TokenSpec {
        name: "demo".into(),
        expires_at: None,
    };
    let (token, _) = engine.issue_organizer_token_as(None, &spec).await?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    private_file::write(&path, &token)
        .with_context(|| format!("keeping the demo token in {}", path.display()))?;
    Ok(token)
}

async fn serve(db: &Db, addr: SocketAddr, demo: bool) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let url = format!("http://{}/", listener.local_addr()?);
    let public_url = std::env::var("COHORT_PUBLIC_URL").unwrap_or_else(|_| url.clone());
    let engine = open(db).await?.with_public_url(&public_url);
    let mailer = cohort_mail::from_env().map_err(anyhow::Error::msg)?;
    let log_signer = Arc::new(log_key::load(&db.data_dir, &engine)?);
    let web = cohort_web::Options {
        stripe_js: payments::stripe_js_from_env(engine.collects_payments())?,
        key: Some(web_key::load(&db.data_dir, &engine)?),
        trusted_proxies: cohort_web::TrustedProxies::from_env().map_err(anyhow::Error::msg)?,
        log_key: Some(log_signer.verifier_key().to_owned()),
        ..cohort_web::Options::default()
    };
    let mut demo_path = None;
    let mut governing_path: Option<String> = None;
    if demo {
        let mut spec: DemoSpec = serde_json::from_str(DEMO).context("parsing the bundled demo")?;
        spec.conversation = Some(
            serde_json::from_str(DEMO_CONVERSATION)
                .context("parsing the bundled demo conversation")?,
        );
        let started = std::time::Instant::now();
        match engine.load_demo(&spec).await? {
            Some(s) => {
                eprintln!(
                    "demo loaded: {} pledges ({} already unlocked) in {:.1}s",
                    s.pledges,
                    s.unlocked,
                    started.elapsed().as_secs_f64()
                );
                demo_path = Some(s.slug);
            }
            None => {
                eprintln!("demo already loaded; keeping the existing data");
                demo_path = Some(spec.slate.slug.clone());
            }
        }
        grant_demo_accounts(&engine, &spec).await?;
        // Issue 17: the roll calls and the "already in office" slate.
        governing_path = Some(
            engine
                .load_governing_demo(2026)
                .await
                .context("loading the governing demo")?,
        );
    }
    // Every background job runs in one server at a time, under its lease.
    let worker = Arc::new(jobs::Worker::from_env()?);
    if let Some(fenced) = worker.engine_for(&engine, "tick").await {
        fenced
            .tick()
            .await
            .context("processing the date on start")?;
    }
    // The tick's lease is kept like the others', and the tick itself runs
    // about once a minute in whichever server holds it.
    let last_tick = Arc::new(std::sync::Mutex::new(std::time::Instant::now()));
    jobs::spawn(
        engine.clone(),
        worker.clone(),
        "tick",
        Duration::from_secs(10),
        move |e| {
            let last_tick = last_tick.clone();
            async move {
                let due = {
                    let mut last = last_tick.lock().unwrap_or_else(|p| p.into_inner());
                    let due = last.elapsed() >= Duration::from_secs(60);
                    if due {
                        *last = std::time::Instant::now();
                    }
                    due
                };
                if due {
                    if let Err(e) = e.tick().await {
                        tracing::warn!(error = %e, "date tick failed; will retry");
                    }
                }
            }
        },
    );
    if engine.collects_payments() {
        jobs::spawn(
            engine.clone(),
            worker.clone(),
            "collect",
            Duration::from_secs(2),
            |e| async move {
                if let Err(e) = e.collect_payments(500).await {
                    tracing::warn!(error = %e, "payment collection paused; will retry");
                }
            },
        );
    }
    let mailer: Arc<dyn cohort_engine::Mailer> = Arc::from(mailer);
    jobs::spawn(
        engine.clone(),
        worker.clone(),
        "mail",
        Duration::from_secs(2),
        move |e| {
            let mailer = mailer.clone();
            async move { cohort_mail::deliver_round(&e, mailer.as_ref()).await }
        },
    );
    let log_vkey = log_signer.verifier_key().to_owned();
    // The transparency log: events are sequenced, hashed and a checkpoint
    // signed at least every second while there is work, by one server.
    jobs::spawn(
        engine.clone(),
        worker.clone(),
        "log",
        Duration::from_millis(500),
        move |e| {
            let signer = log_signer.clone();
            async move {
                if let Err(err) = e.sequence_log_all(&signer).await {
                    tracing::warn!(error = %err, "sequencing the transparency log paused; will retry");
                }
            }
        },
    );
    // The weekly digest (issue 15): written under its own lease, delivered by the mail job.
    jobs::spawn(
        engine.clone(),
        worker.clone(),
        "digest",
        Duration::from_secs(60),
        |e| async move { cohort_mail::digest_round(&e).await },
    );
    // Imports the organizer's page confirmed (issue 19): their rows through
    // the pledge intake, the page showing the count as it moves.
    jobs::spawn(
        engine.clone(),
        worker.clone(),
        "imports",
        Duration::from_secs(2),
        |e| async move {
            if let Err(err) = e.run_import_jobs().await {
                tracing::warn!(error = %err, "an import paused; will retry");
            }
        },
    );
    jobs::spawn(
        engine.clone(),
        worker.clone(),
        "recompute",
        Duration::from_secs(2),
        |e| async move { recompute::round(&e).await },
    );
    println!("Cohort is running at {url}");
    println!("  transparency log: {url}log/checkpoint, verifier key {log_vkey}");
    if !engine.collects_payments() {
        println!("  payments:        pledges only, nothing is charged (set COHORT_STRIPE_SECRET_KEY to collect)");
    }
    if let Some(slug) = demo_path {
        println!("  demo slate:      {url}slates/{slug}");
        println!("  pledge form:     {url}slates/{slug}/pledge");
        println!("  its JSON:        {url}api/slates/{slug}");
        println!("  conversation:    {url}slates/{slug}/conversation/results");
        println!("  volunteer teams: {url}slates/{slug}/teams");
        println!("  joint events:    {url}slates/{slug}/joint-events");
        println!("  power view:      {url}slates/{slug}/power (what N coordinated wins would do)");
        println!("  scorecard:       {url}slates/{slug}/scorecard (do they keep the compact?)");
        println!("  its log:         {url}slates/{slug}/log");
        if let Some(c) = engine.slate_view(&slug).await?.candidates.first() {
            println!(
                "  a candidate:     {url}slates/{slug}/candidates/{}",
                c.slug
            );
        }
        println!("  people import:   {url}slates/{slug}/people/import (organizer; the list at …/people.csv)");
        println!("  pledge import:   {url}slates/{slug}/pledges/import (organizer; pledges made offline)");
        println!("  the books:       {url}books (the organizer below)");
        if let Some(g) = &governing_path {
            println!("  in office:       {url}slates/{g}/cohesion (does the bloc vote together?)");
            println!("  targeting:       {url}slates/{g}/targets (whom to challenge)");
        }
        let token = demo_token(&engine, &db.data_dir).await?;
        println!("  organizer token: {token}");
        println!("  OpenAPI:         {url}api/openapi.json");
        println!(
            "  OSDI:            {url}api/osdi/v1 (send the organizer token as OSDI-API-Token)"
        );
        println!("  sign in at {url}sign-in as {DEMO_ORGANIZER} (organizer) or");
        println!("  {DEMO_CAMPAIGN} (a campaign that has not signed); without");
        println!("  COHORT_SMTP_HOST the sign-in link is printed here.");
    }
    cohort_web::serve_with(listener, engine.clone(), web, stop_signal()).await?;
    // Requests in flight have been answered; end the background loops and
    // hand their leases over, so another server carries on at once.
    worker.stop(&engine, Duration::from_secs(10)).await;
    eprintln!("Cohort stopped; its background jobs are handed over");
    Ok(())
}

/// Ctrl-C, or SIGTERM (what `kill`, systemd and container runtimes send).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
