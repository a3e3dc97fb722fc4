//! [`impl_sql_digest!`]: `cohort_store::DigestTx` in SQL both backends
//! accept, expanded by each backend next to `impl_sql_tx!`.

/// Implements `cohort_store::DigestTx` for `$tx` (a struct with a field
/// `tx: sqlx::Transaction<'static, $db>`).
#[macro_export]
macro_rules! impl_sql_digest {
    ($tx:ty, $db:ty) => {
        const _: () = {
            use self::sql_shared::{db, DbRow, get};
            use ::chrono::{DateTime, NaiveDate, Utc};
            use ::cohort_core::Email;
            use ::cohort_store::{
                DigestItem, DigestRow, DigestTx, Id, NewEmail, OutboxParts, Result, StoreError,
            };
            use $crate::corrupt;

            fn email(table: &'static str, s: &str) -> Result<Email> {
                Email::parse(s).map_err(|e| corrupt(table, e))
            }

            fn digest_from(r: &DbRow) -> Result<DigestRow> {
                let to: String = get(r, "to_email")?;
                Ok(DigestRow {
                    id: get(r, "id")?,
                    to: email("digests", &to)?,
                    week: get(r, "week")?,
                    created_at: get(r, "created_at")?,
                    outbox_id: get(r, "outbox_id")?,
                })
            }

            #[::async_trait::async_trait]
            impl DigestTx for $tx {
                async fn add_digest_item(
                    &mut self,
                    to: &Email,
                    subject: &str,
                    body: &str,
                    at: DateTime<Utc>,
                ) -> Result<Id> {
                    ::sqlx::query_scalar(
                        "INSERT INTO digest_items (to_email, subject, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                    )
                    .bind(to.as_str())
                    .bind(subject)
                    .bind(body)
                    .bind(at)
                    .fetch_one(&mut *self.tx)
                    .await
                    .map_err(db)
                }

                async fn waiting_digest_items(&mut self, to: &Email) -> Result<Vec<DigestItem>> {
                    let rows = ::sqlx::query(
                        "SELECT id, subject, body, created_at FROM digest_items \
                         WHERE to_email = $1 AND digest_id IS NULL ORDER BY id",
                    )
                    .bind(to.as_str())
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    rows.iter()
                        .map(|r| -> Result<DigestItem> {
                            Ok(DigestItem {
                                id: get(r, "id")?,
                                subject: get(r, "subject")?,
                                body: get(r, "body")?,
                                created_at: get(r, "created_at")?,
                            })
                        })
                        .collect()
                }

                async fn digest_addresses(&mut self, week: NaiveDate, limit: i64) -> Result<Vec<Email>> {
                    let rows: Vec<String> = ::sqlx::query_scalar(
                        "SELECT a.to_email FROM ( \
                             SELECT email AS to_email FROM pledges WHERE status <> 'cancelled' \
                             UNION SELECT to_email FROM digest_items WHERE digest_id IS NULL \
                         ) a LEFT JOIN users u ON u.email = a.to_email \
                         WHERE COALESCE(u.email_prefs, 'weekly') = 'weekly' \
                           AND NOT EXISTS (SELECT 1 FROM digests d WHERE d.to_email = a.to_email AND d.week = $1) \
                         ORDER BY a.to_email LIMIT $2",
                    )
                    .bind(week)
                    .bind(limit)
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    rows.iter().map(|e| email("pledges", e)).collect()
                }

                async fn last_digest(&mut self, to: &Email) -> Result<Option<DigestRow>> {
                    let row = ::sqlx::query(
                        "SELECT id, to_email, week, created_at, outbox_id FROM digests \
                         WHERE to_email = $1 ORDER BY week DESC LIMIT 1",
                    )
                    .bind(to.as_str())
                    .fetch_optional(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    row.as_ref().map(digest_from).transpose()
                }

                async fn digest(&mut self, id: Id) -> Result<Option<DigestRow>> {
                    let row = ::sqlx::query(
                        "SELECT id, to_email, week, created_at, outbox_id FROM digests WHERE id = $1",
                    )
                    .bind(id)
                    .fetch_optional(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    row.as_ref().map(digest_from).transpose()
                }

                async fn claim_digest(
                    &mut self,
                    to: &Email,
                    week: NaiveDate,
                    at: DateTime<Utc>,
                ) -> Result<Option<Id>> {
                    ::sqlx::query_scalar(
                        "INSERT INTO digests (to_email, week, created_at) VALUES ($1, $2, $3) \
                         ON CONFLICT (to_email, week) DO NOTHING RETURNING id",
                    )
                    .bind(to.as_str())
                    .bind(week)
                    .bind(at)
                    .fetch_optional(&mut *self.tx)
                    .await
                    .map_err(db)
                }

                async fn finish_digest(&mut self, digest: Id, outbox_id: Id, items: &[Id]) -> Result<()> {
                    ::sqlx::query("UPDATE digests SET outbox_id = $1 WHERE id = $2")
                        .bind(outbox_id)
                        .bind(digest)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    for id in items {
                        ::sqlx::query("UPDATE digest_items SET digest_id = $1 WHERE id = $2 AND digest_id IS NULL")
                            .bind(digest)
                            .bind(*id)
                            .execute(&mut *self.tx)
                            .await
                            .map_err(db)?;
                    }
                    Ok(())
                }

                async fn enqueue_with_parts(
                    &mut self,
                    email: &NewEmail,
                    unsubscribe_hash: &str,
                    parts: &OutboxParts,
                    at: DateTime<Utc>,
                ) -> Result<Id> {
                    let id: Id = ::sqlx::query_scalar(
                        "INSERT INTO outbox (to_email, subject, body, transactional, unsubscribe_hash, created_at, held) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    )
                    .bind(email.to.as_str())
                    .bind(&email.subject)
                    .bind(&email.body)
                    .bind(email.transactional)
                    .bind(unsubscribe_hash)
                    .bind(at)
                    .bind(email.held)
                    .fetch_one(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    ::sqlx::query("INSERT INTO outbox_parts (outbox_id, html, list_unsubscribe) VALUES ($1, $2, $3)")
                        .bind(id)
                        .bind(&parts.html)
                        .bind(&parts.list_unsubscribe)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    Ok(id)
                }

                async fn outbox_parts(&mut self, ids: &[Id]) -> Result<Vec<(Id, OutboxParts)>> {
                    let mut out = Vec::new();
                    for id in ids {
                        let row = ::sqlx::query(
                            "SELECT html, list_unsubscribe FROM outbox_parts WHERE outbox_id = $1",
                        )
                        .bind(*id)
                        .fetch_optional(&mut *self.tx)
                        .await
                        .map_err(db)?;
                        if let Some(r) = row {
                            out.push((
                                *id,
                                OutboxParts {
                                    html: get(&r, "html")?,
                                    list_unsubscribe: get(&r, "list_unsubscribe")?,
                                },
                            ));
                        }
                    }
                    Ok(out)
                }
            }
        };
    };
}
