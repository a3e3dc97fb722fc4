//! Many servers, one truth (issue 14): several `cohort serve` processes on
//! one database run each background job (tick, mail, payment collection,
//! conversation recompute) exactly once between them, under a lease per job
//! with a generation that fences every write of the job.
//!
//! `three_servers_deliver_and_charge_exactly_once_when_one_is_killed` runs
//! three real binaries on one fresh PostgreSQL database with the SMTP test
//! server and localstripe, and SIGKILLs one in the middle of delivery and
//! collection. The lease scenarios run in-process on both backends with a
//! fixed clock.

use cohort_testkit as common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::localstripe::{LocalStripe, SECRET_KEY};
use common::smtp::SmtpServer;
use common::{now, ScratchPg, TestApp, SLATE};
use serde_json::{json, Value};
use sqlx::postgres::PgPool;

const BIN: &str = env!("CARGO_BIN_EXE_cohort");
const PLEDGES: usize = 30;
/// Short leases so a killed server's jobs move within seconds.
const LEASE_SECONDS: &str = "3";

/// The binary, with the keys every server on one database must share:
/// `COHORT_SECRET_KEY` seals the outbox (a server without it cannot send
/// what another queued) and `COHORT_WEB_KEY` signs forms.
fn cohort() -> Command {
    let mut c = Command::new(BIN);
    c.env("COHORT_SECRET_KEY", "5ca1ab1e".repeat(8)).env(
        "COHORT_WEB_KEY",
        "one web key for every server of this test",
    );
    c
}

struct Server {
    child: Child,
    url: String,
    pid: u32,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `cohort serve` on `db` collecting through localstripe and mailing through
/// the test SMTP server; its stderr goes to `log`.
fn serve(db: &str, stripe: &str, smtp: u16, log: &Path) -> Server {
    serve_leased(db, stripe, smtp, log, LEASE_SECONDS)
}

/// [`serve`] with leases of `lease_seconds`.
fn serve_leased(db: &str, stripe: &str, smtp: u16, log: &Path, lease_seconds: &str) -> Server {
    let mut child = cohort()
        .args(["serve", "--addr", "127.0.0.1:0", "--database-url", db])
        .env("RUST_LOG", "warn")
        .env("COHORT_STRIPE_SECRET_KEY", SECRET_KEY)
        .env("COHORT_STRIPE_API_BASE", stripe)
        .env("COHORT_STRIPE_WEBHOOK_SECRET", "")
        .env("COHORT_SMTP_HOST", "127.0.0.1")
        .env("COHORT_SMTP_PORT", smtp.to_string())
        .env("COHORT_SMTP_TLS", "none")
        .env("COHORT_LEASE_SECONDS", lease_seconds)
        .env_remove("COHORT_TEST_CRASH_AFTER_CHARGE")
        .env_remove("COHORT_PUBLIC_URL")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log).expect("a log file"))
        .spawn()
        .expect("start cohort");
    let pid = child.id();
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("cohort exited before printing its URL")
            .expect("read stdout");
        if let Some(rest) = line.strip_prefix("Cohort is running at ") {
            break rest.trim().trim_end_matches('/').to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Server { child, url, pid }
}

