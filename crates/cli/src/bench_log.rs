//! `cohort bench-log` (issue 18): what the transparency log costs pledge
//! intake, and how long `cohort audit` takes on a large log.
//!
//! Intake: two fresh databases of the same backend, each serving the bench
//! slate over HTTP; on one the log's sequencer runs beside intake as in
//! `cohort serve` (a round every 500 ms). They take turns, round by round;
//! a "log on" round ends only when the log has sequenced every event of the
//! round, so the sequencer's work is inside the measured time.
//!
//! Audit: a log of N synthetic `pledged` leaves (receipt commitments, as
//! intake writes them) is appended through the real store and sequencer,
//! served, and the real `cohort audit` binary is timed against it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::Utc;
use cohort_core::SlateEventKind;
use cohort_engine::log::receipt_commitment;
use cohort_engine::Engine;
use cohort_store::Store;
use cohort_tlog::CheckpointSigner;

use crate::bench::{self, BenchArgs, ROUNDS};

pub struct BenchLogArgs {
    pub backend: String,
    pub requests: usize,
    pub concurrency: usize,
    pub leaves: Vec<usize>,
    /// Another `cohort` binary whose audit of the same log is timed too.
    pub compare_with: Option<std::path::PathBuf>,
    pub pg_admin: String,
    pub data_dir: std::path::PathBuf,
}

fn signer() -> Result<(CheckpointSigner, String)> {
    let (skey, vkey) = cohort_tlog::key_from_seed("bench.cohort/log", [5; 32])
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((
        CheckpointSigner::new(&skey).map_err(|e| anyhow::anyhow!("{e}"))?,
        vkey,
    ))
}

fn bench_args(a: &BenchLogArgs) -> BenchArgs {
    BenchArgs {
        backends: vec![a.backend.clone()],
        sizes: Vec::new(),
        requests: a.requests,
        concurrency: vec![a.concurrency],
        pg_admin: a.pg_admin.clone(),
        data_dir: a.data_dir.clone(),
        pages_only: false,
    }
}

/// A served bench slate on a fresh database: its engine and base URL.
async fn served(
    args: &BenchArgs,
    tag: &str,
    vkey: Option<&str>,
) -> Result<(Engine, Arc<dyn Store>, String)> {
    let store: Arc<dyn Store> = bench::fresh(&args.backends[0], args, tag).await?;
    let engine = Engine::with_store(store.clone());
    bench::slate(&engine).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}/", listener.local_addr()?);
    let options = cohort_web::Options {
        log_key: vkey.map(str::to_owned),
        ..cohort_web::Options::default()
    };
    tokio::spawn(cohort_web::serve_with(
        listener,
        engine.clone(),
        options,
        std::future::pending(),
    ));
    Ok((engine, store, base))
}

/// Intake with the log off and on, in turns. Returns the report's section.
async fn intake(a: &BenchLogArgs) -> Result<String> {
    let args = bench_args(a);
    let (signer, vkey) = signer()?;
    let signer = Arc::new(signer);
    let (_, _, off) = served(&args, "log-off", None).await?;
    let (on_engine, _, on) = served(&args, "log-on", Some(&vkey)).await?;
    on_engine.sequence_log_all(&signer).await?;
    // The sequencer, as `cohort serve` runs it: a round every 500 ms.
    let stop = Arc::new(AtomicBool::new(false));
    let job = {
        let (engine, signer, stop) = (on_engine.clone(), signer.clone(), stop.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(500));
            while !stop.load(Ordering::Relaxed) {
                tick.tick().await;
                engine.sequence_log_all(&signer).await?;
            }
            anyhow::Ok(())
        })
    };
    let c = a.concurrency;
    let n = a.requests.max(c * 2 * ROUNDS) / ROUNDS;
    let (mut off_s, mut on_s, mut on_sequenced_s) = (0.0, 0.0, 0.0);
    let mut offset = 0;
    for round in 0..ROUNDS {
        let (_, s) = bench::http_intake(&off, n, c, offset).await?;
        off_s += s;
        let t = Instant::now();
        let (_, s) = bench::http_intake(&on, n, c, offset).await?;
        on_s += s;
        // Every event of the round logged: the sequencer kept up.
        let target = event_count(&on_engine).await?;
        while logged(&on_engine).await? < target {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        on_sequenced_s += t.elapsed().as_secs_f64();
        offset += n;
        eprintln!(
            "   round {}: off {off_s:.1}s, on {on_s:.1}s ({on_sequenced_s:.1}s to sequenced)",
            round + 1
        );
    }
    stop.store(true, Ordering::Relaxed);
    job.await??;
    let total = (n * ROUNDS) as f64;
    let (off_r, on_r, seq_r) = (total / off_s, total / on_s, total / on_sequenced_s);
    Ok(format!(
        "### {}: pledge intake with the log off and on ({c} clients, {} pledges each, {ROUNDS} rounds in turns)\n\n\
         | log | pledges/s | vs off |\n|---|---:|---:|\n\
         | off | {off_r:.0} | 1.00 |\n\
         | on, sequencer running beside intake | {on_r:.0} | {:.2} |\n\
         | on, until the round's last event is in a signed checkpoint | {seq_r:.0} | {:.2} |\n\n",
        a.backend,
        n * ROUNDS,
        on_r / off_r,
        seq_r / off_r,
    ))
}

