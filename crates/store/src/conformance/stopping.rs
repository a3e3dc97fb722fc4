//! Conformance of stopping a monthly pledge (`unlocked → stopped`).

use super::payments::{charging, setup};
use super::*;

/// A monthly pledge of 1000 a month split entirely to `candidate`.
fn month(pledge_id: Id, period: i32, candidate: Id) -> Installment {
    Installment {
        pledge_id,
        period,
        amount: Cents(1000),
        unallocated: Cents(0),
        allocations: vec![AllocationShare {
            candidate_id: candidate,
            election: Election::Primary,
            cents: Cents(1000),
        }],
    }
}

pub async fn a_stopped_monthly_pledge_keeps_its_past_and_gets_no_new_month(store: &dyn Store) {
    let s = slate(store, "stop").await;
    let mut tx = store.write().await.expect("begin");
    let a = candidate(tx.as_mut(), s.id, "ann", "NY").await;
    let cond = tx.condition_id(s.id, &s.condition).await.expect("cond");
    let monthly = |who: &str| {
        let mut p = money(s.id, cond, who, 1000, "2028-01-01", None);
        p.kind = PledgeKind::Money {
            amount: Cents(1000),
            recurring: Recurrence::Monthly,
        };
        p
    };
    let m = tx.insert_pledge(&monthly("a@x.org")).await.expect("m");
    let still = tx.insert_pledge(&monthly("b@x.org")).await.expect("still");
    let waiting = tx
        .insert_pledge(&monthly("c@x.org"))
        .await
        .expect("waiting");
    let once = tx
        .insert_pledge(&money(s.id, cond, "d@x.org", 500, "2028-01-01", None))
        .await
        .expect("once");
    let once_split = Installment {
        amount: Cents(500),
        allocations: vec![AllocationShare {
            cents: Cents(500),
            ..month(once, 0, a.id).allocations[0].clone()
        }],
        ..month(once, 0, a.id)
    };
    tx.record_unlocks(
        &[m, still, once],
        &[month(m, 0, a.id), month(still, 0, a.id), once_split],
        at(1),
    )
    .await
    .expect("unlock");
    tx.record_installments(&[month(m, 1, a.id), month(still, 1, a.id)], at(5))
        .await
        .expect("month 1");
    // The pot as the engine keeps it: two monthly and one one-time pledge
    // unlocked, one monthly pending.
    tx.add_to_pot(
        s.id,
        &PotDelta {
            pending_cents: 1000,
            unlocked_cents: 2500,
            pledgers: 4,
            ..PotDelta::default()
        },
    )
    .await
    .expect("pot");
    for who in ["a@x.org", "b@x.org", "c@x.org", "d@x.org"] {
        tx.adjust_pledger(s.id, &email(who), 1)
            .await
            .expect("pledger");
    }
    // Month 0 is paid; month 1 was split before the stop and is still owed.
    tx.insert_payment_setup(&setup(m, "m"))
        .await
        .expect("setup");
    let mut paid = charging(m, 1000);
    paid.state = PaymentState::Succeeded;
    tx.upsert_payment(&paid).await.expect("paid");
    let past = tx.installments(m).await.expect("installments");

    assert!(
        !tx.stop_monthly(once, at(6)).await.expect("stop once"),
        "a one-time pledge does not stop"
    );
    assert!(
        !tx.stop_monthly(waiting, at(6)).await.expect("stop pending"),
        "a pending pledge is cancelled, not stopped"
    );
    assert!(tx.stop_monthly(m, at(6)).await.expect("stop"));
    assert!(
        !tx.stop_monthly(m, at(7)).await.expect("again"),
        "stopping twice stops once"
    );
    let row = tx.pledge(m).await.expect("get").expect("found");
    assert_eq!(
        (row.status, row.stopped_at),
        (PledgeStatus::Stopped, Some(at(6))),
        "the first stop's time is kept"
    );
    assert_eq!(
        tx.pledge(once)
            .await
            .expect("get")
            .expect("found")
            .stopped_at,
        None
    );
    // Same as the engine does on a stop: out of the pot.
    tx.add_to_pot(
        s.id,
        &PotDelta {
            unlocked_cents: -1000,
            pledgers: -1,
            ..PotDelta::default()
        },
    )
    .await
    .expect("pot");
    assert_eq!(
        tx.adjust_pledger(s.id, &email("a@x.org"), -1)
            .await
            .expect("pledger"),
        0
    );

    let monthly: Vec<Id> = tx
        .monthly_pledges(s.id)
        .await
        .expect("monthly")
        .iter()
        .map(|p| p.pledge.id)
        .collect();
    assert_eq!(monthly, vec![still], "no new month for the stopped pledge");
    assert_eq!(
        tx.installments(m).await.expect("installments"),
        past,
        "the months already split stay as they were"
    );
    let given: i64 = tx
        .given(s.id)
        .await
        .expect("given")
        .iter()
        .filter(|g| g.email == email("a@x.org"))
        .map(|g| g.cents.get())
        .sum();
    assert_eq!(given, 2000, "what was given still counts toward the limits");
    let due: Vec<(Id, i32)> = tx
        .due_payments(10)
        .await
        .expect("due")
        .iter()
        .map(|d| (d.pledge_id, d.period))
        .collect();
    assert_eq!(
        due,
        vec![(m, 1)],
        "the month split before the stop is still owed; nothing later"
    );
    tx.commit().await.expect("commit");

    let mut tx = store.read().await.expect("read");
    let v = tx.check_invariants().await.expect("check");
    assert!(v.is_empty(), "a stop keeps every invariant: {v:?}");
    drop(tx);

    // A month split after the stop is a violation `verify` names.
    let mut tx = store.write().await.expect("begin");
    tx.record_installments(&[month(m, 2, a.id)], at(8))
        .await
        .expect("planted");
    tx.commit().await.expect("commit");
    let mut tx = store.read().await.expect("read");
    let v = tx.check_invariants().await.expect("check");
    assert_eq!(
        v.iter().map(|v| v.rule).collect::<Vec<_>>(),
        vec!["stopped pledges stop"],
        "{v:?}"
    );
    assert!(
        v[0].detail
            .contains(&format!("pledge {m} was stopped but split installment 2")),
        "{}",
        v[0].detail
    );
}
