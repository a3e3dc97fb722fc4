//! Background jobs when many servers share one database (issue 14).
//!
//! Each job (`tick`, `mail`, `digest`, `collect`, `recompute`) has one lease row. A
//! server runs a job's round only while it holds the job's lease: it takes a
//! lease nobody holds or whose expiry passed (writing generation + 1), and
//! renews its own. The round then runs on [`Engine::fenced`], whose every
//! write transaction first re-reads the lease under its row lock and goes on
//! only if this server still holds that same generation (renewing it), so a
//! server that stalled past its expiry while another took over cannot commit
//! anything: the new holder's work and the old holder's never both land.
//! A killed server's jobs are taken over once its leases expire.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::Duration;
use cohort_store::{LeaseRow, Store, StoreError, Tx};

use crate::{Clock, Engine, Result};

/// A lease this server holds on one job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    pub job: String,
    pub holder: String,
    /// The fencing token: every write of the job checks it.
    pub generation: i64,
    /// How long each renewal keeps it.
    pub ttl: Duration,
}

impl Engine {
    /// Take or renew the lease on `job` for `holder`, for `ttl` from now.
    /// `None` while another server holds it unexpired.
    pub async fn take_lease(
        &self,
        job: &str,
        holder: &str,
        ttl: Duration,
    ) -> Result<Option<Lease>> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let generation = match tx.lease(job).await? {
            None => 1,
            Some(l) if l.holder == holder && l.expires_at > now => l.generation,
            Some(l) if l.expires_at <= now => l.generation + 1,
            Some(_) => return Ok(None),
        };
        tx.put_lease(&LeaseRow {
            job: job.to_owned(),
            holder: holder.to_owned(),
            generation,
            expires_at: now + ttl,
        })
        .await?;
        tx.commit().await?;
        Ok(Some(Lease {
            job: job.to_owned(),
            holder: holder.to_owned(),
            generation,
            ttl,
        }))
    }

    /// Give up `job`'s lease if `holder` holds it: its expiry becomes now, so
    /// another server takes the job at its next check instead of waiting out
    /// the lease (a server stopping cleanly hands its jobs over at once).
    /// Answers whether there was a lease of ours to give up.
    pub async fn release_lease(&self, job: &str, holder: &str) -> Result<bool> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let Some(row) = tx.lease(job).await? else {
            return Ok(false);
        };
        if row.holder != holder || row.expires_at <= now {
            return Ok(false);
        }
        tx.put_lease(&LeaseRow {
            expires_at: now,
            ..row
        })
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Who holds `job`'s lease now, if anyone ever took it (status and tests).
    pub async fn lease_of(&self, job: &str) -> Result<Option<LeaseRow>> {
        // `lease` locks the row, which a read-only transaction may not;
        // this write transaction writes nothing and rolls back.
        let mut tx = self.store.write().await?;
        Ok(tx.lease(job).await?)
    }

    /// This engine, with every write transaction fenced by `lease`: it begins
    /// by checking (under the lease row's lock) that `lease` is still held at
    /// its generation, renews it, and fails with `StoreError::Unavailable`
    /// when another server took it over. Reads are not fenced.
    pub fn fenced(&self, lease: Lease) -> Engine {
        let mut e = self.clone();
        e.store = Arc::new(FencedStore {
            inner: self.store.clone(),
            clock: self.clock.clone(),
            lease,
        });
        e
    }
}

struct FencedStore {
    inner: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    lease: Lease,
}

impl FencedStore {
    /// The lease's row, if this server still holds it at its generation.
    async fn held(&self, tx: &mut dyn Tx) -> cohort_store::Result<LeaseRow> {
        let l = &self.lease;
        match tx.lease(&l.job).await? {
            Some(row) if row.holder == l.holder && row.generation == l.generation => Ok(row),
            _ => Err(StoreError::Unavailable(format!(
                "the {} lease (generation {}) passed to another server",
                l.job, l.generation
            ))),
        }
    }
}

#[async_trait]
impl Store for FencedStore {
    async fn migrate(&self) -> cohort_store::Result<()> {
        self.inner.migrate().await
    }

    async fn write(&self) -> cohort_store::Result<Box<dyn Tx>> {
        let mut tx = self.inner.write().await?;
        let row = self.held(tx.as_mut()).await?;
        tx.put_lease(&LeaseRow {
            expires_at: self.clock.now() + self.lease.ttl,
            ..row
        })
        .await?;
        Ok(tx)
    }

    /// Fenced by the lease without renewing it: renewing would write the
    /// main database from the log's transaction, and on SQLite take the
    /// writer the log was given a file of its own to avoid. The job's
    /// heartbeat renews the lease meanwhile. On PostgreSQL the check locks
    /// the lease row, so a takeover waits for this transaction; on SQLite
    /// the log's file has one writer and a round reads the log's size in
    /// its transaction, so a round of a server that lost the lease cannot
    /// interleave with the new holder's (its write fails on the changed
    /// snapshot).
    async fn write_log(&self) -> cohort_store::Result<Box<dyn Tx>> {
        let mut tx = self.inner.write_log().await?;
        self.held(tx.as_mut()).await?;
        Ok(tx)
    }

    async fn read(&self) -> cohort_store::Result<Box<dyn Tx>> {
        self.inner.read().await
    }

    fn backend(&self) -> &'static str {
        self.inner.backend()
    }

    fn late_events(&self) -> bool {
        self.inner.late_events()
    }
}
