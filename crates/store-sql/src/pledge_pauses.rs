//! [`impl_sql_pledge_pauses!`]: `cohort_store::PledgePausesTx` in SQL both
//! backends accept, expanded by each backend next to `impl_sql_joint_pledges!`.

/// Implements `cohort_store::PledgePausesTx` for `$tx` (a struct with a field
/// `tx: sqlx::Transaction<'static, $db>`).
#[macro_export]
macro_rules! impl_sql_pledge_pauses {
    ($tx:ty, $db:ty) => {
        const _: () = {
            use self::sql_shared::{conflict_named};
            use ::chrono::{DateTime, Utc};
            use ::cohort_store::{Id, PauseRow, PledgePausesTx, Result, StoreError};
            use ::sqlx::Row as _;

            fn db(e: ::sqlx::Error) -> StoreError {
                conflict_named(e, "pledge pause")
            }

            #[::async_trait::async_trait]
            impl PledgePausesTx for $tx {
                async fn start_pause(&mut self, pledge_id: Id, reason: &str, at: DateTime<Utc>) -> Result<bool> {
                    let open = ::sqlx::query("SELECT id FROM pledge_pauses WHERE pledge_id = $1 AND resumed_at IS NULL")
                        .bind(pledge_id)
                        .fetch_optional(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    if open.is_some() {
                        return Ok(false);
                    }
                    ::sqlx::query("INSERT INTO pledge_pauses (pledge_id, paused_at, reason) VALUES ($1, $2, $3)")
                        .bind(pledge_id)
                        .bind(at)
                        .bind(reason)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    Ok(true)
                }

                async fn end_pause(&mut self, pledge_id: Id, at: DateTime<Utc>) -> Result<bool> {
                    let done = ::sqlx::query("UPDATE pledge_pauses SET resumed_at = $2 WHERE pledge_id = $1 AND resumed_at IS NULL")
                        .bind(pledge_id)
                        .bind(at)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn pauses(&mut self, pledge_id: Id) -> Result<Vec<PauseRow>> {
                    let rows = ::sqlx::query(
                        "SELECT id, pledge_id, paused_at, reason, resumed_at FROM pledge_pauses WHERE pledge_id = $1 ORDER BY id",
                    )
                    .bind(pledge_id)
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    rows.iter()
                        .map(|r| {
                            Ok(PauseRow {
                                id: r.try_get("id").map_err(db)?,
                                pledge_id: r.try_get("pledge_id").map_err(db)?,
                                paused_at: r.try_get("paused_at").map_err(db)?,
                                reason: r.try_get("reason").map_err(db)?,
                                resumed_at: r.try_get("resumed_at").map_err(db)?,
                            })
                        })
                        .collect()
                }
            }
        };
    };
}
