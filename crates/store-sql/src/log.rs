//! [`impl_sql_log!`]: `cohort_store::LogTx` in SQL both backends accept,
//! expanded by each backend next to `impl_sql_tx!`.

/// Implements `cohort_store::LogTx` for `$tx` (a struct with a field
/// `tx: sqlx::Transaction<'static, $db>`).
#[macro_export]
macro_rules! impl_sql_log {
    ($tx:ty, $db:ty) => {
        const _: () = {
            use self::sql_shared::{conflict_named, event_kind, DbRow, get, SIGIL};
            use $crate::values_placeholders;
            use ::cohort_store::{
                LogCheckpointRow, LogEvent, LogHashRow, LogLeafRow, LogTx, Result, StoreError,
            };

            fn db(e: ::sqlx::Error) -> StoreError {
                conflict_named(e, "log leaf")
            }

            fn leaf(r: &DbRow) -> Result<LogLeafRow> {
                Ok(LogLeafRow {
                    idx: get(r, "idx")?,
                    event_seq: get(r, "event_seq")?,
                    data: get(r, "data")?,
                    commitment: get(r, "commitment")?,
                })
            }

            fn hash(r: &DbRow) -> Result<LogHashRow> {
                Ok(LogHashRow {
                    level: get(r, "level")?,
                    n: get(r, "n")?,
                    hash: get(r, "hash")?,
                })
            }

            #[::async_trait::async_trait]
            impl LogTx for $tx {
                async fn log_size(&mut self) -> Result<i64> {
                    let row = ::sqlx::query("SELECT CAST(COALESCE(MAX(idx) + 1, 0) AS BIGINT) AS size FROM log_leaves")
                        .fetch_one(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    get(&row, "size")
                }

                async fn log_last_event(&mut self) -> Result<i64> {
                    let row = ::sqlx::query("SELECT CAST(COALESCE(MAX(event_seq), 0) AS BIGINT) AS seq FROM log_leaves")
                        .fetch_one(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    get(&row, "seq")
                }

                async fn log_unlogged_count(&mut self, after: i64, upto: i64) -> Result<i64> {
                    let row = ::sqlx::query(
                        "SELECT CAST((SELECT COUNT(*) FROM events WHERE seq > $1 AND seq <= $2) \
                         - (SELECT COUNT(*) FROM log_leaves WHERE event_seq > $1 AND event_seq <= $2) AS BIGINT) AS n",
                    )
                    .bind(after)
                    .bind(upto)
                    .fetch_one(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    get(&row, "n")
                }

                async fn log_unsequenced(&mut self, after: i64, limit: i64) -> Result<Vec<LogEvent>> {
                    let rows = ::sqlx::query(
                        "SELECT e.seq, s.slug, e.kind, e.payload, e.at FROM events e \
                         JOIN slates s ON s.id = e.slate_id \
                         WHERE e.seq > $1 AND NOT EXISTS (SELECT 1 FROM log_leaves l WHERE l.event_seq = e.seq) \
                         ORDER BY e.seq LIMIT $2",
                    )
                    .bind(after)
                    .bind(limit)
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    rows.iter()
                        .map(|r| {
                            Ok(LogEvent {
                                seq: get(r, "seq")?,
                                slug: get(r, "slug")?,
                                kind: event_kind(r)?,
                                payload: get(r, "payload")?,
                                at: get(r, "at")?,
                            })
                        })
                        .collect()
                }

                async fn log_append(&mut self, leaves: &[LogLeafRow], hashes: &[LogHashRow]) -> Result<()> {
                    for chunk in leaves.chunks(300) {
                        let sql = format!("INSERT INTO log_leaves (idx, event_seq, data, commitment) VALUES {}", values_placeholders(SIGIL, chunk.len(), 4));
                        let mut q = ::sqlx::query(&sql);
                        for l in chunk {
                            q = q.bind(l.idx).bind(l.event_seq).bind(&l.data).bind(&l.commitment);
                        }
                        q.execute(&mut *self.tx).await.map_err(db)?;
                    }
                    for chunk in hashes.chunks(300) {
                        let sql = format!("INSERT INTO log_hashes (level, n, hash) VALUES {}", values_placeholders(SIGIL, chunk.len(), 3));
                        let mut q = ::sqlx::query(&sql);
                        for h in chunk {
                            q = q.bind(h.level).bind(h.n).bind(&h.hash);
                        }
                        q.execute(&mut *self.tx).await.map_err(db)?;
                    }
                    Ok(())
                }

                async fn log_hashes(&mut self, at: &[(i32, i64)]) -> Result<Vec<LogHashRow>> {
                    let mut out = Vec::with_capacity(at.len());
                    for &(level, n) in at {
                        let row = ::sqlx::query("SELECT level, n, hash FROM log_hashes WHERE level = $1 AND n = $2")
                            .bind(level)
                            .bind(n)
                            .fetch_optional(&mut *self.tx)
                            .await
                            .map_err(db)?;
                        if let Some(r) = row {
                            out.push(hash(&r)?);
                        }
                    }
                    Ok(out)
                }

                async fn log_hash_range(&mut self, level: i32, from: i64, to: i64) -> Result<Vec<LogHashRow>> {
                    let rows = ::sqlx::query(
                        "SELECT level, n, hash FROM log_hashes WHERE level = $1 AND n >= $2 AND n < $3 ORDER BY n",
                    )
                    .bind(level)
                    .bind(from)
                    .bind(to)
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    rows.iter().map(hash).collect()
                }

                async fn log_leaves(&mut self, from: i64, to: i64) -> Result<Vec<LogLeafRow>> {
                    let rows = ::sqlx::query(
                        "SELECT idx, event_seq, data, commitment FROM log_leaves WHERE idx >= $1 AND idx < $2 ORDER BY idx",
                    )
                    .bind(from)
                    .bind(to)
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    rows.iter().map(leaf).collect()
                }

                async fn log_leaf_by_commitment(&mut self, commitment: &str) -> Result<Option<LogLeafRow>> {
                    let row = ::sqlx::query("SELECT idx, event_seq, data, commitment FROM log_leaves WHERE commitment = $1")
                        .bind(commitment)
                        .fetch_optional(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    row.as_ref().map(leaf).transpose()
                }

                async fn log_leaf_of_event(&mut self, seq: i64) -> Result<Option<LogLeafRow>> {
                    let row = ::sqlx::query("SELECT idx, event_seq, data, commitment FROM log_leaves WHERE event_seq = $1")
                        .bind(seq)
                        .fetch_optional(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    row.as_ref().map(leaf).transpose()
                }

                async fn put_log_checkpoint(&mut self, c: &LogCheckpointRow) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO log_checkpoints (size, note, at) VALUES ($1, $2, $3) \
                         ON CONFLICT (size) DO UPDATE SET note = excluded.note, at = excluded.at",
                    )
                    .bind(c.size)
                    .bind(&c.note)
                    .bind(c.at)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(())
                }

                async fn latest_log_checkpoint(&mut self) -> Result<Option<LogCheckpointRow>> {
                    let row = ::sqlx::query("SELECT size, note, at FROM log_checkpoints ORDER BY size DESC LIMIT 1")
                        .fetch_optional(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    row.map(|r| {
                        Ok(LogCheckpointRow {
                            size: get(&r, "size")?,
                            note: get(&r, "note")?,
                            at: get(&r, "at")?,
                        })
                    })
                    .transpose()
                }
            }
        };
    };
}
