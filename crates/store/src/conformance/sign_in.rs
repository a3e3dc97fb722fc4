//! Conformance of the sign-in area ([`SignInTx`]): shared attempt counters,
//! voiding sign-in links, ending sessions, and a session's proof of address.

use super::*;

fn secret(purpose: Purpose, user_id: Id, day: u32) -> SecretRow {
    SecretRow {
        purpose,
        user_id: Some(user_id),
        email: None,
        grant: None,
        expires_at: at(day),
        used_at: None,
    }
}

pub async fn attempts_are_counted_per_key_and_window_across_transactions(store: &dyn Store) {
    let mut tx = store.write().await.expect("begin");
    assert_eq!(tx.count_attempt("a", 3600).await.expect("count"), 1);
    assert_eq!(tx.count_attempt("a", 3600).await.expect("count"), 2);
    assert_eq!(
        tx.count_attempt("b", 3600).await.expect("count"),
        1,
        "per key"
    );
    assert_eq!(
        tx.count_attempt("a", 7200).await.expect("count"),
        1,
        "per window"
    );
    tx.commit().await.expect("commit");
    let mut tx = store.write().await.expect("begin");
    assert_eq!(
        tx.count_attempt("a", 3600).await.expect("count"),
        3,
        "a committed count is seen by the next transaction"
    );
    drop(tx);
    let mut tx = store.write().await.expect("begin");
    assert_eq!(
        tx.count_attempt("a", 3600).await.expect("count"),
        3,
        "a rolled-back count is not kept"
    );
    assert_eq!(tx.forget_attempts(7200).await.expect("forget"), 2);
    assert_eq!(tx.count_attempt("a", 3600).await.expect("count"), 1);
    assert_eq!(tx.count_attempt("a", 7200).await.expect("count"), 2);
    tx.commit().await.expect("commit");
}

pub async fn sign_in_links_are_voided_and_other_sessions_ended(store: &dyn Store) {
    let mut tx = store.write().await.expect("begin");
    let ana = tx
        .insert_user(&email("ana@x.org"), "Ana", at(1))
        .await
        .expect("user");
    let bo = tx
        .insert_user(&email("bo@x.org"), "Bo", at(1))
        .await
        .expect("user");
    for (hash, purpose, who) in [
        ("link-old", Purpose::SignIn, ana.id),
        ("link-used", Purpose::SignIn, ana.id),
        ("link-bo", Purpose::SignIn, bo.id),
        ("s1", Purpose::Session, ana.id),
        ("s2", Purpose::Session, ana.id),
        ("s3", Purpose::Session, ana.id),
        ("s-bo", Purpose::Session, bo.id),
    ] {
        tx.insert_secret(hash, &secret(purpose, who, 20), at(1))
            .await
            .expect("secret");
    }
    assert!(tx.use_secret("link-used", at(2)).await.expect("use"));
    assert_eq!(
        tx.void_sign_in_links(ana.id, at(3)).await.expect("void"),
        1,
        "only the unused link of this person"
    );
    let old = tx.secret("link-old").await.expect("read").expect("kept");
    assert_eq!(old.used_at, Some(at(3)), "voided, not deleted");
    assert_eq!(
        tx.secret("link-used")
            .await
            .expect("read")
            .expect("kept")
            .used_at,
        Some(at(2))
    );
    assert_eq!(
        tx.secret("link-bo")
            .await
            .expect("read")
            .expect("kept")
            .used_at,
        None
    );
    assert!(
        tx.secret("s1").await.expect("read").is_some(),
        "sessions are not links"
    );

    assert_eq!(tx.proven_at("s1").await.expect("read"), None);
    tx.set_proven_at("s1", at(4)).await.expect("prove");
    assert_eq!(tx.proven_at("s1").await.expect("read"), Some(at(4)));
    assert_eq!(tx.proven_at("nothing").await.expect("read"), None);

    assert_eq!(tx.end_sessions(ana.id, Some("s1")).await.expect("end"), 2);
    assert!(tx.secret("s1").await.expect("read").is_some(), "kept");
    assert!(tx.secret("s2").await.expect("read").is_none());
    assert!(tx.secret("s3").await.expect("read").is_none());
    assert!(
        tx.secret("link-old").await.expect("read").is_some(),
        "links are not sessions"
    );
    assert!(tx.secret("s-bo").await.expect("read").is_some(), "not bo's");
    assert_eq!(tx.end_sessions(ana.id, None).await.expect("end"), 1);
    assert!(tx.secret("s1").await.expect("read").is_none());
    tx.commit().await.expect("commit");
}
