//! Turning an unlocked money pledge into per-candidate amounts.
//!
//! The engine hands in the slate's current signers, what each donor has
//! already given each candidate for each election, and the limit table; this
//! module decides every cent. Nothing here reads a database or a clock.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::limits::LimitTable;
use crate::model::{Election, Race};
use crate::money::Cents;
use crate::split::{split, Recipient};

/// A candidate who can receive money: a current signer of the slate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payee {
    pub id: i64,
    pub race: Race,
}

/// A money pledge (or one month of a monthly pledge) about to be split.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MoneyToSplit<'a> {
    pub donor: &'a str,
    pub amount: Cents,
    /// The candidates the supporter chose, or `None` for every signer.
    pub chosen: Option<&'a [i64]>,
}

/// One candidate's share of a pledge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Share {
    pub candidate_id: i64,
    pub election: Election,
    pub cents: Cents,
}

/// How one pledge splits: `shares` (zero shares omitted) plus what nobody
/// could take, which is never charged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allocation {
    pub shares: Vec<Share>,
    pub unallocated: Cents,
}

/// What each donor has given each candidate for each election, through Cohort.
/// Updated as allocations are decided, so several pledges by one donor in one
/// unlock all count against the same limit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContributionsToDate {
    given: HashMap<String, HashMap<(i64, Election), Cents>>,
}

impl ContributionsToDate {
    pub fn new() -> Self {
        ContributionsToDate::default()
    }

    pub fn record(&mut self, donor: &str, candidate_id: i64, election: Election, cents: Cents) {
        let per_donor = match self.given.get_mut(donor) {
            Some(m) => m,
            None => self.given.entry(donor.to_owned()).or_default(),
        };
        *per_donor.entry((candidate_id, election)).or_default() += cents;
    }

    pub fn given(&self, donor: &str, candidate_id: i64, election: Election) -> Cents {
        self.given
            .get(donor)
            .and_then(|m| m.get(&(candidate_id, election)))
            .copied()
            .unwrap_or_default()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, i64, Election, Cents)> {
        self.given
            .iter()
            .flat_map(|(d, m)| m.iter().map(move |((c, e), v)| (d.as_str(), *c, *e, *v)))
    }
}

