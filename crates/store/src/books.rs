//! The books: the conduit ledger's events, settings and once-marks, and what
//! was collected.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use cohort_core::{Cents, Email};

use crate::{BookEventRow, Id, Result};

/// The books area of a [`Tx`](crate::Tx).
#[async_trait]
pub trait BooksTx: Send {
    /// Hold the books until commit: writers that read the ledger and append
    /// to it (a forwarding batch, a refund) must not interleave.
    async fn lock_books(&mut self) -> Result<()>;
    /// Append one ledger event under a unique `key`; false (and nothing
    /// written) if an event with that key is already on the books.
    async fn append_book_event(&mut self, key: &str, body: &str, at: DateTime<Utc>)
        -> Result<bool>;
    /// Every ledger event, in the order it was appended.
    async fn book_events(&mut self) -> Result<Vec<BookEventRow>>;
    /// Whether an event with this key is on the books.
    async fn has_book_event(&mut self, key: &str) -> Result<bool>;
    async fn setting(&mut self, key: &str) -> Result<Option<String>>;
    async fn set_setting(&mut self, key: &str, value: &str, at: DateTime<Utc>) -> Result<()>;
    /// Claim `key` once: true the first time, false ever after.
    async fn mark_once(&mut self, key: &str, at: DateTime<Utc>) -> Result<bool>;
    /// What the donor with this email has been charged for each candidate:
    /// the allocations of their installments whose payment succeeded.
    async fn collected_from(&mut self, email: &Email) -> Result<Vec<(Id, Cents)>>;
    /// Every installment whose charge succeeded: pledge, period, amount.
    async fn succeeded_payments(&mut self) -> Result<Vec<(Id, i32, Cents)>>;
}