/// `cohort token ARGS --database-url DB`: a new token.
fn token(db: &str, args: &[&str]) -> String {
    let out = cohort()
        .arg("token")
        .args(args)
        .args(["--database-url", db])
        .output()
        .expect("run cohort token");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Through the API of `url` (all with the binary, so the test runs against
/// any build): a slate that unlocks when both of its two federal candidates
/// sign, with their committees on record; answers the compact version and
/// the two campaigns' tokens.
async fn seed(db: &str, url: &str) -> (i64, [String; 2]) {
    let org = token(db, &["--role", "organizer"]);
    let http = reqwest::Client::new();
    let call = |method: reqwest::Method, path: &str, body: Value| {
        http.request(method, format!("{url}{path}"))
            .bearer_auth(&org)
            .json(&body)
            .send()
    };
    let ok = |r: reqwest::Response| async move {
        let status = r.status();
        let body: Value = r.json().await.expect("JSON");
        assert!(status.is_success(), "{status} {body}");
        body
    };
    use reqwest::Method;
    ok(call(
        Method::POST,
        "/api/slates",
        json!({
            "slug": SLATE, "name": "River Caucus", "cycle": 2028,
            "description": "A bloc.", "condition": "signers >= 2"
        }),
    )
    .await
    .expect("create slate"))
    .await;
    let people = [
        (
            "ada-reyes",
            "Ada Reyes",
            "us_house",
            "NY",
            Some("10"),
            "C00100001",
            "H8NY10001",
        ),
        (
            "ben-okafor",
            "Ben Okafor",
            "us_senate",
            "OH",
            None,
            "C00200002",
            "S8OH00002",
        ),
    ];
    for (slug, name, office, state, district, committee, fec) in people {
        let c = common::candidate(slug, name, office, state, district);
        ok(
            call(Method::POST, &format!("/api/slates/{SLATE}/candidates"), c)
                .await
                .expect("add"),
        )
        .await;
        let record = json!({
            "name": format!("{name} for Congress"), "fec_committee_id": committee,
            "fec_candidate_id": fec, "treasurer_first": "Tess", "treasurer_last": "Urer",
            "street1": "1 Main St", "city": "Capital", "state": state, "zip": "10001"
        });
        let path = format!("/api/slates/{SLATE}/candidates/{slug}/committee");
        ok(call(Method::PUT, &path, record).await.expect("committee")).await;
    }
    let compact = json!({
        "commitments": ["Cross-endorse every other signer"],
        "planks": [{"title": "Clean water", "why": "Everyone drinks it."}]
    });
    let v = ok(call(
        Method::POST,
        &format!("/api/slates/{SLATE}/compact"),
        compact,
    )
    .await
    .expect("compact"))
    .await;
    let version = v["version"].as_i64().expect("a version");
    let campaign = |who: &str| {
        token(
            db,
            &["--role", "candidate", "--slate", SLATE, "--candidate", who],
        )
    };
    (version, [campaign("ada-reyes"), campaign("ben-okafor")])
}

async fn scalar(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Every PaymentIntent localstripe holds, by (pledge, period).
async fn intents(stripe: &LocalStripe) -> BTreeMap<(String, String), Vec<String>> {
    let list = stripe.get("/v1/payment_intents?limit=100").await;
    assert_ne!(list["has_more"], true, "more than 100 PaymentIntents");
    let mut out: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for pi in list["data"].as_array().expect("a list") {
        let key = (
            pi["metadata"]["cohort_pledge"]
                .as_str()
                .unwrap_or("?")
                .to_owned(),
            pi["metadata"]["cohort_period"]
                .as_str()
                .unwrap_or("?")
                .to_owned(),
        );
        out.entry(key)
            .or_default()
            .push(pi["id"].as_str().unwrap_or("?").to_owned());
    }
    out
}

/// The process id in a lease holder's name (`host:pid:random`).
fn holder_pid(holder: &str) -> Option<u32> {
    holder.split(':').nth(1)?.parse().ok()
}

/// Who holds each job's lease now; empty where there are no leases.
async fn holders(pool: &PgPool) -> BTreeMap<String, u32> {
    match sqlx::query_as::<_, (String, String)>("SELECT job, holder FROM leases")
        .fetch_all(pool)
        .await
    {
        Ok(rows) => rows
            .into_iter()
            .filter_map(|(job, h)| Some((job, holder_pid(&h)?)))
            .collect(),
        Err(e) => {
            eprintln!("no lease table ({e}): every server runs every job");
            BTreeMap::new()
        }
    }
}

fn logs_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "cohort-scale-out-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
    ));
    std::fs::create_dir_all(&dir).expect("a log directory");
    dir
}

/// Every background job `cohort serve` runs under a lease.
const JOBS: [&str; 7] = [
    "mail",
    "recompute",
    "tick",
    "collect",
    "digest",
    "log",
    "imports",
];

fn holds_all(held: &BTreeMap<String, u32>, pid: u32) -> bool {
    JOBS.iter().all(|j| held.get(*j) == Some(&pid))
}

