//! What a condition can read about a slate at one moment.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use crate::money::Cents;

/// The state of a slate as the condition language sees it.
pub trait Facts {
    /// Number of candidates whose signature currently stands (any version).
    fn signers(&self) -> u64;
    /// Number of distinct states among current signers.
    fn states(&self) -> u64;
    /// Every signer endorses every other signer (true with fewer than two signers).
    fn mutual(&self) -> bool;
    /// Whether the candidate with this slug currently has a signature.
    fn signed(&self, candidate: &str) -> bool;
    /// Whether `from` currently endorses `to`.
    fn endorses(&self, from: &str, to: &str) -> bool;
    /// Money pledged to the slate: pending plus unlocked (not expired or cancelled).
    fn pledged(&self) -> Cents;
    /// Distinct pledgers (by email) with a pending or unlocked pledge of any kind.
    fn pledgers(&self) -> u64;
    /// Volunteer hours per week pledged: pending plus unlocked.
    fn hours(&self) -> u64;
    /// The date the evaluation happens on.
    fn today(&self) -> NaiveDate;
    /// The candidate's `with_bloc` (API.md "Roll calls and cohesion"), over
    /// every imported roll call; `None` while they have no counted vote.
    /// Defaults to `None` for facts that know nothing of Congress.
    fn with_bloc(&self, candidate: &str) -> Option<f64> {
        let _ = candidate;
        None
    }
    /// The candidate's `with_platform`; `None` while no tagged roll call has
    /// their vote.
    fn with_platform(&self, candidate: &str) -> Option<f64> {
        let _ = candidate;
        None
    }
    /// The bloc's Rice index; `None` while no roll call is counted.
    fn rice(&self) -> Option<f64> {
        None
    }
    /// Every measured commitment of this candidate is kept or due (none is
    /// broken) on the scorecard (issue 15). A candidate with nothing broken,
    /// signed or not, keeps.
    fn kept(&self, candidate: &str) -> bool;
    /// No signer has a broken measured commitment.
    fn kept_all(&self) -> bool;
}

/// The bloc's cohesion figures, as a condition reads them (issue 17).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BlocFigures {
    pub rice: Option<f64>,
    /// By candidate slug; a candidate with no counted vote is absent.
    pub with_bloc: BTreeMap<String, f64>,
    pub with_platform: BTreeMap<String, f64>,
}

/// Shares of counts: never NaN, so equality is an equivalence.
impl Eq for BlocFigures {}

/// A plain, owned snapshot of a slate's facts: what the engine loads from the
/// store and what tests build by hand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// Current signers, each with their state (two-letter code).
    pub signers: BTreeMap<String, String>,
    /// Current endorsements `(from, to)`.
    pub endorsements: BTreeSet<(String, String)>,
    pub pledged: Cents,
    pub pledgers: u64,
    pub hours: u64,
    pub today: NaiveDate,
    /// Loaded only when a condition of the slate reads them.
    pub bloc: BlocFigures,
    /// Candidates with a broken measured commitment on the scorecard.
    pub broken: BTreeSet<String>,
}

impl Snapshot {
    pub fn new(today: NaiveDate) -> Self {
        Snapshot {
            signers: BTreeMap::new(),
            endorsements: BTreeSet::new(),
            pledged: Cents::ZERO,
            pledgers: 0,
            hours: 0,
            today,
            bloc: BlocFigures::default(),
            broken: BTreeSet::new(),
        }
    }
}

impl Facts for Snapshot {
    fn signers(&self) -> u64 {
        self.signers.len() as u64
    }
    fn states(&self) -> u64 {
        self.signers.values().collect::<BTreeSet<_>>().len() as u64
    }
    fn mutual(&self) -> bool {
        self.signers.keys().all(|a| {
            self.signers
                .keys()
                .all(|b| a == b || self.endorsements.contains(&(a.clone(), b.clone())))
        })
    }
    fn signed(&self, candidate: &str) -> bool {
        self.signers.contains_key(candidate)
    }
    fn endorses(&self, from: &str, to: &str) -> bool {
        self.endorsements
            .contains(&(from.to_owned(), to.to_owned()))
    }
    fn pledged(&self) -> Cents {
        self.pledged
    }
    fn pledgers(&self) -> u64 {
        self.pledgers
    }
    fn hours(&self) -> u64 {
        self.hours
    }
    fn today(&self) -> NaiveDate {
        self.today
    }
    fn with_bloc(&self, candidate: &str) -> Option<f64> {
        self.bloc.with_bloc.get(candidate).copied()
    }
    fn with_platform(&self, candidate: &str) -> Option<f64> {
        self.bloc.with_platform.get(candidate).copied()
    }
    fn rice(&self) -> Option<f64> {
        self.bloc.rice
    }
    fn kept(&self, candidate: &str) -> bool {
        !self.broken.contains(candidate)
    }
    fn kept_all(&self) -> bool {
        self.broken.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutual_needs_every_ordered_pair() {
        let mut s = Snapshot::new(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        assert!(s.mutual(), "no signers is vacuously mutual");
        s.signers.insert("a".into(), "NY".into());
        s.signers.insert("b".into(), "NY".into());
        assert!(!s.mutual());
        s.endorsements.insert(("a".into(), "b".into()));
        assert!(!s.mutual(), "one direction is not mutual");
        s.endorsements.insert(("b".into(), "a".into()));
        assert!(s.mutual());
        assert_eq!(s.states(), 1);
    }
}
