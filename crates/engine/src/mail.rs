//! Delivering the outbox. Use cases queue emails in the same transaction as
//! what they tell about (a pledge, an invitation); [`Engine::deliver_email`]
//! hands them to a [`Mailer`] afterwards and records each delivery.
//!
//! Delivery is at least once: a crash between the mail server accepting an
//! email and the outbox recording it sends that one email again on restart.
//! Nothing is ever lost by a crash, and a rolled-back use case sends nothing.

use async_trait::async_trait;
use cohort_store::{NewEmail, OutboxParts};

use crate::{Engine, Result};

/// A failed delivery; the email stays queued and is retried.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct MailerError(pub String);

/// Where emails go: SMTP in production (`cohort-mail`).
#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, email: &NewEmail) -> std::result::Result<(), MailerError>;

    /// Send an email that has `parts` besides its text (a digest: an HTML
    /// alternative, opened here, and its one-click unsubscribe URL for the
    /// `List-Unsubscribe` headers of RFC 8058). A mailer that cannot send
    /// them sends the text alone.
    async fn send_with_parts(
        &self,
        email: &NewEmail,
        parts: &OutboxParts,
    ) -> std::result::Result<(), MailerError> {
        let _ = parts;
        self.send(email).await
    }
}

/// An email that failed this many times is left for a person to look at.
pub const MAX_ATTEMPTS: i32 = 8;

impl Engine {
    /// Send what is due, up to `limit` emails; returns how many were sent.
    pub async fn deliver_email(&self, mailer: &dyn Mailer, limit: i64) -> Result<usize> {
        // Held receipts first: release what the hourly cap allows (receipts_cap.rs).
        self.release_held_email().await?;
        let (due, mut parts) = {
            let mut tx = self.store.read().await?;
            let due = tx.due_emails(MAX_ATTEMPTS, limit).await?;
            let ids: Vec<_> = due.iter().map(|r| r.id).collect();
            (due, tx.outbox_parts(&ids).await?)
        };
        let mut sent = 0;
        for mut row in due {
            // Bodies are sealed at rest; open each only to hand it over.
            row.email.body = match self.keys.open(&row.email.body) {
                Ok(body) => body,
                Err(e) => {
                    // Another server (with the right key) can still send it.
                    tracing::warn!(id = row.id, "email left for a server that has its key: {e}");
                    continue;
                }
            };
            let outcome = match parts.iter().position(|(id, _)| *id == row.id) {
                None => mailer.send(&row.email).await,
                Some(i) => {
                    let (_, mut p) = parts.swap_remove(i);
                    p.html = match self.keys.open(&p.html) {
                        Ok(html) => html,
                        Err(e) => {
                            tracing::warn!(
                                id = row.id,
                                "email left for a server that has its key: {e}"
                            );
                            continue;
                        }
                    };
                    mailer.send_with_parts(&row.email, &p).await
                }
            };
            if let Err(e) = &outcome {
                tracing::warn!(id = row.id, to = %row.email.to, "email not delivered: {e}");
            }
            let mut tx = self.store.write().await?;
            tx.mark_email(row.id, outcome.is_ok().then(|| self.now()))
                .await?;
            tx.commit().await?;
            sent += usize::from(outcome.is_ok());
        }
        Ok(sent)
    }

    /// Every email queued to `to`, newest first, bodies opened (support and tests).
    pub async fn emails_to(&self, to: &str) -> Result<Vec<cohort_store::OutboxRow>> {
        let to = cohort_core::Email::parse(to)
            .map_err(|e| crate::EngineError::invalid("email", e.to_string()))?;
        let mut tx = self.store.read().await?;
        let mut rows = tx.emails_to(&to).await?;
        for row in &mut rows {
            if let Ok(body) = self.keys.open(&row.email.body) {
                row.email.body = body;
            }
        }
        Ok(rows)
    }
}
