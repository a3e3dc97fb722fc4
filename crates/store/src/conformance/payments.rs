//! Conformance of the payments methods (issue 6).

use super::*;

pub(super) fn setup(pledge_id: Id, n: &str) -> PaymentSetupRow {
    PaymentSetupRow {
        pledge_id,
        customer_id: format!("cus_{n}"),
        setup_intent_id: format!("seti_{n}"),
        client_secret: format!("seti_{n}_secret_x"),
        payment_method: None,
        created_at: at(3),
    }
}

pub(super) fn charging(pledge_id: Id, cents: i64) -> PaymentRow {
    PaymentRow {
        pledge_id,
        period: 0,
        amount: Cents(cents),
        state: PaymentState::Charging,
        intent_id: None,
        detail: String::new(),
        action_secret: None,
        attempts: 1,
        failed_at: None,
        reminded_at: None,
        updated_at: at(11),
    }
}

pub async fn payments_setups_charges_releases_and_webhook_events(store: &dyn Store) {
    let s = slate(store, "pay").await;
    let mut tx = store.write().await.expect("begin");
    let a = candidate(tx.as_mut(), s.id, "ann", "NY").await;
    let cond = tx.condition_id(s.id, &s.condition).await.expect("cond");
    let p1 = tx
        .insert_pledge(&money(s.id, cond, "a@x.org", 1000, "2028-01-01", None))
        .await
        .expect("p1");
    let p2 = tx
        .insert_pledge(&money(s.id, cond, "b@x.org", 800, "2028-01-01", None))
        .await
        .expect("p2");

    // Setups: one per pledge, the first kept.
    assert!(tx
        .insert_payment_setup(&setup(p1, "1"))
        .await
        .expect("insert"));
    assert!(!tx
        .insert_payment_setup(&setup(p1, "other"))
        .await
        .expect("again"));
    assert_eq!(
        tx.payment_setup(p1).await.expect("get"),
        Some(setup(p1, "1"))
    );
    assert!(tx
        .insert_payment_setup(&setup(p2, "2"))
        .await
        .expect("insert"));
    assert_eq!(
        tx.payment_setup_by_intent("seti_2")
            .await
            .expect("by intent")
            .map(|s| s.pledge_id),
        Some(p2)
    );
    assert!(tx.set_payment_method(p2, "pm_old").await.expect("pm"));
    assert!(tx
        .replace_setup_intent(p2, "seti_2b", "seti_2b_secret_y")
        .await
        .expect("replace"));
    let again = tx.payment_setup(p2).await.expect("get").expect("found");
    assert_eq!(
        (
            again.setup_intent_id.as_str(),
            again.client_secret.as_str(),
            again.payment_method
        ),
        ("seti_2b", "seti_2b_secret_y", None),
        "a new card replaces the old one"
    );
    assert_eq!(again.customer_id, "cus_2", "same customer");
    assert!(!tx
        .replace_setup_intent(9_999_999, "x", "y")
        .await
        .expect("none"));
    assert!(tx.set_payment_method(p1, "pm_1").await.expect("pm"));
    assert!(!tx.set_payment_method(9_999_999, "pm_1").await.expect("pm"));

    // Nothing is due while pending.
    assert!(tx.due_payments(10).await.expect("due").is_empty());
    let inst = |id: Id, amount: i64, allocated: i64| Installment {
        pledge_id: id,
        period: 0,
        amount: Cents(amount),
        unallocated: Cents(amount - allocated),
        allocations: vec![AllocationShare {
            candidate_id: a.id,
            election: Election::Primary,
            cents: Cents(allocated),
        }],
    };
    tx.record_unlocks(
        &[p1, p2],
        &[inst(p1, 1000, 600), inst(p2, 800, 800)],
        at(10),
    )
    .await
    .expect("unlock");
    let due = tx.due_payments(10).await.expect("due");
    assert_eq!(due.len(), 2);
    // Saved cards first, then by pledge.
    assert_eq!(due[0].pledge_id, p1);
    assert_eq!(due[0].allocated, Cents(600), "the allocated total only");
    assert_eq!(due[0].setup.payment_method.as_deref(), Some("pm_1"));
    assert_eq!(due[0].recurring, Recurrence::Once);
    assert_eq!(due[0].email, email("a@x.org"));
    assert_eq!(due[0].payment, None);
    assert_eq!(due[1].pledge_id, p2);
    assert_eq!(tx.due_payments(1).await.expect("due").len(), 1, "limit");

    // A started charge stays due (to be looked up); a settled one does not.
    tx.upsert_payment(&charging(p1, 600))
        .await
        .expect("charging");
    let due = tx.due_payments(10).await.expect("due");
    assert_eq!(due[0].payment, Some(charging(p1, 600)));
    let mut paid = charging(p1, 600);
    paid.state = PaymentState::Succeeded;
    paid.intent_id = Some("pi_1".into());
    tx.upsert_payment(&paid).await.expect("paid");
    assert_eq!(tx.payment(p1, 0).await.expect("get"), Some(paid.clone()));
    assert_eq!(
        tx.payment_by_intent("pi_1").await.expect("by intent"),
        Some(paid.clone())
    );
    assert_eq!(tx.payments(p1).await.expect("all"), vec![paid]);
    let due = tx.due_payments(10).await.expect("due");
    assert_eq!(
        due.iter().map(|d| d.pledge_id).collect::<Vec<_>>(),
        vec![p2]
    );

    // Open failures by when their window opened.
    let mut declined = charging(p2, 800);
    declined.state = PaymentState::Declined;
    declined.failed_at = Some(at(12));
    declined.detail = "Your card was declined.".into();
    tx.upsert_payment(&declined).await.expect("declined");
    assert!(tx
        .open_payment_failures(at(11), 10)
        .await
        .expect("open")
        .is_empty());
    assert_eq!(
        tx.open_payment_failures(at(12), 10).await.expect("open"),
        vec![declined.clone()]
    );

    // Releasing gives the allocations back to the candidate's totals.
    let before = tx.candidate_totals(s.id).await.expect("totals");
    assert_eq!(before.iter().map(|t| t.cents.get()).sum::<i64>(), 1400);
    assert_eq!(
        tx.release_installment(p2, 0).await.expect("release"),
        Cents(800)
    );
    let after = tx.candidate_totals(s.id).await.expect("totals");
    let ann = after.iter().find(|t| t.candidate_id == a.id).expect("ann");
    assert_eq!((ann.cents, ann.contributions), (Cents(600), 1));
    let left = tx.installments(p2).await.expect("installments");
    assert_eq!(left[0].unallocated, Cents(800));
    assert!(left[0].allocations.is_empty());
    declined.state = PaymentState::Failed;
    tx.upsert_payment(&declined).await.expect("failed");
    assert!(tx
        .set_status(p2, PledgeStatus::Unlocked, PledgeStatus::PaymentFailed)
        .await
        .expect("status"));
    assert_eq!(
        tx.pledge(p2).await.expect("get").expect("found").status,
        PledgeStatus::PaymentFailed
    );

    // Webhook events: once per id.
    assert!(tx
        .record_webhook_event("evt_1", "setup_intent.succeeded", at(13))
        .await
        .expect("new"));
    assert!(!tx
        .record_webhook_event("evt_1", "setup_intent.succeeded", at(14))
        .await
        .expect("seen"));
    tx.commit().await.expect("commit");

    let mut tx = store.read().await.expect("read");
    let violations: Vec<_> = tx
        .check_invariants()
        .await
        .expect("check")
        .into_iter()
        .filter(|v| v.rule.starts_with("payments") || v.rule.starts_with("allocated only"))
        .collect();
    assert!(violations.is_empty(), "{violations:?}");
}

