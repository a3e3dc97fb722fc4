//! The email outbox, unsubscribe addresses, and how far each slate's notices
//! have gone.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use cohort_core::Email;

use crate::{Id, NewEmail, OutboxRow, Result};

/// The outbox area of a [`Tx`](crate::Tx).
#[async_trait]
pub trait OutboxTx: Send {
    /// How far notices have been sent for a slate: (event seq, time of the last unlock sent).
    async fn notice_cursor(&mut self, slate_id: Id) -> Result<(i64, Option<DateTime<Utc>>)>;
    async fn set_notice_cursor(
        &mut self,
        slate_id: Id,
        seq: i64,
        last_unlock_at: Option<DateTime<Utc>>,
    ) -> Result<()>;
    /// Queue emails; each carries the SHA-256 of its own unsubscribe secret.
    async fn enqueue_emails(
        &mut self,
        emails: &[(NewEmail, String)],
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// The address an unsubscribe secret (by hash) was sent to.
    async fn unsubscribe_address(&mut self, hash: &str) -> Result<Option<Email>>;
    /// Unsent emails with fewer than `max_attempts` failures, oldest first.
    async fn due_emails(&mut self, max_attempts: i32, limit: i64) -> Result<Vec<OutboxRow>>;
    /// Record a delivery (`sent = Some(at)`) or a failed attempt.
    async fn mark_email(&mut self, id: Id, sent: Option<DateTime<Utc>>) -> Result<()>;
    /// When the last non-transactional email to this address was queued.
    async fn last_update_email(&mut self, to: &Email) -> Result<Option<DateTime<Utc>>>;
    /// Every email queued to one address, newest first (for tests and support).
    async fn emails_to(&mut self, to: &Email) -> Result<Vec<OutboxRow>>;
}
