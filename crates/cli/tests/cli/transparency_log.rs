//! The transparency log over HTTP (issue 18): the sequencer logs every
//! public event; the checkpoint, tiles, leaves and proofs served by the real
//! app check out with `cohort-tlog`'s verifier, and match the public event
//! log. Sequencing is called directly (no timers).

use cohort_testkit as common;

use cohort_tlog::{key_from_seed, CheckpointSigner};
use common::{seed, sign_as, TestApp};
use reqwest::StatusCode;

/// `cohort audit URL --key KEY [--state FILE]`; answers success and its output.
fn audit(base: &str, key: &str, state: &std::path::Path) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cohort"))
        .args(["audit", base, "--key", key, "--state"])
        .arg(state)
        .output()
        .expect("cohort runs");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// `cohort verify` on the data directory of SQLite file `db`; answers
/// success and what it printed.
fn verify(db: &std::path::Path) -> (bool, String) {
    let v = std::process::Command::new(env!("CARGO_BIN_EXE_cohort"))
        .args(["verify", "--data-dir"])
        .arg(db.parent().expect("dir"))
        .env_remove("DATABASE_URL")
        .output()
        .expect("cohort runs");
    (
        v.status.success(),
        String::from_utf8_lossy(&v.stdout).into_owned(),
    )
}

/// Runs `statement` on the database file with the log's file attached, as
/// someone with the files in hand could.
async fn sql(file: &std::path::Path, statement: &str) {
    use sqlx::{Connection, Executor};
    let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", file.display()))
        .await
        .expect("SQLite");
    let log = cohort_store_sqlite::log_file(file);
    c.execute(format!("ATTACH DATABASE '{}' AS tlog", log.display()).as_str())
        .await
        .expect("the log's file");
    c.execute(statement).await.expect(statement);
}

/// A SQLite app whose slate's condition is `condition`, with Ada signed,
/// the log's keys, and a fresh audit state file named after `name`.
struct Audited {
    app: TestApp,
    db: std::path::PathBuf,
    vkey: String,
    signer: CheckpointSigner,
    state: std::path::PathBuf,
    version: i64,
}

async fn audited(condition: &str, name: &str) -> Audited {
    let app = TestApp::sqlite().await;
    let db = app.sqlite_file().expect("a SQLite file");
    let (skey, vkey) = key_from_seed("cohort.test/log", [6; 32]).expect("key");
    let signer = CheckpointSigner::new(&skey).expect("signer");
    let state = std::env::temp_dir().join(format!("cohort-audit-{name}-{}", std::process::id()));
    let _ = std::fs::remove_file(&state);
    let version = seed(&app, condition).await;
    sign_as(&app, "ada-reyes", version).await;
    Audited {
        app,
        db,
        vkey,
        signer,
        state,
        version,
    }
}

