// throwaway: loop history::replay on one export for perf
use cohort_consensus::history::{replay, UpdateRule};
use cohort_consensus::{polis_csv, Params};
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let path = std::path::PathBuf::from(&a[1]);
    let reps: usize = a[2].parse().unwrap();
    let threads: usize = a.get(3).map(|s| s.parse().unwrap()).unwrap_or(1);
    let read = |n: &str| std::fs::read_to_string(path.join(n)).ok();
    let export = polis_csv::read_export(
        &read("comments.csv").unwrap(),
        read("participants-votes.csv").as_deref(),
        read("votes.csv").as_deref(),
    )
    .unwrap();
    let params = Params {
        threads,
        ..Params::default()
    };
    let mo = polis_csv::moderated_out(&export.comments);
    let mut best = f64::MAX;
    for _ in 0..reps {
        let t = std::time::Instant::now();
        let r = replay(&export.votes, &mo, &params, &UpdateRule::default());
        best = best.min(t.elapsed().as_secs_f64());
        if reps <= 5 {
            eprintln!("run {:.2} ms", t.elapsed().as_secs_f64() * 1e3);
        }
        std::hint::black_box(r);
    }
    println!("best {:.2} ms", best * 1e3);
}
