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
