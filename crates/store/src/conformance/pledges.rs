//! Conformance of pledges: round trip, idempotency keys, status moves, pots, pledgers, events and tokens.

use super::*;

pub async fn pledges_round_trip_and_idempotency_keys_are_unique(store: &dyn Store) {
    let s = slate(store, "epsilon").await;
    let mut tx = store.write().await.expect("begin");
    let cond = tx.condition_id(s.id, &s.condition).await.expect("cond");
    let mut p = money(s.id, cond, "a@x.org", 2500, "2028-01-01", Some("k1"));
    p.candidates = Some(vec![3, 5]);
    p.ref_code = Some("union-local-1".into());
    let id = tx.insert_pledge(&p).await.expect("insert");
    let row = tx.pledge(id).await.expect("get").expect("found");
    assert_eq!(row.kind, p.kind);
    assert_eq!(row.candidates, Some(vec![3, 5]));
    assert_eq!(row.status, PledgeStatus::Pending);
    assert_eq!(row.condition, s.condition);
    assert_eq!(row.donor, p.donor);
    assert_eq!(row.deadline, p.deadline);
    assert_eq!(row.created_at, p.created_at);
    assert_eq!(
        tx.pledge_by_idempotency_key("k1")
            .await
            .expect("by key")
            .map(|r| r.id),
        Some(id)
    );
    // Many keys at once: only held keys come back, with their pledge and hash;
    // more keys than one statement takes are looked up in several.
    let mut keys: Vec<String> = (0..2_500).map(|i| format!("absent-{i}")).collect();
    keys.insert(1_234, "k1".into());
    assert_eq!(
        tx.pledges_by_idempotency_keys(&keys)
            .await
            .expect("by keys"),
        vec![("k1".to_string(), id, p.request_hash.clone())]
    );
    assert!(tx
        .pledges_by_idempotency_keys(&[])
        .await
        .expect("no keys")
        .is_empty());
    assert_eq!(
        tx.waiting(s.id).await.expect("waiting"),
        vec![WaitingRow {
            chosen: Some(vec![3, 5]),
            cents: Cents(2500),
            hours_per_week: 0,
            pledges: 1
        }]
    );
    assert!(tx
        .set_status(id, PledgeStatus::Pending, PledgeStatus::Cancelled)
        .await
        .expect("cancel"));
    assert!(
        tx.waiting(s.id).await.expect("waiting").is_empty(),
        "a cancelled pledge no longer waits"
    );
    assert!(tx
        .set_status(id, PledgeStatus::Cancelled, PledgeStatus::Pending)
        .await
        .expect("back"));
    let hours = NewPledge {
        kind: PledgeKind::Hours {
            hours_per_week: 5,
            weeks: 8,
            skills: vec!["web".into()],
        },
        idempotency_key: None,
        ..p.clone()
    };
    let hid = tx.insert_pledge(&hours).await.expect("hours");
    assert_eq!(
        tx.pledge(hid).await.expect("get").expect("found").kind,
        hours.kind
    );
    tx.commit().await.expect("commit");
    let mut tx = store.write().await.expect("begin");
    let again = tx.insert_pledge(&p).await;
    assert!(
        matches!(again, Err(StoreError::Conflict { .. })),
        "a reused idempotency key must conflict: {again:?}"
    );
}

pub async fn status_moves_only_from_the_expected_status(store: &dyn Store) {
    let s = slate(store, "zeta").await;
    let mut tx = store.write().await.expect("begin");
    let cond = tx.condition_id(s.id, &s.condition).await.expect("cond");
    let id = tx
        .insert_pledge(&money(s.id, cond, "a@x.org", 100, "2028-01-01", None))
        .await
        .expect("insert");
    assert!(tx
        .set_status(id, PledgeStatus::Pending, PledgeStatus::Cancelled)
        .await
        .expect("cancel"));
    assert!(
        !tx.set_status(id, PledgeStatus::Pending, PledgeStatus::Unlocked)
            .await
            .expect("unlock"),
        "not pending any more"
    );
    assert_eq!(
        tx.pledge(id).await.expect("get").map(|p| p.status),
        Some(PledgeStatus::Cancelled)
    );
    tx.commit().await.expect("commit");
}
pub async fn pots_pledgers_events_and_tokens(store: &dyn Store) {
    let s = slate(store, "iota").await;
    let mut tx = store.write().await.expect("begin");
    tx.add_to_pot(
        s.id,
        &PotDelta {
            pending_cents: 700,
            hours_per_week_pending: 5,
            pledgers: 1,
            ..PotDelta::default()
        },
    )
    .await
    .expect("pot");
    tx.add_to_pot(
        s.id,
        &PotDelta {
            pending_cents: -200,
            unlocked_cents: 200,
            unlogged_unlocks: 2,
            ..PotDelta::default()
        },
    )
    .await
    .expect("pot");
    assert_eq!(
        tx.pot(s.id).await.expect("pot"),
        Pot {
            pending_cents: 500,
            unlocked_cents: 200,
            pledgers: 1,
            hours_per_week_pending: 5,
            hours_per_week_unlocked: 0,
            logged_unlocked_cents: 0,
            logged_seq: None,
            unlogged_unlocks: 2,
        }
    );
    // The log published the total: it is remembered, the count starts over.
    tx.pot_logged(s.id, 200, 41).await.expect("pot logged");
    let pot = tx
        .add_to_pot(
            s.id,
            &PotDelta {
                unlocked_cents: 50,
                unlogged_unlocks: 1,
                ..PotDelta::default()
            },
        )
        .await
        .expect("pot");
    assert_eq!(
        (
            pot.unlocked_cents,
            pot.logged_unlocked_cents,
            pot.logged_seq,
            pot.unlogged_unlocks
        ),
        (250, 200, Some(41), 1),
        "{pot:?}"
    );
    let who = email("a@x.org");
    assert_eq!(tx.adjust_pledger(s.id, &who, 1).await.expect("adj"), 1);
    assert_eq!(tx.adjust_pledger(s.id, &who, 2).await.expect("adj"), 3);
    assert_eq!(tx.adjust_pledger(s.id, &who, -3).await.expect("adj"), 0);
    let e1 = tx
        .append_event(s.id, SlateEventKind::Signed, "{\"a\":1}", at(3))
        .await
        .expect("event");
    let e2 = tx
        .append_event(s.id, SlateEventKind::Endorsed, "{}", at(4))
        .await
        .expect("event");
    assert!(e2 > e1, "the log is ordered");
    let events = tx.events(s.id, e1, 10).await.expect("events");
    assert_eq!(
        events.iter().map(|e| e.kind).collect::<Vec<_>>(),
        vec![SlateEventKind::Endorsed]
    );
    let token = TokenRow {
        role: Role::Organizer,
        slate_id: None,
        candidate_id: None,
    };
    tx.insert_token("hash1", &token, at(1))
        .await
        .expect("token");
    assert_eq!(tx.token("hash1").await.expect("token"), Some(token));
    assert_eq!(tx.token("nope").await.expect("token"), None);
    tx.commit().await.expect("commit");
}
