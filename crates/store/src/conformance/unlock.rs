//! Conformance of unlocking: installments once, monthly pledges, bulk unlocks and bulk inserts.

use super::*;

pub async fn unlocking_records_installments_once(store: &dyn Store) {
    let s = slate(store, "eta").await;
    let mut tx = store.write().await.expect("begin");
    let a = candidate(tx.as_mut(), s.id, "ann", "NY").await;
    let b = candidate(tx.as_mut(), s.id, "bo", "PA").await;
    let cond = tx.condition_id(s.id, &s.condition).await.expect("cond");
    let other = tx
        .condition_id(s.id, &Condition::parse("mutual").expect("parse"))
        .await
        .expect("cond");
    let p1 = tx
        .insert_pledge(&money(s.id, cond, "a@x.org", 1001, "2028-01-01", None))
        .await
        .expect("p1");
    let late = tx
        .insert_pledge(&money(s.id, cond, "b@x.org", 500, "2026-01-01", None))
        .await
        .expect("late");
    let _elsewhere = tx
        .insert_pledge(&money(s.id, other, "c@x.org", 700, "2028-01-01", None))
        .await
        .expect("p3");
    let waiting = tx
        .pending_pledges(s.id, &[cond], date("2026-11-24"))
        .await
        .expect("pending");
    assert_eq!(
        waiting.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![p1],
        "only this condition, only before the deadline"
    );
    assert_eq!(waiting[0].amount, Cents(1001));
    let inst = Installment {
        pledge_id: p1,
        period: 0,
        amount: Cents(1001),
        unallocated: Cents(0),
        allocations: vec![
            AllocationShare {
                candidate_id: a.id,
                election: Election::Primary,
                cents: Cents(501),
            },
            AllocationShare {
                candidate_id: b.id,
                election: Election::Primary,
                cents: Cents(500),
            },
        ],
    };
    let moved = tx
        .record_unlocks(&[p1], std::slice::from_ref(&inst), at(10))
        .await
        .expect("unlock");
    assert_eq!(moved, 1);
    let row = tx.pledge(p1).await.expect("get").expect("found");
    assert_eq!(row.status, PledgeStatus::Unlocked);
    assert_eq!(row.unlocked_at, Some(at(10)));
    assert_eq!(
        tx.pledges_unlocked_at(s.id, at(10))
            .await
            .expect("by unlock time")
            .iter()
            .map(|p| p.id)
            .collect::<Vec<_>>(),
        vec![p1],
        "the pledges of one unlock event are found by its time"
    );
    assert!(tx
        .pledges_unlocked_at(s.id, at(11))
        .await
        .expect("none")
        .is_empty());
    assert_eq!(
        tx.installments(p1).await.expect("installments"),
        vec![inst.clone()]
    );
    let given = tx.given(s.id).await.expect("given");
    assert_eq!(given.len(), 2);
    assert!(given.iter().any(|g| g.candidate_id == a.id
        && g.cents == Cents(501)
        && g.election == Election::Primary));
    let totals = tx.candidate_totals(s.id).await.expect("totals");
    assert_eq!(
        totals
            .iter()
            .map(|t| (t.cents, t.contributions))
            .collect::<Vec<_>>(),
        vec![(Cents(501), 1), (Cents(500), 1)]
    );
    assert_eq!(
        tx.record_unlocks(&[p1], &[], at(11)).await.expect("again"),
        0,
        "an unlocked pledge does not move again"
    );
    tx.commit().await.expect("commit");
    let mut tx = store.write().await.expect("begin");
    let twice = tx
        .record_unlocks(&[], std::slice::from_ref(&inst), at(12))
        .await;
    assert!(
        twice.is_err(),
        "the same installment twice must be refused by the database"
    );
    drop(tx);
    let mut tx = store.write().await.expect("begin");
    let expired = tx
        .expire_pending(s.id, date("2026-11-24"))
        .await
        .expect("expire");
    assert_eq!(expired.iter().map(|p| p.id).collect::<Vec<_>>(), vec![late]);
    assert_eq!(
        tx.pledge(late).await.expect("get").map(|p| p.status),
        Some(PledgeStatus::Expired)
    );
    let waiting = tx.waiting(s.id).await.expect("waiting");
    assert_eq!(
        waiting,
        vec![WaitingRow {
            chosen: None,
            cents: Cents(700),
            hours_per_week: 0,
            pledges: 1
        }],
        "only the pledge still pending waits: unlocked and expired ones left"
    );
    tx.commit().await.expect("commit");
}

