//! A pledge given through a joint fundraiser (issue 15): which events take
//! one, and the candidates its money may go to — the event's hosts, and
//! nobody else. The split itself is [`crate::unlock::allocate`] with these
//! hosts as the supporter's chosen candidates, so limits apply as usual.

use crate::joint_event::{EventKind, EventStatus};

/// What the engine knows about the event a pledge names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FundraiserFacts<'a> {
    pub kind: EventKind,
    pub status: EventStatus,
    /// Whether the event belongs to the slate the pledge is made on.
    pub same_slate: bool,
    /// The event's hosts (candidate ids).
    pub hosts: &'a [i64],
}

/// Why a pledge cannot go through the event (the field is `joint_event`,
/// or `candidates` when the pledge also chose candidates).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotAFundraiser {
    pub field: &'static str,
    pub message: String,
}

/// The candidates a pledge through `event` splits across: its hosts, sorted
/// and without repeats. `chose_candidates` is whether the pledge also named
/// candidates of its own (refused: the event decides).
pub fn fundraiser_candidates(
    event: &FundraiserFacts<'_>,
    chose_candidates: bool,
    money: bool,
) -> Result<Vec<i64>, NotAFundraiser> {
    let no = |field: &'static str, message: String| Err(NotAFundraiser { field, message });
    if !event.same_slate {
        return no("joint_event", "is not an event of this slate".into());
    }
    if event.kind != EventKind::Fundraiser {
        return no(
            "joint_event",
            format!(
                "is a {}, not a joint fundraiser",
                event.kind.label().to_lowercase()
            ),
        );
    }
    if event.status != EventStatus::Confirmed {
        return no(
            "joint_event",
            format!(
                "takes pledges only while confirmed and upcoming; it is {}",
                event.status.as_str()
            ),
        );
    }
    if !money {
        return no(
            "joint_event",
            "only money pledges go through a joint fundraiser".into(),
        );
    }
    if chose_candidates {
        return no(
            "candidates",
            "a joint fundraiser's pledge splits across its hosts; send no candidates".into(),
        );
    }
    let mut hosts = event.hosts.to_vec();
    hosts.sort_unstable();
    hosts.dedup();
    if hosts.is_empty() {
        return no("joint_event", "has no hosts".into());
    }
    Ok(hosts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::LimitTable;
    use crate::model::{Office, Race};
    use crate::money::Cents;
    use crate::unlock::{allocate, ContributionsToDate, MoneyToSplit, Payee};
    use chrono::NaiveDate;
    use proptest::prelude::*;

    fn facts(hosts: &[i64]) -> FundraiserFacts<'_> {
        FundraiserFacts {
            kind: EventKind::Fundraiser,
            status: EventStatus::Confirmed,
            same_slate: true,
            hosts,
        }
    }

    #[test]
    fn only_a_confirmed_fundraiser_of_the_slate_takes_money() {
        assert_eq!(
            fundraiser_candidates(&facts(&[3, 1, 3]), false, true),
            Ok(vec![1, 3])
        );
        let other_slate = FundraiserFacts {
            same_slate: false,
            ..facts(&[1, 2])
        };
        let town_hall = FundraiserFacts {
            kind: EventKind::TownHall,
            ..facts(&[1, 2])
        };
        let proposed = FundraiserFacts {
            status: EventStatus::Proposed,
            ..facts(&[1, 2])
        };
        let held = FundraiserFacts {
            status: EventStatus::Held,
            ..facts(&[1, 2])
        };
        for bad in [other_slate, town_hall, proposed, held] {
            let e = fundraiser_candidates(&bad, false, true).unwrap_err();
            assert_eq!(e.field, "joint_event", "{bad:?}");
        }
        assert_eq!(
            fundraiser_candidates(&facts(&[1, 2]), false, false)
                .unwrap_err()
                .field,
            "joint_event"
        );
        assert_eq!(
            fundraiser_candidates(&facts(&[1, 2]), true, true)
                .unwrap_err()
                .field,
            "candidates"
        );
    }

    fn payee(id: i64) -> Payee {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        Payee {
            id,
            race: Race {
                office: if id % 3 == 0 {
                    Office::StateHouse
                } else {
                    Office::UsHouse
                },
                state: "NY".into(),
                district: None,
                primary_date: Some(d("2028-06-27")),
                general_date: d("2028-11-07"),
            },
        }
    }

    proptest! {
        /// Whoever has signed and whatever the donor gave before, a pledge
        /// through a joint fundraiser never allocates a cent to a non-host,
        /// and every cent is a host's or unallocated.
        #[test]
        fn a_fundraiser_pledge_never_allocates_to_a_non_host(
            signers in proptest::collection::btree_set(1i64..9, 0..8),
            hosts in proptest::collection::vec(1i64..12, 1..5),
            earlier in proptest::collection::vec((1i64..9, 1i64..400_000), 0..6),
            amounts in proptest::collection::vec(1i64..3_000_000, 1..6),
        ) {
            let chosen = fundraiser_candidates(&facts(&hosts), false, true).unwrap();
            let payees: Vec<Payee> = signers.iter().map(|&i| payee(i)).collect();
            let mut limits = LimitTable::new();
            limits.set(Office::StateHouse, 2028, Some(Cents(100_000)));
            let today = "2028-03-01".parse::<NaiveDate>().unwrap();
            let mut ledger = ContributionsToDate::new();
            for (c, cents) in &earlier {
                let p = payee(*c);
                ledger.record("a@x.org", *c, p.race.election_on(today), Cents(*cents));
            }
            for amount in &amounts {
                let a = allocate(
                    &MoneyToSplit { donor: "a@x.org", amount: Cents(*amount), chosen: Some(&chosen) },
                    &payees, &mut ledger, &limits, 2028, today,
                );
                for s in &a.shares {
                    prop_assert!(hosts.contains(&s.candidate_id), "{} is not a host of {:?}", s.candidate_id, hosts);
                }
                let total: Cents = a.shares.iter().map(|s| s.cents).sum();
                prop_assert_eq!(total + a.unallocated, Cents(*amount));
            }
        }
    }
}
