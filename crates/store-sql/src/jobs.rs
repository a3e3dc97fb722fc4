//! [`impl_sql_jobs!`]: `cohort_store::JobsTx` and `cohort_store::ApiTokensTx`
//! for a backend's transaction type, expanded next to
//! [`impl_sql_tx!`](crate::impl_sql_tx) with the same `$tx`, `$db` and
//! `$row_lock`.

/// Implements the lease and API-token area traits for `$tx` (a struct with
/// a field `tx: sqlx::Transaction<'static, $db>`).
#[macro_export]
macro_rules! impl_sql_jobs {
    ($tx:ty, $db:ty, row_lock = $row_lock:expr) => {
        const _: () = {
            use self::sql_shared::{conflict_named, DbRow, get};
            use ::chrono::{DateTime, Utc};
            use ::cohort_store::*;

            fn db(e: ::sqlx::Error) -> StoreError {
                conflict_named(e, "token")
            }

            fn api_token_from(r: &DbRow) -> Result<ApiTokenRow> {
                let role: String = get(r, "role")?;
                Ok(ApiTokenRow {
                    id: get(r, "id")?,
                    name: get(r, "name")?,
                    grant: TokenRow {
                        role: Role::parse(&role)
                            .ok_or_else(|| $crate::corrupt("tokens", format!("unknown role {role:?}")))?,
                        slate_id: get(r, "slate_id")?,
                        candidate_id: get(r, "candidate_id")?,
                    },
                    created_at: get(r, "created_at")?,
                    expires_at: get(r, "expires_at")?,
                    revoked_at: get(r, "revoked_at")?,
                })
            }

            const TOKEN_COLUMNS: &str = "id, name, role, slate_id, candidate_id, created_at, expires_at, revoked_at";

            #[::async_trait::async_trait]
            impl JobsTx for $tx {
                async fn lease(&mut self, job: &str) -> Result<Option<LeaseRow>> {
                    let sql = format!("SELECT job, holder, generation, expires_at FROM leases WHERE job = $1{}", $row_lock);
                    let row = ::sqlx::query(&sql)
                        .bind(job)
                        .fetch_optional(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    row.map(|r| {
                        Ok(LeaseRow {
                            job: get(&r, "job")?,
                            holder: get(&r, "holder")?,
                            generation: get(&r, "generation")?,
                            expires_at: get(&r, "expires_at")?,
                        })
                    })
                    .transpose()
                }

                async fn put_lease(&mut self, lease: &LeaseRow) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO leases (job, holder, generation, expires_at) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, \
                         generation = excluded.generation, expires_at = excluded.expires_at",
                    )
                    .bind(&lease.job)
                    .bind(&lease.holder)
                    .bind(lease.generation)
                    .bind(lease.expires_at)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(())
                }
            }

            #[::async_trait::async_trait]
            impl ApiTokensTx for $tx {
                async fn insert_api_token(
                    &mut self,
                    hash: &str,
                    grant: &TokenRow,
                    name: &str,
                    created_at: DateTime<Utc>,
                    expires_at: Option<DateTime<Utc>>,
                ) -> Result<Id> {
                    let row = ::sqlx::query(
                        "INSERT INTO tokens (hash, role, slate_id, candidate_id, created_at, name, expires_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    )
                    .bind(hash)
                    .bind(grant.role.as_str())
                    .bind(grant.slate_id)
                    .bind(grant.candidate_id)
                    .bind(created_at)
                    .bind(name)
                    .bind(expires_at)
                    .fetch_one(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    get(&row, "id")
                }

                async fn api_token(&mut self, hash: &str) -> Result<Option<ApiTokenRow>> {
                    let sql = format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE hash = $1");
                    let row = ::sqlx::query(&sql)
                        .bind(hash)
                        .fetch_optional(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    row.as_ref().map(api_token_from).transpose()
                }

                async fn api_tokens(&mut self) -> Result<Vec<ApiTokenRow>> {
                    let sql = format!("SELECT {TOKEN_COLUMNS} FROM tokens ORDER BY id");
                    let rows = ::sqlx::query(&sql)
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    rows.iter().map(api_token_from).collect()
                }

                async fn revoke_api_token(&mut self, id: Id, at: DateTime<Utc>) -> Result<bool> {
                    let done = ::sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                        .bind(at)
                        .bind(id)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    Ok(done.rows_affected() == 1)
                }
            }
        };
    };
}
