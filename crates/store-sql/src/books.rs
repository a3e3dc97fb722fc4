//! [`impl_sql_books!`]: `cohort_store::BooksTx`, in SQL both backends run.

/// Implements `cohort_store::BooksTx` for `$tx`. Expanded by each backend after
/// [`impl_sql_tx!`](crate::impl_sql_tx), whose `sql_shared` module (in scope
/// as `self::sql_shared`) holds the row readers and the `Run` endings.
#[macro_export]
macro_rules! impl_sql_books {
    ($tx:ty, $db:ty) => {
        const _: () = {
            use self::sql_shared::*;
            use ::chrono::{DateTime, Utc};
            use ::cohort_core::{Cents, Email};
            use ::cohort_store::*;

            #[::async_trait::async_trait]
            impl BooksTx for $tx {
                async fn lock_books(&mut self) -> Result<()> {
                    ::sqlx::query("UPDATE book_lock SET n = n + 1 WHERE id = 1")
                        .exec(self)
                        .await?;
                    Ok(())
                }

                async fn append_book_event(
                    &mut self,
                    key: &str,
                    body: &str,
                    at: DateTime<Utc>,
                ) -> Result<bool> {
                    let done = ::sqlx::query(
                        "INSERT INTO book_events (key, body, recorded_at) VALUES \
                         ($1, $2, $3) ON CONFLICT (key) DO NOTHING",
                    )
                    .bind(key)
                    .bind(body)
                    .bind(at)
                    .exec(self)
                    .await?;
                    Ok(done.rows_affected() == 1)
                }

                async fn book_events(&mut self) -> Result<Vec<BookEventRow>> {
                    let rows = ::sqlx::query(
                        "SELECT seq, key, body, recorded_at FROM \
                                              book_events ORDER BY seq",
                    )
                    .all(self)
                    .await?;
                    rows.iter()
                        .map(|r| {
                            Ok(BookEventRow {
                                seq: get(r, "seq")?,
                                key: get(r, "key")?,
                                body: get(r, "body")?,
                                recorded_at: get(r, "recorded_at")?,
                            })
                        })
                        .collect()
                }

                async fn has_book_event(&mut self, key: &str) -> Result<bool> {
                    let row = ::sqlx::query(
                        "SELECT seq FROM book_events WHERE key = \
                                             $1",
                    )
                    .bind(key)
                    .opt(self)
                    .await?;
                    Ok(row.is_some())
                }

                async fn setting(&mut self, key: &str) -> Result<Option<String>> {
                    let row = ::sqlx::query("SELECT value FROM settings WHERE key = $1")
                        .bind(key)
                        .opt(self)
                        .await?;
                    row.as_ref().map(|r| get(r, "value")).transpose()
                }

                async fn set_setting(
                    &mut self,
                    key: &str,
                    value: &str,
                    at: DateTime<Utc>,
                ) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO settings (key, value, updated_at) VALUES ($1, \
                         $2, $3) ON CONFLICT (key) DO UPDATE SET value = \
                         excluded.value, updated_at = excluded.updated_at",
                    )
                    .bind(key)
                    .bind(value)
                    .bind(at)
                    .exec(self)
                    .await?;
                    Ok(())
                }

                async fn mark_once(&mut self, key: &str, at: DateTime<Utc>) -> Result<bool> {
                    let done = ::sqlx::query(
                        "INSERT INTO once_marks (key, at) \
                                              VALUES ($1, $2) ON CONFLICT (key) DO \
                                              NOTHING",
                    )
                    .bind(key)
                    .bind(at)
                    .exec(self)
                    .await?;
                    Ok(done.rows_affected() == 1)
                }

                async fn collected_from(&mut self, email: &Email) -> Result<Vec<(Id, Cents)>> {
                    let rows = ::sqlx::query(
                        "SELECT a.candidate_id, CAST(SUM(a.cents) AS BIGINT) AS \
                         cents FROM pledge_donors d JOIN payments y ON y.pledge_id = \
                         d.pledge_id JOIN allocations a ON a.pledge_id = y.pledge_id \
                         AND a.period = y.period WHERE d.email = $1 AND y.state = \
                         'succeeded' GROUP BY a.candidate_id ORDER BY a.candidate_id",
                    )
                    .bind(email.as_str())
                    .all(self)
                    .await?;
                    rows.iter()
                        .map(|r| Ok((get(r, "candidate_id")?, Cents(get(r, "cents")?))))
                        .collect()
                }

                async fn succeeded_payments(&mut self) -> Result<Vec<(Id, i32, Cents)>> {
                    let rows = ::sqlx::query(
                        "SELECT pledge_id, period, amount_cents FROM payments WHERE \
                         state = 'succeeded' ORDER BY pledge_id, period",
                    )
                    .all(self)
                    .await?;
                    rows.iter()
                        .map(|r| {
                            Ok((
                                get(r, "pledge_id")?,
                                get(r, "period")?,
                                Cents(get(r, "amount_cents")?),
                            ))
                        })
                        .collect()
                }
            }
        };
    };
}
