//! The store conformance suite on a fresh PostgreSQL database per test, on the
//! real server named by COHORT_TEST_PG (default: the local one on 5432).
//! An unreachable server fails the tests: they never skip.

use std::sync::Arc;

use cohort_store::Store;
use cohort_store_postgres::PostgresStore;

async fn fresh() -> Arc<dyn Store> {
    let admin = std::env::var("COHORT_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let url = PostgresStore::create_scratch_database(&admin).await.unwrap_or_else(|e| {
        panic!("PostgreSQL at {admin} is needed for these tests (set COHORT_TEST_PG to its URL): {e}")
    });
    let store = PostgresStore::connect(&url).await.expect("connect");
    store.migrate().await.expect("migrate");
    Arc::new(store)
}

cohort_store::conformance_tests!(fresh);

/// Regression: a deadlock came back as `StoreError::Other`, which the web
/// answers 500 "internal error". PostgreSQL rolled the transaction back and
/// nothing was written, so it is `Unavailable` (busy: retry), answered 503.
/// Two transactions lock two slates in opposite orders; the deadlock
/// detector rolls one back.
#[tokio::test]
async fn a_deadlock_is_reported_as_busy_not_as_an_internal_error() {
    use cohort_core::limits::LimitTable;
    use cohort_core::{Condition, Slug};
    use cohort_store::{NewSlate, StoreError};

    let store = fresh().await;
    let mut ids = Vec::new();
    let mut tx = store.write().await.expect("begin");
    for slug in ["east", "west"] {
        let s = tx
            .insert_slate(&NewSlate {
                slug: Slug::parse(slug).expect("slug"),
                name: slug.into(),
                cycle: 2028,
                description: String::new(),
                condition: Condition::parse("signers >= 2").expect("condition"),
                limits: LimitTable::new(),
                created_at: chrono::Utc::now(),
            })
            .await
            .expect("slate");
        ids.push(s.id);
    }
    tx.commit().await.expect("commit");
    let (east, west) = (ids[0], ids[1]);
    let mut first = store.write().await.expect("begin");
    let mut second = store.write().await.expect("begin");
    first.lock_slate(east).await.expect("east");
    second.lock_slate(west).await.expect("west");
    let (a, b) = tokio::join!(
        async move {
            let r = first.lock_slate(west).await;
            drop(first);
            r
        },
        async move {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            let r = second.lock_slate(east).await;
            // Rolled back (if it lost), so the other goes on.
            drop(second);
            r
        }
    );
    let lost: Vec<StoreError> = [a, b].into_iter().filter_map(Result::err).collect();
    assert_eq!(lost.len(), 1, "one of the two is rolled back: {lost:?}");
    match &lost[0] {
        StoreError::Unavailable(detail) => assert!(detail.contains("deadlock"), "{detail}"),
        other => panic!("a deadlock came back as {other:?}"),
    }
}
