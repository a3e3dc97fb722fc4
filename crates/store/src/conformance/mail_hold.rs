//! Conformance of `MailHoldTx`: held email is not due until released, a
//! folded one never is, releases are counted per address, and the one-time
//! sealing finds plain receipt tokens and unsealed bodies.

use super::*;

fn mail(to: &str, n: usize, held: bool) -> (NewEmail, String) {
    (
        NewEmail {
            to: email(to),
            subject: format!("Receipt {n}"),
            body: format!("sealed:v1:k:{n}"),
            transactional: true,
            held,
            attachment: None,
        },
        format!("unsub-hold-{to}-{n}"),
    )
}

pub async fn held_email_waits_for_release_and_folded_email_never_goes(store: &dyn Store) {
    let mut tx = store.write().await.expect("begin");
    let emails: Vec<_> = (0..4)
        .map(|n| mail("v@x.org", n, true))
        .chain([mail("w@x.org", 9, false)])
        .collect();
    tx.enqueue_emails(&emails, at(3)).await.expect("queue");
    tx.commit().await.expect("commit");

    let mut tx = store.write().await.expect("begin");
    let due = tx.due_emails(8, 100).await.expect("due");
    assert_eq!(due.len(), 1, "only the unheld email is due");
    assert!(!due[0].email.held);
    assert_eq!(
        tx.held_addresses(10).await.expect("addresses"),
        vec![email("v@x.org")]
    );
    tx.lock_mail_cap(&email("v@x.org"), at(3))
        .await
        .expect("lock");
    tx.lock_mail_cap(&email("v@x.org"), at(4))
        .await
        .expect("lock again");
    let held = tx.held_emails(&email("v@x.org")).await.expect("held");
    assert_eq!(held.len(), 4);
    assert_eq!(held[0].subject, "Receipt 0");
    assert_eq!(held[0].body, "sealed:v1:k:0");
    assert_eq!(
        tx.released_since(&email("v@x.org"), at(1))
            .await
            .expect("count"),
        0
    );
    tx.release_emails(&[held[0].id], at(4))
        .await
        .expect("release");
    let (summary, hash) = mail("v@x.org", 99, false);
    let into = tx
        .enqueue_released(&summary, &hash, at(4))
        .await
        .expect("summary");
    let rest: Vec<Id> = held[1..].iter().map(|h| h.id).collect();
    tx.fold_emails(&rest, into).await.expect("fold");
    tx.commit().await.expect("commit");

    let mut tx = store.write().await.expect("begin");
    let due: Vec<String> = tx
        .due_emails(8, 100)
        .await
        .expect("due")
        .into_iter()
        .map(|r| r.email.subject)
        .collect();
    assert_eq!(due, ["Receipt 0", "Receipt 9", "Receipt 99"]);
    assert!(tx
        .held_emails(&email("v@x.org"))
        .await
        .expect("held")
        .is_empty());
    assert!(tx.held_addresses(10).await.expect("none").is_empty());
    assert_eq!(
        tx.released_since(&email("v@x.org"), at(3))
            .await
            .expect("count"),
        2,
        "the released receipt and the summary"
    );
    assert_eq!(
        tx.released_since(&email("v@x.org"), at(4))
            .await
            .expect("count"),
        0,
        "only releases after the moment count"
    );
}

pub async fn plain_receipt_tokens_and_unsealed_bodies_are_found_once(store: &dyn Store) {
    let s = slate(store, "plain").await;
    let mut tx = store.write().await.expect("begin");
    let cond = tx.condition_id(s.id, &s.condition).await.expect("cond");
    let old = tx
        .insert_pledge(&money(s.id, cond, "old@x.org", 100, "2028-01-01", None))
        .await
        .expect("a pledge with a plain token");
    let mut hashed = money(s.id, cond, "new@x.org", 100, "2028-01-01", None);
    hashed.receipt_token = "a".repeat(64);
    tx.insert_pledge(&hashed).await.expect("a hashed one");
    let mut plain = mail("p@x.org", 1, false);
    plain.0.body = "plain body".into();
    tx.enqueue_emails(&[plain, mail("p@x.org", 2, false)], at(3))
        .await
        .expect("queue");
    let found = tx.plain_receipt_tokens(10).await.expect("plain");
    assert_eq!(found, vec![(old, "receipt-old@x.org-100".to_owned())]);
    tx.set_receipt_token_hash(old, &"b".repeat(64))
        .await
        .expect("hash");
    assert!(tx.plain_receipt_tokens(10).await.expect("none").is_empty());
    let bodies = tx.unsealed_bodies(10).await.expect("bodies");
    assert_eq!(bodies.len(), 1);
    assert_eq!(bodies[0].1, "plain body");
    tx.set_email_body(bodies[0].0, "sealed:v1:k:x")
        .await
        .expect("seal");
    assert!(tx.unsealed_bodies(10).await.expect("none").is_empty());
    assert_eq!(
        tx.pledge(old)
            .await
            .expect("read")
            .expect("there")
            .receipt_token,
        "b".repeat(64)
    );
}
