//! Splitting one pledge's money across candidates, within each candidate's
//! contribution headroom.
//!
//! The split is *water-filling*: pour the money evenly into every recipient;
//! a recipient whose headroom is full stops taking, and what it would have
//! taken flows to the others; what nobody can take stays *unallocated* (and
//! is never charged). Amounts are integer cents, so the level the water
//! reaches is rounded down to a whole cent and the leftover cents go, one
//! each, to the recipients that can still take a cent, **smallest key first**
//! (the largest-remainder method: every such recipient has the same
//! fractional remainder, so the key breaks the tie deterministically).
//!
//! Guarantees, each checked by a property test below:
//! - `sum(shares) + unallocated == amount`, to the cent;
//! - `0 <= share <= headroom` for every recipient;
//! - a recipient below its headroom gets at least the largest share minus
//!   one cent, and a recipient that got an extra cent has a smaller key than
//!   every recipient below its headroom that did not;
//! - money is unallocated only when every recipient is at its headroom;
//! - the result per key does not depend on the order of the recipients;
//! - giving more money never gives any recipient less.

use crate::money::Cents;

/// One candidate a pledge may pay, and how much more this donor may still
/// give that candidate for the election at hand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient<K> {
    pub key: K,
    /// What this donor may still give this candidate for this election.
    /// Never negative in practice; a negative value is treated as zero.
    /// "No limit" is a very large value such as
    /// [`crate::limits::UNLIMITED_HEADROOM`].
    pub headroom: Cents,
}

/// The outcome of [`split`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split<K> {
    /// One share per recipient, in the order the recipients were given,
    /// zero shares included.
    pub shares: Vec<(K, Cents)>,
    /// What no recipient could take: `amount - sum(shares)`.
    pub unallocated: Cents,
}

/// Splits `amount` equally across `recipients`, within each one's headroom,
/// by water-filling with largest-remainder rounding (see the module docs).
///
/// - Leftover cents go one each to the recipients still below their
///   headroom, in ascending key order.
/// - Keys should be unique (the caller guarantees it). Duplicate keys are
///   treated as distinct recipients; among equal keys the earlier one in
///   `recipients` is first in line for a leftover cent.
/// - With no recipients, the whole amount is unallocated.
/// - `amount` should be `>= 0`. A negative amount allocates nothing and is
///   returned as `unallocated`, so the sum still holds.
///
/// Runs in O(n log n) for n recipients: two sorts and linear passes,
/// independent of the size of `amount`.
pub fn split<K: Clone + Ord>(amount: Cents, recipients: &[Recipient<K>]) -> Split<K> {
    let headroom: Vec<i64> = recipients.iter().map(|r| r.headroom.0.max(0)).collect();
    let (shares, unallocated) = fill(amount.0, &headroom, |a, b| {
        recipients[a].key.cmp(&recipients[b].key).then(a.cmp(&b))
    });
    Split {
        shares: recipients
            .iter()
            .zip(shares)
            .map(|(r, share)| (r.key.clone(), Cents(share)))
            .collect(),
        unallocated: Cents(unallocated),
    }
}

/// An even split of `amount` into `n` shares with no limits, rounded as
/// [`split`] rounds: the first `amount % n` shares get one cent more.
/// For UI previews. `n == 0` gives no shares; a negative amount gives zeros.
pub fn split_evenly_preview(amount: Cents, n: usize) -> Vec<Cents> {
    // No share can exceed the whole amount, so headroom `amount` never binds.
    let headroom = amount.max(Cents::ZERO);
    let recipients: Vec<Recipient<usize>> = (0..n).map(|key| Recipient { key, headroom }).collect();
    split(amount, &recipients)
        .shares
        .into_iter()
        .map(|(_, share)| share)
        .collect()
}

