//! [`impl_sql_candidate_profiles!`]: `cohort_store::CandidateProfilesTx`, in SQL both backends run.

/// Implements `cohort_store::CandidateProfilesTx` for `$tx`. Expanded by each
/// backend after [`impl_sql_tx!`](crate::impl_sql_tx), whose `sql_shared`
/// module (in scope as `self::sql_shared`) holds the row readers and the
/// `Run` endings.
#[macro_export]
macro_rules! impl_sql_candidate_profiles {
    ($tx:ty, $db:ty) => {
        const _: () = {
            use self::sql_shared::*;
            use ::cohort_store::*;

            #[::async_trait::async_trait]
            impl CandidateProfilesTx for $tx {
                async fn set_candidate_profile(&mut self, p: &CandidateProfileRow) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO candidate_profiles (candidate_id, bio, photo_url, \
                         updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (candidate_id) \
                         DO UPDATE SET bio = excluded.bio, photo_url = excluded.photo_url, \
                         updated_at = excluded.updated_at",
                    )
                    .bind(p.candidate_id)
                    .bind(&p.bio)
                    .bind(&p.photo_url)
                    .bind(p.updated_at)
                    .exec(self)
                    .await?;
                    Ok(())
                }

                async fn candidate_profile(
                    &mut self,
                    candidate_id: Id,
                ) -> Result<Option<CandidateProfileRow>> {
                    let row = ::sqlx::query(
                        "SELECT candidate_id, bio, photo_url, updated_at FROM \
                         candidate_profiles WHERE candidate_id = $1",
                    )
                    .bind(candidate_id)
                    .opt(self)
                    .await?;
                    row.map(|r| {
                        Ok(CandidateProfileRow {
                            candidate_id: get(&r, "candidate_id")?,
                            bio: get(&r, "bio")?,
                            photo_url: get(&r, "photo_url")?,
                            updated_at: get(&r, "updated_at")?,
                        })
                    })
                    .transpose()
                }

                async fn roster_events(
                    &mut self,
                    slate_id: Id,
                    limit: i64,
                ) -> Result<Vec<EventRow>> {
                    let rows = ::sqlx::query(
                        "SELECT * FROM events WHERE slate_id = $1 AND kind IN ($2, $3, \
                         $4, $5, $6, $7) ORDER BY seq LIMIT $8",
                    )
                    .bind(slate_id)
                    .bind(ROSTER_KINDS[0].as_str())
                    .bind(ROSTER_KINDS[1].as_str())
                    .bind(ROSTER_KINDS[2].as_str())
                    .bind(ROSTER_KINDS[3].as_str())
                    .bind(ROSTER_KINDS[4].as_str())
                    .bind(ROSTER_KINDS[5].as_str())
                    .bind(limit)
                    .all(self)
                    .await?;
                    rows.iter().map(event_from).collect()
                }
            }
        };
    };
}
