//! [`impl_sql_sign_in!`]: the one implementation of `cohort_store::SignInTx`,
//! expanded by each backend next to [`impl_sql_tx!`](crate::impl_sql_tx).

/// Implements `cohort_store::SignInTx` for `$tx`, a struct with a field
/// `tx: sqlx::Transaction<'static, $db>`. The same SQL runs on both backends.
#[macro_export]
macro_rules! impl_sql_sign_in {
    ($tx:ty, $db:ty) => {
        const _: () = {
            use self::sql_shared::{db};
            use ::chrono::{DateTime, Utc};
            use ::cohort_store::{Id, Result, SignInTx, StoreError};

            #[::async_trait::async_trait]
            impl SignInTx for $tx {
                async fn count_attempt(&mut self, key: &str, window_start: i64) -> Result<i64> {
                    ::sqlx::query_scalar::<_, i64>(
                        "INSERT INTO attempt_counts (key, window_start, count) VALUES ($1, $2, 1) \
                         ON CONFLICT (key, window_start) DO UPDATE SET count = attempt_counts.count + 1 \
                         RETURNING count",
                    )
                    .bind(key)
                    .bind(window_start)
                    .fetch_one(&mut *self.tx)
                    .await
                    .map_err(db)
                }

                async fn forget_attempts(&mut self, before: i64) -> Result<u64> {
                    let done = ::sqlx::query("DELETE FROM attempt_counts WHERE window_start < $1")
                        .bind(before)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    Ok(done.rows_affected())
                }

                async fn void_sign_in_links(&mut self, user_id: Id, at: DateTime<Utc>) -> Result<u64> {
                    let done = ::sqlx::query(
                        "UPDATE secrets SET used_at = $1 WHERE user_id = $2 AND purpose = 'sign_in' AND used_at IS NULL",
                    )
                    .bind(at)
                    .bind(user_id)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(done.rows_affected())
                }

                async fn end_sessions(&mut self, user_id: Id, keep: Option<&str>) -> Result<u64> {
                    let done = ::sqlx::query(
                        "DELETE FROM secrets WHERE user_id = $1 AND purpose = 'session' AND hash <> $2",
                    )
                    .bind(user_id)
                    .bind(keep.unwrap_or(""))
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(done.rows_affected())
                }

                async fn set_proven_at(&mut self, hash: &str, at: DateTime<Utc>) -> Result<()> {
                    ::sqlx::query("UPDATE secrets SET proven_at = $1 WHERE hash = $2")
                        .bind(at)
                        .bind(hash)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    Ok(())
                }

                async fn proven_at(&mut self, hash: &str) -> Result<Option<DateTime<Utc>>> {
                    let at = ::sqlx::query_scalar::<_, Option<DateTime<Utc>>>(
                        "SELECT proven_at FROM secrets WHERE hash = $1",
                    )
                    .bind(hash)
                    .fetch_optional(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(at.flatten())
                }
            }
        };
    };
}
