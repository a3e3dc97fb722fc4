//! One digest instead of a flood (issue 15): updates waiting for someone's
//! weekly digest, the digests themselves (one per address and week, by a
//! unique key), and the parts an outbox email has besides its text (an HTML
//! alternative, the one-click unsubscribe URL). An area of [`Tx`](crate::Tx):
//! `Tx` requires it.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use cohort_core::Email;

use crate::{Id, NewEmail, Result};

/// An update waiting for its digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigestItem {
    pub id: Id,
    pub subject: String,
    /// As stored (sealed by the engine).
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// A digest written for one address and week.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigestRow {
    pub id: Id,
    pub to: Email,
    /// The Monday (UTC) of the week it is for.
    pub week: NaiveDate,
    pub created_at: DateTime<Utc>,
    /// The email that carries it, once queued.
    pub outbox_id: Option<Id>,
}

/// What an outbox email carries besides its text body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxParts {
    /// The HTML alternative (sealed by the engine, like the body).
    pub html: String,
    /// The HTTPS one-click unsubscribe URL (RFC 8058).
    pub list_unsubscribe: String,
}

#[async_trait]
pub trait DigestTx: Send {
    /// Keep an update for `to`'s next digest; answers its id.
    async fn add_digest_item(
        &mut self,
        to: &Email,
        subject: &str,
        body: &str,
        at: DateTime<Utc>,
    ) -> Result<Id>;
    /// `to`'s updates no digest told yet, oldest first.
    async fn waiting_digest_items(&mut self, to: &Email) -> Result<Vec<DigestItem>>;
    /// Up to `limit` addresses that may get `week`'s digest and have none
    /// yet: every address with a live pledge or an update waiting, whose
    /// account (if it has one) is on the weekly setting; in address order.
    async fn digest_addresses(&mut self, week: NaiveDate, limit: i64) -> Result<Vec<Email>>;
    /// `to`'s newest digest.
    async fn last_digest(&mut self, to: &Email) -> Result<Option<DigestRow>>;
    async fn digest(&mut self, id: Id) -> Result<Option<DigestRow>>;
    /// Claim `week`'s digest for `to`: its id, or `None` when that week's
    /// digest was already written (by this server or another).
    async fn claim_digest(
        &mut self,
        to: &Email,
        week: NaiveDate,
        at: DateTime<Utc>,
    ) -> Result<Option<Id>>;
    /// The digest went out as outbox email `outbox_id` and told `items`.
    async fn finish_digest(&mut self, digest: Id, outbox_id: Id, items: &[Id]) -> Result<()>;
    /// Queue `email` with its `parts`; answers the outbox id.
    async fn enqueue_with_parts(
        &mut self,
        email: &NewEmail,
        unsubscribe_hash: &str,
        parts: &OutboxParts,
        at: DateTime<Utc>,
    ) -> Result<Id>;
    /// The parts of those of these outbox emails that have any.
    async fn outbox_parts(&mut self, ids: &[Id]) -> Result<Vec<(Id, OutboxParts)>>;
}