pub async fn monthly_pledges_report_their_latest_installment(store: &dyn Store) {
    let s = slate(store, "theta").await;
    let mut tx = store.write().await.expect("begin");
    let a = candidate(tx.as_mut(), s.id, "ann", "NY").await;
    let cond = tx.condition_id(s.id, &s.condition).await.expect("cond");
    let mut p = money(s.id, cond, "a@x.org", 1000, "2028-01-01", None);
    p.kind = PledgeKind::Money {
        amount: Cents(1000),
        recurring: Recurrence::Monthly,
    };
    let id = tx.insert_pledge(&p).await.expect("insert");
    let share = |period| Installment {
        pledge_id: id,
        period,
        amount: Cents(1000),
        unallocated: Cents(0),
        allocations: vec![AllocationShare {
            candidate_id: a.id,
            election: Election::Primary,
            cents: Cents(1000),
        }],
    };
    tx.record_unlocks(&[id], &[share(0)], at(1))
        .await
        .expect("unlock");
    tx.record_installments(&[share(2)], at(20))
        .await
        .expect("month 2");
    let monthly = tx.monthly_pledges(s.id).await.expect("monthly");
    assert_eq!(monthly.len(), 1);
    assert_eq!(monthly[0].last_period, 2);
    assert_eq!(monthly[0].condition_id, cond);
    assert_eq!(monthly[0].unlocked_at, at(1));
    tx.commit().await.expect("commit");
}
pub async fn bulk_unlocks_span_many_statements(store: &dyn Store) {
    let s = slate(store, "mu").await;
    let mut tx = store.write().await.expect("begin");
    let a = candidate(tx.as_mut(), s.id, "ann", "NY").await;
    let cond = tx.condition_id(s.id, &s.condition).await.expect("cond");
    let mut ids = Vec::new();
    for i in 0..5_000 {
        ids.push(
            tx.insert_pledge(&money(
                s.id,
                cond,
                &format!("d{i}@x.org"),
                100 + i,
                "2028-01-01",
                None,
            ))
            .await
            .expect("insert"),
        );
    }
    let inst: Vec<Installment> = ids
        .iter()
        .zip(100..)
        .map(|(id, cents)| Installment {
            pledge_id: *id,
            period: 0,
            amount: Cents(cents),
            unallocated: Cents(0),
            allocations: vec![AllocationShare {
                candidate_id: a.id,
                election: Election::Primary,
                cents: Cents(cents),
            }],
        })
        .collect();
    assert_eq!(
        tx.record_unlocks(&ids, &inst, at(9)).await.expect("unlock"),
        5_000
    );
    let totals = tx.candidate_totals(s.id).await.expect("totals");
    assert_eq!(totals[0].contributions, 5_000);
    assert_eq!(totals[0].cents, Cents((100..5_100).sum()));
    tx.commit().await.expect("commit");
}

pub async fn bulk_inserted_pledges_keep_the_pot_right(store: &dyn Store) {
    let s = slate(store, "nu").await;
    let mut tx = store.write().await.expect("begin");
    let cond = tx.condition_id(s.id, &s.condition).await.expect("cond");
    tx.insert_pledge(&money(s.id, cond, "d0@x.org", 100, "2028-01-01", None))
        .await
        .expect("one");
    counted_in_pot(tx.as_mut(), s.id, "d0@x.org", 100).await;
    // 2,500 pledges from 1,000 donors, one of whom (d0) already pledged.
    let many: Vec<NewPledge> = (0..2_500)
        .map(|i| {
            money(
                s.id,
                cond,
                &format!("d{}@x.org", i % 1_000),
                10,
                "2028-01-01",
                None,
            )
        })
        .collect();
    tx.insert_pledges(&many).await.expect("bulk");
    let pot = tx.pot(s.id).await.expect("pot");
    assert_eq!(pot.pending_cents, 100 + 25_000);
    assert_eq!(pot.pledgers, 1_000, "d0 is counted once");
    assert_eq!(
        tx.adjust_pledger(s.id, &email("d0@x.org"), 0)
            .await
            .expect("count"),
        4
    );
    assert_eq!(
        tx.pending_pledges(s.id, &[cond], date("2026-11-24"))
            .await
            .expect("pending")
            .len(),
        2_501
    );
    tx.commit().await.expect("commit");
    let mut tx = store.read().await.expect("read");
    assert_eq!(tx.check_invariants().await.expect("check"), vec![]);
}
