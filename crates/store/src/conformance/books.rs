//! Conformance of the books methods (issue 6): ledger events under unique
//! keys, settings, once-marks, and what a donor has been charged.

use super::*;

pub async fn books_events_settings_marks_and_collected_totals(store: &dyn Store) {
    let s = slate(store, "books").await;
    let mut tx = store.write().await.expect("begin");
    tx.lock_books().await.expect("lock");
    assert!(tx.book_events().await.expect("events").is_empty());
    assert!(tx
        .append_book_event("receive:P1-0", r#"{"event":"receive"}"#, at(10))
        .await
        .expect("append"));
    assert!(
        !tx.append_book_event("receive:P1-0", r#"{"event":"other"}"#, at(11))
            .await
            .expect("again"),
        "a key is booked once"
    );
    assert!(tx
        .append_book_event("clear:P1-0", r#"{"event":"clear"}"#, at(10))
        .await
        .expect("append"));
    let events = tx.book_events().await.expect("events");
    assert_eq!(
        events
            .iter()
            .map(|e| (e.key.as_str(), e.body.as_str()))
            .collect::<Vec<_>>(),
        [
            ("receive:P1-0", r#"{"event":"receive"}"#),
            ("clear:P1-0", r#"{"event":"clear"}"#)
        ],
        "in the order appended, the first body kept"
    );
    assert!(events[0].seq < events[1].seq);
    assert_eq!(events[0].recorded_at, at(10));
    assert!(tx.has_book_event("clear:P1-0").await.expect("has"));
    assert!(!tx.has_book_event("clear:P2-0").await.expect("has"));

    assert_eq!(tx.setting("conduit").await.expect("get"), None);
    tx.set_setting("conduit", "one", at(1)).await.expect("set");
    tx.set_setting("conduit", "two", at(2)).await.expect("set");
    assert_eq!(
        tx.setting("conduit").await.expect("get").as_deref(),
        Some("two")
    );

    assert!(tx.mark_once("best-efforts:a", at(3)).await.expect("mark"));
    assert!(!tx.mark_once("best-efforts:a", at(4)).await.expect("again"));
    assert!(tx.mark_once("best-efforts:b", at(4)).await.expect("other"));

    // Only succeeded installments count as collected.
    let a = candidate(tx.as_mut(), s.id, "ann", "NY").await;
    let b = candidate(tx.as_mut(), s.id, "bea", "OH").await;
    let cond = tx.condition_id(s.id, &s.condition).await.expect("cond");
    let donor = "pat@x.org";
    let p1 = tx
        .insert_pledge(&money(s.id, cond, donor, 1000, "2028-01-01", None))
        .await
        .expect("p1");
    let p2 = tx
        .insert_pledge(&money(s.id, cond, donor, 500, "2028-01-01", None))
        .await
        .expect("p2");
    let share = |candidate_id: Id, cents: i64| AllocationShare {
        candidate_id,
        election: Election::Primary,
        cents: Cents(cents),
    };
    let inst = |pledge_id: Id, amount: i64, allocations: Vec<AllocationShare>| Installment {
        pledge_id,
        period: 0,
        amount: Cents(amount),
        unallocated: Cents(0),
        allocations,
    };
    tx.record_unlocks(
        &[p1, p2],
        &[
            inst(p1, 1000, vec![share(a.id, 500), share(b.id, 500)]),
            inst(p2, 500, vec![share(a.id, 500)]),
        ],
        at(10),
    )
    .await
    .expect("unlock");
    let paid = |pledge_id: Id, amount: i64, state: PaymentState| PaymentRow {
        pledge_id,
        period: 0,
        amount: Cents(amount),
        state,
        intent_id: None,
        detail: String::new(),
        action_secret: None,
        attempts: 1,
        failed_at: None,
        reminded_at: None,
        updated_at: at(11),
    };
    tx.upsert_payment(&paid(p1, 1000, PaymentState::Succeeded))
        .await
        .expect("paid");
    tx.upsert_payment(&paid(p2, 500, PaymentState::Declined))
        .await
        .expect("declined");
    assert_eq!(
        tx.collected_from(&email(donor)).await.expect("collected"),
        [(a.id, Cents(500)), (b.id, Cents(500))]
    );
    assert_eq!(
        tx.succeeded_payments().await.expect("succeeded"),
        [(p1, 0, Cents(1000))]
    );
    tx.upsert_payment(&paid(p2, 500, PaymentState::Succeeded))
        .await
        .expect("paid");
    assert_eq!(
        tx.collected_from(&email(donor)).await.expect("collected"),
        [(a.id, Cents(1000)), (b.id, Cents(500))]
    );
    assert!(tx
        .collected_from(&email("nobody@x.org"))
        .await
        .expect("none")
        .is_empty());

    // Donor details can be completed later.
    let mut row = tx.pledge(p1).await.expect("get").expect("found");
    row.donor.employer = "Mill".into();
    row.donor.occupation = "Miller".into();
    assert!(tx.set_pledge_donor(p1, &row.donor).await.expect("set"));
    assert!(!tx
        .set_pledge_donor(9_999_999, &row.donor)
        .await
        .expect("none"));
    let again = tx.pledge(p1).await.expect("get").expect("found");
    assert_eq!(again.donor, row.donor);
    tx.commit().await.expect("commit");

    // Committed, and seen by a new transaction.
    let mut tx = store.read().await.expect("begin");
    assert_eq!(tx.book_events().await.expect("events").len(), 2);
}
