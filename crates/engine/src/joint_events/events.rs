//! Proposing, showing, answering, changing and recording a joint event held.

use super::*;
use cohort_core::SlateEventKind;

impl Engine {
    /// Propose an event (an organizer, or the campaign of a host who has
    /// signed the compact). Every host starts unconfirmed.
    pub async fn propose_joint_event(
        &self,
        actor: &Actor,
        slug: &str,
        input: JointEventInput,
    ) -> Result<JointEventView> {
        let at = self.now();
        let mut tx = self.store.write().await?;
        let slate = tx
            .slate_by_slug(slug)
            .await?
            .ok_or_else(|| EngineError::not_found("slate", slug))?;
        tx.lock_slate(slate.id).await?;
        if matches!(actor, Actor::Public) {
            return Err(EngineError::Unauthenticated(
                "proposing a joint event needs an organizer or a host's campaign: sign in, or send Authorization: Bearer TOKEN".into(),
            ));
        }
        let candidates = tx.candidates(slate.id).await?;
        let slugs: Vec<_> = candidates.iter().map(|c| c.slug.clone()).collect();
        let p = Proposal {
            kind: input.kind,
            title: input.title,
            description: input.description,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            timezone: input.timezone,
            location: input.location,
            online_url: input.online_url,
            hosts: input.hosts,
            capacity: input.capacity,
        };
        let checked = rules::check_proposal(&p, &slugs, at).map_err(invalid)?;
        let host_rows: Vec<&CandidateRow> = checked
            .hosts
            .iter()
            .filter_map(|h| candidates.iter().find(|c| &c.slug == h))
            .collect();
        let proposed_by = if actor.organizes(slate.id) {
            "organizer".to_owned()
        } else {
            let signed: Vec<Id> = tx
                .signatures(slate.id)
                .await?
                .into_iter()
                .map(|s| s.candidate_id)
                .collect();
            let mine = actor.campaigns(slate.id);
            match host_rows
                .iter()
                .find(|c| mine.contains(&c.id) && signed.contains(&c.id))
            {
                Some(c) => c.slug.to_string(),
                None => {
                    return Err(EngineError::Forbidden(
                        "only an organizer, or the campaign of a host who has signed the compact, may propose a joint event".into(),
                    ))
                }
            }
        };
        let s = &checked.schedule;
        let id = tx
            .insert_joint_event(&NewJointEvent {
                slate_id: slate.id,
                kind: checked.kind,
                title: checked.title.clone(),
                description: checked.description.clone(),
                starts_at: s.starts_at,
                ends_at: s.ends_at,
                timezone: s.timezone.name().to_owned(),
                location: s.location.clone(),
                online_url: s.online_url.clone(),
                capacity: checked.capacity,
                hosts: host_rows.iter().map(|c| c.id).collect(),
                proposed_by,
                created_at: at,
            })
            .await?;
        let payload = serde_json::json!({ "joint_event": id, "title": checked.title });
        tx.append_event(
            slate.id,
            SlateEventKind::JointEventProposed,
            &payload.to_string(),
            at,
        )
        .await?;
        self.commit_with_view(tx, id, &slate).await
    }

    /// One event: public once confirmed; before that only its hosts'
    /// campaigns and the slate's organizers see it.
    pub async fn joint_event(&self, actor: &Actor, id: Id) -> Result<JointEventView> {
        let mut tx = self.store.read().await?;
        let (e, slate) = self.event_slate(tx.as_mut(), id).await?;
        if !e.status.is_public() && !Self::sees_private(actor, &e) {
            return Err(EngineError::not_found("joint event", id.to_string()));
        }
        let candidates = tx.candidates(slate.id).await?;
        self.event_view(tx.as_mut(), &e, &slate, &candidates).await
    }

