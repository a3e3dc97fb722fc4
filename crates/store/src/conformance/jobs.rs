//! Conformance of the lease rows (`JobsTx`) and API tokens (`ApiTokensTx`).

use super::*;

pub async fn leases_round_trip_and_are_replaced_whole(store: &dyn Store) {
    let mut tx = store.write().await.expect("begin");
    assert_eq!(tx.lease("mail").await.expect("read"), None);
    let first = LeaseRow {
        job: "mail".into(),
        holder: "host:1:a".into(),
        generation: 1,
        expires_at: at(1),
    };
    tx.put_lease(&first).await.expect("insert");
    tx.commit().await.expect("commit");

    let mut tx = store.write().await.expect("begin");
    assert_eq!(tx.lease("mail").await.expect("read"), Some(first.clone()));
    let second = LeaseRow {
        holder: "host:2:b".into(),
        generation: 2,
        expires_at: at(2),
        ..first.clone()
    };
    tx.put_lease(&second).await.expect("replace");
    // Rolled back: the first row stays.
    drop(tx);
    let mut tx = store.write().await.expect("begin");
    assert_eq!(tx.lease("mail").await.expect("read"), Some(first));
    tx.put_lease(&second).await.expect("replace");
    tx.put_lease(&LeaseRow {
        job: "collect".into(),
        ..second.clone()
    })
    .await
    .expect("another job");
    tx.commit().await.expect("commit");
    // `lease` locks the row, so it is read in a write transaction.
    let mut r = store.write().await.expect("begin");
    assert_eq!(r.lease("mail").await.expect("read"), Some(second));
    assert_eq!(
        r.lease("collect").await.expect("read").map(|l| l.job),
        Some("collect".into())
    );
}

pub async fn api_tokens_have_names_expiries_and_revocation(store: &dyn Store) {
    let s = slate(store, "tok").await;
    let mut tx = store.write().await.expect("begin");
    let every = TokenRow {
        role: Role::Organizer,
        slate_id: None,
        candidate_id: None,
    };
    let one = TokenRow {
        slate_id: Some(s.id),
        ..every.clone()
    };
    let a = tx
        .insert_api_token("hash-a", &every, "ci", at(1), Some(at(20)))
        .await
        .expect("insert");
    let b = tx
        .insert_api_token("hash-b", &one, "", at(2), None)
        .await
        .expect("insert");
    assert_ne!(a, b);
    tx.commit().await.expect("commit");
    let mut tx = store.write().await.expect("begin");
    assert!(matches!(
        tx.insert_api_token("hash-a", &every, "again", at(3), None)
            .await,
        Err(StoreError::Conflict { .. })
    ));
    drop(tx);

    let mut tx = store.write().await.expect("begin");
    let row = tx.api_token("hash-a").await.expect("read").expect("a row");
    assert_eq!(
        row,
        ApiTokenRow {
            id: a,
            name: "ci".into(),
            grant: every.clone(),
            created_at: at(1),
            expires_at: Some(at(20)),
            revoked_at: None,
        }
    );
    assert_eq!(tx.api_token("no-such").await.expect("read"), None);
    // The old lookup still sees tokens made the new way.
    assert_eq!(tx.token("hash-b").await.expect("read"), Some(one.clone()));
    assert!(tx.revoke_api_token(b, at(4)).await.expect("revoke"));
    assert!(
        !tx.revoke_api_token(b, at(5)).await.expect("twice"),
        "already revoked"
    );
    assert!(!tx.revoke_api_token(b + a + 100, at(5)).await.expect("none"));
    tx.commit().await.expect("commit");

    let mut r = store.read().await.expect("read");
    let all = r.api_tokens().await.expect("list");
    assert_eq!(all.iter().map(|t| t.id).collect::<Vec<_>>(), vec![a, b]);
    assert_eq!(
        all[1].revoked_at,
        Some(at(4)),
        "the first revocation's time"
    );
    assert_eq!(all[1].grant, one);
    assert_eq!(all[0].revoked_at, None);
}
