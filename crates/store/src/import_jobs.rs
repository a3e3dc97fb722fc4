//! Imports that run in the background (issue 19): a confirmed file of
//! pledges made offline, or of supporters, waits here, sealed, until `cohort
//! serve`'s `imports` job puts it through its importer, counting rows as it
//! goes. The store keeps the rows; the engine (`engine/src/import_jobs.rs`)
//! decides.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{Id, Result};

/// One import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportJobRow {
    pub id: Id,
    pub slate_id: Id,
    /// What the file holds: `pledges` or `people`.
    pub kind: String,
    /// The previewed file's SHA-256.
    pub sha256: String,
    /// The file, sealed; empty once done.
    pub file: String,
    /// Rows to put through, and rows through so far.
    pub total: i64,
    pub done: i64,
    /// `queued` (waiting or under way) or `done`.
    pub status: String,
    /// What it did (JSON), once done.
    pub result: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[async_trait]
pub trait ImportJobsTx: Send {
    /// Queue an import of `kind` (`pledges` or `people`); answers its id.
    async fn insert_import_job(
        &mut self,
        slate_id: Id,
        kind: &str,
        sha256: &str,
        file: &str,
        total: i64,
        at: DateTime<Utc>,
    ) -> Result<Id>;
    async fn import_job(&mut self, id: Id) -> Result<Option<ImportJobRow>>;
    /// The oldest import not done (one a stopped server left half done
    /// included: its rows are idempotent).
    async fn next_import_job(&mut self) -> Result<Option<ImportJobRow>>;
    async fn set_import_progress(&mut self, id: Id, done: i64, at: DateTime<Utc>) -> Result<()>;
    /// Done: the result kept, the file dropped.
    async fn finish_import_job(&mut self, id: Id, result: &str, at: DateTime<Utc>) -> Result<()>;
}
