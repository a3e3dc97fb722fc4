//! Collection (issue 6) against localstripe, a real Stripe emulator on
//! loopback: a SetupIntent at pledge time, one off-session PaymentIntent of
//! the allocated total after unlock, declines and authentication opening the
//! 7-day fix window (emails through the real SMTP test server), webhooks
//! verified by signature and applied once, and a SIGKILL-style crash of the
//! real binary between charge and record that must not charge twice.

use cohort_testkit as common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use cohort_engine::Engine;
use common::localstripe::{LocalStripe, SECRET_KEY};
use common::{allocated, SLATE};
use reqwest::StatusCode;
use serde_json::{json, Value};

// ---------------------------------------------------------------- crash between charge and record

const BIN: &str = env!("CARGO_BIN_EXE_cohort");

/// `cohort serve` against localstripe; returns it and its base URL.
fn serve(dir: &Path, stripe: &str, crash: bool) -> (Child, String) {
    serve_with(dir, stripe, crash, None)
}

fn serve_with(dir: &Path, stripe: &str, crash: bool, hook: Option<&str>) -> (Child, String) {
    let mut cmd = Command::new(BIN);
    cmd.args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .env("RUST_LOG", "warn")
        .env("COHORT_STRIPE_SECRET_KEY", SECRET_KEY)
        .env("COHORT_STRIPE_API_BASE", stripe)
        .env("COHORT_STRIPE_WEBHOOK_SECRET", hook.unwrap_or(""))
        // A restarted server takes the crashed one's jobs once its leases
        // expire: make that seconds, not the default 30.
        .env("COHORT_LEASE_SECONDS", "2")
        .env_remove("COHORT_SMTP_HOST")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if crash {
        cmd.env("COHORT_TEST_CRASH_AFTER_CHARGE", "1");
    } else {
        cmd.env_remove("COHORT_TEST_CRASH_AFTER_CHARGE");
    }
    let mut child = cmd.spawn().expect("start cohort");
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

/// A slate (condition `signers >= 1`, one candidate) made in-process in
/// `dir`, before the binary starts; returns the candidate's token and the
/// compact version to sign.
async fn seed_dir(dir: &Path) -> (String, i64) {
    use cohort_engine::{Actor, CandidateInput, CompactInput, SlateInput};
    let store = cohort_store_sqlite::SqliteStore::open_dir(dir)
        .await
        .expect("SQLite");
    let engine = Engine::with_store(Arc::new(store));
    engine.migrate().await.expect("migrate");
    let slate: SlateInput = serde_json::from_value(json!({
        "slug": SLATE, "name": "River Caucus", "cycle": 2028,
        "description": "A bloc.", "condition": "signers >= 1"
    }))
    .unwrap();
    engine
        .create_slate(&Actor::Organizer { slate: None }, slate)
        .await
        .unwrap();
    let c: CandidateInput = serde_json::from_value(common::candidate(
        "ada-reyes",
        "Ada Reyes",
        "us_house",
        "NY",
        Some("10"),
    ))
    .unwrap();
    engine
        .add_candidate(&Actor::Organizer { slate: None }, SLATE, c)
        .await
        .unwrap();
    let committee: cohort_engine::CommitteeInput = serde_json::from_value(json!({
        "name": "Ada Reyes for Congress", "fec_committee_id": "C00100001",
        "fec_candidate_id": "H8NY10001", "treasurer_first": "Tess", "treasurer_last": "Urer",
        "street1": "1 Main St", "city": "New York", "state": "NY", "zip": "10001"
    }))
    .unwrap();
    engine
        .set_committee(
            &Actor::Organizer { slate: None },
            SLATE,
            "ada-reyes",
            committee,
        )
        .await
        .unwrap();
    let compact: CompactInput = serde_json::from_value(json!({
        "commitments": ["Cross-endorse every other signer"],
        "planks": [{"title": "Clean water", "why": "Everyone drinks it."}]
    }))
    .unwrap();
    let v = engine
        .publish_compact(&Actor::Organizer { slate: None }, SLATE, compact)
        .await
        .unwrap();
    let token = engine
        .issue_candidate_token(SLATE, "ada-reyes")
        .await
        .unwrap();
    (token, i64::from(v.version))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_between_charge_and_record_never_charges_twice() {
    let stripe = LocalStripe::start().await;
    let dir = std::env::temp_dir().join(format!(
        "cohort-payments-crash-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
    ));
    let (token, version) = seed_dir(&dir).await;

    let (mut child, url) = serve(&dir, &stripe.base, true);
    let http = reqwest::Client::new();
    let res = http
        .post(format!("{url}/api/slates/{SLATE}/pledges"))
        .json(&json!({
            "kind": "money", "amount_cents": 25_000, "deadline": "2028-10-01",
            "donor": {"email": "crash@example.org", "name": "Cass Crash", "employer": "Mill",
                      "occupation": "Miller", "attests_eligible": true}
        }))
        .send()
        .await
        .expect("pledge");
    assert_eq!(res.status(), StatusCode::CREATED);
    let p: Value = res.json().await.unwrap();
    let id = p["id"].as_i64().unwrap();
    stripe
        .confirm_setup(&setup_secret(&p), "pm_card_visa")
        .await;
    let res = http
        .post(format!("{url}/api/slates/{SLATE}/signatures"))
        .bearer_auth(&token)
        .json(&json!({"candidate": "ada-reyes", "version": version}))
        .send()
        .await
        .expect("sign");
    assert_eq!(res.status(), StatusCode::CREATED);

    // The collector charges, and the process dies before recording it.
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .expect("wait for cohort");
    assert!(
        !status.success(),
        "the test hook aborts the process: {status:?}"
    );
    let charged = stripe.intents_for(id).await;
    assert_eq!(charged.len(), 1, "{charged:?}");
    assert_eq!(charged[0]["status"], "succeeded");

    // Restarted, it finds the charge instead of making another.
    let (mut child, url) = serve(&dir, &stripe.base, false);
    let view = format!(
        "{url}/api/pledges/{id}?token={}",
        p["receipt_token"].as_str().unwrap()
    );
    let mut v = Value::Null;
    for _ in 0..300 {
        v = http.get(&view).send().await.unwrap().json().await.unwrap();
        if v["status"] == "fulfilled" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(v["status"], "fulfilled", "{v}");
    assert_eq!(v["payment"]["state"], "paid", "{v}");
    let after = stripe.intents_for(id).await;
    assert_eq!(after.len(), 1, "exactly one PaymentIntent: {after:?}");
    assert_eq!(after[0]["id"], charged[0]["id"]);
    assert_eq!(after[0]["amount"].as_i64(), Some(allocated(&v)));
    let out = Command::new(BIN)
        .args(["verify", "--data-dir"])
        .arg(&dir)
        .output()
        .expect("run verify");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn localstripes_own_signed_webhooks_are_accepted() {
    use sqlx::Connection;
    let stripe = LocalStripe::start().await;
    let dir = std::env::temp_dir().join(format!(
        "cohort-payments-hooks-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
    ));
    let (token, version) = seed_dir(&dir).await;
    let (mut child, url) = serve_with(&dir, &stripe.base, false, Some(WEBHOOK_SECRET));
    stripe
        .send_webhooks_to(&format!("{url}/webhooks/stripe"), WEBHOOK_SECRET)
        .await;
    let http = reqwest::Client::new();
    let p: Value = http
        .post(format!("{url}/api/slates/{SLATE}/pledges"))
        .json(&json!({
            "kind": "money", "amount_cents": 5_000, "deadline": "2028-10-01",
            "donor": {"email": "hooks@example.org", "name": "Hal Hook", "attests_eligible": true}
        }))
        .send()
        .await
        .expect("pledge")
        .json()
        .await
        .unwrap();
    stripe
        .confirm_setup(&setup_secret(&p), "pm_card_visa")
        .await;
    let res = http
        .post(format!("{url}/api/slates/{SLATE}/signatures"))
        .bearer_auth(&token)
        .json(&json!({"candidate": "ada-reyes", "version": version}))
        .send()
        .await
        .expect("sign");
    assert_eq!(res.status(), StatusCode::CREATED);
    // localstripe signs payment_intent.succeeded with the secret and posts it
    // a second after the charge; Cohort verifies and records it (with a wrong
    // secret nothing is recorded: checked by hand, the count stays 0).
    let db = format!("sqlite://{}", dir.join("cohort.db").display());
    let mut seen = 0i64;
    for _ in 0..300 {
        let mut conn = sqlx::SqliteConnection::connect(&db)
            .await
            .expect("open the db");
        seen = sqlx::query_scalar(
            "SELECT COUNT(*) FROM webhook_events WHERE kind = 'payment_intent.succeeded'",
        )
        .fetch_one(&mut conn)
        .await
        .expect("count");
        let _ = conn.close().await;
        if seen > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let v: Value = http
        .get(format!("{url}{}", pledge_path(&p)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(seen, 1, "localstripe's signed event was accepted once");
    assert_eq!(v["status"], "fulfilled", "{v}");
    let _ = std::fs::remove_dir_all(&dir);
}

const WEBHOOK_SECRET: &str = "whsec_cohort_test";

fn pledge_path(p: &Value) -> String {
    format!(
        "/api/pledges/{}?token={}",
        p["id"],
        p["receipt_token"].as_str().expect("a receipt token")
    )
}

fn setup_secret(p: &Value) -> String {
    p["payment"]["setup_client_secret"]
        .as_str()
        .unwrap_or_else(|| panic!("a SetupIntent client secret in {p}"))
        .to_owned()
}
