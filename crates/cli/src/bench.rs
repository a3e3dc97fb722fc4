//! `cohort bench`: the foundation's speed, measured beside a real peer (the
//! same database's raw insert rate) in the same run, on SQLite and PostgreSQL.
//! Prints a Markdown report; `--out FILE` also writes it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::Utc;
use cohort_core::model::{PledgeKind, Recurrence};
use cohort_core::{Cents, Email};
use cohort_engine::{Actor, CandidateInput, CompactInput, Engine, SlateInput};
use cohort_store::{Donor, NewPledge, Store};

pub struct BenchArgs {
    pub backends: Vec<String>,
    pub sizes: Vec<usize>,
    pub requests: usize,
    pub concurrency: Vec<usize>,
    pub pg_admin: String,
    pub data_dir: std::path::PathBuf,
    /// Only seed each size and time the public pages: no intake, no unlock.
    pub pages_only: bool,
}

/// The public pages timed at each size beside the slate page: each reads
/// maintained aggregates or the log, never the pledges.
const PAGES: [(&str, &str); 6] = [
    ("slate page", "/slates/bench"),
    ("slate JSON", "/api/slates/bench"),
    ("candidate page", "/slates/bench/candidates/ann"),
    ("scorecard", "/slates/bench/scorecard"),
    ("joint events", "/slates/bench/joint-events"),
    ("public log page", "/slates/bench/log"),
];

/// Each of `PAGES` fetched 400 times by 8 clients, beside `/healthz`: a
/// Markdown row per page.
async fn pages(base: &str, n: usize) -> Result<String> {
    let floor = get_latencies(&format!("{base}/healthz"), 400, 8).await?;
    let mut rows = String::new();
    for (name, path) in PAGES {
        let lat = get_latencies(&format!("{base}{path}"), 400, 8).await?;
        let (p50, p99) = (percentile(&lat, 0.5), percentile(&lat, 0.99));
        eprintln!("   {name}: p50 {p50:.1} ms, p99 {p99:.1} ms");
        rows.push_str(&format!(
            "| {n} | {name} (`{path}`) | {p50:.1} | {p99:.1} | {:.1} |\n",
            percentile(&floor, 0.99)
        ));
    }
    Ok(rows)
}

const SIGNERS: [(&str, &str); 5] = [
    ("ann", "NY"),
    ("bo", "PA"),
    ("cy", "CA"),
    ("di", "IL"),
    ("ed", "MI"),
];

pub(crate) async fn fresh(backend: &str, args: &BenchArgs, tag: &str) -> Result<Arc<dyn Store>> {
    let store: Arc<dyn Store> = match backend {
        "sqlite" => {
            let dir = args.data_dir.join(format!(
                "{tag}-{}",
                Utc::now().timestamp_nanos_opt().unwrap_or(0)
            ));
            Arc::new(cohort_store_sqlite::SqliteStore::open_dir(&dir).await?)
        }
        "postgres" => {
            let url = cohort_store_postgres::PostgresStore::create_scratch_database(&args.pg_admin)
                .await?;
            Arc::new(cohort_store_postgres::PostgresStore::connect(&url).await?)
        }
        other => anyhow::bail!("unknown backend {other:?}: use sqlite or postgres"),
    };
    store.migrate().await?;
    Ok(store)
}

