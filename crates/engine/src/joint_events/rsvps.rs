//! RSVPs without an account: the waitlist, the private ticket and cancel link, and reminders.

use super::*;

impl Engine {
    /// RSVP without an account: going while seats are free, then
    /// waitlisted. The email carries the private cancel link. The same
    /// email again answers with the RSVP it already has.
    pub async fn rsvp_joint_event(&self, id: Id, input: RsvpInput) -> Result<(RsvpOutcome, bool)> {
        let mut tx = self.store.write().await?;
        let (outcome, created, _) = self.rsvp_in(tx.as_mut(), id, input, None).await?;
        tx.commit().await?;
        Ok((outcome, created))
    }

    /// The RSVP in a transaction the caller commits. The guest joins the
    /// slate's people list with it: as `person` says when given (the record
    /// attendance helper's whole person, merged even into an RSVP already
    /// there), else by the RSVP's name and ZIP. Also answers the person's id
    /// when the people list was written.
    pub(crate) async fn rsvp_in(
        &self,
        tx: &mut dyn Tx,
        id: Id,
        input: RsvpInput,
        person: Option<cohort_store::PersonFields>,
    ) -> Result<(RsvpOutcome, bool, Option<Id>)> {
        let at = self.now();
        let (e, _) = self.lock_event(tx, id).await?;
        if !e.status.is_public() {
            return Err(EngineError::not_found("joint event", id.to_string()));
        }
        let mut f = rules::check_rsvp(&RsvpForm {
            name: input.name,
            email: input.email,
            zip: input.zip,
            referral: input.referral,
        })
        .map_err(invalid)?;
        // The name goes into email to whatever address was typed: a plain
        // name only, by the donors' rule (issue 14, finding 3).
        f.name = crate::donor_name::plain_name("name", &f.name, true)?;
        if e.status != EventStatus::Confirmed || at >= e.ends_at {
            return Err(EngineError::conflict(
                "rsvps_closed",
                "this event is not taking RSVPs any more",
            ));
        }
        if let Some(r) = tx.live_rsvp(id, &f.email).await? {
            let person = match person {
                Some(p) => Some(self.rsvp_person(tx, e.slate_id, &f, p, at).await?),
                None => None,
            };
            return Ok((
                RsvpOutcome {
                    id: r.id,
                    event: id,
                    status: r.status,
                },
                false,
                person,
            ));
        }
        let going = tx.rsvp_counts(id).await?.going;
        let status = rules::seat_for(going, e.capacity);
        let secret = self.tokens.token();
        let r = tx
            .insert_rsvp(&NewRsvp {
                event_id: id,
                name: f.name.clone(),
                email: f.email.clone(),
                zip: f.zip.clone(),
                referral: f.referral.clone(),
                status,
                cancel_hash: token_hash(&secret),
                created_at: at,
            })
            .await?;
        // The guest joins the slate's people list (OSDI, CSV) with the RSVP.
        let person = person.unwrap_or_else(|| {
            let (given_name, family_name) = crate::donor_name::split_name(&f.name);
            cohort_store::PersonFields {
                given_name,
                family_name,
                ..Default::default()
            }
        });
        let person = self.rsvp_person(tx, e.slate_id, &f, person, at).await?;
        let tz = rules::parse_timezone(&e.timezone).map_err(invalid)?;
        let place = e
            .location
            .as_ref()
            .map(Location::one_line)
            .unwrap_or_default();
        let online = e
            .online_url
            .as_deref()
            .map(|u| format!("\nOnline: {u}"))
            .unwrap_or_default();
        let what = match status {
            RsvpStatus::Going => "You're going to",
            _ => "The event is full, so you're on the waitlist for",
        };
        let body = format!(
            "Hello {name},\n\n{what} \"{title}\".\n\nWhen: {when}\nWhere: {place}{online}\n\
             Hosts: {hosts}\n\nDetails: {base}/joint-events/{id}\n\
             Can't make it? Cancel here (this link is private): {cancel}\n",
            name = f.name,
            title = e.title,
            when = rules::local_text(e.starts_at, tz),
            hosts = self.host_names(tx, &e).await?,
            base = self.public_url(),
            cancel = rsvp_cancel_link(self.public_url(), &secret),
        );
        self.queue_email(tx, f.email, &format!("RSVP: {}", e.title), body, true, at)
            .await?;
        Ok((
            RsvpOutcome {
                id: r.id,
                event: id,
                status,
            },
            true,
            Some(person),
        ))
    }

