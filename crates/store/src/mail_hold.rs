//! Email nobody proved they asked for, held and folded (issue 14, finding 3),
//! and the one-time sealing of secrets older versions kept in plain text
//! (finding 2). An area of [`Tx`](crate::Tx): `Tx` requires it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use cohort_core::Email;

use crate::{Id, NewEmail, Result};

/// A held email, as the fold step reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldEmail {
    pub id: Id,
    pub subject: String,
    /// As stored (sealed by the engine).
    pub body: String,
}

#[async_trait]
pub trait MailHoldTx: Send {
    /// Up to `limit` addresses with held emails neither released nor folded.
    async fn held_addresses(&mut self, limit: i64) -> Result<Vec<Email>>;
    /// Serialize everyone deciding what `to` may be sent (one row per
    /// address in `mail_caps`, upserted: a row lock on PostgreSQL; SQLite's
    /// writers are exclusive already). Later reads see every earlier decision.
    async fn lock_mail_cap(&mut self, to: &Email, at: DateTime<Utc>) -> Result<()>;
    /// `to`'s held emails neither released nor folded, oldest first.
    async fn held_emails(&mut self, to: &Email) -> Result<Vec<HeldEmail>>;
    /// How many held emails (or summaries of them) were released to `to` after `since`.
    async fn released_since(&mut self, to: &Email, since: DateTime<Utc>) -> Result<i64>;
    /// Let these held emails out: they are delivered like any other.
    async fn release_emails(&mut self, ids: &[Id], at: DateTime<Utc>) -> Result<()>;
    /// These held emails were told in the summary `into`: never delivered themselves.
    async fn fold_emails(&mut self, ids: &[Id], into: Id) -> Result<()>;
    /// Queue `email` released at `at` (a summary); answers its id.
    async fn enqueue_released(
        &mut self,
        email: &NewEmail,
        unsubscribe_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<Id>;

    /// Up to `limit` pledges whose `receipt_token` is not yet a SHA-256 (64 hex digits).
    async fn plain_receipt_tokens(&mut self, limit: i64) -> Result<Vec<(Id, String)>>;
    async fn set_receipt_token_hash(&mut self, pledge: Id, hash: &str) -> Result<()>;
    /// Up to `limit` outbox rows whose body is not sealed (`sealed:` prefix).
    async fn unsealed_bodies(&mut self, limit: i64) -> Result<Vec<(Id, String)>>;
    async fn set_email_body(&mut self, id: Id, body: &str) -> Result<()>;
}