/// A slate with five candidates, four of them signed and endorsing each other.
pub(crate) async fn slate(engine: &Engine) -> Result<Vec<Actor>> {
    let org = Actor::Organizer { slate: None };
    engine
        .create_slate(
            &org,
            SlateInput {
                slug: "bench".into(),
                name: "Bench slate".into(),
                cycle: 2028,
                description: String::new(),
                condition: "signers >= 5 and mutual".into(),
            },
        )
        .await?;
    let mut actors = Vec::new();
    for (slug, state) in SIGNERS {
        engine
            .add_candidate(
                &org,
                "bench",
                CandidateInput {
                    slug: slug.into(),
                    name: slug.to_uppercase(),
                    office: "us_house".into(),
                    state: state.into(),
                    district: Some("1".into()),
                    primary_date: Some("2028-06-27".into()),
                    general_date: "2028-11-07".into(),
                },
            )
            .await?;
        let token = engine.issue_candidate_token("bench", slug).await?;
        actors.push(engine.authenticate(Some(&token)).await?);
    }
    engine
        .publish_compact(
            &org,
            "bench",
            CompactInput {
                commitments: vec!["Cross-endorse".into()],
                // Planks, so the page draws who stands on what.
                planks: ["Medicare for All", "A Green New Deal", "End cash bail"]
                    .iter()
                    .map(|t| cohort_core::model::Plank {
                        title: (*t).into(),
                        why: format!("Why {t}: the reason a voter reads under it."),
                    })
                    .collect(),
            },
        )
        .await?;
    for (i, (a, _)) in SIGNERS.iter().enumerate() {
        for (j, (b, _)) in SIGNERS.iter().enumerate() {
            if i != j {
                engine.endorse(&actors[i], "bench", a, b).await?;
            }
        }
    }
    for (i, (slug, _)) in SIGNERS.iter().enumerate().take(4) {
        engine.sign(&actors[i], "bench", slug, 1).await?;
    }
    Ok(actors)
}

pub(crate) fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// Intake and its peer take turns this many times per measurement, so a
/// slow spell of the machine (a shared disk's fsyncs) falls on both alike.
pub(crate) const ROUNDS: usize = 10;

fn pledge_body(i: usize) -> serde_json::Value {
    serde_json::json!({
        "kind": "money", "amount_cents": 2500 + (i % 50) * 100, "recurring": "once",
        "deadline": "2028-10-01",
        "donor": {"email": format!("bench{i}@example.org"), "name": "Bench Donor", "attests_eligible": true,
                  "employer": "Acme", "occupation": "Nurse"}
    })
}

/// Latencies of `n` GETs of `url` from `concurrency` clients; each must answer 200.
pub(crate) async fn get_latencies(
    url: &str,
    n: usize,
    concurrency: usize,
) -> Result<Vec<Duration>> {
    let client = reqwest::Client::new();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, next, url) = (client.clone(), next.clone(), url.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < n {
                let t = Instant::now();
                let r = client.get(&url).send().await?;
                let status = r.status();
                let _ = r.bytes().await?;
                anyhow::ensure!(status.is_success(), "{url} answered {status}");
                lat.push(t.elapsed());
            }
            anyhow::Ok(lat)
        }));
    }
    let mut lat = Vec::with_capacity(n);
    for t in tasks {
        lat.extend(t.await??);
    }
    lat.sort();
    Ok(lat)
}

pub(crate) async fn http_intake(
    base: &str,
    requests: usize,
    concurrency: usize,
    offset: usize,
) -> Result<(Vec<Duration>, f64)> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, next, url) = (
            client.clone(),
            next.clone(),
            format!("{base}api/slates/bench/pledges"),
        );
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= requests {
                    break;
                }
                let t = Instant::now();
                let r = client
                    .post(&url)
                    .json(&pledge_body(offset + i))
                    .send()
                    .await?;
                let status = r.status();
                let _ = r.bytes().await?;
                anyhow::ensure!(status.as_u16() == 201, "pledge answered {status}");
                lat.push(t.elapsed());
            }
            anyhow::Ok(lat)
        }));
    }
    let mut lat = Vec::with_capacity(requests);
    for t in tasks {
        lat.extend(t.await??);
    }
    Ok((lat, started.elapsed().as_secs_f64()))
}

/// The same pledges straight into the engine, with no HTTP: what the web
/// layer costs, by difference. Returns the seconds taken.
async fn engine_intake(engine: &Engine, requests: usize, offset: usize) -> Result<f64> {
    let started = Instant::now();
    for i in 0..requests {
        let input: cohort_web::pledge_input::PledgeInput =
            serde_json::from_value(pledge_body(offset + i))?;
        engine.pledge("bench", input.try_into()?, None).await?;
    }
    Ok(started.elapsed().as_secs_f64())
}

pub(crate) fn new_pledge(slate_id: i64, condition_id: i64, i: usize) -> NewPledge {
    NewPledge {
        slate_id,
        kind: PledgeKind::Money {
            amount: Cents(500 + (i as i64 * 7919) % 50_000),
            recurring: Recurrence::Once,
        },
        condition_id,
        candidates: None,
        deadline: "2028-10-01".parse().unwrap_or_default(),
        email: Email::parse(&format!("seed{i}@example.org"))
            .unwrap_or_else(|_| unreachable!("valid email")),
        donor: Donor {
            name: "Seed Donor".into(),
            attests_eligible: true,
            ..Donor::default()
        },
        ref_code: None,
        receipt_token: format!("seed-receipt-{i}"),
        idempotency_key: None,
        request_hash: String::new(),
        created_at: Utc::now(),
    }
}

