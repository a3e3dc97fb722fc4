//! The scale benchmark of issue 20 without the app: a synthetic conversation
//! of PARTICIPANTSxSTATEMENTS with VOTES votes, then groups and consensus
//! (`analyze`) and bridging scores (`bridging`), each timed, with the peak
//! resident memory (`VmHWM`) at the end:
//!
//! cargo run --release -p cohort-consensus --example scale -- 1000000x10000 50000000 [RESAMPLES] [THREADS]
//!
//! RESAMPLES is the bridging bootstrap's (default: `BridgingParams`'s).

use std::time::Instant;

use cohort_consensus::bridging::{bridging, BridgingParams};
use cohort_consensus::synthetic::{generate, Spec};
use cohort_consensus::{analyze, Params, VoteMatrix};

fn peak_rss_gib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (p, s) = args[1].split_once('x').expect("PARTICIPANTSxSTATEMENTS");
    let (participants, statements): (usize, usize) = (p.parse().unwrap(), s.parse().unwrap());
    let votes: usize = args[2].parse().expect("VOTES");
    let defaults = BridgingParams::default();
    let resamples = args
        .get(3)
        .map_or(defaults.resamples, |r| r.parse().unwrap());
    let threads = args.get(4).map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        |t| t.parse().unwrap(),
    );
    let t = Instant::now();
    let generated = generate(&Spec {
        participants,
        statements,
        votes,
        groups: 4,
        consensus_share: 0.15,
        seed: 1,
    });
    let gen = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let m = VoteMatrix::from_votes(&generated.votes);
    drop(generated);
    let matrix = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let a = analyze(
        &m,
        &[],
        &Params {
            seed: 1,
            threads,
            ..Params::default()
        },
        None,
    );
    let groups = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let b = bridging(
        &m,
        &[],
        &BridgingParams {
            resamples,
            threads,
            ..defaults
        },
    );
    let bridge = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let one = bridging(
        &m,
        &[],
        &BridgingParams {
            resamples: 0,
            threads,
            ..BridgingParams::default()
        },
    );
    let fit = t.elapsed().as_secs_f64();
    assert_eq!(one.iterations, b.iterations);
    println!(
        "{participants}x{statements}, {} votes, {threads} threads: generate {gen:.1} s, matrix {matrix:.1} s, groups+consensus {groups:.1} s ({} groups), bridging {bridge:.1} s ({} passes, {resamples} resamples, {} statements scored; the fit alone {fit:.1} s); pipeline {:.1} s; peak RSS {:.2} GiB",
        m.n_votes(),
        a.groups.len(),
        b.iterations,
        b.statements.len(),
        matrix + groups + bridge,
        peak_rss_gib()
    );
}
