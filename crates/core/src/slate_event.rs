//! The kinds of a slate's public events (the `events` table, the public
//! event API and the transparency log). The stored text of each kind is its
//! [`SlateEventKind::as_str`]; the engine appends and compares these values,
//! never strings, and the text appears only at the edges (SQL, JSON, the log's
//! leaves).

use std::fmt;
use std::str::FromStr;

use crate::model::UnknownVariant;

/// What happened in a slate, as its public log names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SlateEventKind {
    SlateCreated,
    SlateEdited,
    CandidateAdded,
    CompactPublished,
    LimitsSet,
    CommitteeSet,
    PartnerAdded,
    Signed,
    Withdrew,
    Endorsed,
    Unendorsed,
    PrimaryLost,
    Pledged,
    Cancelled,
    PledgeStopped,
    Unlock,
    /// The slate's unlocked total, published once at least ten money
    /// pledges changed it since the last (no one amount can be read off).
    UnlockedTotal,
    Expire,
    Installments,
    PaymentFailed,
    PaymentReversed,
    TeamRequested,
    TeamsConfirmed,
    JointEventProposed,
    JointEventStatus,
    JointEventChanged,
    JointEventHeld,
}

impl SlateEventKind {
    pub const ALL: [SlateEventKind; 27] = [
        SlateEventKind::SlateCreated,
        SlateEventKind::SlateEdited,
        SlateEventKind::CandidateAdded,
        SlateEventKind::CompactPublished,
        SlateEventKind::LimitsSet,
        SlateEventKind::CommitteeSet,
        SlateEventKind::PartnerAdded,
        SlateEventKind::Signed,
        SlateEventKind::Withdrew,
        SlateEventKind::Endorsed,
        SlateEventKind::Unendorsed,
        SlateEventKind::PrimaryLost,
        SlateEventKind::Pledged,
        SlateEventKind::Cancelled,
        SlateEventKind::PledgeStopped,
        SlateEventKind::Unlock,
        SlateEventKind::UnlockedTotal,
        SlateEventKind::Expire,
        SlateEventKind::Installments,
        SlateEventKind::PaymentFailed,
        SlateEventKind::PaymentReversed,
        SlateEventKind::TeamRequested,
        SlateEventKind::TeamsConfirmed,
        SlateEventKind::JointEventProposed,
        SlateEventKind::JointEventStatus,
        SlateEventKind::JointEventChanged,
        SlateEventKind::JointEventHeld,
    ];

    /// The kind's stored text (also its name in the public event API and
    /// the transparency log's leaves).
    pub fn as_str(self) -> &'static str {
        use SlateEventKind::*;
        match self {
            SlateCreated => "slate_created",
            SlateEdited => "slate_edited",
            CandidateAdded => "candidate_added",
            CompactPublished => "compact_published",
            LimitsSet => "limits_set",
            CommitteeSet => "committee_set",
            PartnerAdded => "partner_added",
            Signed => "signed",
            Withdrew => "withdrew",
            Endorsed => "endorsed",
            Unendorsed => "unendorsed",
            PrimaryLost => "primary_lost",
            Pledged => "pledged",
            Cancelled => "cancelled",
            PledgeStopped => "pledge_stopped",
            Unlock => "unlock",
            UnlockedTotal => "unlocked_total",
            Expire => "expire",
            Installments => "installments",
            PaymentFailed => "payment_failed",
            PaymentReversed => "payment_reversed",
            TeamRequested => "team_requested",
            TeamsConfirmed => "teams_confirmed",
            JointEventProposed => "joint_event_proposed",
            JointEventStatus => "joint_event_status",
            JointEventChanged => "joint_event_changed",
            JointEventHeld => "joint_event_held",
        }
    }
}

impl fmt::Display for SlateEventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// As its stored text, so a row serialized with its kind reads as before.
impl serde::Serialize for SlateEventKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl FromStr for SlateEventKind {
    type Err = UnknownVariant;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SlateEventKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownVariant {
                found: s.to_owned(),
                expected: "a slate event kind",
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_kind_round_trips_its_stored_text() {
        for k in SlateEventKind::ALL {
            assert_eq!(k.as_str().parse::<SlateEventKind>(), Ok(k), "{k:?}");
            assert_eq!(k.to_string(), k.as_str());
            assert_eq!(
                serde_json::to_value(k).expect("json"),
                serde_json::Value::String(k.as_str().into())
            );
        }
        let texts: HashSet<&str> = SlateEventKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(
            texts.len(),
            SlateEventKind::ALL.len(),
            "two kinds share a text"
        );
    }

    #[test]
    fn the_stored_texts_are_the_ones_already_in_databases() {
        // Rows written before the enum carry these texts; they must still parse.
        for t in [
            "slate_created",
            "signed",
            "withdrew",
            "endorsed",
            "unendorsed",
            "pledged",
            "cancelled",
            "unlock",
            "expire",
            "installments",
            "primary_lost",
            "joint_event_held",
        ] {
            assert_eq!(t.parse::<SlateEventKind>().map(|k| k.as_str()), Ok(t));
        }
        assert!("Unlock".parse::<SlateEventKind>().is_err());
        assert!("".parse::<SlateEventKind>().is_err());
    }
}