/// The water-filling itself, on raw cents. `headroom` values are `>= 0`;
/// `key_order` orders recipient indices for the leftover cents (a total
/// order). Returns the shares, by index, and the unallocated amount.
fn fill(
    amount: i64,
    headroom: &[i64],
    key_order: impl Fn(usize, usize) -> std::cmp::Ordering,
) -> (Vec<i64>, i64) {
    let n = headroom.len();
    let mut shares = vec![0; n];
    if amount <= 0 {
        return (shares, amount);
    }

    // Visit recipients from the smallest headroom up. While the money left,
    // spread evenly over the recipients not yet visited, would fill the
    // next one's headroom, that one is capped: it takes all its headroom.
    // Otherwise the integer water level is found, and every recipient from
    // here on has headroom above it.
    let mut by_headroom: Vec<usize> = (0..n).collect();
    by_headroom.sort_unstable_by_key(|&i| headroom[i]);

    // `rest` only shrinks by amounts below it, so it stays in 0..=amount.
    let mut rest = amount;
    for (visited, &i) in by_headroom.iter().enumerate() {
        let open = &by_headroom[visited..];
        // `open` is non-empty (it holds `i`), and its length fits an i64.
        let level = rest / open.len() as i64;
        if level < headroom[i] {
            // Everyone visited so far has headroom <= level (each was capped
            // because the level then was at least its headroom, and the level
            // never falls as capped recipients leave), so they are done.
            // Everyone open gets the level, which is below their headroom;
            // the `rest % open.len()` leftover cents (fewer than the open
            // recipients) go one each, in key order, to open recipients,
            // each of whom has room for level + 1.
            let leftover = rest % open.len() as i64;
            let mut in_key_order = open.to_vec();
            in_key_order.sort_by(|&a, &b| key_order(a, b));
            for (rank, &j) in in_key_order.iter().enumerate() {
                shares[j] = if (rank as i64) < leftover {
                    level + 1
                } else {
                    level
                };
            }
            return (shares, 0);
        }
        shares[i] = headroom[i];
        rest -= headroom[i];
    }
    // Every recipient is at its headroom (or there are none).
    (shares, rest)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;
    use crate::limits::{LimitTable, UNLIMITED_HEADROOM};
    use crate::model::Office;
    use crate::money::MAX_PLEDGE;

    const INF: Cents = UNLIMITED_HEADROOM;

    fn r<K>(key: K, headroom: Cents) -> Recipient<K> {
        Recipient { key, headroom }
    }

    fn shares<K>(s: &Split<K>) -> Vec<i64> {
        s.shares.iter().map(|(_, c)| c.0).collect()
    }

    // ---- concrete examples -------------------------------------------------

    #[test]
    fn hundred_dollars_over_three() {
        let s = split(Cents(10_000), &[r("a", INF), r("b", INF), r("c", INF)]);
        assert_eq!(
            s.shares,
            vec![
                ("a", Cents(3_334)),
                ("b", Cents(3_333)),
                ("c", Cents(3_333))
            ]
        );
        assert_eq!(s.unallocated, Cents::ZERO);
    }

    #[test]
    fn leftover_cent_goes_by_key_not_by_position() {
        let s = split(Cents(10_000), &[r("c", INF), r("a", INF), r("b", INF)]);
        assert_eq!(
            s.shares,
            vec![
                ("c", Cents(3_333)),
                ("a", Cents(3_334)),
                ("b", Cents(3_333))
            ]
        );
    }

    #[test]
    fn ten_thousand_dollars_against_federal_caps() {
        let s = split(
            Cents::from_dollars(10_000),
            &[
                r(1, Cents::from_dollars(3_500)),
                r(2, Cents::from_dollars(3_500)),
                r(3, Cents::from_dollars(100)),
            ],
        );
        assert_eq!(shares(&s), vec![350_000, 350_000, 10_000]);
        assert_eq!(s.unallocated, Cents::from_dollars(2_900));
    }

    #[test]
    fn capped_excess_flows_to_the_others() {
        let s = split(
            Cents::from_dollars(100),
            &[r(1, Cents::from_dollars(10)), r(2, INF), r(3, INF)],
        );
        assert_eq!(shares(&s), vec![1_000, 4_500, 4_500]);
        assert_eq!(s.unallocated, Cents::ZERO);
    }

    #[test]
    fn rounding_after_a_cap() {
        // 101 cents, one recipient capped at 10: 91 cents over two is 45 r 1,
        // and the leftover cent goes to the smaller key of the two.
        let s = split(Cents(101), &[r(3, INF), r(1, Cents(10)), r(2, INF)]);
        assert_eq!(shares(&s), vec![45, 10, 46]);
        assert_eq!(s.unallocated, Cents::ZERO);
    }

    #[test]
    fn leftover_cent_may_fill_a_headroom_exactly() {
        // Level 2, two leftover cents: keys "a" and "b" get 3, and "b" is then
        // exactly at its headroom of 3.
        let s = split(Cents(8), &[r("b", Cents(3)), r("a", INF), r("c", INF)]);
        assert_eq!(shares(&s), vec![3, 3, 2]);
        assert_eq!(s.unallocated, Cents::ZERO);
    }

    #[test]
    fn cascading_caps() {
        // 100 over headrooms 5, 20, 30, 1000: 5 capped (95 over 3 = 31 > 20),
        // 20 capped (75 over 2 = 37 > 30), 30 capped, 45 to the last.
        let s = split(
            Cents(100),
            &[
                r(1, Cents(30)),
                r(2, Cents(5)),
                r(3, Cents(1_000)),
                r(4, Cents(20)),
            ],
        );
        assert_eq!(shares(&s), vec![30, 5, 45, 20]);
        assert_eq!(s.unallocated, Cents::ZERO);
    }

    #[test]
    fn exactly_enough_headroom_leaves_nothing_unallocated() {
        let s = split(
            Cents(60),
            &[r(1, Cents(10)), r(2, Cents(20)), r(3, Cents(30))],
        );
        assert_eq!(shares(&s), vec![10, 20, 30]);
        assert_eq!(s.unallocated, Cents::ZERO);
    }

    #[test]
    fn no_recipients_leaves_everything_unallocated() {
        let s = split::<u32>(Cents(12_345), &[]);
        assert!(s.shares.is_empty());
        assert_eq!(s.unallocated, Cents(12_345));
    }

    #[test]
    fn zero_amount_gives_zero_shares() {
        let s = split(Cents::ZERO, &[r(1, INF), r(2, Cents::ZERO)]);
        assert_eq!(shares(&s), vec![0, 0]);
        assert_eq!(s.unallocated, Cents::ZERO);
    }

    #[test]
    fn negative_amount_is_all_unallocated() {
        let s = split(Cents(-5), &[r(1, INF)]);
        assert_eq!(shares(&s), vec![0]);
        assert_eq!(s.unallocated, Cents(-5));
    }

    #[test]
    fn negative_headroom_counts_as_zero() {
        let s = split(Cents(100), &[r(1, Cents(-50)), r(2, INF)]);
        assert_eq!(shares(&s), vec![0, 100]);
        assert_eq!(s.unallocated, Cents::ZERO);

        let s = split(Cents(100), &[r(1, Cents(-50)), r(2, Cents(i64::MIN))]);
        assert_eq!(shares(&s), vec![0, 0]);
        assert_eq!(s.unallocated, Cents(100));
    }

    #[test]
    fn duplicate_keys_are_treated_as_given() {
        let s = split(Cents(5), &[r("x", INF), r("x", INF)]);
        assert_eq!(shares(&s), vec![3, 2]);
    }

    #[test]
    fn extreme_values_do_not_overflow() {
        let s = split(
            Cents(i64::MAX),
            &[r(1, Cents(i64::MAX)), r(2, Cents(i64::MAX))],
        );
        assert_eq!(shares(&s), vec![i64::MAX / 2 + 1, i64::MAX / 2]);
        assert_eq!(s.unallocated, Cents::ZERO);

        let many: Vec<_> = (0..1_000).map(|k| r(k, Cents(i64::MAX))).collect();
        let s = split(Cents(i64::MAX), &many);
        let total: i128 = s.shares.iter().map(|(_, c)| i128::from(c.0)).sum();
        assert_eq!(total, i128::from(i64::MAX));

        let s = split(Cents(i64::MAX), &[r(1, INF), r(2, INF)]);
        assert_eq!(shares(&s), vec![INF.0, INF.0]);
        assert_eq!(s.unallocated, Cents(i64::MAX - 2 * INF.0));
    }

    #[test]
    fn large_slates_are_fast() {
        // O(n log n): 200,000 recipients with mixed caps, the largest pledge.
        let many: Vec<_> = (0..200_000i64)
            .map(|k| r(k, Cents((k * 7_919) % 10_000)))
            .collect();
        let s = split(MAX_PLEDGE, &many);
        let total: Cents = s.shares.iter().map(|(_, c)| *c).sum();
        assert_eq!(total + s.unallocated, MAX_PLEDGE);
    }

    #[test]
    fn with_the_limit_table() {
        // A donor who already gave $3,000 to A pledges $3,000 over a federal
        // slate of A, B and C: A can take only $500, B and C split the rest.
        let limits = LimitTable::new();
        let given = [
            ("A", Cents::from_dollars(3_000)),
            ("B", Cents::ZERO),
            ("C", Cents::ZERO),
        ];
        let recipients: Vec<_> = given
            .iter()
            .map(|&(key, already)| r(key, limits.headroom(Office::UsHouse, 2026, already)))
            .collect();
        let s = split(Cents::from_dollars(3_000), &recipients);
        assert_eq!(shares(&s), vec![50_000, 125_000, 125_000]);
        assert_eq!(s.unallocated, Cents::ZERO);
    }

    #[test]
    fn preview_examples() {
        assert_eq!(
            split_evenly_preview(Cents(10_000), 3),
            vec![Cents(3_334), Cents(3_333), Cents(3_333)]
        );
        assert_eq!(
            split_evenly_preview(Cents(5), 3),
            vec![Cents(2), Cents(2), Cents(1)]
        );
        assert_eq!(
            split_evenly_preview(Cents(2), 4),
            vec![Cents(1), Cents(1), Cents(0), Cents(0)]
        );
        assert_eq!(split_evenly_preview(Cents(100), 0), Vec::<Cents>::new());
        assert_eq!(
            split_evenly_preview(Cents(i64::MAX), 1),
            vec![Cents(i64::MAX)]
        );
        assert_eq!(
            split_evenly_preview(Cents(-3), 2),
            vec![Cents::ZERO, Cents::ZERO]
        );
    }

    // ---- properties --------------------------------------------------------

    /// Headrooms that exercise caps, zero and negative headroom, ties, the
    /// "no limit" value and the extreme `i64::MAX`.
    fn headroom() -> impl Strategy<Value = Cents> {
        prop_oneof![
            2 => Just(0i64),
            1 => -1_000i64..0,
            3 => 1i64..50,
            3 => 0i64..1_000_000,
            1 => 0i64..=MAX_PLEDGE.0,
            2 => Just(UNLIMITED_HEADROOM.0),
            1 => Just(i64::MAX),
        ]
        .prop_map(Cents)
    }

    fn amount() -> impl Strategy<Value = Cents> {
        prop_oneof![
            3 => 0i64..200,
            3 => 0i64..10_000_000,
            2 => 0i64..=MAX_PLEDGE.0,
            1 => Just(i64::MAX),
        ]
        .prop_map(Cents)
    }

    /// Recipients with unique keys, in arbitrary (not key-sorted) order.
    fn recipients(max: usize) -> impl Strategy<Value = Vec<Recipient<u16>>> {
        prop::collection::btree_set(any::<u16>(), 0..=max)
            .prop_flat_map(|keys| {
                let n = keys.len();
                (Just(keys), prop::collection::vec(headroom(), n))
            })
            .prop_map(|(keys, hs)| {
                keys.into_iter()
                    .zip(hs)
                    .map(|(k, h)| r(k, h))
                    .collect::<Vec<_>>()
            })
            .prop_shuffle()
    }

    fn cap(rcp: &Recipient<u16>) -> i64 {
        rcp.headroom.0.max(0)
    }

    /// The obvious, slow algorithm: hand out one cent at a time to the
    /// recipient with the smallest share that still has room, smallest key
    /// first among equals. `split` must agree with it exactly.
    fn one_cent_at_a_time(amount: Cents, rs: &[Recipient<u16>]) -> Split<u16> {
        let mut shares = vec![0i64; rs.len()];
        let mut left = amount.0;
        while left > 0 {
            let next = (0..rs.len())
                .filter(|&i| shares[i] < cap(&rs[i]))
                .min_by_key(|&i| (shares[i], rs[i].key));
            let Some(i) = next else { break };
            shares[i] += 1;
            left -= 1;
        }
        Split {
            shares: rs
                .iter()
                .zip(shares)
                .map(|(r, s)| (r.key, Cents(s)))
                .collect(),
            unallocated: Cents(left),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        #[test]
        fn shares_and_unallocated_add_up_to_the_amount(a in amount(), rs in recipients(24)) {
            let s = split(a, &rs);
            prop_assert_eq!(s.shares.len(), rs.len());
            for ((key, _), rcp) in s.shares.iter().zip(&rs) {
                prop_assert_eq!(*key, rcp.key);
            }
            let total: i128 = s.shares.iter().map(|(_, c)| i128::from(c.0)).sum();
            prop_assert_eq!(total + i128::from(s.unallocated.0), i128::from(a.0));
            prop_assert!(s.unallocated >= Cents::ZERO);
        }

        #[test]
        fn every_share_is_within_headroom(a in amount(), rs in recipients(24)) {
            let s = split(a, &rs);
            for ((_, share), rcp) in s.shares.iter().zip(&rs) {
                prop_assert!(share.0 >= 0, "negative share {share:?}");
                prop_assert!(share.0 <= cap(rcp), "share {share:?} over headroom {:?}", rcp.headroom);
            }
        }

        #[test]
        fn shares_are_as_equal_as_headroom_allows(a in amount(), rs in recipients(24)) {
            let s = split(a, &rs);
            let max = s.shares.iter().map(|(_, c)| c.0).max().unwrap_or(0);
            for (j, ((key_j, share_j), rj)) in s.shares.iter().zip(&rs).enumerate() {
                if share_j.0 == cap(rj) {
                    continue; // capped: may be anything up to its headroom
                }
                // Below its headroom: at most one cent short of anyone.
                prop_assert!(share_j.0 >= max - 1, "recipient {j} has {share_j:?}, max is {max}");
                // And anyone who got more got exactly the leftover cent, by key.
                for (key_i, share_i) in &s.shares {
                    if share_i > share_j {
                        prop_assert_eq!(share_i.0, share_j.0 + 1);
                        prop_assert!(key_i < key_j, "key {key_i} got a leftover cent before key {key_j}");
                    }
                }
            }
        }

        #[test]
        fn money_is_unallocated_only_when_everyone_is_full(a in amount(), rs in recipients(24)) {
            let s = split(a, &rs);
            if s.unallocated > Cents::ZERO {
                for ((_, share), rcp) in s.shares.iter().zip(&rs) {
                    prop_assert_eq!(share.0, cap(rcp));
                }
            }
        }

        #[test]
        fn order_of_recipients_does_not_matter(
            a in amount(),
            (rs, shuffled) in recipients(24).prop_flat_map(|rs| (Just(rs.clone()), Just(rs).prop_shuffle())),
        ) {
            let s1 = split(a, &rs);
            let s2 = split(a, &shuffled);
            let by_key = |s: &Split<u16>| s.shares.iter().copied().collect::<BTreeMap<_, _>>();
            prop_assert_eq!(by_key(&s1), by_key(&s2));
            prop_assert_eq!(s1.unallocated, s2.unallocated);
        }

        #[test]
        fn without_caps_shares_are_floor_or_ceil_and_smallest_keys_get_the_cent(
            a in 0i64..=MAX_PLEDGE.0,
            keys in prop::collection::btree_set(any::<u16>(), 1..40).prop_map(|k| k.into_iter().collect::<Vec<_>>()).prop_shuffle(),
        ) {
            let rs: Vec<_> = keys.iter().map(|&k| r(k, UNLIMITED_HEADROOM)).collect();
            let s = split(Cents(a), &rs);
            let n = rs.len() as i64;
            let (floor, extra) = (a / n, a % n);
            let mut sorted = keys.clone();
            sorted.sort_unstable();
            let cutoff = sorted.get(extra as usize).copied(); // first key without the cent
            let mut got_extra = 0;
            for (key, share) in &s.shares {
                prop_assert!(share.0 == floor || share.0 == floor + 1);
                let expect_extra = cutoff.is_none_or(|c| *key < c);
                prop_assert_eq!(share.0 == floor + 1, expect_extra, "key {}", key);
                got_extra += i64::from(share.0 == floor + 1);
            }
            prop_assert_eq!(got_extra, extra);
            prop_assert_eq!(s.unallocated, Cents::ZERO);
        }

        #[test]
        fn more_money_never_gives_anyone_less(a in amount(), more in 0i64..1_000_000, rs in recipients(24)) {
            let b = Cents(a.0.saturating_add(more));
            let (s1, s2) = (split(a, &rs), split(b, &rs));
            for ((_, x), (_, y)) in s1.shares.iter().zip(&s2.shares) {
                prop_assert!(x <= y, "{x:?} > {y:?} after adding money");
            }
            prop_assert!(s1.unallocated <= s2.unallocated);
        }

        #[test]
        fn agrees_with_handing_out_one_cent_at_a_time(
            a in 0i64..2_000,
            rs in prop::collection::btree_set(any::<u16>(), 0..8)
                .prop_flat_map(|keys| {
                    let n = keys.len();
                    let h = prop_oneof![-5i64..600, Just(UNLIMITED_HEADROOM.0)].prop_map(Cents);
                    (Just(keys), prop::collection::vec(h, n))
                })
                .prop_map(|(keys, hs)| keys.into_iter().zip(hs).map(|(k, h)| r(k, h)).collect::<Vec<_>>())
                .prop_shuffle(),
        ) {
            prop_assert_eq!(split(Cents(a), &rs), one_cent_at_a_time(Cents(a), &rs));
        }

        #[test]
        fn preview_is_split_without_caps(a in amount(), n in 0usize..50) {
            let preview = split_evenly_preview(a, n);
            prop_assert_eq!(preview.len(), n);
            let total: i128 = preview.iter().map(|c| i128::from(c.0)).sum();
            prop_assert_eq!(total, if n == 0 { 0 } else { i128::from(a.0) });
            if n > 0 {
                let n64 = n as i64;
                for (i, share) in preview.iter().enumerate() {
                    let expected = a.0 / n64 + i64::from((i as i64) < a.0 % n64);
                    prop_assert_eq!(share.0, expected);
                }
            }
        }
    }
}
