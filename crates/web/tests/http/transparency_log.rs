//! The transparency log over HTTP (issue 18): the sequencer logs every
//! public event; the checkpoint, tiles, leaves and proofs served by the real
//! app check out with `cohort-tlog`'s verifier, and match the public event
//! log. Sequencing is called directly (no timers).

use cohort_testkit as common;

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
    the_sequencer_takes_one_round_a_turn_while_intake_keeps_writing,
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

/// An event of the seeded slate, in `tx`: its seq.
async fn append_one(tx: &mut dyn cohort_store::Tx) -> i64 {
    let slate = tx.slate_by_slug(SLATE).await.expect("read").expect("slate");
    tx.append_event(
        slate.id,
        cohort_core::SlateEventKind::Endorsed,
        r#"{"from":"a","to":"b"}"#,
        common::now(),
    )
    .await
    .expect("append")
}

/// `n` events of the seeded slate, in one transaction.
async fn append_events(store: &dyn cohort_store::Store, n: usize) {
    let mut tx = store.write().await.expect("begin");
    for _ in 0..n {
        append_one(tx.as_mut()).await;
    }
    tx.commit().await.expect("commit");
}

/// Regression: the server's sequencer turn (`sequence_log_all`, every
/// 500 ms) ran rounds until one found nothing new, so while intake kept
/// committing events it kept committing rounds of a few events each, taking
/// every other write from the intake (`cohort bench-log`: 0.33 of intake's
/// throughput with the log on) and, here, never returned. Now a turn is one
/// round unless rounds come back full, and a backlog is still caught up in
/// one turn.
async fn the_sequencer_takes_one_round_a_turn_while_intake_keeps_writing(app: TestApp) {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;
    let (signer, verifier) = signer();
    seed(&app, "signers >= 2").await;
    // A backlog of more than one round's batch: one turn logs all of it.
    append_events(app.store.as_ref(), cohort_engine::log::BATCH as usize + 500).await;
    let backlog = app.store.read().await.expect("read").log_size().await;
    let size = app.engine.sequence_log_all(&signer).await.expect("turn");
    assert!(size > cohort_engine::log::BATCH as u64 + 500, "{size}");
    assert_eq!(checkpoint(&app, &verifier).await.0, size);
    assert_eq!(
        backlog.expect("size"),
        0,
        "nothing was logged before the turn"
    );
    // Intake writing all the time: the turn still ends.
    let (stop, written) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicUsize::new(0)),
    );
    let writer = {
        let (store, stop, written) = (app.store.clone(), stop.clone(), written.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                append_events(store.as_ref(), 1).await;
                written.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    while written.load(Ordering::Relaxed) < 20 {
        tokio::task::yield_now().await;
    }
    let before = size + written.load(Ordering::Relaxed) as u64;
    let turn = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        app.engine.sequence_log_all(&signer),
    )
    .await;
    let during = written.load(Ordering::Relaxed);
    stop.store(true, Ordering::Relaxed);
    writer.await.expect("writer");
    let after = turn
        .expect("the turn ended while intake kept writing")
        .expect("turn");
    assert!(
        (before..=size + during as u64).contains(&after),
        "the turn logged what was there when it began: {after} not in {before}..={}",
        size + during as u64
    );
    // Once intake stops, the next turn catches up.
    let total = size + written.load(Ordering::Relaxed) as u64;
    assert_eq!(
        app.engine.sequence_log_all(&signer).await.expect("turn"),
        total
    );
}

/// Only PostgreSQL draws an event's seq when it is inserted and shows it
/// when its transaction commits, so only there can an event appear below
/// one already logged. The sequencer looks below the last logged event
/// event by event only when a count says something is missing there: this
/// late event must still be logged, at the next index.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_an_event_committed_after_a_later_one_is_logged_late() {
    let Some(app) = TestApp::postgres().await else {
        return;
    };
    let (signer, verifier) = signer();
    seed(&app, "signers >= 2").await;
    app.engine.sequence_log_all(&signer).await.expect("turn");
    let mut slow = app.store.write().await.expect("begin");
    let late = append_one(slow.as_mut()).await;
    append_events(app.store.as_ref(), 1).await;
    let before = app.engine.sequence_log_all(&signer).await.expect("turn");
    let mut tx = app.store.read().await.expect("read");
    assert!(tx.log_last_event().await.expect("last") > late);
    drop(tx);
    slow.commit().await.expect("commit");
    let after = app.engine.sequence_log_all(&signer).await.expect("turn");
    assert_eq!(after, before + 1);
    assert_eq!(checkpoint(&app, &verifier).await.0, after);
    let mut tx = app.store.read().await.expect("read");
    let leaf = tx
        .log_leaf_of_event(late)
        .await
        .expect("read")
        .expect("the late event is logged");
    assert_eq!(leaf.idx as u64, before, "at the next index");
}
