//! The same votes and seed give the same bytes whatever the thread count:
//! `par::map_ranges` cuts work into fixed 4096-row blocks and sums them in
//! block order, so these conversations have more rows than one block.

use cohort_consensus::history::{replay, UpdateRule};
use cohort_consensus::synthetic::{generate, Spec};
use cohort_consensus::{analyze, Params, VoteMatrix};

fn params(threads: usize) -> Params {
    Params {
        seed: 7,
        threads,
        ..Params::default()
    }
}

#[test]
fn one_and_sixteen_threads_give_byte_identical_results() {
    let s = generate(&Spec {
        participants: 9_000,
        statements: 60,
        votes: 150_000,
        groups: 3,
        consensus_share: 0.2,
        seed: 11,
    });
    let m = VoteMatrix::from_votes(&s.votes);
    assert!(m.n_rows() > 2 * 4096, "needs several blocks to split");
    let one = serde_json::to_vec(&analyze(&m, &[5], &params(1), None)).unwrap();
    let sixteen = serde_json::to_vec(&analyze(&m, &[5], &params(16), None)).unwrap();
    assert!(one == sixteen, "1 and 16 threads differ");
    // And the seed matters (so the comparison above could fail).
    let other = serde_json::to_vec(&analyze(
        &m,
        &[5],
        &Params {
            seed: 8,
            ..params(1)
        },
        None,
    ))
    .unwrap();
    assert!(one != other);
}

#[test]
fn a_replayed_history_is_byte_identical_on_one_and_sixteen_threads() {
    let s = generate(&Spec {
        participants: 4_500,
        statements: 30,
        votes: 45_000,
        groups: 2,
        consensus_share: 0.2,
        seed: 3,
    });
    let rule = UpdateRule {
        first: 2_000,
        ..UpdateRule::default()
    };
    let run = |threads| {
        let r = replay(&s.votes, &[], &params(threads), &rule);
        assert!(r.steps.len() > 4, "a history of several updates");
        serde_json::to_vec(&(r.analysis, r.steps)).unwrap()
    };
    assert!(run(1) == run(16), "1 and 16 threads differ");
}

#[test]
fn bridging_and_its_bootstrap_are_byte_identical_on_one_and_sixteen_threads() {
    use cohort_consensus::bridging::{bridging, BridgingParams};
    let s = generate(&Spec {
        participants: 9_000,
        statements: 40,
        votes: 90_000,
        groups: 3,
        consensus_share: 0.2,
        seed: 5,
    });
    let m = VoteMatrix::from_votes(&s.votes);
    assert!(m.n_rows() > 2 * 4096, "needs several blocks to split");
    let run = |threads| {
        let p = BridgingParams {
            resamples: 6,
            threads,
            ..BridgingParams::default()
        };
        serde_json::to_vec(&bridging(&m, &[3], &p)).unwrap()
    };
    let one = run(1);
    assert!(one == run(16), "1 and 16 threads differ");
    let other = bridging(
        &m,
        &[3],
        &BridgingParams {
            resamples: 6,
            seed: 1,
            ..BridgingParams::default()
        },
    );
    assert!(
        one != serde_json::to_vec(&other).unwrap(),
        "the seed matters"
    );
}
