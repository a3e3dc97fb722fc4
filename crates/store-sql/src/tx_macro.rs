//! [`impl_sql_tx!`]: the one implementation of `cohort_store::Tx`.

/// Implements `cohort_store::Tx` for `$tx`, a struct with a field
/// `tx: sqlx::Transaction<'static, $db>`. `$row_lock` is the clause that
/// locks a selected slate row for the rest of the transaction (`" FOR UPDATE"`),
/// or `""` where write transactions are already exclusive; `$sigil` prefixes the numbered
/// parameters of bulk statements (`'?'` for SQLite, `'$'` for PostgreSQL).
///
/// The expanding crate must depend on `sqlx`, `async-trait`, `chrono`,
/// `serde_json`, `cohort-core` and `cohort-store`.
#[macro_export]
macro_rules! impl_sql_tx {
    ($tx:ty, $db:ty, row_lock = $row_lock:expr, sigil = $sigil:expr, bulk = $bulk:ident) => {
        const _: () = {
            use ::chrono::{DateTime, NaiveDate, Utc};
            use ::cohort_core::limits::LimitTable;
            use ::cohort_core::model::{CompactContent, Election, Office, PledgeStatus, Race};
            use ::cohort_core::{Cents, Condition, Email, Reads, Slug};
            use ::cohort_store::*;
            use ::sqlx::Row as _;
            use $crate::{corrupt, ids_from_json, ids_to_json, list_placeholders, values_placeholders, KindColumns, WaitingDeltas, CHUNK};

            type DbRow = <$db as ::sqlx::Database>::Row;
            const SIGIL: char = $sigil;

            fn db(e: ::sqlx::Error) -> StoreError {
                match &e {
                    ::sqlx::Error::Database(d) if d.is_unique_violation() => {
                        let msg = d.message().to_owned();
                        let what = if msg.contains("slug") {
                            "slug"
                        } else if msg.contains("idempotency") {
                            "idempotency key"
                        } else if msg.contains("email") {
                            "email"
                        } else if msg.contains("partners") || msg.contains("code") {
                            "partner code"
                        } else {
                            "record"
                        };
                        StoreError::Conflict { what }
                    }
                    ::sqlx::Error::PoolTimedOut | ::sqlx::Error::Io(_) | ::sqlx::Error::PoolClosed => {
                        StoreError::Unavailable(e.to_string())
                    }
                    // Lost a race with another transaction (PostgreSQL:
                    // deadlock, serialization failure; SQLite: busy, locked,
                    // busy snapshot). The error ends the transaction unwritten,
                    // so this is "busy, try again", not a fault.
                    ::sqlx::Error::Database(d) if matches!(d.code().as_deref(), Some("40P01" | "40001" | "5" | "6" | "517")) => {
                        StoreError::Unavailable(e.to_string())
                    }
                    _ => StoreError::Other(e.to_string()),
                }
            }

            fn get<'r, T>(row: &'r DbRow, col: &str) -> Result<T>
            where
                T: ::sqlx::Decode<'r, $db> + ::sqlx::Type<$db>,
            {
                row.try_get(col).map_err(db)
            }

            fn slate_from(row: &DbRow) -> Result<SlateRow> {
                let slug: String = get(row, "slug")?;
                let condition: String = get(row, "condition")?;
                let limits: String = get(row, "limits")?;
                Ok(SlateRow {
                    id: get(row, "id")?,
                    slug: Slug::parse(&slug).map_err(|e| corrupt("slates", e))?,
                    name: get(row, "name")?,
                    cycle: get(row, "cycle")?,
                    description: get(row, "description")?,
                    condition: Condition::parse(&condition).map_err(|e| corrupt("slates", e))?,
                    limits: ::serde_json::from_str::<LimitTable>(&limits).map_err(|e| corrupt("slates", e))?,
                    created_at: get(row, "created_at")?,
                })
            }

            fn condition_from(r: &DbRow) -> Result<ConditionRow> {
                let source: String = get(r, "source")?;
                Ok(ConditionRow {
                    id: get(r, "id")?,
                    condition: Condition::parse(&source).map_err(|e| corrupt("conditions", e))?,
                    reads: Reads::from_bits(get(r, "reads")?),
                })
            }

            fn pot_from(r: &DbRow) -> Result<Pot> {
                Ok(Pot {
                    pending_cents: get(r, "pending_cents")?,
                    unlocked_cents: get(r, "unlocked_cents")?,
                    pledgers: get(r, "pledgers")?,
                    hours_per_week_pending: get(r, "hours_pending")?,
                    hours_per_week_unlocked: get(r, "hours_unlocked")?,
                })
            }

            fn candidate_from(row: &DbRow) -> Result<CandidateRow> {
                let slug: String = get(row, "slug")?;
                let office: String = get(row, "office")?;
                Ok(CandidateRow {
                    id: get(row, "id")?,
                    slate_id: get(row, "slate_id")?,
                    slug: Slug::parse(&slug).map_err(|e| corrupt("candidates", e))?,
                    name: get(row, "name")?,
                    race: Race {
                        office: office.parse::<Office>().map_err(|e| corrupt("candidates", e))?,
                        state: get(row, "state")?,
                        district: get(row, "district")?,
                        primary_date: get(row, "primary_date")?,
                        general_date: get(row, "general_date")?,
                    },
                })
            }

            fn compact_from(row: &DbRow) -> Result<CompactRow> {
                let content: String = get(row, "content")?;
                Ok(CompactRow {
                    version: get(row, "version")?,
                    hash: get(row, "hash")?,
                    content: ::serde_json::from_str::<CompactContent>(&content).map_err(|e| corrupt("compacts", e))?,
                    created_at: get(row, "created_at")?,
                })
            }

            fn user_from(row: &DbRow) -> Result<UserRow> {
                let prefs: String = get(row, "email_prefs")?;
                Ok(UserRow {
                    id: get(row, "id")?,
                    email: email_from(row, "users")?,
                    name: get(row, "name")?,
                    password_hash: get(row, "password_hash")?,
                    email_prefs: EmailPrefs::parse(&prefs).ok_or_else(|| corrupt("users", format!("email_prefs {prefs:?}")))?,
                    created_at: get(row, "created_at")?,
                })
            }

            /// Grants keep 0 for "every slate" and "no candidate" (see the migration).
            fn grant_from(row: &DbRow) -> Result<TokenRow> {
                let role: String = get(row, "role")?;
                let slate: Id = get(row, "slate_id")?;
                let candidate: Id = get(row, "candidate_id")?;
                Ok(TokenRow {
                    role: Role::parse(&role).ok_or_else(|| corrupt("grants", format!("unknown role {role:?}")))?,
                    slate_id: (slate != 0).then_some(slate),
                    candidate_id: (candidate != 0).then_some(candidate),
                })
            }

            fn outbox_from(row: &DbRow) -> Result<OutboxRow> {
                let to: String = get(row, "to_email")?;
                Ok(OutboxRow {
                    id: get(row, "id")?,
                    email: NewEmail {
                        to: Email::parse(&to).map_err(|e| corrupt("outbox", e))?,
                        subject: get(row, "subject")?,
                        body: get(row, "body")?,
                        transactional: get(row, "transactional")?,
                        held: get(row, "held")?,
                        attachment: match (get::<Option<String>>(row, "attachment_name")?, get::<Option<String>>(row, "attachment")?) {
                            (Some(filename), Some(content)) => Some(Attachment {
                                filename,
                                content_type: get::<Option<String>>(row, "attachment_type")?.unwrap_or_else(|| "application/octet-stream".into()),
                                content,
                            }),
                            _ => None,
                        },
                    },
                    created_at: get(row, "created_at")?,
                    attempts: get(row, "attempts")?,
                    sent_at: get(row, "sent_at")?,
                })
            }

            fn email_from(row: &DbRow, table: &'static str) -> Result<Email> {
                let email: String = get(row, "email")?;
                Email::parse(&email).map_err(|e| corrupt(table, e))
            }

            const PLEDGE_COLUMNS: &str = "p.id, p.slate_id, p.kind, p.amount_cents, p.recurring, p.hours_per_week, \
                p.weeks, p.skills, p.doors, p.calls, p.texts, p.condition_id, c.source AS condition_source, \
                p.candidates, p.deadline, p.email, p.donor, p.ref_code, p.status, p.receipt_token, \
                p.idempotency_key, p.request_hash, p.created_at, p.unlocked_at, p.stopped_at";

            /// The columns a new pledge writes, in the order [`bind_pledge`] binds them;
            /// `status` comes last and is always 'pending'.
            const INSERT_PLEDGES: &str = "INSERT INTO pledges (slate_id, kind, amount_cents, recurring, hours_per_week, \
                weeks, skills, doors, calls, texts, condition_id, candidates, deadline, email, donor, ref_code, \
                receipt_token, idempotency_key, request_hash, created_at, status) VALUES";
            const PLEDGE_COLS: usize = 20;

            /// How an insert into `waiting` adds to a row already there.
            const WAITING_ADDS: &str = "ON CONFLICT (slate_id, chosen) DO UPDATE SET cents = waiting.cents + excluded.cents, \
                hours = waiting.hours + excluded.hours, pledges = waiting.pledges + excluded.pledges";

            const OUTBOX_COLUMNS: &str =
                "to_email, subject, body, transactional, unsubscribe_hash, created_at, attachment_name, attachment_type, attachment, held";
            type DbQuery<'q> = ::sqlx::query::Query<'q, $db, <$db as ::sqlx::Database>::Arguments<'q>>;

            /// The ten outbox columns of one email, in `OUTBOX_COLUMNS` order.
            fn bind_email<'q>(q: DbQuery<'q>, e: &'q NewEmail, hash: &'q str, at: DateTime<Utc>) -> DbQuery<'q> {
                let a = e.attachment.as_ref();
                q.bind(e.to.as_str()).bind(&e.subject).bind(&e.body).bind(e.transactional).bind(hash).bind(at)
                    .bind(a.map(|a| a.filename.as_str())).bind(a.map(|a| a.content_type.as_str())).bind(a.map(|a| a.content.as_str()))
                    .bind(e.held)
            }

            fn bind_pledge<'q>(q: DbQuery<'q>, p: &'q NewPledge) -> Result<DbQuery<'q>> {
                let k = KindColumns::from_kind(&p.kind);
                let donor = ::serde_json::to_string(&p.donor).map_err(|e| StoreError::Other(e.to_string()))?;
                Ok(q.bind(p.slate_id)
                    .bind(k.kind)
                    .bind(k.amount_cents)
                    .bind(k.recurring)
                    .bind(k.hours_per_week)
                    .bind(k.weeks)
                    .bind(k.skills)
                    .bind(k.doors)
                    .bind(k.calls)
                    .bind(k.texts)
                    .bind(p.condition_id)
                    .bind(ids_to_json(&p.candidates))
                    .bind(p.deadline)
                    .bind(p.email.as_str())
                    .bind(donor)
                    .bind(&p.ref_code)
                    .bind(&p.receipt_token)
                    .bind(&p.idempotency_key)
                    .bind(&p.request_hash)
                    .bind(p.created_at))
            }

            fn kind_from(row: &DbRow) -> Result<::cohort_core::model::PledgeKind> {
                let kind: String = get(row, "kind")?;
                let recurring: Option<String> = get(row, "recurring")?;
                let skills: String = get(row, "skills")?;
                KindColumns::to_kind(
                    &kind,
                    get(row, "amount_cents")?,
                    recurring.as_deref(),
                    get(row, "hours_per_week")?,
                    get(row, "weeks")?,
                    &skills,
                    get(row, "doors")?,
                    get(row, "calls")?,
                    get(row, "texts")?,
                )
            }

            fn pledge_from(row: &DbRow) -> Result<PledgeRow> {
                let condition: String = get(row, "condition_source")?;
                let donor: String = get(row, "donor")?;
                let status: String = get(row, "status")?;
                Ok(PledgeRow {
                    id: get(row, "id")?,
                    slate_id: get(row, "slate_id")?,
                    kind: kind_from(row)?,
                    condition_id: get(row, "condition_id")?,
                    condition: Condition::parse(&condition).map_err(|e| corrupt("conditions", e))?,
                    candidates: ids_from_json(get(row, "candidates")?)?,
                    deadline: get(row, "deadline")?,
                    email: email_from(row, "pledges")?,
                    donor: ::serde_json::from_str(&donor).map_err(|e| corrupt("pledges", e))?,
                    ref_code: get(row, "ref_code")?,
                    status: status.parse::<PledgeStatus>().map_err(|e| corrupt("pledges", e))?,
                    receipt_token: get(row, "receipt_token")?,
                    idempotency_key: get(row, "idempotency_key")?,
                    request_hash: get(row, "request_hash")?,
                    created_at: get(row, "created_at")?,
                    unlocked_at: get(row, "unlocked_at")?,
                    stopped_at: get(row, "stopped_at")?,
                })
            }

            fn pending_from(row: &DbRow) -> Result<PendingPledge> {
                Ok(PendingPledge {
                    id: get(row, "id")?,
                    email: email_from(row, "pledges")?,
                    amount: Cents(get(row, "amount_cents")?),
                    hours_per_week: get(row, "hours_per_week")?,
                    candidates: ids_from_json(get(row, "candidates")?)?,
                })
            }

            /// Count rows (slate_id, amount_cents, hours_per_week, candidates) leaving `pending`.
            fn left_pending(w: &mut WaitingDeltas, rows: &[DbRow]) -> Result<()> {
                for r in rows {
                    w.add(get(r, "slate_id")?, get(r, "candidates")?, get(r, "amount_cents")?, get(r, "hours_per_week")?, -1);
                }
                Ok(())
            }

            fn given_from(r: &DbRow) -> Result<GivenRow> {
                Ok(GivenRow {
                    email: email_from(r, "allocations")?,
                    candidate_id: get(r, "candidate_id")?,
                    election: election_from(r, "allocations")?,
                    cents: Cents(get(r, "cents")?),
                })
            }

            fn general_choice_from(r: &DbRow) -> Result<GeneralChoiceRow> {
                Ok(GeneralChoiceRow {
                    receipt: get(r, "receipt")?,
                    committee: get(r, "committee")?,
                    pledge_id: get(r, "pledge_id")?,
                    amount: Cents(get(r, "amount_cents")?),
                    choice: get(r, "choice")?,
                    asked_at: get(r, "asked_at")?,
                    chosen_at: get(r, "chosen_at")?,
                })
            }

            fn election_from(row: &DbRow, table: &'static str) -> Result<Election> {
                let e: String = get(row, "election")?;
                e.parse::<Election>().map_err(|e| corrupt(table, e))
            }

            $crate::impl_sql_tx!(@bulk $bulk, $tx);

            impl $tx {
                /// Index pledges by donor email (see the `pledge_donors` migration).
                async fn insert_pledge_donors(&mut self, donors: &[(String, Id)]) -> Result<()> {
                    for chunk in donors.chunks(CHUNK) {
                        let sql = format!("INSERT INTO pledge_donors (email, pledge_id) VALUES {}", values_placeholders(SIGIL, chunk.len(), 2));
                        let mut q = ::sqlx::query(&sql);
                        for (email, id) in chunk {
                            q = q.bind(email).bind(*id);
                        }
                        q.execute(&mut *self.tx).await.map_err(db)?;
                    }
                    Ok(())
                }

                async fn apply_waiting(&mut self, deltas: WaitingDeltas) -> Result<()> {
                    let sql = format!("INSERT INTO waiting (slate_id, chosen, cents, hours, pledges) VALUES ($1, $2, $3, $4, $5) {WAITING_ADDS}");
                    for ((slate_id, chosen), (cents, hours, pledges)) in deltas.0 {
                        ::sqlx::query(&sql)
                        .bind(slate_id)
                        .bind(chosen)
                        .bind(cents)
                        .bind(hours)
                        .bind(pledges)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    }
                    Ok(())
                }

                async fn violations(&mut self, rule: &'static str, sql: &str) -> Result<Vec<Violation>> {
                    let rows = ::sqlx::query(sql).fetch_all(&mut *self.tx).await.map_err(db)?;
                    rows.iter()
                        .map(|r| Ok(Violation { rule, detail: get::<String>(r, "detail")? }))
                        .collect()
                }
            }

            #[::async_trait::async_trait]
            impl Tx for $tx {
                async fn commit(self: Box<Self>) -> Result<()> {
                    self.tx.commit().await.map_err(db)
                }

                async fn lock_slate(&mut self, slate_id: Id) -> Result<()> {
                    let lock: &str = $row_lock;
                    if !lock.is_empty() {
                        ::sqlx::query(&format!("SELECT id FROM slates WHERE id = $1{lock}"))
                            .bind(slate_id)
                            .execute(&mut *self.tx)
                            .await
                            .map_err(db)?;
                    }
                    Ok(())
                }

                async fn lock_slate_by_slug(&mut self, slug: &str) -> Result<Option<(Id, i64)>> {
                    let lock: &str = $row_lock;
                    let row = ::sqlx::query(&format!("SELECT id, version FROM slates WHERE slug = $1{lock}"))
                        .bind(slug)
                        .fetch_optional(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    row.map(|r| Ok((get(&r, "id")?, get(&r, "version")?))).transpose()
                }

                async fn insert_slate(&mut self, s: &NewSlate) -> Result<SlateRow> {
                    let limits = ::serde_json::to_string(&s.limits).map_err(|e| StoreError::Other(e.to_string()))?;
                    let row = ::sqlx::query(
                        "INSERT INTO slates (slug, name, cycle, description, condition, limits, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *",
                    )
                    .bind(s.slug.as_str())
                    .bind(&s.name)
                    .bind(s.cycle)
                    .bind(&s.description)
                    .bind(s.condition.source())
                    .bind(limits)
                    .bind(s.created_at)
                    .fetch_one(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    let slate = slate_from(&row)?;
                    ::sqlx::query("INSERT INTO pots (slate_id) VALUES ($1)")
                        .bind(slate.id)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    Ok(slate)
                }

                async fn slate_by_slug(&mut self, slug: &str) -> Result<Option<SlateRow>> {
                    let row = ::sqlx::query("SELECT * FROM slates WHERE slug = $1")
                        .bind(slug)
                        .fetch_optional(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    row.as_ref().map(slate_from).transpose()
                }

                async fn slate(&mut self, id: Id) -> Result<Option<SlateRow>> {
                    let row = ::sqlx::query("SELECT * FROM slates WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    row.as_ref().map(slate_from).transpose()
                }

                async fn slates(&mut self) -> Result<Vec<SlateRow>> {
                    let rows = ::sqlx::query("SELECT * FROM slates ORDER BY created_at, id")
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    rows.iter().map(slate_from).collect()
                }

                async fn update_limits(&mut self, slate_id: Id, limits: &LimitTable) -> Result<()> {
                    let json = ::serde_json::to_string(limits).map_err(|e| StoreError::Other(e.to_string()))?;
                    ::sqlx::query("UPDATE slates SET limits = $1 WHERE id = $2")
                        .bind(json)
                        .bind(slate_id)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    Ok(())
                }

                async fn update_slate(&mut self, slate_id: Id, name: &str, description: &str, condition: &Condition) -> Result<()> {
                    ::sqlx::query("UPDATE slates SET name = $1, description = $2, condition = $3 WHERE id = $4")
                        .bind(name)
                        .bind(description)
                        .bind(condition.source())
                        .bind(slate_id)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    Ok(())
                }

                async fn insert_candidate(&mut self, slate_id: Id, c: &NewCandidate) -> Result<CandidateRow> {
                    let row = ::sqlx::query(
                        "INSERT INTO candidates (slate_id, slug, name, office, state, district, primary_date, general_date) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *",
                    )
                    .bind(slate_id)
                    .bind(c.slug.as_str())
                    .bind(&c.name)
                    .bind(c.race.office.as_str())
                    .bind(&c.race.state)
                    .bind(&c.race.district)
                    .bind(c.race.primary_date)
                    .bind(c.race.general_date)
                    .fetch_one(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    candidate_from(&row)
                }

                async fn candidates(&mut self, slate_id: Id) -> Result<Vec<CandidateRow>> {
                    let rows = ::sqlx::query("SELECT * FROM candidates WHERE slate_id = $1 ORDER BY id")
                        .bind(slate_id)
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    rows.iter().map(candidate_from).collect()
                }

                async fn upsert_committee(&mut self, c: &CommitteeRow, at: DateTime<Utc>) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO committees (candidate_id, slate_id, name, fec_committee_id, fec_candidate_id, \
                         treasurer_first, treasurer_last, street1, street2, city, state, zip, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
                         ON CONFLICT (candidate_id) DO UPDATE SET name = excluded.name, \
                         fec_committee_id = excluded.fec_committee_id, fec_candidate_id = excluded.fec_candidate_id, \
                         treasurer_first = excluded.treasurer_first, treasurer_last = excluded.treasurer_last, \
                         street1 = excluded.street1, street2 = excluded.street2, city = excluded.city, \
                         state = excluded.state, zip = excluded.zip, updated_at = excluded.updated_at",
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
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(())
                }

                async fn committees(&mut self, slate_id: Id) -> Result<Vec<CommitteeRow>> {
                    let rows = ::sqlx::query("SELECT * FROM committees WHERE slate_id = $1 ORDER BY candidate_id")
                        .bind(slate_id)
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
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
                    let content = ::serde_json::to_string(&c.content).map_err(|e| StoreError::Other(e.to_string()))?;
                    ::sqlx::query(
                        "INSERT INTO compacts (slate_id, version, hash, content, created_at) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(slate_id)
                    .bind(c.version)
                    .bind(&c.hash)
                    .bind(content)
                    .bind(c.created_at)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(())
                }

                async fn latest_compact(&mut self, slate_id: Id) -> Result<Option<CompactRow>> {
                    let row = ::sqlx::query("SELECT * FROM compacts WHERE slate_id = $1 ORDER BY version DESC LIMIT 1")
                        .bind(slate_id)
                        .fetch_optional(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    row.as_ref().map(compact_from).transpose()
                }

                async fn compact_version(&mut self, slate_id: Id, version: i32) -> Result<Option<CompactRow>> {
                    let row = ::sqlx::query("SELECT * FROM compacts WHERE slate_id = $1 AND version = $2")
                        .bind(slate_id)
                        .bind(version)
                        .fetch_optional(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    row.as_ref().map(compact_from).transpose()
                }

                async fn compact_seen(&mut self, user_id: Id, slate_id: Id) -> Result<Option<(i32, Option<i32>)>> {
                    let row = ::sqlx::query("SELECT seen_version, before_version FROM compact_seen WHERE user_id = $1 AND slate_id = $2")
                        .bind(user_id)
                        .bind(slate_id)
                        .fetch_optional(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    row.map(|r| Ok((get(&r, "seen_version")?, get(&r, "before_version")?)))
                        .transpose()
                }

                async fn set_compact_seen(&mut self, user_id: Id, slate_id: Id, seen: i32, before: Option<i32>) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO compact_seen (user_id, slate_id, seen_version, before_version) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (user_id, slate_id) DO UPDATE SET seen_version = excluded.seen_version, before_version = excluded.before_version",
                    )
                    .bind(user_id)
                    .bind(slate_id)
                    .bind(seen)
                    .bind(before)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(())
                }

                async fn upsert_signature(&mut self, slate_id: Id, s: &SignatureRow) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO signatures (slate_id, candidate_id, version, signed_at) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (slate_id, candidate_id) DO UPDATE SET version = excluded.version, signed_at = excluded.signed_at",
                    )
                    .bind(slate_id)
                    .bind(s.candidate_id)
                    .bind(s.version)
                    .bind(s.signed_at)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(())
                }

                async fn delete_signature(&mut self, slate_id: Id, candidate_id: Id) -> Result<bool> {
                    let r = ::sqlx::query("DELETE FROM signatures WHERE slate_id = $1 AND candidate_id = $2")
                        .bind(slate_id)
                        .bind(candidate_id)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    Ok(r.rows_affected() > 0)
                }

                async fn signatures(&mut self, slate_id: Id) -> Result<Vec<SignatureRow>> {
                    let rows = ::sqlx::query("SELECT * FROM signatures WHERE slate_id = $1 ORDER BY signed_at, candidate_id")
                        .bind(slate_id)
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
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

                async fn insert_endorsement(&mut self, slate_id: Id, e: &EndorsementRow) -> Result<bool> {
                    let r = ::sqlx::query(
                        "INSERT INTO endorsements (slate_id, from_id, to_id, created_at) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT DO NOTHING",
                    )
                    .bind(slate_id)
                    .bind(e.from_id)
                    .bind(e.to_id)
                    .bind(e.at)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(r.rows_affected() > 0)
                }

                async fn delete_endorsement(&mut self, slate_id: Id, from_id: Id, to_id: Id) -> Result<bool> {
                    let r = ::sqlx::query("DELETE FROM endorsements WHERE slate_id = $1 AND from_id = $2 AND to_id = $3")
                        .bind(slate_id)
                        .bind(from_id)
                        .bind(to_id)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    Ok(r.rows_affected() > 0)
                }

                async fn endorsements(&mut self, slate_id: Id) -> Result<Vec<EndorsementRow>> {
                    let rows = ::sqlx::query("SELECT * FROM endorsements WHERE slate_id = $1 ORDER BY created_at, from_id, to_id")
                        .bind(slate_id)
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
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

                async fn condition_id(&mut self, slate_id: Id, condition: &Condition) -> Result<Id> {
                    let source = condition.canonical();
                    let found = ::sqlx::query("SELECT id FROM conditions WHERE slate_id = $1 AND source = $2")
                        .bind(slate_id)
                        .bind(&source)
                        .fetch_optional(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    if let Some(row) = found {
                        return get(&row, "id");
                    }
                    let row = ::sqlx::query("INSERT INTO conditions (slate_id, source, reads) VALUES ($1, $2, $3) RETURNING id")
                        .bind(slate_id)
                        .bind(&source)
                        .bind(condition.reads().to_bits())
                        .fetch_one(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    get(&row, "id")
                }

                async fn pending_conditions(&mut self, slate_id: Id) -> Result<Vec<ConditionRow>> {
                    let rows = ::sqlx::query(
                        // A scalar subquery with LIMIT 1, not EXISTS: PostgreSQL turns EXISTS into a
                        // semi-join that aggregates every pending pledge (36 ms at 100k); this probes
                        // the partial index once per condition.
                        "SELECT c.id, c.source, c.reads FROM conditions c WHERE c.slate_id = $1 AND \
                         (SELECT 1 FROM pledges p WHERE p.condition_id = c.id AND p.status = 'pending' LIMIT 1) IS NOT NULL \
                         ORDER BY c.id",
                    )
                    .bind(slate_id)
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    rows.iter().map(condition_from).collect()
                }

                async fn slate_conditions(&mut self, slate_id: Id) -> Result<Vec<ConditionRow>> {
                    let rows = ::sqlx::query("SELECT id, source, reads FROM conditions WHERE slate_id = $1 ORDER BY id")
                        .bind(slate_id)
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    rows.iter().map(condition_from).collect()
                }

                async fn insert_pledge(&mut self, p: &NewPledge) -> Result<Id> {
                    let rows = bind_pledge(::sqlx::query(&INSERT_ONE_PLEDGE), p)?
                        .bind(p.email.as_str())
                        .bind(p.slate_id)
                        .bind(ids_to_json(&p.candidates).unwrap_or_default())
                        .bind(p.kind.money().get())
                        .bind(i64::from(p.kind.hours_per_week()))
                        // Every row, not the first: on SQLite that would stop before the later statements.
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    get(rows.first().ok_or_else(|| StoreError::Other("a pledge insert returned no id".into()))?, "id")
                }

                async fn insert_pledges(&mut self, pledges: &[NewPledge]) -> Result<()> {
                    for chunk in pledges.chunks(CHUNK / 2) {
                        let sql = format!(
                            "{INSERT_PLEDGES} {} RETURNING id, email",
                            values_placeholders(SIGIL, chunk.len(), PLEDGE_COLS).replace(")", ", 'pending')")
                        );
                        let mut q = ::sqlx::query(&sql);
                        for p in chunk {
                            q = bind_pledge(q, p)?;
                        }
                        let rows = q.fetch_all(&mut *self.tx).await.map_err(db)?;
                        let donors = rows
                            .iter()
                            .map(|r| Ok((get::<String>(r, "email")?, get::<Id>(r, "id")?)))
                            .collect::<Result<Vec<_>>>()?;
                        self.insert_pledge_donors(&donors).await?;
                    }
                    let mut w = WaitingDeltas::default();
                    for p in pledges {
                        w.add(p.slate_id, ids_to_json(&p.candidates), p.kind.money().get(), i64::from(p.kind.hours_per_week()), 1);
                    }
                    self.apply_waiting(w).await?;
                    let mut per_slate: ::std::collections::BTreeMap<Id, (PotDelta, ::std::collections::BTreeMap<&Email, i64>)> =
                        ::std::collections::BTreeMap::new();
                    for p in pledges {
                        let (d, donors) = per_slate.entry(p.slate_id).or_default();
                        d.pending_cents += p.kind.money().get();
                        d.hours_per_week_pending += i64::from(p.kind.hours_per_week());
                        *donors.entry(&p.email).or_default() += 1;
                    }
                    for (slate_id, (mut delta, donors)) in per_slate {
                        let donors: Vec<(Email, i64)> = donors.into_iter().map(|(e, n)| (e.clone(), n)).collect();
                        delta.pledgers += self.add_pledgers(slate_id, &donors).await?;
                        self.add_to_pot(slate_id, &delta).await?;
                    }
                    Ok(())
                }

                async fn record_intake(&mut self, w: &IntakeWrites<'_>) -> Result<IntakeRecorded> {
                    self.intake_writes(w).await
                }

                async fn add_pledgers(&mut self, slate_id: Id, donors: &[(Email, i64)]) -> Result<i64> {
                    let mut new = 0;
                    for chunk in donors.chunks(CHUNK) {
                        let sql = format!(
                            "INSERT INTO pledgers (slate_id, email, live) VALUES {} \
                             ON CONFLICT (slate_id, email) DO UPDATE SET live = pledgers.live + excluded.live \
                             RETURNING email, live",
                            values_placeholders(SIGIL, chunk.len(), 3)
                        );
                        let mut q = ::sqlx::query(&sql);
                        for (email, n) in chunk {
                            q = q.bind(slate_id).bind(email.as_str()).bind(*n);
                        }
                        let rows = q.fetch_all(&mut *self.tx).await.map_err(db)?;
                        // A donor is new to the pot when their live count is exactly what this call added.
                        let added: ::std::collections::HashMap<&str, i64> = chunk.iter().map(|(e, n)| (e.as_str(), *n)).collect();
                        for row in &rows {
                            let email: String = get(row, "email")?;
                            let live: i64 = get(row, "live")?;
                            if added.get(email.as_str()) == Some(&live) {
                                new += 1;
                            }
                        }
                    }
                    Ok(new)
                }

                async fn pledge(&mut self, id: Id) -> Result<Option<PledgeRow>> {
                    let sql = format!(
                        "SELECT {PLEDGE_COLUMNS} FROM pledges p JOIN conditions c ON c.id = p.condition_id WHERE p.id = $1"
                    );
                    let row = ::sqlx::query(&sql).bind(id).fetch_optional(&mut *self.tx).await.map_err(db)?;
                    row.as_ref().map(pledge_from).transpose()
                }

                async fn pledge_by_idempotency_key(&mut self, key: &str) -> Result<Option<PledgeRow>> {
                    let sql = format!(
                        "SELECT {PLEDGE_COLUMNS} FROM pledges p JOIN conditions c ON c.id = p.condition_id \
                         WHERE p.idempotency_key = $1"
                    );
                    let row = ::sqlx::query(&sql).bind(key).fetch_optional(&mut *self.tx).await.map_err(db)?;
                    row.as_ref().map(pledge_from).transpose()
                }

                async fn set_status(&mut self, id: Id, from: PledgeStatus, to: PledgeStatus) -> Result<bool> {
                    let row = ::sqlx::query(
                        "UPDATE pledges SET status = $1 WHERE id = $2 AND status = $3 \
                         RETURNING slate_id, amount_cents, hours_per_week, candidates",
                    )
                    .bind(to.as_str())
                    .bind(id)
                    .bind(from.as_str())
                    .fetch_optional(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    let Some(row) = row else { return Ok(false) };
                    if (from == PledgeStatus::Pending) != (to == PledgeStatus::Pending) {
                        let mut w = WaitingDeltas::default();
                        let sign = if to == PledgeStatus::Pending { 1 } else { -1 };
                        w.add(get(&row, "slate_id")?, get(&row, "candidates")?, get(&row, "amount_cents")?, get(&row, "hours_per_week")?, sign);
                        self.apply_waiting(w).await?;
                    }
                    Ok(true)
                }

                async fn stop_monthly(&mut self, id: Id, at: DateTime<Utc>) -> Result<bool> {
                    // Unlocked pledges are not in `waiting`, so nothing else moves here.
                    let done = ::sqlx::query(
                        "UPDATE pledges SET status = 'stopped', stopped_at = $1 \
                         WHERE id = $2 AND status = 'unlocked' AND kind = 'money' AND recurring = 'monthly'",
                    )
                    .bind(at)
                    .bind(id)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn pending_pledges(&mut self, slate_id: Id, conditions: &[Id], today: NaiveDate) -> Result<Vec<PendingPledge>> {
                    let mut out = Vec::new();
                    for cond in conditions {
                        let rows = ::sqlx::query(
                            "SELECT id, email, amount_cents, hours_per_week, candidates FROM pledges \
                             WHERE condition_id = $1 AND status = 'pending' AND slate_id = $2 AND deadline >= $3 ORDER BY id",
                        )
                        .bind(cond)
                        .bind(slate_id)
                        .bind(today)
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
                        for r in &rows {
                            out.push(pending_from(r)?);
                        }
                    }
                    Ok(out)
                }

                async fn record_unlocks(&mut self, ids: &[Id], installments: &[Installment], at: DateTime<Utc>) -> Result<u64> {
                    let moved = self.mark_unlocked(ids, at).await?;
                    self.record_installments(installments, at).await?;
                    Ok(moved)
                }

                async fn record_installments(&mut self, installments: &[Installment], at: DateTime<Utc>) -> Result<()> {
                    self.insert_installments(installments, at).await?;
                    // Per-candidate totals, kept here so reading them never scans allocations.
                    let mut totals: ::std::collections::BTreeMap<Id, (i64, i64)> = ::std::collections::BTreeMap::new();
                    for a in installments.iter().flat_map(|i| &i.allocations).filter(|a| a.cents > Cents::ZERO) {
                        let t = totals.entry(a.candidate_id).or_default();
                        t.0 += a.cents.get();
                        t.1 += 1;
                    }
                    for (candidate_id, (cents, contributions)) in totals {
                        ::sqlx::query(
                            "INSERT INTO candidate_totals (candidate_id, cents, contributions) VALUES ($1, $2, $3) \
                             ON CONFLICT (candidate_id) DO UPDATE SET cents = candidate_totals.cents + excluded.cents, \
                             contributions = candidate_totals.contributions + excluded.contributions",
                        )
                        .bind(candidate_id)
                        .bind(cents)
                        .bind(contributions)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    }
                    Ok(())
                }

                async fn monthly_pledges(&mut self, slate_id: Id) -> Result<Vec<MonthlyPledge>> {
                    let rows = ::sqlx::query(
                        "SELECT p.id, p.email, p.amount_cents, p.hours_per_week, p.candidates, p.condition_id, p.unlocked_at, \
                         CAST((SELECT MAX(i.period) FROM installments i WHERE i.pledge_id = p.id) AS INTEGER) AS last_period \
                         FROM pledges p WHERE p.slate_id = $1 AND p.status = 'unlocked' AND p.kind = 'money' \
                         AND p.recurring = 'monthly' ORDER BY p.id",
                    )
                    .bind(slate_id)
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    rows.iter()
                        .map(|r| {
                            let at: Option<DateTime<Utc>> = get(r, "unlocked_at")?;
                            let last: Option<i32> = get(r, "last_period")?;
                            Ok(MonthlyPledge {
                                pledge: pending_from(r)?,
                                condition_id: get(r, "condition_id")?,
                                unlocked_at: at.ok_or_else(|| corrupt("pledges", "unlocked pledge without unlocked_at"))?,
                                last_period: last.unwrap_or(0),
                            })
                        })
                        .collect()
                }

                async fn expire_pending(&mut self, slate_id: Id, today: NaiveDate) -> Result<Vec<PendingPledge>> {
                    let rows = ::sqlx::query(
                        "UPDATE pledges SET status = 'expired' WHERE slate_id = $1 AND status = 'pending' AND deadline < $2 \
                         RETURNING id, email, amount_cents, hours_per_week, candidates",
                    )
                    .bind(slate_id)
                    .bind(today)
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    let expired = rows.iter().map(pending_from).collect::<Result<Vec<_>>>()?;
                    let mut w = WaitingDeltas::default();
                    for p in &expired {
                        w.add(slate_id, ids_to_json(&p.candidates), p.amount.get(), p.hours_per_week, -1);
                    }
                    self.apply_waiting(w).await?;
                    Ok(expired)
                }

                async fn installments(&mut self, pledge_id: Id) -> Result<Vec<Installment>> {
                    let rows = ::sqlx::query("SELECT * FROM installments WHERE pledge_id = $1 ORDER BY period")
                        .bind(pledge_id)
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    let allocs = ::sqlx::query("SELECT * FROM allocations WHERE pledge_id = $1 ORDER BY period, candidate_id")
                        .bind(pledge_id)
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    let mut out = rows
                        .iter()
                        .map(|r| {
                            Ok(Installment {
                                pledge_id,
                                period: get(r, "period")?,
                                amount: Cents(get(r, "amount_cents")?),
                                unallocated: Cents(get(r, "unallocated_cents")?),
                                allocations: Vec::new(),
                            })
                        })
                        .collect::<Result<Vec<_>>>()?;
                    for a in &allocs {
                        let period: i32 = get(a, "period")?;
                        let share = AllocationShare {
                            candidate_id: get(a, "candidate_id")?,
                            election: election_from(a, "allocations")?,
                            cents: Cents(get(a, "cents")?),
                        };
                        match out.iter_mut().find(|i| i.period == period) {
                            Some(i) => i.allocations.push(share),
                            None => return Err(corrupt("allocations", format!("pledge {pledge_id} period {period} has no installment"))),
                        }
                    }
                    Ok(out)
                }

                async fn given(&mut self, slate_id: Id) -> Result<Vec<GivenRow>> {
                    let rows = ::sqlx::query(
                        "SELECT p.email, a.candidate_id, a.election, CAST(SUM(a.cents) AS BIGINT) AS cents \
                         FROM allocations a JOIN pledges p ON p.id = a.pledge_id WHERE p.slate_id = $1 \
                         GROUP BY p.email, a.candidate_id, a.election",
                    )
                    .bind(slate_id)
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    rows.iter().map(given_from).collect()
                }

                async fn given_elsewhere(&mut self, slate_id: Id) -> Result<Vec<GivenRow>> {
                    // First the few pairs of the same FEC candidate on two slates of
                    // the cycle (usually none: then nothing else is read), then
                    // what each donor gave that candidate there.
                    let pairs = ::sqlx::query(
                        "SELECT mine.candidate_id AS mine, other.candidate_id AS other, other.slate_id AS other_slate \
                         FROM committees mine \
                         JOIN slates ms ON ms.id = mine.slate_id \
                         JOIN committees other ON other.fec_candidate_id = mine.fec_candidate_id \
                              AND other.slate_id <> mine.slate_id \
                         JOIN slates os ON os.id = other.slate_id AND os.cycle = ms.cycle \
                         WHERE mine.slate_id = $1 AND mine.fec_candidate_id <> ''",
                    )
                    .bind(slate_id)
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    let mut out = Vec::new();
                    for pair in &pairs {
                        let mine: Id = get(pair, "mine")?;
                        let rows = ::sqlx::query(
                            "SELECT p.email, a.candidate_id, a.election, CAST(SUM(a.cents) AS BIGINT) AS cents \
                             FROM pledges p JOIN allocations a ON a.pledge_id = p.id \
                             WHERE p.slate_id = $1 AND a.candidate_id = $2 \
                             GROUP BY p.email, a.candidate_id, a.election",
                        )
                        .bind(get::<Id>(pair, "other_slate")?)
                        .bind(get::<Id>(pair, "other")?)
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
                        for r in &rows {
                            out.push(GivenRow { candidate_id: mine, ..given_from(r)? });
                        }
                    }
                    Ok(out)
                }

                async fn candidate_totals(&mut self, slate_id: Id) -> Result<Vec<CandidateTotal>> {
                    let rows = ::sqlx::query(
                        "SELECT c.id, COALESCE(t.cents, 0) AS cents, COALESCE(t.contributions, 0) AS contributions \
                         FROM candidates c LEFT JOIN candidate_totals t ON t.candidate_id = c.id \
                         WHERE c.slate_id = $1 ORDER BY c.id",
                    )
                    .bind(slate_id)
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    rows.iter()
                        .map(|r| {
                            Ok(CandidateTotal {
                                candidate_id: get(r, "id")?,
                                cents: Cents(get(r, "cents")?),
                                contributions: get(r, "contributions")?,
                            })
                        })
                        .collect()
                }

                async fn waiting(&mut self, slate_id: Id) -> Result<Vec<WaitingRow>> {
                    let rows = ::sqlx::query(
                        "SELECT chosen, cents, hours, pledges FROM waiting WHERE slate_id = $1 AND pledges > 0 ORDER BY chosen",
                    )
                    .bind(slate_id)
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    rows.iter()
                        .map(|r| {
                            let chosen: String = get(r, "chosen")?;
                            Ok(WaitingRow {
                                chosen: ids_from_json(Some(chosen).filter(|c| !c.is_empty()))?,
                                cents: Cents(get(r, "cents")?),
                                hours_per_week: get(r, "hours")?,
                                pledges: get(r, "pledges")?,
                            })
                        })
                        .collect()
                }

                async fn pot(&mut self, slate_id: Id) -> Result<Pot> {
                    let r = ::sqlx::query("SELECT * FROM pots WHERE slate_id = $1")
                        .bind(slate_id)
                        .fetch_one(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    pot_from(&r)
                }

                async fn add_to_pot(&mut self, slate_id: Id, d: &PotDelta) -> Result<Pot> {
                    let r = ::sqlx::query(
                        "UPDATE pots SET pending_cents = pending_cents + $1, unlocked_cents = unlocked_cents + $2, \
                         pledgers = pledgers + $3, hours_pending = hours_pending + $4, hours_unlocked = hours_unlocked + $5 \
                         WHERE slate_id = $6 RETURNING *",
                    )
                    .bind(d.pending_cents)
                    .bind(d.unlocked_cents)
                    .bind(d.pledgers)
                    .bind(d.hours_per_week_pending)
                    .bind(d.hours_per_week_unlocked)
                    .bind(slate_id)
                    .fetch_one(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    pot_from(&r)
                }

                async fn adjust_pledger(&mut self, slate_id: Id, email: &Email, delta: i64) -> Result<i64> {
                    let row = ::sqlx::query(
                        "INSERT INTO pledgers (slate_id, email, live) VALUES ($1, $2, $3) \
                         ON CONFLICT (slate_id, email) DO UPDATE SET live = pledgers.live + excluded.live RETURNING live",
                    )
                    .bind(slate_id)
                    .bind(email.as_str())
                    .bind(delta)
                    .fetch_one(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    get(&row, "live")
                }

                // --- a slate's conversation
                async fn insert_statement(&mut self, s: &NewStatement) -> Result<StatementRow> {
                    let row = ::sqlx::query(
                        "INSERT INTO conversation_statements (slate_id, body, author_id, status, seeded, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    )
                    .bind(s.slate_id)
                    .bind(&s.body)
                    .bind(s.author_id)
                    .bind(s.status.as_str())
                    .bind(s.seeded)
                    .bind(s.created_at)
                    .fetch_one(&mut *self.tx)
                    .await
                    .map_err(db)?;
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

                async fn statements(&mut self, slate_id: Id, only: Option<Id>) -> Result<Vec<StatementRow>> {
                    let rows = ::sqlx::query(
                        "SELECT * FROM conversation_statements WHERE slate_id = $1 AND (CAST($2 AS BIGINT) IS NULL OR id = $2) ORDER BY id",
                    )
                        .bind(slate_id)
                        .bind(only)
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    rows.iter()
                        .map(|r| {
                            let status: String = get(r, "status")?;
                            let version: Option<i32> = get(r, "adopted_version")?;
                            let adopted = match version {
                                Some(version) => Some(Adoption {
                                    version,
                                    title: get::<Option<String>>(r, "adopted_title")?.unwrap_or_default(),
                                    support: get::<Option<String>>(r, "adopted_support")?.unwrap_or_default(),
                                }),
                                None => None,
                            };
                            Ok(StatementRow {
                                id: get(r, "id")?,
                                slate_id: get(r, "slate_id")?,
                                body: get(r, "body")?,
                                author_id: get(r, "author_id")?,
                                status: StatementStatus::parse(&status)
                                    .ok_or_else(|| corrupt("conversation_statements", format!("status {status:?}")))?,
                                seeded: get(r, "seeded")?,
                                created_at: get(r, "created_at")?,
                                adopted,
                            })
                        })
                        .collect()
                }

                async fn set_statement_status(&mut self, id: Id, status: StatementStatus) -> Result<bool> {
                    let r = ::sqlx::query("UPDATE conversation_statements SET status = $1 WHERE id = $2")
                        .bind(status.as_str())
                        .bind(id)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    Ok(r.rows_affected() > 0)
                }

                async fn set_statement_adopted(&mut self, id: Id, a: &Adoption) -> Result<()> {
                    ::sqlx::query(
                        "UPDATE conversation_statements SET adopted_version = $1, adopted_title = $2, adopted_support = $3 WHERE id = $4",
                    )
                    .bind(a.version)
                    .bind(&a.title)
                    .bind(&a.support)
                    .bind(id)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(())
                }

                async fn upsert_vote(&mut self, slate_id: Id, v: &VoteRow) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO conversation_votes (statement_id, user_id, slate_id, vote, at) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (statement_id, user_id) DO UPDATE SET vote = excluded.vote, at = excluded.at",
                    )
                    .bind(v.statement_id)
                    .bind(v.user_id)
                    .bind(slate_id)
                    .bind(v.vote)
                    .bind(v.at)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(())
                }

                async fn votes_of(&mut self, slate_id: Id, user_id: Id) -> Result<Vec<VoteRow>> {
                    let rows = ::sqlx::query(
                        "SELECT statement_id, user_id, vote, at FROM conversation_votes WHERE slate_id = $1 AND user_id = $2 ORDER BY statement_id",
                    )
                    .bind(slate_id)
                    .bind(user_id)
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    rows.iter()
                        .map(|r| Ok(VoteRow { statement_id: get(r, "statement_id")?, user_id: get(r, "user_id")?, vote: get(r, "vote")?, at: get(r, "at")? }))
                        .collect()
                }

                async fn conversation_votes(&mut self, slate_id: Id) -> Result<Vec<VoteRow>> {
                    let rows = ::sqlx::query(
                        "SELECT statement_id, user_id, vote, at FROM conversation_votes WHERE slate_id = $1 ORDER BY user_id, statement_id",
                    )
                    .bind(slate_id)
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    rows.iter()
                        .map(|r| Ok(VoteRow { statement_id: get(r, "statement_id")?, user_id: get(r, "user_id")?, vote: get(r, "vote")?, at: get(r, "at")? }))
                        .collect()
                }

                async fn touch_conversation(&mut self, slate_id: Id) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO conversations (slate_id, changes) VALUES ($1, 1) \
                         ON CONFLICT (slate_id) DO UPDATE SET changes = conversations.changes + 1",
                    )
                    .bind(slate_id)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(())
                }

                async fn conversation_state(&mut self, slate_id: Id) -> Result<ConversationState> {
                    let row = ::sqlx::query("SELECT * FROM conversations WHERE slate_id = $1")
                        .bind(slate_id)
                        .fetch_optional(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    let Some(r) = row else {
                        return Ok(ConversationState::default());
                    };
                    let result_changes: Option<i64> = get(&r, "result_changes")?;
                    let result = match result_changes {
                        Some(changes) => Some(StoredResult {
                            changes,
                            votes: get::<Option<i64>>(&r, "result_votes")?.unwrap_or(0),
                            computed_at: get::<Option<DateTime<Utc>>>(&r, "result_at")?
                                .ok_or_else(|| corrupt("conversations", "a result without its time"))?,
                            result: get::<Option<String>>(&r, "result")?.unwrap_or_default(),
                            warm: get::<Option<String>>(&r, "warm")?.unwrap_or_default(),
                        }),
                        None => None,
                    };
                    Ok(ConversationState { changes: get(&r, "changes")?, result })
                }

                async fn save_conversation_result(&mut self, slate_id: Id, s: &StoredResult) -> Result<bool> {
                    let r = ::sqlx::query(
                        "INSERT INTO conversations (slate_id, changes, result_changes, result_votes, result_at, result, warm) \
                         VALUES ($1, $2, $2, $3, $4, $5, $6) \
                         ON CONFLICT (slate_id) DO UPDATE SET result_changes = excluded.result_changes, \
                         result_votes = excluded.result_votes, result_at = excluded.result_at, \
                         result = excluded.result, warm = excluded.warm \
                         WHERE conversations.result_changes IS NULL OR conversations.result_changes < excluded.result_changes",
                    )
                    .bind(slate_id)
                    .bind(s.changes)
                    .bind(s.votes)
                    .bind(s.computed_at)
                    .bind(&s.result)
                    .bind(&s.warm)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(r.rows_affected() > 0)
                }

                async fn stale_conversations(&mut self) -> Result<Vec<Id>> {
                    let rows = ::sqlx::query(
                        "SELECT slate_id FROM conversations WHERE result_changes IS NULL OR result_changes < changes ORDER BY slate_id",
                    )
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    rows.iter().map(|r| get(r, "slate_id")).collect()
                }

                async fn append_event(&mut self, slate_id: Id, kind: &str, payload: &str, at: DateTime<Utc>) -> Result<i64> {
                    let row = ::sqlx::query("INSERT INTO events (slate_id, kind, payload, at) VALUES ($1, $2, $3, $4) RETURNING seq")
                        .bind(slate_id)
                        .bind(kind)
                        .bind(payload)
                        .bind(at)
                        .fetch_one(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    get(&row, "seq")
                }

                async fn events(&mut self, slate_id: Id, after: i64, limit: i64) -> Result<Vec<EventRow>> {
                    let rows = ::sqlx::query("SELECT * FROM events WHERE slate_id = $1 AND seq > $2 ORDER BY seq LIMIT $3")
                        .bind(slate_id)
                        .bind(after)
                        .bind(limit)
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    rows.iter()
                        .map(|r| {
                            Ok(EventRow {
                                seq: get(r, "seq")?,
                                slate_id: get(r, "slate_id")?,
                                kind: get(r, "kind")?,
                                payload: get(r, "payload")?,
                                at: get(r, "at")?,
                            })
                        })
                        .collect()
                }

                async fn insert_token(&mut self, hash: &str, t: &TokenRow, at: DateTime<Utc>) -> Result<()> {
                    ::sqlx::query("INSERT INTO tokens (hash, role, slate_id, candidate_id, created_at) VALUES ($1, $2, $3, $4, $5)")
                        .bind(hash)
                        .bind(t.role.as_str())
                        .bind(t.slate_id)
                        .bind(t.candidate_id)
                        .bind(at)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    Ok(())
                }

                async fn token(&mut self, hash: &str) -> Result<Option<TokenRow>> {
                    let row = ::sqlx::query("SELECT * FROM tokens WHERE hash = $1")
                        .bind(hash)
                        .fetch_optional(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    row.map(|r| {
                        let role: String = get(&r, "role")?;
                        Ok(TokenRow {
                            role: Role::parse(&role).ok_or_else(|| corrupt("tokens", format!("unknown role {role:?}")))?,
                            slate_id: get(&r, "slate_id")?,
                            candidate_id: get(&r, "candidate_id")?,
                        })
                    })
                    .transpose()
                }

                // --- skilled volunteer teams (issue 5)
                async fn upsert_volunteer_profile(&mut self, p: &VolunteerProfileRow) -> Result<()> {
                    let skills = ::serde_json::to_string(&p.skills).map_err(|e| StoreError::Other(e.to_string()))?;
                    let languages = ::serde_json::to_string(&p.languages).map_err(|e| StoreError::Other(e.to_string()))?;
                    ::sqlx::query(
                        "INSERT INTO volunteer_profiles (user_id, skills, hours_per_week, weeks, utc_offset_minutes, state, remote, \
                         languages, can_mentor, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                         ON CONFLICT (user_id) DO UPDATE SET skills = excluded.skills, hours_per_week = excluded.hours_per_week, \
                         weeks = excluded.weeks, utc_offset_minutes = excluded.utc_offset_minutes, state = excluded.state, \
                         remote = excluded.remote, languages = excluded.languages, can_mentor = excluded.can_mentor, \
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
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(())
                }

                async fn volunteer_profile(&mut self, user_id: Id) -> Result<Option<VolunteerProfileRow>> {
                    let row = ::sqlx::query("SELECT * FROM volunteer_profiles WHERE user_id = $1")
                        .bind(user_id)
                        .fetch_optional(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    row.as_ref().map($crate::profile_from_row!(get, corrupt)).transpose()
                }

                async fn insert_slate_skill(&mut self, slate_id: Id, s: &SkillRow) -> Result<()> {
                    ::sqlx::query("INSERT INTO slate_skills (slate_id, slug, label, person) VALUES ($1, $2, $3, $4)")
                        .bind(slate_id)
                        .bind(&s.slug)
                        .bind(&s.label)
                        .bind(&s.person)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    Ok(())
                }

                async fn slate_skills(&mut self, slate_id: Option<Id>) -> Result<Vec<SkillRow>> {
                    let rows = ::sqlx::query(
                        "SELECT slug, MIN(label) AS label, MIN(person) AS person FROM slate_skills \
                         WHERE $1 IS NULL OR slate_id = $1 GROUP BY slug ORDER BY slug",
                    )
                    .bind(slate_id)
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    rows.iter()
                        .map(|r| Ok(SkillRow { slug: get(r, "slug")?, label: get(r, "label")?, person: get(r, "person")? }))
                        .collect()
                }

                async fn insert_team(&mut self, slate_id: Id, candidate_id: Id, kind: &str, needs: &[NewNeed], at: DateTime<Utc>) -> Result<TeamRow> {
                    let row = ::sqlx::query("INSERT INTO teams (slate_id, candidate_id, kind, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
                        .bind(slate_id)
                        .bind(candidate_id)
                        .bind(kind)
                        .bind(at)
                        .fetch_one(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    let id: Id = get(&row, "id")?;
                    for n in needs {
                        ::sqlx::query(
                            "INSERT INTO needs (team_id, slate_id, role, skill, min_level, hours_per_week, weeks, utc_offset_minutes, \
                             state, remote_ok, priority, lead) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
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
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    }
                    self.team(id).await?.ok_or_else(|| StoreError::Other("the team just inserted is gone".into()))
                }

                async fn team(&mut self, id: Id) -> Result<Option<TeamRow>> {
                    let row = ::sqlx::query("SELECT * FROM teams WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    row.as_ref().map($crate::team_from_row!(get)).transpose()
                }

                async fn teams(&mut self, slate_id: Id) -> Result<Vec<TeamRow>> {
                    let rows = ::sqlx::query("SELECT * FROM teams WHERE slate_id = $1 ORDER BY id")
                        .bind(slate_id)
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    rows.iter().map($crate::team_from_row!(get)).collect()
                }

                async fn needs(&mut self, slate_id: Id) -> Result<Vec<NeedRow>> {
                    let rows = ::sqlx::query("SELECT * FROM needs WHERE slate_id = $1 ORDER BY id")
                        .bind(slate_id)
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
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
                        "SELECT u.*, v.user_id, v.skills, v.hours_per_week, v.weeks, v.utc_offset_minutes, v.state, v.remote, v.languages, \
                         v.can_mentor, v.updated_at, h.pledged_hours FROM volunteer_profiles v JOIN users u ON u.id = v.user_id \
                         JOIN (SELECT d.email, CAST(SUM(p.hours_per_week * p.weeks) AS BIGINT) AS pledged_hours \
                               FROM pledge_donors d JOIN pledges p ON p.id = d.pledge_id \
                               WHERE p.slate_id = $1 AND p.kind = 'hours' AND p.status = 'unlocked' GROUP BY d.email) h \
                         ON h.email = u.email ORDER BY u.id",
                    )
                    .bind(slate_id)
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    let profile = $crate::profile_from_row!(get, corrupt);
                    rows.iter()
                        .map(|r| {
                            Ok(PoolRow { user: user_from(r)?, profile: profile(r)?, pledged_hours: get(r, "pledged_hours")? })
                        })
                        .collect()
                }

                async fn pins(&mut self, slate_id: Id) -> Result<Vec<PinRow>> {
                    let rows = ::sqlx::query("SELECT * FROM match_pins WHERE slate_id = $1 ORDER BY need_id, user_id")
                        .bind(slate_id)
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    rows.iter()
                        .map(|r| Ok(PinRow { need_id: get(r, "need_id")?, user_id: get(r, "user_id")?, pinned: get(r, "pinned")? }))
                        .collect()
                }

                async fn upsert_pin(&mut self, slate_id: Id, pin: &PinRow) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO match_pins (need_id, user_id, slate_id, pinned) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (need_id, user_id) DO UPDATE SET pinned = excluded.pinned",
                    )
                    .bind(pin.need_id)
                    .bind(pin.user_id)
                    .bind(slate_id)
                    .bind(pin.pinned)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(())
                }

                async fn delete_pins(&mut self, need_ids: &[Id], user_id: Option<Id>) -> Result<()> {
                    for chunk in need_ids.chunks(CHUNK) {
                        let sql = format!(
                            "DELETE FROM match_pins WHERE user_id = COALESCE({}, user_id) AND need_id IN ({})",
                            list_placeholders(SIGIL, 1, 1),
                            list_placeholders(SIGIL, 2, chunk.len() + 1)
                        );
                        let mut q = ::sqlx::query(&sql).bind(user_id);
                        for id in chunk {
                            q = q.bind(*id);
                        }
                        q.execute(&mut *self.tx).await.map_err(db)?;
                    }
                    Ok(())
                }

                async fn fill_needs(&mut self, fills: &[(Id, Id, i64)]) -> Result<u64> {
                    let mut n = 0;
                    for (need, user, score) in fills {
                        n += ::sqlx::query("UPDATE needs SET user_id = $1, score = $2 WHERE id = $3 AND user_id IS NULL")
                            .bind(*user)
                            .bind(*score)
                            .bind(*need)
                            .execute(&mut *self.tx)
                            .await
                            .map_err(db)?
                            .rows_affected();
                    }
                    Ok(n)
                }

                async fn confirm_team(&mut self, team_id: Id, mentor: Option<Id>, at: DateTime<Utc>) -> Result<()> {
                    ::sqlx::query("UPDATE teams SET confirmed_at = COALESCE(confirmed_at, $1), mentor_user_id = $2 WHERE id = $3")
                        .bind(at)
                        .bind(mentor)
                        .bind(team_id)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    Ok(())
                }

                async fn services(&mut self, user_id: Id) -> Result<Vec<ServiceRow>> {
                    let rows = ::sqlx::query(
                        "SELECT t.*, n.role, s.slug AS slate_slug, s.name AS slate_name, c.name AS candidate_name \
                         FROM needs n JOIN teams t ON t.id = n.team_id JOIN slates s ON s.id = t.slate_id \
                         JOIN candidates c ON c.id = t.candidate_id \
                         WHERE n.user_id = $1 AND t.confirmed_at IS NOT NULL ORDER BY t.confirmed_at DESC, t.id DESC",
                    )
                    .bind(user_id)
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err(db)?;
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
                        "INSERT INTO hours_logs (team_id, user_id, week, hours, updated_at) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (team_id, user_id, week) DO UPDATE SET hours = excluded.hours, updated_at = excluded.updated_at",
                    )
                    .bind(h.team_id)
                    .bind(h.user_id)
                    .bind(h.week)
                    .bind(h.hours)
                    .bind(at)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(())
                }

                async fn hours(&mut self, slate_id: Id) -> Result<Vec<HoursRow>> {
                    let rows = ::sqlx::query(
                        "SELECT h.* FROM hours_logs h JOIN teams t ON t.id = h.team_id WHERE t.slate_id = $1 \
                         ORDER BY h.team_id, h.user_id, h.week",
                    )
                    .bind(slate_id)
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    rows.iter()
                        .map(|r| Ok(HoursRow { team_id: get(r, "team_id")?, user_id: get(r, "user_id")?, week: get(r, "week")?, hours: get(r, "hours")? }))
                        .collect()
                }

                async fn toolkit_edits(&mut self, slate_id: Id) -> Result<Vec<(String, String)>> {
                    let rows = ::sqlx::query("SELECT role, markdown FROM toolkit_edits WHERE slate_id = $1 ORDER BY role")
                        .bind(slate_id)
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    rows.iter().map(|r| Ok((get(r, "role")?, get(r, "markdown")?))).collect()
                }

                async fn set_toolkit(&mut self, slate_id: Id, role: &str, markdown: Option<&str>, at: DateTime<Utc>) -> Result<()> {
                    let q = match markdown {
                        Some(md) => ::sqlx::query(
                            "INSERT INTO toolkit_edits (slate_id, role, markdown, updated_at) VALUES ($1, $2, $3, $4) \
                             ON CONFLICT (slate_id, role) DO UPDATE SET markdown = excluded.markdown, updated_at = excluded.updated_at",
                        )
                        .bind(slate_id)
                        .bind(role)
                        .bind(md)
                        .bind(at),
                        None => ::sqlx::query("DELETE FROM toolkit_edits WHERE slate_id = $1 AND role = $2").bind(slate_id).bind(role),
                    };
                    q.execute(&mut *self.tx).await.map_err(db)?;
                    Ok(())
                }

                async fn insert_user(&mut self, email: &Email, name: &str, at: DateTime<Utc>) -> Result<UserRow> {
                    let row = ::sqlx::query("INSERT INTO users (email, name, created_at) VALUES ($1, $2, $3) RETURNING *")
                        .bind(email.as_str())
                        .bind(name)
                        .bind(at)
                        .fetch_one(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    user_from(&row)
                }

                async fn user(&mut self, id: Id) -> Result<Option<UserRow>> {
                    let row = ::sqlx::query("SELECT * FROM users WHERE id = $1").bind(id).fetch_optional(&mut *self.tx).await.map_err(db)?;
                    row.as_ref().map(user_from).transpose()
                }

                async fn user_by_email(&mut self, email: &Email) -> Result<Option<UserRow>> {
                    let row = ::sqlx::query("SELECT * FROM users WHERE email = $1")
                        .bind(email.as_str())
                        .fetch_optional(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    row.as_ref().map(user_from).transpose()
                }

                async fn update_user(&mut self, u: &UserRow) -> Result<()> {
                    ::sqlx::query("UPDATE users SET name = $1, password_hash = $2, email_prefs = $3 WHERE id = $4")
                        .bind(&u.name)
                        .bind(&u.password_hash)
                        .bind(u.email_prefs.as_str())
                        .bind(u.id)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    Ok(())
                }

                async fn insert_grant(&mut self, user_id: Id, g: &TokenRow) -> Result<bool> {
                    let done = ::sqlx::query(
                        "INSERT INTO grants (user_id, role, slate_id, candidate_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                    )
                    .bind(user_id)
                    .bind(g.role.as_str())
                    .bind(g.slate_id.unwrap_or(0))
                    .bind(g.candidate_id.unwrap_or(0))
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn grants(&mut self, user_id: Id) -> Result<Vec<TokenRow>> {
                    let rows = ::sqlx::query("SELECT * FROM grants WHERE user_id = $1 ORDER BY role, slate_id, candidate_id")
                        .bind(user_id)
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    rows.iter().map(grant_from).collect()
                }

                async fn slate_members(&mut self, slate_id: Id) -> Result<Vec<(UserRow, TokenRow)>> {
                    let rows = ::sqlx::query(
                        "SELECT u.*, g.role, g.slate_id, g.candidate_id FROM grants g JOIN users u ON u.id = g.user_id \
                         WHERE g.slate_id = $1 ORDER BY g.role, u.email",
                    )
                    .bind(slate_id)
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    rows.iter().map(|r| Ok((user_from(r)?, grant_from(r)?))).collect()
                }

                async fn insert_secret(&mut self, hash: &str, s: &SecretRow, at: DateTime<Utc>) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO secrets (hash, purpose, user_id, email, role, slate_id, candidate_id, created_at, expires_at, used_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    )
                    .bind(hash)
                    .bind(s.purpose.as_str())
                    .bind(s.user_id)
                    .bind(s.email.as_ref().map(|e| e.as_str()))
                    .bind(s.grant.as_ref().map(|g| g.role.as_str()))
                    .bind(s.grant.as_ref().and_then(|g| g.slate_id))
                    .bind(s.grant.as_ref().and_then(|g| g.candidate_id))
                    .bind(at)
                    .bind(s.expires_at)
                    .bind(s.used_at)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(())
                }

                async fn secret(&mut self, hash: &str) -> Result<Option<SecretRow>> {
                    let row = ::sqlx::query("SELECT * FROM secrets WHERE hash = $1").bind(hash).fetch_optional(&mut *self.tx).await.map_err(db)?;
                    row.map(|r| {
                        let purpose: String = get(&r, "purpose")?;
                        let email: Option<String> = get(&r, "email")?;
                        let role: Option<String> = get(&r, "role")?;
                        Ok(SecretRow {
                            purpose: match purpose.as_str() {
                                "session" => Purpose::Session,
                                "sign_in" => Purpose::SignIn,
                                "invite" => Purpose::Invite,
                                other => return Err(corrupt("secrets", format!("purpose {other:?}"))),
                            },
                            user_id: get(&r, "user_id")?,
                            email: email.map(|e| Email::parse(&e).map_err(|e| corrupt("secrets", e))).transpose()?,
                            grant: role
                                .map(|role| {
                                    Ok(TokenRow {
                                        role: Role::parse(&role).ok_or_else(|| corrupt("secrets", format!("role {role:?}")))?,
                                        slate_id: get(&r, "slate_id")?,
                                        candidate_id: get(&r, "candidate_id")?,
                                    })
                                })
                                .transpose()?,
                            expires_at: get(&r, "expires_at")?,
                            used_at: get(&r, "used_at")?,
                        })
                    })
                    .transpose()
                }

                async fn use_secret(&mut self, hash: &str, at: DateTime<Utc>) -> Result<bool> {
                    let done = ::sqlx::query("UPDATE secrets SET used_at = $1 WHERE hash = $2 AND used_at IS NULL")
                        .bind(at)
                        .bind(hash)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn delete_secret(&mut self, hash: &str) -> Result<()> {
                    ::sqlx::query("DELETE FROM secrets WHERE hash = $1").bind(hash).execute(&mut *self.tx).await.map_err(db)?;
                    Ok(())
                }

                async fn notice_cursor(&mut self, slate_id: Id) -> Result<(i64, Option<DateTime<Utc>>)> {
                    let row = ::sqlx::query("SELECT seq, last_unlock_at FROM notice_cursors WHERE slate_id = $1")
                        .bind(slate_id)
                        .fetch_optional(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    match row {
                        Some(r) => Ok((get(&r, "seq")?, get(&r, "last_unlock_at")?)),
                        None => Ok((0, None)),
                    }
                }

                async fn set_notice_cursor(&mut self, slate_id: Id, seq: i64, last_unlock_at: Option<DateTime<Utc>>) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO notice_cursors (slate_id, seq, last_unlock_at) VALUES ($1, $2, $3) \
                         ON CONFLICT (slate_id) DO UPDATE SET seq = excluded.seq, last_unlock_at = excluded.last_unlock_at",
                    )
                    .bind(slate_id)
                    .bind(seq)
                    .bind(last_unlock_at)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(())
                }

                async fn pledges_unlocked_at(&mut self, slate_id: Id, at: DateTime<Utc>) -> Result<Vec<PledgeRow>> {
                    let sql = format!(
                        "SELECT {PLEDGE_COLUMNS} FROM pledges p JOIN conditions c ON c.id = p.condition_id \
                         WHERE p.slate_id = $1 AND p.unlocked_at = $2 ORDER BY p.id"
                    );
                    let rows = ::sqlx::query(&sql).bind(slate_id).bind(at).fetch_all(&mut *self.tx).await.map_err(db)?;
                    rows.iter().map(pledge_from).collect()
                }

                async fn record_pot_history(&mut self, slate_id: Id, day: NaiveDate, pot: &Pot) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO pot_history (slate_id, day, pending_cents, unlocked_cents, pledgers) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (slate_id, day) DO UPDATE SET pending_cents = excluded.pending_cents, \
                         unlocked_cents = excluded.unlocked_cents, pledgers = excluded.pledgers",
                    )
                    .bind(slate_id)
                    .bind(day)
                    .bind(pot.pending_cents)
                    .bind(pot.unlocked_cents)
                    .bind(pot.pledgers)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(())
                }

                async fn pot_history(&mut self, slate_id: Id) -> Result<Vec<(NaiveDate, Pot)>> {
                    let rows = ::sqlx::query("SELECT * FROM pot_history WHERE slate_id = $1 ORDER BY day")
                        .bind(slate_id)
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    rows.iter()
                        .map(|r| {
                            Ok((
                                get(r, "day")?,
                                Pot {
                                    pending_cents: get(r, "pending_cents")?,
                                    unlocked_cents: get(r, "unlocked_cents")?,
                                    pledgers: get(r, "pledgers")?,
                                    ..Pot::default()
                                },
                            ))
                        })
                        .collect()
                }

                async fn insert_partner(&mut self, p: &PartnerRow, at: DateTime<Utc>) -> Result<PartnerRow> {
                    let row = ::sqlx::query(
                        "INSERT INTO partners (slate_id, code, name, endorsement, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    )
                    .bind(p.slate_id)
                    .bind(&p.code)
                    .bind(&p.name)
                    .bind(&p.endorsement)
                    .bind(at)
                    .fetch_one(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(PartnerRow { id: get(&row, "id")?, ..p.clone() })
                }

                async fn partners(&mut self, slate_id: Id) -> Result<Vec<PartnerRow>> {
                    let rows = ::sqlx::query("SELECT * FROM partners WHERE slate_id = $1 ORDER BY name, id")
                        .bind(slate_id)
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
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
                        "SELECT COUNT(*) AS pledges, COUNT(DISTINCT email) AS pledgers, \
                         COALESCE(SUM(CASE WHEN status IN ('unlocked', 'fulfilled') THEN 1 ELSE 0 END), 0) AS unlocked \
                         FROM pledges WHERE slate_id = $1 AND ref_code = $2 AND status IN ('pending', 'unlocked', 'fulfilled')",
                    )
                    .bind(slate_id)
                    .bind(code)
                    .fetch_one(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(Referrals {
                        pledges: get(&row, "pledges")?,
                        pledgers: get(&row, "pledgers")?,
                        unlocked: get(&row, "unlocked")?,
                    })
                }

                async fn slate_pledges(&mut self, slate_id: Id) -> Result<Vec<PledgeRow>> {
                    let sql = format!(
                        "SELECT {PLEDGE_COLUMNS} FROM pledges p JOIN conditions c ON c.id = p.condition_id \
                         WHERE p.slate_id = $1 ORDER BY p.id"
                    );
                    let rows = ::sqlx::query(&sql).bind(slate_id).fetch_all(&mut *self.tx).await.map_err(db)?;
                    rows.iter().map(pledge_from).collect()
                }

                async fn allocation_details(&mut self, slate_id: Id) -> Result<Vec<(AllocationRow, PledgeRow)>> {
                    let sql = format!(
                        "SELECT a.pledge_id, a.period, a.candidate_id, a.election, a.cents, {PLEDGE_COLUMNS} \
                         FROM allocations a JOIN pledges p ON p.id = a.pledge_id JOIN conditions c ON c.id = p.condition_id \
                         WHERE p.slate_id = $1 ORDER BY a.pledge_id, a.period, a.candidate_id"
                    );
                    let rows = ::sqlx::query(&sql).bind(slate_id).fetch_all(&mut *self.tx).await.map_err(db)?;
                    rows.iter()
                        .map(|r| {
                            let a = AllocationRow {
                                pledge_id: get(r, "pledge_id")?,
                                period: get(r, "period")?,
                                candidate_id: get(r, "candidate_id")?,
                                election: election_from(r, "allocations")?,
                                cents: Cents(get(r, "cents")?),
                            };
                            Ok((a, pledge_from(r)?))
                        })
                        .collect()
                }

                async fn pledges_by_email(&mut self, email: &Email) -> Result<Vec<PledgeRow>> {
                    let sql = format!(
                        "SELECT {PLEDGE_COLUMNS} FROM pledge_donors d JOIN pledges p ON p.id = d.pledge_id \
                         JOIN conditions c ON c.id = p.condition_id WHERE d.email = $1 ORDER BY p.id DESC"
                    );
                    let rows = ::sqlx::query(&sql).bind(email.as_str()).fetch_all(&mut *self.tx).await.map_err(db)?;
                    rows.iter().map(pledge_from).collect()
                }

                async fn enqueue_emails(&mut self, emails: &[(NewEmail, String)], at: DateTime<Utc>) -> Result<()> {
                    for chunk in emails.chunks(CHUNK) {
                        let sql = format!("INSERT INTO outbox ({OUTBOX_COLUMNS}) VALUES {}", values_placeholders(SIGIL, chunk.len(), 10));
                        let mut q = ::sqlx::query(&sql);
                        for (e, hash) in chunk {
                            q = bind_email(q, e, hash, at);
                        }
                        q.execute(&mut *self.tx).await.map_err(db)?;
                    }
                    Ok(())
                }

                async fn unsubscribe_address(&mut self, hash: &str) -> Result<Option<Email>> {
                    let row = ::sqlx::query("SELECT to_email FROM outbox WHERE unsubscribe_hash = $1")
                        .bind(hash)
                        .fetch_optional(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    row.map(|r| {
                        let to: String = get(&r, "to_email")?;
                        Email::parse(&to).map_err(|e| corrupt("outbox", e))
                    })
                    .transpose()
                }

                async fn due_emails(&mut self, max_attempts: i32, limit: i64) -> Result<Vec<OutboxRow>> {
                    let rows = ::sqlx::query("SELECT * FROM outbox WHERE sent_at IS NULL AND NOT held AND attempts < $1 ORDER BY id LIMIT $2")
                        .bind(max_attempts)
                        .bind(limit)
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    rows.iter().map(outbox_from).collect()
                }

                async fn mark_email(&mut self, id: Id, sent: Option<DateTime<Utc>>) -> Result<()> {
                    ::sqlx::query("UPDATE outbox SET sent_at = $1, attempts = attempts + 1 WHERE id = $2")
                        .bind(sent)
                        .bind(id)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    Ok(())
                }

                async fn last_update_email(&mut self, to: &Email) -> Result<Option<DateTime<Utc>>> {
                    let row = ::sqlx::query(
                        "SELECT created_at FROM outbox WHERE to_email = $1 AND NOT transactional ORDER BY created_at DESC LIMIT 1",
                    )
                    .bind(to.as_str())
                    .fetch_optional(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    row.map(|r| get(&r, "created_at")).transpose()
                }

                async fn emails_to(&mut self, to: &Email) -> Result<Vec<OutboxRow>> {
                    let rows = ::sqlx::query("SELECT * FROM outbox WHERE to_email = $1 ORDER BY id DESC")
                        .bind(to.as_str())
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    rows.iter().map(outbox_from).collect()
                }

                // --- payments (issue 6). Only `payment_setup` and `payments` parse
                // rows; the other reads find keys and go through them.
                async fn insert_payment_setup(&mut self, s: &PaymentSetupRow) -> Result<bool> {
                    let done = ::sqlx::query(
                        "INSERT INTO payment_setups (pledge_id, customer_id, setup_intent_id, client_secret, payment_method, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (pledge_id) DO NOTHING",
                    )
                    .bind(s.pledge_id)
                    .bind(&s.customer_id)
                    .bind(&s.setup_intent_id)
                    .bind(&s.client_secret)
                    .bind(s.payment_method.as_deref())
                    .bind(s.created_at)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn payment_setup(&mut self, pledge_id: Id) -> Result<Option<PaymentSetupRow>> {
                    let row = ::sqlx::query("SELECT * FROM payment_setups WHERE pledge_id = $1")
                        .bind(pledge_id)
                        .fetch_optional(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    row.map(|r| {
                        Ok(PaymentSetupRow {
                            pledge_id: get(&r, "pledge_id")?,
                            customer_id: get(&r, "customer_id")?,
                            setup_intent_id: get(&r, "setup_intent_id")?,
                            client_secret: get(&r, "client_secret")?,
                            payment_method: get(&r, "payment_method")?,
                            created_at: get(&r, "created_at")?,
                        })
                    })
                    .transpose()
                }

                async fn payment_setup_by_intent(&mut self, setup_intent_id: &str) -> Result<Option<PaymentSetupRow>> {
                    let id: Option<Id> = ::sqlx::query_scalar("SELECT pledge_id FROM payment_setups WHERE setup_intent_id = $1")
                        .bind(setup_intent_id)
                        .fetch_optional(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    match id {
                        Some(id) => self.payment_setup(id).await,
                        None => Ok(None),
                    }
                }

                async fn replace_setup_intent(&mut self, pledge_id: Id, setup_intent_id: &str, client_secret: &str) -> Result<bool> {
                    let done = ::sqlx::query(
                        "UPDATE payment_setups SET setup_intent_id = $1, client_secret = $2, payment_method = NULL WHERE pledge_id = $3",
                    )
                    .bind(setup_intent_id)
                    .bind(client_secret)
                    .bind(pledge_id)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn set_payment_method(&mut self, pledge_id: Id, payment_method: &str) -> Result<bool> {
                    let done = ::sqlx::query("UPDATE payment_setups SET payment_method = $1 WHERE pledge_id = $2")
                        .bind(payment_method)
                        .bind(pledge_id)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn due_payments(&mut self, limit: i64) -> Result<Vec<DuePayment>> {
                    // Driven by payment_setups (only pledges taken with a real
                    // gateway have one), so pledge-only installations scan nothing.
                    let rows = ::sqlx::query(
                        "SELECT i.pledge_id, i.period, i.amount_cents - i.unallocated_cents AS allocated, p.recurring, p.email, \
                         p.slate_id, y.state FROM payment_setups s JOIN pledges p ON p.id = s.pledge_id AND p.status IN ('unlocked', 'stopped') \
                         JOIN installments i ON i.pledge_id = s.pledge_id \
                         LEFT JOIN payments y ON y.pledge_id = i.pledge_id AND y.period = i.period \
                         WHERE y.pledge_id IS NULL OR y.state = 'charging' \
                         ORDER BY CASE WHEN s.payment_method IS NULL THEN 1 ELSE 0 END, i.pledge_id, i.period LIMIT $1",
                    )
                    .bind(limit)
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    let mut out = Vec::with_capacity(rows.len());
                    for r in &rows {
                        let pledge_id: Id = get(r, "pledge_id")?;
                        let period: i32 = get(r, "period")?;
                        let recurring: Option<String> = get(r, "recurring")?;
                        let recurring = match recurring.as_deref() {
                            Some("monthly") => ::cohort_core::model::Recurrence::Monthly,
                            _ => ::cohort_core::model::Recurrence::Once,
                        };
                        let email: String = get(r, "email")?;
                        let email = Email::parse(&email).map_err(|e| corrupt("pledges", e))?;
                        let state: Option<String> = get(r, "state")?;
                        let setup = self
                            .payment_setup(pledge_id)
                            .await?
                            .ok_or_else(|| corrupt("payment_setups", format!("setup of pledge {pledge_id} vanished")))?;
                        let payment = match state {
                            Some(_) => self.payment(pledge_id, period).await?,
                            None => None,
                        };
                        out.push(DuePayment {
                            pledge_id,
                            period,
                            allocated: Cents(get(r, "allocated")?),
                            recurring,
                            email,
                            slate_id: get(r, "slate_id")?,
                            setup,
                            payment,
                        });
                    }
                    Ok(out)
                }

                async fn upsert_payment(&mut self, y: &PaymentRow) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO payments (pledge_id, period, amount_cents, state, intent_id, detail, action_secret, attempts, \
                         failed_at, reminded_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                         ON CONFLICT (pledge_id, period) DO UPDATE SET amount_cents = excluded.amount_cents, state = excluded.state, \
                         intent_id = excluded.intent_id, detail = excluded.detail, action_secret = excluded.action_secret, \
                         attempts = excluded.attempts, failed_at = excluded.failed_at, reminded_at = excluded.reminded_at, \
                         updated_at = excluded.updated_at",
                    )
                    .bind(y.pledge_id)
                    .bind(y.period)
                    .bind(y.amount.get())
                    .bind(y.state.as_str())
                    .bind(y.intent_id.as_deref())
                    .bind(&y.detail)
                    .bind(y.action_secret.as_deref())
                    .bind(y.attempts)
                    .bind(y.failed_at)
                    .bind(y.reminded_at)
                    .bind(y.updated_at)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(())
                }

                async fn payment(&mut self, pledge_id: Id, period: i32) -> Result<Option<PaymentRow>> {
                    Ok(self.payments(pledge_id).await?.into_iter().find(|y| y.period == period))
                }

                async fn payments(&mut self, pledge_id: Id) -> Result<Vec<PaymentRow>> {
                    let rows = ::sqlx::query("SELECT * FROM payments WHERE pledge_id = $1 ORDER BY period")
                        .bind(pledge_id)
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    rows.iter()
                        .map(|r| {
                            let state: String = get(r, "state")?;
                            Ok(PaymentRow {
                                pledge_id: get(r, "pledge_id")?,
                                period: get(r, "period")?,
                                amount: Cents(get(r, "amount_cents")?),
                                state: PaymentState::parse(&state).ok_or_else(|| corrupt("payments", format!("state {state:?}")))?,
                                intent_id: get(r, "intent_id")?,
                                detail: get(r, "detail")?,
                                action_secret: get(r, "action_secret")?,
                                attempts: get(r, "attempts")?,
                                failed_at: get(r, "failed_at")?,
                                reminded_at: get(r, "reminded_at")?,
                                updated_at: get(r, "updated_at")?,
                            })
                        })
                        .collect()
                }

                async fn payment_by_intent(&mut self, intent_id: &str) -> Result<Option<PaymentRow>> {
                    let key = ::sqlx::query("SELECT pledge_id, period FROM payments WHERE intent_id = $1")
                        .bind(intent_id)
                        .fetch_optional(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    match key {
                        Some(r) => self.payment(get(&r, "pledge_id")?, get(&r, "period")?).await,
                        None => Ok(None),
                    }
                }

                async fn open_payment_failures(&mut self, opened_by: DateTime<Utc>, limit: i64) -> Result<Vec<PaymentRow>> {
                    let keys = ::sqlx::query(
                        "SELECT pledge_id, period FROM payments WHERE state IN ('declined', 'action_required') \
                         AND failed_at <= $1 ORDER BY failed_at, pledge_id LIMIT $2",
                    )
                    .bind(opened_by)
                    .bind(limit)
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    let mut out = Vec::with_capacity(keys.len());
                    for r in &keys {
                        if let Some(y) = self.payment(get(r, "pledge_id")?, get(r, "period")?).await? {
                            out.push(y);
                        }
                    }
                    Ok(out)
                }

                async fn release_installment(&mut self, pledge_id: Id, period: i32) -> Result<Cents> {
                    let shares = ::sqlx::query("SELECT candidate_id, cents FROM allocations WHERE pledge_id = $1 AND period = $2")
                        .bind(pledge_id)
                        .bind(period)
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    let mut released = 0i64;
                    for r in &shares {
                        let cents: i64 = get(r, "cents")?;
                        let candidate: Id = get(r, "candidate_id")?;
                        released += cents;
                        ::sqlx::query(
                            "UPDATE candidate_totals SET cents = cents - $1, \
                             contributions = contributions - (CASE WHEN $1 > 0 THEN 1 ELSE 0 END) WHERE candidate_id = $2",
                        )
                        .bind(cents)
                        .bind(candidate)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    }
                    ::sqlx::query("DELETE FROM allocations WHERE pledge_id = $1 AND period = $2")
                        .bind(pledge_id)
                        .bind(period)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    ::sqlx::query("UPDATE installments SET unallocated_cents = amount_cents WHERE pledge_id = $1 AND period = $2")
                        .bind(pledge_id)
                        .bind(period)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    Ok(Cents(released))
                }

                async fn lock_books(&mut self) -> Result<()> {
                    ::sqlx::query("UPDATE book_lock SET n = n + 1 WHERE id = 1")
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    Ok(())
                }

                async fn append_book_event(&mut self, key: &str, body: &str, at: DateTime<Utc>) -> Result<bool> {
                    let done = ::sqlx::query(
                        "INSERT INTO book_events (key, body, recorded_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING",
                    )
                    .bind(key)
                    .bind(body)
                    .bind(at)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn book_events(&mut self) -> Result<Vec<BookEventRow>> {
                    let rows = ::sqlx::query("SELECT seq, key, body, recorded_at FROM book_events ORDER BY seq")
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    rows.iter()
                        .map(|r| {
                            Ok(BookEventRow {
                                seq: get(r, "seq")?,
                                key: get(r, "key")?,
                                body: get(r, "body")?,
                                recorded_at: get(r, "recorded_at")?,
                            })
                        })
                        .collect()
                }

                async fn has_book_event(&mut self, key: &str) -> Result<bool> {
                    let row = ::sqlx::query("SELECT seq FROM book_events WHERE key = $1")
                        .bind(key)
                        .fetch_optional(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    Ok(row.is_some())
                }

                async fn setting(&mut self, key: &str) -> Result<Option<String>> {
                    let row = ::sqlx::query("SELECT value FROM settings WHERE key = $1")
                        .bind(key)
                        .fetch_optional(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    row.as_ref().map(|r| get(r, "value")).transpose()
                }

                async fn set_setting(&mut self, key: &str, value: &str, at: DateTime<Utc>) -> Result<()> {
                    ::sqlx::query(
                        "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
                         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                    )
                    .bind(key)
                    .bind(value)
                    .bind(at)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(())
                }

                async fn mark_once(&mut self, key: &str, at: DateTime<Utc>) -> Result<bool> {
                    let done = ::sqlx::query("INSERT INTO once_marks (key, at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
                        .bind(key)
                        .bind(at)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn collected_from(&mut self, email: &Email) -> Result<Vec<(Id, Cents)>> {
                    let rows = ::sqlx::query(
                        "SELECT a.candidate_id, CAST(SUM(a.cents) AS BIGINT) AS cents \
                         FROM pledge_donors d JOIN payments y ON y.pledge_id = d.pledge_id \
                         JOIN allocations a ON a.pledge_id = y.pledge_id AND a.period = y.period \
                         WHERE d.email = $1 AND y.state = 'succeeded' \
                         GROUP BY a.candidate_id ORDER BY a.candidate_id",
                    )
                    .bind(email.as_str())
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    rows.iter()
                        .map(|r| Ok((get(r, "candidate_id")?, Cents(get(r, "cents")?))))
                        .collect()
                }

                async fn succeeded_payments(&mut self) -> Result<Vec<(Id, i32, Cents)>> {
                    let rows = ::sqlx::query(
                        "SELECT pledge_id, period, amount_cents FROM payments WHERE state = 'succeeded' ORDER BY pledge_id, period",
                    )
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    rows.iter()
                        .map(|r| Ok((get(r, "pledge_id")?, get(r, "period")?, Cents(get(r, "amount_cents")?))))
                        .collect()
                }

                async fn set_pledge_donor(&mut self, pledge_id: Id, donor: &Donor) -> Result<bool> {
                    let body = ::serde_json::to_string(donor).map_err(|e| StoreError::Other(e.to_string()))?;
                    let done = ::sqlx::query("UPDATE pledges SET donor = $1 WHERE id = $2")
                        .bind(body)
                        .bind(pledge_id)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn record_primary_loss(&mut self, slate_id: Id, candidate_id: Id, on: NaiveDate, at: DateTime<Utc>) -> Result<bool> {
                    let done = ::sqlx::query(
                        "INSERT INTO primary_losses (candidate_id, slate_id, lost_on, recorded_at) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (candidate_id) DO NOTHING",
                    )
                    .bind(candidate_id)
                    .bind(slate_id)
                    .bind(on)
                    .bind(at)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn primary_losses(&mut self, slate_id: Id) -> Result<Vec<Id>> {
                    let rows = ::sqlx::query("SELECT candidate_id FROM primary_losses WHERE slate_id = $1 ORDER BY candidate_id")
                        .bind(slate_id)
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    rows.iter().map(|r| get(r, "candidate_id")).collect()
                }

                async fn insert_general_choice(&mut self, c: &GeneralChoiceRow) -> Result<bool> {
                    let done = ::sqlx::query(
                        "INSERT INTO general_choices (receipt, committee, pledge_id, amount_cents, choice, asked_at, chosen_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (receipt, committee) DO NOTHING",
                    )
                    .bind(&c.receipt)
                    .bind(&c.committee)
                    .bind(c.pledge_id)
                    .bind(c.amount.get())
                    .bind(&c.choice)
                    .bind(c.asked_at)
                    .bind(c.chosen_at)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn general_choices_of(&mut self, pledge_id: Id) -> Result<Vec<GeneralChoiceRow>> {
                    let rows = ::sqlx::query("SELECT * FROM general_choices WHERE pledge_id = $1 ORDER BY receipt, committee")
                        .bind(pledge_id)
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    rows.iter().map(general_choice_from).collect()
                }

                async fn general_choices_for(&mut self, committee: &str) -> Result<Vec<GeneralChoiceRow>> {
                    let rows = ::sqlx::query("SELECT * FROM general_choices WHERE committee = $1 ORDER BY receipt")
                        .bind(committee)
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    rows.iter().map(general_choice_from).collect()
                }

                async fn choose_general(&mut self, receipt: &str, committee: &str, choice: &str, at: DateTime<Utc>) -> Result<bool> {
                    let done = ::sqlx::query(
                        "UPDATE general_choices SET choice = $1, chosen_at = $2 \
                         WHERE receipt = $3 AND committee = $4 AND choice IS NULL",
                    )
                    .bind(choice)
                    .bind(at)
                    .bind(receipt)
                    .bind(committee)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn record_webhook_event(&mut self, id: &str, kind: &str, at: DateTime<Utc>) -> Result<bool> {
                    let done = ::sqlx::query(
                        "INSERT INTO webhook_events (id, kind, received_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
                    )
                    .bind(id)
                    .bind(kind)
                    .bind(at)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn check_invariants(&mut self) -> Result<Vec<Violation>> {
                    let mut out = Vec::new();
                    for (rule, sql) in $crate::INVARIANT_QUERIES {
                        out.extend(self.violations(rule, sql).await?);
                    }
                    Ok(out)
                }
            }
        };
    };

    // Bulk writes as multi-row VALUES lists (SQLite).
    (@bulk values, $tx:ty) => {
        /// A pledge with its donor's index row and its `waiting` total, in
        /// one trip to the connection's thread: three statements, whose
        /// anonymous `?`s take the bound values in order.
        static INSERT_ONE_PLEDGE: ::std::sync::LazyLock<String> = ::std::sync::LazyLock::new(|| format!(
            "{INSERT_PLEDGES} {} RETURNING id; \
             INSERT INTO pledge_donors (email, pledge_id) VALUES (?, last_insert_rowid()); \
             INSERT INTO waiting (slate_id, chosen, cents, hours, pledges) VALUES (?, ?, ?, ?, 1) {WAITING_ADDS}",
            values_placeholders('?', 1, PLEDGE_COLS).replace(")", ", 'pending')"),
        ));
        impl $tx {
                /// A batch of up to `ONE_TRIP` pledges (every single client's)
                /// goes as one multi-statement query: one trip to the
                /// connection's thread instead of four. Larger batches go
                /// statement by statement, their cost spread over many pledges.
                /// The slate's version needs no lock of its own: a write
                /// transaction here is the only writer from its `BEGIN IMMEDIATE`.
                async fn intake_writes(&mut self, w: &IntakeWrites<'_>) -> Result<IntakeRecorded> {
                    const ONE_TRIP: usize = 64;
                    const VERSION: &str = "SELECT version FROM slates WHERE id = ?";
                    if !w.pledges.is_empty() {
                        // This store never reserves any (see `IntakeWrites::reserve`).
                        return Err(StoreError::Other("pledge ids were not reserved by this store".into()));
                    }
                    if w.donors.is_empty() || [w.events.len(), w.donors.len(), w.emails.len()].iter().any(|&n| n > ONE_TRIP) {
                        let slate_version = ::sqlx::query_scalar(VERSION).bind(w.slate_id).fetch_one(&mut *self.tx).await.map_err(db)?;
                        for chunk in w.events.chunks(CHUNK) {
                            let sql = format!("INSERT INTO events (slate_id, kind, payload, at) VALUES {}", values_placeholders('?', chunk.len(), 4));
                            let mut q = ::sqlx::query(&sql);
                            for payload in chunk {
                                q = q.bind(w.slate_id).bind("pledged").bind(payload).bind(w.at);
                            }
                            q.execute(&mut *self.tx).await.map_err(db)?;
                        }
                        let new = self.add_pledgers(w.slate_id, w.donors).await?;
                        self.enqueue_emails(w.emails, w.at).await?;
                        let delta = PotDelta { pledgers: w.delta.pledgers + new, ..w.delta };
                        let pot = self.add_to_pot(w.slate_id, &delta).await?;
                        return Ok(IntakeRecorded { pot, slate_version, reserved: Vec::new() });
                    }
                    // Anonymous `?`s take the bound values in order across the statements.
                    let mut sql = format!("{VERSION};");
                    if !w.events.is_empty() {
                        sql += &format!("INSERT INTO events (slate_id, kind, payload, at) VALUES {};", values_placeholders('?', w.events.len(), 4));
                    }
                    sql += &format!(
                        "INSERT INTO pledgers (slate_id, email, live) VALUES {} \
                         ON CONFLICT (slate_id, email) DO UPDATE SET live = pledgers.live + excluded.live;",
                        values_placeholders('?', w.donors.len(), 3)
                    );
                    if !w.emails.is_empty() {
                        sql += &format!("INSERT INTO outbox ({OUTBOX_COLUMNS}) VALUES {};", values_placeholders('?', w.emails.len(), 10));
                    }
                    // A donor is new to the pot when their live count is exactly what this added.
                    sql += &format!(
                        "UPDATE pots SET pending_cents = pending_cents + ?, unlocked_cents = unlocked_cents + ?, \
                         pledgers = pledgers + ? + (SELECT COUNT(*) FROM pledgers d WHERE d.slate_id = ? AND (d.email, d.live) IN (VALUES {})), \
                         hours_pending = hours_pending + ?, hours_unlocked = hours_unlocked + ? WHERE slate_id = ? RETURNING *",
                        values_placeholders('?', w.donors.len(), 2)
                    );
                    let mut q = ::sqlx::query(&sql).bind(w.slate_id);
                    for payload in w.events {
                        q = q.bind(w.slate_id).bind("pledged").bind(payload).bind(w.at);
                    }
                    for (email, n) in w.donors {
                        q = q.bind(w.slate_id).bind(email.as_str()).bind(*n);
                    }
                    for (e, hash) in w.emails {
                        q = bind_email(q, e, hash, w.at);
                    }
                    q = q.bind(w.delta.pending_cents).bind(w.delta.unlocked_cents).bind(w.delta.pledgers).bind(w.slate_id);
                    for (email, n) in w.donors {
                        q = q.bind(email.as_str()).bind(*n);
                    }
                    q = q.bind(w.delta.hours_per_week_pending).bind(w.delta.hours_per_week_unlocked).bind(w.slate_id);
                    let rows = q.fetch_all(&mut *self.tx).await.map_err(db)?;
                    // Rows come back in statement order: the version, then the pot.
                    let [version, pot] = rows.as_slice() else {
                        return Err(StoreError::Other(format!("slate {} has no version or no pot", w.slate_id)));
                    };
                    Ok(IntakeRecorded { pot: pot_from(pot)?, slate_version: get(version, "version")?, reserved: Vec::new() })
                }

                async fn insert_installments(&mut self, installments: &[Installment], at: DateTime<Utc>) -> Result<()> {
                    for chunk in installments.chunks(CHUNK) {
                        let sql = format!(
                            "INSERT INTO installments (pledge_id, period, amount_cents, unallocated_cents, created_at) VALUES {}",
                            values_placeholders(SIGIL, chunk.len(), 5)
                        );
                        let mut q = ::sqlx::query(&sql);
                        for i in chunk {
                            q = q.bind(i.pledge_id).bind(i.period).bind(i.amount.get()).bind(i.unallocated.get()).bind(at);
                        }
                        q.execute(&mut *self.tx).await.map_err(db)?;
                    }
                    let shares: Vec<(&Installment, &AllocationShare)> = installments
                        .iter()
                        .flat_map(|i| i.allocations.iter().map(move |a| (i, a)))
                        .collect();
                    for chunk in shares.chunks(CHUNK) {
                        let sql = format!(
                            "INSERT INTO allocations (pledge_id, period, candidate_id, election, cents) VALUES {}",
                            values_placeholders(SIGIL, chunk.len(), 5)
                        );
                        let mut q = ::sqlx::query(&sql);
                        for (i, a) in chunk {
                            q = q.bind(i.pledge_id).bind(i.period).bind(a.candidate_id).bind(a.election.as_str()).bind(a.cents.get());
                        }
                        q.execute(&mut *self.tx).await.map_err(db)?;
                    }
                    Ok(())
                }

                async fn mark_unlocked(&mut self, ids: &[Id], at: DateTime<Utc>) -> Result<u64> {
                    let mut moved = 0;
                    let mut w = WaitingDeltas::default();
                    for chunk in ids.chunks(CHUNK) {
                        let sql = format!(
                            "UPDATE pledges SET status = 'unlocked', unlocked_at = {first} WHERE status = 'pending' AND id IN ({}) \
                             RETURNING slate_id, amount_cents, hours_per_week, candidates",
                            list_placeholders(SIGIL, 2, chunk.len() + 1),
                            first = list_placeholders(SIGIL, 1, 1),
                        );
                        let mut q = ::sqlx::query(&sql).bind(at);
                        for id in chunk {
                            q = q.bind(id);
                        }
                        let rows = q.fetch_all(&mut *self.tx).await.map_err(db)?;
                        moved += rows.len() as u64;
                        left_pending(&mut w, &rows)?;
                    }
                    self.apply_waiting(w).await?;
                    Ok(moved)
                }
        }
    };
    // Bulk writes as one array parameter per column (PostgreSQL): a handful of
    // parameters however many rows, instead of five per row; installments and
    // allocations by COPY.
    (@bulk unnest, $tx:ty) => {
        /// A pledge with its donor's index row and its `waiting` total, in
        /// one statement.
        ///
        /// The slate's key-share lock (`s`, which the pledge's foreign key
        /// takes anyway, but only at the statement's end) comes before the
        /// shared `waiting` row, through a join: intake that has not locked
        /// the slate yet (see `record_intake`) must wait for a writer holding
        /// the slate's lock before it holds a row that writer will want.
        static INSERT_ONE_PLEDGE: ::std::sync::LazyLock<String> = ::std::sync::LazyLock::new(|| format!(
            "WITH s AS MATERIALIZED (SELECT id FROM slates WHERE id = $1 FOR KEY SHARE), \
             p AS ({INSERT_PLEDGES} {} RETURNING id), \
             d AS (INSERT INTO pledge_donors (email, pledge_id) SELECT $21, id FROM p), \
             w AS (INSERT INTO waiting (slate_id, chosen, cents, hours, pledges) SELECT s.id, $23, $24, $25, 1 FROM s WHERE s.id = $22 \
                   {WAITING_ADDS}) \
             SELECT id FROM p",
            values_placeholders('$', 1, PLEDGE_COLS).replace(")", ", 'pending')"),
        ));
        /// Rows per array statement.
        const UNNEST_CHUNK: usize = 100_000;
        /// Rows per message of a COPY (about 100 KiB).
        const COPY_CHUNK: usize = 4_096;

        impl $tx {
                /// One statement: the events, pledgers and outbox rows as
                /// data-modifying CTEs feeding the pot's update, which counts
                /// a donor as new when their live count is exactly what this added.
                ///
                /// The slate's row lock (`lk`) comes first: the pledgers' rows
                /// and the pot are written only by joins through it, so this
                /// takes its locks in the order every other slate writer does
                /// (slate, then pot and pledgers) and cannot deadlock with one.
                /// `FOR NO KEY UPDATE` does not conflict with the key-share
                /// locks that this transaction's own foreign keys hold.
                async fn intake_writes(&mut self, w: &IntakeWrites<'_>) -> Result<IntakeRecorded> {
                    let emails: Vec<&str> = w.donors.iter().map(|(e, _)| e.as_str()).collect();
                    let counts: Vec<i64> = w.donors.iter().map(|(_, n)| *n).collect();
                    let mail = |f: fn(&NewEmail) -> Option<&str>| -> Vec<Option<&str>> { w.emails.iter().map(|(e, _)| f(e)).collect() };
                    let sql = format!(
                        "WITH lk AS MATERIALIZED (\
                           SELECT id, version FROM slates WHERE id = $1 FOR NO KEY UPDATE\
                         ), ev AS (\
                           INSERT INTO events (slate_id, kind, payload, at) \
                           SELECT lk.id, 'pledged', u.p, $2 FROM lk, UNNEST($3::text[]) WITH ORDINALITY AS u(p, n) ORDER BY u.n\
                         ), pl AS (\
                           INSERT INTO pledgers (slate_id, email, live) SELECT lk.id, u.e, u.n FROM lk, UNNEST($4::text[], $5::bigint[]) AS u(e, n) \
                           ON CONFLICT (slate_id, email) DO UPDATE SET live = pledgers.live + excluded.live \
                           RETURNING email, live\
                         ), ob AS (\
                           INSERT INTO outbox ({OUTBOX_COLUMNS}) \
                           SELECT u.t, u.s, u.b, u.tr, u.h, $2, u.an, u.at, u.a, u.hd \
                           FROM UNNEST($6::text[], $7::text[], $8::text[], $9::bool[], $10::text[], $11::text[], $12::text[], $13::text[], $40::bool[]) \
                                AS u(t, s, b, tr, h, an, at, a, hd)\
                         ), np AS (\
                           INSERT INTO pledges (id, slate_id, kind, amount_cents, recurring, hours_per_week, weeks, skills, doors, calls, texts, \
                                                condition_id, candidates, deadline, email, donor, ref_code, receipt_token, idempotency_key, \
                                                request_hash, created_at, status) \
                           SELECT u.id, lk.id, u.kind, u.amount, u.recurring, u.hours, u.weeks, u.skills, u.doors, u.calls, u.texts, \
                                  u.cond, u.cands, u.deadline, u.email, u.donor, u.ref, u.token, u.ikey, u.rhash, u.created, 'pending' \
                           FROM lk, UNNEST($20::bigint[], $21::text[], $22::bigint[], $23::text[], $24::bigint[], $25::bigint[], $26::text[], \
                                           $27::bigint[], $28::bigint[], $29::bigint[], $30::bigint[], $31::text[], $32::date[], $33::text[], \
                                           $34::text[], $35::text[], $36::text[], $37::text[], $38::text[], $39::timestamptz[]) \
                                AS u(id, kind, amount, recurring, hours, weeks, skills, doors, calls, texts, cond, cands, deadline, email, \
                                     donor, ref, token, ikey, rhash, created) \
                           RETURNING id, email, candidates, amount_cents, hours_per_week\
                         ), nd AS (\
                           INSERT INTO pledge_donors (email, pledge_id) SELECT email, id FROM np\
                         ), nw AS (\
                           INSERT INTO waiting (slate_id, chosen, cents, hours, pledges) \
                           SELECT $1, COALESCE(candidates, ''), SUM(amount_cents), SUM(hours_per_week), COUNT(*) FROM np GROUP BY 2 \
                           {WAITING_ADDS}\
                         ) \
                         UPDATE pots SET pending_cents = pending_cents + $14, unlocked_cents = unlocked_cents + $15, \
                           pledgers = pledgers + $16 + (SELECT COUNT(*) FROM pl JOIN UNNEST($4::text[], $5::bigint[]) AS a(e, n) \
                                                        ON a.e = pl.email AND a.n = pl.live), \
                           hours_pending = hours_pending + $17, hours_unlocked = hours_unlocked + $18 \
                         FROM lk WHERE pots.slate_id = lk.id \
                         RETURNING pots.*, lk.version, \
                           ARRAY(SELECT nextval('pledges_id_seq') FROM generate_series(1, $19::bigint)) AS reserved",
                    );
                    let new = |f: fn(&NewPledge) -> Option<&str>| -> Vec<Option<&str>> { w.pledges.iter().map(|(_, p)| f(p)).collect() };
                    let kinds: Vec<KindColumns> = w.pledges.iter().map(|(_, p)| KindColumns::from_kind(&p.kind)).collect();
                    let column = |f: fn(&KindColumns) -> i64| -> Vec<i64> { kinds.iter().map(f).collect() };
                    let donors = w.pledges
                        .iter()
                        .map(|(_, p)| ::serde_json::to_string(&p.donor))
                        .collect::<::std::result::Result<Vec<String>, _>>()
                        .map_err(|e| StoreError::Other(e.to_string()))?;
                    let r = ::sqlx::query(&sql)
                    .bind(w.slate_id)
                    .bind(w.at)
                    .bind(w.events)
                    .bind(&emails)
                    .bind(&counts)
                    .bind(mail(|e| Some(e.to.as_str())))
                    .bind(mail(|e| Some(e.subject.as_str())))
                    .bind(mail(|e| Some(e.body.as_str())))
                    .bind(w.emails.iter().map(|(e, _)| e.transactional).collect::<Vec<bool>>())
                    .bind(w.emails.iter().map(|(_, h)| h.as_str()).collect::<Vec<&str>>())
                    .bind(mail(|e| e.attachment.as_ref().map(|a| a.filename.as_str())))
                    .bind(mail(|e| e.attachment.as_ref().map(|a| a.content_type.as_str())))
                    .bind(mail(|e| e.attachment.as_ref().map(|a| a.content.as_str())))
                    .bind(w.delta.pending_cents)
                    .bind(w.delta.unlocked_cents)
                    .bind(w.delta.pledgers)
                    .bind(w.delta.hours_per_week_pending)
                    .bind(w.delta.hours_per_week_unlocked)
                    .bind(i64::try_from(w.reserve).unwrap_or(i64::MAX))
                    .bind(w.pledges.iter().map(|(id, _)| *id).collect::<Vec<Id>>())
                    .bind(kinds.iter().map(|k| k.kind).collect::<Vec<&str>>())
                    .bind(column(|k| k.amount_cents))
                    .bind(kinds.iter().map(|k| k.recurring).collect::<Vec<Option<&str>>>())
                    .bind(column(|k| k.hours_per_week))
                    .bind(column(|k| k.weeks))
                    .bind(kinds.iter().map(|k| k.skills.as_str()).collect::<Vec<&str>>())
                    .bind(column(|k| k.doors))
                    .bind(column(|k| k.calls))
                    .bind(column(|k| k.texts))
                    .bind(w.pledges.iter().map(|(_, p)| p.condition_id).collect::<Vec<Id>>())
                    .bind(w.pledges.iter().map(|(_, p)| ids_to_json(&p.candidates)).collect::<Vec<Option<String>>>())
                    .bind(w.pledges.iter().map(|(_, p)| p.deadline).collect::<Vec<NaiveDate>>())
                    .bind(new(|p| Some(p.email.as_str())))
                    .bind(&donors)
                    .bind(new(|p| p.ref_code.as_deref()))
                    .bind(new(|p| Some(p.receipt_token.as_str())))
                    .bind(new(|p| p.idempotency_key.as_deref()))
                    .bind(new(|p| Some(p.request_hash.as_str())))
                    .bind(w.pledges.iter().map(|(_, p)| p.created_at).collect::<Vec<DateTime<Utc>>>())
                    .bind(w.emails.iter().map(|(e, _)| e.held).collect::<Vec<bool>>())
                    .fetch_one(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(IntakeRecorded { pot: pot_from(&r)?, slate_version: get(&r, "version")?, reserved: get(&r, "reserved")? })
                }

                /// `COPY … FROM STDIN` in text format, streamed `COPY_CHUNK` rows
                /// at a time: a million-pledge unlock writes 6M rows with no
                /// per-statement parse, plan or array decoding.
                async fn insert_installments(&mut self, installments: &[Installment], at: DateTime<Utc>) -> Result<()> {
                    use ::std::fmt::Write as _;
                    if installments.is_empty() {
                        return Ok(());
                    }
                    let at = at.to_rfc3339();
                    let mut buf = String::new();
                    let mut copy = (&mut *self.tx)
                        .copy_in_raw("COPY installments (pledge_id, period, amount_cents, unallocated_cents, created_at) FROM STDIN")
                        .await
                        .map_err(db)?;
                    for chunk in installments.chunks(COPY_CHUNK) {
                        buf.clear();
                        for i in chunk {
                            let _ = writeln!(buf, "{}\t{}\t{}\t{}\t{at}", i.pledge_id, i.period, i.amount.get(), i.unallocated.get());
                        }
                        copy.send(buf.as_bytes()).await.map_err(db)?;
                    }
                    copy.finish().await.map_err(db)?;
                    let mut copy = (&mut *self.tx)
                        .copy_in_raw("COPY allocations (pledge_id, period, candidate_id, election, cents) FROM STDIN")
                        .await
                        .map_err(db)?;
                    buf.clear();
                    let mut rows = 0;
                    for i in installments {
                        for a in &i.allocations {
                            let _ = writeln!(buf, "{}\t{}\t{}\t{}\t{}", i.pledge_id, i.period, a.candidate_id, a.election.as_str(), a.cents.get());
                            rows += 1;
                        }
                        if rows >= COPY_CHUNK {
                            copy.send(buf.as_bytes()).await.map_err(db)?;
                            buf.clear();
                            rows = 0;
                        }
                    }
                    if !buf.is_empty() {
                        copy.send(buf.as_bytes()).await.map_err(db)?;
                    }
                    copy.finish().await.map_err(db)?;
                    Ok(())
                }

                async fn mark_unlocked(&mut self, ids: &[Id], at: DateTime<Utc>) -> Result<u64> {
                    let mut moved = 0;
                    let mut w = WaitingDeltas::default();
                    for chunk in ids.chunks(UNNEST_CHUNK) {
                        let rows = ::sqlx::query(
                            "UPDATE pledges SET status = 'unlocked', unlocked_at = $1 WHERE status = 'pending' AND id = ANY($2) \
                             RETURNING slate_id, amount_cents, hours_per_week, candidates",
                        )
                        .bind(at)
                        .bind(chunk)
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
                        moved += rows.len() as u64;
                        left_pending(&mut w, &rows)?;
                    }
                    self.apply_waiting(w).await?;
                    Ok(moved)
                }
        }
    };
}
