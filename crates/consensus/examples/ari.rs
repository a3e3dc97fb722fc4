//! Replays every Pol.is export folder under a directory and prints the
//! adjusted Rand index of the groups to Pol.is's own `group-id`, for
//! comparing pipeline variants by hand:
//!
//! cargo run --release -p cohort-consensus --example ari -- DATA_DIR [growth|poll] [weighted 0|1] [refine 0|1]
//!
//! `poll` replays with an update per poll window (`UpdateRule::every_poll`).

use cohort_consensus::history::{replay, UpdateRule};
use cohort_consensus::{metrics, polis_csv, Params};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(&args[1]);
    let rule = match args.get(2).map(String::as_str) {
        Some("poll") => UpdateRule::every_poll(),
        Some(g) => UpdateRule {
            growth: g.parse().expect("a growth like 0.5, or poll"),
            ..UpdateRule::default()
        },
        None => UpdateRule::default(),
    };
    let weighted = args.get(3).is_none_or(|s| s == "1");
    let refine = args.get(4).is_none_or(|s| s == "1");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("comments.csv").exists())
        .map(|e| e.path())
        .collect();
    names.sort();
    for path in names {
        let read = |n: &str| std::fs::read_to_string(path.join(n)).ok();
        let comments = read("comments.csv").unwrap();
        let pv = read("participants-votes.csv");
        let votes = read("votes.csv");
        let export = polis_csv::read_export(&comments, pv.as_deref(), votes.as_deref()).unwrap();
        let params = Params {
            seed: 1,
            weighted_silhouette: weighted,
            refine_participants: refine,
            ..Params::default()
        };
        let t = std::time::Instant::now();
        let r = replay(
            &export.votes,
            &polis_csv::moderated_out(&export.comments),
            &params,
            &rule,
        );
        let secs = t.elapsed().as_secs_f64();
        let mut ours = std::collections::HashMap::new();
        for g in &r.analysis.groups {
            for p in &g.participants {
                ours.insert(*p, g.id as i64);
            }
        }
        let (polis, found): (Vec<i64>, Vec<i64>) = export
            .polis_groups
            .iter()
            .map(|(p, g)| (*g as i64, ours.get(p).copied().unwrap_or(-1)))
            .unzip();
        let ari = metrics::adjusted_rand_index(&polis, &found);
        let sizes: Vec<usize> = r
            .analysis
            .groups
            .iter()
            .map(|g| g.participants.len())
            .collect();
        let best: Vec<usize> = r.steps.iter().map(|s| s.best_k).collect();
        println!(
            "{:40} k={} sizes={:?} in={} ari={:.3} updates={} {:.3}s pca_iters={} best={:?}",
            path.file_name().unwrap().to_string_lossy(),
            r.analysis.groups.len(),
            sizes,
            r.analysis.in_conversation.len(),
            ari,
            r.steps.len(),
            secs,
            r.analysis.pca.iterations[0],
            if best.len() > 30 {
                best[best.len() - 30..].to_vec()
            } else {
                best
            }
        );
    }
}
