//! [`impl_sql_slates!`]: `cohort_store::SlatesTx`, in SQL both backends run.

/// Implements `cohort_store::SlatesTx` for `$tx`. Expanded by each backend after
/// [`impl_sql_tx!`](crate::impl_sql_tx), whose `sql_shared` module (in scope
/// as `self::sql_shared`) holds the row readers and the `Run` endings.
#[macro_export]
macro_rules! impl_sql_slates {
    ($tx:ty, $db:ty) => {
        const _: () = {
            use self::sql_shared::*;
            use ::chrono::{DateTime, Utc};
            use ::cohort_core::limits::LimitTable;
            use ::cohort_core::Condition;
            use ::cohort_store::*;

            #[::async_trait::async_trait]
            impl SlatesTx for $tx {
                async fn insert_slate(&mut self, s: &NewSlate) -> Result<SlateRow> {
                    let limits = ::serde_json::to_string(&s.limits)
                        .map_err(|e| StoreError::Other(e.to_string()))?;
                    let row = ::sqlx::query(
                        "INSERT INTO slates (slug, name, cycle, description, \
                         condition, limits, created_at) VALUES ($1, $2, $3, $4, $5, \
                         $6, $7) RETURNING *",
                    )
                    .bind(s.slug.as_str())
                    .bind(&s.name)
                    .bind(s.cycle)
                    .bind(&s.description)
                    .bind(s.condition.source())
                    .bind(limits)
                    .bind(s.created_at)
                    .one(self)
                    .await?;
                    let slate = slate_from(&row)?;
                    ::sqlx::query("INSERT INTO pots (slate_id) VALUES ($1)")
                        .bind(slate.id)
                        .exec(self)
                        .await?;
                    Ok(slate)
                }

                async fn slate_by_slug(&mut self, slug: &str) -> Result<Option<SlateRow>> {
                    let row = ::sqlx::query("SELECT * FROM slates WHERE slug = $1")
                        .bind(slug)
                        .opt(self)
                        .await?;
                    row.as_ref().map(slate_from).transpose()
                }

                async fn slate(&mut self, id: Id) -> Result<Option<SlateRow>> {
                    let row = ::sqlx::query("SELECT * FROM slates WHERE id = $1")
                        .bind(id)
                        .opt(self)
                        .await?;
                    row.as_ref().map(slate_from).transpose()
                }

                async fn slates(&mut self) -> Result<Vec<SlateRow>> {
                    let rows = ::sqlx::query(
                        "SELECT * FROM slates ORDER BY \
                                              created_at, id",
                    )
                    .all(self)
                    .await?;
                    rows.iter().map(slate_from).collect()
                }

                async fn update_limits(&mut self, slate_id: Id, limits: &LimitTable) -> Result<()> {
                    let json = ::serde_json::to_string(limits)
                        .map_err(|e| StoreError::Other(e.to_string()))?;
                    ::sqlx::query("UPDATE slates SET limits = $1 WHERE id = $2")
                        .bind(json)
                        .bind(slate_id)
                        .exec(self)
                        .await?;
                    Ok(())
                }

                async fn update_slate(
                    &mut self,
                    slate_id: Id,
                    name: &str,
                    description: &str,
                    condition: &Condition,
                ) -> Result<()> {
                    ::sqlx::query(
                        "UPDATE slates SET name = $1, description = $2, \
                                   condition = $3 WHERE id = $4",
                    )
                    .bind(name)
                    .bind(description)
                    .bind(condition.source())
                    .bind(slate_id)
                    .exec(self)
                    .await?;
                    Ok(())
                }

                async fn insert_candidate(
                    &mut self,
                    slate_id: Id,
                    c: &NewCandidate,
                ) -> Result<CandidateRow> {
                    let row = ::sqlx::query(
                        "INSERT INTO candidates (slate_id, slug, name, office, \
                         state, district, primary_date, general_date) VALUES ($1, \
                         $2, $3, $4, $5, $6, $7, $8) RETURNING *",
                    )
                    .bind(slate_id)
                    .bind(c.slug.as_str())
                    .bind(&c.name)
                    .bind(c.race.office.as_str())
                    .bind(&c.race.state)
                    .bind(&c.race.district)
                    .bind(c.race.primary_date)
                    .bind(c.race.general_date)
                    .one(self)
                    .await?;
                    candidate_from(&row)
                }

                async fn candidates(&mut self, slate_id: Id) -> Result<Vec<CandidateRow>> {
                    let rows = ::sqlx::query(
                        "SELECT * FROM candidates WHERE \
                                              slate_id = $1 ORDER BY id",
                    )
                    .bind(slate_id)
                    .all(self)
                    .await?;
                    rows.iter().map(candidate_from).collect()
                }

                async fn upsert_committee(
                    &mut self,
                    c: &CommitteeRow,
                    at: DateTime<Utc>,
                ) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO committees (candidate_id, slate_id, name, \
                         fec_committee_id, fec_candidate_id, treasurer_first, \
                         treasurer_last, street1, street2, city, state, zip, \
                         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
                         $10, $11, $12, $13) ON CONFLICT (candidate_id) DO UPDATE \
                         SET name = excluded.name, fec_committee_id = \
                         excluded.fec_committee_id, fec_candidate_id = \
                         excluded.fec_candidate_id, treasurer_first = \
                         excluded.treasurer_first, treasurer_last = \
                         excluded.treasurer_last, street1 = excluded.street1, \
                         street2 = excluded.street2, city = excluded.city, state = \
                         excluded.state, zip = excluded.zip, updated_at = \
                         excluded.updated_at",
                    )
                    .bind(c.candidate_id)
                    .bind(c.slate_id)
                    .bind(&c.name)
                    .bind(&c.fec_committee_id)
                    .bind(&c.fec_candidate_id)
                    .bind(&c.treasurer_first)
                    .bind(&c.treasurer_last)
                    .bind(&c.street1)
                    .bind(&c.street2)
                    .bind(&c.city)
                    .bind(&c.state)
                    .bind(&c.zip)
                    .bind(at)
                    .exec(self)
                    .await?;
                    Ok(())
                }

                async fn committees(&mut self, slate_id: Id) -> Result<Vec<CommitteeRow>> {
                    let rows = ::sqlx::query(
                        "SELECT * FROM committees WHERE \
                                              slate_id = $1 ORDER BY candidate_id",
                    )
                    .bind(slate_id)
                    .all(self)
                    .await?;
                    rows.iter()
                        .map(|r| {
                            Ok(CommitteeRow {
                                candidate_id: get(r, "candidate_id")?,
                                slate_id: get(r, "slate_id")?,
                                name: get(r, "name")?,
                                fec_committee_id: get(r, "fec_committee_id")?,
                                fec_candidate_id: get(r, "fec_candidate_id")?,
                                treasurer_first: get(r, "treasurer_first")?,
                                treasurer_last: get(r, "treasurer_last")?,
                                street1: get(r, "street1")?,
                                street2: get(r, "street2")?,
                                city: get(r, "city")?,
                                state: get(r, "state")?,
                                zip: get(r, "zip")?,
                            })
                        })
                        .collect()
                }

                async fn insert_compact(&mut self, slate_id: Id, c: &CompactRow) -> Result<()> {
                    let content = ::serde_json::to_string(&c.content)
                        .map_err(|e| StoreError::Other(e.to_string()))?;
                    ::sqlx::query(
                        "INSERT INTO compacts (slate_id, version, hash, content, \
                         created_at) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(slate_id)
                    .bind(c.version)
                    .bind(&c.hash)
                    .bind(content)
                    .bind(c.created_at)
                    .exec(self)
                    .await?;
                    Ok(())
                }

                async fn latest_compact(&mut self, slate_id: Id) -> Result<Option<CompactRow>> {
                    let row = ::sqlx::query(
                        "SELECT * FROM compacts WHERE slate_id = \
                                             $1 ORDER BY version DESC LIMIT 1",
                    )
                    .bind(slate_id)
                    .opt(self)
                    .await?;
                    row.as_ref().map(compact_from).transpose()
                }

                async fn compact_version(
                    &mut self,
                    slate_id: Id,
                    version: i32,
                ) -> Result<Option<CompactRow>> {
                    let row = ::sqlx::query(
                        "SELECT * FROM compacts WHERE slate_id = \
                                             $1 AND version = $2",
                    )
                    .bind(slate_id)
                    .bind(version)
                    .opt(self)
                    .await?;
                    row.as_ref().map(compact_from).transpose()
                }

                async fn compact_seen(
                    &mut self,
                    user_id: Id,
                    slate_id: Id,
                ) -> Result<Option<(i32, Option<i32>)>> {
                    let row = ::sqlx::query(
                        "SELECT seen_version, before_version \
                                             FROM compact_seen WHERE user_id = $1 \
                                             AND slate_id = $2",
                    )
                    .bind(user_id)
                    .bind(slate_id)
                    .opt(self)
                    .await?;
                    row.map(|r| Ok((get(&r, "seen_version")?, get(&r, "before_version")?)))
                        .transpose()
                }

                async fn set_compact_seen(
                    &mut self,
                    user_id: Id,
                    slate_id: Id,
                    seen: i32,
                    before: Option<i32>,
                ) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO compact_seen (user_id, slate_id, seen_version, \
                         before_version) VALUES ($1, $2, $3, $4) ON CONFLICT \
                         (user_id, slate_id) DO UPDATE SET seen_version = \
                         excluded.seen_version, before_version = \
                         excluded.before_version",
                    )
                    .bind(user_id)
                    .bind(slate_id)
                    .bind(seen)
                    .bind(before)
                    .exec(self)
                    .await?;
                    Ok(())
                }

                async fn upsert_signature(&mut self, slate_id: Id, s: &SignatureRow) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO signatures (slate_id, candidate_id, version, \
                         signed_at) VALUES ($1, $2, $3, $4) ON CONFLICT (slate_id, \
                         candidate_id) DO UPDATE SET version = excluded.version, \
                         signed_at = excluded.signed_at",
                    )
                    .bind(slate_id)
                    .bind(s.candidate_id)
                    .bind(s.version)
                    .bind(s.signed_at)
                    .exec(self)
                    .await?;
                    Ok(())
                }

                async fn delete_signature(
                    &mut self,
                    slate_id: Id,
                    candidate_id: Id,
                ) -> Result<bool> {
                    let r = ::sqlx::query(
                        "DELETE FROM signatures WHERE slate_id = \
                                           $1 AND candidate_id = $2",
                    )
                    .bind(slate_id)
                    .bind(candidate_id)
                    .exec(self)
                    .await?;
                    Ok(r.rows_affected() > 0)
                }

                async fn signatures(&mut self, slate_id: Id) -> Result<Vec<SignatureRow>> {
                    let rows = ::sqlx::query(
                        "SELECT * FROM signatures WHERE \
                                              slate_id = $1 ORDER BY signed_at, \
                                              candidate_id",
                    )
                    .bind(slate_id)
                    .all(self)
                    .await?;
                    rows.iter()
                        .map(|r| {
                            Ok(SignatureRow {
                                candidate_id: get(r, "candidate_id")?,
                                version: get(r, "version")?,
                                signed_at: get(r, "signed_at")?,
                            })
                        })
                        .collect()
                }

                async fn insert_endorsement(
                    &mut self,
                    slate_id: Id,
                    e: &EndorsementRow,
                ) -> Result<bool> {
                    let r = ::sqlx::query(
                        "INSERT INTO endorsements (slate_id, from_id, to_id, \
                         created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                    )
                    .bind(slate_id)
                    .bind(e.from_id)
                    .bind(e.to_id)
                    .bind(e.at)
                    .exec(self)
                    .await?;
                    Ok(r.rows_affected() > 0)
                }

                async fn delete_endorsement(
                    &mut self,
                    slate_id: Id,
                    from_id: Id,
                    to_id: Id,
                ) -> Result<bool> {
                    let r = ::sqlx::query(
                        "DELETE FROM endorsements WHERE slate_id = \
                                           $1 AND from_id = $2 AND to_id = $3",
                    )
                    .bind(slate_id)
                    .bind(from_id)
                    .bind(to_id)
                    .exec(self)
                    .await?;
                    Ok(r.rows_affected() > 0)
                }

                async fn endorsements(&mut self, slate_id: Id) -> Result<Vec<EndorsementRow>> {
                    let rows = ::sqlx::query(
                        "SELECT * FROM endorsements WHERE \
                                              slate_id = $1 ORDER BY created_at, \
                                              from_id, to_id",
                    )
                    .bind(slate_id)
                    .all(self)
                    .await?;
                    rows.iter()
                        .map(|r| {
                            Ok(EndorsementRow {
                                from_id: get(r, "from_id")?,
                                to_id: get(r, "to_id")?,
                                at: get(r, "created_at")?,
                            })
                        })
                        .collect()
                }

                async fn append_event(
                    &mut self,
                    slate_id: Id,
                    kind: ::cohort_core::SlateEventKind,
                    payload: &str,
                    at: DateTime<Utc>,
                ) -> Result<i64> {
                    let row = ::sqlx::query(
                        "INSERT INTO events (slate_id, kind, \
                                             payload, at) VALUES ($1, $2, $3, $4) \
                                             RETURNING seq",
                    )
                    .bind(slate_id)
                    .bind(kind.as_str())
                    .bind(payload)
                    .bind(at)
                    .one(self)
                    .await?;
                    get(&row, "seq")
                }

                async fn events(
                    &mut self,
                    slate_id: Id,
                    after: i64,
                    limit: i64,
                ) -> Result<Vec<EventRow>> {
                    let rows = ::sqlx::query(
                        "SELECT * FROM events WHERE slate_id = \
                                              $1 AND seq > $2 ORDER BY seq LIMIT $3",
                    )
                    .bind(slate_id)
                    .bind(after)
                    .bind(limit)
                    .all(self)
                    .await?;
                    rows.iter().map(event_from).collect()
                }

                async fn insert_partner(
                    &mut self,
                    p: &PartnerRow,
                    at: DateTime<Utc>,
                ) -> Result<PartnerRow> {
                    let row = ::sqlx::query(
                        "INSERT INTO partners (slate_id, code, name, endorsement, \
                         created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    )
                    .bind(p.slate_id)
                    .bind(&p.code)
                    .bind(&p.name)
                    .bind(&p.endorsement)
                    .bind(at)
                    .one(self)
                    .await?;
                    Ok(PartnerRow {
                        id: get(&row, "id")?,
                        ..p.clone()
                    })
                }

                async fn partners(&mut self, slate_id: Id) -> Result<Vec<PartnerRow>> {
                    let rows = ::sqlx::query(
                        "SELECT * FROM partners WHERE slate_id \
                                              = $1 ORDER BY name, id",
                    )
                    .bind(slate_id)
                    .all(self)
                    .await?;
                    rows.iter()
                        .map(|r| {
                            Ok(PartnerRow {
                                id: get(r, "id")?,
                                slate_id: get(r, "slate_id")?,
                                code: get(r, "code")?,
                                name: get(r, "name")?,
                                endorsement: get(r, "endorsement")?,
                            })
                        })
                        .collect()
                }

                async fn referrals(&mut self, slate_id: Id, code: &str) -> Result<Referrals> {
                    let row = ::sqlx::query(
                        "SELECT COUNT(*) AS pledges, COUNT(DISTINCT email) AS \
                         pledgers, COALESCE(SUM(CASE WHEN status IN ('unlocked', \
                         'fulfilled') THEN 1 ELSE 0 END), 0) AS unlocked, \
                         CAST(COALESCE(SUM(CASE WHEN kind = 'money' THEN amount_cents \
                         ELSE 0 END), 0) AS BIGINT) AS cents, \
                         CAST(COALESCE(SUM(hours_per_week), 0) AS BIGINT) AS hours FROM \
                         pledges WHERE slate_id = $1 AND ref_code = $2 AND status IN \
                         ('pending', 'unlocked', 'fulfilled')",
                    )
                    .bind(slate_id)
                    .bind(code)
                    .one(self)
                    .await?;
                    Ok(Referrals {
                        pledges: get(&row, "pledges")?,
                        pledgers: get(&row, "pledgers")?,
                        unlocked: get(&row, "unlocked")?,
                        cents: get(&row, "cents")?,
                        hours_per_week: get(&row, "hours")?,
                    })
                }
            }
        };
    };
}
