//! The bridging interval (`bridging::Interval`): it holds the statement's
//! fitted score and it is wider when fewer people voted, for every method;
//! holding the participants' parameters (as Community Notes' pseudo-rater
//! refits hold them) gives narrower intervals than refitting the whole
//! model, and the default, which adds back what holding leaves out, does
//! not.

use cohort_consensus::bridging::{bridging, Bridge, BridgingParams, Interval};
use cohort_consensus::synthetic::{generate, Spec};
use cohort_consensus::{VoteMatrix, VoteRecord};
use proptest::prelude::*;

fn vote(participant: u64, statement: u64, agree: bool) -> VoteRecord {
    VoteRecord {
        participant,
        statement,
        vote: if agree { 1 } else { -1 },
        time: 0,
    }
}

/// 200 participants in two camps (even, odd) split on statements 1 and 2;
/// statements 3 and 4 are agreed by four in five of each camp, 3 voted on by
/// everyone, 4 by the first `few`.
fn conversation(few: u64) -> VoteMatrix {
    let mut votes = Vec::new();
    for p in 0..200u64 {
        let camp = p % 2 == 0;
        votes.push(vote(p, 1, camp));
        votes.push(vote(p, 2, !camp));
        let agree = (p / 2) % 5 != 0;
        votes.push(vote(p, 3, agree));
        if p < few {
            votes.push(vote(p, 4, agree));
        }
    }
    VoteMatrix::from_votes(&votes)
}

fn by(b: &[Bridge], s: u64) -> Bridge {
    b.iter().find(|x| x.statement == s).unwrap().clone()
}

#[test]
fn fewer_votes_give_a_wider_interval_around_the_score() {
    fewer_votes_wider(Interval::Refit);
    fewer_votes_wider(Interval::Held);
    fewer_votes_wider(Interval::Combined);
}

fn fewer_votes_wider(interval: Interval) {
    let params = BridgingParams {
        interval,
        ..BridgingParams::default()
    };
    let b = bridging(&conversation(30), &[], &params);
    let (all, few) = (by(&b.statements, 3), by(&b.statements, 4));
    assert_eq!((all.votes, few.votes), (200, 30));
    for s in [&all, &few] {
        assert!(s.low < s.across && s.across < s.high, "{s:?}");
    }
    let width = |s: &Bridge| s.high - s.low;
    // Sampling error goes as 1/√votes: √(200/30) ≈ 2.6.
    assert!(
        width(&few) > 1.8 * width(&all),
        "30 votes {few:?}, 200 votes {all:?}"
    );
    // And it narrows as the votes grow, step by step.
    let mut last = f64::INFINITY;
    for n in [20, 60, 120, 200] {
        let b = bridging(&conversation(n), &[], &params);
        let s = by(&b.statements, 4);
        assert!(width(&s) < last, "{n} votes: {s:?}, width before {last}");
        last = width(&s);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// On any conversation, every interval holds its score, and the lower
    /// bound alone decides a candidate plank.
    #[test]
    fn every_interval_holds_its_score(seed in 0u64..1000, p in 20usize..150, s in 5usize..25) {
        let g = generate(&Spec {
            participants: p,
            statements: s,
            votes: p * s / 2,
            groups: 2 + (seed % 3) as usize,
            consensus_share: 0.3,
            seed,
        });
        let m = VoteMatrix::from_votes(&g.votes);
        let params = BridgingParams { seed, ..BridgingParams::default() };
        for x in bridging(&m, &[], &params).statements {
            prop_assert!(x.low <= x.across && x.across <= x.high, "{:?}", x);
            prop_assert_eq!(x.bridges, x.low >= params.bar);
        }
    }
}

/// Bridging of `m` with `interval` over `resample_iters` resamples on 2
/// threads: the intervals' mean width, and how many statements bridge.
fn widths(m: &VoteMatrix, interval: Interval, resample_iters: usize) -> (f64, usize) {
    let b = bridging(
        m,
        &[],
        &BridgingParams {
            interval,
            resample_iters,
            threads: 2,
            ..BridgingParams::default()
        },
    );
    let w = b.statements.iter().map(|s| s.high - s.low).sum::<f64>() / b.statements.len() as f64;
    (w, b.statements.iter().filter(|s| s.bridges).count())
}

/// On a conversation of several groups along one factor (where the axis is
/// weakly determined), holding the participants leaves out most of the
/// spread the whole model's refits (run to convergence) find.
#[test]
fn holding_participants_is_narrower_than_refitting_everything_and_the_default_is_not() {
    let g = generate(&Spec {
        participants: 3_000,
        statements: 40,
        votes: 30_000,
        groups: 4,
        consensus_share: 0.15,
        seed: 4,
    });
    let m = VoteMatrix::from_votes(&g.votes);
    let held = widths(&m, Interval::Held, 0).0;
    let combined = widths(&m, Interval::Combined, 20).0;
    let refit = widths(&m, Interval::Refit, 500).0;
    eprintln!(
        "mean width: participants held {held:.4}, combined {combined:.4}, whole model refitted {refit:.4}"
    );
    assert!(held < 0.5 * refit, "held {held} vs refit {refit}");
    assert!(
        (0.85 * refit..1.3 * refit).contains(&combined),
        "the default is about as wide as refitting everything: {combined} vs {refit}"
    );
}

/// On a real conversation (vTaiwan UberX, CC BY 4.0): both bootstraps'
/// mean widths, printed, and the default's against the refits'.
#[test]
fn on_a_real_conversation_holding_participants_is_narrower_too() {
    use cohort_consensus::polis_csv;
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/polis/vtaiwan.uberx"
    );
    let read = |name: &str| std::fs::read_to_string(format!("{dir}/{name}")).expect("fixture");
    let export = polis_csv::read_export(
        &read("comments.csv"),
        Some(&read("participants-votes.csv")),
        None,
    )
    .expect("the fixture parses");
    let m = VoteMatrix::from_votes(&export.votes);
    let held = widths(&m, Interval::Held, 0);
    let combined = widths(&m, Interval::Combined, 20);
    let refit = widths(&m, Interval::Refit, 500);
    eprintln!(
        "vTaiwan mean width, bridges: participants held {held:?}, combined {combined:?}, whole model refitted {refit:?}"
    );
    assert!(held.0 < refit.0, "narrower on real votes too");
    assert!(combined.0 >= 0.9 * refit.0, "{combined:?} vs {refit:?}");
}
