//! The bridging interval's two bootstraps side by side on a synthetic
//! conversation (4 groups on one factor, where the factor's axis is weakly
//! determined): mean and median width, how many statements bridge, and time.
//!
//! cargo run --release -p cohort-consensus --example interval -- PARTICIPANTSxSTATEMENTS VOTES [REFIT_ITERS]

use std::time::Instant;

use cohort_consensus::bridging::{bridging, BridgingParams, Interval};
use cohort_consensus::synthetic::{generate, Spec};
use cohort_consensus::VoteMatrix;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (p, s) = args[1].split_once('x').expect("PARTICIPANTSxSTATEMENTS");
    let votes: usize = args[2].parse().expect("VOTES");
    let refit_iters: usize = args.get(3).map_or(500, |r| r.parse().unwrap());
    let g = generate(&Spec {
        participants: p.parse().unwrap(),
        statements: s.parse().unwrap(),
        votes,
        groups: 4,
        consensus_share: 0.15,
        seed: 1,
    });
    let m = VoteMatrix::from_votes(&g.votes);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    for (name, interval, resample_iters) in [
        ("participants held", Interval::Held, 0),
        ("combined (default)", Interval::Combined, 20),
        ("whole model refitted", Interval::Refit, refit_iters),
    ] {
        let t = Instant::now();
        let b = bridging(
            &m,
            &[],
            &BridgingParams {
                interval,
                resample_iters,
                threads,
                ..BridgingParams::default()
            },
        );
        let mut w: Vec<f64> = b.statements.iter().map(|s| s.high - s.low).collect();
        w.sort_by(f64::total_cmp);
        let bridges = b.statements.iter().filter(|s| s.bridges).count();
        println!(
            "{name}: mean width {:.4}, median {:.4}, {bridges} of {} bridge, {:.1} s",
            w.iter().sum::<f64>() / w.len() as f64,
            w[w.len() / 2],
            w.len(),
            t.elapsed().as_secs_f64()
        );
    }
}
