//! The transparency log over HTTP (issue 18): the sequencer logs every
//! public event; the checkpoint, tiles, leaves and proofs served by the real
//! app check out with `cohort-tlog`'s verifier, and match the public event
//! log. Sequencing is called directly (no timers).

#[macro_use]
mod common;

use cohort_tlog::tree::{self, Hashes};
use cohort_tlog::{
    hash_from_b64, key_from_seed, record_hash, CheckpointSigner, CheckpointVerifier, Hash, Leaf,
};
use common::{seed, sign_as, TestApp, SLATE};
use reqwest::StatusCode;
use serde_json::{json, Value};

both_backends!(
    the_log_holds_every_public_event_and_its_proofs_verify,
    tiles_and_proofs_outside_the_published_tree_are_refused,
);

fn signer() -> (CheckpointSigner, CheckpointVerifier) {
    let (skey, vkey) = key_from_seed("cohort.test/log", [3; 32]).expect("key");
    (
        CheckpointSigner::new(&skey).expect("signer"),
        CheckpointVerifier::new(&vkey).expect("verifier"),
    )
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

async fn checkpoint(app: &TestApp, v: &CheckpointVerifier) -> (u64, Hash) {
    let (status, body, _) = bytes(app, "/log/checkpoint").await;
    assert_eq!(status, StatusCode::OK);
    let c = v
        .open(&String::from_utf8(body).expect("text"))
        .expect("the checkpoint verifies");
    assert_eq!(c.origin, "cohort.test/log");
    (c.size, c.root)
}

fn partial(n: u64) -> String {
    if n == 256 {
        String::new()
    } else {
        format!(".p/{n}")
    }
}

fn b64s(v: &Value) -> Vec<Hash> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|h| hash_from_b64(h.as_str().expect("text")).expect("a hash"))
        .collect()
}

async fn the_log_holds_every_public_event_and_its_proofs_verify(app: TestApp) {
    let (signer, verifier) = signer();
    let version = seed(&app, "signers >= 2").await;
    // A pledge: its receipt shows where its commitment is, once logged.
    let (id, receipt) = common::pledge_50(&app).await;
    let (_, view) = app.get(&format!("/api/pledges/{id}?token={receipt}")).await;
    assert!(view.get("log").is_none(), "not logged yet: {view}");
    // Nothing is public before the first round.
    assert_eq!(
        bytes(&app, "/log/checkpoint").await.0,
        StatusCode::NOT_FOUND
    );
    let size = app
        .engine
        .sequence_log_all(&signer)
        .await
        .expect("sequence");
    assert_eq!(app.engine.sequence_log(&signer).await.expect("again"), None);
    let (n, root) = checkpoint(&app, &verifier).await;
    assert_eq!(n, size);
    let (_, view) = app.get(&format!("/api/pledges/{id}?token={receipt}")).await;
    let place = &view["log"];
    let commitment = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(format!("{id}:{receipt}").as_bytes()))
    };
    assert_eq!(place["commitment"], commitment.as_str(), "{view}");
    assert_eq!(place["checkpoint_size"], n, "{view}");
    let (_, leaf) = app
        .get(&format!("/log/leaves/{}", place["leaf_index"]))
        .await;
    assert_eq!(leaf["leaf"]["kind"], "pledged", "{leaf}");
    assert_eq!(
        leaf["leaf"]["payload"]["receipt_commitment"],
        commitment.as_str(),
        "{leaf}"
    );
    assert!(
        leaf["leaf"]["payload"].get("amount_cents").is_none(),
        "{leaf}"
    );

    let (status, events) = app.get(&format!("/api/slates/{SLATE}/events")).await;
    assert_eq!(status, StatusCode::OK);
    let events = events.as_array().expect("events").clone();
    assert_eq!(events.len() as u64, n, "one leaf per public event");

    // The entry bundle holds each event as the API shows it.
    let (status, bundle, cache) =
        bytes(&app, &format!("/log/tile/entries/000{}", partial(n))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(cache.contains("immutable"), "{cache}");
    let leaves = cohort_tlog::tiles::unbundle(&bundle).expect("a bundle");
    assert_eq!(leaves.len() as u64, n);
    for (leaf, event) in leaves.iter().zip(&events) {
        let l = Leaf::parse(leaf).expect("a leaf");
        assert_eq!(l.seq, event["seq"].as_i64().expect("seq"));
        assert_eq!(l.slate, SLATE);
        assert_eq!(l.kind, event["kind"].as_str().expect("kind"));
        assert_eq!(json!(l.at), event["at"]);
    }
    // Its hash tile is the leaves' hashes, and the root recomputed from the
    // leaves is the signed one.
    let (status, tile, _) = bytes(&app, &format!("/log/tile/0/000{}", partial(n))).await;
    assert_eq!(status, StatusCode::OK);
    let hashes: Vec<u8> = leaves.iter().flat_map(|l| record_hash(l).0).collect();
    assert_eq!(tile, hashes);
    let built: Hashes = tree::append(0, &Hashes::new(), &leaves)
        .expect("append")
        .into_iter()
        .collect();
    assert_eq!(tree::tree_hash(n, &built).expect("root"), root);

    for i in 0..n {
        let (status, p) = app.get(&format!("/log/proof/inclusion?index={i}")).await;
        assert_eq!(status, StatusCode::OK, "{p}");
        assert_eq!(p["size"], n);
        let leaf = record_hash(&leaves[i as usize]);
        assert!(
            tree::check_inclusion(&b64s(&p["proof"]), n, root, i, leaf),
            "leaf {i}"
        );
        let (_, l) = app.get(&format!("/log/leaves/{i}")).await;
        assert_eq!(
            hash_from_b64(l["leaf_hash"].as_str().expect("hash")),
            Some(leaf)
        );
    }

    // More events: the new checkpoint extends the old one.
    sign_as(&app, "ada-reyes", version).await;
    sign_as(&app, "ben-okafor", version).await;
    app.engine
        .sequence_log_all(&signer)
        .await
        .expect("sequence");
    let (m, root2) = checkpoint(&app, &verifier).await;
    assert!(m > n);
    let (status, p) = app.get(&format!("/log/proof/consistency?from={n}")).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert!(tree::check_consistency(
        &b64s(&p["proof"]),
        m,
        root2,
        n,
        root
    ));
    assert!(!tree::check_consistency(
        &b64s(&p["proof"]),
        m,
        root2,
        n,
        Hash([0; 32])
    ));
    let (_, last) = app.get(&format!("/log/leaves/{}", m - 1)).await;
    assert!(
        ["signed", "unlock", "installments"]
            .contains(&last["leaf"]["kind"].as_str().unwrap_or_default()),
        "{last}"
    );
}

