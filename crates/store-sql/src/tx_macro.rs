//! [`impl_sql_tx!`]: what every area of `cohort_store::Tx` shares (error
//! mapping, row readers, the `Run` endings, bulk writes) and `Tx`'s own
//! methods. Each area's SQL is its own `impl_sql_<area>!` macro, in a file
//! named after the area, expanded by each backend after this one.

/// Implements `cohort_store::Tx`'s own methods for `$tx`, a struct with a field
/// `tx: sqlx::Transaction<'static, $db>`, and defines the module `sql_shared`
/// the `impl_sql_<area>!` macros use. `$row_lock` is the clause that
/// locks a selected slate row for the rest of the transaction (`" FOR UPDATE"`),
/// or `""` where write transactions are already exclusive; `$sigil` prefixes the
/// numbered parameters of bulk statements (`'?'` for SQLite, `'$'` for PostgreSQL).
///
/// The expanding crate must depend on `sqlx`, `async-trait`, `chrono`,
/// `serde_json`, `cohort-core` and `cohort-store`.
#[macro_export]
macro_rules! impl_sql_tx {
    ($tx:ty, $db:ty, row_lock = $row_lock:expr, sigil = $sigil:expr, bulk = $bulk:ident) => {
        #[doc(hidden)]
        mod sql_shared {
            use super::*;
            use ::chrono::{DateTime, NaiveDate, Utc};
            use ::cohort_core::limits::LimitTable;
            use ::cohort_core::model::{CompactContent, Election, Office, PledgeStatus, Race};
            use ::cohort_core::{Cents, Condition, Email, Reads, Slug};
            use ::cohort_store::*;
            use ::sqlx::Row as _;
            use $crate::{
                corrupt, ids_from_json, ids_to_json, list_placeholders, values_placeholders,
                KindColumns, WaitingDeltas, CHUNK,
            };

            pub(crate) type DbRow = <$db as ::sqlx::Database>::Row;
            pub(crate) const SIGIL: char = $sigil;

            pub(crate) fn db(e: ::sqlx::Error) -> StoreError {
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
                    ::sqlx::Error::PoolTimedOut
                    | ::sqlx::Error::Io(_)
                    | ::sqlx::Error::PoolClosed => StoreError::Unavailable(e.to_string()),
                    // Lost a race with another transaction (PostgreSQL:
                    // deadlock, serialization failure; SQLite: busy, locked,
                    // busy snapshot). The error ends the transaction unwritten,
                    // so this is "busy, try again", not a fault.
                    ::sqlx::Error::Database(d)
                        if matches!(
                            d.code().as_deref(),
                            Some("40P01" | "40001" | "5" | "6" | "517")
                        ) =>
                    {
                        StoreError::Unavailable(e.to_string())
                    }
                    _ => StoreError::Other(e.to_string()),
                }
            }

            /// [`db`], naming the key a unique violation hit (an area knows
            /// which of its keys a write can collide with).
            pub(crate) fn conflict_named(e: ::sqlx::Error, what: &'static str) -> StoreError {
                match db(e) {
                    StoreError::Conflict { .. } => StoreError::Conflict { what },
                    other => other,
                }
            }

            pub(crate) fn get<'r, T>(row: &'r DbRow, col: &str) -> Result<T>
            where
                T: ::sqlx::Decode<'r, $db> + ::sqlx::Type<$db>,
            {
                row.try_get(col).map_err(db)
            }

            /// An event's kind, parsed from its stored text.
            pub(crate) fn event_kind(r: &DbRow) -> Result<::cohort_core::SlateEventKind> {
                let kind: String = get(r, "kind")?;
                kind.parse().map_err(|e| corrupt("events", e))
            }

            pub(crate) fn event_from(r: &DbRow) -> Result<EventRow> {
                Ok(EventRow {
                    seq: get(r, "seq")?,
                    slate_id: get(r, "slate_id")?,
                    kind: event_kind(r)?,
                    payload: get(r, "payload")?,
                    at: get(r, "at")?,
                })
            }

            pub(crate) fn slate_from(row: &DbRow) -> Result<SlateRow> {
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
                    limits: ::serde_json::from_str::<LimitTable>(&limits)
                        .map_err(|e| corrupt("slates", e))?,
                    created_at: get(row, "created_at")?,
                })
            }

            pub(crate) fn condition_from(r: &DbRow) -> Result<ConditionRow> {
                let source: String = get(r, "source")?;
                Ok(ConditionRow {
                    id: get(r, "id")?,
                    condition: Condition::parse(&source).map_err(|e| corrupt("conditions", e))?,
                    reads: Reads::from_bits(get(r, "reads")?),
                })
            }

            pub(crate) fn pot_from(r: &DbRow) -> Result<Pot> {
                Ok(Pot {
                    pending_cents: get(r, "pending_cents")?,
                    unlocked_cents: get(r, "unlocked_cents")?,
                    pledgers: get(r, "pledgers")?,
                    hours_per_week_pending: get(r, "hours_pending")?,
                    hours_per_week_unlocked: get(r, "hours_unlocked")?,
                    logged_unlocked_cents: get(r, "logged_unlocked_cents")?,
                    logged_seq: get(r, "logged_seq")?,
                    unlogged_unlocks: get(r, "unlogged_unlocks")?,
                })
            }

            pub(crate) fn candidate_from(row: &DbRow) -> Result<CandidateRow> {
                let slug: String = get(row, "slug")?;
                let office: String = get(row, "office")?;
                Ok(CandidateRow {
                    id: get(row, "id")?,
                    slate_id: get(row, "slate_id")?,
                    slug: Slug::parse(&slug).map_err(|e| corrupt("candidates", e))?,
                    name: get(row, "name")?,
                    race: Race {
                        office: office
                            .parse::<Office>()
                            .map_err(|e| corrupt("candidates", e))?,
                        state: get(row, "state")?,
                        district: get(row, "district")?,
                        primary_date: get(row, "primary_date")?,
                        general_date: get(row, "general_date")?,
                    },
                })
            }

            pub(crate) fn compact_from(row: &DbRow) -> Result<CompactRow> {
                let content: String = get(row, "content")?;
                Ok(CompactRow {
                    version: get(row, "version")?,
                    hash: get(row, "hash")?,
                    content: ::serde_json::from_str::<CompactContent>(&content)
                        .map_err(|e| corrupt("compacts", e))?,
                    created_at: get(row, "created_at")?,
                })
            }

            pub(crate) fn user_from(row: &DbRow) -> Result<UserRow> {
                let prefs: String = get(row, "email_prefs")?;
                Ok(UserRow {
                    id: get(row, "id")?,
                    email: email_from(row, "users")?,
                    name: get(row, "name")?,
                    password_hash: get(row, "password_hash")?,
                    email_prefs: EmailPrefs::parse(&prefs).ok_or_else(|| {
                        corrupt(
                            "users",
                            format!(
                                "email_prefs \
                                                                 {prefs:?}"
                            ),
                        )
                    })?,
                    created_at: get(row, "created_at")?,
                })
            }

            /// Grants keep 0 for "every slate" and "no candidate" (see the migration).
            pub(crate) fn grant_from(row: &DbRow) -> Result<TokenRow> {
                let role: String = get(row, "role")?;
                let slate: Id = get(row, "slate_id")?;
                let candidate: Id = get(row, "candidate_id")?;
                Ok(TokenRow {
                    role: Role::parse(&role).ok_or_else(|| {
                        corrupt(
                            "grants",
                            format!(
                                "unknown role \
                                                                  {role:?}"
                            ),
                        )
                    })?,
                    slate_id: (slate != 0).then_some(slate),
                    candidate_id: (candidate != 0).then_some(candidate),
                })
            }

            pub(crate) fn outbox_from(row: &DbRow) -> Result<OutboxRow> {
                let to: String = get(row, "to_email")?;
                Ok(OutboxRow {
                    id: get(row, "id")?,
                    email: NewEmail {
                        to: Email::parse(&to).map_err(|e| corrupt("outbox", e))?,
                        subject: get(row, "subject")?,
                        body: get(row, "body")?,
                        transactional: get(row, "transactional")?,
                        held: get(row, "held")?,
                        attachment: match (
                            get::<Option<String>>(row, "attachment_name")?,
                            get::<Option<String>>(row, "attachment")?,
                        ) {
                            (Some(filename), Some(content)) => Some(Attachment {
                                filename,
                                content_type: get::<Option<String>>(row, "attachment_type")?
                                    .unwrap_or_else(|| "application/octet-stream".into()),
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

            pub(crate) fn email_from(row: &DbRow, table: &'static str) -> Result<Email> {
                let email: String = get(row, "email")?;
                Email::parse(&email).map_err(|e| corrupt(table, e))
            }

            pub(crate) const PLEDGE_COLUMNS: &str = "p.id, p.slate_id, p.kind, \
                                                     p.amount_cents, p.recurring, \
                                                     p.hours_per_week, p.weeks, \
                                                     p.skills, p.doors, p.calls, \
                                                     p.texts, p.condition_id, \
                                                     c.source AS condition_source, \
                                                     p.candidates, p.deadline, \
                                                     p.email, p.donor, p.ref_code, \
                                                     p.status, p.receipt_token, \
                                                     p.idempotency_key, \
                                                     p.request_hash, p.created_at, \
                                                     p.unlocked_at, p.stopped_at";

            /// The columns a new pledge writes, in the order [`bind_pledge`] binds them;
            /// `status` comes last and is always 'pending'.
            pub(crate) const INSERT_PLEDGES: &str = "INSERT INTO pledges (slate_id, \
                                                     kind, amount_cents, recurring, \
                                                     hours_per_week, weeks, skills, \
                                                     doors, calls, texts, \
                                                     condition_id, candidates, \
                                                     deadline, email, donor, \
                                                     ref_code, receipt_token, \
                                                     idempotency_key, request_hash, \
                                                     created_at, status) VALUES";
            pub(crate) const PLEDGE_COLS: usize = 20;

            /// `INSERT INTO pledges` of `rows` new pledges, each under an id
            /// bound before its [`bind_pledge`] values.
            pub(crate) fn insert_pledges_with_ids(rows: usize) -> String {
                format!(
                    "{} {}",
                    INSERT_PLEDGES.replacen("(slate_id,", "(id, slate_id,", 1),
                    values_placeholders(SIGIL, rows, PLEDGE_COLS + 1).replace(")", ", 'pending')")
                )
            }

            /// How an insert into `waiting` adds to a row already there.
            pub(crate) const WAITING_ADDS: &str = "ON CONFLICT (slate_id, chosen) DO \
                                                   UPDATE SET cents = waiting.cents \
                                                   + excluded.cents, hours = \
                                                   waiting.hours + excluded.hours, \
                                                   pledges = waiting.pledges + \
                                                   excluded.pledges";

            pub(crate) const OUTBOX_COLUMNS: &str =
                "to_email, subject, body, transactional, unsubscribe_hash, created_at, \
                 attachment_name, attachment_type, attachment, held";
            pub(crate) type DbQuery<'q> =
                ::sqlx::query::Query<'q, $db, <$db as ::sqlx::Database>::Arguments<'q>>;

            /// The ten outbox columns of one email, in `OUTBOX_COLUMNS` order.
            pub(crate) fn bind_email<'q>(
                q: DbQuery<'q>,
                e: &'q NewEmail,
                hash: &'q str,
                at: DateTime<Utc>,
            ) -> DbQuery<'q> {
                let a = e.attachment.as_ref();
                q.bind(e.to.as_str())
                    .bind(&e.subject)
                    .bind(&e.body)
                    .bind(e.transactional)
                    .bind(hash)
                    .bind(at)
                    .bind(a.map(|a| a.filename.as_str()))
                    .bind(a.map(|a| a.content_type.as_str()))
                    .bind(a.map(|a| a.content.as_str()))
                    .bind(e.held)
            }

            pub(crate) fn bind_pledge<'q>(q: DbQuery<'q>, p: &'q NewPledge) -> Result<DbQuery<'q>> {
                let k = KindColumns::from_kind(&p.kind);
                let donor = ::serde_json::to_string(&p.donor)
                    .map_err(|e| StoreError::Other(e.to_string()))?;
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

            pub(crate) fn kind_from(row: &DbRow) -> Result<::cohort_core::model::PledgeKind> {
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

            pub(crate) fn pledge_from(row: &DbRow) -> Result<PledgeRow> {
                let condition: String = get(row, "condition_source")?;
                let donor: String = get(row, "donor")?;
                let status: String = get(row, "status")?;
                Ok(PledgeRow {
                    id: get(row, "id")?,
                    slate_id: get(row, "slate_id")?,
                    kind: kind_from(row)?,
                    condition_id: get(row, "condition_id")?,
                    condition: Condition::parse(&condition)
                        .map_err(|e| corrupt("conditions", e))?,
                    candidates: ids_from_json(get(row, "candidates")?)?,
                    deadline: get(row, "deadline")?,
                    email: email_from(row, "pledges")?,
                    donor: ::serde_json::from_str(&donor).map_err(|e| corrupt("pledges", e))?,
                    ref_code: get(row, "ref_code")?,
                    status: status
                        .parse::<PledgeStatus>()
                        .map_err(|e| corrupt("pledges", e))?,
                    receipt_token: get(row, "receipt_token")?,
                    idempotency_key: get(row, "idempotency_key")?,
                    request_hash: get(row, "request_hash")?,
                    created_at: get(row, "created_at")?,
                    unlocked_at: get(row, "unlocked_at")?,
                    stopped_at: get(row, "stopped_at")?,
                })
            }

            pub(crate) fn pending_from(row: &DbRow) -> Result<PendingPledge> {
                Ok(PendingPledge {
                    id: get(row, "id")?,
                    email: email_from(row, "pledges")?,
                    amount: Cents(get(row, "amount_cents")?),
                    hours_per_week: get(row, "hours_per_week")?,
                    candidates: ids_from_json(get(row, "candidates")?)?,
                })
            }

            /// Count rows (slate_id, amount_cents, hours_per_week, candidates) leaving `pending`.
            pub(crate) fn left_pending(w: &mut WaitingDeltas, rows: &[DbRow]) -> Result<()> {
                for r in rows {
                    w.add(
                        get(r, "slate_id")?,
                        get(r, "candidates")?,
                        get(r, "amount_cents")?,
                        get(r, "hours_per_week")?,
                        -1,
                    );
                }
                Ok(())
            }

            pub(crate) fn given_from(r: &DbRow) -> Result<GivenRow> {
                Ok(GivenRow {
                    email: email_from(r, "allocations")?,
                    candidate_id: get(r, "candidate_id")?,
                    election: election_from(r, "allocations")?,
                    cents: Cents(get(r, "cents")?),
                })
            }

            pub(crate) fn general_choice_from(r: &DbRow) -> Result<GeneralChoiceRow> {
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

            pub(crate) fn election_from(row: &DbRow, table: &'static str) -> Result<Election> {
                let e: String = get(row, "election")?;
                e.parse::<Election>().map_err(|e| corrupt(table, e))
            }

            $crate::sql_bulk!($bulk, $tx);

            impl $tx {
                /// Index pledges by donor email (see the `pledge_donors` migration).
                pub(crate) async fn insert_pledge_donors(
                    &mut self,
                    donors: &[(String, Id)],
                ) -> Result<()> {
                    for chunk in donors.chunks(CHUNK) {
                        let sql = format!(
                            "INSERT INTO pledge_donors (email, \
                                           pledge_id) VALUES \
                                           {}",
                            values_placeholders(SIGIL, chunk.len(), 2)
                        );
                        let mut q = ::sqlx::query(&sql);
                        for (email, id) in chunk {
                            q = q.bind(email).bind(*id);
                        }
                        q.execute(&mut *self.tx).await.map_err(db)?;
                    }
                    Ok(())
                }

                pub(crate) async fn apply_waiting(&mut self, deltas: WaitingDeltas) -> Result<()> {
                    let sql = format!(
                        "INSERT INTO waiting (slate_id, chosen, cents, \
                                       hours, pledges) VALUES ($1, $2, $3, $4, $5) \
                                       {WAITING_ADDS}"
                    );
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

                pub(crate) async fn violations(
                    &mut self,
                    rule: &'static str,
                    sql: &str,
                ) -> Result<Vec<Violation>> {
                    let rows = ::sqlx::query(sql)
                        .fetch_all(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    rows.iter()
                        .map(|r| {
                            Ok(Violation {
                                rule,
                                detail: get::<String>(r, "detail")?,
                            })
                        })
                        .collect()
                }
            }

            /// How every query ends: run in this transaction, errors mapped by [`db`].
            pub(crate) trait Run: Sized {
                async fn exec(self, t: &mut $tx) -> Result<<$db as ::sqlx::Database>::QueryResult>;
                async fn all(self, t: &mut $tx) -> Result<Vec<DbRow>>;
                async fn opt(self, t: &mut $tx) -> Result<Option<DbRow>>;
                async fn one(self, t: &mut $tx) -> Result<DbRow>;
            }

            impl Run for DbQuery<'_> {
                async fn exec(self, t: &mut $tx) -> Result<<$db as ::sqlx::Database>::QueryResult> {
                    self.execute(&mut *t.tx).await.map_err(db)
                }
                async fn all(self, t: &mut $tx) -> Result<Vec<DbRow>> {
                    self.fetch_all(&mut *t.tx).await.map_err(db)
                }
                async fn opt(self, t: &mut $tx) -> Result<Option<DbRow>> {
                    self.fetch_optional(&mut *t.tx).await.map_err(db)
                }
                async fn one(self, t: &mut $tx) -> Result<DbRow> {
                    self.fetch_one(&mut *t.tx).await.map_err(db)
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
                        ::sqlx::query(&format!(
                            "SELECT id FROM slates WHERE id = \
                                                $1{lock}"
                        ))
                        .bind(slate_id)
                        .exec(self)
                        .await?;
                    }
                    Ok(())
                }

                async fn lock_slate_by_slug(&mut self, slug: &str) -> Result<Option<(Id, i64)>> {
                    let lock: &str = $row_lock;
                    let row = ::sqlx::query(&format!(
                        "SELECT id, version FROM slates \
                                                      WHERE slug = $1{lock}"
                    ))
                    .bind(slug)
                    .opt(self)
                    .await?;
                    row.map(|r| Ok((get(&r, "id")?, get(&r, "version")?)))
                        .transpose()
                }

                async fn check_invariants(&mut self) -> Result<Vec<Violation>> {
                    let mut out = Vec::new();
                    for (rule, sql) in $crate::INVARIANT_QUERIES {
                        out.extend(self.violations(rule, sql).await?);
                    }
                    Ok(out)
                }
            }
        }
    };
}
