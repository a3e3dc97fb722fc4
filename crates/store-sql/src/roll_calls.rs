//! [`impl_sql_roll_calls!`]: `cohort_store::RollCallsTx` in SQL both
//! backends accept, expanded by each backend next to `impl_sql_tx!`.
//! Bulk writes are multi-row `INSERT … ON CONFLICT DO UPDATE` in chunks of
//! 250 positions or 500 roll calls (the same text on both backends, well
//! under either's parameter limit, and short enough that a busy machine
//! logs no slow-statement warning carrying the whole SQL).

/// Implements `cohort_store::RollCallsTx` for `$tx` (a struct with a field
/// `tx: sqlx::Transaction<'static, $db>`).
#[macro_export]
macro_rules! impl_sql_roll_calls {
    ($tx:ty, $db:ty) => {
        const _: () = {
            use self::sql_shared::{db, DbRow, get, SIGIL};
            use $crate::{list_placeholders, values_placeholders};
            use ::cohort_store::{
                CandidateMemberRow, Id, PlatformVoteRow, PositionRow, Result, RollCallRow,
                RollCallsTx, StoreError,
            };

            const CALL_COLS: &str = "vote_id, chamber, congress, session_year, number, voted_at, voted_on, \
                category, vote_type, question, requires, result, bill, amendment";
            const POSITION_COLS: &str = "p.vote_id, p.member_id, p.party, p.state, p.position";

            fn call_from(r: &DbRow) -> Result<RollCallRow> {
                Ok(RollCallRow {
                    vote_id: get(r, "vote_id")?,
                    chamber: get(r, "chamber")?,
                    congress: get(r, "congress")?,
                    session: get(r, "session_year")?,
                    number: get(r, "number")?,
                    voted_at: get(r, "voted_at")?,
                    voted_on: get(r, "voted_on")?,
                    category: get(r, "category")?,
                    vote_type: get(r, "vote_type")?,
                    question: get(r, "question")?,
                    requires: get(r, "requires")?,
                    result: get(r, "result")?,
                    bill: get(r, "bill")?,
                    amendment: get(r, "amendment")?,
                })
            }

            fn position_from(r: &DbRow) -> Result<PositionRow> {
                Ok(PositionRow {
                    vote_id: get(r, "vote_id")?,
                    member_id: get(r, "member_id")?,
                    party: get(r, "party")?,
                    state: get(r, "state")?,
                    position: get(r, "position")?,
                })
            }

            /// Open ends of a date range as bounds every `YYYY-MM-DD` lies within.
            fn bounds<'a>(from: Option<&'a str>, to: Option<&'a str>) -> (&'a str, &'a str) {
                (from.unwrap_or("0000-00-00"), to.unwrap_or("9999-99-99"))
            }

            #[::async_trait::async_trait]
            impl RollCallsTx for $tx {
                async fn upsert_roll_calls(&mut self, calls: &[RollCallRow]) -> Result<()> {
                    for chunk in calls.chunks(500) {
                        let sql = format!(
                            "INSERT INTO roll_calls ({CALL_COLS}) VALUES {} \
                             ON CONFLICT (vote_id) DO UPDATE SET chamber = excluded.chamber, \
                             congress = excluded.congress, session_year = excluded.session_year, \
                             number = excluded.number, voted_at = excluded.voted_at, \
                             voted_on = excluded.voted_on, category = excluded.category, \
                             vote_type = excluded.vote_type, question = excluded.question, \
                             requires = excluded.requires, result = excluded.result, \
                             bill = excluded.bill, amendment = excluded.amendment",
                            values_placeholders(SIGIL, chunk.len(), 14)
                        );
                        let mut q = ::sqlx::query(&sql);
                        for c in chunk {
                            q = q
                                .bind(c.vote_id.as_str())
                                .bind(c.chamber.as_str())
                                .bind(c.congress)
                                .bind(c.session)
                                .bind(c.number)
                                .bind(c.voted_at.as_str())
                                .bind(c.voted_on.as_str())
                                .bind(c.category.as_str())
                                .bind(c.vote_type.as_str())
                                .bind(c.question.as_str())
                                .bind(c.requires.as_str())
                                .bind(c.result.as_str())
                                .bind(c.bill.as_str())
                                .bind(c.amendment.as_str());
                        }
                        q.execute(&mut *self.tx).await.map_err(db)?;
                    }
                    Ok(())
                }

                async fn upsert_positions(&mut self, positions: &[PositionRow]) -> Result<()> {
                    for chunk in positions.chunks(250) {
                        let sql = format!(
                            "INSERT INTO roll_call_positions (vote_id, member_id, party, state, position) VALUES {} \
                             ON CONFLICT (vote_id, member_id) DO UPDATE SET party = excluded.party, \
                             state = excluded.state, position = excluded.position",
                            values_placeholders(SIGIL, chunk.len(), 5)
                        );
                        let mut q = ::sqlx::query(&sql);
                        for p in chunk {
                            q = q
                                .bind(p.vote_id.as_str())
                                .bind(p.member_id.as_str())
                                .bind(p.party.as_str())
                                .bind(p.state.as_str())
                                .bind(p.position.as_str());
                        }
                        q.execute(&mut *self.tx).await.map_err(db)?;
                    }
                    Ok(())
                }

                async fn roll_call_counts(&mut self) -> Result<(i64, i64)> {
                    let r = ::sqlx::query(
                        "SELECT (SELECT CAST(COUNT(*) AS BIGINT) FROM roll_calls) AS calls, \
                         (SELECT CAST(COUNT(*) AS BIGINT) FROM roll_call_positions) AS positions",
                    )
                    .fetch_one(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok((get(&r, "calls")?, get(&r, "positions")?))
                }

                async fn roll_call(&mut self, vote_id: &str) -> Result<Option<RollCallRow>> {
                    let sql = format!("SELECT {CALL_COLS} FROM roll_calls WHERE vote_id = $1");
                    let r = ::sqlx::query(&sql)
                        .bind(vote_id)
                        .fetch_optional(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    r.as_ref().map(call_from).transpose()
                }

                async fn roll_calls_between(
                    &mut self,
                    chamber: Option<&str>,
                    from: Option<&str>,
                    to: Option<&str>,
                ) -> Result<Vec<RollCallRow>> {
                    let (from, to) = bounds(from, to);
                    let sql = match chamber {
                        Some(_) => format!(
                            "SELECT {CALL_COLS} FROM roll_calls WHERE voted_on >= $1 AND voted_on <= $2 \
                             AND chamber = $3 ORDER BY vote_id"
                        ),
                        None => format!(
                            "SELECT {CALL_COLS} FROM roll_calls WHERE voted_on >= $1 AND voted_on <= $2 \
                             ORDER BY vote_id"
                        ),
                    };
                    let mut q = ::sqlx::query(&sql).bind(from).bind(to);
                    if let Some(c) = chamber {
                        q = q.bind(c);
                    }
                    let rows = q.fetch_all(&mut *self.tx).await.map_err(db)?;
                    rows.iter().map(call_from).collect()
                }

                async fn positions_of(
                    &mut self,
                    members: &[String],
                    from: Option<&str>,
                    to: Option<&str>,
                ) -> Result<Vec<PositionRow>> {
                    if members.is_empty() {
                        return Ok(Vec::new());
                    }
                    let (from, to) = bounds(from, to);
                    let mut out = Vec::new();
                    for chunk in members.chunks(500) {
                        let sql = format!(
                            "SELECT {POSITION_COLS} FROM roll_call_positions p \
                             JOIN roll_calls c ON c.vote_id = p.vote_id \
                             WHERE c.voted_on >= {} AND c.voted_on <= {} AND p.member_id IN ({}) \
                             ORDER BY p.vote_id, p.member_id",
                            list_placeholders(SIGIL, 1, 1),
                            list_placeholders(SIGIL, 2, 2),
                            list_placeholders(SIGIL, 3, chunk.len() + 2)
                        );
                        let mut q = ::sqlx::query(&sql).bind(from).bind(to);
                        for m in chunk {
                            q = q.bind(m.as_str());
                        }
                        let rows = q.fetch_all(&mut *self.tx).await.map_err(db)?;
                        for r in &rows {
                            out.push(position_from(r)?);
                        }
                    }
                    out.sort_by(|a, b| (&a.vote_id, &a.member_id).cmp(&(&b.vote_id, &b.member_id)));
                    Ok(out)
                }

                async fn positions_in(&mut self, chamber: &str) -> Result<Vec<PositionRow>> {
                    let sql = format!(
                        "SELECT {POSITION_COLS} FROM roll_call_positions p \
                         JOIN roll_calls c ON c.vote_id = p.vote_id \
                         WHERE c.chamber = $1 ORDER BY p.vote_id, p.member_id"
                    );
                    let rows = ::sqlx::query(&sql)
                        .bind(chamber)
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    rows.iter().map(position_from).collect()
                }

                async fn set_candidate_member(&mut self, row: &CandidateMemberRow) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO candidate_members (candidate_id, bioguide_id, lis_id) VALUES ($1, $2, $3) \
                         ON CONFLICT (candidate_id) DO UPDATE SET bioguide_id = excluded.bioguide_id, \
                         lis_id = excluded.lis_id",
                    )
                    .bind(row.candidate_id)
                    .bind(row.bioguide_id.as_deref())
                    .bind(row.lis_id.as_deref())
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(())
                }

                async fn candidate_members(&mut self, slate_id: Id) -> Result<Vec<CandidateMemberRow>> {
                    let rows = ::sqlx::query(
                        "SELECT m.candidate_id, m.bioguide_id, m.lis_id FROM candidate_members m \
                         JOIN candidates c ON c.id = m.candidate_id WHERE c.slate_id = $1 \
                         AND (m.bioguide_id IS NOT NULL OR m.lis_id IS NOT NULL) ORDER BY m.candidate_id",
                    )
                    .bind(slate_id)
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    rows.iter()
                        .map(|r| -> Result<CandidateMemberRow> {
                            Ok(CandidateMemberRow {
                                candidate_id: get(r, "candidate_id")?,
                                bioguide_id: get(r, "bioguide_id")?,
                                lis_id: get(r, "lis_id")?,
                            })
                        })
                        .collect()
                }

                async fn put_platform_vote(&mut self, row: &PlatformVoteRow) -> Result<bool> {
                    let existed: Option<i64> = ::sqlx::query_scalar(
                        "SELECT CAST(1 AS BIGINT) FROM platform_votes WHERE slate_id = $1 AND vote_id = $2 AND plank = $3",
                    )
                    .bind(row.slate_id)
                    .bind(row.vote_id.as_str())
                    .bind(row.plank)
                    .fetch_optional(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    ::sqlx::query(
                        "INSERT INTO platform_votes (slate_id, vote_id, plank, position, created_at) \
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (slate_id, vote_id, plank) \
                         DO UPDATE SET position = excluded.position",
                    )
                    .bind(row.slate_id)
                    .bind(row.vote_id.as_str())
                    .bind(row.plank)
                    .bind(row.position.as_str())
                    .bind(row.created_at)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(existed.is_none())
                }

                async fn platform_votes(&mut self, slate_id: Id) -> Result<Vec<PlatformVoteRow>> {
                    let rows = ::sqlx::query(
                        "SELECT slate_id, vote_id, plank, position, created_at FROM platform_votes \
                         WHERE slate_id = $1 ORDER BY vote_id, plank",
                    )
                    .bind(slate_id)
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    rows.iter()
                        .map(|r| -> Result<PlatformVoteRow> {
                            Ok(PlatformVoteRow {
                                slate_id: get(r, "slate_id")?,
                                vote_id: get(r, "vote_id")?,
                                plank: get(r, "plank")?,
                                position: get(r, "position")?,
                                created_at: get(r, "created_at")?,
                            })
                        })
                        .collect()
                }
            }
        };
    };
}