    /// A slate's events this actor may see: the public see confirmed and
    /// held ones (and, with `cancelled`, those cancelled after
    /// confirmation, for calendars); organizers and hosts' campaigns also
    /// see what waits for them.
    pub async fn joint_events(
        &self,
        actor: &Actor,
        slug: &str,
        cancelled: bool,
    ) -> Result<Vec<JointEventView>> {
        let mut tx = self.store.read().await?;
        let slate = tx
            .slate_by_slug(slug)
            .await?
            .ok_or_else(|| EngineError::not_found("slate", slug))?;
        let candidates = tx.candidates(slate.id).await?;
        let mut out = Vec::new();
        for e in tx.joint_events(slate.id).await? {
            let shown = match e.status {
                EventStatus::Confirmed | EventStatus::Held => true,
                EventStatus::Cancelled => cancelled,
                EventStatus::Proposed | EventStatus::Declined => {
                    !matches!(actor, Actor::Public) && Self::sees_private(actor, &e)
                }
            };
            if shown {
                out.push(
                    self.event_view(tx.as_mut(), &e, &slate, &candidates)
                        .await?,
                );
            }
        }
        Ok(out)
    }

    /// A host's campaign confirms (or declines) for that host only. When
    /// every host has confirmed the event is public; a decline before then
    /// ends it unseen, after then cancels it and tells its RSVPs.
    pub async fn answer_joint_event(
        &self,
        actor: &Actor,
        id: Id,
        host: &str,
        confirm: bool,
    ) -> Result<JointEventView> {
        let at = self.now();
        let mut tx = self.store.write().await?;
        let (e, slate) = self.lock_event(tx.as_mut(), id).await?;
        let candidates = tx.candidates(slate.id).await?;
        let c = candidates
            .iter()
            .find(|c| c.slug.as_str() == host)
            .filter(|c| e.hosts.iter().any(|h| h.candidate_id == c.id))
            .ok_or_else(|| EngineError::not_found("host", host))?;
        actor.require_candidate(slate.id, c.id, host)?;
        if !matches!(e.status, EventStatus::Proposed | EventStatus::Confirmed)
            || (confirm && e.status == EventStatus::Confirmed)
        {
            let view = self
                .event_view(tx.as_mut(), &e, &slate, &candidates)
                .await?;
            if confirm && e.status == EventStatus::Confirmed {
                return Ok(view);
            }
            return Err(EngineError::conflict(
                "joint_event_closed",
                format!(
                    "this event is {}; it can no longer be answered",
                    e.status.as_str()
                ),
            ));
        }
        let answer = if confirm {
            HostAnswer::Confirmed
        } else {
            HostAnswer::Declined
        };
        tx.answer_host(id, c.id, answer, at).await?;
        let after = tx
            .joint_event(id)
            .await?
            .ok_or_else(|| EngineError::not_found("joint event", id.to_string()))?;
        let answers: Vec<HostAnswer> = after.hosts.iter().map(|h| h.answer).collect();
        let next = rules::status_after(after.status, &answers);
        if next != after.status {
            tx.set_joint_event_status(id, after.status, next, at)
                .await?;
            let payload = serde_json::json!({ "joint_event": id, "status": next.as_str() });
            tx.append_event(
                slate.id,
                SlateEventKind::JointEventStatus,
                &payload.to_string(),
                at,
            )
            .await?;
            if next == EventStatus::Cancelled {
                let body = format!(
                    "\"{}\" has been cancelled: one of its hosts withdrew. We are sorry.\n",
                    e.title
                );
                self.tell_rsvps(
                    tx.as_mut(),
                    id,
                    &format!("Cancelled: {}", e.title),
                    &body,
                    at,
                )
                .await?;
            }
        }
        self.commit_with_view(tx, id, &slate).await
    }

