//! [`impl_sql_joint_pledges!`]: `cohort_store::JointPledgesTx` in SQL both
//! backends accept, expanded by each backend next to `impl_sql_joint_events!`.

/// Implements `cohort_store::JointPledgesTx` for `$tx` (a struct with a field
/// `tx: sqlx::Transaction<'static, $db>`).
#[macro_export]
macro_rules! impl_sql_joint_pledges {
    ($tx:ty, $db:ty) => {
        const _: () = {
            use self::sql_shared::{conflict_named};
            use ::cohort_store::{Id, JointPledgesTx, Result, StoreError};
            use ::sqlx::Row as _;

            fn db(e: ::sqlx::Error) -> StoreError {
                conflict_named(e, "joint event pledge")
            }

            #[::async_trait::async_trait]
            impl JointPledgesTx for $tx {
                async fn link_joint_event_pledge(&mut self, pledge_id: Id, event_id: Id) -> Result<()> {
                    ::sqlx::query("INSERT INTO joint_event_pledges (pledge_id, event_id) VALUES ($1, $2)")
                        .bind(pledge_id)
                        .bind(event_id)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    Ok(())
                }

                async fn pledge_joint_event(&mut self, pledge_id: Id) -> Result<Option<Id>> {
                    let row = ::sqlx::query("SELECT event_id FROM joint_event_pledges WHERE pledge_id = $1")
                        .bind(pledge_id)
                        .fetch_optional(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    row.map(|r| r.try_get::<Id, _>("event_id").map_err(db)).transpose()
                }

                async fn joint_event_pledges(&mut self, event_id: Id) -> Result<Vec<Id>> {
                    let rows = ::sqlx::query("SELECT pledge_id FROM joint_event_pledges WHERE event_id = $1 ORDER BY pledge_id")
                        .bind(event_id)
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    rows.iter().map(|r| r.try_get::<Id, _>("pledge_id").map_err(db)).collect()
                }

                async fn joint_event_raised(&mut self, event_id: Id) -> Result<i64> {
                    let row = ::sqlx::query(
                        "SELECT CAST(COALESCE(SUM(p.amount_cents), 0) AS BIGINT) AS raised \
                         FROM joint_event_pledges j JOIN pledges p ON p.id = j.pledge_id \
                         WHERE j.event_id = $1 AND p.kind = 'money' \
                         AND p.status IN ('pending', 'unlocked', 'fulfilled', 'stopped')",
                    )
                    .bind(event_id)
                    .fetch_one(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    row.try_get::<i64, _>("raised").map_err(db)
                }
            }
        };
    };
}
