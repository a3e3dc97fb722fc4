//! [`impl_sql_import_jobs!`]: `cohort_store::ImportJobsTx`, in SQL both backends run.

/// Implements `cohort_store::ImportJobsTx` for `$tx`. Expanded by each
/// backend after [`impl_sql_tx!`](crate::impl_sql_tx), whose `sql_shared`
/// module (in scope as `self::sql_shared`) holds the row readers and the
/// `Run` endings.
#[macro_export]
macro_rules! impl_sql_import_jobs {
    ($tx:ty, $db:ty) => {
        const _: () = {
            use self::sql_shared::*;
            use ::chrono::{DateTime, Utc};
            use ::cohort_store::*;

            const COLUMNS: &str = "id, slate_id, kind, sha256, file, total, done, status, result, \
                                   created_at, updated_at";

            fn import_job_from(r: &DbRow) -> Result<ImportJobRow> {
                Ok(ImportJobRow {
                    id: get(r, "id")?,
                    slate_id: get(r, "slate_id")?,
                    kind: get(r, "kind")?,
                    sha256: get(r, "sha256")?,
                    file: get(r, "file")?,
                    total: get(r, "total")?,
                    done: get(r, "done")?,
                    status: get(r, "status")?,
                    result: get(r, "result")?,
                    created_at: get(r, "created_at")?,
                    updated_at: get(r, "updated_at")?,
                })
            }

            #[::async_trait::async_trait]
            impl ImportJobsTx for $tx {
                async fn insert_import_job(
                    &mut self,
                    slate_id: Id,
                    kind: &str,
                    sha256: &str,
                    file: &str,
                    total: i64,
                    at: DateTime<Utc>,
                ) -> Result<Id> {
                    let row = ::sqlx::query(
                        "INSERT INTO import_jobs (slate_id, kind, sha256, file, total, done, status, \
                         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 0, 'queued', $6, $7) \
                         RETURNING id",
                    )
                    .bind(slate_id)
                    .bind(kind)
                    .bind(sha256)
                    .bind(file)
                    .bind(total)
                    .bind(at)
                    .bind(at)
                    .one(self)
                    .await?;
                    get(&row, "id")
                }

                async fn import_job(&mut self, id: Id) -> Result<Option<ImportJobRow>> {
                    let sql = format!("SELECT {COLUMNS} FROM import_jobs WHERE id = $1");
                    let row = ::sqlx::query(&sql).bind(id).opt(self).await?;
                    row.as_ref().map(import_job_from).transpose()
                }

                async fn next_import_job(&mut self) -> Result<Option<ImportJobRow>> {
                    let sql = format!(
                        "SELECT {COLUMNS} FROM import_jobs WHERE status = 'queued' ORDER BY id LIMIT 1"
                    );
                    let row = ::sqlx::query(&sql).opt(self).await?;
                    row.as_ref().map(import_job_from).transpose()
                }

                async fn set_import_progress(
                    &mut self,
                    id: Id,
                    done: i64,
                    at: DateTime<Utc>,
                ) -> Result<()> {
                    ::sqlx::query("UPDATE import_jobs SET done = $1, updated_at = $2 WHERE id = $3")
                        .bind(done)
                        .bind(at)
                        .bind(id)
                        .exec(self)
                        .await?;
                    Ok(())
                }

                async fn finish_import_job(
                    &mut self,
                    id: Id,
                    result: &str,
                    at: DateTime<Utc>,
                ) -> Result<()> {
                    ::sqlx::query(
                        "UPDATE import_jobs SET status = 'done', result = $1, file = '', \
                         done = total, updated_at = $2 WHERE id = $3",
                    )
                    .bind(result)
                    .bind(at)
                    .bind(id)
                    .exec(self)
                    .await?;
                    Ok(())
                }
            }
        };
    };
}