    /// New time or place (an organizer or a host's campaign); once the
    /// event is confirmed every RSVP is emailed the change.
    pub async fn change_joint_event(
        &self,
        actor: &Actor,
        id: Id,
        input: JointEventChangeInput,
    ) -> Result<JointEventView> {
        let at = self.now();
        let mut tx = self.store.write().await?;
        let (e, slate) = self.lock_event(tx.as_mut(), id).await?;
        if !Self::sees_private(actor, &e) {
            return Err(if matches!(actor, Actor::Public) {
                EngineError::Unauthenticated("sign in, or send Authorization: Bearer TOKEN".into())
            } else {
                EngineError::Forbidden(
                    "only an organizer or a host's campaign may change this event".into(),
                )
            });
        }
        if !matches!(e.status, EventStatus::Proposed | EventStatus::Confirmed) {
            return Err(EngineError::conflict(
                "joint_event_closed",
                format!(
                    "this event is {}; it can no longer change",
                    e.status.as_str()
                ),
            ));
        }
        let s = rules::check_schedule(
            &input.starts_at,
            &input.ends_at,
            &input.timezone,
            input.location,
            input.online_url.as_deref(),
            at,
        )
        .map_err(invalid)?;
        let change = JointEventChange {
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            timezone: s.timezone.name().to_owned(),
            location: s.location.clone(),
            online_url: s.online_url.clone(),
        };
        tx.change_joint_event(id, &change, at).await?;
        if e.status == EventStatus::Confirmed {
            let place = match (&s.location, &s.online_url) {
                (Some(l), Some(u)) => format!("{} and online at {u}", l.one_line()),
                (Some(l), None) => l.one_line(),
                (None, Some(u)) => format!("online at {u}"),
                (None, None) => String::new(),
            };
            let body = format!(
                "\"{title}\" has changed.\n\nWhen: {start} to {end}\nWhere: {place}\n\nDetails: {base}/joint-events/{id}\n",
                title = e.title,
                start = rules::local_text(s.starts_at, s.timezone),
                end = rules::local_text(s.ends_at, s.timezone),
                base = self.public_url(),
            );
            self.tell_rsvps(tx.as_mut(), id, &format!("Changed: {}", e.title), &body, at)
                .await?;
        }
        let payload = serde_json::json!({ "joint_event": id, "changed": "time_place" });
        tx.append_event(
            slate.id,
            SlateEventKind::JointEventChanged,
            &payload.to_string(),
            at,
        )
        .await?;
        self.commit_with_view(tx, id, &slate).await
    }

    /// Email everyone with a live RSVP.
    async fn tell_rsvps(
        &self,
        tx: &mut dyn Tx,
        id: Id,
        subject: &str,
        body: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        for r in tx.rsvps(id).await? {
            if r.status != RsvpStatus::Cancelled {
                let text = format!("Hello {},\n\n{body}", r.name);
                self.queue_email(tx, r.email.clone(), subject, text, true, at)
                    .await?;
            }
        }
        Ok(())
    }

    /// An organizer records that the event happened, after it ended.
    pub async fn record_joint_event_held(
        &self,
        actor: &Actor,
        id: Id,
        attendance: i64,
    ) -> Result<JointEventView> {
        let at = self.now();
        let mut tx = self.store.write().await?;
        let (e, slate) = self.lock_event(tx.as_mut(), id).await?;
        actor.require_organizer(&slate)?;
        if attendance < 0 {
            return Err(EngineError::invalid(
                "attendance",
                "attendance is 0 or more",
            ));
        }
        if e.status != EventStatus::Confirmed {
            return Err(EngineError::conflict(
                "not_confirmed",
                format!(
                    "only a confirmed event can be held; this one is {}",
                    e.status.as_str()
                ),
            ));
        }
        if at < e.ends_at {
            return Err(EngineError::conflict(
                "not_ended",
                "record attendance after the event ends",
            ));
        }
        tx.record_joint_event_held(id, attendance, at).await?;
        let payload = serde_json::json!({ "joint_event": id, "attendance": attendance });
        tx.append_event(
            slate.id,
            SlateEventKind::JointEventHeld,
            &payload.to_string(),
            at,
        )
        .await?;
        self.commit_with_view(tx, id, &slate).await
    }
}