    /// Adds or merges the guest into the slate's people list, with the
    /// RSVP's checked ZIP.
    async fn rsvp_person(
        &self,
        tx: &mut dyn Tx,
        slate_id: Id,
        f: &cohort_core::joint_event::RsvpChecked,
        person: cohort_store::PersonFields,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Id> {
        let person = cohort_store::PersonFields {
            zip: f.zip.clone(),
            ..person
        };
        let (id, _) = tx
            .upsert_person(slate_id, &f.email, &person, "rsvp", at)
            .await?;
        Ok(id)
    }

    pub(super) async fn host_names(&self, tx: &mut dyn Tx, e: &JointEventRow) -> Result<String> {
        let candidates = tx.candidates(e.slate_id).await?;
        Ok(e.hosts
            .iter()
            .filter_map(|h| candidates.iter().find(|c| c.id == h.candidate_id))
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", "))
    }

    /// The RSVP list: the hosts' campaigns and the slate's organizers only.
    pub async fn joint_event_rsvps(&self, actor: &Actor, id: Id) -> Result<Vec<RsvpView>> {
        let mut tx = self.store.read().await?;
        let (e, _slate) = self.event_slate(tx.as_mut(), id).await?;
        if !Self::sees_private(actor, &e) {
            return Err(if matches!(actor, Actor::Public) {
                EngineError::Unauthenticated(
                    "the RSVP list is for the hosts' campaigns and organizers: sign in".into(),
                )
            } else {
                EngineError::Forbidden(
                    "the RSVP list is for the hosts' campaigns and organizers".into(),
                )
            });
        }
        Ok(tx
            .rsvps(id)
            .await?
            .into_iter()
            .map(|r| RsvpView {
                id: r.id,
                name: r.name,
                email: r.email.to_string(),
                zip: r.zip,
                referral: r.referral,
                status: r.status,
                created_at: r.created_at,
            })
            .collect())
    }

    /// Whether the actor organizes the event's slate, and the hosts whose
    /// campaign it is (for pages: which forms to show; the use cases check again).
    pub async fn joint_event_roles(&self, actor: &Actor, id: Id) -> Result<(bool, Vec<String>)> {
        let mut tx = self.store.read().await?;
        let (e, slate) = self.event_slate(tx.as_mut(), id).await?;
        let mine = actor.campaigns(slate.id);
        let hosts = tx
            .candidates(slate.id)
            .await?
            .into_iter()
            .filter(|c| mine.contains(&c.id) && e.hosts.iter().any(|h| h.candidate_id == c.id))
            .map(|c| c.slug.to_string())
            .collect();
        Ok((actor.organizes(slate.id), hosts))
    }

    /// What a private cancel link shows.
    pub async fn rsvp_ticket(&self, secret: &str) -> Result<RsvpTicket> {
        let mut tx = self.store.read().await?;
        let r = tx
            .rsvp_by_cancel_hash(&token_hash(secret))
            .await?
            .ok_or_else(|| EngineError::not_found("rsvp", "that link"))?;
        let (e, slate) = self.event_slate(tx.as_mut(), r.event_id).await?;
        let candidates = tx.candidates(slate.id).await?;
        Ok(RsvpTicket {
            name: r.name,
            status: r.status,
            event: self
                .event_view(tx.as_mut(), &e, &slate, &candidates)
                .await?,
        })
    }

