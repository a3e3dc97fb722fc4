//! `cohort bench-results`: the conversation's public results page at scale
//! (issue 20). A synthetic conversation (`cohort_consensus::synthetic`) of
//! `--participants` people over `--statements` statements is analyzed by the
//! engine's own analysis and stored through its own write path (the full
//! result and the slim form the views read); then the results page is
//! fetched over HTTP by 8 clients and its p50 / p99 reported, beside
//! `/healthz` on the same server. The votes themselves are not written: the
//! page reads only the stored result and the statements. The seed's
//! bridging scores take 50 passes and no interval (see `run`).

use std::time::Instant;

use anyhow::Result;
use clap::Args;
use cohort_consensus::bridging::BridgingParams;
use cohort_consensus::synthetic::{generate, Spec};
use cohort_consensus::VoteRecord;
use cohort_engine::conversation::ConversationInput;
use cohort_engine::{Actor, Engine};

use crate::bench::{fresh, get_latencies, percentile, slate, BenchArgs};

#[derive(Debug, Args)]
pub struct BenchResultsArgs {
    /// Backends to measure: sqlite, postgres, or both.
    #[arg(long, value_delimiter = ',', default_value = "sqlite,postgres")]
    backend: Vec<String>,
    #[arg(long, default_value_t = 100_000)]
    participants: usize,
    #[arg(long, default_value_t = 100)]
    statements: usize,
    /// Votes in all (each participant votes on about votes / participants).
    #[arg(long, default_value_t = 2_000_000)]
    votes: usize,
    /// GETs of the page (8 clients).
    #[arg(long, default_value_t = 400)]
    requests: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(
        long,
        env = "COHORT_TEST_PG",
        default_value = "postgres://postgres@127.0.0.1:5432/test"
    )]
    pg: String,
    #[arg(long, default_value = "./cohort-bench")]
    data_dir: std::path::PathBuf,
}

pub async fn run(args: BenchResultsArgs) -> Result<String> {
    let cmd = std::env::args().collect::<Vec<_>>().join(" ");
    let mut report = format!(
        "Measured {} on {} cores with `{cmd}`.\n\n| backend | participants × statements, votes | analyze s | store s | results page p50 ms | p99 ms | /healthz p99 ms |\n|---|---|---:|---:|---:|---:|---:|\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let generated = generate(&Spec {
        participants: args.participants,
        statements: args.statements,
        votes: args.votes,
        groups: 4,
        consensus_share: 0.15,
        seed: args.seed,
    });
    for backend in &args.backend {
        eprintln!("== {backend}: {} participants", args.participants);
        let store = fresh(
            backend,
            &BenchArgs {
                backends: Vec::new(),
                sizes: Vec::new(),
                requests: 0,
                concurrency: Vec::new(),
                pg_admin: args.pg.clone(),
                data_dir: args.data_dir.clone(),
                pages_only: true,
            },
            "results",
        )
        .await?;
        let engine = Engine::with_store(store.clone());
        slate(&engine).await?;
        let org = Actor::Organizer { slate: None };
        let mut ids = Vec::with_capacity(args.statements);
        for s in 0..args.statements {
            let text = format!("Statement {s} of the bench conversation");
            ids.push(engine.seed_statement(&org, "bench", &text).await?.id);
        }
        let slate_id = {
            let mut tx = store.read().await?;
            tx.slate_by_slug("bench")
                .await?
                .map(|s| s.id)
                .ok_or_else(|| anyhow::anyhow!("no bench slate"))?
        };
        let votes: Vec<VoteRecord> = generated
            .votes
            .iter()
            .map(|v| VoteRecord {
                statement: ids[v.statement as usize] as u64,
                ..*v
            })
            .collect();
        let n_votes = votes.len();
        let t = Instant::now();
        let out = ConversationInput {
            slate_id,
            changes: 1,
            votes,
            moderated_out: Vec::new(),
            warm: None,
            previous: None,
            downweighted: Vec::new(),
        }
        // The bridging fit's cost at this size is issue 20's open scale gap
        // (BENCHMARKS.md); the page does not depend on how the scores were
        // fitted, so the seed takes 50 passes and no interval.
        .analyze_with(&BridgingParams {
            max_iters: 50,
            resamples: 0,
            ..BridgingParams::default()
        });
        let analyze = t.elapsed().as_secs_f64();
        let t = Instant::now();
        anyhow::ensure!(engine.store_conversation(&out).await?, "result not stored");
        let stored = t.elapsed().as_secs_f64();
        eprintln!("   analyzed in {analyze:.1}s, stored in {stored:.1}s");

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let server = tokio::spawn(cohort_web::serve(
            listener,
            engine.clone(),
            std::future::pending(),
        ));
        let page = format!("{base}/slates/bench/conversation/results");
        // Warm the connection pool and caches once.
        get_latencies(&page, 8, 8).await?;
        let lat = get_latencies(&page, args.requests, 8).await?;
        let floor = get_latencies(&format!("{base}/healthz"), args.requests, 8).await?;
        server.abort();
        let (p50, p99) = (percentile(&lat, 0.5), percentile(&lat, 0.99));
        eprintln!("   results page p50 {p50:.1} ms, p99 {p99:.1} ms");
        report.push_str(&format!(
            "| {backend} | {} × {}, {n_votes} | {analyze:.1} | {stored:.1} | {p50:.1} | {p99:.1} | {:.1} |\n",
            args.participants,
            args.statements,
            percentile(&floor, 0.99)
        ));
    }
    Ok(report)
}
