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

mod events;
mod rsvps;
mod views;
pub use views::*;

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
}