/// Events of the bench slate so far (the log's size once it caught up;
/// the bench slate is the database's only one).
async fn event_count(engine: &Engine) -> Result<u64> {
    let mut n = 0;
    let mut after = 0;
    loop {
        let page = engine.events("bench", after, 10_000).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        n += page.len() as u64;
    }
    Ok(n)
}

/// The published checkpoint's size.
async fn logged(engine: &Engine) -> Result<u64> {
    let note = engine.log_checkpoint().await?;
    note.lines()
        .nth(1)
        .and_then(|l| l.parse().ok())
        .context("a checkpoint without a size")
}

/// A log of `leaves` leaves built through the real store and sequencer,
/// then audited by the real binary (and by `--compare-with`'s). Returns
/// (build seconds, audit seconds, the other binary's audit seconds).
async fn audit_one(a: &BenchLogArgs, leaves: usize) -> Result<(f64, f64, Option<f64>)> {
    let args = bench_args(a);
    let (signer, vkey) = signer()?;
    let (engine, store, base) = served(&args, "log-audit", Some(&vkey)).await?;
    let t = Instant::now();
    let slate_id = {
        let mut tx = store.read().await?;
        tx.slate_by_slug("bench").await?.context("bench slate")?.id
    };
    let at = Utc::now();
    let have = event_count(&engine).await? as usize;
    let mut i = have;
    while i < leaves {
        let mut tx = store.write().await?;
        let end = (i + 20_000).min(leaves);
        for k in i..end {
            let payload = serde_json::json!({
                "pledge": k, "kind": "money",
                "receipt_commitment": receipt_commitment(k as i64, "bench-receipt"),
            });
            tx.append_event(slate_id, SlateEventKind::Pledged, &payload.to_string(), at)
                .await?;
        }
        tx.commit().await?;
        i = end;
        // Sequence as the job would, in its batches.
        engine.sequence_log_all(&signer).await?;
    }
    engine.sequence_log_all(&signer).await?;
    let size = logged(&engine).await?;
    let built = t.elapsed().as_secs_f64();
    eprintln!("   {size} leaves built in {built:.1}s");
    let audit = timed_audit(std::env::current_exe()?, &base, &vkey).await?;
    let other = match &a.compare_with {
        Some(exe) => Some(timed_audit(exe.clone(), &base, &vkey).await?),
        None => None,
    };
    Ok((built, audit, other))
}

/// Seconds the `cohort audit` of binary `exe` takes against `base`.
async fn timed_audit(exe: std::path::PathBuf, base: &str, vkey: &str) -> Result<f64> {
    let (base, vkey) = (base.to_owned(), vkey.to_owned());
    let t = Instant::now();
    // The server answering the audit runs in this process: wait off the runtime.
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(exe)
            .args(["audit", &base, "--key", &vkey])
            .output()
    })
    .await??;
    let took = t.elapsed().as_secs_f64();
    anyhow::ensure!(
        out.status.success(),
        "the audit failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("   {}", String::from_utf8_lossy(&out.stdout).trim());
    Ok(took)
}

pub async fn run(a: BenchLogArgs) -> Result<String> {
    let cmd = std::env::args().collect::<Vec<_>>().join(" ");
    let mut report = format!(
        "Measured {} on {} cores with `{cmd}`.\n\n",
        Utc::now().format("%Y-%m-%d %H:%M UTC"),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    if a.requests > 0 {
        eprintln!("== {}: intake, log off and on", a.backend);
        report.push_str(&intake(&a).await?);
    }
    if !a.leaves.is_empty() {
        let other = a
            .compare_with
            .as_ref()
            .map(|p| format!(" `{}` audit, s | this / that |", p.display()))
            .unwrap_or_default();
        let cols = if other.is_empty() { "" } else { "---:|---:|" };
        report.push_str(&format!(
            "### {}: `cohort audit` of a large log\n\n| leaves | build (append + sequence), s | audit, s |{other}\n|---:|---:|---:|{cols}\n",
            a.backend
        ));
        for &n in &a.leaves {
            eprintln!("== {}: audit of {n} leaves", a.backend);
            let (built, audit, that) = audit_one(&a, n).await?;
            let that = that
                .map(|t| format!(" {t:.1} | {:.2} |", audit / t))
                .unwrap_or_default();
            report.push_str(&format!("| {n} | {built:.1} | {audit:.1} |{that}\n"));
        }
        report.push('\n');
    }
    Ok(report)
}
