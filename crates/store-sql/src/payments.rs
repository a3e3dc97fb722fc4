//! [`impl_sql_payments!`]: `cohort_store::PaymentsTx`, in SQL both backends run.

/// Implements `cohort_store::PaymentsTx` for `$tx`. Expanded by each backend after
/// [`impl_sql_tx!`](crate::impl_sql_tx), whose `sql_shared` module (in scope
/// as `self::sql_shared`) holds the row readers and the `Run` endings.
#[macro_export]
macro_rules! impl_sql_payments {
    ($tx:ty, $db:ty) => {
        const _: () = {
            use self::sql_shared::*;
            use ::chrono::{DateTime, Utc};
            use ::cohort_core::{Cents, Email};
            use ::cohort_store::*;
            use $crate::corrupt;

            #[::async_trait::async_trait]
            impl PaymentsTx for $tx {
                async fn insert_payment_setup(&mut self, s: &PaymentSetupRow) -> Result<bool> {
                    let done = ::sqlx::query(
                        "INSERT INTO payment_setups (pledge_id, customer_id, \
                         setup_intent_id, client_secret, payment_method, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (pledge_id) DO \
                         NOTHING",
                    )
                    .bind(s.pledge_id)
                    .bind(&s.customer_id)
                    .bind(&s.setup_intent_id)
                    .bind(&s.client_secret)
                    .bind(s.payment_method.as_deref())
                    .bind(s.created_at)
                    .exec(self)
                    .await?;
                    Ok(done.rows_affected() == 1)
                }

                async fn payment_setup(
                    &mut self,
                    pledge_id: Id,
                ) -> Result<Option<PaymentSetupRow>> {
                    let row = ::sqlx::query(
                        "SELECT * FROM payment_setups WHERE \
                                             pledge_id = $1",
                    )
                    .bind(pledge_id)
                    .opt(self)
                    .await?;
                    row.map(|r| {
                        Ok(PaymentSetupRow {
                            pledge_id: get(&r, "pledge_id")?,
                            customer_id: get(&r, "customer_id")?,
                            setup_intent_id: get(&r, "setup_intent_id")?,
                            client_secret: get(&r, "client_secret")?,
                            payment_method: get(&r, "payment_method")?,
                            created_at: get(&r, "created_at")?,
                        })
                    })
                    .transpose()
                }

                async fn payment_setup_by_intent(
                    &mut self,
                    setup_intent_id: &str,
                ) -> Result<Option<PaymentSetupRow>> {
                    let id: Option<Id> = ::sqlx::query_scalar(
                        "SELECT pledge_id FROM \
                                                               payment_setups WHERE \
                                                               setup_intent_id = $1",
                    )
                    .bind(setup_intent_id)
                    .fetch_optional(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    match id {
                        Some(id) => self.payment_setup(id).await,
                        None => Ok(None),
                    }
                }

                async fn replace_setup_intent(
                    &mut self,
                    pledge_id: Id,
                    setup_intent_id: &str,
                    client_secret: &str,
                ) -> Result<bool> {
                    let done = ::sqlx::query(
                        "UPDATE payment_setups SET setup_intent_id = $1, \
                         client_secret = $2, payment_method = NULL WHERE pledge_id = \
                         $3",
                    )
                    .bind(setup_intent_id)
                    .bind(client_secret)
                    .bind(pledge_id)
                    .exec(self)
                    .await?;
                    Ok(done.rows_affected() == 1)
                }

                async fn set_payment_method(
                    &mut self,
                    pledge_id: Id,
                    payment_method: &str,
                ) -> Result<bool> {
                    let done = ::sqlx::query(
                        "UPDATE payment_setups SET \
                                              payment_method = $1 WHERE pledge_id = \
                                              $2",
                    )
                    .bind(payment_method)
                    .bind(pledge_id)
                    .exec(self)
                    .await?;
                    Ok(done.rows_affected() == 1)
                }

                async fn due_payments(&mut self, limit: i64) -> Result<Vec<DuePayment>> {
                    // Driven by payment_setups (only pledges taken with a real
                    // gateway have one), so pledge-only installations scan nothing.
                    let rows = ::sqlx::query(
                        "SELECT i.pledge_id, i.period, i.amount_cents - \
                         i.unallocated_cents AS allocated, p.recurring, p.email, \
                         p.slate_id, y.state FROM payment_setups s JOIN pledges p ON \
                         p.id = s.pledge_id AND p.status IN ('unlocked', 'stopped') \
                         JOIN installments i ON i.pledge_id = s.pledge_id LEFT JOIN \
                         payments y ON y.pledge_id = i.pledge_id AND y.period = \
                         i.period WHERE y.pledge_id IS NULL OR y.state = 'charging' \
                         ORDER BY CASE WHEN s.payment_method IS NULL THEN 1 ELSE 0 \
                         END, i.pledge_id, i.period LIMIT $1",
                    )
                    .bind(limit)
                    .all(self)
                    .await?;
                    let mut out = Vec::with_capacity(rows.len());
                    for r in &rows {
                        let pledge_id: Id = get(r, "pledge_id")?;
                        let period: i32 = get(r, "period")?;
                        let recurring: Option<String> = get(r, "recurring")?;
                        let recurring = match recurring.as_deref() {
                            Some("monthly") => ::cohort_core::model::Recurrence::Monthly,
                            _ => ::cohort_core::model::Recurrence::Once,
                        };
                        let email: String = get(r, "email")?;
                        let email = Email::parse(&email).map_err(|e| corrupt("pledges", e))?;
                        let state: Option<String> = get(r, "state")?;
                        let setup = self.payment_setup(pledge_id).await?.ok_or_else(|| {
                            corrupt(
                                "payment_setups",
                                format!(
                                    "setup of pledge \
                                                                   {pledge_id} \
                                                                   vanished"
                                ),
                            )
                        })?;
                        let payment = match state {
                            Some(_) => self.payment(pledge_id, period).await?,
                            None => None,
                        };
                        out.push(DuePayment {
                            pledge_id,
                            period,
                            allocated: Cents(get(r, "allocated")?),
                            recurring,
                            email,
                            slate_id: get(r, "slate_id")?,
                            setup,
                            payment,
                        });
                    }
                    Ok(out)
                }

                async fn upsert_payment(&mut self, y: &PaymentRow) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO payments (pledge_id, period, amount_cents, \
                         state, intent_id, detail, action_secret, attempts, \
                         failed_at, reminded_at, updated_at) VALUES ($1, $2, $3, $4, \
                         $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (pledge_id, \
                         period) DO UPDATE SET amount_cents = excluded.amount_cents, \
                         state = excluded.state, intent_id = excluded.intent_id, \
                         detail = excluded.detail, action_secret = \
                         excluded.action_secret, attempts = excluded.attempts, \
                         failed_at = excluded.failed_at, reminded_at = \
                         excluded.reminded_at, updated_at = excluded.updated_at",
                    )
                    .bind(y.pledge_id)
                    .bind(y.period)
                    .bind(y.amount.get())
                    .bind(y.state.as_str())
                    .bind(y.intent_id.as_deref())
                    .bind(&y.detail)
                    .bind(y.action_secret.as_deref())
                    .bind(y.attempts)
                    .bind(y.failed_at)
                    .bind(y.reminded_at)
                    .bind(y.updated_at)
                    .exec(self)
                    .await?;
                    Ok(())
                }

                async fn payment(
                    &mut self,
                    pledge_id: Id,
                    period: i32,
                ) -> Result<Option<PaymentRow>> {
                    Ok(self
                        .payments(pledge_id)
                        .await?
                        .into_iter()
                        .find(|y| y.period == period))
                }

                async fn payments(&mut self, pledge_id: Id) -> Result<Vec<PaymentRow>> {
                    let rows = ::sqlx::query(
                        "SELECT * FROM payments WHERE pledge_id \
                                              = $1 ORDER BY period",
                    )
                    .bind(pledge_id)
                    .all(self)
                    .await?;
                    rows.iter()
                        .map(|r| {
                            let state: String = get(r, "state")?;
                            Ok(PaymentRow {
                                pledge_id: get(r, "pledge_id")?,
                                period: get(r, "period")?,
                                amount: Cents(get(r, "amount_cents")?),
                                state: PaymentState::parse(&state).ok_or_else(|| {
                                    corrupt("payments", format!("state {state:?}"))
                                })?,
                                intent_id: get(r, "intent_id")?,
                                detail: get(r, "detail")?,
                                action_secret: get(r, "action_secret")?,
                                attempts: get(r, "attempts")?,
                                failed_at: get(r, "failed_at")?,
                                reminded_at: get(r, "reminded_at")?,
                                updated_at: get(r, "updated_at")?,
                            })
                        })
                        .collect()
                }

                async fn payment_by_intent(
                    &mut self,
                    intent_id: &str,
                ) -> Result<Option<PaymentRow>> {
                    let key = ::sqlx::query(
                        "SELECT pledge_id, period FROM payments \
                                             WHERE intent_id = $1",
                    )
                    .bind(intent_id)
                    .opt(self)
                    .await?;
                    match key {
                        Some(r) => {
                            self.payment(get(&r, "pledge_id")?, get(&r, "period")?)
                                .await
                        }
                        None => Ok(None),
                    }
                }

                async fn open_payment_failures(
                    &mut self,
                    opened_by: DateTime<Utc>,
                    limit: i64,
                ) -> Result<Vec<PaymentRow>> {
                    let keys = ::sqlx::query(
                        "SELECT pledge_id, period FROM payments WHERE state IN \
                         ('declined', 'action_required') AND failed_at <= $1 ORDER \
                         BY failed_at, pledge_id LIMIT $2",
                    )
                    .bind(opened_by)
                    .bind(limit)
                    .all(self)
                    .await?;
                    let mut out = Vec::with_capacity(keys.len());
                    for r in &keys {
                        if let Some(y) = self
                            .payment(get(r, "pledge_id")?, get(r, "period")?)
                            .await?
                        {
                            out.push(y);
                        }
                    }
                    Ok(out)
                }

                async fn release_installment(
                    &mut self,
                    pledge_id: Id,
                    period: i32,
                ) -> Result<Cents> {
                    let shares = ::sqlx::query(
                        "SELECT candidate_id, cents FROM \
                                                allocations WHERE pledge_id = $1 AND \
                                                period = $2",
                    )
                    .bind(pledge_id)
                    .bind(period)
                    .all(self)
                    .await?;
                    let mut released = 0i64;
                    for r in &shares {
                        let cents: i64 = get(r, "cents")?;
                        let candidate: Id = get(r, "candidate_id")?;
                        released += cents;
                        ::sqlx::query(
                            "UPDATE candidate_totals SET cents = cents - $1, \
                             contributions = contributions - (CASE WHEN $1 > 0 THEN \
                             1 ELSE 0 END) WHERE candidate_id = $2",
                        )
                        .bind(cents)
                        .bind(candidate)
                        .exec(self)
                        .await?;
                    }
                    ::sqlx::query(
                        "DELETE FROM allocations WHERE pledge_id = $1 AND \
                                   period = $2",
                    )
                    .bind(pledge_id)
                    .bind(period)
                    .exec(self)
                    .await?;
                    ::sqlx::query(
                        "UPDATE installments SET unallocated_cents = \
                                   amount_cents WHERE pledge_id = $1 AND period = $2",
                    )
                    .bind(pledge_id)
                    .bind(period)
                    .exec(self)
                    .await?;
                    Ok(Cents(released))
                }

                async fn record_webhook_event(
                    &mut self,
                    id: &str,
                    kind: &str,
                    at: DateTime<Utc>,
                ) -> Result<bool> {
                    let done = ::sqlx::query(
                        "INSERT INTO webhook_events (id, kind, received_at) VALUES \
                         ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
                    )
                    .bind(id)
                    .bind(kind)
                    .bind(at)
                    .exec(self)
                    .await?;
                    Ok(done.rows_affected() == 1)
                }
            }
        };
    };
}