pub async fn check_invariants_names_a_wrong_charge(store: &dyn Store) {
    let s = slate(store, "overcharge").await;
    let mut tx = store.write().await.expect("begin");
    let a = candidate(tx.as_mut(), s.id, "ann", "NY").await;
    let cond = tx.condition_id(s.id, &s.condition).await.expect("cond");
    let p = tx
        .insert_pledge(&money(s.id, cond, "a@x.org", 1000, "2028-01-01", None))
        .await
        .expect("p");
    let inst = Installment {
        pledge_id: p,
        period: 0,
        amount: Cents(1000),
        unallocated: Cents(400),
        allocations: vec![AllocationShare {
            candidate_id: a.id,
            election: Election::Primary,
            cents: Cents(600),
        }],
    };
    tx.record_unlocks(&[p], &[inst], at(10))
        .await
        .expect("unlock");
    tx.insert_payment_setup(&setup(p, "o"))
        .await
        .expect("setup");
    let mut whole = charging(p, 1000);
    whole.state = PaymentState::Succeeded;
    tx.upsert_payment(&whole).await.expect("payment");
    tx.commit().await.expect("commit");
    let mut tx = store.read().await.expect("read");
    let v = tx.check_invariants().await.expect("check");
    assert!(
        v.iter()
            .any(|v| v.rule == "payments charge the allocated total"
                && v.detail.contains("payment of 1000 but allocated 600")),
        "{v:?}"
    );
}