/// Split one pledge across the payees it may go to, within every limit, and
/// record the result in `ledger`.
///
/// Payees are the slate's current signers, narrowed to `chosen` when the
/// supporter picked candidates. Each payee's headroom is its limit for the
/// election that comes next on `today`, less what this donor already gave.
pub fn allocate(
    money: &MoneyToSplit<'_>,
    payees: &[Payee],
    ledger: &mut ContributionsToDate,
    limits: &LimitTable,
    cycle: i32,
    today: NaiveDate,
) -> Allocation {
    let eligible: Vec<&Payee> = payees
        .iter()
        .filter(|p| money.chosen.is_none_or(|c| c.contains(&p.id)))
        .collect();
    let recipients: Vec<Recipient<i64>> = eligible
        .iter()
        .map(|p| {
            let election = p.race.election_on(today);
            let given = ledger.given(money.donor, p.id, election);
            Recipient {
                key: p.id,
                headroom: limits.headroom(p.race.office, cycle, given),
            }
        })
        .collect();
    let result = split(money.amount, &recipients);
    let mut shares = Vec::with_capacity(eligible.len());
    for (payee, (_, cents)) in eligible.iter().zip(result.shares) {
        if cents > Cents::ZERO {
            let election = payee.race.election_on(today);
            ledger.record(money.donor, payee.id, election, cents);
            shares.push(Share {
                candidate_id: payee.id,
                election,
                cents,
            });
        }
    }
    Allocation {
        shares,
        unallocated: result.unallocated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Office;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn payee(id: i64, office: Office) -> Payee {
        Payee {
            id,
            race: Race {
                office,
                state: "NY".into(),
                district: None,
                primary_date: Some(d("2028-06-27")),
                general_date: d("2028-11-07"),
            },
        }
    }

    #[test]
    fn one_hundred_dollars_over_three_signers() {
        let payees = [
            payee(1, Office::UsHouse),
            payee(2, Office::UsHouse),
            payee(3, Office::UsHouse),
        ];
        let mut ledger = ContributionsToDate::new();
        let a = allocate(
            &MoneyToSplit {
                donor: "a@x.org",
                amount: Cents(10_000),
                chosen: None,
            },
            &payees,
            &mut ledger,
            &LimitTable::new(),
            2028,
            d("2028-01-01"),
        );
        let cents: Vec<i64> = a.shares.iter().map(|s| s.cents.get()).collect();
        assert_eq!(cents, vec![3334, 3333, 3333]);
        assert_eq!(a.unallocated, Cents::ZERO);
        assert!(a.shares.iter().all(|s| s.election == Election::Primary));
    }

    #[test]
    fn a_second_pledge_by_the_same_donor_counts_against_the_limit() {
        let payees = [payee(1, Office::UsHouse), payee(2, Office::UsHouse)];
        let mut ledger = ContributionsToDate::new();
        let limits = LimitTable::new();
        let gift = MoneyToSplit {
            donor: "a@x.org",
            amount: Cents(500_000),
            chosen: None,
        };
        let first = allocate(&gift, &payees, &mut ledger, &limits, 2028, d("2028-01-01"));
        assert_eq!(first.unallocated, Cents::ZERO);
        let second = allocate(&gift, &payees, &mut ledger, &limits, 2028, d("2028-01-01"));
        // $7,000 of headroom in all, $5,000 used: $2,000 left of the second $5,000.
        assert_eq!(second.unallocated, Cents(300_000));
        // After the primary, the general election has its own limit.
        let third = allocate(&gift, &payees, &mut ledger, &limits, 2028, d("2028-07-01"));
        assert_eq!(third.unallocated, Cents::ZERO);
        assert!(third.shares.iter().all(|s| s.election == Election::General));
    }

    #[test]
    fn chosen_candidates_narrow_the_split_and_unsigned_choices_get_nothing() {
        let payees = [payee(1, Office::UsHouse), payee(2, Office::UsHouse)];
        let chosen = [2, 99];
        let a = allocate(
            &MoneyToSplit {
                donor: "a@x.org",
                amount: Cents(1000),
                chosen: Some(&chosen),
            },
            &payees,
            &mut ContributionsToDate::new(),
            &LimitTable::new(),
            2028,
            d("2028-01-01"),
        );
        assert_eq!(
            a.shares,
            vec![Share {
                candidate_id: 2,
                election: Election::Primary,
                cents: Cents(1000)
            }]
        );
        let none = allocate(
            &MoneyToSplit {
                donor: "a@x.org",
                amount: Cents(1000),
                chosen: Some(&[99]),
            },
            &payees,
            &mut ContributionsToDate::new(),
            &LimitTable::new(),
            2028,
            d("2028-01-01"),
        );
        assert!(none.shares.is_empty());
        assert_eq!(
            none.unallocated,
            Cents(1000),
            "money nobody can take is never charged"
        );
    }

    proptest! {
        /// Many pledges from a few donors: every pledge conserves its cents and
        /// no donor ever exceeds a limit for any candidate and election.
        #[test]
        fn no_donor_exceeds_any_limit_and_every_cent_is_accounted_for(
            n_payees in 1usize..6,
            pledges in proptest::collection::vec((0usize..4, 1i64..2_000_000, proptest::option::of(proptest::collection::vec(1i64..7, 0..4)), 0u32..400), 1..40),
        ) {
            let payees: Vec<Payee> = (1..=n_payees as i64)
                .map(|i| payee(i, if i % 3 == 0 { Office::StateHouse } else { Office::UsHouse }))
                .collect();
            let mut limits = LimitTable::new();
            limits.set(Office::StateHouse, 2028, Some(Cents(100_000)));
            let donors = ["a@x.org", "b@x.org", "c@x.org", "d@x.org"];
            let mut ledger = ContributionsToDate::new();
            let start = d("2028-01-01");
            for (donor, amount, chosen, day) in &pledges {
                let today = start + chrono::Days::new(u64::from(*day));
                let a = allocate(
                    &MoneyToSplit { donor: donors[*donor], amount: Cents(*amount), chosen: chosen.as_deref() },
                    &payees, &mut ledger, &limits, 2028, today,
                );
                let total: Cents = a.shares.iter().map(|s| s.cents).sum();
                prop_assert_eq!(total + a.unallocated, Cents(*amount));
                prop_assert!(a.unallocated >= Cents::ZERO);
            }
            for (_, cand, _, given) in ledger.iter() {
                let p = payees.iter().find(|p| p.id == cand).unwrap();
                let limit = limits.limit(p.race.office, 2028).unwrap();
                prop_assert!(given <= limit, "{} over limit {}", given, limit);
            }
        }
    }
}