/// Poll (up to a minute: a liveness bound, not a timing claim) until every
/// job's lease is held by `pid`; answers the holders last seen.
async fn wait_for_holder(pool: &PgPool, pid: u32) -> BTreeMap<String, u32> {
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        let now = holders(pool).await;
        if holds_all(&now, pid) || Instant::now() > until {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Regression: SIGTERM (what `kill`, systemd and container runtimes send)
/// killed `cohort serve` on the spot, and even Ctrl-C left its leases to run
/// out, so the other servers waited a whole lease (an hour here) before
/// sending any mail. A server stopped with SIGTERM now answers what is in
/// flight, exits 0 and hands its jobs over at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_stopped_with_sigterm_hands_its_jobs_over_at_once() {
    let Some(pg) = ScratchPg::create().await else {
        return;
    };
    let stripe = LocalStripe::start().await;
    let smtp = SmtpServer::start().await;
    let logs = logs_dir();
    let mut first = serve_leased(
        &pg.url,
        &stripe.base,
        smtp.port,
        &logs.join("a.log"),
        "3600",
    );
    let pool = PgPool::connect(&pg.url).await.expect("a pool");
    let held = wait_for_holder(&pool, first.pid).await;
    assert!(
        holds_all(&held, first.pid) && held.len() == JOBS.len(),
        "the first server takes every job: {held:?}"
    );
    let second = serve_leased(
        &pg.url,
        &stripe.base,
        smtp.port,
        &logs.join("b.log"),
        "3600",
    );

    let kill = Command::new("kill")
        .args(["-TERM", &first.pid.to_string()])
        .status()
        .expect("run kill");
    assert!(kill.success());
    let status = first.child.wait().expect("wait for the first server");
    assert!(
        status.success(),
        "SIGTERM stops the server cleanly: {status:?}"
    );

    let held = wait_for_holder(&pool, second.pid).await;
    assert!(
        holds_all(&held, second.pid) && held.len() == JOBS.len(),
        "the second server has every job well before the hour-long leases end: {held:?} \
         (logs in {})",
        logs.display()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_servers_deliver_and_charge_exactly_once_when_one_is_killed() {
    let Some(pg) = ScratchPg::create().await else {
        return;
    };
    let stripe = LocalStripe::start().await;
    let smtp = SmtpServer::start().await;
    let logs = logs_dir();

    // The first server migrates the database and takes every job's lease;
    // the others start after it.
    let mut servers = vec![serve(&pg.url, &stripe.base, smtp.port, &logs.join("0.log"))];
    for i in 1..3 {
        servers.push(serve(
            &pg.url,
            &stripe.base,
            smtp.port,
            &logs.join(format!("{i}.log")),
        ));
    }
    let (version, [ada, ben]) = seed(&pg.url, &servers[0].url).await;
    let pool = PgPool::connect(&pg.url).await.expect("a pool");
    let http = reqwest::Client::new();

    // Pledges through all three, each with a saved card.
    for i in 0..PLEDGES {
        let url = &servers[i % 3].url;
        let res = http
            .post(format!("{url}/api/slates/{SLATE}/pledges"))
            .json(&json!({
                "kind": "money", "amount_cents": 10_000, "deadline": "2028-10-01",
                "donor": {"email": format!("donor{i}@example.org"), "name": format!("Dee Donor {i}"),
                          "attests_eligible": true}
            }))
            .send()
            .await
            .expect("pledge");
        assert_eq!(res.status(), 201, "pledge {i}");
        let p: Value = res.json().await.unwrap();
        let secret = p["payment"]["setup_client_secret"]
            .as_str()
            .unwrap_or_else(|| panic!("a SetupIntent client secret in {p}"));
        stripe.confirm_setup(secret, "pm_card_visa").await;
    }

    // Hold every email at DATA, then unlock with two signatures on two servers.
    smtp.hold();
    for (token, who, server) in [(&ada, "ada-reyes", 1), (&ben, "ben-okafor", 2)] {
        let res = http
            .post(format!(
                "{}/api/slates/{SLATE}/signatures",
                servers[server].url
            ))
            .bearer_auth(token)
            .json(&json!({"candidate": who, "version": version}))
            .send()
            .await
            .expect("sign");
        assert_eq!(res.status(), 201, "{who} signs");
    }

    // In the middle of both: a server stands in an SMTP session with nothing
    // accepted yet, and the collector has charged some installments.
    let deadline = Instant::now() + Duration::from_secs(90);
    let charged_before = loop {
        let charged = intents(&stripe).await.len();
        if smtp.held() > 0 && charged > 0 {
            break charged;
        }
        assert!(
            Instant::now() < deadline,
            "delivery and collection never both started (held {}, charged {charged}); logs in {}",
            smtp.held(),
            logs.display()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    // Kill the server that collects (the first one took every lease; with
    // no lease table, the first one).
    let jobs = holders(&pool).await;
    let victim_pid = jobs.get("collect").copied().unwrap_or(servers[0].pid);
    let victim = servers
        .iter()
        .position(|s| s.pid == victim_pid)
        .expect("the collector is one of the three servers");
    eprintln!(
        "killing server {victim} (pid {victim_pid}) holding {:?}, with {charged_before} of {PLEDGES} charged and {} email(s) at the gate",
        jobs.iter().filter(|(_, p)| **p == victim_pid).map(|(j, _)| j).collect::<Vec<_>>(),
        smtp.held()
    );
    let killed = servers.remove(victim);
    drop(killed); // SIGKILL, then reaped
    smtp.open();

    // Wait, within a bound, until everything is sent and every installment paid.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let unsent = scalar(&pool, "SELECT count(*) FROM outbox WHERE sent_at IS NULL").await;
        let queued = scalar(&pool, "SELECT count(*) FROM outbox").await;
        let paid = scalar(
            &pool,
            "SELECT count(*) FROM payments WHERE state = 'succeeded'",
        )
        .await;
        let received = smtp.all().len() as i64;
        if unsent == 0 && paid == PLEDGES as i64 && received >= queued {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not done: {unsent} unsent of {queued}, {received} received, {paid} paid; logs in {}",
            logs.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Every email exactly once at the SMTP server.
    let queued = scalar(&pool, "SELECT count(*) FROM outbox").await;
    let mut seen: BTreeMap<(Vec<String>, String, String), usize> = BTreeMap::new();
    for m in smtp.all() {
        *seen
            .entry((m.to.clone(), m.subject.clone(), m.body.clone()))
            .or_default() += 1;
    }
    let twice: Vec<_> = seen
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|((to, subject, _), n)| format!("{to:?} {subject:?} x{n}"))
        .collect();
    assert!(
        twice.is_empty(),
        "emails delivered more than once: {twice:#?}"
    );
    assert_eq!(
        smtp.all().len() as i64,
        queued,
        "every queued email delivered once"
    );

    // Every installment charged exactly once at localstripe.
    let charges = intents(&stripe).await;
    let double: Vec<_> = charges.iter().filter(|(_, ids)| ids.len() > 1).collect();
    assert!(
        double.is_empty(),
        "installments charged more than once: {double:#?}"
    );
    assert_eq!(
        charges.len(),
        PLEDGES,
        "every installment charged: {charges:?}"
    );

    // The killed server's jobs moved to a live one.
    let after = holders(&pool).await;
    for job in ["mail", "collect"] {
        let pid = after.get(job).copied();
        assert!(
            pid.is_some_and(|p| p != victim_pid && servers.iter().any(|s| s.pid == p)),
            "the {job} lease is held by a live server: {after:?}"
        );
    }

    let out = cohort()
        .args(["verify", "--database-url", &pg.url])
        .output()
        .expect("run verify");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    drop(servers);
    pool.close().await;
    let _ = std::fs::remove_dir_all(&logs);
}

both_backends!(
    a_lease_is_held_by_one_server_until_it_expires,
    a_stalled_lease_holder_cannot_commit_after_another_took_over,
    a_stalled_log_sequencer_cannot_append_after_another_took_over,
);

const TTL: i64 = 30;

async fn a_lease_is_held_by_one_server_until_it_expires(app: TestApp) {
    let e = &app.engine;
    let ttl = chrono::Duration::seconds(TTL);
    let a = e
        .take_lease("mail", "a", ttl)
        .await
        .unwrap()
        .expect("a free lease");
    assert_eq!(a.generation, 1);
    assert_eq!(
        e.take_lease("mail", "b", ttl).await.unwrap(),
        None,
        "a holds it"
    );
    // A job's lease says nothing about another job.
    assert!(e.take_lease("collect", "b", ttl).await.unwrap().is_some());
    // Renewing keeps the generation and moves the expiry.
    app.clock.set(now() + chrono::Duration::seconds(TTL - 1));
    let renewed = e
        .take_lease("mail", "a", ttl)
        .await
        .unwrap()
        .expect("a renews");
    assert_eq!(renewed.generation, 1);
    app.clock
        .set(now() + chrono::Duration::seconds(2 * TTL - 2));
    assert_eq!(
        e.take_lease("mail", "b", ttl).await.unwrap(),
        None,
        "renewed"
    );
    // Expired: the next server takes it under a new generation.
    app.clock.set(now() + chrono::Duration::seconds(2 * TTL));
    let b = e
        .take_lease("mail", "b", ttl)
        .await
        .unwrap()
        .expect("expired");
    assert_eq!(b.generation, 2);
    let row = e.lease_of("mail").await.unwrap().expect("a row");
    assert_eq!((row.holder.as_str(), row.generation), ("b", 2));
}

async fn a_stalled_lease_holder_cannot_commit_after_another_took_over(app: TestApp) {
    let e = &app.engine;
    let ttl = chrono::Duration::seconds(TTL);
    let a = e
        .take_lease("collect", "a", ttl)
        .await
        .unwrap()
        .expect("free");
    let fenced_a = e.fenced(a.clone());
    // While it holds the lease, its writes commit (and renew the lease).
    fenced_a
        .issue_organizer_token(None)
        .await
        .expect("a holds the lease");
    let tokens = e.list_tokens().await.unwrap().len();
    // `a` stalls past its expiry; `b` takes the job over.
    app.clock.set(now() + chrono::Duration::seconds(TTL + 1));
    let b = e
        .take_lease("collect", "b", ttl)
        .await
        .unwrap()
        .expect("expired");
    assert_eq!(b.generation, a.generation + 1);
    // `a` wakes up: nothing it writes commits.
    let err = fenced_a
        .issue_organizer_token(None)
        .await
        .expect_err("a's lease passed to b");
    assert!(err.to_string().contains("lease"), "{err}");
    assert_eq!(
        e.list_tokens().await.unwrap().len(),
        tokens,
        "nothing written"
    );
    // `b` writes, and `a` cannot take the lease back while `b` holds it.
    e.fenced(b)
        .issue_organizer_token(None)
        .await
        .expect("b holds it");
    assert_eq!(e.take_lease("collect", "a", ttl).await.unwrap(), None);
}

/// The log's rounds are fenced too, though they run in the log's own
/// transaction (on SQLite another file) and do not renew the lease.
async fn a_stalled_log_sequencer_cannot_append_after_another_took_over(app: TestApp) {
    let e = &app.engine;
    let ttl = chrono::Duration::seconds(TTL);
    let (skey, _) = cohort_tlog::key_from_seed("cohort.test/log", [7; 32]).expect("key");
    let signer = cohort_tlog::CheckpointSigner::new(&skey).expect("signer");
    let a = e.take_lease("log", "a", ttl).await.unwrap().expect("free");
    let fenced_a = e.fenced(a.clone());
    fenced_a
        .sequence_log(&signer)
        .await
        .expect("a holds the lease");
    let published = e.log_checkpoint().await.expect("a checkpoint");
    app.clock.set(now() + chrono::Duration::seconds(TTL + 1));
    let b = e
        .take_lease("log", "b", ttl)
        .await
        .unwrap()
        .expect("expired");
    // New events for the log; `a` wakes up and cannot log them.
    common::seed(&app, "signers >= 2").await;
    let err = fenced_a
        .sequence_log(&signer)
        .await
        .expect_err("a's lease passed to b");
    assert!(err.to_string().contains("lease"), "{err}");
    assert_eq!(
        e.log_checkpoint().await.expect("cp"),
        published,
        "nothing appended"
    );
    let size = e
        .fenced(b)
        .sequence_log(&signer)
        .await
        .expect("b holds it")
        .expect("b logged the new events");
    assert!(e.log_checkpoint().await.expect("cp") != published && size > 0);
}
