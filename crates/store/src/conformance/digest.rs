//! Conformance of `DigestTx`: updates wait until a digest tells them, a
//! week's digest can be claimed once per address, accounts off the weekly
//! setting get none, and an email's HTML part and unsubscribe URL round-trip.

use super::*;

pub async fn digests_are_claimed_once_a_week_and_tell_waiting_updates(store: &dyn Store) {
    let s = slate(store, "digest").await;
    let monday = date("2026-11-23");
    let mut tx = store.write().await.expect("begin");
    let cond = tx
        .condition_id(s.id, &Condition::parse("signers >= 2").expect("condition"))
        .await
        .expect("condition");
    tx.insert_pledges(&[
        money(s.id, cond, "ana@x.org", 100, "2028-01-01", None),
        money(s.id, cond, "ana@x.org", 200, "2028-01-01", None),
        money(s.id, cond, "bo@x.org", 300, "2028-01-01", None),
    ])
    .await
    .expect("pledges");
    let first = tx
        .add_digest_item(&email("cy@x.org"), "Expired", "sealed:v1:k:1", at(2))
        .await
        .expect("item");
    let second = tx
        .add_digest_item(&email("cy@x.org"), "Expired too", "sealed:v1:k:2", at(3))
        .await
        .expect("item");
    tx.commit().await.expect("commit");

    let mut tx = store.write().await.expect("begin");
    assert_eq!(
        tx.digest_addresses(monday, 10).await.expect("addresses"),
        vec![email("ana@x.org"), email("bo@x.org"), email("cy@x.org")],
        "each pledger once, and whoever has an update waiting"
    );
    let waiting = tx
        .waiting_digest_items(&email("cy@x.org"))
        .await
        .expect("waiting");
    assert_eq!(
        waiting.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![first, second]
    );
    assert_eq!(waiting[0].subject, "Expired");
    assert_eq!(waiting[1].created_at, at(3));
    assert_eq!(
        tx.last_digest(&email("cy@x.org")).await.expect("last"),
        None
    );

    let id = tx
        .claim_digest(&email("cy@x.org"), monday, at(23))
        .await
        .expect("claim")
        .expect("the week is free");
    assert_eq!(
        tx.claim_digest(&email("cy@x.org"), monday, at(24))
            .await
            .expect("claim again"),
        None,
        "one digest per address and week"
    );
    let mail = NewEmail {
        to: email("cy@x.org"),
        subject: "Your week".into(),
        body: "sealed:v1:k:text".into(),
        transactional: false,
        held: false,
        attachment: None,
    };
    let parts = OutboxParts {
        html: "sealed:v1:k:html".into(),
        list_unsubscribe: "https://x/unsubscribe/one-click/t".into(),
    };
    let outbox = tx
        .enqueue_with_parts(&mail, "unsub-digest-cy", &parts, at(23))
        .await
        .expect("queue");
    tx.finish_digest(id, outbox, &[first, second])
        .await
        .expect("finish");
    tx.commit().await.expect("commit");

    let mut tx = store.write().await.expect("begin");
    assert!(tx
        .waiting_digest_items(&email("cy@x.org"))
        .await
        .expect("waiting")
        .is_empty());
    let row = tx.digest(id).await.expect("digest").expect("stored");
    assert_eq!(
        (row.to.clone(), row.week, row.created_at, row.outbox_id),
        (email("cy@x.org"), monday, at(23), Some(outbox))
    );
    assert_eq!(
        tx.last_digest(&email("cy@x.org")).await.expect("last"),
        Some(row)
    );
    assert_eq!(
        tx.digest_addresses(monday, 10).await.expect("addresses"),
        vec![email("ana@x.org"), email("bo@x.org")],
        "cy had this week's"
    );
    assert_eq!(
        tx.digest_addresses(date("2026-11-30"), 10)
            .await
            .expect("next week"),
        vec![email("ana@x.org"), email("bo@x.org")],
        "told updates do not bring cy back"
    );
    let due = tx.due_emails(8, 100).await.expect("due");
    assert!(due.iter().any(|r| r.id == outbox && !r.email.transactional));
    assert_eq!(
        tx.outbox_parts(&[outbox, outbox + 1000])
            .await
            .expect("parts"),
        vec![(outbox, parts)]
    );

    // An account on another setting gets no digest.
    let mut bo = tx
        .insert_user(&email("bo@x.org"), "Bo", at(1))
        .await
        .expect("user");
    bo.email_prefs = EmailPrefs::Every;
    tx.update_user(&bo).await.expect("update");
    assert_eq!(
        tx.digest_addresses(monday, 10).await.expect("addresses"),
        vec![email("ana@x.org")]
    );
    tx.commit().await.expect("commit");
}
