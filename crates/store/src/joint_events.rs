//! Rows of joint events (issue 15): the event, its hosts' answers and its
//! RSVPs. An area trait, [`JointEventsTx`], that [`crate::Tx`] requires.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use cohort_core::joint_event::{EventKind, EventStatus, HostAnswer, Location, RsvpStatus};
use cohort_core::Email;

use crate::{Id, Result};

/// A proposed event as it is first written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewJointEvent {
    pub slate_id: Id,
    pub kind: EventKind,
    pub title: String,
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// IANA name, already checked.
    pub timezone: String,
    pub location: Option<Location>,
    pub online_url: Option<String>,
    pub capacity: Option<i64>,
    /// Candidate ids in the order given; each starts [`HostAnswer::Pending`].
    pub hosts: Vec<Id>,
    /// Who proposed it, for people ("organizer", or a candidate slug).
    pub proposed_by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostRow {
    pub candidate_id: Id,
    pub answer: HostAnswer,
    pub answered_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JointEventRow {
    pub id: Id,
    pub slate_id: Id,
    pub kind: EventKind,
    pub title: String,
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub timezone: String,
    pub location: Option<Location>,
    pub online_url: Option<String>,
    pub capacity: Option<i64>,
    pub status: EventStatus,
    /// iCalendar SEQUENCE: bumped by every change people see.
    pub sequence: i64,
    pub attendance: Option<i64>,
    pub proposed_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// In the order given at proposal.
    pub hosts: Vec<HostRow>,
}

/// New time or place for an event (each change bumps its sequence).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JointEventChange {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub timezone: String,
    pub location: Option<Location>,
    pub online_url: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRsvp {
    pub event_id: Id,
    pub name: String,
    pub email: Email,
    pub zip: String,
    pub referral: Option<String>,
    pub status: RsvpStatus,
    /// SHA-256 of the private cancel link's secret.
    pub cancel_hash: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RsvpRow {
    pub id: Id,
    pub event_id: Id,
    pub name: String,
    pub email: Email,
    pub zip: String,
    pub referral: Option<String>,
    pub status: RsvpStatus,
    pub created_at: DateTime<Utc>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub day_reminded_at: Option<DateTime<Utc>>,
    pub hour_reminded_at: Option<DateTime<Utc>>,
}

/// RSVPs per event: going and waitlisted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RsvpCounts {
    pub going: i64,
    pub waitlisted: i64,
}

/// Which reminder column (see `cohort_core::joint_event::Reminder`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReminderColumn {
    Day,
    Hour,
}

/// Storage of joint events. Every write is guarded so that a racing writer
/// changes nothing twice (the bool answers "did this call change it").
#[async_trait]
pub trait JointEventsTx: Send {
    async fn insert_joint_event(&mut self, e: &NewJointEvent) -> Result<Id>;
    async fn joint_event(&mut self, id: Id) -> Result<Option<JointEventRow>>;
    /// Every event of the slate, soonest first.
    async fn joint_events(&mut self, slate_id: Id) -> Result<Vec<JointEventRow>>;
    /// Record a host's answer; false if the host is not one of the event's
    /// or had already given that answer.
    async fn answer_host(
        &mut self,
        event_id: Id,
        candidate_id: Id,
        answer: HostAnswer,
        at: DateTime<Utc>,
    ) -> Result<bool>;
    /// Move the event `from → to`; false if it was not `from`.
    async fn set_joint_event_status(
        &mut self,
        id: Id,
        from: EventStatus,
        to: EventStatus,
        at: DateTime<Utc>,
    ) -> Result<bool>;
    /// `confirmed → held` with the attendance; false if it was not confirmed.
    async fn record_joint_event_held(
        &mut self,
        id: Id,
        attendance: i64,
        at: DateTime<Utc>,
    ) -> Result<bool>;
    /// New time or place; bumps the sequence. Returns the new sequence.
    async fn change_joint_event(
        &mut self,
        id: Id,
        change: &JointEventChange,
        at: DateTime<Utc>,
    ) -> Result<i64>;

    async fn insert_rsvp(&mut self, r: &NewRsvp) -> Result<RsvpRow>;
    /// Every RSVP of the event, first come first.
    async fn rsvps(&mut self, event_id: Id) -> Result<Vec<RsvpRow>>;
    /// The live (not cancelled) RSVP of this email to the event.
    async fn live_rsvp(&mut self, event_id: Id, email: &Email) -> Result<Option<RsvpRow>>;
    async fn rsvp_by_cancel_hash(&mut self, hash: &str) -> Result<Option<RsvpRow>>;
    /// Move an RSVP `from → to` (stamping `cancelled_at` when cancelled);
    /// false if it was not `from`.
    async fn set_rsvp_status(
        &mut self,
        id: Id,
        from: RsvpStatus,
        to: RsvpStatus,
        at: DateTime<Utc>,
    ) -> Result<bool>;
    async fn rsvp_counts(&mut self, event_id: Id) -> Result<RsvpCounts>;
    /// Going RSVPs of confirmed events not yet sent the hour reminder.
    async fn unreminded_rsvps(&mut self) -> Result<Vec<RsvpRow>>;
    /// Stamp a reminder as sent; false if it already was.
    async fn mark_reminded(
        &mut self,
        rsvp_id: Id,
        which: ReminderColumn,
        at: DateTime<Utc>,
    ) -> Result<bool>;
}
