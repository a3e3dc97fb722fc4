//! Crash safety of the transparency log (issue 18): the real `cohort serve`
//! sequences while a burst of pledges comes in and is killed with SIGKILL;
//! restarted on the same database, its log is still a prefix-consistent
//! extension of every checkpoint it published before the kill (`cohort
//! audit --state` checks the consistency proof against them), and `cohort
//! verify` finds the log matching the tables. SQLite and PostgreSQL.
//!
//! Nothing here is timed: the test waits for the log to reach sizes, and
//! the kill lands whenever the burst has outgrown the last audit.

use cohort_testkit as common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_cohort");
const SLATE: &str = "people-first-2028";

fn scratch(tag: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "cohort-log-crash-{tag}-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
    ))
}

/// `cohort serve --demo` on `db` (short leases, so the restarted server
/// takes the log job over from the killed one soon).
fn serve(db: &[String]) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0", "--demo"])
        .args(db)
        .env("RUST_LOG", "warn")
        .env("COHORT_LEASE_SECONDS", "2")
        // One test client sends every pledge: no hourly cap on it.
        .env("COHORT_PLEDGE_LIMIT_PER_IP", "100000000")
        .env("COHORT_PLEDGE_LIMIT_PER_EMAIL", "100000000")
        .env_remove("COHORT_PUBLIC_URL")
        .env_remove("COHORT_LOG_KEY")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start cohort");
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
    (child, url)
}

fn cohort(args: &[&str], db: Option<&[String]>) -> (bool, String) {
    let mut cmd = Command::new(BIN);
    cmd.args(args).env_remove("DATABASE_URL");
    if let Some(db) = db {
        cmd.args(db);
    }
    let out = cmd.output().expect("cohort runs");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn audit(url: &str, key: &str, state: &Path) -> (bool, String) {
    let state = state.display().to_string();
    cohort(&["audit", url, "--key", key, "--state", &state], None)
}

/// The published checkpoint's note and size (0 before the first).
async fn checkpoint(client: &reqwest::Client, url: &str) -> (String, u64) {
    let Ok(res) = client.get(format!("{url}/log/checkpoint")).send().await else {
        return (String::new(), 0);
    };
    if !res.status().is_success() {
        return (String::new(), 0);
    }
    let note = res.text().await.unwrap_or_default();
    let size = note
        .lines()
        .nth(1)
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    (note, size)
}

/// Wait until the published log has more than `size` leaves, while the
/// pledging clients (`tasks`) keep going (one that stops has failed).
async fn grown_past(
    client: &reqwest::Client,
    url: &str,
    size: u64,
    tasks: &[tokio::task::JoinHandle<()>],
) -> (String, u64) {
    loop {
        assert!(
            !tasks.iter().any(|t| t.is_finished()),
            "a pledging client stopped while the server was up (its panic is above)"
        );
        let (note, n) = checkpoint(client, url).await;
        if n > size {
            return (note, n);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Pledge into the demo slate from 16 clients until `stop`.
fn burst(url: &str, stop: Arc<AtomicBool>, from: usize) -> Vec<tokio::task::JoinHandle<()>> {
    let client = reqwest::Client::new();
    let next = Arc::new(AtomicUsize::new(from));
    (0..16)
        .map(|_| {
            let (client, next, stop, url) =
                (client.clone(), next.clone(), stop.clone(), url.to_owned());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let body = json!({
                        "kind": "money", "amount_cents": 1000 + (i % 1000) as i64, "deadline": "2028-10-01",
                        "donor": {"email": format!("log{i}@example.org"), "name": "Log Donor", "employer": "Acme", "occupation": "Nurse",
                            "attests_eligible": true}
                    });
                    let sent = client
                        .post(format!("{url}/api/slates/{SLATE}/pledges"))
                        .json(&body)
                        .send()
                        .await;
                    // Refused (4xx) is a broken test, not a crash: say so
                    // rather than wait for a log that never grows.
                    match sent {
                        Err(_) => break,
                        Ok(res) if res.status().is_client_error() => {
                            panic!("a pledge was refused: {}", res.text().await.unwrap_or_default())
                        }
                        Ok(_) => {}
                    }
                }
            })
        })
        .collect()
}

async fn sigkill_while_sequencing_keeps_the_log_consistent(db: Vec<String>, tag: &str) {
    let state = scratch(&format!("{tag}-audited"));
    let last = scratch(&format!("{tag}-last"));
    let client = reqwest::Client::new();
    let (mut child, url) = serve(&db);
    let key = client
        .get(format!("{url}/log/key"))
        .send()
        .await
        .expect("the key")
        .text()
        .await
        .expect("text")
        .trim()
        .to_owned();

    // An audit of the log as it stands, remembered in the state file.
    grown_past(&client, &url, 0, &[]).await;
    let (ok, out) = audit(&url, &key, &state);
    assert!(ok, "{out}");
    let audited: u64 = std::fs::read_to_string(&state)
        .expect("state")
        .lines()
        .nth(1)
        .and_then(|l| l.parse().ok())
        .expect("a size");

    // A burst of pledges; once the log has grown past the audit twice more
    // (so the sequencer is busy with the burst's events), SIGKILL.
    let stop = Arc::new(AtomicBool::new(false));
    let tasks = burst(&url, stop.clone(), 0);
    let (_, n) = grown_past(&client, &url, audited, &tasks).await;
    let (note, _) = grown_past(&client, &url, n, &tasks).await;
    child.kill().expect("SIGKILL");
    child.wait().expect("reap");
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.expect("client task");
    }
    // The last checkpoint anyone saw before the kill, as an auditor keeps it.
    std::fs::write(&last, &note).expect("write");
    let before: u64 = note
        .lines()
        .nth(1)
        .and_then(|l| l.parse().ok())
        .expect("a size");

    // Restarted on the same database: more pledges, and the log extends
    // both checkpoints seen before the crash.
    let (mut child, url) = serve(&db);
    let stop = Arc::new(AtomicBool::new(false));
    let tasks = burst(&url, stop.clone(), 1_000_000);
    grown_past(&client, &url, before, &tasks).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.expect("client task");
    }
    let (ok, out) = audit(&url, &key, &last);
    assert!(
        ok,
        "after the crash, against the last checkpoint before it: {out}"
    );
    let (ok, out) = audit(&url, &key, &state);
    assert!(ok, "after the crash, against the audited checkpoint: {out}");
    child.kill().expect("stop");
    child.wait().expect("reap");
    let (ok, out) = cohort(&["verify"], Some(&db));
    assert!(ok, "cohort verify after the crash:\n{out}");
    let _ = std::fs::remove_file(&state);
    let _ = std::fs::remove_file(&last);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_while_sequencing_sqlite() {
    let dir = scratch("sqlite");
    let db = vec!["--data-dir".to_owned(), dir.display().to_string()];
    sigkill_while_sequencing_keeps_the_log_consistent(db, "sqlite").await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_while_sequencing_postgres() {
    let Some(pg) = common::ScratchPg::create().await else {
        return;
    };
    // The log key lives in the data directory whatever the database.
    let dir = scratch("pg");
    let db = vec![
        "--database-url".to_owned(),
        pg.url.clone(),
        "--data-dir".to_owned(),
        dir.display().to_string(),
    ];
    sigkill_while_sequencing_keeps_the_log_consistent(db, "pg").await;
    let _ = std::fs::remove_dir_all(&dir);
}
