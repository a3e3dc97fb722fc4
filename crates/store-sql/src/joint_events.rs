//! [`impl_sql_joint_events!`]: `cohort_store::JointEventsTx` in SQL both
//! backends accept, expanded by each backend next to `impl_sql_tx!`.

/// Implements `cohort_store::JointEventsTx` for `$tx` (a struct with a field
/// `tx: sqlx::Transaction<'static, $db>`).
#[macro_export]
macro_rules! impl_sql_joint_events {
    ($tx:ty, $db:ty) => {
        const _: () = {
            use self::sql_shared::{conflict_named, DbRow, get};
            use ::chrono::{DateTime, Utc};
            use ::cohort_core::joint_event::{EventKind, EventStatus, HostAnswer, Location, RsvpStatus};
            use ::cohort_core::Email;
            use ::cohort_store::{
                HostRow, Id, JointEventChange, JointEventRow, JointEventsTx, NewJointEvent, NewRsvp,
                ReminderColumn, Result, RsvpCounts, RsvpRow, StoreError,
            };
            use $crate::corrupt;

            fn db(e: ::sqlx::Error) -> StoreError {
                conflict_named(e, "rsvp")
            }

            fn location_json(l: &Option<Location>) -> Option<String> {
                l.as_ref().map(|l| ::serde_json::to_string(l).unwrap_or_default())
            }

            const EVENT_COLS: &str = "id, slate_id, kind, title, description, starts_at, ends_at, timezone, \
                location, online_url, capacity, status, sequence, attendance, proposed_by, created_at, updated_at";
            const RSVP_COLS: &str = "id, event_id, name, email, zip, referral, status, created_at, \
                cancelled_at, day_reminded_at, hour_reminded_at";

            fn event_from(r: &DbRow) -> Result<JointEventRow> {
                let kind: String = get(r, "kind")?;
                let status: String = get(r, "status")?;
                let location: Option<String> = get(r, "location")?;
                Ok(JointEventRow {
                    id: get(r, "id")?,
                    slate_id: get(r, "slate_id")?,
                    kind: EventKind::parse(&kind).ok_or_else(|| corrupt("joint_events", &kind))?,
                    title: get(r, "title")?,
                    description: get(r, "description")?,
                    starts_at: get(r, "starts_at")?,
                    ends_at: get(r, "ends_at")?,
                    timezone: get(r, "timezone")?,
                    location: match location {
                        Some(l) => Some(::serde_json::from_str(&l).map_err(|e| corrupt("joint_events", e))?),
                        None => None,
                    },
                    online_url: get(r, "online_url")?,
                    capacity: get(r, "capacity")?,
                    status: EventStatus::parse(&status).ok_or_else(|| corrupt("joint_events", &status))?,
                    sequence: get(r, "sequence")?,
                    attendance: get(r, "attendance")?,
                    proposed_by: get(r, "proposed_by")?,
                    created_at: get(r, "created_at")?,
                    updated_at: get(r, "updated_at")?,
                    hosts: Vec::new(),
                })
            }

            fn host_from(r: &DbRow) -> Result<(Id, HostRow)> {
                let answer: String = get(r, "answer")?;
                Ok((
                    get(r, "event_id")?,
                    HostRow {
                        candidate_id: get(r, "candidate_id")?,
                        answer: HostAnswer::parse(&answer).ok_or_else(|| corrupt("joint_event_hosts", &answer))?,
                        answered_at: get(r, "answered_at")?,
                    },
                ))
            }

            fn rsvp_from(r: &DbRow) -> Result<RsvpRow> {
                let email: String = get(r, "email")?;
                let status: String = get(r, "status")?;
                Ok(RsvpRow {
                    id: get(r, "id")?,
                    event_id: get(r, "event_id")?,
                    name: get(r, "name")?,
                    email: Email::parse(&email).map_err(|e| corrupt("joint_event_rsvps", e))?,
                    zip: get(r, "zip")?,
                    referral: get(r, "referral")?,
                    status: RsvpStatus::parse(&status).ok_or_else(|| corrupt("joint_event_rsvps", &status))?,
                    created_at: get(r, "created_at")?,
                    cancelled_at: get(r, "cancelled_at")?,
                    day_reminded_at: get(r, "day_reminded_at")?,
                    hour_reminded_at: get(r, "hour_reminded_at")?,
                })
            }

            impl $tx {
                async fn attach_hosts(&mut self, events: &mut [JointEventRow], filter: &str, key: Id) -> Result<()> {
                    let sql = format!(
                        "SELECT h.event_id, h.candidate_id, h.answer, h.answered_at FROM joint_event_hosts h \
                         JOIN joint_events e ON e.id = h.event_id WHERE {filter} = $1 ORDER BY h.event_id, h.position"
                    );
                    let rows = ::sqlx::query(&sql).bind(key).fetch_all(&mut *self.tx).await.map_err(db)?;
                    for r in &rows {
                        let (event_id, host) = host_from(r)?;
                        if let Some(e) = events.iter_mut().find(|e| e.id == event_id) {
                            e.hosts.push(host);
                        }
                    }
                    Ok(())
                }
            }

            #[::async_trait::async_trait]
            impl JointEventsTx for $tx {
                async fn insert_joint_event(&mut self, e: &NewJointEvent) -> Result<Id> {
                    let row = ::sqlx::query(
                        "INSERT INTO joint_events (slate_id, kind, title, description, starts_at, ends_at, timezone, \
                         location, online_url, capacity, status, sequence, proposed_by, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'proposed', 0, $11, $12, $12) RETURNING id",
                    )
                    .bind(e.slate_id)
                    .bind(e.kind.as_str())
                    .bind(&e.title)
                    .bind(&e.description)
                    .bind(e.starts_at)
                    .bind(e.ends_at)
                    .bind(&e.timezone)
                    .bind(location_json(&e.location))
                    .bind(&e.online_url)
                    .bind(e.capacity)
                    .bind(&e.proposed_by)
                    .bind(e.created_at)
                    .fetch_one(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    let id: Id = get(&row, "id")?;
                    for (position, candidate) in e.hosts.iter().enumerate() {
                        ::sqlx::query(
                            "INSERT INTO joint_event_hosts (event_id, candidate_id, position, answer) VALUES ($1, $2, $3, 'pending')",
                        )
                        .bind(id)
                        .bind(candidate)
                        .bind(position as i32)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    }
                    Ok(id)
                }

                async fn joint_event(&mut self, id: Id) -> Result<Option<JointEventRow>> {
                    let sql = format!("SELECT {EVENT_COLS} FROM joint_events WHERE id = $1");
                    let Some(row) = ::sqlx::query(&sql).bind(id).fetch_optional(&mut *self.tx).await.map_err(db)? else {
                        return Ok(None);
                    };
                    let mut events = vec![event_from(&row)?];
                    self.attach_hosts(&mut events, "e.id", id).await?;
                    Ok(events.pop())
                }

                async fn joint_events(&mut self, slate_id: Id) -> Result<Vec<JointEventRow>> {
                    let sql = format!("SELECT {EVENT_COLS} FROM joint_events WHERE slate_id = $1 ORDER BY starts_at, id");
                    let rows = ::sqlx::query(&sql).bind(slate_id).fetch_all(&mut *self.tx).await.map_err(db)?;
                    let mut events = rows.iter().map(event_from).collect::<Result<Vec<_>>>()?;
                    events.sort_by_key(|e| (e.starts_at, e.id));
                    self.attach_hosts(&mut events, "e.slate_id", slate_id).await?;
                    Ok(events)
                }

                async fn answer_host(&mut self, event_id: Id, candidate_id: Id, answer: HostAnswer, at: DateTime<Utc>) -> Result<bool> {
                    let done = ::sqlx::query(
                        "UPDATE joint_event_hosts SET answer = $3, answered_at = $4 \
                         WHERE event_id = $1 AND candidate_id = $2 AND answer <> $3",
                    )
                    .bind(event_id)
                    .bind(candidate_id)
                    .bind(answer.as_str())
                    .bind(at)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn set_joint_event_status(&mut self, id: Id, from: EventStatus, to: EventStatus, at: DateTime<Utc>) -> Result<bool> {
                    let done = ::sqlx::query(
                        "UPDATE joint_events SET status = $3, updated_at = $4, sequence = sequence + 1 WHERE id = $1 AND status = $2",
                    )
                    .bind(id)
                    .bind(from.as_str())
                    .bind(to.as_str())
                    .bind(at)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn record_joint_event_held(&mut self, id: Id, attendance: i64, at: DateTime<Utc>) -> Result<bool> {
                    let done = ::sqlx::query(
                        "UPDATE joint_events SET status = 'held', attendance = $2, updated_at = $3 WHERE id = $1 AND status = 'confirmed'",
                    )
                    .bind(id)
                    .bind(attendance)
                    .bind(at)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn change_joint_event(&mut self, id: Id, c: &JointEventChange, at: DateTime<Utc>) -> Result<i64> {
                    let row = ::sqlx::query(
                        "UPDATE joint_events SET starts_at = $2, ends_at = $3, timezone = $4, location = $5, online_url = $6, \
                         updated_at = $7, sequence = sequence + 1 WHERE id = $1 RETURNING sequence",
                    )
                    .bind(id)
                    .bind(c.starts_at)
                    .bind(c.ends_at)
                    .bind(&c.timezone)
                    .bind(location_json(&c.location))
                    .bind(&c.online_url)
                    .bind(at)
                    .fetch_one(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    get(&row, "sequence")
                }

                async fn insert_rsvp(&mut self, r: &NewRsvp) -> Result<RsvpRow> {
                    let sql = format!(
                        "INSERT INTO joint_event_rsvps (event_id, name, email, zip, referral, status, cancel_hash, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {RSVP_COLS}"
                    );
                    let row = ::sqlx::query(&sql)
                        .bind(r.event_id)
                        .bind(&r.name)
                        .bind(r.email.as_str())
                        .bind(&r.zip)
                        .bind(&r.referral)
                        .bind(r.status.as_str())
                        .bind(&r.cancel_hash)
                        .bind(r.created_at)
                        .fetch_one(&mut *self.tx)
                        .await
                        .map_err(db)?;
                    rsvp_from(&row)
                }

                async fn rsvps(&mut self, event_id: Id) -> Result<Vec<RsvpRow>> {
                    let sql = format!("SELECT {RSVP_COLS} FROM joint_event_rsvps WHERE event_id = $1 ORDER BY id");
                    let rows = ::sqlx::query(&sql).bind(event_id).fetch_all(&mut *self.tx).await.map_err(db)?;
                    rows.iter().map(rsvp_from).collect()
                }

                async fn live_rsvp(&mut self, event_id: Id, email: &Email) -> Result<Option<RsvpRow>> {
                    let sql = format!(
                        "SELECT {RSVP_COLS} FROM joint_event_rsvps WHERE event_id = $1 AND email = $2 AND status <> 'cancelled'"
                    );
                    let row = ::sqlx::query(&sql).bind(event_id).bind(email.as_str()).fetch_optional(&mut *self.tx).await.map_err(db)?;
                    row.as_ref().map(rsvp_from).transpose()
                }

                async fn rsvp_by_cancel_hash(&mut self, hash: &str) -> Result<Option<RsvpRow>> {
                    let sql = format!("SELECT {RSVP_COLS} FROM joint_event_rsvps WHERE cancel_hash = $1");
                    let row = ::sqlx::query(&sql).bind(hash).fetch_optional(&mut *self.tx).await.map_err(db)?;
                    row.as_ref().map(rsvp_from).transpose()
                }

                async fn set_rsvp_status(&mut self, id: Id, from: RsvpStatus, to: RsvpStatus, at: DateTime<Utc>) -> Result<bool> {
                    let done = ::sqlx::query(
                        "UPDATE joint_event_rsvps SET status = $3, \
                         cancelled_at = CASE WHEN $3 = 'cancelled' THEN $4 ELSE cancelled_at END \
                         WHERE id = $1 AND status = $2",
                    )
                    .bind(id)
                    .bind(from.as_str())
                    .bind(to.as_str())
                    .bind(at)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn rsvp_counts(&mut self, event_id: Id) -> Result<RsvpCounts> {
                    let row = ::sqlx::query(
                        "SELECT CAST(COALESCE(SUM(CASE WHEN status = 'going' THEN 1 ELSE 0 END), 0) AS BIGINT) AS going, \
                         CAST(COALESCE(SUM(CASE WHEN status = 'waitlisted' THEN 1 ELSE 0 END), 0) AS BIGINT) AS waitlisted \
                         FROM joint_event_rsvps WHERE event_id = $1",
                    )
                    .bind(event_id)
                    .fetch_one(&mut *self.tx)
                    .await
                    .map_err(db)?;
                    Ok(RsvpCounts {
                        going: get(&row, "going")?,
                        waitlisted: get(&row, "waitlisted")?,
                    })
                }

                async fn unreminded_rsvps(&mut self) -> Result<Vec<RsvpRow>> {
                    let sql = format!(
                        "SELECT {} FROM joint_event_rsvps r JOIN joint_events e ON e.id = r.event_id \
                         WHERE r.status = 'going' AND r.hour_reminded_at IS NULL AND e.status = 'confirmed' ORDER BY r.id",
                        RSVP_COLS.split(", ").map(|c| format!("r.{}", c.trim())).collect::<Vec<_>>().join(", ")
                    );
                    let rows = ::sqlx::query(&sql).fetch_all(&mut *self.tx).await.map_err(db)?;
                    rows.iter().map(rsvp_from).collect()
                }

                async fn mark_reminded(&mut self, rsvp_id: Id, which: ReminderColumn, at: DateTime<Utc>) -> Result<bool> {
                    let sql = match which {
                        ReminderColumn::Day => "UPDATE joint_event_rsvps SET day_reminded_at = $2 WHERE id = $1 AND day_reminded_at IS NULL",
                        ReminderColumn::Hour => "UPDATE joint_event_rsvps SET hour_reminded_at = $2 WHERE id = $1 AND hour_reminded_at IS NULL",
                    };
                    let done = ::sqlx::query(sql).bind(rsvp_id).bind(at).execute(&mut *self.tx).await.map_err(db)?;
                    Ok(done.rows_affected() == 1)
                }
            }
        };
    };
}