    /// Cancel through the private link; a freed seat goes to the first
    /// waitlisted person, who is emailed.
    pub async fn cancel_rsvp(&self, secret: &str) -> Result<RsvpTicket> {
        let at = self.now();
        let mut tx = self.store.write().await?;
        let r = tx
            .rsvp_by_cancel_hash(&token_hash(secret))
            .await?
            .ok_or_else(|| EngineError::not_found("rsvp", "that link"))?;
        let (e, slate) = self.lock_event(tx.as_mut(), r.event_id).await?;
        if r.status != RsvpStatus::Cancelled
            && tx
                .set_rsvp_status(r.id, r.status, RsvpStatus::Cancelled, at)
                .await?
            && e.status == EventStatus::Confirmed
            && at < e.starts_at
        {
            self.promote_waitlist(tx.as_mut(), &e, at).await?;
        }
        let candidates = tx.candidates(slate.id).await?;
        let view = self
            .event_view(tx.as_mut(), &e, &slate, &candidates)
            .await?;
        tx.commit().await?;
        Ok(RsvpTicket {
            name: r.name,
            status: RsvpStatus::Cancelled,
            event: view,
        })
    }

    async fn promote_waitlist(
        &self,
        tx: &mut dyn Tx,
        e: &JointEventRow,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let all = tx.rsvps(e.id).await?;
        let going = all.iter().filter(|r| r.status == RsvpStatus::Going).count() as i64;
        let waiting: Vec<_> = all
            .iter()
            .filter(|r| r.status == RsvpStatus::Waitlisted)
            .collect();
        let free = rules::seats_free(going, e.capacity, waiting.len() as i64);
        let tz = rules::parse_timezone(&e.timezone).map_err(invalid)?;
        for r in waiting.into_iter().take(free as usize) {
            if tx
                .set_rsvp_status(r.id, RsvpStatus::Waitlisted, RsvpStatus::Going, at)
                .await?
            {
                let body = format!(
                    "Hello {},\n\nA seat opened up: you're going to \"{}\" on {}.\n\nDetails: {}/joint-events/{}\n\
                     Can't make it after all? Use the cancel link in your first email.\n",
                    r.name,
                    e.title,
                    rules::local_text(e.starts_at, tz),
                    self.public_url(),
                    e.id
                );
                self.queue_email(
                    tx,
                    r.email.clone(),
                    &format!("You're in: {}", e.title),
                    body,
                    true,
                    at,
                )
                .await?;
            }
        }
        Ok(())
    }

    /// The reminder step of `tick`: a day and an hour before each confirmed
    /// event, every going RSVP is emailed once (the stamp is guarded, so two
    /// servers ticking together still send one).
    pub async fn joint_event_reminders(&self, at: DateTime<Utc>) -> Result<usize> {
        let mut tx = self.store.write().await?;
        let mut sent = 0;
        let mut events: Vec<JointEventRow> = Vec::new();
        for r in tx.unreminded_rsvps().await? {
            if !events.iter().any(|e| e.id == r.event_id) {
                if let Some(e) = tx.joint_event(r.event_id).await? {
                    events.push(e);
                }
            }
            let Some(e) = events.iter().find(|e| e.id == r.event_id) else {
                continue;
            };
            let due = rules::reminder_due(
                e.starts_at,
                at,
                r.day_reminded_at.is_some(),
                r.hour_reminded_at.is_some(),
            );
            let (column, when) = match due {
                Some(Reminder::Day) => (ReminderColumn::Day, "tomorrow"),
                Some(Reminder::Hour) => (ReminderColumn::Hour, "in about an hour"),
                None => continue,
            };
            if !tx.mark_reminded(r.id, column, at).await? {
                continue;
            }
            if column == ReminderColumn::Hour {
                // a late day reminder is skipped, never sent after this one
                tx.mark_reminded(r.id, ReminderColumn::Day, at).await?;
            }
            let tz = rules::parse_timezone(&e.timezone).map_err(invalid)?;
            let place = match (&e.location, &e.online_url) {
                (Some(l), Some(u)) => format!("{} and online at {u}", l.one_line()),
                (Some(l), None) => l.one_line(),
                (None, Some(u)) => format!("online at {u}"),
                (None, None) => String::new(),
            };
            let body = format!(
                "Hello {},\n\nA reminder: \"{}\" starts {when}, {}.\nWhere: {place}\n\nDetails: {}/joint-events/{}\n",
                r.name,
                e.title,
                rules::local_text(e.starts_at, tz),
                self.public_url(),
                e.id
            );
            let subject = format!("Reminder: {}", e.title);
            self.queue_email(tx.as_mut(), r.email.clone(), &subject, body, true, at)
                .await?;
            sent += 1;
        }
        tx.commit().await?;
        Ok(sent)
    }
}
