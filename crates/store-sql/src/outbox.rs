//! [`impl_sql_outbox!`]: `cohort_store::OutboxTx`, in SQL both backends run.

/// Implements `cohort_store::OutboxTx` for `$tx`. Expanded by each backend after
/// [`impl_sql_tx!`](crate::impl_sql_tx), whose `sql_shared` module (in scope
/// as `self::sql_shared`) holds the row readers and the `Run` endings.
#[macro_export]
macro_rules! impl_sql_outbox {
    ($tx:ty, $db:ty) => {
        const _: () = {
            use self::sql_shared::*;
            use ::chrono::{DateTime, Utc};
            use ::cohort_core::Email;
            use ::cohort_store::*;
            use $crate::{corrupt, values_placeholders, CHUNK};

            #[::async_trait::async_trait]
            impl OutboxTx for $tx {
                async fn notice_cursor(
                    &mut self,
                    slate_id: Id,
                ) -> Result<(i64, Option<DateTime<Utc>>)> {
                    let row = ::sqlx::query(
                        "SELECT seq, last_unlock_at FROM notice_cursors \
                                             WHERE slate_id = $1",
                    )
                    .bind(slate_id)
                    .opt(self)
                    .await?;
                    match row {
                        Some(r) => Ok((get(&r, "seq")?, get(&r, "last_unlock_at")?)),
                        None => Ok((0, None)),
                    }
                }

                async fn set_notice_cursor(
                    &mut self,
                    slate_id: Id,
                    seq: i64,
                    last_unlock_at: Option<DateTime<Utc>>,
                ) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO notice_cursors (slate_id, seq, last_unlock_at) \
                         VALUES ($1, $2, $3) ON CONFLICT (slate_id) DO UPDATE SET \
                         seq = excluded.seq, last_unlock_at = excluded.last_unlock_at",
                    )
                    .bind(slate_id)
                    .bind(seq)
                    .bind(last_unlock_at)
                    .exec(self)
                    .await?;
                    Ok(())
                }

                async fn enqueue_emails(
                    &mut self,
                    emails: &[(NewEmail, String)],
                    at: DateTime<Utc>,
                ) -> Result<()> {
                    for chunk in emails.chunks(CHUNK) {
                        let sql = format!(
                            "INSERT INTO outbox ({OUTBOX_COLUMNS}) VALUES \
                                           {}",
                            values_placeholders(SIGIL, chunk.len(), 10)
                        );
                        let mut q = ::sqlx::query(&sql);
                        for (e, hash) in chunk {
                            q = bind_email(q, e, hash, at);
                        }
                        q.exec(self).await?;
                    }
                    Ok(())
                }

                async fn unsubscribe_address(&mut self, hash: &str) -> Result<Option<Email>> {
                    let row = ::sqlx::query(
                        "SELECT to_email FROM outbox WHERE unsubscribe_hash \
                                             = $1",
                    )
                    .bind(hash)
                    .opt(self)
                    .await?;
                    row.map(|r| {
                        let to: String = get(&r, "to_email")?;
                        Email::parse(&to).map_err(|e| corrupt("outbox", e))
                    })
                    .transpose()
                }

                async fn due_emails(
                    &mut self,
                    max_attempts: i32,
                    limit: i64,
                ) -> Result<Vec<OutboxRow>> {
                    let rows = ::sqlx::query(
                        "SELECT * FROM outbox WHERE sent_at IS NULL AND NOT held AND \
                         attempts < $1 ORDER BY id LIMIT $2",
                    )
                    .bind(max_attempts)
                    .bind(limit)
                    .all(self)
                    .await?;
                    rows.iter().map(outbox_from).collect()
                }

                async fn mark_email(&mut self, id: Id, sent: Option<DateTime<Utc>>) -> Result<()> {
                    ::sqlx::query(
                        "UPDATE outbox SET sent_at = $1, attempts = attempts + 1 WHERE \
                                   id = $2",
                    )
                    .bind(sent)
                    .bind(id)
                    .exec(self)
                    .await?;
                    Ok(())
                }

                async fn last_update_email(&mut self, to: &Email) -> Result<Option<DateTime<Utc>>> {
                    let row = ::sqlx::query(
                        "SELECT created_at FROM outbox WHERE to_email = $1 AND NOT \
                         transactional ORDER BY created_at DESC LIMIT 1",
                    )
                    .bind(to.as_str())
                    .opt(self)
                    .await?;
                    row.map(|r| get(&r, "created_at")).transpose()
                }

                async fn emails_to(&mut self, to: &Email) -> Result<Vec<OutboxRow>> {
                    let rows = ::sqlx::query(
                        "SELECT * FROM outbox WHERE to_email = $1 ORDER BY \
                                              id DESC",
                    )
                    .bind(to.as_str())
                    .all(self)
                    .await?;
                    rows.iter().map(outbox_from).collect()
                }

                // --- payments (issue 6). Only `payment_setup` and `payments` parse
                // rows; the other reads find keys and go through them.
            }
        };
    };
}
