//! Replays one Pol.is export many times in one process and prints the
//! fastest replay, for profiling the replay under `perf` (a fresh
//! `cohort consensus` runs it once, cold):
//!
//! cargo run --release -p cohort-consensus --example replay_loop -- DIR [RUNS] [THREADS]
//!
//! With 5 runs or fewer every run's time is printed too (the first is the
//! cold one).

use cohort_consensus::history::{replay, UpdateRule};
use cohort_consensus::{polis_csv, Params};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(args.get(1).expect("an export folder"));
    let runs: usize = args
        .get(2)
        .map_or(30, |s| s.parse().expect("a count of runs"));
    let threads: usize = args
        .get(3)
        .map_or(1, |s| s.parse().expect("a thread count"));
    let read = |n: &str| std::fs::read_to_string(dir.join(n)).ok();
    let export = polis_csv::read_export(
        &read("comments.csv").expect("comments.csv"),
        read("participants-votes.csv").as_deref(),
        read("votes.csv").as_deref(),
    )
    .expect("a Pol.is export");
    let params = Params {
        threads,
        ..Params::default()
    };
    let moderated_out = polis_csv::moderated_out(&export.comments);
    let mut best = f64::MAX;
    for _ in 0..runs {
        let started = std::time::Instant::now();
        let r = replay(
            &export.votes,
            &moderated_out,
            &params,
            &UpdateRule::default(),
        );
        let seconds = started.elapsed().as_secs_f64();
        if runs <= 5 {
            println!("run {:.2} ms", seconds * 1e3);
        }
        best = best.min(seconds);
        std::hint::black_box(r);
    }
    println!("best of {runs}: {:.2} ms", best * 1e3);
}
