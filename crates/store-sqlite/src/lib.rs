//! Cohort's embedded store: SQLite in a data directory, through sqlx.
//!
//! One writer connection (write transactions begin `IMMEDIATE`, so writers
//! queue in the pool instead of failing with `SQLITE_BUSY`) and a pool of
//! readers, all in WAL mode with a busy timeout. Commits are fully synchronous:
//! an acknowledged pledge survives a crash or a power cut.
//!
//! The transparency log's tables live in a second file, `cohort-log.db`
//! (schema `tlog`, `log/schema.sql`), written by a connection of its own
//! ([`Store::write_log`]): SQLite has one writer per file, and the log's
//! sequencer held `cohort.db`'s for about 21 µs a leaf, an eighth of the
//! writer's time under full pledge intake. The readers and the log writer
//! attach it; the main writer does not (`BEGIN IMMEDIATE` would lock every
//! attached file), so no write transaction but the log's touches it.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use cohort_store::{Result, Store, StoreError, Tx};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub struct SqliteStore {
    writer: SqlitePool,
    readers: SqlitePool,
    /// `cohort.db` with `cohort-log.db` attached as `tlog`: the log's
    /// sequencer reads events and writes the log here, in deferred
    /// transactions that lock only the log's file.
    log_writer: SqlitePool,
}

/// The log's file beside the database file: `cohort.db` → `cohort-log.db`.
pub fn log_file(db: &Path) -> std::path::PathBuf {
    let stem = db
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "cohort".into());
    db.with_file_name(format!("{stem}-log.db"))
}

/// Pool options whose connections attach the log's file as `tlog`.
fn attaching(log: &Path, pool: SqlitePoolOptions, writes: bool) -> SqlitePoolOptions {
    // A literal, not a bound parameter: sqlx's `after_connect` takes only
    // statements without arguments here. Quotes are doubled, SQL's escape.
    let mut sql = format!(
        "ATTACH DATABASE '{}' AS tlog;",
        log.to_string_lossy().replace('\'', "''")
    );
    if writes {
        // Per file: the connect options set them for cohort.db only.
        sql.push_str(" PRAGMA tlog.journal_mode = WAL; PRAGMA tlog.synchronous = FULL;");
    }
    pool.after_connect(move |conn, _meta| {
        let sql = sql.clone();
        Box::pin(async move {
            use sqlx::Executor;
            conn.execute(sql.as_str()).await.map(drop)
        })
    })
}

/// A pool of at most `max` connections that waits up to `wait_secs` for one.
async fn pool(
    options: SqlitePoolOptions,
    max: u32,
    wait_secs: u64,
    connect: SqliteConnectOptions,
) -> Result<SqlitePool> {
    options
        .test_before_acquire(false)
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(wait_secs))
        .connect_with(connect)
        .await
        .map_err(unavailable)
}

/// The log's tables in `tlog`, and those 0018 made in `cohort.db` moved
/// there (copied, then dropped; `OR IGNORE` makes a move cut short by a
/// crash safe to run again).
const LOG_SCHEMA: &str = include_str!("../log/schema.sql");
const MOVE_LOG: &str = "INSERT OR IGNORE INTO tlog.log_leaves SELECT idx, event_seq, data, commitment FROM main.log_leaves; \
     INSERT OR IGNORE INTO tlog.log_hashes SELECT level, n, hash FROM main.log_hashes; \
     INSERT OR IGNORE INTO tlog.log_checkpoints SELECT size, note, at FROM main.log_checkpoints; \
     DROP TABLE main.log_leaves; DROP TABLE main.log_hashes; DROP TABLE main.log_checkpoints;";

struct SqliteTx {
    tx: sqlx::Transaction<'static, sqlx::Sqlite>,
}

