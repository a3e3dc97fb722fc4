//! Conformance of slates, candidates (compacts, signatures, endorsements), conditions and transactions.

use super::*;

pub async fn slates_round_trip_and_slugs_are_unique(store: &dyn Store) {
    let s = slate(store, "alpha").await;
    let mut tx = store.read().await.expect("read");
    let back = tx
        .slate_by_slug("alpha")
        .await
        .expect("query")
        .expect("found");
    assert_eq!(back, s);
    assert_eq!(tx.slate(s.id).await.expect("query"), Some(s.clone()));
    assert_eq!(tx.slates().await.expect("list"), vec![s.clone()]);
    assert_eq!(tx.slate_by_slug("nope").await.expect("query"), None);
    drop(tx);
    let mut tx = store.write().await.expect("begin");
    let mut limits = LimitTable::new();
    limits.set(Office::StateHouse, 2028, Some(Cents(100_000)));
    tx.update_limits(s.id, &limits).await.expect("limits");
    tx.commit().await.expect("commit");
    let mut tx = store.read().await.expect("read");
    assert_eq!(
        tx.slate(s.id).await.expect("query").map(|s| s.limits),
        Some(limits)
    );
    assert_eq!(
        tx.pot(s.id).await.expect("pot"),
        Pot::default(),
        "a new slate has an empty pot"
    );
    drop(tx);
    let mut tx = store.write().await.expect("begin");
    let edited = Condition::parse("signers >= 3 and mutual").expect("condition");
    tx.update_slate(s.id, "Renamed", "New words", &edited)
        .await
        .expect("update slate");
    tx.commit().await.expect("commit");
    let mut tx = store.read().await.expect("read");
    let back = tx.slate(s.id).await.expect("query").expect("found");
    assert_eq!(
        (
            back.name.as_str(),
            back.description.as_str(),
            &back.condition
        ),
        ("Renamed", "New words", &edited)
    );
    assert_eq!(
        (back.slug, back.cycle, back.created_at),
        (s.slug.clone(), s.cycle, s.created_at),
        "editing keeps the address, cycle and creation time"
    );
    drop(tx);
    let mut tx = store.write().await.expect("begin");
    let dup = tx
        .insert_slate(&NewSlate {
            slug: Slug::parse("alpha").expect("slug"),
            name: "again".into(),
            cycle: 2028,
            description: String::new(),
            condition: Condition::parse("mutual").expect("condition"),
            limits: LimitTable::new(),
            created_at: at(1),
        })
        .await;
    assert!(
        matches!(dup, Err(StoreError::Conflict { .. })),
        "duplicate slug must be a Conflict, got {dup:?}"
    );
}

pub async fn an_uncommitted_transaction_leaves_nothing(store: &dyn Store) {
    let s = slate(store, "beta").await;
    {
        let mut tx = store.write().await.expect("begin");
        candidate(tx.as_mut(), s.id, "ann", "NY").await;
        tx.add_to_pot(
            s.id,
            &PotDelta {
                pending_cents: 500,
                ..PotDelta::default()
            },
        )
        .await
        .expect("pot");
        // dropped without commit
    }
    let mut tx = store.read().await.expect("read");
    assert!(tx.candidates(s.id).await.expect("candidates").is_empty());
    assert_eq!(tx.pot(s.id).await.expect("pot").pending_cents, 0);
}

