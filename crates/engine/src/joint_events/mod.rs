//! Joint events (issue 15): propose, confirm or decline per host, change
//! time and place, record held; RSVPs without an account with a waitlist,
//! a private cancel link and reminders a day and an hour before. Each use
//! case is one transaction under the slate's lock that checks the [`Actor`];
//! the rules are `cohort_core::joint_event`'s.

use chrono::{DateTime, Utc};
use cohort_core::joint_event::{
    self as rules, EventKind, EventStatus, HostAnswer, Location, Proposal, Reminder, RsvpForm,
    RsvpStatus,
};
use cohort_store::{
    CandidateRow, Id, JointEventChange, JointEventRow, NewJointEvent, NewRsvp, ReminderColumn,
    SlateRow, Tx,
};
use serde::{Deserialize, Serialize};

use crate::secrets::token_hash;
use crate::{Actor, Engine, EngineError, Result};

/// A proposal as the API and the form send it.
#[derive(utoipa::ToSchema, Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JointEventInput {
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub starts_at: String,
    pub ends_at: String,
    pub timezone: String,
    #[serde(default)]
    pub location: Option<Location>,
    #[serde(default)]
    pub online_url: Option<String>,
    pub hosts: Vec<String>,
    #[serde(default)]
    pub capacity: Option<i64>,
}

/// New time or place for an event.
#[derive(utoipa::ToSchema, Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JointEventChangeInput {
    pub starts_at: String,
    pub ends_at: String,
    pub timezone: String,
    #[serde(default)]
    pub location: Option<Location>,
    #[serde(default)]
    pub online_url: Option<String>,
}

#[derive(utoipa::ToSchema, Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RsvpInput {
    pub name: String,
    pub email: String,
    pub zip: String,
    #[serde(default, rename = "ref")]
    pub referral: Option<String>,
}

#[derive(utoipa::ToSchema, Clone, Debug, Serialize)]
pub struct HostView {
    pub candidate: String,
    pub name: String,
    pub confirmed: bool,
    /// `pending`, `confirmed` or `declined`.
    pub answer: HostAnswer,
}

#[derive(utoipa::ToSchema, Clone, Debug, Serialize)]
pub struct JointEventView {
    pub id: Id,
    pub slate: String,
    pub slate_name: String,
    pub kind: EventKind,
    pub kind_label: &'static str,
    pub title: String,
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub timezone: String,
    /// The start and end as wall-clock times in the event's zone.
    pub starts_local: String,
    pub ends_local: String,
    pub status: EventStatus,
    pub location: Option<Location>,
    pub online_url: Option<String>,
    pub capacity: Option<i64>,
    pub hosts: Vec<HostView>,
    /// Going.
    pub rsvps: i64,
    pub waitlisted: i64,
    pub raised_cents: i64,
    pub attendance: Option<i64>,
    pub sequence: i64,
    pub proposed_by: String,
    pub updated_at: DateTime<Utc>,
}

impl JointEventView {
    pub fn location_text(&self) -> String {
        self.location
            .as_ref()
            .map(Location::one_line)
            .unwrap_or_default()
    }