/// Edits behind the log, each caught by `cohort audit` naming it: a changed
/// endorsement, a deleted signature, an altered leaf, a rolled-back tree and
/// a forked one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_names_each_edit_made_behind_the_log() {
    let Audited {
        app,
        db,
        vkey,
        signer,
        state,
        version,
    } = audited("signers >= 3", "state").await;
    app.engine
        .sequence_log_all(&signer)
        .await
        .expect("sequence");

    let (ok, out) = audit(&app.base, &vkey, &state);
    assert!(ok, "{out}");
    assert!(out.starts_with("ok: "), "{out}");
    let (ok, out) = audit(&app.base, &sig_other(), &state);
    assert!(!ok && out.contains("checkpoint does not verify"), "{out}");

    // A changed endorsement.
    sql(&db, "INSERT INTO endorsements (slate_id, from_id, to_id, created_at) \
              SELECT c1.slate_id, c1.id, c2.id, '2026-11-24T12:00:00Z' FROM candidates c1, candidates c2 \
              WHERE c1.slug = 'ben-okafor' AND c2.slug = 'cy-lindqvist'").await;
    let (ok, out) = audit(&app.base, &vkey, &state);
    assert!(
        !ok && out.contains("endorsements differ") && out.contains("ben-okafor"),
        "{out}"
    );
    sql(&db, "DELETE FROM endorsements").await;

    // A deleted signature.
    sql(&db, "DELETE FROM signatures").await;
    let (ok, out) = audit(&app.base, &vkey, &state);
    assert!(!ok && out.contains("signature of ada-reyes"), "{out}");
    sign_as(&app, "ada-reyes", version).await;
    app.engine
        .sequence_log_all(&signer)
        .await
        .expect("sequence");
    let (ok, out) = audit(&app.base, &vkey, &state);
    assert!(ok, "{out}");

    // An altered leaf.
    sql(&db, "UPDATE log_leaves SET data = replace(data, 'ada-reyes', 'ben-okafor') WHERE data LIKE '%\"signed\"%'").await;
    let (ok, out) = audit(&app.base, &vkey, &state);
    assert!(
        !ok && out.contains("do not hash to the signed root"),
        "{out}"
    );
    // `cohort verify` compares the stored log with the tables too.
    let (ok, text) = verify(&db);
    assert!(!ok && text.contains("[transparency log] leaf"), "{text}");

    // A rolled-back tree: the latest checkpoint withdrawn.
    sql(
        &db,
        "DELETE FROM log_checkpoints WHERE size = (SELECT MAX(size) FROM log_checkpoints)",
    )
    .await;
    let (ok, out) = audit(&app.base, &vkey, &state);
    assert!(!ok && out.contains("rolled back"), "{out}");

    // A fork: the log rebuilt (signed with the real key) over an edited history.
    sql(&db, "DELETE FROM log_leaves").await;
    sql(&db, "DELETE FROM log_hashes").await;
    sql(&db, "DELETE FROM log_checkpoints").await;
    sql(&db, "UPDATE events SET payload = replace(payload, 'River', 'Lake') WHERE kind = 'slate_created'").await;
    sql(
        &db,
        "UPDATE events SET kind = 'slate_edited' WHERE kind = 'slate_created'",
    )
    .await;
    app.engine
        .sequence_log_all(&signer)
        .await
        .expect("sequence");
    let (ok, out) = audit(&app.base, &vkey, &state);
    assert!(!ok && out.contains("forked"), "{out}");
    let _ = std::fs::remove_file(&state);
}

/// The unlocked total is checked too: the API's `logged_unlocked_cents`
/// must be the total the log's last `unlocked_total` leaf published. Raised
/// behind the log, or wiped, the audit names it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_names_an_unlocked_total_the_log_did_not_publish() {
    let Audited {
        app,
        db,
        vkey,
        signer,
        state,
        ..
    } = audited("signers >= 1", "total").await;
    for i in 0..cohort_engine::LOG_TOTAL_AFTER {
        let res = app
            .client
            .post(app.url(&format!("/api/slates/{}/pledges", common::SLATE)))
            .json(&serde_json::json!({
                "kind": "money", "amount_cents": 2000 + i, "recurring": "once",
                "donor": {"email": format!("d{i}@example.org"), "name": "Dee Donor", "zip": "10001",
                    "employer": "Acme", "occupation": "Engineer", "attests_eligible": true}
            }))
            .send()
            .await
            .expect("answer");
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    app.engine
        .sequence_log_all(&signer)
        .await
        .expect("sequence");
    let (ok, out) = audit(&app.base, &vkey, &state);
    assert!(ok, "{out}");

    sql(
        &db,
        "UPDATE pots SET logged_unlocked_cents = logged_unlocked_cents + 5000",
    )
    .await;
    let (ok, out) = audit(&app.base, &vkey, &state);
    assert!(
        !ok && out.contains("unlocked total") && out.contains("$250.45 (event"),
        "{out}"
    );
    // `cohort verify` finds the pot's total in no `unlocked_total` event.
    let (ok, text) = verify(&db);
    assert!(
        !ok && text.contains("[the published unlocked total is the log's]")
            && text.contains("published 25045 in event"),
        "{text}"
    );
    sql(
        &db,
        "UPDATE pots SET logged_unlocked_cents = 0, logged_seq = NULL",
    )
    .await;
    let (ok, out) = audit(&app.base, &vkey, &state);
    assert!(
        !ok && out.contains("unlocked total: the API says none published"),
        "{out}"
    );
    let _ = std::fs::remove_file(&state);
}

