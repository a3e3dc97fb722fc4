//! [`impl_sql_unlock!`]: `cohort_store::UnlockTx`, in SQL both backends run.

/// Implements `cohort_store::UnlockTx` for `$tx`. Expanded by each backend after
/// [`impl_sql_tx!`](crate::impl_sql_tx), whose `sql_shared` module (in scope
/// as `self::sql_shared`) holds the row readers and the `Run` endings.
#[macro_export]
macro_rules! impl_sql_unlock {
    ($tx:ty, $db:ty) => {
        const _: () = {
            use self::sql_shared::*;
            use ::chrono::{DateTime, NaiveDate, Utc};
            use ::cohort_core::Cents;
            use ::cohort_store::*;
            use $crate::{corrupt, ids_from_json, ids_to_json, WaitingDeltas};

            #[::async_trait::async_trait]
            impl UnlockTx for $tx {
                async fn pending_pledges(
                    &mut self,
                    slate_id: Id,
                    conditions: &[Id],
                    today: NaiveDate,
                ) -> Result<Vec<PendingPledge>> {
                    let mut out = Vec::new();
                    for cond in conditions {
                        let rows = ::sqlx::query(
                            "SELECT id, email, amount_cents, hours_per_week, \
                             candidates FROM pledges WHERE condition_id = $1 AND \
                             status = 'pending' AND slate_id = $2 AND deadline >= $3 \
                             ORDER BY id",
                        )
                        .bind(cond)
                        .bind(slate_id)
                        .bind(today)
                        .all(self)
                        .await?;
                        for r in &rows {
                            out.push(pending_from(r)?);
                        }
                    }
                    Ok(out)
                }

                async fn record_unlocks(
                    &mut self,
                    ids: &[Id],
                    installments: &[Installment],
                    at: DateTime<Utc>,
                ) -> Result<u64> {
                    let moved = self.mark_unlocked(ids, at).await?;
                    self.record_installments(installments, at).await?;
                    Ok(moved)
                }

                async fn record_installments(
                    &mut self,
                    installments: &[Installment],
                    at: DateTime<Utc>,
                ) -> Result<()> {
                    self.insert_installments(installments, at).await?;
                    // Per-candidate totals, kept here so reading them never scans allocations.
                    let mut totals: ::std::collections::BTreeMap<Id, (i64, i64)> =
                        ::std::collections::BTreeMap::new();
                    for a in installments
                        .iter()
                        .flat_map(|i| &i.allocations)
                        .filter(|a| a.cents > Cents::ZERO)
                    {
                        let t = totals.entry(a.candidate_id).or_default();
                        t.0 += a.cents.get();
                        t.1 += 1;
                    }
                    for (candidate_id, (cents, contributions)) in totals {
                        ::sqlx::query(
                            "INSERT INTO candidate_totals (candidate_id, cents, \
                             contributions) VALUES ($1, $2, $3) ON CONFLICT \
                             (candidate_id) DO UPDATE SET cents = \
                             candidate_totals.cents + excluded.cents, contributions \
                             = candidate_totals.contributions + \
                             excluded.contributions",
                        )
                        .bind(candidate_id)
                        .bind(cents)
                        .bind(contributions)
                        .exec(self)
                        .await?;
                    }
                    Ok(())
                }

                async fn monthly_pledges(&mut self, slate_id: Id) -> Result<Vec<MonthlyPledge>> {
                    let rows = ::sqlx::query(
                        "SELECT p.id, p.email, p.amount_cents, p.hours_per_week, \
                         p.candidates, p.condition_id, p.unlocked_at, CAST((SELECT \
                         MAX(i.period) FROM installments i WHERE i.pledge_id = p.id) \
                         AS INTEGER) AS last_period FROM pledges p WHERE p.slate_id \
                         = $1 AND p.status = 'unlocked' AND p.kind = 'money' AND \
                         p.recurring = 'monthly' ORDER BY p.id",
                    )
                    .bind(slate_id)
                    .all(self)
                    .await?;
                    rows.iter()
                        .map(|r| {
                            let at: Option<DateTime<Utc>> = get(r, "unlocked_at")?;
                            let last: Option<i32> = get(r, "last_period")?;
                            Ok(MonthlyPledge {
                                pledge: pending_from(r)?,
                                condition_id: get(r, "condition_id")?,
                                unlocked_at: at.ok_or_else(|| {
                                    corrupt(
                                        "pledges",
                                        "unlocked pledge without \
                                                        unlocked_at",
                                    )
                                })?,
                                last_period: last.unwrap_or(0),
                            })
                        })
                        .collect()
                }

                async fn expire_pending(
                    &mut self,
                    slate_id: Id,
                    today: NaiveDate,
                ) -> Result<Vec<PendingPledge>> {
                    let rows = ::sqlx::query(
                        "UPDATE pledges SET status = 'expired' WHERE slate_id = $1 \
                         AND status = 'pending' AND deadline < $2 RETURNING id, \
                         email, amount_cents, hours_per_week, candidates",
                    )
                    .bind(slate_id)
                    .bind(today)
                    .all(self)
                    .await?;
                    let expired = rows.iter().map(pending_from).collect::<Result<Vec<_>>>()?;
                    let mut w = WaitingDeltas::default();
                    for p in &expired {
                        w.add(
                            slate_id,
                            ids_to_json(&p.candidates),
                            p.amount.get(),
                            p.hours_per_week,
                            -1,
                        );
                    }
                    self.apply_waiting(w).await?;
                    Ok(expired)
                }

                async fn installments(&mut self, pledge_id: Id) -> Result<Vec<Installment>> {
                    let rows = ::sqlx::query(
                        "SELECT * FROM installments WHERE \
                                              pledge_id = $1 ORDER BY period",
                    )
                    .bind(pledge_id)
                    .all(self)
                    .await?;
                    let allocs = ::sqlx::query(
                        "SELECT * FROM allocations WHERE \
                                                pledge_id = $1 ORDER BY period, \
                                                candidate_id",
                    )
                    .bind(pledge_id)
                    .all(self)
                    .await?;
                    let mut out = rows
                        .iter()
                        .map(|r| {
                            Ok(Installment {
                                pledge_id,
                                period: get(r, "period")?,
                                amount: Cents(get(r, "amount_cents")?),
                                unallocated: Cents(get(r, "unallocated_cents")?),
                                allocations: Vec::new(),
                            })
                        })
                        .collect::<Result<Vec<_>>>()?;
                    for a in &allocs {
                        let period: i32 = get(a, "period")?;
                        let share = AllocationShare {
                            candidate_id: get(a, "candidate_id")?,
                            election: election_from(a, "allocations")?,
                            cents: Cents(get(a, "cents")?),
                        };
                        match out.iter_mut().find(|i| i.period == period) {
                            Some(i) => i.allocations.push(share),
                            None => {
                                return Err(corrupt(
                                    "allocations",
                                    format!(
                                        "pledge {pledge_id} period {period} has no \
                                         installment"
                                    ),
                                ))
                            }
                        }
                    }
                    Ok(out)
                }

                async fn given(&mut self, slate_id: Id) -> Result<Vec<GivenRow>> {
                    let rows = ::sqlx::query(
                        "SELECT p.email, a.candidate_id, a.election, \
                         CAST(SUM(a.cents) AS BIGINT) AS cents FROM allocations a \
                         JOIN pledges p ON p.id = a.pledge_id WHERE p.slate_id = $1 \
                         GROUP BY p.email, a.candidate_id, a.election",
                    )
                    .bind(slate_id)
                    .all(self)
                    .await?;
                    rows.iter().map(given_from).collect()
                }

                async fn given_elsewhere(&mut self, slate_id: Id) -> Result<Vec<GivenRow>> {
                    // First the few pairs of the same FEC candidate on two slates of
                    // the cycle (usually none: then nothing else is read), then
                    // what each donor gave that candidate there.
                    let pairs = ::sqlx::query(
                        "SELECT mine.candidate_id AS mine, other.candidate_id AS \
                         other, other.slate_id AS other_slate FROM committees mine \
                         JOIN slates ms ON ms.id = mine.slate_id JOIN committees \
                         other ON other.fec_candidate_id = mine.fec_candidate_id AND \
                         other.slate_id <> mine.slate_id JOIN slates os ON os.id = \
                         other.slate_id AND os.cycle = ms.cycle WHERE mine.slate_id \
                         = $1 AND mine.fec_candidate_id <> ''",
                    )
                    .bind(slate_id)
                    .all(self)
                    .await?;
                    let mut out = Vec::new();
                    for pair in &pairs {
                        let mine: Id = get(pair, "mine")?;
                        let rows = ::sqlx::query(
                            "SELECT p.email, a.candidate_id, a.election, \
                             CAST(SUM(a.cents) AS BIGINT) AS cents FROM pledges p \
                             JOIN allocations a ON a.pledge_id = p.id WHERE \
                             p.slate_id = $1 AND a.candidate_id = $2 GROUP BY \
                             p.email, a.candidate_id, a.election",
                        )
                        .bind(get::<Id>(pair, "other_slate")?)
                        .bind(get::<Id>(pair, "other")?)
                        .all(self)
                        .await?;
                        for r in &rows {
                            out.push(GivenRow {
                                candidate_id: mine,
                                ..given_from(r)?
                            });
                        }
                    }
                    Ok(out)
                }

                async fn candidate_totals(&mut self, slate_id: Id) -> Result<Vec<CandidateTotal>> {
                    let rows = ::sqlx::query(
                        "SELECT c.id, COALESCE(t.cents, 0) AS cents, \
                         COALESCE(t.contributions, 0) AS contributions FROM \
                         candidates c LEFT JOIN candidate_totals t ON t.candidate_id \
                         = c.id WHERE c.slate_id = $1 ORDER BY c.id",
                    )
                    .bind(slate_id)
                    .all(self)
                    .await?;
                    rows.iter()
                        .map(|r| {
                            Ok(CandidateTotal {
                                candidate_id: get(r, "id")?,
                                cents: Cents(get(r, "cents")?),
                                contributions: get(r, "contributions")?,
                            })
                        })
                        .collect()
                }

                async fn waiting(&mut self, slate_id: Id) -> Result<Vec<WaitingRow>> {
                    let rows = ::sqlx::query(
                        "SELECT chosen, cents, hours, pledges FROM waiting WHERE \
                         slate_id = $1 AND pledges > 0 ORDER BY chosen",
                    )
                    .bind(slate_id)
                    .all(self)
                    .await?;
                    rows.iter()
                        .map(|r| {
                            let chosen: String = get(r, "chosen")?;
                            Ok(WaitingRow {
                                chosen: ids_from_json(Some(chosen).filter(|c| !c.is_empty()))?,
                                cents: Cents(get(r, "cents")?),
                                hours_per_week: get(r, "hours")?,
                                pledges: get(r, "pledges")?,
                            })
                        })
                        .collect()
                }

                async fn pledges_unlocked_at(
                    &mut self,
                    slate_id: Id,
                    at: DateTime<Utc>,
                ) -> Result<Vec<PledgeRow>> {
                    let sql = format!(
                        "SELECT {PLEDGE_COLUMNS} FROM pledges p JOIN conditions c ON \
                         c.id = p.condition_id WHERE p.slate_id = $1 AND \
                         p.unlocked_at = $2 ORDER BY p.id"
                    );
                    let rows = ::sqlx::query(&sql)
                        .bind(slate_id)
                        .bind(at)
                        .all(self)
                        .await?;
                    rows.iter().map(pledge_from).collect()
                }

                async fn allocation_details(
                    &mut self,
                    slate_id: Id,
                ) -> Result<Vec<(AllocationRow, PledgeRow)>> {
                    let sql = format!(
                        "SELECT a.pledge_id, a.period, a.candidate_id, a.election, \
                         a.cents, {PLEDGE_COLUMNS} FROM allocations a JOIN pledges p \
                         ON p.id = a.pledge_id JOIN conditions c ON c.id = \
                         p.condition_id WHERE p.slate_id = $1 ORDER BY a.pledge_id, \
                         a.period, a.candidate_id"
                    );
                    let rows = ::sqlx::query(&sql).bind(slate_id).all(self).await?;
                    rows.iter()
                        .map(|r| {
                            let a = AllocationRow {
                                pledge_id: get(r, "pledge_id")?,
                                period: get(r, "period")?,
                                candidate_id: get(r, "candidate_id")?,
                                election: election_from(r, "allocations")?,
                                cents: Cents(get(r, "cents")?),
                            };
                            Ok((a, pledge_from(r)?))
                        })
                        .collect()
                }
            }
        };
    };
}