    pub fn host_names(&self) -> String {
        self.hosts
            .iter()
            .map(|h| h.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// What the fundraiser has raised, as `$1,234.56`.
    pub fn raised_text(&self) -> String {
        cohort_core::Cents(self.raised_cents).to_string()
    }

    pub fn seats_left(&self) -> Option<i64> {
        self.capacity.map(|c| (c - self.rsvps).max(0))
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct RsvpOutcome {
    pub id: Id,
    pub event: Id,
    pub status: RsvpStatus,
}

/// One RSVP as its event's hosts and organizers see it.
#[derive(utoipa::ToSchema, Clone, Debug, Serialize)]
pub struct RsvpView {
    pub id: Id,
    pub name: String,
    pub email: String,
    pub zip: String,
    #[serde(rename = "ref")]
    pub referral: Option<String>,
    pub status: RsvpStatus,
    pub created_at: DateTime<Utc>,
}

/// What the holder of a private cancel link sees.
#[derive(Clone, Debug, Serialize)]
pub struct RsvpTicket {
    pub name: String,
    pub status: RsvpStatus,
    pub event: JointEventView,
}

fn invalid(e: rules::Rejected) -> EngineError {
    EngineError::invalid(e.field, e.message)
}

/// The private link that cancels an RSVP. Only its secret's hash is stored;
/// this is the one place the link is built.
pub(crate) fn rsvp_cancel_link(base: &str, secret: &str) -> String {
    format!("{base}/joint-events/rsvps/{secret}")
}

impl Engine {
    async fn event_slate(&self, tx: &mut dyn Tx, id: Id) -> Result<(JointEventRow, SlateRow)> {
        let e = tx
            .joint_event(id)
            .await?
            .ok_or_else(|| EngineError::not_found("joint event", id.to_string()))?;
        let slate = tx
            .slate(e.slate_id)
            .await?
            .ok_or_else(|| EngineError::not_found("slate", e.slate_id.to_string()))?;
        Ok((e, slate))
    }

    /// Lock an event's slate, then read the event and slate for good, so
    /// what a use case checks (status, hosts' answers) is what it changes,
    /// whichever server wrote last.
    async fn lock_event(&self, tx: &mut dyn Tx, id: Id) -> Result<(JointEventRow, SlateRow)> {
        let (e, _) = self.event_slate(tx, id).await?;
        tx.lock_slate(e.slate_id).await?;
        self.event_slate(tx, id).await
    }

    /// The event as this transaction's writes left it; then commit.
    async fn commit_with_view(
        &self,
        mut tx: Box<dyn Tx>,
        id: Id,
        slate: &SlateRow,
    ) -> Result<JointEventView> {
        let candidates = tx.candidates(slate.id).await?;
        let e = tx
            .joint_event(id)
            .await?
            .ok_or_else(|| EngineError::not_found("joint event", id.to_string()))?;
        let view = self.event_view(tx.as_mut(), &e, slate, &candidates).await?;
        tx.commit().await?;
        Ok(view)
    }

    async fn event_view(
        &self,
        tx: &mut dyn Tx,
        e: &JointEventRow,
        slate: &SlateRow,
        candidates: &[CandidateRow],
    ) -> Result<JointEventView> {
        let counts = tx.rsvp_counts(e.id).await?;
        let raised_cents = if e.kind == EventKind::Fundraiser {
            tx.joint_event_raised(e.id).await?
        } else {
            0
        };
        let tz = rules::parse_timezone(&e.timezone).map_err(invalid)?;
        let hosts = e
            .hosts
            .iter()
            .map(|h| {
                let c = candidates.iter().find(|c| c.id == h.candidate_id);
                HostView {
                    candidate: c.map(|c| c.slug.to_string()).unwrap_or_default(),
                    name: c.map(|c| c.name.clone()).unwrap_or_default(),
                    confirmed: h.answer == HostAnswer::Confirmed,
                    answer: h.answer,
                }
            })
            .collect();
        Ok(JointEventView {
            id: e.id,
            slate: slate.slug.to_string(),
            slate_name: slate.name.clone(),
            kind: e.kind,
            kind_label: e.kind.label(),
            title: e.title.clone(),
            description: e.description.clone(),
            starts_at: e.starts_at,
            ends_at: e.ends_at,
            timezone: e.timezone.clone(),
            starts_local: rules::local_text(e.starts_at, tz),
            ends_local: rules::local_text(e.ends_at, tz),
            status: e.status,
            location: e.location.clone(),
            online_url: e.online_url.clone(),
            capacity: e.capacity,
            hosts,
            rsvps: counts.going,
            waitlisted: counts.waitlisted,
            raised_cents,
            attendance: e.attendance,
            sequence: e.sequence,
            proposed_by: e.proposed_by.clone(),
            updated_at: e.updated_at,
        })
    }

    /// Organizers of the slate and the campaigns of the event's hosts.
    fn sees_private(actor: &Actor, e: &JointEventRow) -> bool {
        actor.organizes(e.slate_id)
            || actor
                .campaigns(e.slate_id)
                .iter()
                .any(|c| e.hosts.iter().any(|h| h.candidate_id == *c))
    }

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
        tx.append_event(slate.id, "joint_event_proposed", &payload.to_string(), at)
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
            tx.append_event(slate.id, "joint_event_status", &payload.to_string(), at)
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
        tx.append_event(slate.id, "joint_event_changed", &payload.to_string(), at)
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
        tx.append_event(slate.id, "joint_event_held", &payload.to_string(), at)
            .await?;
        self.commit_with_view(tx, id, &slate).await
    }

    /// RSVP without an account: going while seats are free, then
    /// waitlisted. The email carries the private cancel link. The same
    /// email again answers with the RSVP it already has.
    pub async fn rsvp_joint_event(&self, id: Id, input: RsvpInput) -> Result<(RsvpOutcome, bool)> {
        let at = self.now();
        let mut tx = self.store.write().await?;
        let (e, _) = self.lock_event(tx.as_mut(), id).await?;
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
            return Ok((
                RsvpOutcome {
                    id: r.id,
                    event: id,
                    status: r.status,
                },
                false,
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
                zip: f.zip,
                referral: f.referral,
                status,
                cancel_hash: token_hash(&secret),
                created_at: at,
            })
            .await?;
        // The guest joins the slate's people list (OSDI, CSV) with the RSVP.
        let (given_name, family_name) = crate::donor_name::split_name(&f.name);
        let person = cohort_store::PersonFields {
            given_name,
            family_name,
            zip: r.zip.clone(),
            ..Default::default()
        };
        tx.upsert_person(e.slate_id, &r.email, &person, "rsvp", at)
            .await?;
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
            hosts = self.host_names(tx.as_mut(), &e).await?,
            base = self.public_url(),
            cancel = rsvp_cancel_link(self.public_url(), &secret),
        );
        self.queue_email(
            tx.as_mut(),
            f.email,
            &format!("RSVP: {}", e.title),
            body,
            true,
            at,
        )
        .await?;
        tx.commit().await?;
        Ok((
            RsvpOutcome {
                id: r.id,
                event: id,
                status,
            },
            true,
        ))
    }

    async fn host_names(&self, tx: &mut dyn Tx, e: &JointEventRow) -> Result<String> {
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
