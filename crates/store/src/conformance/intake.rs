//! Conformance of what pledge intake leans on: a slate's version (what lets
//! the engine keep a slate's state between transactions) and
//! [`PledgesTx::record_intake`] (a batch's events, pledgers, receipts and pot in
//! one write).

use super::*;

async fn version(store: &dyn Store, slug: &str) -> i64 {
    let mut tx = store.write().await.expect("begin");
    let (_, v) = tx
        .lock_slate_by_slug(slug)
        .await
        .expect("lock")
        .expect("slate exists");
    v
}

pub async fn a_slate_version_moves_with_everything_conditions_read(store: &dyn Store) {
    let s = slate(store, "ver").await;
    {
        let mut tx = store.write().await.expect("begin");
        assert_eq!(tx.lock_slate_by_slug("nope").await.expect("lock"), None);
        let (id, _) = tx
            .lock_slate_by_slug("ver")
            .await
            .expect("lock")
            .expect("found");
        assert_eq!(id, s.id);
    }
    let mut seen = vec![version(store, "ver").await];
    // Each change, committed on its own, must move the version.
    macro_rules! moves {
        ($what:literal, |$tx:ident| $body:expr) => {{
            let mut $tx = store.write().await.expect("begin");
            $body;
            $tx.commit().await.expect("commit");
            let v = version(store, "ver").await;
            assert!(
                !seen.contains(&v),
                "{} left the slate's version at {v} (seen {seen:?})",
                $what
            );
            seen.push(v);
        }};
    }
    let (a, b) = {
        let mut tx = store.write().await.expect("begin");
        let a = candidate(tx.as_mut(), s.id, "ann", "NY").await;
        let b = candidate(tx.as_mut(), s.id, "bo", "PA").await;
        tx.commit().await.expect("commit");
        (a, b)
    };
    let v = version(store, "ver").await;
    assert!(!seen.contains(&v), "adding candidates left the version");
    seen.push(v);
    let sig = |id| SignatureRow {
        candidate_id: id,
        version: 1,
        signed_at: at(3),
    };
    moves!("a signature", |tx| tx
        .upsert_signature(s.id, &sig(a.id))
        .await
        .expect("sign"));
    moves!("a re-signature", |tx| tx
        .upsert_signature(s.id, &sig(a.id))
        .await
        .expect("sign"));
    moves!("a withdrawal", |tx| tx
        .delete_signature(s.id, a.id)
        .await
        .expect("withdraw"));
    let e = EndorsementRow {
        from_id: a.id,
        to_id: b.id,
        at: at(3),
    };
    moves!("an endorsement", |tx| tx
        .insert_endorsement(s.id, &e)
        .await
        .expect("endorse"));
    moves!("a withdrawn endorsement", |tx| tx
        .delete_endorsement(s.id, a.id, b.id)
        .await
        .expect("unendorse"));
    moves!("a new condition", |tx| tx
        .condition_id(s.id, &Condition::parse("pledged >= $5").expect("condition"))
        .await
        .expect("condition"));
    moves!("a primary loss", |tx| tx
        .record_primary_loss(s.id, b.id, date("2028-06-27"), at(4))
        .await
        .expect("loss"));
    moves!("new limits", |tx| tx
        .update_limits(s.id, &LimitTable::new())
        .await
        .expect("limits"));
    moves!("a renamed slate", |tx| tx
        .update_slate(s.id, "Renamed", "d", &s.condition)
        .await
        .expect("rename"));
    // Pledges and the pot are not part of it: intake must not invalidate itself.
    let mut tx = store.write().await.expect("begin");
    let cond = tx.condition_id(s.id, &s.condition).await.expect("cond");
    tx.commit().await.expect("commit");
    let before = version(store, "ver").await;
    let mut tx = store.write().await.expect("begin");
    tx.insert_pledge(&money(s.id, cond, "p@x.org", 500, "2028-01-01", None))
        .await
        .expect("pledge");
    counted_in_pot(tx.as_mut(), s.id, "p@x.org", 500).await;
    tx.commit().await.expect("commit");
    assert_eq!(
        version(store, "ver").await,
        before,
        "a pledge moved the version"
    );
    // An uncommitted change leaves the committed version as it was.
    let mut tx = store.write().await.expect("begin");
    tx.upsert_signature(s.id, &sig(b.id)).await.expect("sign");
    drop(tx);
    assert_eq!(
        version(store, "ver").await,
        before,
        "a rolled-back signature"
    );
}

fn receipt(to: &str) -> (NewEmail, String) {
    (
        NewEmail {
            to: email(to),
            subject: "Your pledge".into(),
            body: format!("Hello {to}, it's saved — \"locked\"."),
            transactional: true,
            held: false,
            attachment: None,
        },
        format!("unsub-{to}"),
    )
}

