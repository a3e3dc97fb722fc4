//! Legal contribution limits: how much one donor may give one candidate for
//! one election (primary and general are separate elections, each with the
//! full limit).
//!
//! Federal offices default to the FEC limit; every other office has no limit
//! unless an organizer configures one. An organizer may override any office
//! for any cycle, including setting "no limit" for a federal office (useful
//! only for tests and demos; the default is the law).
//!
//! A *cycle* is the two-year election cycle named by its even year, as the
//! FEC names them: `2026` is the 2025–2026 cycle.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::Office;
use crate::money::Cents;

/// $3,500 per candidate per election (FEC, 2025–2026 cycle).
pub const FEDERAL_LIMIT_2025_26: Cents = Cents(350_000);

/// The headroom reported when there is no limit: large enough that no real
/// amount (see [`crate::money::MAX_PLEDGE`]) ever reaches it, small enough
/// that adding a few of them together cannot overflow an `i64`.
pub const UNLIMITED_HEADROOM: Cents = Cents(i64::MAX / 4);

/// Contribution limit per donor, per candidate, per election.
///
/// Holds only the overrides an organizer set; everything else falls back to
/// the built-in default (see [`LimitTable::limit`]).
///
/// Serializes as a JSON array of entries, ordered by office then cycle:
/// `[{"office": "state_house", "cycle": 2026, "limit_cents": 100000},
///   {"office": "us_house", "cycle": 2026, "limit_cents": null}]`,
/// where `null` means "no limit". Deserializing rejects two entries for the
/// same office and cycle, and negative limits.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "Vec<LimitEntry>", try_from = "Vec<LimitEntry>")]
pub struct LimitTable {
    /// `(office, cycle)` → the limit for it, `None` meaning "no limit".
    overrides: BTreeMap<(Office, i32), Option<Cents>>,
}

impl LimitTable {
    /// A table with no overrides: federal offices carry
    /// [`FEDERAL_LIMIT_2025_26`], all others have no limit.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the limit for `office` in `cycle`, replacing any earlier override.
    /// `None` means no limit. A negative limit behaves like a limit of zero.
    pub fn set(&mut self, office: Office, cycle: i32, limit: Option<Cents>) {
        self.overrides.insert((office, cycle), limit);
    }

    /// The limit for `office` in `cycle`: the override if one is set;
    /// otherwise [`FEDERAL_LIMIT_2025_26`] for federal offices (the only
    /// federal limit Cohort knows; override it for other cycles) and `None`
    /// (no limit) for every other office.
    pub fn limit(&self, office: Office, cycle: i32) -> Option<Cents> {
        match self.overrides.get(&(office, cycle)) {
            Some(limit) => *limit,
            None if office.is_federal() => Some(FEDERAL_LIMIT_2025_26),
            None => None,
        }
    }

    /// What a donor who has `already_given` to one candidate for one election
    /// may still give: the limit minus what was given, floored at zero. A
    /// negative `already_given` counts as zero (it never raises headroom
    /// above the limit). With no limit, returns [`UNLIMITED_HEADROOM`].
    pub fn headroom(&self, office: Office, cycle: i32, already_given: Cents) -> Cents {
        match self.limit(office, cycle) {
            None => UNLIMITED_HEADROOM,
            Some(limit) => {
                let given = already_given.max(Cents::ZERO);
                limit.saturating_sub(given).max(Cents::ZERO)
            }
        }
    }

    /// The overrides, ordered by office then cycle.
    pub fn overrides(&self) -> impl Iterator<Item = LimitEntry> + '_ {
        self.overrides
            .iter()
            .map(|(&(office, cycle), &limit_cents)| LimitEntry {
                office,
                cycle,
                limit_cents,
            })
    }
}

/// One override of a [`LimitTable`], as it appears in JSON.
#[derive(utoipa::ToSchema, Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitEntry {
    pub office: Office,
    /// The even year naming the two-year cycle: `2026` for 2025–2026.
    pub cycle: i32,
    /// `None` (JSON `null`) means no limit.
    pub limit_cents: Option<Cents>,
}

/// Why a list of [`LimitEntry`] is not a valid [`LimitTable`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitTableError {
    #[error("the limit for {office} in cycle {cycle} is given twice")]
    Duplicate { office: Office, cycle: i32 },
    #[error("the limit for {office} in cycle {cycle} is negative ({limit})")]
    Negative {
        office: Office,
        cycle: i32,
        limit: Cents,
    },
}

impl From<LimitTable> for Vec<LimitEntry> {
    fn from(table: LimitTable) -> Self {
        table.overrides().collect()
    }
}

impl TryFrom<Vec<LimitEntry>> for LimitTable {
    type Error = LimitTableError;

