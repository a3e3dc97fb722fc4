//! The kinds of joint event, their statuses, hosts' answers, RSVP statuses and the location.

use super::*;

/// What kind of joint event.
#[derive(utoipa::ToSchema, Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Fundraiser,
    Media,
    TownHall,
    Livestream,
    Canvass,
    PhoneBank,
}

impl EventKind {
    pub const ALL: [EventKind; 6] = [
        EventKind::Fundraiser,
        EventKind::Media,
        EventKind::TownHall,
        EventKind::Livestream,
        EventKind::Canvass,
        EventKind::PhoneBank,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Fundraiser => "fundraiser",
            EventKind::Media => "media",
            EventKind::TownHall => "town_hall",
            EventKind::Livestream => "livestream",
            EventKind::Canvass => "canvass",
            EventKind::PhoneBank => "phone_bank",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// For people: "joint fundraiser", "town hall", …
    pub fn label(self) -> &'static str {
        match self {
            EventKind::Fundraiser => "Joint fundraiser",
            EventKind::Media => "Shared media event",
            EventKind::TownHall => "Town hall",
            EventKind::Livestream => "Joint livestream",
            EventKind::Canvass => "Canvass",
            EventKind::PhoneBank => "Phone bank",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an event stands. Only `confirmed`, `held` and `cancelled` (after
/// it was confirmed) are ever public.
#[derive(utoipa::ToSchema, Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    /// Waiting for every host's campaign to confirm.
    Proposed,
    /// Every host confirmed: public, open for RSVPs.
    Confirmed,
    /// A host declined before it was confirmed: never public.
    Declined,
    /// A host withdrew after it was confirmed: shown as cancelled.
    Cancelled,
    /// It happened; an organizer recorded the attendance.
    Held,
}

impl EventStatus {
    pub const ALL: [EventStatus; 5] = [
        EventStatus::Proposed,
        EventStatus::Confirmed,
        EventStatus::Declined,
        EventStatus::Cancelled,
        EventStatus::Held,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventStatus::Proposed => "proposed",
            EventStatus::Confirmed => "confirmed",
            EventStatus::Declined => "declined",
            EventStatus::Cancelled => "cancelled",
            EventStatus::Held => "held",
        }
    }

    pub fn parse(s: &str) -> Option<EventStatus> {
        EventStatus::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// May anyone see it?
    pub fn is_public(self) -> bool {
        matches!(
            self,
            EventStatus::Confirmed | EventStatus::Held | EventStatus::Cancelled
        )
    }
}

/// A host's answer to the proposal.
#[derive(utoipa::ToSchema, Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostAnswer {
    Pending,
    Confirmed,
    Declined,
}

impl HostAnswer {
    pub fn as_str(self) -> &'static str {
        match self {
            HostAnswer::Pending => "pending",
            HostAnswer::Confirmed => "confirmed",
            HostAnswer::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Option<HostAnswer> {
        [
            HostAnswer::Pending,
            HostAnswer::Confirmed,
            HostAnswer::Declined,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// An RSVP's place.
#[derive(utoipa::ToSchema, Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RsvpStatus {
    Going,
    Waitlisted,
    Cancelled,
}

impl RsvpStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RsvpStatus::Going => "going",
            RsvpStatus::Waitlisted => "waitlisted",
            RsvpStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<RsvpStatus> {
        [
            RsvpStatus::Going,
            RsvpStatus::Waitlisted,
            RsvpStatus::Cancelled,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// An in-person place.
#[derive(utoipa::ToSchema, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    #[serde(default)]
    pub venue: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub zip: String,
}

impl Location {
    /// One line for people: "Union Hall, 12 Main St, Albany, NY 12207".
    pub fn one_line(&self) -> String {
        let state_zip = [self.state.as_str(), self.zip.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        [
            self.venue.as_str(),
            self.address.as_str(),
            self.city.as_str(),
            state_zip.as_str(),
        ]
        .iter()
        .filter(|s| !s.trim().is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(", ")
    }
}