/// `n` pledges by `donors` distinct donors through `record_intake`, after one
/// earlier pledge by `donor0@x.org`; checks every row it writes.
async fn intake_of(store: &dyn Store, slug: &str, n: usize, donors: usize) {
    let s = slate(store, slug).await;
    let mut tx = store.write().await.expect("begin");
    counted_in_pot(tx.as_mut(), s.id, "donor0@x.org", 100).await;
    let events: Vec<String> = (0..n).map(|i| format!("{{\"pledge\":{i}}}")).collect();
    let mut counts = vec![0i64; donors];
    for i in 0..n {
        counts[i % donors] += 1;
    }
    let who: Vec<(Email, i64)> = counts
        .iter()
        .enumerate()
        .map(|(d, &c)| (email(&format!("donor{d}@x.org")), c))
        .collect();
    let emails: Vec<(NewEmail, String)> = (0..n)
        .map(|i| receipt(&format!("r{i}-{slug}@x.org")))
        .collect();
    let (_, version) = tx
        .lock_slate_by_slug(slug)
        .await
        .expect("lock")
        .expect("the slate");
    let recorded = tx
        .record_intake(&IntakeWrites {
            slate_id: s.id,
            pledges: &[],
            events: &events,
            donors: &who,
            emails: &emails,
            delta: PotDelta {
                pending_cents: 250 * n as i64,
                hours_per_week_pending: 3,
                ..PotDelta::default()
            },
            at: at(5),
            reserve: 0,
        })
        .await
        .expect("record intake");
    assert_eq!(recorded.slate_version, version, "the slate's version");
    let pot = recorded.pot;
    tx.commit().await.expect("commit");
    // donor0 pledged before: only the others are new to the pot.
    let expected = Pot {
        pending_cents: 100 + 250 * n as i64,
        unlocked_cents: 0,
        pledgers: donors as i64,
        hours_per_week_pending: 3,
        hours_per_week_unlocked: 0,
        ..Pot::default()
    };
    assert_eq!(pot, expected, "the pot returned ({n} pledges)");
    let mut tx = store.read().await.expect("read");
    assert_eq!(tx.pot(s.id).await.expect("pot"), expected, "the pot stored");
    let logged = tx.events(s.id, 0, 10_000).await.expect("events");
    assert_eq!(
        logged.iter().map(|e| e.payload.clone()).collect::<Vec<_>>(),
        events,
        "events in order"
    );
    assert!(logged.iter().all(|e| e.kind == SlateEventKind::Pledged));
    for (i, (e, _)) in emails.iter().enumerate().step_by(37) {
        let got = tx.emails_to(&e.to).await.expect("emails");
        assert_eq!(got.len(), 1, "receipt {i}");
        assert_eq!(got[0].email, *e, "receipt {i} round-trips");
    }
    assert_eq!(
        tx.unsubscribe_address(&format!("unsub-r{}-{slug}@x.org", n - 1))
            .await
            .expect("address"),
        Some(email(&format!("r{}-{slug}@x.org", n - 1)))
    );
    drop(tx);
    // Each donor's live count is what they gained (donor0: one more).
    let mut tx = store.write().await.expect("begin");
    for (d, &c) in counts.iter().enumerate() {
        let earlier = i64::from(d == 0);
        assert_eq!(
            tx.adjust_pledger(s.id, &email(&format!("donor{d}@x.org")), 0)
                .await
                .expect("count"),
            c + earlier,
            "donor{d}"
        );
    }
}

pub async fn record_intake_writes_one_pledge_and_its_receipt(store: &dyn Store) {
    intake_of(store, "one", 1, 1).await;
    intake_of(store, "two", 2, 2).await;
}

pub async fn record_intake_writes_a_large_batch(store: &dyn Store) {
    // More than fit in one trip on SQLite: the batch goes statement by statement.
    intake_of(store, "many", 300, 120).await;
}

/// Ids `record_intake` reserves are ids no pledge has and nothing else hands
/// out, and pledges given them in a later `record_intake` are stored as
/// `insert_pledge` would store them: row, donor index, `waiting` total.
pub async fn record_intake_inserts_pledges_under_reserved_ids(store: &dyn Store) {
    let s = slate(store, "reserved").await;
    let cond = {
        let mut tx = store.write().await.expect("begin");
        let cond = tx.condition_id(s.id, &s.condition).await.expect("cond");
        tx.commit().await.expect("commit");
        cond
    };
    let nothing = |reserve| IntakeWrites {
        slate_id: s.id,
        pledges: &[],
        events: &[],
        donors: &[],
        emails: &[],
        delta: PotDelta::default(),
        at: at(5),
        reserve,
    };
    let mut tx = store.write().await.expect("begin");
    let reserved = tx
        .record_intake(&nothing(3))
        .await
        .expect("reserve")
        .reserved;
    let plain = tx
        .insert_pledge(&money(s.id, cond, "plain@x.org", 100, "2028-01-01", None))
        .await
        .expect("a pledge with its own id");
    counted_in_pot(tx.as_mut(), s.id, "plain@x.org", 100).await;
    tx.commit().await.expect("commit");
    if reserved.is_empty() {
        // A store that reserves none (SQLite) gives ids per transaction:
        // `record_intake_inserts_pledges_under_new_ids`.
        return;
    }
    let mut distinct = reserved.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 3, "three distinct ids: {reserved:?}");
    assert!(!reserved.contains(&plain), "{plain} was handed out again");
    let mut chosen = money(s.id, cond, "bo@x.org", 0, "2028-02-01", Some("key-1"));
    chosen.kind = PledgeKind::Hours {
        hours_per_week: 4,
        weeks: 6,
        skills: vec!["canvassing".into()],
    };
    chosen.candidates = Some(vec![plain]);
    let pledges = [
        (
            reserved[0],
            money(s.id, cond, "ana@x.org", 700, "2028-01-01", None),
        ),
        (reserved[2], chosen),
    ];
    let mut tx = store.write().await.expect("begin");
    let recorded = tx
        .record_intake(&IntakeWrites {
            pledges: &pledges,
            donors: &[(email("ana@x.org"), 1), (email("bo@x.org"), 1)],
            delta: PotDelta {
                pending_cents: 700,
                hours_per_week_pending: 4,
                ..PotDelta::default()
            },
            ..nothing(0)
        })
        .await
        .expect("pledges under reserved ids");
    assert!(recorded.reserved.is_empty(), "none asked for");
    tx.commit().await.expect("commit");
    let mut tx = store.read().await.expect("read");
    stored_as_given(tx.as_mut(), &pledges, "key-1").await;
    // The `waiting` totals (per chosen list) agree with the pending pledges.
    assert_eq!(tx.check_invariants().await.expect("check"), Vec::new());
}

