//! Leases on background jobs, so each runs in one server at a time when many
//! `cohort serve` processes share a database (issue 14). The store keeps the
//! rows; the engine (`engine/src/jobs.rs`) decides who holds what.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::Result;

/// Who runs a background job, until when, and under which generation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaseRow {
    /// `tick`, `mail`, `collect`, `recompute`.
    pub job: String,
    /// The server holding it (host, process id and a random part).
    pub holder: String,
    /// Moves by one each time the lease changes hands: the fencing token.
    pub generation: i64,
    pub expires_at: DateTime<Utc>,
}

#[async_trait]
pub trait JobsTx: Send {
    /// The lease of `job`, locked for the rest of the transaction
    /// (PostgreSQL: `FOR UPDATE`; SQLite: write transactions are exclusive),
    /// so only in a write transaction.
    async fn lease(&mut self, job: &str) -> Result<Option<LeaseRow>>;
    /// Write `lease` (insert or replace the row of its job).
    async fn put_lease(&mut self, lease: &LeaseRow) -> Result<()>;
}
