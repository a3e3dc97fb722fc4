//! The inputs the joint event pages send and the views they show.

use super::*;

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