fn sig_other() -> String {
    key_from_seed("cohort.test/log", [9; 32]).expect("key").1
}

/// Serves `stale` for the first `GET /log/checkpoint` and forwards every
/// other request to `upstream`: an auditor that read a checkpoint just
/// before the log grew within the same tile. Answers the proxy's base URL.
async fn stale_checkpoint_proxy(upstream: String, stale: String) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let http = reqwest::Client::new();
        let mut stale = Some(stale);
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                match sock.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let head = String::from_utf8_lossy(&buf).into_owned();
            let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
            let (status, body) = match (path.as_str(), stale.take()) {
                ("/log/checkpoint", Some(note)) => (200, note.into_bytes()),
                (_, kept) => {
                    stale = kept;
                    let res = http
                        .get(format!("{upstream}{path}"))
                        .send()
                        .await
                        .expect("upstream");
                    let status = res.status().as_u16();
                    (status, res.bytes().await.expect("body").to_vec())
                }
            };
            let mut out = format!(
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .into_bytes();
            out.extend_from_slice(&body);
            let _ = sock.write_all(&out).await;
        }
    });
    base
}

/// The bug: an auditor reading a checkpoint just before the log grew within
/// the same tile asked for the partial entry bundle of that width, which the
/// server no longer serves (only the tile's current width), then for the
/// full bundle, which did not exist yet, and failed with "HTTP 404" on a
/// healthy log (seen in the SIGKILL test on PostgreSQL). It must take the
/// first leaves of the partial bundle the newest checkpoint names.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_audit_that_read_a_checkpoint_just_before_the_log_grew_passes() {
    let app = TestApp::sqlite().await;
    let (skey, vkey) = key_from_seed("cohort.test/log", [7; 32]).expect("key");
    let signer = CheckpointSigner::new(&skey).expect("signer");
    let version = seed(&app, "signers >= 3").await;
    sign_as(&app, "ada-reyes", version).await;
    app.engine
        .sequence_log_all(&signer)
        .await
        .expect("sequence");
    let (_, old, _) = bytes(&app, "/log/checkpoint").await;
    let old = String::from_utf8(old).expect("text");
    // The log grows within its first tile: a pledge (it changes none of the
    // slate facts the audit compares with the JSON API).
    common::pledge_50(&app).await;
    let grown = app
        .engine
        .sequence_log_all(&signer)
        .await
        .expect("sequence");
    let before: u64 = old
        .lines()
        .nth(1)
        .and_then(|l| l.parse().ok())
        .expect("size");
    assert!(before < grown && grown < 256, "{before} → {grown}");
    let proxy = stale_checkpoint_proxy(app.base.trim_end_matches('/').to_owned(), old).await;
    let state = std::env::temp_dir().join(format!("cohort-audit-stale-{}", std::process::id()));
    let _ = std::fs::remove_file(&state);
    let (ok, out) = audit(&proxy, &vkey, &state);
    assert!(ok, "{out}");
}

async fn bytes(app: &TestApp, path: &str) -> (StatusCode, Vec<u8>, String) {
    let res = app.client.get(app.url(path)).send().await.expect("answer");
    let status = res.status();
    let cache = res
        .headers()
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, res.bytes().await.expect("body").to_vec(), cache)
}
