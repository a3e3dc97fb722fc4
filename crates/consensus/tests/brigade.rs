//! A planted burst: 40 accounts arrive within minutes, vote like one side on
//! everything except the statement they push, which they agree with as if
//! the other side did too. The burst is flagged, nobody organic is, and
//! without it the bridging ranking is what it was before the attack.

use cohort_consensus::bridging::{bridging, Bridging, BridgingParams};
use cohort_consensus::brigade::{detect, without, BrigadeParams};
use cohort_consensus::rng::Rng;
use cohort_consensus::{VoteMatrix, VoteRecord};

const STATEMENTS: u64 = 30;
/// The pushed statement: side A agrees, side B disagrees.
const PUSHED: u64 = 0;
const MINUTE: i64 = 60_000;

/// Side A's (agree, disagree) probabilities; side B's are mirrored on the
/// divisive statements. 1..=9 everyone agrees with.
fn stance(s: u64, side_a: bool) -> (f64, f64) {
    match s {
        1..=9 => (0.85, 0.05),
        _ if s.is_multiple_of(2) == side_a => (0.85, 0.1),
        _ => (0.1, 0.85),
    }
}

fn organic() -> Vec<VoteRecord> {
    let mut rng = Rng::new(4);
    let mut votes = Vec::new();
    for p in 0..400u64 {
        let arrive = p as i64 * 20 * MINUTE;
        let side_a = p.is_multiple_of(2);
        for s in 0..STATEMENTS {
            let (a, d) = stance(s, side_a);
            let u = rng.next_f64();
            let vote = if u < a {
                1
            } else if u < a + d {
                -1
            } else {
                0
            };
            votes.push(VoteRecord {
                participant: p,
                statement: s,
                vote,
                time: arrive + s as i64 * 1000,
            });
        }
    }
    votes
}

fn burst() -> Vec<VoteRecord> {
    let start = 100 * 20 * MINUTE + 7 * MINUTE;
    let mut votes = Vec::new();
    for j in 0..40u64 {
        for s in 0..STATEMENTS {
            // Side B everywhere, but agree with the pushed statement; every
            // fifth account differs on one statement, to be near-identical
            // rather than identical.
            let mut vote = if s == PUSHED || (1..=9).contains(&s) || !s.is_multiple_of(2) {
                1
            } else {
                -1
            };
            if j.is_multiple_of(5) && s == 12 {
                vote = 0;
            }
            votes.push(VoteRecord {
                participant: 10_000 + j,
                statement: s,
                vote,
                time: start + j as i64 * 10_000 + s as i64 * 500,
            });
        }
    }
    votes
}

fn scores(votes: &[VoteRecord]) -> Bridging {
    let params = BridgingParams {
        resamples: 20,
        ..BridgingParams::default()
    };
    bridging(&VoteMatrix::from_votes(votes), &[], &params)
}

fn across(b: &Bridging, s: u64) -> f64 {
    b.statements
        .iter()
        .find(|x| x.statement == s)
        .unwrap()
        .across
}

/// Statements ordered by the lower bound, best first (the adoption order).
fn ranking(b: &Bridging) -> Vec<u64> {
    let mut v: Vec<(f64, u64)> = b.statements.iter().map(|x| (x.low, x.statement)).collect();
    v.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    v.into_iter().map(|(_, s)| s).collect()
}

#[test]
fn a_planted_burst_is_flagged_and_the_bridging_ranking_resists_it() {
    let clean = organic();
    let mut attacked = clean.clone();
    attacked.extend(burst());

    // Organic arrivals alone: nothing flagged.
    assert!(detect(&clean, &BrigadeParams::default()).is_empty());

    let bursts = detect(&attacked, &BrigadeParams::default());
    assert_eq!(bursts.len(), 1, "{bursts:?}");
    let want: Vec<u64> = (10_000..10_040).collect();
    assert_eq!(bursts[0].participants, want);
    assert!(bursts[0].until - bursts[0].from < 10 * MINUTE);

    let before = scores(&clean);
    let during = scores(&attacked);
    let after = scores(&without(&attacked, &bursts));
    // The attack works on the raw votes: the pushed statement looks more
    // agreed across the divide than it is.
    assert!(
        across(&during, PUSHED) > across(&before, PUSHED) + 0.02,
        "burst moved {} -> {}",
        across(&before, PUSHED),
        across(&during, PUSHED)
    );
    // Down-weighted (the burst left out), the scores and the adoption order
    // are the organic ones, and the pushed statement is no candidate plank.
    assert_eq!(ranking(&after), ranking(&before));
    assert_eq!(after, before);
    assert!(!after
        .statements
        .iter()
        .any(|x| x.statement == PUSHED && x.bridges));
}

/// A scripted burst (identical votes) whose members arrive among many more
/// organic arrivals than an arrival is compared with ([`SCAN`] recent
/// packs) is still found whole, through the hash of its votes.
#[test]
fn an_identical_burst_among_a_crowd_of_arrivals_is_found_whole() {
    use cohort_consensus::brigade::SCAN;
    let mut rng = Rng::new(9);
    let mut votes = Vec::new();
    let between = SCAN * 2;
    let burst_size = 30u64;
    let organic = burst_size as usize * between;
    let mut t = 0i64;
    let mut next_burst = 0u64;
    for p in 0..organic as u64 {
        t += 100;
        for s in 0..STATEMENTS {
            let u = rng.next_f64();
            votes.push(VoteRecord {
                participant: p,
                statement: s,
                vote: if u < 0.45 {
                    1
                } else if u < 0.9 {
                    -1
                } else {
                    0
                },
                time: t,
            });
        }
        if (p as usize).is_multiple_of(between) && next_burst < burst_size {
            for s in 0..STATEMENTS {
                votes.push(VoteRecord {
                    participant: 1_000_000 + next_burst,
                    statement: s,
                    vote: if s % 3 == 0 { -1 } else { 1 },
                    time: t + 1,
                });
            }
            next_burst += 1;
        }
    }
    let found = detect(
        &votes,
        &BrigadeParams {
            // Everyone arrives within one window; a burst of 30 is 0.7%.
            window_ms: t + 1,
            min_share: 0.005,
            ..BrigadeParams::default()
        },
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0].participants,
        (1_000_000..1_000_000 + burst_size).collect::<Vec<u64>>()
    );
}