/// The peer: the same database inserting the same pledge rows, one durable
/// commit per row, from `concurrency` tasks, with no engine and no HTTP.
/// Returns the seconds taken.
async fn raw_inserts(
    store: &Arc<dyn Store>,
    rows: usize,
    concurrency: usize,
    offset: usize,
) -> Result<f64> {
    let (slate_id, condition_id) = {
        let mut tx = store.write().await?;
        let s = tx.slate_by_slug("bench").await?.context("bench slate")?;
        let c = tx.condition_id(s.id, &s.condition).await?;
        tx.commit().await?;
        (s.id, c)
    };
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (store, next) = (store.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= rows {
                    break;
                }
                let mut tx = store.write().await?;
                tx.insert_pledge(&new_pledge(slate_id, condition_id, offset + i))
                    .await?;
                tx.commit().await?;
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(started.elapsed().as_secs_f64())
}

/// Pledge intake over HTTP beside raw inserts, taking turns: a table.
async fn intake(args: &BenchArgs, backend: &str, report: &mut String) -> Result<()> {
    eprintln!("== {backend}: pledge intake over HTTP vs raw inserts");
    let store = fresh(backend, args, "intake").await?;
    let engine = Engine::with_store(store.clone());
    slate(&engine).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}/", listener.local_addr()?);
    let server = tokio::spawn(cohort_web::serve(
        listener,
        engine.clone(),
        std::future::pending(),
    ));
    report.push_str(&format!(
            "### {backend}: pledge intake, durable commits\n\nHTTP intake and raw inserts take turns, {ROUNDS} rounds each; \"engine alone\" is the same pledges called into the engine without HTTP (one client).\n\n| clients | HTTP pledges/s | p50 ms | p99 ms | engine alone pledges/s | raw inserts/s | HTTP / raw |\n|---:|---:|---:|---:|---:|---:|---:|\n"
        ));
    let mut offset = 0;
    for &c in &args.concurrency {
        let n = args.requests.max(c * 2 * ROUNDS) / ROUNDS;
        let (mut lat, mut http_s, mut raw_s, mut engine_s) = (Vec::new(), 0.0, 0.0, 0.0);
        for _ in 0..ROUNDS {
            let (l, s) = http_intake(&base, n, c, offset).await?;
            lat.extend(l);
            http_s += s;
            offset += n;
            raw_s += raw_inserts(&store, n, c, 10_000_000 + offset).await?;
            offset += n;
            if c == 1 {
                engine_s += engine_intake(&engine, n, offset).await?;
                offset += n;
            }
        }
        lat.sort();
        let total = (n * ROUNDS) as f64;
        let (http, raw) = (total / http_s, total / raw_s);
        let alone = if c == 1 {
            format!("{:.0}", total / engine_s)
        } else {
            "–".to_owned()
        };
        let (p50, p99) = (percentile(&lat, 0.5), percentile(&lat, 0.99));
        eprintln!(
                "   {c:>3} clients: {http:.0} pledges/s (p50 {p50:.1} ms, p99 {p99:.1} ms); engine alone {alone}/s; raw {raw:.0}/s; ratio {:.2}",
                http / raw
            );
        report.push_str(&format!(
            "| {c} | {http:.0} | {p50:.1} | {p99:.1} | {alone} | {raw:.0} | {:.2} |\n",
            http / raw
        ));
    }
    server.abort();
    Ok(())
}

