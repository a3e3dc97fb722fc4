//! `cohort consensus DIR --json` on exports written here: the same bytes on 1
//! and 16 threads, the hash of the vote matrix it read, and the k rule each
//! export layout gets (a vote history: the smoother; only the final matrix:
//! the single silhouette).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use cohort_consensus::polis_csv::{self, Comment};
use cohort_consensus::synthetic::{generate, Spec};
use cohort_consensus::VoteMatrix;
use serde_json::Value;

fn export_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cohort-consensus-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn comments(n: u64) -> String {
    let rows: Vec<Comment> = (0..n)
        .map(|id| Comment {
            id,
            author: None,
            timestamp: None,
            datetime: String::new(),
            agrees: 0,
            disagrees: 0,
            moderated: if id == 3 { -1 } else { 1 },
            body: format!("statement {id}"),
        })
        .collect();
    polis_csv::write_comments(&rows)
}

fn run(dir: &Path, threads: &str) -> Vec<u8> {
    run_with(dir, threads, &[])
}

fn run_with(dir: &Path, threads: &str, extra: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_cohort"))
        .args(["consensus", dir.to_str().unwrap(), "--json", "--seed", "2"])
        .args(["--threads", threads])
        .args(extra)
        .output()
        .expect("run cohort");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn the_json_is_the_same_bytes_on_one_and_sixteen_threads_and_names_its_matrix() {
    // More participants than one 4096-row block, so 16 threads split work.
    let s = generate(&Spec {
        participants: 5_000,
        statements: 25,
        votes: 60_000,
        groups: 2,
        consensus_share: 0.2,
        seed: 5,
    });
    let dir = export_dir("history");
    std::fs::write(dir.join("comments.csv"), comments(25)).unwrap();
    std::fs::write(dir.join("votes.csv"), polis_csv::write_votes(&s.votes)).unwrap();

    let one = run(&dir, "1");
    let sixteen = run(&dir, "16");
    assert!(one == sixteen, "1 and 16 threads printed different JSON");

    let j: Value = serde_json::from_slice(&one).unwrap();
    let want = VoteMatrix::from_votes(&s.votes).sha256_hex();
    assert_eq!(j["matrix_sha256"], Value::String(want));
    assert_eq!(j["moderated_out"], serde_json::json!([3]));
    assert_eq!(j["k_rule"], "smoother");
    assert!(j["k_updates"].as_array().unwrap().len() > 1);
    assert!(j.get("seconds").is_none(), "timings only with --timings");

    // --repeat times several runs in one process (a benchmark's in-process
    // figure): the same result, the fastest run and the first.
    let mut repeated: Value =
        serde_json::from_slice(&run_with(&dir, "2", &["--timings", "--repeat", "3"])).unwrap();
    let (best, first) = (
        repeated["seconds"].as_f64().expect("seconds"),
        repeated["first_seconds"].as_f64().expect("first_seconds"),
    );
    assert!(best > 0.0 && best <= first, "{best} {first}");
    for k in ["seconds", "first_seconds", "load_seconds"] {
        repeated.as_object_mut().unwrap().remove(k);
    }
    assert_eq!(repeated, j, "every run gives the same result");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn only_the_final_matrix_means_the_single_silhouette() {
    let s = generate(&Spec {
        participants: 300,
        statements: 20,
        votes: 4_000,
        groups: 2,
        consensus_share: 0.2,
        seed: 9,
    });
    let m = VoteMatrix::from_votes(&s.votes);
    let dir = export_dir("final");
    std::fs::write(dir.join("comments.csv"), comments(20)).unwrap();
    std::fs::write(
        dir.join("participants-votes.csv"),
        polis_csv::write_participants_votes(&m, &BTreeMap::new(), &[]),
    )
    .unwrap();
    let j: Value = serde_json::from_slice(&run(&dir, "2")).unwrap();
    assert_eq!(j["k_rule"], "single_silhouette");
    assert_eq!(j["k_updates"].as_array().unwrap().len(), 1);
    // The same votes, so the same hash as from the history.
    assert_eq!(j["matrix_sha256"], Value::String(m.sha256_hex()));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn every_poll_replays_one_update_per_poll_window_like_polis() {
    let s = generate(&Spec {
        participants: 60,
        statements: 12,
        votes: 500,
        groups: 2,
        consensus_share: 0.2,
        seed: 4,
    });
    // The generator's times are 0, 1, 2, ...; 500 ms apart, two votes share
    // each one-second poll window.
    let votes: Vec<_> = s
        .votes
        .iter()
        .map(|v| cohort_consensus::VoteRecord {
            time: v.time * 500,
            ..*v
        })
        .collect();
    let windows = votes
        .iter()
        .map(|v| v.time / 1000)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let dir = export_dir("every-poll");
    std::fs::write(dir.join("comments.csv"), comments(12)).unwrap();
    std::fs::write(dir.join("votes.csv"), polis_csv::write_votes(&votes)).unwrap();
    let ladder: Value = serde_json::from_slice(&run(&dir, "1")).unwrap();
    let polled: Value = serde_json::from_slice(&run_with(&dir, "1", &["--every-poll"])).unwrap();
    assert_eq!(polled["k_updates"].as_array().unwrap().len(), windows);
    assert!(ladder["k_updates"].as_array().unwrap().len() < windows / 4);
    assert_eq!(polled["matrix_sha256"], ladder["matrix_sha256"]);
    std::fs::remove_dir_all(&dir).unwrap();
}
