//! [`impl_sql_conversation!`]: `cohort_store::ConversationTx`, in SQL both backends run.

/// Implements `cohort_store::ConversationTx` for `$tx`. Expanded by each backend after
/// [`impl_sql_tx!`](crate::impl_sql_tx), whose `sql_shared` module (in scope
/// as `self::sql_shared`) holds the row readers and the `Run` endings.
#[macro_export]
macro_rules! impl_sql_conversation {
    ($tx:ty, $db:ty) => {
        const _: () = {
            use self::sql_shared::*;
            use ::chrono::{DateTime, Utc};
            use ::cohort_store::*;
            use $crate::{corrupt, values_placeholders};

            fn visitor_vote(r: &DbRow) -> Result<VisitorVoteRow> {
                Ok(VisitorVoteRow {
                    slate_id: get(r, "slate_id")?,
                    statement_id: get(r, "statement_id")?,
                    visitor_id: get(r, "visitor_id")?,
                    vote: get(r, "vote")?,
                    at: get(r, "at")?,
                })
            }

            #[::async_trait::async_trait]
            impl ConversationTx for $tx {
                async fn insert_statement(&mut self, s: &NewStatement) -> Result<StatementRow> {
                    let row = ::sqlx::query(
                        "INSERT INTO conversation_statements (slate_id, body, \
                         author_id, status, seeded, created_at) VALUES ($1, $2, $3, \
                         $4, $5, $6) RETURNING id",
                    )
                    .bind(s.slate_id)
                    .bind(&s.body)
                    .bind(s.author_id)
                    .bind(s.status.as_str())
                    .bind(s.seeded)
                    .bind(s.created_at)
                    .one(self)
                    .await?;
                    Ok(StatementRow {
                        id: get(&row, "id")?,
                        slate_id: s.slate_id,
                        body: s.body.clone(),
                        author_id: s.author_id,
                        status: s.status,
                        seeded: s.seeded,
                        created_at: s.created_at,
                        adopted: None,
                    })
                }

                async fn statements(
                    &mut self,
                    slate_id: Id,
                    only: Option<Id>,
                ) -> Result<Vec<StatementRow>> {
                    let rows = ::sqlx::query(
                        "SELECT * FROM conversation_statements WHERE slate_id = $1 \
                         AND (CAST($2 AS BIGINT) IS NULL OR id = $2) ORDER BY id",
                    )
                    .bind(slate_id)
                    .bind(only)
                    .all(self)
                    .await?;
                    rows.iter()
                        .map(|r| {
                            let status: String = get(r, "status")?;
                            let version: Option<i32> = get(r, "adopted_version")?;
                            let adopted = match version {
                                Some(version) => Some(Adoption {
                                    version,
                                    title: get::<Option<String>>(r, "adopted_title")?
                                        .unwrap_or_default(),
                                    support: get::<Option<String>>(r, "adopted_support")?
                                        .unwrap_or_default(),
                                }),
                                None => None,
                            };
                            Ok(StatementRow {
                                id: get(r, "id")?,
                                slate_id: get(r, "slate_id")?,
                                body: get(r, "body")?,
                                author_id: get(r, "author_id")?,
                                status: StatementStatus::parse(&status).ok_or_else(|| {
                                    corrupt("conversation_statements", format!("status {status:?}"))
                                })?,
                                seeded: get(r, "seeded")?,
                                created_at: get(r, "created_at")?,
                                adopted,
                            })
                        })
                        .collect()
                }

                async fn set_statement_status(
                    &mut self,
                    id: Id,
                    status: StatementStatus,
                ) -> Result<bool> {
                    let r = ::sqlx::query(
                        "UPDATE conversation_statements SET status \
                                           = $1 WHERE id = $2",
                    )
                    .bind(status.as_str())
                    .bind(id)
                    .exec(self)
                    .await?;
                    Ok(r.rows_affected() > 0)
                }

                async fn set_statement_adopted(&mut self, id: Id, a: &Adoption) -> Result<()> {
                    ::sqlx::query(
                        "UPDATE conversation_statements SET adopted_version = $1, \
                         adopted_title = $2, adopted_support = $3 WHERE id = $4",
                    )
                    .bind(a.version)
                    .bind(&a.title)
                    .bind(&a.support)
                    .bind(id)
                    .exec(self)
                    .await?;
                    Ok(())
                }

                async fn upsert_vote(&mut self, slate_id: Id, v: &VoteRow) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO conversation_votes (statement_id, user_id, \
                         slate_id, vote, at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT \
                         (statement_id, user_id) DO UPDATE SET vote = excluded.vote, \
                         at = excluded.at",
                    )
                    .bind(v.statement_id)
                    .bind(v.user_id)
                    .bind(slate_id)
                    .bind(v.vote)
                    .bind(v.at)
                    .exec(self)
                    .await?;
                    Ok(())
                }

                async fn votes_of(&mut self, slate_id: Id, user_id: Id) -> Result<Vec<VoteRow>> {
                    let rows = ::sqlx::query(
                        "SELECT statement_id, user_id, vote, at FROM \
                         conversation_votes WHERE slate_id = $1 AND user_id = $2 \
                         ORDER BY statement_id",
                    )
                    .bind(slate_id)
                    .bind(user_id)
                    .all(self)
                    .await?;
                    rows.iter()
                        .map(|r| {
                            Ok(VoteRow {
                                statement_id: get(r, "statement_id")?,
                                user_id: get(r, "user_id")?,
                                vote: get(r, "vote")?,
                                at: get(r, "at")?,
                            })
                        })
                        .collect()
                }

                async fn conversation_votes(&mut self, slate_id: Id) -> Result<Vec<VoteRow>> {
                    let rows = ::sqlx::query(
                        "SELECT statement_id, user_id, vote, at FROM \
                         conversation_votes WHERE slate_id = $1 ORDER BY user_id, \
                         statement_id",
                    )
                    .bind(slate_id)
                    .all(self)
                    .await?;
                    rows.iter()
                        .map(|r| {
                            Ok(VoteRow {
                                statement_id: get(r, "statement_id")?,
                                user_id: get(r, "user_id")?,
                                vote: get(r, "vote")?,
                                at: get(r, "at")?,
                            })
                        })
                        .collect()
                }

                async fn visitor_by_token_hash(&mut self, token_hash: &str) -> Result<Option<Id>> {
                    let row =
                        ::sqlx::query("SELECT id FROM conversation_visitors WHERE token_hash = $1")
                            .bind(token_hash)
                            .opt(self)
                            .await?;
                    row.map(|r| get(&r, "id")).transpose()
                }

                async fn insert_visitor(
                    &mut self,
                    token_hash: &str,
                    at: DateTime<Utc>,
                ) -> Result<Id> {
                    let row = ::sqlx::query(
                        "INSERT INTO conversation_visitors (token_hash, created_at) \
                         VALUES ($1, $2) RETURNING id",
                    )
                    .bind(token_hash)
                    .bind(at)
                    .one(self)
                    .await?;
                    get(&row, "id")
                }

                async fn upsert_visitor_vote(&mut self, v: &VisitorVoteRow) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO conversation_visitor_votes (statement_id, \
                         visitor_id, slate_id, vote, at) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (statement_id, visitor_id) DO UPDATE SET vote = \
                         excluded.vote, at = excluded.at",
                    )
                    .bind(v.statement_id)
                    .bind(v.visitor_id)
                    .bind(v.slate_id)
                    .bind(v.vote)
                    .bind(v.at)
                    .exec(self)
                    .await?;
                    Ok(())
                }

                async fn visitor_votes(
                    &mut self,
                    visitor_id: Id,
                    slate_id: Option<Id>,
                ) -> Result<Vec<VisitorVoteRow>> {
                    let rows = ::sqlx::query(
                        "SELECT slate_id, statement_id, visitor_id, vote, at FROM \
                         conversation_visitor_votes WHERE visitor_id = $1 AND \
                         (CAST($2 AS BIGINT) IS NULL OR slate_id = $2) ORDER BY \
                         slate_id, statement_id",
                    )
                    .bind(visitor_id)
                    .bind(slate_id)
                    .all(self)
                    .await?;
                    rows.iter().map(visitor_vote).collect()
                }

                async fn conversation_visitor_votes(
                    &mut self,
                    slate_id: Id,
                ) -> Result<Vec<VisitorVoteRow>> {
                    let rows = ::sqlx::query(
                        "SELECT slate_id, statement_id, visitor_id, vote, at FROM \
                         conversation_visitor_votes WHERE slate_id = $1 ORDER BY \
                         visitor_id, statement_id",
                    )
                    .bind(slate_id)
                    .all(self)
                    .await?;
                    rows.iter().map(visitor_vote).collect()
                }

                async fn delete_visitor(&mut self, visitor_id: Id) -> Result<()> {
                    ::sqlx::query("DELETE FROM conversation_visitor_votes WHERE visitor_id = $1")
                        .bind(visitor_id)
                        .exec(self)
                        .await?;
                    ::sqlx::query("DELETE FROM conversation_visitors WHERE id = $1")
                        .bind(visitor_id)
                        .exec(self)
                        .await?;
                    Ok(())
                }

                async fn touch_conversation(&mut self, slate_id: Id) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO conversations (slate_id, changes) VALUES ($1, \
                         1) ON CONFLICT (slate_id) DO UPDATE SET changes = \
                         conversations.changes + 1",
                    )
                    .bind(slate_id)
                    .exec(self)
                    .await?;
                    Ok(())
                }

                async fn conversation_state(&mut self, slate_id: Id) -> Result<ConversationState> {
                    let row = ::sqlx::query(
                        "SELECT c.changes, c.result_changes, c.result_votes, c.result_at, \
                         r.result, r.warm FROM conversations c LEFT JOIN \
                         conversation_results r ON r.slate_id = c.slate_id WHERE \
                         c.slate_id = $1",
                    )
                    .bind(slate_id)
                    .opt(self)
                    .await?;
                    let Some(r) = row else {
                        return Ok(ConversationState::default());
                    };
                    let result_changes: Option<i64> = get(&r, "result_changes")?;
                    let result = match result_changes {
                        Some(changes) => Some(StoredResult {
                            changes,
                            votes: get::<Option<i64>>(&r, "result_votes")?.unwrap_or(0),
                            computed_at: get::<Option<DateTime<Utc>>>(&r, "result_at")?
                                .ok_or_else(|| {
                                    corrupt("conversations", "a result without its time")
                                })?,
                            result: get::<Option<String>>(&r, "result")?.unwrap_or_default(),
                            warm: get::<Option<String>>(&r, "warm")?.unwrap_or_default(),
                        }),
                        None => None,
                    };
                    Ok(ConversationState {
                        changes: get(&r, "changes")?,
                        result,
                    })
                }

                async fn save_conversation_result(
                    &mut self,
                    slate_id: Id,
                    s: &StoredResult,
                ) -> Result<bool> {
                    // The stamp first: it says whether this result is newer
                    // than the one stored (an older one is not written).
                    let r = ::sqlx::query(
                        "INSERT INTO conversations (slate_id, changes, \
                         result_changes, result_votes, result_at) \
                         VALUES ($1, $2, $2, $3, $4) ON CONFLICT (slate_id) \
                         DO UPDATE SET result_changes = excluded.result_changes, \
                         result_votes = excluded.result_votes, result_at = \
                         excluded.result_at WHERE conversations.result_changes IS NULL OR \
                         conversations.result_changes < excluded.result_changes",
                    )
                    .bind(slate_id)
                    .bind(s.changes)
                    .bind(s.votes)
                    .bind(s.computed_at)
                    .exec(self)
                    .await?;
                    if r.rows_affected() == 0 {
                        return Ok(false);
                    }
                    // The megabytes apart from the row every vote updates.
                    ::sqlx::query(
                        "INSERT INTO conversation_results (slate_id, result, warm) \
                         VALUES ($1, $2, $3) ON CONFLICT (slate_id) DO UPDATE SET \
                         result = excluded.result, warm = excluded.warm",
                    )
                    .bind(slate_id)
                    .bind(&s.result)
                    .bind(&s.warm)
                    .exec(self)
                    .await?;
                    Ok(true)
                }

                async fn stale_conversations(&mut self) -> Result<Vec<Id>> {
                    let rows = ::sqlx::query(
                        "SELECT slate_id FROM conversations WHERE result_changes IS \
                         NULL OR result_changes < changes ORDER BY slate_id",
                    )
                    .all(self)
                    .await?;
                    rows.iter().map(|r| get(r, "slate_id")).collect()
                }

                async fn save_result_view(&mut self, slate_id: Id, v: &ResultView) -> Result<()> {
                    use $crate::result_view::{dots_text, repness_text, tallies_text};
                    ::sqlx::query(
                        "UPDATE conversations SET view_participants = $2, \
                         view_in_conversation = $3 WHERE slate_id = $1",
                    )
                    .bind(slate_id)
                    .bind(v.participants)
                    .bind(v.in_conversation)
                    .exec(self)
                    .await?;
                    for table in [
                        "conversation_result_statements",
                        "conversation_result_groups",
                        "conversation_result_points",
                        "conversation_result_drawn",
                    ] {
                        ::sqlx::query(&format!("DELETE FROM {table} WHERE slate_id = $1"))
                            .bind(slate_id)
                            .exec(self)
                            .await?;
                    }
                    for chunk in v.statements.chunks(1000) {
                        let sql = format!(
                            "INSERT INTO conversation_result_statements (slate_id, \
                             statement_id, agree, disagree, seen, group_tallies, \
                             group_consensus, group_consensus_rank, agree_rank, \
                             disagree_rank, bridge_votes, bridge_across, bridge_low, \
                             bridge_high, bridges, x, y) VALUES {}",
                            values_placeholders(SIGIL, chunk.len(), 17)
                        );
                        let mut q = ::sqlx::query(&sql);
                        for r in chunk {
                            let b = r.bridge.as_ref();
                            q = q
                                .bind(slate_id)
                                .bind(r.statement_id)
                                .bind(r.overall.agree)
                                .bind(r.overall.disagree)
                                .bind(r.overall.seen)
                                .bind(tallies_text(&r.groups))
                                .bind(r.group_consensus.map(|g| g.0))
                                .bind(r.group_consensus.map(|g| g.1))
                                .bind(r.agree_rank)
                                .bind(r.disagree_rank)
                                .bind(b.map(|b| b.votes))
                                .bind(b.map(|b| b.across))
                                .bind(b.map(|b| b.low))
                                .bind(b.map(|b| b.high))
                                .bind(b.map(|b| b.bridges))
                                .bind(r.point.map(|p| p.0))
                                .bind(r.point.map(|p| p.1));
                        }
                        q.exec(self).await?;
                    }
                    for g in &v.groups {
                        ::sqlx::query(
                            "INSERT INTO conversation_result_groups (slate_id, idx, \
                             group_id, size, repness) VALUES ($1, $2, $3, $4, $5)",
                        )
                        .bind(slate_id)
                        .bind(g.index)
                        .bind(g.group_id)
                        .bind(g.size)
                        .bind(repness_text(&g.repness))
                        .exec(self)
                        .await?;
                    }
                    for chunk in v.points.chunks(2000) {
                        let sql = format!(
                            "INSERT INTO conversation_result_points (slate_id, \
                             participant, x, y, grp, drawn) VALUES {}",
                            values_placeholders(SIGIL, chunk.len(), 6)
                        );
                        let mut q = ::sqlx::query(&sql);
                        for p in chunk {
                            q = q
                                .bind(slate_id)
                                .bind(p.participant)
                                .bind(p.x)
                                .bind(p.y)
                                .bind(p.group)
                                .bind(p.drawn);
                        }
                        q.exec(self).await?;
                    }
                    // The drawn dots again, in one cell: the view reads them
                    // as one value, not ~2,000 rows.
                    ::sqlx::query(
                        "INSERT INTO conversation_result_drawn (slate_id, dots) VALUES ($1, $2)",
                    )
                    .bind(slate_id)
                    .bind(dots_text(v.points.iter().filter(|p| p.drawn)))
                    .exec(self)
                    .await?;
                    Ok(())
                }

                async fn result_view(
                    &mut self,
                    slate_id: Id,
                    you: Option<Id>,
                ) -> Result<Option<ResultView>> {
                    use $crate::result_view::{parse_dots, parse_repness, parse_tallies};
                    // Not `SELECT *`: the full result is what a view avoids.
                    let row = ::sqlx::query(
                        "SELECT changes, result_changes, result_votes, result_at, \
                         view_participants, view_in_conversation FROM conversations \
                         WHERE slate_id = $1",
                    )
                    .bind(slate_id)
                    .opt(self)
                    .await?;
                    let Some(row) = row else { return Ok(None) };
                    let Some(participants) = get::<Option<i64>>(&row, "view_participants")? else {
                        return Ok(None);
                    };
                    let result_changes: Option<i64> = get(&row, "result_changes")?;
                    let result_votes: Option<i64> = get(&row, "result_votes")?;
                    let result_at: Option<DateTime<Utc>> = get(&row, "result_at")?;
                    let stamp = match (result_changes, result_at) {
                        (Some(c), Some(at)) => Some((c, result_votes.unwrap_or(0), at)),
                        _ => None,
                    };
                    let in_conversation: Option<i64> = get(&row, "view_in_conversation")?;
                    let rows = ::sqlx::query(
                        "SELECT * FROM conversation_result_statements WHERE slate_id = $1 \
                         ORDER BY statement_id",
                    )
                    .bind(slate_id)
                    .all(self)
                    .await?;
                    let mut statements = Vec::with_capacity(rows.len());
                    for r in &rows {
                        let gc: Option<f64> = get(r, "group_consensus")?;
                        let gcr: Option<i64> = get(r, "group_consensus_rank")?;
                        let bv: Option<i64> = get(r, "bridge_votes")?;
                        let x: Option<f64> = get(r, "x")?;
                        let y: Option<f64> = get(r, "y")?;
                        statements.push(ResultStatementRow {
                            statement_id: get(r, "statement_id")?,
                            overall: TallyCells {
                                agree: get(r, "agree")?,
                                disagree: get(r, "disagree")?,
                                seen: get(r, "seen")?,
                            },
                            groups: parse_tallies(&get::<String>(r, "group_tallies")?)?,
                            group_consensus: gc.zip(gcr),
                            agree_rank: get(r, "agree_rank")?,
                            disagree_rank: get(r, "disagree_rank")?,
                            bridge: match bv {
                                Some(votes) => Some(BridgeCells {
                                    votes,
                                    across: get::<Option<f64>>(r, "bridge_across")?.unwrap_or(0.0),
                                    low: get::<Option<f64>>(r, "bridge_low")?.unwrap_or(0.0),
                                    high: get::<Option<f64>>(r, "bridge_high")?.unwrap_or(0.0),
                                    bridges: get::<Option<bool>>(r, "bridges")?.unwrap_or(false),
                                }),
                                None => None,
                            },
                            point: x.zip(y),
                        });
                    }
                    let rows = ::sqlx::query(
                        "SELECT * FROM conversation_result_groups WHERE slate_id = $1 \
                         ORDER BY idx",
                    )
                    .bind(slate_id)
                    .all(self)
                    .await?;
                    let mut groups = Vec::with_capacity(rows.len());
                    for r in &rows {
                        groups.push(ResultGroupRow {
                            index: get(r, "idx")?,
                            group_id: get(r, "group_id")?,
                            size: get(r, "size")?,
                            repness: parse_repness(&get::<String>(r, "repness")?)?,
                        });
                    }
                    // The drawn dots are one cell; the viewer's own dot, when
                    // not drawn, is one row by its key.
                    let drawn: Option<String> = ::sqlx::query(
                        "SELECT dots FROM conversation_result_drawn WHERE slate_id = $1",
                    )
                    .bind(slate_id)
                    .opt(self)
                    .await?
                    .map(|r| get(&r, "dots"))
                    .transpose()?;
                    let mut points = parse_dots(drawn.as_deref().unwrap_or_default())?;
                    if let Some(you) = you {
                        let own = ::sqlx::query(
                            "SELECT * FROM conversation_result_points WHERE \
                             slate_id = $1 AND participant = $2 AND drawn = FALSE",
                        )
                        .bind(slate_id)
                        .bind(you)
                        .opt(self)
                        .await?;
                        if let Some(r) = own {
                            points.push(ResultPointRow {
                                participant: get(&r, "participant")?,
                                x: get(&r, "x")?,
                                y: get(&r, "y")?,
                                group: get(&r, "grp")?,
                                drawn: get(&r, "drawn")?,
                            });
                        }
                    }
                    points.sort_by_key(|p| p.participant);
                    Ok(Some(ResultView {
                        changes: get(&row, "changes")?,
                        stamp,
                        participants,
                        in_conversation: in_conversation.unwrap_or(0),
                        statements,
                        groups,
                        points,
                    }))
                }

                async fn insert_downweight(&mut self, d: &NewDownweight) -> Result<Id> {
                    let participants: Vec<String> =
                        d.participants.iter().map(|p| p.to_string()).collect();
                    let row = ::sqlx::query(
                        "INSERT INTO conversation_downweights (slate_id, participants, \
                         burst_from, burst_until, decided_by, decided_at) VALUES ($1, \
                         $2, $3, $4, $5, $6) RETURNING id",
                    )
                    .bind(d.slate_id)
                    .bind(participants.join(","))
                    .bind(d.burst_from)
                    .bind(d.burst_until)
                    .bind(d.decided_by)
                    .bind(d.decided_at)
                    .one(self)
                    .await?;
                    get(&row, "id")
                }

                async fn downweights(&mut self, slate_id: Id) -> Result<Vec<DownweightRow>> {
                    let rows = ::sqlx::query(
                        "SELECT * FROM conversation_downweights WHERE slate_id = $1 \
                         ORDER BY id",
                    )
                    .bind(slate_id)
                    .all(self)
                    .await?;
                    rows.iter()
                        .map(|r| {
                            let text: String = get(r, "participants")?;
                            let participants = text
                                .split(',')
                                .filter(|p| !p.is_empty())
                                .map(|p| {
                                    p.parse::<Id>().map_err(|_| {
                                        corrupt(
                                            "conversation_downweights",
                                            "a participant that is not a number",
                                        )
                                    })
                                })
                                .collect::<Result<Vec<Id>>>()?;
                            Ok(DownweightRow {
                                id: get(r, "id")?,
                                d: NewDownweight {
                                    slate_id: get(r, "slate_id")?,
                                    participants,
                                    burst_from: get(r, "burst_from")?,
                                    burst_until: get(r, "burst_until")?,
                                    decided_by: get(r, "decided_by")?,
                                    decided_at: get(r, "decided_at")?,
                                },
                            })
                        })
                        .collect()
                }
            }
        };
    };
}