    fn try_from(entries: Vec<LimitEntry>) -> Result<Self, Self::Error> {
        let mut table = LimitTable::new();
        for LimitEntry {
            office,
            cycle,
            limit_cents,
        } in entries
        {
            if let Some(limit) = limit_cents.filter(|l| *l < Cents::ZERO) {
                return Err(LimitTableError::Negative {
                    office,
                    cycle,
                    limit,
                });
            }
            if table.overrides.contains_key(&(office, cycle)) {
                return Err(LimitTableError::Duplicate { office, cycle });
            }
            table.set(office, cycle, limit_cents);
        }
        Ok(table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_federal_limit_and_no_limit_elsewhere() {
        let t = LimitTable::new();
        assert_eq!(t.limit(Office::UsHouse, 2026), Some(FEDERAL_LIMIT_2025_26));
        assert_eq!(t.limit(Office::UsSenate, 2026), Some(Cents(350_000)));
        for office in Office::ALL.into_iter().filter(|o| !o.is_federal()) {
            assert_eq!(t.limit(office, 2026), None, "{office}");
        }
    }

    #[test]
    fn override_applies_to_its_office_and_cycle_only() {
        let mut t = LimitTable::new();
        t.set(Office::StateHouse, 2026, Some(Cents::from_dollars(1_000)));
        t.set(Office::UsHouse, 2028, Some(Cents::from_dollars(3_600)));
        assert_eq!(t.limit(Office::StateHouse, 2026), Some(Cents(100_000)));
        assert_eq!(t.limit(Office::StateHouse, 2024), None);
        assert_eq!(t.limit(Office::StateSenate, 2026), None);
        assert_eq!(t.limit(Office::UsHouse, 2028), Some(Cents(360_000)));
        assert_eq!(t.limit(Office::UsHouse, 2026), Some(FEDERAL_LIMIT_2025_26));
    }

    #[test]
    fn override_to_none_removes_a_federal_limit_and_later_set_wins() {
        let mut t = LimitTable::new();
        t.set(Office::UsSenate, 2026, None);
        assert_eq!(t.limit(Office::UsSenate, 2026), None);
        assert_eq!(
            t.headroom(Office::UsSenate, 2026, Cents(999_999)),
            UNLIMITED_HEADROOM
        );
        t.set(Office::UsSenate, 2026, Some(Cents(100)));
        assert_eq!(t.limit(Office::UsSenate, 2026), Some(Cents(100)));
    }

    #[test]
    fn headroom_is_limit_minus_given_floored_at_zero() {
        let t = LimitTable::new();
        let h = |given| t.headroom(Office::UsHouse, 2026, Cents(given));
        assert_eq!(h(0), Cents(350_000));
        assert_eq!(h(100_000), Cents(250_000));
        assert_eq!(h(350_000), Cents::ZERO);
        assert_eq!(h(500_000), Cents::ZERO);
        assert_eq!(h(i64::MAX), Cents::ZERO);
        // A negative amount given never raises headroom above the limit.
        assert_eq!(h(-5_000), Cents(350_000));
        assert_eq!(h(i64::MIN), Cents(350_000));
    }

    #[test]
    fn headroom_without_limit_is_unlimited() {
        let t = LimitTable::new();
        assert_eq!(
            t.headroom(Office::Mayor, 2026, Cents(0)),
            UNLIMITED_HEADROOM
        );
        assert_eq!(
            t.headroom(Office::Mayor, 2026, Cents(1_000_000)),
            UNLIMITED_HEADROOM
        );
        assert!(UNLIMITED_HEADROOM > crate::money::MAX_PLEDGE);
        assert!(UNLIMITED_HEADROOM.checked_add(UNLIMITED_HEADROOM).is_some());
    }

    #[test]
    fn headroom_with_a_negative_or_zero_limit_is_zero() {
        let mut t = LimitTable::new();
        t.set(Office::Governor, 2026, Some(Cents(-100)));
        t.set(Office::Mayor, 2026, Some(Cents::ZERO));
        assert_eq!(t.headroom(Office::Governor, 2026, Cents(0)), Cents::ZERO);
        assert_eq!(t.headroom(Office::Mayor, 2026, Cents(0)), Cents::ZERO);
    }

    #[test]
    fn serializes_as_a_json_list_of_entries_and_round_trips() {
        let mut t = LimitTable::new();
        t.set(Office::UsHouse, 2026, None);
        t.set(Office::StateHouse, 2026, Some(Cents(100_000)));
        let json = serde_json::to_value(&t).unwrap();
        assert_eq!(
            json,
            serde_json::json!([
                {"office": "us_house", "cycle": 2026, "limit_cents": null},
                {"office": "state_house", "cycle": 2026, "limit_cents": 100000},
            ])
        );
        let back: LimitTable = serde_json::from_value(json).unwrap();
        assert_eq!(back, t);
        let empty: LimitTable = serde_json::from_str("[]").unwrap();
        assert_eq!(empty, LimitTable::new());
    }

    #[test]
    fn deserializing_rejects_duplicates_and_negative_limits() {
        let dup = r#"[{"office":"mayor","cycle":2026,"limit_cents":1},
                      {"office":"mayor","cycle":2026,"limit_cents":2}]"#;
        let err = serde_json::from_str::<LimitTable>(dup).unwrap_err();
        assert!(err.to_string().contains("given twice"), "{err}");
        let neg = r#"[{"office":"mayor","cycle":2026,"limit_cents":-1}]"#;
        let err = serde_json::from_str::<LimitTable>(neg).unwrap_err();
        assert!(err.to_string().contains("negative"), "{err}");
    }
}