pub async fn candidates_compacts_signatures_and_endorsements(store: &dyn Store) {
    let s = slate(store, "gamma").await;
    let mut tx = store.write().await.expect("begin");
    let a = candidate(tx.as_mut(), s.id, "ann", "NY").await;
    let b = candidate(tx.as_mut(), s.id, "bo", "PA").await;
    let dup = tx
        .insert_candidate(
            s.id,
            &NewCandidate {
                slug: a.slug.clone(),
                name: "x".into(),
                race: a.race.clone(),
            },
        )
        .await;
    assert!(
        matches!(dup, Err(StoreError::Conflict { .. })),
        "same slug twice in a slate: {dup:?}"
    );
    drop(tx);
    let mut tx = store.write().await.expect("begin");
    let a = candidate(tx.as_mut(), s.id, "ann", "NY").await;
    let b2 = candidate(tx.as_mut(), s.id, "bo", "PA").await;
    assert_eq!(b2.race, b.race);
    let content = CompactContent {
        commitments: vec!["Cross-endorse".into()],
        planks: vec![Plank {
            title: "Housing".into(),
            why: "Rents".into(),
        }],
        measures: vec![],
    };
    for v in 1..=2 {
        tx.insert_compact(
            s.id,
            &CompactRow {
                version: v,
                hash: format!("h{v}"),
                content: content.clone(),
                created_at: at(3),
            },
        )
        .await
        .expect("compact");
    }
    assert_eq!(
        tx.latest_compact(s.id)
            .await
            .expect("latest")
            .map(|c| c.version),
        Some(2)
    );
    assert_eq!(
        tx.compact_version(s.id, 1)
            .await
            .expect("v1")
            .map(|c| c.content),
        Some(content)
    );
    assert_eq!(tx.compact_version(s.id, 9).await.expect("v9"), None);
    let committee = |name: &str| CommitteeRow {
        candidate_id: a.id,
        slate_id: s.id,
        name: name.into(),
        fec_committee_id: "C00123456".into(),
        fec_candidate_id: "H8NY01123".into(),
        treasurer_first: "Tess".into(),
        treasurer_last: "Urer".into(),
        street1: "1 Main St".into(),
        street2: String::new(),
        city: "Albany".into(),
        state: "NY".into(),
        zip: "12207".into(),
    };
    tx.upsert_committee(&committee("Ann for Congress"), at(3))
        .await
        .expect("committee");
    tx.upsert_committee(&committee("Friends of Ann"), at(4))
        .await
        .expect("committee again");
    assert_eq!(
        tx.committees(s.id).await.expect("committees"),
        vec![committee("Friends of Ann")],
        "one record per candidate; the second replaces the first"
    );
    let viewer = tx
        .insert_user(&email("campaign@ann.org"), "Ann's campaign", at(3))
        .await
        .expect("user");
    assert_eq!(tx.compact_seen(viewer.id, s.id).await.expect("seen"), None);
    tx.set_compact_seen(viewer.id, s.id, 1, None)
        .await
        .expect("saw v1");
    tx.set_compact_seen(viewer.id, s.id, 2, Some(1))
        .await
        .expect("saw v2");
    assert_eq!(
        tx.compact_seen(viewer.id, s.id).await.expect("seen"),
        Some((2, Some(1))),
        "the second look replaces the first"
    );
    tx.upsert_signature(
        s.id,
        &SignatureRow {
            candidate_id: a.id,
            version: 1,
            signed_at: at(4),
        },
    )
    .await
    .expect("sign");
    tx.upsert_signature(
        s.id,
        &SignatureRow {
            candidate_id: a.id,
            version: 2,
            signed_at: at(5),
        },
    )
    .await
    .expect("re-sign");
    let sigs = tx.signatures(s.id).await.expect("signatures");
    assert_eq!(sigs.len(), 1, "re-signing replaces the standing signature");
    assert_eq!(sigs[0].version, 2);
    assert!(tx.delete_signature(s.id, a.id).await.expect("withdraw"));
    assert!(!tx
        .delete_signature(s.id, a.id)
        .await
        .expect("withdraw again"));
    let e = EndorsementRow {
        from_id: a.id,
        to_id: b2.id,
        at: at(6),
    };
    assert!(tx.insert_endorsement(s.id, &e).await.expect("endorse"));
    assert!(
        !tx.insert_endorsement(s.id, &e)
            .await
            .expect("endorse again"),
        "endorsing twice changes nothing"
    );
    assert_eq!(tx.endorsements(s.id).await.expect("list"), vec![e]);
    assert!(tx
        .delete_endorsement(s.id, a.id, b2.id)
        .await
        .expect("unendorse"));
    assert!(tx.endorsements(s.id).await.expect("list").is_empty());
    tx.commit().await.expect("commit");
}

pub async fn conditions_are_stored_once_per_slate(store: &dyn Store) {
    let s = slate(store, "delta").await;
    let mut tx = store.write().await.expect("begin");
    let c1 = Condition::parse("signers >= 3 and mutual").expect("parse");
    let c2 = Condition::parse("3 <= signers  and  mutual").expect("parse");
    let id1 = tx.condition_id(s.id, &c1).await.expect("id");
    let id2 = tx.condition_id(s.id, &c2).await.expect("id");
    assert_eq!(id1, id2, "equal conditions share one row");
    let other = tx
        .condition_id(s.id, &Condition::parse("pledged >= $5").expect("parse"))
        .await
        .expect("id");
    assert_ne!(id1, other);
    assert!(
        tx.pending_conditions(s.id)
            .await
            .expect("pending")
            .is_empty(),
        "no pledge waits yet"
    );
    tx.insert_pledge(&money(s.id, other, "a@x.org", 100, "2028-01-01", None))
        .await
        .expect("pledge");
    let pending = tx.pending_conditions(s.id).await.expect("pending");
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].id, other);
    assert!(
        pending[0].reads.pledged,
        "reads are stored with the condition"
    );
    tx.commit().await.expect("commit");
}
