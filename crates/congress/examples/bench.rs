//! Benchmark (issue 17): cohesion for a 50-member bloc over every roll call
//! of the 119th Congress, and targeting across the whole House, on the full
//! data in /work/shared (or the directory given).
//!
//!     cargo run --release -p cohort-congress --example bench [-- DIR]
//!
//! Reading the files is IO and lives here, not in the crate.

use std::time::Instant;

use cohort_congress::{
    cohesion, targets, BlocMember, Chamber, Congress, PlatformTag, RollCalls, Vote,
};

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/work/shared/data/congress".into());
    let read = |p: &str| {
        std::fs::read_to_string(format!("{dir}/{p}")).unwrap_or_else(|e| panic!("{p}: {e}"))
    };
    let (rc, pos) = (
        read("votes-119/rollcalls.csv"),
        read("votes-119/positions.csv"),
    );
    let (t, c0) = (Instant::now(), cpu());
    let votes = RollCalls::parse(&rc, &pos).expect("votes-119 parses");
    let parse = t.elapsed();
    let parse_cpu = cpu() - c0;
    let congress = cohort_congress::shipped::congress().expect("the shipped extract");
    let n_pos: usize = votes.positions.values().map(|p| p.len()).sum();
    println!(
        "parsed {} roll calls, {} positions in {:?} wall, {:.2} s CPU",
        votes.calls.len(),
        n_pos,
        parse,
        parse_cpu
    );

    // 50 House Democrats, in bioguide order.
    let bloc: Vec<BlocMember> = bloc(&congress, 50);
    // The platform: every 10th House roll call, on the side most of the bloc took.
    let tags: Vec<PlatformTag> = votes
        .calls
        .values()
        .filter(|c| c.chamber == Chamber::House)
        .step_by(10)
        .filter_map(|c| {
            let yes = bloc
                .iter()
                .filter(|m| votes.vote(&c.vote_id, &m.member_id) == Some(Vote::Yes))
                .count();
            let no = bloc
                .iter()
                .filter(|m| votes.vote(&c.vote_id, &m.member_id) == Some(Vote::No))
                .count();
            (yes != no).then(|| PlatformTag {
                vote_id: c.vote_id.clone(),
                position: if yes > no { Vote::Yes } else { Vote::No },
            })
        })
        .collect();

    let runs = 20;
    let (t, c0) = (Instant::now(), cpu());
    let mut c = None;
    for _ in 0..runs {
        c = Some(cohesion(&votes, &bloc, &tags, None, None));
    }
    let per = t.elapsed() / runs;
    let per_cpu = (cpu() - c0) / f64::from(runs);
    let c = c.expect("ran");
    println!(
        "cohesion, 50-member bloc, {} counted roll calls, {} tags: {:?} wall, {:.3} s CPU per run (rice {:.4}, {} splits)",
        c.roll_calls,
        tags.len(),
        per,
        per_cpu,
        c.rice.unwrap_or(0.0),
        c.splits.len()
    );

    let (t, c0) = (Instant::now(), cpu());
    let mut n = 0;
    for _ in 0..runs {
        n = targets(&congress, &votes, Chamber::House, "Democrat", &tags, &[]).len()
            + targets(&congress, &votes, Chamber::House, "Republican", &tags, &[]).len();
    }
    println!(
        "targeting, whole House (both parties, {n} members): {:?} wall, {:.3} s CPU per run",
        t.elapsed() / runs,
        (cpu() - c0) / f64::from(runs)
    );
}

/// CPU seconds this process has used (user + system), from /proc: on a
/// shared, loaded machine wall time also counts other people's work.
fn cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|x| x.1).unwrap_or("");
    let f: Vec<f64> = after
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    // Fields 14 and 15 (utime, stime) are the 12th and 13th after the name.
    (f.get(11).unwrap_or(&0.0) + f.get(12).unwrap_or(&0.0)) / 100.0
}

fn bloc(congress: &Congress, n: usize) -> Vec<BlocMember> {
    let mut ds: Vec<_> = congress
        .legislators
        .iter()
        .filter(|l| l.chamber == Chamber::House && l.caucus == "Democrat" && l.votes())
        .collect();
    ds.sort_by(|a, b| a.bioguide.cmp(&b.bioguide));
    ds.into_iter()
        .take(n)
        .map(|l| BlocMember {
            candidate: l.bioguide.to_lowercase(),
            member_id: l.bioguide.clone(),
        })
        .collect()
}
