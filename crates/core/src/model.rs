//! The objects of the domain: races, candidates, compacts, pledges.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::money::Cents;

/// The office a race is for. Federal offices carry the federal contribution limit by default.
#[derive(
    utoipa::ToSchema,
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Office {
    UsHouse,
    UsSenate,
    Governor,
    StateSenate,
    StateHouse,
    Mayor,
    Other,
}

impl Office {
    pub const ALL: [Office; 7] = [
        Office::UsHouse,
        Office::UsSenate,
        Office::Governor,
        Office::StateSenate,
        Office::StateHouse,
        Office::Mayor,
        Office::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Office::UsHouse => "us_house",
            Office::UsSenate => "us_senate",
            Office::Governor => "governor",
            Office::StateSenate => "state_senate",
            Office::StateHouse => "state_house",
            Office::Mayor => "mayor",
            Office::Other => "other",
        }
    }

    pub fn is_federal(self) -> bool {
        matches!(self, Office::UsHouse | Office::UsSenate)
    }

    /// How people name the office: "U.S. House".
    pub fn label(self) -> &'static str {
        match self {
            Office::UsHouse => "U.S. House",
            Office::UsSenate => "U.S. Senate",
            Office::Governor => "Governor",
            Office::StateSenate => "State Senate",
            Office::StateHouse => "State House",
            Office::Mayor => "Mayor",
            Office::Other => "Other office",
        }
    }
}

impl FromStr for Office {
    type Err = UnknownVariant;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Office::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| UnknownVariant {
                found: s.to_owned(),
                expected:
                    "us_house, us_senate, governor, state_senate, state_house, mayor or other",
            })
    }
}

impl fmt::Display for Office {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{found:?} is not one of {expected}")]
pub struct UnknownVariant {
    pub found: String,
    pub expected: &'static str,
}

/// Primary and general elections have separate contribution limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Election {
    Primary,
    General,
}

impl Election {
    pub fn as_str(self) -> &'static str {
        match self {
            Election::Primary => "primary",
            Election::General => "general",
        }
    }
}

impl FromStr for Election {
    type Err = UnknownVariant;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "primary" => Ok(Election::Primary),
            "general" => Ok(Election::General),
            _ => Err(UnknownVariant {
                found: s.to_owned(),
                expected: "primary or general",
            }),
        }
    }
}

/// Where and when a candidate runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Race {
    pub office: Office,
    /// Two-letter USPS state code, uppercase.
    pub state: String,
    pub district: Option<String>,
    pub primary_date: Option<NaiveDate>,
    pub general_date: NaiveDate,
}

impl Race {
    /// The election a contribution made on `today` counts toward: the primary
    /// while it is still ahead (or today), the general after it.
    pub fn election_on(&self, today: NaiveDate) -> Election {
        match self.primary_date {
            Some(p) if today <= p => Election::Primary,
            _ => Election::General,
        }
    }
}

/// The 50 states, DC and the five inhabited territories that elect delegates.
pub const STATES: [&str; 56] = [
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
    "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY",
    "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV",
    "WI", "WY", "DC", "PR", "GU", "VI", "AS", "MP",
];

pub fn is_state(code: &str) -> bool {
    STATES.contains(&code)
}

/// One plank of the platform, with the reason the movement holds it.
#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plank {
    pub title: String,
    pub why: String,
}

/// The content of one compact version. Its hash is what a signature binds to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompactContent {
    pub commitments: Vec<String>,
    pub planks: Vec<Plank>,
    /// Each commitment's measure (issue 15), in step with `commitments`;
    /// empty when none is measured (so older compacts read and hash as before).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub measures: Vec<Option<crate::commitment::Measure>>,
}

impl CompactContent {
    /// Commitment `i`'s measure, if it has one.
    pub fn measure(&self, i: usize) -> Option<&crate::commitment::Measure> {
        self.measures.get(i).and_then(Option::as_ref)
    }

    /// The commitments as a compact's input gives them back (strings, or
    /// objects for the measured ones).
    pub fn commitment_inputs(&self) -> Vec<crate::commitment::CommitmentInput> {
        self.commitments
            .iter()
            .enumerate()
            .map(|(i, t)| crate::commitment::CommitmentInput::of(t, self.measure(i)))
            .collect()
    }

