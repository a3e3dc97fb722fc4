//! Crash safety: the real `cohort` binary is killed with SIGKILL in the middle
//! of a burst of concurrent pledges and in the middle of a large unlock, then
//! restarted on the same data. Every pledge that got a 2xx answer must be
//! there, nothing may be allocated twice or half-way, and `cohort verify` must pass.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use cohort_core::model::{PledgeKind, Recurrence};
use cohort_core::{Cents, Email};
use cohort_engine::{Actor, CandidateInput, CompactInput, Engine, SlateInput};
use cohort_store::{Donor, NewPledge, Store};
use cohort_store_sqlite::SqliteStore;
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_cohort");

fn scratch(tag: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "cohort-durability-{tag}-{}-{}",
        std::process::id(),
        Utc::now().timestamp_nanos_opt().unwrap_or(0)
    ))
}

/// Start `cohort serve` on a free port and return it with its base URL.
fn serve(dir: &Path, demo: bool) -> (Child, String) {
    let mut cmd = Command::new(BIN);
    cmd.args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(dir);
    if demo {
        cmd.arg("--demo");
    }
    let mut child = cmd
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start cohort");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("cohort exited before printing its URL")
            .expect("read stdout");
        if let Some(rest) = line.strip_prefix("Cohort is running at ") {
            break rest.trim().to_owned();
        }
    };
    // Keep draining stdout so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, url)
}

