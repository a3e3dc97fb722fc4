//! [`cohort_store::MailHoldTx`] in SQL both backends accept, expanded by
//! each backend next to `impl_sql_tx!`.

/// Implements `MailHoldTx` for a backend's transaction type (`$tx` has a
/// `tx: sqlx::Transaction<'static, $db>` field).
#[macro_export]
macro_rules! impl_mail_hold_tx {
    ($tx:ty, $db:ty) => {
        const _: () = {
            use self::sql_shared::{db};
            use ::chrono::{DateTime, Utc};
            use ::cohort_core::Email;
            use ::cohort_store::{HeldEmail, Id, MailHoldTx, NewEmail, Result, StoreError};
            use ::sqlx::Row as _;

            #[::async_trait::async_trait]
            impl MailHoldTx for $tx {
                async fn held_addresses(&mut self, limit: i64) -> Result<Vec<Email>> {
                    let rows: Vec<String> = ::sqlx::query_scalar(
                        "SELECT DISTINCT to_email FROM outbox WHERE held AND folded_into IS NULL ORDER BY to_email LIMIT $1",
                    )
                    .bind(limit)
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    rows.iter()
                        .map(|e| Email::parse(e).map_err(|e| $crate::corrupt("outbox", e)))
                        .collect()
                }

                async fn lock_mail_cap(&mut self, to: &Email, at: DateTime<Utc>) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO mail_caps (to_email, checked_at) VALUES ($1, $2) \
                         ON CONFLICT (to_email) DO UPDATE SET checked_at = excluded.checked_at",
                    )
                    .bind(to.as_str())
                    .bind(at)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(())
                }

                async fn held_emails(&mut self, to: &Email) -> Result<Vec<HeldEmail>> {
                    let rows = ::sqlx::query(
                        "SELECT id, subject, body FROM outbox WHERE held AND folded_into IS NULL AND to_email = $1 ORDER BY id",
                    )
                    .bind(to.as_str())
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    rows.iter()
                        .map(|r| -> Result<HeldEmail> {
                            Ok(HeldEmail {
                                id: r.try_get("id").map_err(db)?,
                                subject: r.try_get("subject").map_err(db)?,
                                body: r.try_get("body").map_err(db)?,
                            })
                        })
                        .collect()
                }

                async fn released_since(&mut self, to: &Email, since: DateTime<Utc>) -> Result<i64> {
                    ::sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM outbox WHERE to_email = $1 AND released_at > $2")
                        .bind(to.as_str())
                        .bind(since)
                        .fetch_one(&mut *self.tx)
                        .await
                        .map_err(db)
                }

                async fn release_emails(&mut self, ids: &[Id], at: DateTime<Utc>) -> Result<()> {
                    for id in ids {
                        ::sqlx::query("UPDATE outbox SET held = FALSE, released_at = $1 WHERE id = $2")
                            .bind(at)
                            .bind(*id)
                            .execute(&mut *self.tx)
                            .await
                            .map_err(db)?;
                    }
                    Ok(())
                }

                async fn fold_emails(&mut self, ids: &[Id], into: Id) -> Result<()> {
                    for id in ids {
                        ::sqlx::query("UPDATE outbox SET folded_into = $1 WHERE id = $2")
                            .bind(into)
                            .bind(*id)
                            .execute(&mut *self.tx)
                            .await
                            .map_err(db)?;
                    }
                    Ok(())
                }

                async fn enqueue_released(&mut self, email: &NewEmail, unsubscribe_hash: &str, at: DateTime<Utc>) -> Result<Id> {
                    ::sqlx::query_scalar(
                        "INSERT INTO outbox (to_email, subject, body, transactional, unsubscribe_hash, created_at, held, released_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, FALSE, $6) RETURNING id",
                    )
                    .bind(email.to.as_str())
                    .bind(&email.subject)
                    .bind(&email.body)
                    .bind(email.transactional)
                    .bind(unsubscribe_hash)
                    .bind(at)
                    .fetch_one(&mut *self.tx)
                    .await
                    .map_err(db)
                }

                async fn plain_receipt_tokens(&mut self, limit: i64) -> Result<Vec<(Id, String)>> {
                    let rows = ::sqlx::query("SELECT id, receipt_token FROM pledges WHERE length(receipt_token) <> 64 ORDER BY id LIMIT $1")
                        .bind(limit)
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    rows.iter()
                        .map(|r| -> Result<(Id, String)> { Ok((r.try_get("id").map_err(db)?, r.try_get("receipt_token").map_err(db)?)) })
                        .collect()
                }

                async fn set_receipt_token_hash(&mut self, pledge: Id, hash: &str) -> Result<()> {
                    ::sqlx::query("UPDATE pledges SET receipt_token = $1 WHERE id = $2")
                        .bind(hash)
                        .bind(pledge)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    Ok(())
                }

                async fn unsealed_bodies(&mut self, limit: i64) -> Result<Vec<(Id, String)>> {
                    let rows = ::sqlx::query("SELECT id, body FROM outbox WHERE body NOT LIKE 'sealed:%' ORDER BY id LIMIT $1")
                        .bind(limit)
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    rows.iter()
                        .map(|r| -> Result<(Id, String)> { Ok((r.try_get("id").map_err(db)?, r.try_get("body").map_err(db)?)) })
                        .collect()
                }

                async fn set_email_body(&mut self, id: Id, body: &str) -> Result<()> {
                    ::sqlx::query("UPDATE outbox SET body = $1 WHERE id = $2")
                        .bind(body)
                        .bind(id)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    Ok(())
                }
            }
        };
    };
}
