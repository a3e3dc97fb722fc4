//! Conformance of the transparency log's rows: unsequenced events (with
//! their slugs, skipping those logged), leaves and hashes by range and node,
//! checkpoints by size, and one leaf per event.

use super::*;

pub async fn log_leaves_hashes_and_checkpoints_round_trip(store: &dyn Store) {
    let s = slate(store, "logged").await;
    // Events are written as the app writes them; the log in the log's own
    // transaction, which sees them once committed.
    let mut tx = store.write().await.expect("begin");
    let mut seqs = Vec::new();
    for k in [
        SlateEventKind::Signed,
        SlateEventKind::Endorsed,
        SlateEventKind::Withdrew,
    ] {
        seqs.push(tx.append_event(s.id, k, "{}", at(2)).await.expect("event"));
    }
    tx.commit().await.expect("commit");
    let mut tx = store.write_log().await.expect("begin");
    assert_eq!(tx.log_size().await.expect("size"), 0);
    assert_eq!(tx.log_last_event().await.expect("last"), 0);
    assert_eq!(tx.latest_log_checkpoint().await.expect("cp"), None);
    let todo = tx.log_unsequenced(0, 10).await.expect("unsequenced");
    assert_eq!(todo.iter().map(|e| e.seq).collect::<Vec<_>>(), seqs);
    assert_eq!(todo[0].slug, "logged");
    assert_eq!(todo[1].kind, SlateEventKind::Endorsed);
    assert_eq!(todo[0].at, at(2));
    assert_eq!(tx.log_unsequenced(0, 2).await.expect("limit").len(), 2);

    let leaves: Vec<LogLeafRow> = seqs[..2]
        .iter()
        .enumerate()
        .map(|(i, &seq)| LogLeafRow {
            idx: i as i64,
            event_seq: seq,
            data: format!("leaf {i}"),
            commitment: (i == 1).then(|| "c0ffee".to_owned()),
        })
        .collect();
    let hashes = vec![
        LogHashRow {
            level: 0,
            n: 0,
            hash: vec![1; 32],
        },
        LogHashRow {
            level: 0,
            n: 1,
            hash: vec![2; 32],
        },
        LogHashRow {
            level: 1,
            n: 0,
            hash: vec![3; 32],
        },
    ];
    tx.log_append(&leaves, &hashes).await.expect("append");
    tx.put_log_checkpoint(&LogCheckpointRow {
        size: 2,
        note: "two".into(),
        at: at(3),
    })
    .await
    .expect("checkpoint");
    tx.commit().await.expect("commit");

    // What the log wrote, as readers see it.
    let mut tx = store.read().await.expect("begin");
    assert_eq!(tx.log_size().await.expect("size"), 2);
    assert_eq!(tx.log_last_event().await.expect("last"), seqs[1]);
    let todo = tx.log_unsequenced(0, 10).await.expect("unsequenced");
    assert_eq!(
        todo.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![seqs[2]]
    );
    // Below the last logged event, nothing is missing; up to the third, one.
    for (after, upto, n) in [
        (0, seqs[1], 0),
        (0, seqs[2], 1),
        (seqs[0], seqs[2], 1),
        (seqs[2], seqs[2] + 5, 0),
    ] {
        assert_eq!(
            tx.log_unlogged_count(after, upto).await.expect("count"),
            n,
            "{after}..={upto}"
        );
    }
    assert_eq!(tx.log_leaves(0, 10).await.expect("leaves"), leaves);
    assert_eq!(
        tx.log_leaves(1, 2).await.expect("leaves"),
        leaves[1..].to_vec()
    );
    assert_eq!(
        tx.log_leaf_of_event(seqs[0]).await.expect("of"),
        Some(leaves[0].clone())
    );
    assert_eq!(tx.log_leaf_of_event(seqs[2]).await.expect("of"), None);
    assert_eq!(
        tx.log_leaf_by_commitment("c0ffee").await.expect("by"),
        Some(leaves[1].clone())
    );
    assert_eq!(tx.log_leaf_by_commitment("nope").await.expect("by"), None);
    assert_eq!(
        tx.log_hash_range(0, 0, 256).await.expect("range"),
        hashes[..2].to_vec()
    );
    assert_eq!(
        tx.log_hashes(&[(1, 0), (5, 5), (0, 1)])
            .await
            .expect("nodes"),
        vec![hashes[2].clone(), hashes[1].clone()]
    );
    drop(tx);
    // One leaf per event, one per index.
    let mut tx = store.write_log().await.expect("begin");
    let again = LogLeafRow {
        idx: 2,
        event_seq: seqs[0],
        data: "dup".into(),
        commitment: None,
    };
    assert!(tx.log_append(&[again], &[]).await.is_err());
    drop(tx);

    let mut tx = store.write_log().await.expect("begin");
    tx.put_log_checkpoint(&LogCheckpointRow {
        size: 3,
        note: "three".into(),
        at: at(4),
    })
    .await
    .expect("checkpoint");
    let c = tx.latest_log_checkpoint().await.expect("cp").expect("some");
    assert_eq!((c.size, c.note.as_str(), c.at), (3, "three", at(4)));
    tx.commit().await.expect("commit");
}

/// The log's sequencing transaction neither waits for a write transaction
/// nor holds one up: on SQLite, whose one writer per file intake keeps busy,
/// the log has a file and a writer of its own. (Before, this waited for the
/// writer and failed when the pool gave up.)
pub async fn the_log_is_written_while_a_write_transaction_is_open(store: &dyn Store) {
    let s = slate(store, "busy").await;
    let mut tx = store.write().await.expect("begin");
    let seq = tx
        .append_event(s.id, SlateEventKind::Signed, "{}", at(2))
        .await
        .expect("event");
    tx.commit().await.expect("commit");
    let mut intake = store.write().await.expect("begin");
    intake
        .append_event(s.id, SlateEventKind::Endorsed, "{}", at(3))
        .await
        .expect("event");
    let mut log = store.write_log().await.expect("the log's own transaction");
    let todo = log.log_unsequenced(0, 10).await.expect("unsequenced");
    // The open transaction's event is not visible to the log yet.
    assert_eq!(todo.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![seq]);
    let leaf = LogLeafRow {
        idx: 0,
        event_seq: seq,
        data: "leaf".into(),
        commitment: None,
    };
    let hash = LogHashRow {
        level: 0,
        n: 0,
        hash: vec![9; 32],
    };
    log.log_append(std::slice::from_ref(&leaf), std::slice::from_ref(&hash))
        .await
        .expect("append");
    log.commit().await.expect("commit the log");
    intake.commit().await.expect("commit intake");
    let mut tx = store.read().await.expect("read");
    assert_eq!(tx.log_leaves(0, 5).await.expect("leaves"), vec![leaf]);
    assert_eq!(
        tx.log_unsequenced(0, 10).await.expect("unsequenced").len(),
        1
    );
}