    /// Hex SHA-256 over an unambiguous, length-prefixed encoding of the content,
    /// so two different compacts can never share a hash by re-splitting text.
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        let mut put = |s: &str| {
            h.update((s.len() as u64).to_be_bytes());
            h.update(s.as_bytes());
        };
        put("cohort-compact-v1");
        put(&self.commitments.len().to_string());
        for c in &self.commitments {
            put(c);
        }
        put(&self.planks.len().to_string());
        for p in &self.planks {
            put(&p.title);
            put(&p.why);
        }
        // Measures enter the hash only when a commitment has one, so a
        // compact of plain strings keeps the hash it always had.
        if self.measures.iter().any(Option::is_some) {
            put("measures");
            for m in &self.measures {
                put(&m.as_ref().map(|m| m.canonical()).unwrap_or_default());
            }
        }
        hex::encode(h.finalize())
    }
}

/// How often a money pledge gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recurrence {
    Once,
    Monthly,
}

impl Recurrence {
    pub fn as_str(self) -> &'static str {
        match self {
            Recurrence::Once => "once",
            Recurrence::Monthly => "monthly",
        }
    }
}

/// Whole months from `from` to `to`, counting a month only once its day has
/// come: the period a monthly pledge unlocked on `from` is in on `to`.
pub fn months_between(from: NaiveDate, to: NaiveDate) -> i32 {
    let months = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32;
    if to.day() < from.day() {
        months - 1
    } else {
        months
    }
}

/// Door knocks, calls and texts a supporter promises.
#[derive(
    utoipa::ToSchema, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize,
)]
pub struct Actions {
    pub doors: u32,
    pub calls: u32,
    pub texts: u32,
}

/// What a supporter pledges.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PledgeKind {
    Money {
        amount: Cents,
        recurring: Recurrence,
    },
    Hours {
        hours_per_week: u32,
        weeks: u32,
        skills: Vec<String>,
    },
    Actions(Actions),
}

impl PledgeKind {
    pub fn kind_str(&self) -> &'static str {
        match self {
            PledgeKind::Money { .. } => "money",
            PledgeKind::Hours { .. } => "hours",
            PledgeKind::Actions(_) => "actions",
        }
    }

    /// Money this pledge puts in the pot (per period, for monthly pledges).
    pub fn money(&self) -> Cents {
        match self {
            PledgeKind::Money { amount, .. } => *amount,
            _ => Cents::ZERO,
        }
    }

    /// In words: "$100", "$25 a month", "5 hours a week for 10 weeks",
    /// "20 doors, 50 calls".
    pub fn describe(&self) -> String {
        match self {
            PledgeKind::Money {
                amount,
                recurring: Recurrence::Once,
            } => amount.to_string(),
            PledgeKind::Money {
                amount,
                recurring: Recurrence::Monthly,
            } => format!("{amount} a month"),
            PledgeKind::Hours {
                hours_per_week,
                weeks,
                ..
            } => format!(
                "{hours_per_week} hour{} a week for {weeks} week{}",
                if *hours_per_week == 1 { "" } else { "s" },
                if *weeks == 1 { "" } else { "s" }
            ),
            PledgeKind::Actions(a) => {
                let parts: Vec<String> = [(a.doors, "door"), (a.calls, "call"), (a.texts, "text")]
                    .iter()
                    .filter(|(n, _)| *n > 0)
                    .map(|(n, what)| format!("{n} {what}{}", if *n == 1 { "" } else { "s" }))
                    .collect();
                parts.join(", ")
            }
        }
    }

    pub fn hours_per_week(&self) -> u32 {
        match self {
            PledgeKind::Hours { hours_per_week, .. } => *hours_per_week,
            _ => 0,
        }
    }
}

/// A pledge's lifecycle: `pending → unlocked → fulfilled`, or `pending → expired | cancelled`,
/// or `unlocked → payment_failed` when its payment could not be collected and the
/// supporter did not fix it within the window. A monthly pledge the supporter
/// stops goes `unlocked → stopped`: the months already split stay, no new one
/// is (and a stopped pledge whose earlier payment fails still ends `payment_failed`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PledgeStatus {
    Pending,
    Unlocked,
    Fulfilled,
    Expired,
    Cancelled,
    PaymentFailed,
    Stopped,
}

impl PledgeStatus {
    pub const ALL: [PledgeStatus; 7] = [
        PledgeStatus::Pending,
        PledgeStatus::Unlocked,
        PledgeStatus::Fulfilled,
        PledgeStatus::Expired,
        PledgeStatus::Cancelled,
        PledgeStatus::PaymentFailed,
        PledgeStatus::Stopped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PledgeStatus::Pending => "pending",
            PledgeStatus::Unlocked => "unlocked",
            PledgeStatus::Fulfilled => "fulfilled",
            PledgeStatus::Expired => "expired",
            PledgeStatus::Cancelled => "cancelled",
            PledgeStatus::PaymentFailed => "payment_failed",
            PledgeStatus::Stopped => "stopped",
        }
    }

    /// Whether the lifecycle allows moving from `self` to `to`.
    pub fn can_become(self, to: PledgeStatus) -> bool {
        use PledgeStatus::*;
        matches!(
            (self, to),
            (Pending, Unlocked)
                | (Pending, Expired)
                | (Pending, Cancelled)
                | (Unlocked, Fulfilled)
                | (Unlocked, PaymentFailed)
                | (Unlocked, Stopped)
                | (Stopped, PaymentFailed)
        )
    }

    /// Pending and unlocked pledges count toward the pot (a stopped one no longer does).
    pub fn is_live(self) -> bool {
        matches!(self, PledgeStatus::Pending | PledgeStatus::Unlocked)
    }
}

