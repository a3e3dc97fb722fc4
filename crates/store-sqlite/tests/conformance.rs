//! The store conformance suite on a fresh SQLite file per test.

use std::sync::Arc;

use cohort_store::Store;
use cohort_store_sqlite::SqliteStore;

async fn fresh() -> Arc<dyn Store> {
    let dir = std::env::temp_dir().join(format!(
        "cohort-conformance-{}-{}",
        std::process::id(),
        unique()
    ));
    let store = SqliteStore::open_dir(&dir).await.expect("open sqlite");
    store.migrate().await.expect("migrate");
    Arc::new(store)
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    (u64::from(nanos) << 16) + N.fetch_add(1, Ordering::Relaxed)
}

cohort_store::conformance_tests!(fresh);
