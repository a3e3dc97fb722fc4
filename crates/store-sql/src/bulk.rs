//! [`sql_bulk!`]: the bulk writes, the one place the backends run different
//! SQL: multi-row `VALUES` lists on SQLite, one array per column (`UNNEST`)
//! and `COPY` on PostgreSQL. Expanded inside `impl_sql_tx!`'s `sql_shared`.

/// The inherent bulk-write methods of `$tx` (`intake_writes`,
/// `insert_installments`, `mark_unlocked`) and the statement that inserts one
/// pledge, for the backend named by the first argument (`values` or `unnest`).
#[doc(hidden)]
#[macro_export]
macro_rules! sql_bulk {
    // Bulk writes as multi-row VALUES lists (SQLite).
    (values, $tx:ty) => {
        /// A pledge with its donor's index row and its `waiting` total, in
        /// one trip to the connection's thread: three statements, whose
        /// anonymous `?`s take the bound values in order.
        pub(crate) static INSERT_ONE_PLEDGE: ::std::sync::LazyLock<String> =
            ::std::sync::LazyLock::new(|| {
                format!(
                    "{INSERT_PLEDGES} {} RETURNING id; INSERT INTO pledge_donors \
                     (email, pledge_id) VALUES (?, last_insert_rowid()); INSERT INTO \
                     waiting (slate_id, chosen, cents, hours, pledges) VALUES (?, ?, \
                     ?, ?, 1) {WAITING_ADDS}",
                    values_placeholders('?', 1, PLEDGE_COLS).replace(
                        ")",
                        ", \
                                                                           'pending')"
                    ),
                )
            });
        impl $tx {
            /// A batch of up to `ONE_TRIP` pledges (every single client's)
            /// goes as one multi-statement query: one trip to the
            /// connection's thread instead of four. Larger batches go
            /// statement by statement, their cost spread over many pledges.
            /// The slate's version needs no lock of its own: a write
            /// transaction here is the only writer from its `BEGIN IMMEDIATE`.
            pub(crate) async fn intake_writes(
                &mut self,
                w: &IntakeWrites<'_>,
            ) -> Result<IntakeRecorded> {
                const ONE_TRIP: usize = 64;
                const VERSION: &str = "SELECT version FROM slates WHERE id = ?";
                if w.donors.is_empty()
                    || [
                        w.pledges.len(),
                        w.events.len(),
                        w.donors.len(),
                        w.emails.len(),
                    ]
                    .iter()
                    .any(|&n| n > ONE_TRIP)
                {
                    self.insert_pledges_under(w.pledges).await?;
                    let slate_version = ::sqlx::query_scalar(VERSION)
                        .bind(w.slate_id)
                        .fetch_one(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    for chunk in w.events.chunks(CHUNK) {
                        let sql = format!(
                            "INSERT INTO events (slate_id, kind, \
                                               payload, at) VALUES \
                                               {}",
                            values_placeholders('?', chunk.len(), 4)
                        );
                        let mut q = ::sqlx::query(&sql);
                        for payload in chunk {
                            q = q
                                .bind(w.slate_id)
                                .bind(::cohort_core::SlateEventKind::Pledged.as_str())
                                .bind(payload)
                                .bind(w.at);
                        }
                        q.execute(&mut *self.tx).await.map_err(db)?;
                    }
                    let new = self.add_pledgers(w.slate_id, w.donors).await?;
                    self.enqueue_emails(w.emails, w.at).await?;
                    let delta = PotDelta {
                        pledgers: w.delta.pledgers + new,
                        ..w.delta
                    };
                    let pot = self.add_to_pot(w.slate_id, &delta).await?;
                    return Ok(IntakeRecorded {
                        pot,
                        slate_version,
                        reserved: Vec::new(),
                    });
                }
                // Anonymous `?`s take the bound values in order across the statements.
                let mut sql = format!("{VERSION};");
                // The pledges, their donor-index rows and `waiting` totals,
                // as `insert_pledges_under` writes them.
                let waiting = WaitingDeltas::of_new(w.pledges.iter().map(|(_, p)| p));
                if !w.pledges.is_empty() {
                    let n = w.pledges.len();
                    sql += &format!(
                        "{}; INSERT INTO pledge_donors (email, pledge_id) VALUES {}; \
                         INSERT INTO waiting (slate_id, chosen, cents, hours, pledges) \
                         VALUES {} {WAITING_ADDS};",
                        insert_pledges_with_ids(n),
                        values_placeholders('?', n, 2),
                        values_placeholders('?', waiting.0.len(), 5),
                    );
                }
                if !w.events.is_empty() {
                    sql += &format!(
                        "INSERT INTO events (slate_id, kind, \
                                         payload, at) VALUES \
                                         {};",
                        values_placeholders('?', w.events.len(), 4)
                    );
                }
                sql += &format!(
                    "INSERT INTO pledgers (slate_id, email, live) VALUES {} ON \
                         CONFLICT (slate_id, email) DO UPDATE SET live = \
                         pledgers.live + excluded.live;",
                    values_placeholders('?', w.donors.len(), 3)
                );
                if !w.emails.is_empty() {
                    sql += &format!(
                        "INSERT INTO outbox ({OUTBOX_COLUMNS}) \
                                         VALUES \
                                         {};",
                        values_placeholders('?', w.emails.len(), 10)
                    );
                }
                // A donor is new to the pot when their live count is exactly what this added.
                sql += &format!(
                    "UPDATE pots SET pending_cents = pending_cents + ?, \
                         unlocked_cents = unlocked_cents + ?, pledgers = pledgers + \
                         ? + (SELECT COUNT(*) FROM pledgers d WHERE d.slate_id = ? \
                         AND (d.email, d.live) IN (VALUES {})), hours_pending = \
                         hours_pending + ?, hours_unlocked = hours_unlocked + ? \
                         WHERE slate_id = ? RETURNING *",
                    values_placeholders('?', w.donors.len(), 2)
                );
                let mut q = ::sqlx::query(&sql).bind(w.slate_id);
                for (id, p) in w.pledges {
                    q = bind_pledge(q.bind(*id), p)?;
                }
                for (id, p) in w.pledges {
                    q = q.bind(p.email.as_str()).bind(*id);
                }
                for ((slate_id, chosen), (cents, hours, pledges)) in waiting.0 {
                    q = q
                        .bind(slate_id)
                        .bind(chosen)
                        .bind(cents)
                        .bind(hours)
                        .bind(pledges);
                }
                for payload in w.events {
                    q = q
                        .bind(w.slate_id)
                        .bind(::cohort_core::SlateEventKind::Pledged.as_str())
                        .bind(payload)
                        .bind(w.at);
                }
                for (email, n) in w.donors {
                    q = q.bind(w.slate_id).bind(email.as_str()).bind(*n);
                }
                for (e, hash) in w.emails {
                    q = bind_email(q, e, hash, w.at);
                }
                q = q
                    .bind(w.delta.pending_cents)
                    .bind(w.delta.unlocked_cents)
                    .bind(w.delta.pledgers)
                    .bind(w.slate_id);
                for (email, n) in w.donors {
                    q = q.bind(email.as_str()).bind(*n);
                }
                q = q
                    .bind(w.delta.hours_per_week_pending)
                    .bind(w.delta.hours_per_week_unlocked)
                    .bind(w.slate_id);
                let rows = q.fetch_all(&mut *self.tx).await.map_err(db)?;
                // Rows come back in statement order: the version, then the pot.
                let [version, pot] = rows.as_slice() else {
                    return Err(StoreError::Other(format!(
                        "slate {} has no \
                                                              version or no \
                                                              pot",
                        w.slate_id
                    )));
                };
                Ok(IntakeRecorded {
                    pot: pot_from(pot)?,
                    slate_version: get(version, "version")?,
                    reserved: Vec::new(),
                })
            }

            /// Ids after the table's last: the rows SQLite would give next
            /// (an `INTEGER PRIMARY KEY` without `AUTOINCREMENT` takes the
            /// largest id plus one). This transaction is the only writer
            /// from its `BEGIN IMMEDIATE`, so they hold until it ends.
            pub(crate) async fn fresh_pledge_ids(&mut self, n: usize) -> Result<Vec<Id>> {
                let last: Id = ::sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM pledges")
                    .fetch_one(&mut *self.tx)
                    .await
                    .map_err(db)?;
                Ok((1..=n as Id).map(|i| last + i).collect())
            }

            /// New pledges under ids given with them: rows, the donor
            /// index and the `waiting` totals, as `insert_pledge` writes each.
            async fn insert_pledges_under(&mut self, pledges: &[(Id, NewPledge)]) -> Result<()> {
                if pledges.is_empty() {
                    return Ok(());
                }
                for chunk in pledges.chunks(CHUNK / 2) {
                    let sql = insert_pledges_with_ids(chunk.len());
                    let mut q = ::sqlx::query(&sql);
                    for (id, p) in chunk {
                        q = bind_pledge(q.bind(*id), p)?;
                    }
                    q.execute(&mut *self.tx).await.map_err(db)?;
                }
                let donors: Vec<(String, Id)> = pledges
                    .iter()
                    .map(|(id, p)| (p.email.as_str().to_owned(), *id))
                    .collect();
                self.insert_pledge_donors(&donors).await?;
                self.apply_waiting(WaitingDeltas::of_new(pledges.iter().map(|(_, p)| p)))
                    .await
            }

            pub(crate) async fn insert_installments(
                &mut self,
                installments: &[Installment],
                at: DateTime<Utc>,
            ) -> Result<()> {
                for chunk in installments.chunks(CHUNK) {
                    let sql = format!(
                        "INSERT INTO installments (pledge_id, period, \
                             amount_cents, unallocated_cents, created_at) VALUES {}",
                        values_placeholders(SIGIL, chunk.len(), 5)
                    );
                    let mut q = ::sqlx::query(&sql);
                    for i in chunk {
                        q = q
                            .bind(i.pledge_id)
                            .bind(i.period)
                            .bind(i.amount.get())
                            .bind(i.unallocated.get())
                            .bind(at);
                    }
                    q.execute(&mut *self.tx).await.map_err(db)?;
                }
                let shares: Vec<(&Installment, &AllocationShare)> = installments
                    .iter()
                    .flat_map(|i| i.allocations.iter().map(move |a| (i, a)))
                    .collect();
                for chunk in shares.chunks(CHUNK) {
                    let sql = format!(
                        "INSERT INTO allocations (pledge_id, period, \
                             candidate_id, election, cents) VALUES {}",
                        values_placeholders(SIGIL, chunk.len(), 5)
                    );
                    let mut q = ::sqlx::query(&sql);
                    for (i, a) in chunk {
                        q = q
                            .bind(i.pledge_id)
                            .bind(i.period)
                            .bind(a.candidate_id)
                            .bind(a.election.as_str())
                            .bind(a.cents.get());
                    }
                    q.execute(&mut *self.tx).await.map_err(db)?;
                }
                Ok(())
            }

            pub(crate) async fn mark_unlocked(
                &mut self,
                ids: &[Id],
                at: DateTime<Utc>,
            ) -> Result<u64> {
                let mut moved = 0;
                let mut w = WaitingDeltas::default();
                for chunk in ids.chunks(CHUNK) {
                    let sql = format!(
                        "UPDATE pledges SET status = 'unlocked', unlocked_at = \
                             {first} WHERE status = 'pending' AND id IN ({}) \
                             RETURNING slate_id, amount_cents, hours_per_week, \
                             candidates",
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
    (unnest, $tx:ty) => {
        /// A pledge with its donor's index row and its `waiting` total, in
        /// one statement.
        ///
        /// The slate's key-share lock (`s`, which the pledge's foreign key
        /// takes anyway, but only at the statement's end) comes before the
        /// shared `waiting` row, through a join: intake that has not locked
        /// the slate yet (see `record_intake`) must wait for a writer holding
        /// the slate's lock before it holds a row that writer will want.
        pub(crate) static INSERT_ONE_PLEDGE: ::std::sync::LazyLock<String> =
            ::std::sync::LazyLock::new(|| {
                format!(
                    "WITH s AS MATERIALIZED (SELECT id FROM slates WHERE id = $1 FOR \
                     KEY SHARE), p AS ({INSERT_PLEDGES} {} RETURNING id), d AS \
                     (INSERT INTO pledge_donors (email, pledge_id) SELECT $21, id \
                     FROM p), w AS (INSERT INTO waiting (slate_id, chosen, cents, \
                     hours, pledges) SELECT s.id, $23, $24, $25, 1 FROM s WHERE s.id \
                     = $22 {WAITING_ADDS}) SELECT id FROM p",
                    values_placeholders(SIGIL, 1, PLEDGE_COLS).replace(")", ", 'pending')"),
                )
            });
        /// Rows per array statement.
        pub(crate) const UNNEST_CHUNK: usize = 100_000;
        /// Rows per message of a COPY (about 100 KiB).
        pub(crate) const COPY_CHUNK: usize = 4_096;

        impl $tx {
            /// From the ids' sequence: unique whatever this transaction does.
            pub(crate) async fn fresh_pledge_ids(&mut self, n: usize) -> Result<Vec<Id>> {
                ::sqlx::query_scalar(
                    "SELECT nextval('pledges_id_seq') FROM generate_series(1, $1::bigint)",
                )
                .bind(n as i64)
                .fetch_all(&mut *self.tx)
                .await
                .map_err(db)
            }

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
            pub(crate) async fn intake_writes(
                &mut self,
                w: &IntakeWrites<'_>,
            ) -> Result<IntakeRecorded> {
                let emails: Vec<&str> = w.donors.iter().map(|(e, _)| e.as_str()).collect();
                let counts: Vec<i64> = w.donors.iter().map(|(_, n)| *n).collect();
                let mail = |f: fn(&NewEmail) -> Option<&str>| -> Vec<Option<&str>> {
                    w.emails.iter().map(|(e, _)| f(e)).collect()
                };
                let pledged = ::cohort_core::SlateEventKind::Pledged.as_str();
                let sql = format!(
                    "WITH lk AS MATERIALIZED (SELECT id, version FROM slates \
                         WHERE id = $1 FOR NO KEY UPDATE), ev AS (INSERT INTO events \
                         (slate_id, kind, payload, at) SELECT lk.id, '{pledged}', u.p, \
                         $2 FROM lk, UNNEST($3::text[]) WITH ORDINALITY AS u(p, n) \
                         ORDER BY u.n), pl AS (INSERT INTO pledgers (slate_id, \
                         email, live) SELECT lk.id, u.e, u.n FROM lk, \
                         UNNEST($4::text[], $5::bigint[]) AS u(e, n) ON CONFLICT \
                         (slate_id, email) DO UPDATE SET live = pledgers.live + \
                         excluded.live RETURNING email, live), ob AS (INSERT INTO \
                         outbox ({OUTBOX_COLUMNS}) SELECT u.t, u.s, u.b, u.tr, u.h, \
                         $2, u.an, u.at, u.a, u.hd FROM UNNEST($6::text[], \
                         $7::text[], $8::text[], $9::bool[], $10::text[], \
                         $11::text[], $12::text[], $13::text[], $40::bool[]) AS u(t, \
                         s, b, tr, h, an, at, a, hd)), np AS (INSERT INTO pledges \
                         (id, slate_id, kind, amount_cents, recurring, \
                         hours_per_week, weeks, skills, doors, calls, texts, \
                         condition_id, candidates, deadline, email, donor, ref_code, \
                         receipt_token, idempotency_key, request_hash, created_at, \
                         status) SELECT u.id, lk.id, u.kind, u.amount, u.recurring, \
                         u.hours, u.weeks, u.skills, u.doors, u.calls, u.texts, \
                         u.cond, u.cands, u.deadline, u.email, u.donor, u.ref, \
                         u.token, u.ikey, u.rhash, u.created, 'pending' FROM lk, \
                         UNNEST($20::bigint[], $21::text[], $22::bigint[], \
                         $23::text[], $24::bigint[], $25::bigint[], $26::text[], \
                         $27::bigint[], $28::bigint[], $29::bigint[], $30::bigint[], \
                         $31::text[], $32::date[], $33::text[], $34::text[], \
                         $35::text[], $36::text[], $37::text[], $38::text[], \
                         $39::timestamptz[]) AS u(id, kind, amount, recurring, \
                         hours, weeks, skills, doors, calls, texts, cond, cands, \
                         deadline, email, donor, ref, token, ikey, rhash, created) \
                         RETURNING id, email, candidates, amount_cents, \
                         hours_per_week), nd AS (INSERT INTO pledge_donors (email, \
                         pledge_id) SELECT email, id FROM np), nw AS (INSERT INTO \
                         waiting (slate_id, chosen, cents, hours, pledges) SELECT \
                         $1, COALESCE(candidates, ''), SUM(amount_cents), \
                         SUM(hours_per_week), COUNT(*) FROM np GROUP BY 2 \
                         {WAITING_ADDS}) UPDATE pots SET pending_cents = \
                         pending_cents + $14, unlocked_cents = unlocked_cents + $15, \
                         pledgers = pledgers + $16 + (SELECT COUNT(*) FROM pl JOIN \
                         UNNEST($4::text[], $5::bigint[]) AS a(e, n) ON a.e = \
                         pl.email AND a.n = pl.live), hours_pending = hours_pending \
                         + $17, hours_unlocked = hours_unlocked + $18 FROM lk WHERE \
                         pots.slate_id = lk.id RETURNING pots.*, lk.version, \
                         ARRAY(SELECT nextval('pledges_id_seq') FROM \
                         generate_series(1, $19::bigint)) AS reserved",
                );
                let new = |f: fn(&NewPledge) -> Option<&str>| -> Vec<Option<&str>> {
                    w.pledges.iter().map(|(_, p)| f(p)).collect()
                };
                let kinds: Vec<KindColumns> = w
                    .pledges
                    .iter()
                    .map(|(_, p)| KindColumns::from_kind(&p.kind))
                    .collect();
                let column =
                    |f: fn(&KindColumns) -> i64| -> Vec<i64> { kinds.iter().map(f).collect() };
                let donors = w
                    .pledges
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
                    .bind(
                        w.emails
                            .iter()
                            .map(|(e, _)| e.transactional)
                            .collect::<Vec<bool>>(),
                    )
                    .bind(
                        w.emails
                            .iter()
                            .map(|(_, h)| h.as_str())
                            .collect::<Vec<&str>>(),
                    )
                    .bind(mail(|e| e.attachment.as_ref().map(|a| a.filename.as_str())))
                    .bind(mail(|e| {
                        e.attachment.as_ref().map(|a| a.content_type.as_str())
                    }))
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
                    .bind(
                        kinds
                            .iter()
                            .map(|k| k.recurring)
                            .collect::<Vec<Option<&str>>>(),
                    )
                    .bind(column(|k| k.hours_per_week))
                    .bind(column(|k| k.weeks))
                    .bind(
                        kinds
                            .iter()
                            .map(|k| k.skills.as_str())
                            .collect::<Vec<&str>>(),
                    )
                    .bind(column(|k| k.doors))
                    .bind(column(|k| k.calls))
                    .bind(column(|k| k.texts))
                    .bind(
                        w.pledges
                            .iter()
                            .map(|(_, p)| p.condition_id)
                            .collect::<Vec<Id>>(),
                    )
                    .bind(
                        w.pledges
                            .iter()
                            .map(|(_, p)| ids_to_json(&p.candidates))
                            .collect::<Vec<Option<String>>>(),
                    )
                    .bind(
                        w.pledges
                            .iter()
                            .map(|(_, p)| p.deadline)
                            .collect::<Vec<NaiveDate>>(),
                    )
                    .bind(new(|p| Some(p.email.as_str())))
                    .bind(&donors)
                    .bind(new(|p| p.ref_code.as_deref()))
                    .bind(new(|p| Some(p.receipt_token.as_str())))
                    .bind(new(|p| p.idempotency_key.as_deref()))
                    .bind(new(|p| Some(p.request_hash.as_str())))
                    .bind(
                        w.pledges
                            .iter()
                            .map(|(_, p)| p.created_at)
                            .collect::<Vec<DateTime<Utc>>>(),
                    )
                    .bind(w.emails.iter().map(|(e, _)| e.held).collect::<Vec<bool>>())
                    .fetch_one(&mut *self.tx)
                    .await
                    .map_err(db)?;
                Ok(IntakeRecorded {
                    pot: pot_from(&r)?,
                    slate_version: get(&r, "version")?,
                    reserved: get(&r, "reserved")?,
                })
            }

            /// `COPY … FROM STDIN` in text format, streamed `COPY_CHUNK` rows
            /// at a time: a million-pledge unlock writes 6M rows with no
            /// per-statement parse, plan or array decoding.
            pub(crate) async fn insert_installments(
                &mut self,
                installments: &[Installment],
                at: DateTime<Utc>,
            ) -> Result<()> {
                use ::std::fmt::Write as _;
                if installments.is_empty() {
                    return Ok(());
                }
                let at = at.to_rfc3339();
                let mut buf = String::new();
                let mut copy = (&mut *self.tx)
                    .copy_in_raw(
                        "COPY installments (pledge_id, period, \
                                      amount_cents, unallocated_cents, created_at) \
                                      FROM STDIN",
                    )
                    .await
                    .map_err(db)?;
                for chunk in installments.chunks(COPY_CHUNK) {
                    buf.clear();
                    for i in chunk {
                        let _ = writeln!(
                            buf,
                            "{}\t{}\t{}\t{}\t{at}",
                            i.pledge_id,
                            i.period,
                            i.amount.get(),
                            i.unallocated.get()
                        );
                    }
                    copy.send(buf.as_bytes()).await.map_err(db)?;
                }
                copy.finish().await.map_err(db)?;
                let mut copy = (&mut *self.tx)
                    .copy_in_raw(
                        "COPY allocations (pledge_id, period, \
                                      candidate_id, election, cents) FROM STDIN",
                    )
                    .await
                    .map_err(db)?;
                buf.clear();
                let mut rows = 0;
                for i in installments {
                    for a in &i.allocations {
                        let _ = writeln!(
                            buf,
                            "{}\t{}\t{}\t{}\t{}",
                            i.pledge_id,
                            i.period,
                            a.candidate_id,
                            a.election.as_str(),
                            a.cents.get()
                        );
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

            pub(crate) async fn mark_unlocked(
                &mut self,
                ids: &[Id],
                at: DateTime<Utc>,
            ) -> Result<u64> {
                let mut moved = 0;
                let mut w = WaitingDeltas::default();
                for chunk in ids.chunks(UNNEST_CHUNK) {
                    let rows = ::sqlx::query(
                        "UPDATE pledges SET status = 'unlocked', unlocked_at = \
                             $1 WHERE status = 'pending' AND id = ANY($2) RETURNING \
                             slate_id, amount_cents, hours_per_week, candidates",
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
