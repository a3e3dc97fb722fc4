//! [`impl_sql_people!`]: `cohort_store::PeopleTx`, in SQL both backends run.

/// Implements `cohort_store::PeopleTx` for `$tx`. Expanded by each backend after
/// [`impl_sql_tx!`](crate::impl_sql_tx), whose `sql_shared` module (in scope
/// as `self::sql_shared`) holds the row readers and the `Run` endings.
#[macro_export]
macro_rules! impl_sql_people {
    ($tx:ty, $db:ty) => {
        const _: () = {
            use self::sql_shared::*;
            use ::chrono::{DateTime, Utc};
            use ::cohort_core::Email;
            use ::cohort_store::*;
            use $crate::{list_placeholders, values_placeholders};

            const PERSON_COLUMNS: &str = "id, slate_id, email, given_name, family_name, \
                                          address, city, state, zip, phone, source, \
                                          created_at, modified_at";

            fn person_from(r: &DbRow) -> Result<PersonRow> {
                Ok(PersonRow {
                    id: get(r, "id")?,
                    slate_id: get(r, "slate_id")?,
                    email: email_from(r, "people")?,
                    fields: PersonFields {
                        given_name: get(r, "given_name")?,
                        family_name: get(r, "family_name")?,
                        address: get(r, "address")?,
                        city: get(r, "city")?,
                        state: get(r, "state")?,
                        zip: get(r, "zip")?,
                        phone: get(r, "phone")?,
                    },
                    source: get(r, "source")?,
                    created_at: get(r, "created_at")?,
                    modified_at: get(r, "modified_at")?,
                })
            }

            fn tagging_from(r: &DbRow) -> Result<TaggingRow> {
                Ok(TaggingRow {
                    tag_id: get(r, "tag_id")?,
                    person_id: get(r, "person_id")?,
                    created_at: get(r, "created_at")?,
                })
            }

            fn tag_from(r: &DbRow) -> Result<TagRow> {
                Ok(TagRow {
                    id: get(r, "id")?,
                    slate_id: get(r, "slate_id")?,
                    name: get(r, "name")?,
                    created_at: get(r, "created_at")?,
                })
            }

            /// `WHERE …` for a query, its placeholders numbered from 1.
            fn people_where(q: &PeopleQuery) -> String {
                let n = q.slate_ids.len().max(1);
                let mut sql = if q.slate_ids.is_empty() {
                    "WHERE 1 = 0".to_owned()
                } else {
                    format!("WHERE slate_id IN ({})", list_placeholders(SIGIL, 1, n))
                };
                let mut next = n + 1;
                if q.email.is_some() {
                    sql.push_str(&format!(" AND email = {}", list_placeholders(SIGIL, next, next)));
                    next += 1;
                }
                if q.modified_after.is_some() {
                    sql.push_str(&format!(
                        " AND modified_at > {}",
                        list_placeholders(SIGIL, next, next)
                    ));
                    next += 1;
                }
                if q.modified_before.is_some() {
                    sql.push_str(&format!(
                        " AND modified_at < {}",
                        list_placeholders(SIGIL, next, next)
                    ));
                }
                sql
            }

            fn bind_query<'q>(mut b: DbQuery<'q>, q: &'q PeopleQuery) -> DbQuery<'q> {
                if q.slate_ids.is_empty() {
                    b = b.bind(0_i64);
                }
                for id in &q.slate_ids {
                    b = b.bind(*id);
                }
                if let Some(e) = &q.email {
                    b = b.bind(e.as_str());
                }
                if let Some(t) = q.modified_after {
                    b = b.bind(t);
                }
                if let Some(t) = q.modified_before {
                    b = b.bind(t);
                }
                b
            }

            #[::async_trait::async_trait]
            impl PeopleTx for $tx {
                async fn upsert_person(
                    &mut self,
                    slate_id: Id,
                    email: &Email,
                    fields: &PersonFields,
                    source: &str,
                    at: DateTime<Utc>,
                ) -> Result<(Id, bool)> {
                    let made = ::sqlx::query(
                        "INSERT INTO people (slate_id, email, given_name, family_name, \
                         address, city, state, zip, phone, source, created_at, \
                         modified_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
                         $11, $11) ON CONFLICT (slate_id, email) DO NOTHING RETURNING id",
                    )
                    .bind(slate_id)
                    .bind(email.as_str())
                    .bind(&fields.given_name)
                    .bind(&fields.family_name)
                    .bind(&fields.address)
                    .bind(&fields.city)
                    .bind(&fields.state)
                    .bind(&fields.zip)
                    .bind(&fields.phone)
                    .bind(source)
                    .bind(at)
                    .opt(self)
                    .await?;
                    if let Some(r) = made {
                        return Ok((get(&r, "id")?, true));
                    }
                    let sql = format!(
                        "SELECT {PERSON_COLUMNS} FROM people WHERE slate_id = $1 AND email = $2"
                    );
                    let r = ::sqlx::query(&sql)
                        .bind(slate_id)
                        .bind(email.as_str())
                        .one(self)
                        .await?;
                    let stored = person_from(&r)?;
                    let m = stored.fields.merged(fields);
                    if m != stored.fields {
                        ::sqlx::query(
                            "UPDATE people SET given_name = $1, family_name = $2, \
                             address = $3, city = $4, state = $5, zip = $6, phone = $7, \
                             modified_at = $8 WHERE id = $9",
                        )
                        .bind(&m.given_name)
                        .bind(&m.family_name)
                        .bind(&m.address)
                        .bind(&m.city)
                        .bind(&m.state)
                        .bind(&m.zip)
                        .bind(&m.phone)
                        .bind(at.max(stored.modified_at))
                        .bind(stored.id)
                        .exec(self)
                        .await?;
                    }
                    Ok((stored.id, false))
                }

                async fn person(&mut self, id: Id) -> Result<Option<PersonRow>> {
                    let sql = format!("SELECT {PERSON_COLUMNS} FROM people WHERE id = $1");
                    let r = ::sqlx::query(&sql).bind(id).opt(self).await?;
                    r.as_ref().map(person_from).transpose()
                }

                async fn people(
                    &mut self,
                    q: &PeopleQuery,
                    offset: u64,
                    limit: u32,
                ) -> Result<Vec<PersonRow>> {
                    let sql = format!(
                        "SELECT {PERSON_COLUMNS} FROM people {} ORDER BY id LIMIT {limit} \
                         OFFSET {offset}",
                        people_where(q)
                    );
                    let rows = bind_query(::sqlx::query(&sql), q).all(self).await?;
                    rows.iter().map(person_from).collect()
                }

                async fn count_people(&mut self, q: &PeopleQuery) -> Result<u64> {
                    let sql = format!("SELECT COUNT(*) AS n FROM people {}", people_where(q));
                    let r = bind_query(::sqlx::query(&sql), q).one(self).await?;
                    let n: i64 = get(&r, "n")?;
                    Ok(n.max(0) as u64)
                }

                async fn upsert_tag(
                    &mut self,
                    slate_id: Id,
                    name: &str,
                    at: DateTime<Utc>,
                ) -> Result<TagRow> {
                    ::sqlx::query(
                        "INSERT INTO tags (slate_id, name, created_at) VALUES ($1, $2, $3) \
                         ON CONFLICT (slate_id, name) DO NOTHING",
                    )
                    .bind(slate_id)
                    .bind(name)
                    .bind(at)
                    .exec(self)
                    .await?;
                    let r = ::sqlx::query(
                        "SELECT id, slate_id, name, created_at FROM tags WHERE slate_id = $1 \
                         AND name = $2",
                    )
                    .bind(slate_id)
                    .bind(name)
                    .one(self)
                    .await?;
                    tag_from(&r)
                }

                async fn tags(&mut self, slate_ids: &[Id]) -> Result<Vec<TagRow>> {
                    if slate_ids.is_empty() {
                        return Ok(Vec::new());
                    }
                    let sql = format!(
                        "SELECT id, slate_id, name, created_at FROM tags WHERE slate_id IN \
                         ({}) ORDER BY id",
                        list_placeholders(SIGIL, 1, slate_ids.len())
                    );
                    let mut q = ::sqlx::query(&sql);
                    for id in slate_ids {
                        q = q.bind(*id);
                    }
                    let rows = q.all(self).await?;
                    rows.iter().map(tag_from).collect()
                }

                async fn tag(&mut self, id: Id) -> Result<Option<TagRow>> {
                    let r = ::sqlx::query(
                        "SELECT id, slate_id, name, created_at FROM tags WHERE id = $1",
                    )
                    .bind(id)
                    .opt(self)
                    .await?;
                    r.as_ref().map(tag_from).transpose()
                }

                async fn tag_person(
                    &mut self,
                    tag_id: Id,
                    person_id: Id,
                    at: DateTime<Utc>,
                ) -> Result<bool> {
                    let done = ::sqlx::query(
                        "INSERT INTO taggings (tag_id, person_id, created_at) VALUES ($1, \
                         $2, $3) ON CONFLICT (tag_id, person_id) DO NOTHING",
                    )
                    .bind(tag_id)
                    .bind(person_id)
                    .bind(at)
                    .exec(self)
                    .await?;
                    if done.rows_affected() == 1 {
                        ::sqlx::query(
                            "UPDATE people SET modified_at = $1 WHERE id = $2 AND \
                             modified_at < $1",
                        )
                        .bind(at)
                        .bind(person_id)
                        .exec(self)
                        .await?;
                    }
                    Ok(done.rows_affected() == 1)
                }

                async fn taggings(&mut self, tag_id: Id) -> Result<Vec<TaggingRow>> {
                    let rows = ::sqlx::query(
                        "SELECT tag_id, person_id, created_at FROM taggings WHERE \
                         tag_id = $1 ORDER BY created_at, person_id",
                    )
                    .bind(tag_id)
                    .all(self)
                    .await?;
                    rows.iter().map(tagging_from).collect()
                }

                async fn insert_new_people(
                    &mut self,
                    slate_id: Id,
                    people: &[(Email, PersonFields)],
                    source: &str,
                    at: DateTime<Utc>,
                ) -> Result<Vec<Email>> {
                    // 400 rows of 12 values stay under both backends'
                    // limits on bound parameters; plain `?`s on SQLite (see
                    // `values_placeholders`).
                    const CHUNK: usize = 400;
                    let mut added = Vec::new();
                    for chunk in people.chunks(CHUNK) {
                        let sql = format!(
                            "INSERT INTO people (slate_id, email, given_name, family_name, \
                             address, city, state, zip, phone, source, created_at, \
                             modified_at) VALUES {} ON CONFLICT (slate_id, email) DO NOTHING \
                             RETURNING email",
                            values_placeholders(SIGIL, chunk.len(), 12)
                        );
                        let mut q = ::sqlx::query(&sql);
                        for (email, f) in chunk {
                            q = q
                                .bind(slate_id)
                                .bind(email.as_str())
                                .bind(&f.given_name)
                                .bind(&f.family_name)
                                .bind(&f.address)
                                .bind(&f.city)
                                .bind(&f.state)
                                .bind(&f.zip)
                                .bind(&f.phone)
                                .bind(source)
                                .bind(at)
                                .bind(at);
                        }
                        for r in q.all(self).await?.iter() {
                            added.push(email_from(r, "people")?);
                        }
                    }
                    Ok(added)
                }

                async fn tags_of(&mut self, person_id: Id) -> Result<Vec<TagRow>> {
                    let rows = ::sqlx::query(
                        "SELECT t.id, t.slate_id, t.name, t.created_at FROM tags t JOIN \
                         taggings g ON g.tag_id = t.id WHERE g.person_id = $1 ORDER BY t.id",
                    )
                    .bind(person_id)
                    .all(self)
                    .await?;
                    rows.iter().map(tag_from).collect()
                }

                async fn taggings_of(&mut self, person_id: Id) -> Result<Vec<TaggingRow>> {
                    let rows = ::sqlx::query(
                        "SELECT tag_id, person_id, created_at FROM taggings WHERE \
                         person_id = $1 ORDER BY created_at, tag_id",
                    )
                    .bind(person_id)
                    .all(self)
                    .await?;
                    rows.iter().map(tagging_from).collect()
                }
            }
        };
    };
}