cohort_store_sql::impl_sql_tx!(
    SqliteTx,
    sqlx::Sqlite,
    row_lock = "",
    sigil = '?',
    bulk = values
);
cohort_store_sql::impl_sql_slates!(SqliteTx, sqlx::Sqlite);
cohort_store_sql::impl_sql_pledges!(SqliteTx, sqlx::Sqlite);
cohort_store_sql::impl_sql_unlock!(SqliteTx, sqlx::Sqlite);
cohort_store_sql::impl_sql_accounts!(SqliteTx, sqlx::Sqlite);
cohort_store_sql::impl_sql_outbox!(SqliteTx, sqlx::Sqlite);
cohort_store_sql::impl_sql_teams!(SqliteTx, sqlx::Sqlite);
cohort_store_sql::impl_sql_conversation!(SqliteTx, sqlx::Sqlite);
cohort_store_sql::impl_sql_payments!(SqliteTx, sqlx::Sqlite);
cohort_store_sql::impl_sql_books!(SqliteTx, sqlx::Sqlite);
cohort_store_sql::impl_sql_primaries!(SqliteTx, sqlx::Sqlite);
cohort_store_sql::impl_sql_people!(SqliteTx, sqlx::Sqlite);
cohort_store_sql::impl_sql_candidate_profiles!(SqliteTx, sqlx::Sqlite);
cohort_store_sql::impl_sql_import_jobs!(SqliteTx, sqlx::Sqlite);
cohort_store_sql::impl_sql_sign_in!(SqliteTx, sqlx::Sqlite);
cohort_store_sql::impl_sql_jobs!(SqliteTx, sqlx::Sqlite, row_lock = "");
cohort_store_sql::impl_mail_hold_tx!(SqliteTx, sqlx::Sqlite);
cohort_store_sql::impl_sql_joint_events!(SqliteTx, sqlx::Sqlite);
cohort_store_sql::impl_sql_roll_calls!(SqliteTx, sqlx::Sqlite);
cohort_store_sql::impl_sql_joint_pledges!(SqliteTx, sqlx::Sqlite);
cohort_store_sql::impl_sql_pledge_pauses!(SqliteTx, sqlx::Sqlite);
cohort_store_sql::impl_sql_digest!(SqliteTx, sqlx::Sqlite);
cohort_store_sql::impl_sql_log!(SqliteTx, sqlx::Sqlite);

fn unavailable(e: sqlx::Error) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

impl SqliteStore {
    /// Open (creating if needed) `cohort.db` inside `dir`.
    pub async fn open_dir(dir: &Path) -> Result<SqliteStore> {
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Unavailable(format!(
                "cannot create data directory {}: {e}",
                dir.display()
            ))
        })?;
        Self::open_file(&dir.join("cohort.db")).await
    }

    pub async fn open_file(path: &Path) -> Result<SqliteStore> {
        let opts = SqliteConnectOptions::from_str("sqlite://")
            .map_err(unavailable)?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30))
            .pragma("cache_size", "-65536")
            .pragma("temp_store", "memory");
        // No ping before each transaction (sqlx's default): a file the
        // process opened itself does not drop connections, and the ping was
        // one more trip to the connection's thread on every pledge.
        let writer = pool(SqlitePoolOptions::new(), 1, 120, opts.clone()).await?;
        let log = log_file(path);
        let log_writer = pool(
            attaching(&log, SqlitePoolOptions::new(), true),
            1,
            120,
            opts.clone(),
        )
        .await?;
        // The readers attach the log's file read-only, so it must exist:
        // `connect_with` has opened one connection, whose ATTACH made it.
        let readers = pool(
            attaching(&log, SqlitePoolOptions::new(), false),
            8,
            60,
            opts.read_only(true),
        )
        .await?;
        Ok(SqliteStore {
            writer,
            readers,
            log_writer,
        })
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn migrate(&self) -> Result<()> {
        fn failed(e: impl std::fmt::Display) -> StoreError {
            StoreError::Other(format!("migration failed: {e}"))
        }
        MIGRATOR.run(&self.writer).await.map_err(failed)?;
        let mut tx = self.log_writer.begin().await.map_err(unavailable)?;
        sqlx::query(LOG_SCHEMA)
            .execute(&mut *tx)
            .await
            .map_err(failed)?;
        let in_main: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM main.sqlite_master WHERE type = 'table' AND name = 'log_leaves'",
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(failed)?;
        if in_main > 0 {
            sqlx::query(MOVE_LOG)
                .execute(&mut *tx)
                .await
                .map_err(failed)?;
        }
        tx.commit().await.map_err(failed)
    }

    async fn write_log(&self) -> Result<Box<dyn Tx>> {
        // Deferred: reading events takes no lock on cohort.db, and the first
        // write locks cohort-log.db alone.
        let tx = self.log_writer.begin().await.map_err(unavailable)?;
        Ok(Box::new(SqliteTx { tx }))
    }

    async fn write(&self) -> Result<Box<dyn Tx>> {
        let tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(unavailable)?;
        Ok(Box::new(SqliteTx { tx }))
    }

    async fn read(&self) -> Result<Box<dyn Tx>> {
        let tx = self.readers.begin().await.map_err(unavailable)?;
        Ok(Box::new(SqliteTx { tx }))
    }

    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn late_events(&self) -> bool {
        false
    }
}
