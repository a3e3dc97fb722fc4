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
            use $crate::corrupt;

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
                        "SELECT * FROM conversations WHERE \
                                             slate_id = $1",
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
                                    corrupt(
                                        "conversations",
                                        "a result \
                                                                         without its \
                                                                         time",
                                    )
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
                    let r = ::sqlx::query(
                        "INSERT INTO conversations (slate_id, changes, \
                         result_changes, result_votes, result_at, result, warm) \
                         VALUES ($1, $2, $2, $3, $4, $5, $6) ON CONFLICT (slate_id) \
                         DO UPDATE SET result_changes = excluded.result_changes, \
                         result_votes = excluded.result_votes, result_at = \
                         excluded.result_at, result = excluded.result, warm = \
                         excluded.warm WHERE conversations.result_changes IS NULL OR \
                         conversations.result_changes < excluded.result_changes",
                    )
                    .bind(slate_id)
                    .bind(s.changes)
                    .bind(s.votes)
                    .bind(s.computed_at)
                    .bind(&s.result)
                    .bind(&s.warm)
                    .exec(self)
                    .await?;
                    Ok(r.rows_affected() > 0)
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
            }
        };
    };
}