/// Ids `new_pledge_ids` gives are ids no pledge has; pledges given them in
/// the same transaction's `record_intake` are stored as `insert_pledge`
/// would store them, and a pledge inserted after that commit gets an id of
/// its own.
pub async fn record_intake_inserts_pledges_under_new_ids(store: &dyn Store) {
    let s = slate(store, "new-ids").await;
    let mut tx = store.write().await.expect("begin");
    let cond = tx.condition_id(s.id, &s.condition).await.expect("cond");
    let before = tx
        .insert_pledge(&money(s.id, cond, "first@x.org", 100, "2028-01-01", None))
        .await
        .expect("a pledge with its own id");
    counted_in_pot(tx.as_mut(), s.id, "first@x.org", 100).await;
    let ids = tx.new_pledge_ids(3).await.expect("ids");
    let mut distinct = ids.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 3, "three distinct ids: {ids:?}");
    assert!(!ids.contains(&before), "{before} was handed out again");
    let mut keyed = money(s.id, cond, "bo@x.org", 300, "2028-02-01", Some("new-key-1"));
    keyed.candidates = Some(vec![before]);
    let pledges = [
        (
            ids[0],
            money(s.id, cond, "ana@x.org", 700, "2028-01-01", None),
        ),
        (ids[2], keyed),
    ];
    tx.record_intake(&IntakeWrites {
        slate_id: s.id,
        pledges: &pledges,
        events: &[],
        donors: &[(email("ana@x.org"), 1), (email("bo@x.org"), 1)],
        emails: &[],
        delta: PotDelta {
            pending_cents: 1000,
            ..PotDelta::default()
        },
        at: at(5),
        reserve: 0,
    })
    .await
    .expect("pledges under new ids");
    tx.commit().await.expect("commit");
    let mut tx = store.write().await.expect("begin");
    let after = tx
        .insert_pledge(&money(s.id, cond, "last@x.org", 100, "2028-01-01", None))
        .await
        .expect("a pledge after them");
    counted_in_pot(tx.as_mut(), s.id, "last@x.org", 100).await;
    assert!(!ids.contains(&after), "{after} collides with a given id");
    tx.commit().await.expect("commit");
    let mut tx = store.read().await.expect("read");
    stored_as_given(tx.as_mut(), &pledges, "new-key-1").await;
    assert_eq!(tx.pot(s.id).await.expect("pot").pending_cents, 1200);
    assert_eq!(tx.check_invariants().await.expect("check"), Vec::new());
}

/// Each pledge stored under its given id as given, pending, found by its
/// donor's email, and the last one's key finds it.
async fn stored_as_given(tx: &mut dyn Tx, pledges: &[(Id, NewPledge)], key: &str) {
    for (id, p) in pledges {
        let row = tx.pledge(*id).await.expect("read").expect("stored");
        assert_eq!(
            (
                &row.kind,
                &row.email,
                &row.candidates,
                row.deadline,
                &row.idempotency_key,
                row.slate_id
            ),
            (
                &p.kind,
                &p.email,
                &p.candidates,
                p.deadline,
                &p.idempotency_key,
                p.slate_id
            ),
            "pledge {id}"
        );
        assert_eq!(row.status, PledgeStatus::Pending);
        let mine = tx.pledges_by_email(&p.email).await.expect("by email");
        assert_eq!(mine.iter().map(|r| r.id).collect::<Vec<_>>(), vec![*id]);
    }
    let last = pledges.last().map(|(id, _)| *id);
    assert_eq!(
        tx.pledge_by_idempotency_key(key)
            .await
            .expect("key")
            .map(|r| r.id),
        last
    );
}
