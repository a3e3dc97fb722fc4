//! Conformance of `check_invariants`: a planted violation is named, a clean database has none.

use super::*;

pub async fn check_invariants_names_a_planted_violation(store: &dyn Store) {
    let s = slate(store, "kappa").await;
    let mut tx = store.write().await.expect("begin");
    let a = candidate(tx.as_mut(), s.id, "ann", "NY").await;
    let cond = tx.condition_id(s.id, &s.condition).await.expect("cond");
    let id = tx
        .insert_pledge(&money(s.id, cond, "a@x.org", 1000, "2028-01-01", None))
        .await
        .expect("insert");
    tx.add_to_pot(
        s.id,
        &PotDelta {
            pledgers: 1,
            unlocked_cents: 1000,
            ..PotDelta::default()
        },
    )
    .await
    .expect("pot");
    tx.adjust_pledger(s.id, &email("a@x.org"), 1)
        .await
        .expect("pledger");
    // 600 + 300 unallocated is not 1000: a store must keep it, verify must catch it.
    let bad = Installment {
        pledge_id: id,
        period: 0,
        amount: Cents(1000),
        unallocated: Cents(300),
        allocations: vec![AllocationShare {
            candidate_id: a.id,
            election: Election::General,
            cents: Cents(600),
        }],
    };
    tx.record_unlocks(&[id], &[bad], at(5))
        .await
        .expect("unlock");
    tx.commit().await.expect("commit");
    let mut tx = store.read().await.expect("read");
    let v = tx.check_invariants().await.expect("check");
    assert_eq!(
        v.iter().map(|v| v.rule).collect::<Vec<_>>(),
        vec!["conservation"],
        "got {v:?}"
    );
    assert!(
        v[0].detail.contains("600") && v[0].detail.contains("1000"),
        "names the numbers: {}",
        v[0].detail
    );
}

pub async fn a_clean_database_has_no_violations(store: &dyn Store) {
    let s = slate(store, "lambda").await;
    let mut tx = store.write().await.expect("begin");
    let cond = tx.condition_id(s.id, &s.condition).await.expect("cond");
    tx.insert_pledge(&money(s.id, cond, "a@x.org", 1000, "2028-01-01", None))
        .await
        .expect("insert");
    tx.add_to_pot(
        s.id,
        &PotDelta {
            pledgers: 1,
            pending_cents: 1000,
            ..PotDelta::default()
        },
    )
    .await
    .expect("pot");
    tx.commit().await.expect("commit");
    let mut tx = store.read().await.expect("read");
    assert_eq!(tx.check_invariants().await.expect("check"), vec![]);
}