pub async fn run(args: BenchArgs) -> Result<String> {
    let mut report = String::new();
    let cmd = std::env::args().collect::<Vec<_>>().join(" ");
    report.push_str(&format!(
        "Measured {} on {} cores with `{cmd}`.\n\n",
        Utc::now().format("%Y-%m-%d %H:%M UTC"),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    ));
    for backend in &args.backends {
        if !args.pages_only {
            intake(&args, backend, &mut report).await?;
        }
        let mut page_rows = String::new();
        let mut unlock_rows = String::new();
        unlock_rows.push_str(&format!(
            "\n### {backend}: unlock\n\n| pending pledges | seed s | slate view, ms (p50 of 5) | slate page over HTTP, ms p50 / p99 (400 GETs, 8 clients) | /healthz on the same server, ms p99 | event unlocking nothing, ms (p50 of 20) | signature unlocking all, s | allocations written | verify s |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        ));
        for &n in &args.sizes {
            eprintln!("== {backend}: {n} pending pledges");
            let store = fresh(backend, &args, "unlock").await?;
            let engine = Engine::with_store(store.clone());
            let actors = slate(&engine).await?;
            let t = Instant::now();
            {
                let mut tx = store.write().await?;
                let s = tx.slate_by_slug("bench").await?.context("bench slate")?;
                let c = tx.condition_id(s.id, &s.condition).await?;
                let batch = 50_000;
                for start in (0..n).step_by(batch) {
                    let pledges: Vec<NewPledge> = (start..(start + batch).min(n))
                        .map(|i| new_pledge(s.id, c, i))
                        .collect();
                    tx.insert_pledges(&pledges).await?;
                }
                tx.commit().await?;
            }
            let seed = t.elapsed().as_secs_f64();
            eprintln!("   seeded in {seed:.1}s");
            let mut views = Vec::new();
            for _ in 0..5 {
                let t = Instant::now();
                engine.slate_view("bench").await?;
                views.push(t.elapsed());
            }
            views.sort();
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let base = format!("http://{}", listener.local_addr()?);
            let page_server = tokio::spawn(cohort_web::serve(
                listener,
                engine.clone(),
                std::future::pending(),
            ));
            page_rows.push_str(&pages(&base, n).await?);
            if args.pages_only {
                page_server.abort();
                continue;
            }
            let page = get_latencies(&format!("{base}/slates/bench"), 400, 8).await?;
            let floor = get_latencies(&format!("{base}/healthz"), 400, 8).await?;
            page_server.abort();
            eprintln!(
                "   slate page p50 {:.1} ms, p99 {:.1} ms (healthz p99 {:.1} ms)",
                percentile(&page, 0.5),
                percentile(&page, 0.99),
                percentile(&floor, 0.99)
            );
            let mut nothing = Vec::new();
            for k in 0..20 {
                let t = Instant::now();
                let s = if k % 2 == 0 {
                    engine.unendorse(&actors[0], "bench", "ann", "bo").await?
                } else {
                    engine.endorse(&actors[0], "bench", "ann", "bo").await?
                };
                nothing.push(t.elapsed());
                anyhow::ensure!(
                    s.unlocked == 0,
                    "an endorsement change with 4 signers unlocked something"
                );
            }
            nothing.sort();
            let t = Instant::now();
            let s = engine.sign(&actors[4], "bench", "ed", 1).await?;
            let unlock = t.elapsed().as_secs_f64();
            anyhow::ensure!(
                s.unlocked == n as u64,
                "expected {n} unlocks, got {}",
                s.unlocked
            );
            eprintln!(
                "   event unlocking nothing p50 {:.2} ms; signature unlocked {n} in {unlock:.1}s",
                percentile(&nothing, 0.5)
            );
            let t = Instant::now();
            let violations = engine.verify().await?;
            let verify = t.elapsed().as_secs_f64();
            anyhow::ensure!(violations.is_empty(), "verify found {violations:?}");
            unlock_rows.push_str(&format!(
                "| {n} | {seed:.1} | {:.1} | {:.1} / {:.1} | {:.1} | {:.2} | {unlock:.1} | {} | {verify:.1} |\n",
                percentile(&views, 0.5),
                percentile(&page, 0.5),
                percentile(&page, 0.99),
                percentile(&floor, 0.99),
                percentile(&nothing, 0.5),
                n * 5
            ));
        }
        if !args.pages_only {
            report.push_str(&unlock_rows);
        }
        report.push_str(&format!(
            "\n### {backend}: public pages with pending pledges (400 GETs each, 8 clients)\n\n| pending pledges | page | p50 ms | p99 ms | /healthz p99 ms |\n|---:|---|---:|---:|---:|\n{page_rows}\n"
        ));
    }
    Ok(report)
}
