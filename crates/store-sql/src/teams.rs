//! [`impl_sql_teams!`]: `cohort_store::TeamsTx`, in SQL both backends run.

/// Implements `cohort_store::TeamsTx` for `$tx`. Expanded by each backend after
/// [`impl_sql_tx!`](crate::impl_sql_tx), whose `sql_shared` module (in scope
/// as `self::sql_shared`) holds the row readers and the `Run` endings.
#[macro_export]
macro_rules! impl_sql_teams {
    ($tx:ty, $db:ty) => {
        const _: () = {
            use self::sql_shared::*;
            use ::chrono::{DateTime, Utc};
            use ::cohort_store::*;
            use $crate::{corrupt, list_placeholders, CHUNK};

            #[::async_trait::async_trait]
            impl TeamsTx for $tx {
                async fn upsert_volunteer_profile(
                    &mut self,
                    p: &VolunteerProfileRow,
                ) -> Result<()> {
                    let skills = ::serde_json::to_string(&p.skills)
                        .map_err(|e| StoreError::Other(e.to_string()))?;
                    let languages = ::serde_json::to_string(&p.languages)
                        .map_err(|e| StoreError::Other(e.to_string()))?;
                    ::sqlx::query(
                        "INSERT INTO volunteer_profiles (user_id, skills, \
                         hours_per_week, weeks, utc_offset_minutes, state, remote, \
                         languages, can_mentor, updated_at) VALUES ($1, $2, $3, $4, \
                         $5, $6, $7, $8, $9, $10) ON CONFLICT (user_id) DO UPDATE \
                         SET skills = excluded.skills, hours_per_week = \
                         excluded.hours_per_week, weeks = excluded.weeks, \
                         utc_offset_minutes = excluded.utc_offset_minutes, state = \
                         excluded.state, remote = excluded.remote, languages = \
                         excluded.languages, can_mentor = excluded.can_mentor, \
                         updated_at = excluded.updated_at",
                    )
                    .bind(p.user_id)
                    .bind(skills)
                    .bind(p.hours_per_week)
                    .bind(p.weeks)
                    .bind(p.utc_offset_minutes)
                    .bind(&p.state)
                    .bind(p.remote)
                    .bind(languages)
                    .bind(p.can_mentor)
                    .bind(p.updated_at)
                    .exec(self)
                    .await?;
                    Ok(())
                }

                async fn volunteer_profile(
                    &mut self,
                    user_id: Id,
                ) -> Result<Option<VolunteerProfileRow>> {
                    let row = ::sqlx::query(
                        "SELECT * FROM volunteer_profiles WHERE \
                                             user_id = $1",
                    )
                    .bind(user_id)
                    .opt(self)
                    .await?;
                    row.as_ref()
                        .map($crate::profile_from_row!(get, corrupt))
                        .transpose()
                }

                async fn insert_slate_skill(&mut self, slate_id: Id, s: &SkillRow) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO slate_skills (slate_id, slug, label, \
                                   person) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(slate_id)
                    .bind(&s.slug)
                    .bind(&s.label)
                    .bind(&s.person)
                    .exec(self)
                    .await?;
                    Ok(())
                }

                async fn slate_skills(&mut self, slate_id: Option<Id>) -> Result<Vec<SkillRow>> {
                    let rows = ::sqlx::query(
                        "SELECT slug, MIN(label) AS label, MIN(person) AS person \
                         FROM slate_skills WHERE $1 IS NULL OR slate_id = $1 GROUP \
                         BY slug ORDER BY slug",
                    )
                    .bind(slate_id)
                    .all(self)
                    .await?;
                    rows.iter()
                        .map(|r| {
                            Ok(SkillRow {
                                slug: get(r, "slug")?,
                                label: get(r, "label")?,
                                person: get(r, "person")?,
                            })
                        })
                        .collect()
                }

                async fn insert_team(
                    &mut self,
                    slate_id: Id,
                    candidate_id: Id,
                    kind: &str,
                    needs: &[NewNeed],
                    at: DateTime<Utc>,
                ) -> Result<TeamRow> {
                    let row = ::sqlx::query(
                        "INSERT INTO teams (slate_id, \
                                             candidate_id, kind, created_at) VALUES \
                                             ($1, $2, $3, $4) RETURNING id",
                    )
                    .bind(slate_id)
                    .bind(candidate_id)
                    .bind(kind)
                    .bind(at)
                    .one(self)
                    .await?;
                    let id: Id = get(&row, "id")?;
                    for n in needs {
                        ::sqlx::query(
                            "INSERT INTO needs (team_id, slate_id, role, skill, \
                             min_level, hours_per_week, weeks, utc_offset_minutes, \
                             state, remote_ok, priority, lead) VALUES ($1, $2, $3, \
                             $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                        )
                        .bind(id)
                        .bind(slate_id)
                        .bind(&n.role)
                        .bind(&n.skill)
                        .bind(n.min_level)
                        .bind(n.hours_per_week)
                        .bind(n.weeks)
                        .bind(n.utc_offset_minutes)
                        .bind(&n.state)
                        .bind(n.remote_ok)
                        .bind(n.priority)
                        .bind(n.lead)
                        .exec(self)
                        .await?;
                    }
                    self.team(id).await?.ok_or_else(|| {
                        StoreError::Other(
                            "the team \
                                                                          just \
                                                                          inserted \
                                                                          is \
                                                                          gone"
                                .into(),
                        )
                    })
                }

                async fn team(&mut self, id: Id) -> Result<Option<TeamRow>> {
                    let row = ::sqlx::query("SELECT * FROM teams WHERE id = $1")
                        .bind(id)
                        .opt(self)
                        .await?;
                    row.as_ref().map($crate::team_from_row!(get)).transpose()
                }

                async fn teams(&mut self, slate_id: Id) -> Result<Vec<TeamRow>> {
                    let rows = ::sqlx::query(
                        "SELECT * FROM teams WHERE slate_id = \
                                              $1 ORDER BY id",
                    )
                    .bind(slate_id)
                    .all(self)
                    .await?;
                    rows.iter().map($crate::team_from_row!(get)).collect()
                }

                async fn needs(&mut self, slate_id: Id) -> Result<Vec<NeedRow>> {
                    let rows = ::sqlx::query(
                        "SELECT * FROM needs WHERE slate_id = \
                                              $1 ORDER BY id",
                    )
                    .bind(slate_id)
                    .all(self)
                    .await?;
                    rows.iter()
                        .map(|r| {
                            Ok(NeedRow {
                                id: get(r, "id")?,
                                team_id: get(r, "team_id")?,
                                slate_id: get(r, "slate_id")?,
                                need: NewNeed {
                                    role: get(r, "role")?,
                                    skill: get(r, "skill")?,
                                    min_level: get(r, "min_level")?,
                                    hours_per_week: get(r, "hours_per_week")?,
                                    weeks: get(r, "weeks")?,
                                    utc_offset_minutes: get(r, "utc_offset_minutes")?,
                                    state: get(r, "state")?,
                                    remote_ok: get(r, "remote_ok")?,
                                    priority: get(r, "priority")?,
                                    lead: get(r, "lead")?,
                                },
                                user_id: get(r, "user_id")?,
                                score: get(r, "score")?,
                            })
                        })
                        .collect()
                }

                async fn volunteer_pool(&mut self, slate_id: Id) -> Result<Vec<PoolRow>> {
                    let rows = ::sqlx::query(
                        "SELECT u.*, v.user_id, v.skills, v.hours_per_week, v.weeks, \
                         v.utc_offset_minutes, v.state, v.remote, v.languages, \
                         v.can_mentor, v.updated_at, h.pledged_hours FROM \
                         volunteer_profiles v JOIN users u ON u.id = v.user_id JOIN \
                         (SELECT d.email, CAST(SUM(p.hours_per_week * p.weeks) AS \
                         BIGINT) AS pledged_hours FROM pledge_donors d JOIN pledges \
                         p ON p.id = d.pledge_id WHERE p.slate_id = $1 AND p.kind = \
                         'hours' AND p.status = 'unlocked' GROUP BY d.email) h ON \
                         h.email = u.email ORDER BY u.id",
                    )
                    .bind(slate_id)
                    .all(self)
                    .await?;
                    let profile = $crate::profile_from_row!(get, corrupt);
                    rows.iter()
                        .map(|r| {
                            Ok(PoolRow {
                                user: user_from(r)?,
                                profile: profile(r)?,
                                pledged_hours: get(r, "pledged_hours")?,
                            })
                        })
                        .collect()
                }

                async fn pins(&mut self, slate_id: Id) -> Result<Vec<PinRow>> {
                    let rows = ::sqlx::query(
                        "SELECT * FROM match_pins WHERE \
                                              slate_id = $1 ORDER BY need_id, user_id",
                    )
                    .bind(slate_id)
                    .all(self)
                    .await?;
                    rows.iter()
                        .map(|r| {
                            Ok(PinRow {
                                need_id: get(r, "need_id")?,
                                user_id: get(r, "user_id")?,
                                pinned: get(r, "pinned")?,
                            })
                        })
                        .collect()
                }

                async fn upsert_pin(&mut self, slate_id: Id, pin: &PinRow) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO match_pins (need_id, user_id, slate_id, pinned) \
                         VALUES ($1, $2, $3, $4) ON CONFLICT (need_id, user_id) DO \
                         UPDATE SET pinned = excluded.pinned",
                    )
                    .bind(pin.need_id)
                    .bind(pin.user_id)
                    .bind(slate_id)
                    .bind(pin.pinned)
                    .exec(self)
                    .await?;
                    Ok(())
                }

                async fn delete_pins(
                    &mut self,
                    need_ids: &[Id],
                    user_id: Option<Id>,
                ) -> Result<()> {
                    for chunk in need_ids.chunks(CHUNK) {
                        let sql = format!(
                            "DELETE FROM match_pins WHERE user_id = COALESCE({}, \
                             user_id) AND need_id IN ({})",
                            list_placeholders(SIGIL, 1, 1),
                            list_placeholders(SIGIL, 2, chunk.len() + 1)
                        );
                        let mut q = ::sqlx::query(&sql).bind(user_id);
                        for id in chunk {
                            q = q.bind(*id);
                        }
                        q.exec(self).await?;
                    }
                    Ok(())
                }

                async fn fill_needs(&mut self, fills: &[(Id, Id, i64)]) -> Result<u64> {
                    let mut n = 0;
                    for (need, user, score) in fills {
                        n += ::sqlx::query(
                            "UPDATE needs SET user_id = $1, score = \
                                            $2 WHERE id = $3 AND user_id IS NULL",
                        )
                        .bind(*user)
                        .bind(*score)
                        .bind(*need)
                        .exec(self)
                        .await?
                        .rows_affected();
                    }
                    Ok(n)
                }

                async fn confirm_team(
                    &mut self,
                    team_id: Id,
                    mentor: Option<Id>,
                    at: DateTime<Utc>,
                ) -> Result<()> {
                    ::sqlx::query(
                        "UPDATE teams SET confirmed_at = \
                                   COALESCE(confirmed_at, $1), mentor_user_id = $2 \
                                   WHERE id = $3",
                    )
                    .bind(at)
                    .bind(mentor)
                    .bind(team_id)
                    .exec(self)
                    .await?;
                    Ok(())
                }

                async fn services(&mut self, user_id: Id) -> Result<Vec<ServiceRow>> {
                    let rows = ::sqlx::query(
                        "SELECT t.*, n.role, s.slug AS slate_slug, s.name AS \
                         slate_name, c.name AS candidate_name FROM needs n JOIN \
                         teams t ON t.id = n.team_id JOIN slates s ON s.id = \
                         t.slate_id JOIN candidates c ON c.id = t.candidate_id WHERE \
                         n.user_id = $1 AND t.confirmed_at IS NOT NULL ORDER BY \
                         t.confirmed_at DESC, t.id DESC",
                    )
                    .bind(user_id)
                    .all(self)
                    .await?;
                    let team = $crate::team_from_row!(get);
                    rows.iter()
                        .map(|r| {
                            Ok(ServiceRow {
                                team: team(r)?,
                                role: get(r, "role")?,
                                slate_slug: get(r, "slate_slug")?,
                                slate_name: get(r, "slate_name")?,
                                candidate_name: get(r, "candidate_name")?,
                            })
                        })
                        .collect()
                }

                async fn upsert_hours(&mut self, h: &HoursRow, at: DateTime<Utc>) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO hours_logs (team_id, user_id, week, hours, \
                         updated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT \
                         (team_id, user_id, week) DO UPDATE SET hours = \
                         excluded.hours, updated_at = excluded.updated_at",
                    )
                    .bind(h.team_id)
                    .bind(h.user_id)
                    .bind(h.week)
                    .bind(h.hours)
                    .bind(at)
                    .exec(self)
                    .await?;
                    Ok(())
                }

                async fn hours(&mut self, slate_id: Id) -> Result<Vec<HoursRow>> {
                    let rows = ::sqlx::query(
                        "SELECT h.* FROM hours_logs h JOIN teams t ON t.id = \
                         h.team_id WHERE t.slate_id = $1 ORDER BY h.team_id, \
                         h.user_id, h.week",
                    )
                    .bind(slate_id)
                    .all(self)
                    .await?;
                    rows.iter()
                        .map(|r| {
                            Ok(HoursRow {
                                team_id: get(r, "team_id")?,
                                user_id: get(r, "user_id")?,
                                week: get(r, "week")?,
                                hours: get(r, "hours")?,
                            })
                        })
                        .collect()
                }

                async fn toolkit_edits(&mut self, slate_id: Id) -> Result<Vec<(String, String)>> {
                    let rows = ::sqlx::query(
                        "SELECT role, markdown FROM \
                                              toolkit_edits WHERE slate_id = $1 \
                                              ORDER BY role",
                    )
                    .bind(slate_id)
                    .all(self)
                    .await?;
                    rows.iter()
                        .map(|r| Ok((get(r, "role")?, get(r, "markdown")?)))
                        .collect()
                }

                async fn set_toolkit(
                    &mut self,
                    slate_id: Id,
                    role: &str,
                    markdown: Option<&str>,
                    at: DateTime<Utc>,
                ) -> Result<()> {
                    let q = match markdown {
                        Some(md) => ::sqlx::query(
                            "INSERT INTO toolkit_edits (slate_id, role, markdown, \
                             updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT \
                             (slate_id, role) DO UPDATE SET markdown = \
                             excluded.markdown, updated_at = excluded.updated_at",
                        )
                        .bind(slate_id)
                        .bind(role)
                        .bind(md)
                        .bind(at),
                        None => ::sqlx::query(
                            "DELETE FROM toolkit_edits WHERE \
                                               slate_id = $1 AND role = \
                                               $2",
                        )
                        .bind(slate_id)
                        .bind(role),
                    };
                    q.exec(self).await?;
                    Ok(())
                }
            }
        };
    };
}