impl FromStr for PledgeStatus {
    type Err = UnknownVariant;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PledgeStatus::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| UnknownVariant {
                found: s.to_owned(),
                expected:
                    "pending, unlocked, fulfilled, expired, cancelled, payment_failed or stopped",
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn pledges_describe_themselves_in_words() {
        let money = |c, r| PledgeKind::Money {
            amount: Cents(c),
            recurring: r,
        };
        assert_eq!(money(10_000, Recurrence::Once).describe(), "$100");
        assert_eq!(
            money(2_550, Recurrence::Monthly).describe(),
            "$25.50 a month"
        );
        let hours = PledgeKind::Hours {
            hours_per_week: 1,
            weeks: 10,
            skills: vec![],
        };
        assert_eq!(hours.describe(), "1 hour a week for 10 weeks");
        let acts = PledgeKind::Actions(Actions {
            doors: 20,
            calls: 0,
            texts: 1,
        });
        assert_eq!(acts.describe(), "20 doors, 1 text");
    }

    #[test]
    fn election_is_primary_until_primary_day_then_general() {
        let race = Race {
            office: Office::UsHouse,
            state: "NY".into(),
            district: Some("14".into()),
            primary_date: Some(d("2028-06-27")),
            general_date: d("2028-11-07"),
        };
        assert_eq!(race.election_on(d("2028-06-27")), Election::Primary);
        assert_eq!(race.election_on(d("2028-06-28")), Election::General);
        let no_primary = Race {
            primary_date: None,
            ..race
        };
        assert_eq!(no_primary.election_on(d("2027-01-01")), Election::General);
    }

    #[test]
    fn compact_hash_changes_with_any_content_and_resists_resplitting() {
        let a = CompactContent {
            commitments: vec!["ab".into(), "c".into()],
            planks: vec![],
            measures: vec![],
        };
        let b = CompactContent {
            commitments: vec!["a".into(), "bc".into()],
            planks: vec![],
            measures: vec![],
        };
        assert_ne!(a.hash(), b.hash());
        assert_eq!(a.hash(), a.clone().hash());
        assert_eq!(a.hash().len(), 64);
    }

    #[test]
    fn lifecycle_allows_only_documented_moves() {
        use PledgeStatus::*;
        assert!(Pending.can_become(Unlocked));
        assert!(
            !Unlocked.can_become(Unlocked),
            "unlock happens at most once"
        );
        assert!(!Unlocked.can_become(Cancelled));
        assert!(!Expired.can_become(Unlocked));
        assert!(Unlocked.can_become(PaymentFailed));
        assert!(
            !Pending.can_become(PaymentFailed),
            "nothing is charged while pending"
        );
        assert!(!PaymentFailed.can_become(Fulfilled));
        assert!(!PaymentFailed.is_live());
        assert_eq!("payment_failed".parse::<PledgeStatus>(), Ok(PaymentFailed));
        assert!(Unlocked.can_become(Stopped));
        assert!(
            !Pending.can_become(Stopped),
            "a pending pledge is cancelled, not stopped"
        );
        assert!(
            !Stopped.can_become(Unlocked),
            "a stopped pledge never restarts"
        );
        assert!(
            Stopped.can_become(PaymentFailed),
            "an earlier month's payment can still fail"
        );
        assert!(!Stopped.is_live(), "a stopped pledge leaves the pot");
        assert_eq!("stopped".parse::<PledgeStatus>(), Ok(Stopped));
    }

    #[test]
    fn months_count_only_once_the_day_comes() {
        let d = |s: &str| s.parse().unwrap();
        assert_eq!(months_between(d("2026-01-31"), d("2026-02-28")), 0);
        assert_eq!(months_between(d("2026-01-15"), d("2026-02-15")), 1);
        assert_eq!(months_between(d("2026-11-20"), d("2027-01-19")), 1);
        assert_eq!(months_between(d("2026-11-20"), d("2026-11-20")), 0);
    }
}
