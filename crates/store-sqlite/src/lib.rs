//! Cohort's embedded store: SQLite in a data directory, through sqlx.
//!
//! One writer connection (write transactions begin `IMMEDIATE`, so writers
//! queue in the pool instead of failing with `SQLITE_BUSY`) and a pool of
//! readers, all in WAL mode with a busy timeout. Commits are fully synchronous:
//! an acknowledged pledge survives a crash or a power cut.

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
}

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
        let writer = SqlitePoolOptions::new()
            .test_before_acquire(false)
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(120))
            .connect_with(opts.clone())
            .await
            .map_err(unavailable)?;
        let readers = SqlitePoolOptions::new()
            .test_before_acquire(false)
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(opts.read_only(true))
            .await
            .map_err(unavailable)?;
        Ok(SqliteStore { writer, readers })
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn migrate(&self) -> Result<()> {
        MIGRATOR
            .run(&self.writer)
            .await
            .map_err(|e| StoreError::Other(format!("migration failed: {e}")))
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
