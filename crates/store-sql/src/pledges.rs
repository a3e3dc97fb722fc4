//! [`impl_sql_pledges!`]: `cohort_store::PledgesTx`, in SQL both backends run.

/// Implements `cohort_store::PledgesTx` for `$tx`. Expanded by each backend after
/// [`impl_sql_tx!`](crate::impl_sql_tx), whose `sql_shared` module (in scope
/// as `self::sql_shared`) holds the row readers and the `Run` endings.
#[macro_export]
macro_rules! impl_sql_pledges {
    ($tx:ty, $db:ty) => {
        const _: () = {
            use self::sql_shared::*;
            use ::chrono::{DateTime, NaiveDate, Utc};
            use ::cohort_core::model::PledgeStatus;
            use ::cohort_core::{Condition, Email};
            use ::cohort_store::*;
            use $crate::{
                ids_to_json, list_placeholders, values_placeholders, WaitingDeltas, CHUNK,
            };

            #[::async_trait::async_trait]
            impl PledgesTx for $tx {
                async fn condition_id(
                    &mut self,
                    slate_id: Id,
                    condition: &Condition,
                ) -> Result<Id> {
                    let source = condition.canonical();
                    let found = ::sqlx::query(
                        "SELECT id FROM conditions WHERE \
                                               slate_id = $1 AND source = $2",
                    )
                    .bind(slate_id)
                    .bind(&source)
                    .opt(self)
                    .await?;
                    if let Some(row) = found {
                        return get(&row, "id");
                    }
                    let row = ::sqlx::query(
                        "INSERT INTO conditions (slate_id, \
                                             source, reads) VALUES ($1, $2, $3) \
                                             RETURNING id",
                    )
                    .bind(slate_id)
                    .bind(&source)
                    .bind(condition.reads().to_bits())
                    .one(self)
                    .await?;
                    get(&row, "id")
                }

                async fn pending_conditions(&mut self, slate_id: Id) -> Result<Vec<ConditionRow>> {
                    let rows = ::sqlx::query(
                        // A scalar subquery with LIMIT 1, not EXISTS: PostgreSQL turns EXISTS
                        // into a semi-join that aggregates every pending pledge (36 ms at 100k);
                        // this probes the partial index once per condition.
                        "SELECT c.id, c.source, c.reads FROM conditions c WHERE \
                         c.slate_id = $1 AND (SELECT 1 FROM pledges p WHERE \
                         p.condition_id = c.id AND p.status = 'pending' LIMIT 1) IS \
                         NOT NULL ORDER BY c.id",
                    )
                    .bind(slate_id)
                    .all(self)
                    .await?;
                    rows.iter().map(condition_from).collect()
                }

                async fn slate_conditions(&mut self, slate_id: Id) -> Result<Vec<ConditionRow>> {
                    let rows = ::sqlx::query(
                        "SELECT id, source, reads FROM \
                                              conditions WHERE slate_id = $1 ORDER \
                                              BY id",
                    )
                    .bind(slate_id)
                    .all(self)
                    .await?;
                    rows.iter().map(condition_from).collect()
                }

                async fn insert_pledge(&mut self, p: &NewPledge) -> Result<Id> {
                    let rows = bind_pledge(::sqlx::query(&INSERT_ONE_PLEDGE), p)?
                        .bind(p.email.as_str())
                        .bind(p.slate_id)
                        .bind(ids_to_json(&p.candidates).unwrap_or_default())
                        .bind(p.kind.money().get())
                        .bind(i64::from(p.kind.hours_per_week()))
                        // Every row, not the first: on SQLite that would stop before the later
                        // statements.
                        .all(self)
                        .await?;
                    get(
                        rows.first().ok_or_else(|| {
                            StoreError::Other(
                                "a pledge \
                                                                      insert \
                                                                      returned no \
                                                                      id"
                                .into(),
                            )
                        })?,
                        "id",
                    )
                }

                async fn insert_pledges(&mut self, pledges: &[NewPledge]) -> Result<()> {
                    for chunk in pledges.chunks(CHUNK / 2) {
                        let sql = format!(
                            "{INSERT_PLEDGES} {} RETURNING id, email",
                            values_placeholders(SIGIL, chunk.len(), PLEDGE_COLS)
                                .replace(")", ", 'pending')")
                        );
                        let mut q = ::sqlx::query(&sql);
                        for p in chunk {
                            q = bind_pledge(q, p)?;
                        }
                        let rows = q.all(self).await?;
                        let donors = rows
                            .iter()
                            .map(|r| Ok((get::<String>(r, "email")?, get::<Id>(r, "id")?)))
                            .collect::<Result<Vec<_>>>()?;
                        self.insert_pledge_donors(&donors).await?;
                    }
                    self.apply_waiting(WaitingDeltas::of_new(pledges)).await?;
                    let mut per_slate: ::std::collections::BTreeMap<
                        Id,
                        (PotDelta, ::std::collections::BTreeMap<&Email, i64>),
                    > = ::std::collections::BTreeMap::new();
                    for p in pledges {
                        let (d, donors) = per_slate.entry(p.slate_id).or_default();
                        d.pending_cents += p.kind.money().get();
                        d.hours_per_week_pending += i64::from(p.kind.hours_per_week());
                        *donors.entry(&p.email).or_default() += 1;
                    }
                    for (slate_id, (mut delta, donors)) in per_slate {
                        let donors: Vec<(Email, i64)> =
                            donors.into_iter().map(|(e, n)| (e.clone(), n)).collect();
                        delta.pledgers += self.add_pledgers(slate_id, &donors).await?;
                        self.add_to_pot(slate_id, &delta).await?;
                    }
                    Ok(())
                }

                async fn record_intake(&mut self, w: &IntakeWrites<'_>) -> Result<IntakeRecorded> {
                    self.intake_writes(w).await
                }

                async fn new_pledge_ids(&mut self, n: usize) -> Result<Vec<Id>> {
                    self.fresh_pledge_ids(n).await
                }

                async fn add_pledgers(
                    &mut self,
                    slate_id: Id,
                    donors: &[(Email, i64)],
                ) -> Result<i64> {
                    let mut new = 0;
                    for chunk in donors.chunks(CHUNK) {
                        let sql = format!(
                            "INSERT INTO pledgers (slate_id, email, live) VALUES {} \
                             ON CONFLICT (slate_id, email) DO UPDATE SET live = \
                             pledgers.live + excluded.live RETURNING email, live",
                            values_placeholders(SIGIL, chunk.len(), 3)
                        );
                        let mut q = ::sqlx::query(&sql);
                        for (email, n) in chunk {
                            q = q.bind(slate_id).bind(email.as_str()).bind(*n);
                        }
                        let rows = q.all(self).await?;
                        // A donor is new to the pot when their live count is exactly what this
                        // call added.
                        let added: ::std::collections::HashMap<&str, i64> =
                            chunk.iter().map(|(e, n)| (e.as_str(), *n)).collect();
                        for row in &rows {
                            let email: String = get(row, "email")?;
                            let live: i64 = get(row, "live")?;
                            if added.get(email.as_str()) == Some(&live) {
                                new += 1;
                            }
                        }
                    }
                    Ok(new)
                }

                async fn pledge(&mut self, id: Id) -> Result<Option<PledgeRow>> {
                    let sql = format!(
                        "SELECT {PLEDGE_COLUMNS} FROM pledges p JOIN conditions c ON \
                         c.id = p.condition_id WHERE p.id = $1"
                    );
                    let row = ::sqlx::query(&sql).bind(id).opt(self).await?;
                    row.as_ref().map(pledge_from).transpose()
                }

                async fn pledge_by_idempotency_key(
                    &mut self,
                    key: &str,
                ) -> Result<Option<PledgeRow>> {
                    let sql = format!(
                        "SELECT {PLEDGE_COLUMNS} FROM pledges p JOIN conditions c ON \
                         c.id = p.condition_id WHERE p.idempotency_key = $1"
                    );
                    let row = ::sqlx::query(&sql).bind(key).opt(self).await?;
                    row.as_ref().map(pledge_from).transpose()
                }

                async fn pledges_by_idempotency_keys(
                    &mut self,
                    keys: &[String],
                ) -> Result<Vec<(String, Id, String)>> {
                    let mut out = Vec::new();
                    for chunk in keys.chunks(CHUNK) {
                        let sql = format!(
                            "SELECT idempotency_key, id, request_hash FROM pledges \
                             WHERE idempotency_key IN ({})",
                            list_placeholders(SIGIL, 1, chunk.len())
                        );
                        let mut q = ::sqlx::query(&sql);
                        for k in chunk {
                            q = q.bind(k.as_str());
                        }
                        for row in q.all(self).await? {
                            out.push((
                                get(&row, "idempotency_key")?,
                                get(&row, "id")?,
                                get(&row, "request_hash")?,
                            ));
                        }
                    }
                    Ok(out)
                }

                async fn set_status(
                    &mut self,
                    id: Id,
                    from: PledgeStatus,
                    to: PledgeStatus,
                ) -> Result<bool> {
                    let row = ::sqlx::query(
                        "UPDATE pledges SET status = $1 WHERE id = $2 AND status = $3 \
                         RETURNING slate_id, amount_cents, hours_per_week, candidates",
                    )
                    .bind(to.as_str())
                    .bind(id)
                    .bind(from.as_str())
                    .opt(self)
                    .await?;
                    let Some(row) = row else { return Ok(false) };
                    if (from == PledgeStatus::Pending) != (to == PledgeStatus::Pending) {
                        let mut w = WaitingDeltas::default();
                        let sign = if to == PledgeStatus::Pending { 1 } else { -1 };
                        w.add(
                            get(&row, "slate_id")?,
                            get(&row, "candidates")?,
                            get(&row, "amount_cents")?,
                            get(&row, "hours_per_week")?,
                            sign,
                        );
                        self.apply_waiting(w).await?;
                    }
                    Ok(true)
                }

                async fn stop_monthly(&mut self, id: Id, at: DateTime<Utc>) -> Result<bool> {
                    // Unlocked pledges are not in `waiting`, so nothing else moves here.
                    let done = ::sqlx::query(
                        "UPDATE pledges SET status = 'stopped', stopped_at = $1 \
                         WHERE id = $2 AND status = 'unlocked' AND kind = 'money' \
                         AND recurring = 'monthly'",
                    )
                    .bind(at)
                    .bind(id)
                    .exec(self)
                    .await?;
                    Ok(done.rows_affected() == 1)
                }

                async fn pot(&mut self, slate_id: Id) -> Result<Pot> {
                    let r = ::sqlx::query("SELECT * FROM pots WHERE slate_id = $1")
                        .bind(slate_id)
                        .one(self)
                        .await?;
                    pot_from(&r)
                }

                async fn add_to_pot(&mut self, slate_id: Id, d: &PotDelta) -> Result<Pot> {
                    let r = ::sqlx::query(
                        "UPDATE pots SET pending_cents = pending_cents + $1, \
                         unlocked_cents = unlocked_cents + $2, pledgers = pledgers + \
                         $3, hours_pending = hours_pending + $4, hours_unlocked = \
                         hours_unlocked + $5, unlogged_unlocks = unlogged_unlocks + \
                         $6 WHERE slate_id = $7 RETURNING *",
                    )
                    .bind(d.pending_cents)
                    .bind(d.unlocked_cents)
                    .bind(d.pledgers)
                    .bind(d.hours_per_week_pending)
                    .bind(d.hours_per_week_unlocked)
                    .bind(d.unlogged_unlocks)
                    .bind(slate_id)
                    .one(self)
                    .await?;
                    pot_from(&r)
                }

                async fn pot_logged(&mut self, slate_id: Id, cents: i64, seq: i64) -> Result<()> {
                    ::sqlx::query(
                        "UPDATE pots SET logged_unlocked_cents = $1, logged_seq = $2, \
                         unlogged_unlocks = 0 WHERE slate_id = $3",
                    )
                    .bind(cents)
                    .bind(seq)
                    .bind(slate_id)
                    .exec(self)
                    .await?;
                    Ok(())
                }

                async fn adjust_pledger(
                    &mut self,
                    slate_id: Id,
                    email: &Email,
                    delta: i64,
                ) -> Result<i64> {
                    let row = ::sqlx::query(
                        "INSERT INTO pledgers (slate_id, email, live) VALUES ($1, \
                         $2, $3) ON CONFLICT (slate_id, email) DO UPDATE SET live = \
                         pledgers.live + excluded.live RETURNING live",
                    )
                    .bind(slate_id)
                    .bind(email.as_str())
                    .bind(delta)
                    .one(self)
                    .await?;
                    get(&row, "live")
                }

                // --- a slate's conversation
                async fn record_pot_history(
                    &mut self,
                    slate_id: Id,
                    day: NaiveDate,
                    pot: &Pot,
                ) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO pot_history (slate_id, day, pending_cents, \
                         unlocked_cents, pledgers) VALUES ($1, $2, $3, $4, $5) ON \
                         CONFLICT (slate_id, day) DO UPDATE SET pending_cents = \
                         excluded.pending_cents, unlocked_cents = \
                         excluded.unlocked_cents, pledgers = excluded.pledgers",
                    )
                    .bind(slate_id)
                    .bind(day)
                    .bind(pot.pending_cents)
                    .bind(pot.unlocked_cents)
                    .bind(pot.pledgers)
                    .exec(self)
                    .await?;
                    Ok(())
                }

                async fn pot_history(&mut self, slate_id: Id) -> Result<Vec<(NaiveDate, Pot)>> {
                    let rows = ::sqlx::query(
                        "SELECT * FROM pot_history WHERE \
                                              slate_id = $1 ORDER BY day",
                    )
                    .bind(slate_id)
                    .all(self)
                    .await?;
                    rows.iter()
                        .map(|r| {
                            Ok((
                                get(r, "day")?,
                                Pot {
                                    pending_cents: get(r, "pending_cents")?,
                                    unlocked_cents: get(r, "unlocked_cents")?,
                                    pledgers: get(r, "pledgers")?,
                                    ..Pot::default()
                                },
                            ))
                        })
                        .collect()
                }

                async fn slate_pledges(&mut self, slate_id: Id) -> Result<Vec<PledgeRow>> {
                    let sql = format!(
                        "SELECT {PLEDGE_COLUMNS} FROM pledges p JOIN conditions c ON \
                         c.id = p.condition_id WHERE p.slate_id = $1 ORDER BY p.id"
                    );
                    let rows = ::sqlx::query(&sql).bind(slate_id).all(self).await?;
                    rows.iter().map(pledge_from).collect()
                }

                async fn pledges_by_email(&mut self, email: &Email) -> Result<Vec<PledgeRow>> {
                    let sql = format!(
                        "SELECT {PLEDGE_COLUMNS} FROM pledge_donors d JOIN pledges p \
                         ON p.id = d.pledge_id JOIN conditions c ON c.id = \
                         p.condition_id WHERE d.email = $1 ORDER BY p.id DESC"
                    );
                    let rows = ::sqlx::query(&sql).bind(email.as_str()).all(self).await?;
                    rows.iter().map(pledge_from).collect()
                }

                async fn set_pledge_donor(&mut self, pledge_id: Id, donor: &Donor) -> Result<bool> {
                    let body = ::serde_json::to_string(donor)
                        .map_err(|e| StoreError::Other(e.to_string()))?;
                    let done = ::sqlx::query(
                        "UPDATE pledges SET donor = $1 WHERE id \
                                              = $2",
                    )
                    .bind(body)
                    .bind(pledge_id)
                    .exec(self)
                    .await?;
                    Ok(done.rows_affected() == 1)
                }
            }
        };
    };
}
