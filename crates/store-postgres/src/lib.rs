//! Cohort's production store: PostgreSQL through sqlx.
//!
//! Writers of one slate serialize on a row lock of that slate
//! (`SELECT … FOR UPDATE`), so an event and the unlocks it causes are decided
//! against a state no other writer can change underneath them.

use std::time::Duration;

use async_trait::async_trait;
use cohort_store::{Result, Store, StoreError, Tx};
use sqlx::postgres::{PgPool, PgPoolOptions};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub struct PostgresStore {
    pool: PgPool,
}

struct PgTx {
    tx: sqlx::Transaction<'static, sqlx::Postgres>,
}

cohort_store_sql::impl_sql_tx!(
    PgTx,
    sqlx::Postgres,
    row_lock = " FOR UPDATE",
    sigil = '$',
    bulk = unnest
);
cohort_store_sql::impl_sql_slates!(PgTx, sqlx::Postgres);
cohort_store_sql::impl_sql_pledges!(PgTx, sqlx::Postgres);
cohort_store_sql::impl_sql_unlock!(PgTx, sqlx::Postgres);
cohort_store_sql::impl_sql_accounts!(PgTx, sqlx::Postgres);
cohort_store_sql::impl_sql_outbox!(PgTx, sqlx::Postgres);
cohort_store_sql::impl_sql_teams!(PgTx, sqlx::Postgres);
cohort_store_sql::impl_sql_conversation!(PgTx, sqlx::Postgres);
cohort_store_sql::impl_sql_payments!(PgTx, sqlx::Postgres);
cohort_store_sql::impl_sql_books!(PgTx, sqlx::Postgres);
cohort_store_sql::impl_sql_primaries!(PgTx, sqlx::Postgres);
cohort_store_sql::impl_sql_people!(PgTx, sqlx::Postgres);
cohort_store_sql::impl_sql_candidate_profiles!(PgTx, sqlx::Postgres);
cohort_store_sql::impl_sql_import_jobs!(PgTx, sqlx::Postgres);
cohort_store_sql::impl_sql_sign_in!(PgTx, sqlx::Postgres);
cohort_store_sql::impl_sql_jobs!(PgTx, sqlx::Postgres, row_lock = " FOR UPDATE");
cohort_store_sql::impl_mail_hold_tx!(PgTx, sqlx::Postgres);
cohort_store_sql::impl_sql_joint_events!(PgTx, sqlx::Postgres);
cohort_store_sql::impl_sql_roll_calls!(PgTx, sqlx::Postgres);
cohort_store_sql::impl_sql_joint_pledges!(PgTx, sqlx::Postgres);
cohort_store_sql::impl_sql_pledge_pauses!(PgTx, sqlx::Postgres);
cohort_store_sql::impl_sql_digest!(PgTx, sqlx::Postgres);
cohort_store_sql::impl_sql_log!(PgTx, sqlx::Postgres);

fn unavailable(e: sqlx::Error) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

impl PostgresStore {
    /// Connect to `url` (`postgres://user@host:port/db`).
    pub async fn connect(url: &str) -> Result<PostgresStore> {
        use sqlx::{ConnectOptions, Connection};
        let cannot = |e: sqlx::Error| {
            StoreError::Unavailable(format!("cannot connect to {}: {e}", redact(url)))
        };
        let options: sqlx::postgres::PgConnectOptions = url.parse().map_err(cannot)?;
        // One plain connection first: a wrong address, user or database fails
        // here at once, naming its cause, where the pool would retry for its
        // whole acquire timeout and then say only that it timed out.
        options.connect().await.map_err(cannot)?.close().await.ok();
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(20))
            .connect_with(options)
            .await
            .map_err(cannot)?;
        Ok(PostgresStore { pool })
    }

    /// Create an empty database with a unique name on the server `admin_url`
    /// points at, and return its URL. For tests and benchmarks.
    pub async fn create_scratch_database(admin_url: &str) -> Result<String> {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(admin_url).await.map_err(|e| {
            StoreError::Unavailable(format!("cannot connect to {}: {e}", redact(admin_url)))
        })?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let name = format!("cohort_scratch_{}_{}", std::process::id(), nanos);
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .map_err(|e| StoreError::Other(e.to_string()))?;
        let base = match admin_url.rfind('/') {
            Some(i) if i > admin_url.find("://").map_or(0, |s| s + 2) => &admin_url[..i],
            _ => admin_url,
        };
        Ok(format!("{base}/{name}"))
    }
}

/// Hide a password in a connection URL before it reaches a log or an error.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[async_trait]
impl Store for PostgresStore {
    async fn migrate(&self) -> Result<()> {
        MIGRATOR
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Other(format!("migration failed: {e}")))
    }

    async fn write(&self) -> Result<Box<dyn Tx>> {
        let tx = self.pool.begin().await.map_err(unavailable)?;
        Ok(Box::new(PgTx { tx }))
    }

    async fn read(&self) -> Result<Box<dyn Tx>> {
        let tx = self
            .pool
            .begin_with("BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
            .map_err(unavailable)?;
        Ok(Box::new(PgTx { tx }))
    }

    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn late_events(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(
            super::redact("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
    }
}
