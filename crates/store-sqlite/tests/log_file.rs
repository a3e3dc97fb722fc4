//! The transparency log's own file: a database whose log tables are still
//! in `cohort.db` (as every database before the split) has them moved to
//! `cohort-log.db` on migrate, rows and all, and migrating again is a no-op.

use cohort_store::Store;
use cohort_store_sqlite::{log_file, SqliteStore};
use sqlx::{Connection, Executor};

const OLD_TABLES: &str = "CREATE TABLE log_leaves (idx INTEGER PRIMARY KEY, event_seq INTEGER NOT NULL UNIQUE, data TEXT NOT NULL, commitment TEXT);
CREATE TABLE log_hashes (level INTEGER NOT NULL, n INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, n));
CREATE TABLE log_checkpoints (size INTEGER PRIMARY KEY, note TEXT NOT NULL, at TEXT NOT NULL);
INSERT INTO log_leaves VALUES (0, 7, 'leaf zero', 'c0ffee'), (1, 9, 'leaf one', NULL);
INSERT INTO log_hashes VALUES (0, 0, zeroblob(32)), (0, 1, zeroblob(32));
INSERT INTO log_checkpoints VALUES (2, 'two', '2026-12-07T00:00:00Z');";

async fn count(db: &std::path::Path, sql: &str) -> i64 {
    let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
        .await
        .expect("open");
    sqlx::query_scalar(sql).fetch_one(&mut c).await.expect(sql)
}

#[tokio::test]
async fn log_tables_in_the_main_file_move_to_the_logs_own() {
    let dir = std::env::temp_dir().join(format!("cohort-log-file-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let db = dir.join("cohort.db");
    {
        let store = SqliteStore::open_dir(&dir).await.expect("open");
        store.migrate().await.expect("migrate");
    }
    // A fresh database keeps no log tables in cohort.db.
    let in_main = "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'log_%'";
    assert_eq!(count(&db, in_main).await, 0);
    // As a database from before the split: the tables, with rows, in cohort.db.
    let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
        .await
        .expect("open");
    c.execute(OLD_TABLES).await.expect("old tables");
    c.close().await.expect("close");
    for _ in 0..2 {
        let store = SqliteStore::open_dir(&dir).await.expect("open");
        store
            .migrate()
            .await
            .expect("migrate moves, then finds nothing to move");
        let mut tx = store.read().await.expect("read");
        let leaves = tx.log_leaves(0, 10).await.expect("leaves");
        assert_eq!(
            leaves.iter().map(|l| l.data.as_str()).collect::<Vec<_>>(),
            ["leaf zero", "leaf one"]
        );
        let by = tx.log_leaf_by_commitment("c0ffee").await.expect("by");
        assert_eq!(by.map(|l| l.idx), Some(0));
        assert_eq!(tx.log_hash_range(0, 0, 5).await.expect("hashes").len(), 2);
        let cp = tx.latest_log_checkpoint().await.expect("cp").expect("one");
        assert_eq!((cp.size, cp.note.as_str()), (2, "two"));
        assert_eq!(count(&db, in_main).await, 0, "moved out of cohort.db");
    }
    let log = log_file(&db);
    assert_eq!(count(&log, "SELECT COUNT(*) FROM log_leaves").await, 2);
    let _ = std::fs::remove_dir_all(&dir);
}