async fn tiles_and_proofs_outside_the_published_tree_are_refused(app: TestApp) {
    let (signer, _) = signer();
    seed(&app, "signers >= 2").await;
    let n = app
        .engine
        .sequence_log_all(&signer)
        .await
        .expect("sequence");
    assert!(n > 0 && n < 256);
    for path in [
        "/log/tile/0/000".to_owned(),           // full, but the tree is not
        format!("/log/tile/0/000.p/{}", n + 1), // wider than the tree
        format!("/log/tile/0/000.p/{}", n - 1), // narrower: not a tile of this tree
        "/log/tile/0/001.p/1".to_owned(),       // past the end
        "/log/tile/1/000.p/1".to_owned(),       // no level-1 hash yet
        "/log/tile/0/x000/000.p/1".to_owned(),  // not the one spelling
        "/log/tile/entries/1".to_owned(),
        format!("/log/leaves/{n}"),
    ] {
        let (status, _, _) = bytes(&app, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let (status, body) = app
        .get(&format!("/log/proof/inclusion?index=0&size={}", n + 1))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "size", "{body}");
    let (status, body) = app.get(&format!("/log/proof/inclusion?index={n}")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "index", "{body}");
    let (status, body) = app.get("/log/proof/consistency?from=0").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "from", "{body}");
    let (status, body) = app.get("/log/proof/inclusion?index=x").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

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

async fn sql(file: &std::path::Path, statement: &str) {
    use sqlx::{Connection, Executor};
    let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", file.display()))
        .await
        .expect("SQLite");
    c.execute(statement).await.expect(statement);
}

/// Edits behind the log, each caught by `cohort audit` naming it: a changed
/// endorsement, a deleted signature, an altered leaf, a rolled-back tree and
/// a forked one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_names_each_edit_made_behind_the_log() {
    let app = TestApp::sqlite().await;
    let db = app.sqlite_file().expect("a SQLite file");
    let (skey, vkey) = key_from_seed("cohort.test/log", [6; 32]).expect("key");
    let signer = CheckpointSigner::new(&skey).expect("signer");
    let state = std::env::temp_dir().join(format!("cohort-audit-state-{}", std::process::id()));
    let _ = std::fs::remove_file(&state);
    let version = seed(&app, "signers >= 3").await;
    sign_as(&app, "ada-reyes", version).await;
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
    let v = std::process::Command::new(env!("CARGO_BIN_EXE_cohort"))
        .args(["verify", "--data-dir"])
        .arg(db.parent().expect("dir"))
        .env_remove("DATABASE_URL")
        .output()
        .expect("cohort runs");
    let text = String::from_utf8_lossy(&v.stdout);
    assert!(
        !v.status.success() && text.contains("[transparency log] leaf"),
        "{text}"
    );

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