fn verify(dir: &Path) {
    let out = Command::new(BIN)
        .args(["verify", "--data-dir"])
        .arg(dir)
        .output()
        .expect("run verify");
    assert!(
        out.status.success(),
        "cohort verify failed after the crash:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn pledge_body(i: usize) -> Value {
    json!({
        "kind": "money", "amount_cents": 1000 + i as i64, "deadline": "2028-10-01",
        "donor": {"email": format!("burst{i}@example.org"), "name": "Burst Donor", "attests_eligible": true}
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_a_burst_of_pledges_loses_no_acknowledged_pledge() {
    let dir = scratch("burst");
    let (mut child, url) = serve(&dir, true);
    let client = reqwest::Client::new();
    let acked = Arc::new(std::sync::Mutex::new(Vec::<(i64, String)>::new()));
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let (client, acked, next, url) = (client.clone(), acked.clone(), next.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let sent = client
                    .post(format!("{url}api/slates/people-first-2028/pledges"))
                    .header("Idempotency-Key", format!("burst-{i}"))
                    .json(&pledge_body(i))
                    .send()
                    .await;
                let Ok(res) = sent else { break };
                if !res.status().is_success() {
                    continue;
                }
                let Ok(body) = res.json::<Value>().await else {
                    break;
                };
                let id = body["id"].as_i64().expect("id");
                let token = body["receipt_token"].as_str().expect("receipt").to_owned();
                acked.lock().expect("lock").push((id, token));
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    child.kill().expect("SIGKILL");
    child.wait().expect("reap");
    for t in tasks {
        t.await.expect("client task");
    }
    let acked = acked.lock().expect("lock").clone();
    eprintln!("{} pledges acknowledged before SIGKILL", acked.len());
    assert!(
        acked.len() > 10,
        "the burst should have landed pledges before the kill (got {})",
        acked.len()
    );

    let (mut child, url) = serve(&dir, false);
    for (id, token) in &acked {
        let res = client
            .get(format!("{url}api/pledges/{id}?token={token}"))
            .send()
            .await
            .expect("get");
        assert_eq!(
            res.status().as_u16(),
            200,
            "acknowledged pledge {id} is missing after the crash"
        );
    }
    child.kill().expect("stop");
    child.wait().expect("reap");
    verify(&dir);
}

const CANDIDATES: [(&str, &str); 5] = [
    ("ann", "NY"),
    ("bo", "PA"),
    ("cy", "CA"),
    ("di", "IL"),
    ("ed", "MI"),
];

/// A slate one signature away from unlocking `n` pledges; returns the last candidate's token.
async fn seed_large_unlock(dir: &Path, n: usize) -> String {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open_dir(dir).await.expect("open"));
    store.migrate().await.expect("migrate");
    let engine = Engine::with_store(store.clone());
    let org = Actor::Organizer { slate: None };
    let slate = SlateInput {
        slug: "big".into(),
        name: "Big".into(),
        cycle: 2028,
        description: String::new(),
        condition: "signers >= 5".into(),
    };
    engine.create_slate(&org, slate).await.expect("slate");
    let compact = CompactInput {
        commitments: vec!["Cross-endorse".into()],
        planks: vec![],
    };
    let mut tokens = Vec::new();
    for (slug, state) in CANDIDATES {
        let c = CandidateInput {
            slug: slug.into(),
            name: slug.into(),
            office: "us_house".into(),
            state: state.into(),
            district: None,
            primary_date: None,
            general_date: "2028-11-07".into(),
        };
        engine
            .add_candidate(&org, "big", c)
            .await
            .expect("candidate");
        tokens.push(
            engine
                .issue_candidate_token("big", slug)
                .await
                .expect("token"),
        );
    }
    engine
        .publish_compact(&org, "big", compact)
        .await
        .expect("compact");
    for (i, (slug, _)) in CANDIDATES.iter().enumerate().take(4) {
        let actor = engine.authenticate(Some(&tokens[i])).await.expect("auth");
        engine.sign(&actor, "big", slug, 1).await.expect("sign");
    }
    let mut tx = store.write().await.expect("begin");
    let s = tx
        .slate_by_slug("big")
        .await
        .expect("slate")
        .expect("found");
    let cond = tx
        .condition_id(s.id, &s.condition)
        .await
        .expect("condition");
    let pledges: Vec<NewPledge> = (0..n)
        .map(|i| NewPledge {
            slate_id: s.id,
            kind: PledgeKind::Money {
                amount: Cents(500 + i as i64 % 9_000),
                recurring: Recurrence::Once,
            },
            condition_id: cond,
            candidates: None,
            deadline: "2028-10-01".parse().expect("date"),
            email: Email::parse(&format!("d{}@example.org", i % 20_000)).expect("email"),
            donor: Donor {
                name: "D".into(),
                attests_eligible: true,
                ..Donor::default()
            },
            ref_code: None,
            receipt_token: format!("r{i}"),
            idempotency_key: None,
            request_hash: String::new(),
            created_at: Utc::now(),
        })
        .collect();
    tx.insert_pledges(&pledges).await.expect("seed");
    tx.commit().await.expect("commit");
    tokens.pop().expect("last token")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_a_large_unlock_leaves_all_or_nothing() {
    let dir = scratch("unlock");
    let n = 60_000;
    let token = seed_large_unlock(&dir, n).await;
    let (mut child, url) = serve(&dir, false);
    let client = reqwest::Client::new();
    let signing = {
        let (client, url) = (client.clone(), url.clone());
        tokio::spawn(async move {
            client
                .post(format!("{url}api/slates/big/signatures"))
                .bearer_auth(token)
                .json(&json!({"candidate": "ed", "version": 1}))
                .send()
                .await
                .map(|r| r.status().as_u16())
        })
    };
    tokio::time::sleep(Duration::from_millis(250)).await;
    child.kill().expect("SIGKILL");
    child.wait().expect("reap");
    let answered = signing.await.expect("task");

    let (mut child, url) = serve(&dir, false);
    let slate: Value = client
        .get(format!("{url}api/slates/big"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    child.kill().expect("stop");
    child.wait().expect("reap");
    let pot = &slate["pot"];
    let pending = pot["pending_cents"].as_i64().expect("pending");
    let unlocked = pot["unlocked_cents"].as_i64().expect("unlocked");
    eprintln!("signature answer before SIGKILL: {answered:?}; after restart pending {pending}, unlocked {unlocked}");
    let total: i64 = (0..n).map(|i| 500 + i as i64 % 9_000).sum();
    assert_eq!(pending + unlocked, total, "no pledge may be lost");
    assert!(
        (pending == total && unlocked == 0) || (pending == 0 && unlocked == total),
        "the unlock must be all or nothing: pending {pending}, unlocked {unlocked}"
    );
    if matches!(answered, Ok(201)) {
        assert_eq!(
            unlocked, total,
            "a signature that was acknowledged must have unlocked everything"
        );
    }
    verify(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cohort_verify_exits_non_zero_naming_a_violation() {
    let dir = scratch("verify");
    seed_large_unlock(&dir, 10).await;
    verify(&dir);
    {
        // Plant a split that loses a cent, as a buggy writer would.
        let store = SqliteStore::open_dir(&dir).await.expect("open");
        let mut tx = store.write().await.expect("begin");
        let s = tx
            .slate_by_slug("big")
            .await
            .expect("slate")
            .expect("found");
        let cond = tx
            .condition_id(s.id, &s.condition)
            .await
            .expect("condition");
        let pending = tx
            .pending_pledges(s.id, &[cond], "2026-11-24".parse().expect("date"))
            .await
            .expect("pending");
        let p = &pending[0];
        let c = tx.candidates(s.id).await.expect("candidates")[0].id;
        let bad = cohort_store::Installment {
            pledge_id: p.id,
            period: 0,
            amount: p.amount,
            unallocated: Cents(0),
            allocations: vec![cohort_store::AllocationShare {
                candidate_id: c,
                election: cohort_core::model::Election::General,
                cents: Cents(p.amount.get() - 1),
            }],
        };
        tx.record_unlocks(&[p.id], &[bad], Utc::now())
            .await
            .expect("plant");
        tx.commit().await.expect("commit");
    }
    let out = Command::new(BIN)
        .args(["verify", "--data-dir"])
        .arg(&dir)
        .output()
        .expect("run verify");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success(),
        "verify must fail on a broken database: {stdout}"
    );
    assert!(
        stdout.contains("[conservation]"),
        "names the rule: {stdout}"
    );
    assert!(
        stdout.contains("[pot matches pledges]"),
        "and the pot that no longer matches: {stdout}"
    );
}
