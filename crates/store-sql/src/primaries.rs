//! [`impl_sql_primaries!`]: `cohort_store::PrimariesTx`, in SQL both backends run.

/// Implements `cohort_store::PrimariesTx` for `$tx`. Expanded by each backend after
/// [`impl_sql_tx!`](crate::impl_sql_tx), whose `sql_shared` module (in scope
/// as `self::sql_shared`) holds the row readers and the `Run` endings.
#[macro_export]
macro_rules! impl_sql_primaries {
    ($tx:ty, $db:ty) => {
        const _: () = {
            use self::sql_shared::*;
            use ::chrono::{DateTime, NaiveDate, Utc};
            use ::cohort_store::*;

            #[::async_trait::async_trait]
            impl PrimariesTx for $tx {
                async fn record_primary_loss(
                    &mut self,
                    slate_id: Id,
                    candidate_id: Id,
                    on: NaiveDate,
                    at: DateTime<Utc>,
                ) -> Result<bool> {
                    let done = ::sqlx::query(
                        "INSERT INTO primary_losses (candidate_id, slate_id, \
                         lost_on, recorded_at) VALUES ($1, $2, $3, $4) ON CONFLICT \
                         (candidate_id) DO NOTHING",
                    )
                    .bind(candidate_id)
                    .bind(slate_id)
                    .bind(on)
                    .bind(at)
                    .exec(self)
                    .await?;
                    Ok(done.rows_affected() == 1)
                }

                async fn primary_losses(&mut self, slate_id: Id) -> Result<Vec<Id>> {
                    let rows = ::sqlx::query(
                        "SELECT candidate_id FROM \
                                              primary_losses WHERE slate_id = $1 \
                                              ORDER BY candidate_id",
                    )
                    .bind(slate_id)
                    .all(self)
                    .await?;
                    rows.iter().map(|r| get(r, "candidate_id")).collect()
                }

                async fn insert_general_choice(&mut self, c: &GeneralChoiceRow) -> Result<bool> {
                    let done = ::sqlx::query(
                        "INSERT INTO general_choices (receipt, committee, pledge_id, \
                         amount_cents, choice, asked_at, chosen_at) VALUES ($1, $2, \
                         $3, $4, $5, $6, $7) ON CONFLICT (receipt, committee) DO \
                         NOTHING",
                    )
                    .bind(&c.receipt)
                    .bind(&c.committee)
                    .bind(c.pledge_id)
                    .bind(c.amount.get())
                    .bind(&c.choice)
                    .bind(c.asked_at)
                    .bind(c.chosen_at)
                    .exec(self)
                    .await?;
                    Ok(done.rows_affected() == 1)
                }

                async fn general_choices_of(
                    &mut self,
                    pledge_id: Id,
                ) -> Result<Vec<GeneralChoiceRow>> {
                    let rows = ::sqlx::query(
                        "SELECT * FROM general_choices WHERE \
                                              pledge_id = $1 ORDER BY receipt, \
                                              committee",
                    )
                    .bind(pledge_id)
                    .all(self)
                    .await?;
                    rows.iter().map(general_choice_from).collect()
                }

                async fn general_choices_for(
                    &mut self,
                    committee: &str,
                ) -> Result<Vec<GeneralChoiceRow>> {
                    let rows = ::sqlx::query(
                        "SELECT * FROM general_choices WHERE \
                                              committee = $1 ORDER BY receipt",
                    )
                    .bind(committee)
                    .all(self)
                    .await?;
                    rows.iter().map(general_choice_from).collect()
                }

                async fn choose_general(
                    &mut self,
                    receipt: &str,
                    committee: &str,
                    choice: &str,
                    at: DateTime<Utc>,
                ) -> Result<bool> {
                    let done = ::sqlx::query(
                        "UPDATE general_choices SET choice = $1, chosen_at = $2 \
                         WHERE receipt = $3 AND committee = $4 AND choice IS NULL",
                    )
                    .bind(choice)
                    .bind(at)
                    .bind(receipt)
                    .bind(committee)
                    .exec(self)
                    .await?;
                    Ok(done.rows_affected() == 1)
                }
            }
        };
    };
}
