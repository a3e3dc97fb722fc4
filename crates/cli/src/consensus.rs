//! `cohort consensus`: opinion groups and consensus statements of a Pol.is
//! open-data export folder, or of a generated conversation (`--synthetic`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use cohort_consensus::history::{self, KRule, Step, UpdateRule};
use cohort_consensus::{polis_csv, synthetic, Analysis, Params, VoteMatrix, VoteRecord};
use serde::Serialize;

#[derive(clap::Args)]
pub struct ConsensusArgs {
    /// A folder with comments.csv and participants-votes.csv (and votes.csv,
    /// used when present) in the Pol.is open-data format.
    #[arg(required_unless_present = "synthetic")]
    dir: Option<PathBuf>,
    /// Print one JSON object instead of a summary.
    #[arg(long)]
    json: bool,
    /// Seed of the PCA start vectors (and of --synthetic).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Worker threads (default: the machine's cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Generate a conversation instead of reading DIR: PARTICIPANTSxSTATEMENTS.
    #[arg(long, value_name = "PxS", conflicts_with = "dir")]
    synthetic: Option<String>,
    /// Votes in the synthetic conversation.
    #[arg(long, default_value_t = 5_000_000, requires = "synthetic")]
    votes: usize,
    /// Latent opinion groups in the synthetic conversation.
    #[arg(long, default_value_t = 4, requires = "synthetic")]
    latent_groups: usize,
    /// Replay votes.csv with an update after every 1-second poll window, as
    /// Pol.is itself updates (slow: one update per window, thousands on a
    /// small conversation), instead of the default geometric ladder of
    /// updates (see `cohort_consensus::history`).
    #[arg(long, conflicts_with = "synthetic")]
    every_poll: bool,
    /// Add `seconds` and `load_seconds` to the JSON (then it is no longer the
    /// same bytes from run to run).
    #[arg(long)]
    timings: bool,
    /// Run the pipeline this many times in this process: `seconds` is then
    /// the fastest run and `first_seconds` the first (cold) one, as a
    /// benchmark measures an in-process peer. The result is the same bytes
    /// every run.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000), requires = "timings")]
    repeat: u32,
}

/// The JSON the command prints. Without `--timings` it depends only on the
/// input, the seed and the version: the same bytes on 1 or 16 threads.
#[derive(Serialize)]
struct Report {
    /// SHA-256 of the vote matrix the result was computed from
    /// ([`VoteMatrix::sha256_hex`] documents the bytes hashed).
    matrix_sha256: String,
    /// Statement ids moderated out (zeroed and never selected).
    moderated_out: Vec<u64>,
    seed: u64,
    /// How the number of groups was chosen (see `cohort_consensus::history`).
    k_rule: KRule,
    /// The replayed updates (empty without a history).
    k_updates: Vec<Step>,
    participants: usize,
    in_conversation: usize,
    statements: usize,
    votes: usize,
    groups: Vec<GroupOut>,
    consensus_agree: Vec<u64>,
    consensus_disagree: Vec<u64>,
    group_consensus: Vec<Scored>,
    repness: BTreeMap<String, Vec<u64>>,
    /// With --timings: time of the pipeline (matrix build and replayed
    /// updates through consensus), not file reading.
    #[serde(skip_serializing_if = "Option::is_none")]
    seconds: Option<f64>,
    /// With --timings: seconds spent reading files or generating votes.
    #[serde(skip_serializing_if = "Option::is_none")]
    load_seconds: Option<f64>,
    /// With --repeat above 1: the first run's `seconds` (the fastest is
    /// `seconds`).
    #[serde(skip_serializing_if = "Option::is_none")]
    first_seconds: Option<f64>,
    /// With --synthetic: adjusted Rand index of the groups found against the
    /// latent groups the votes were generated from (in-conversation people).
    #[serde(skip_serializing_if = "Option::is_none")]
    latent_ari: Option<f64>,
}

#[derive(Serialize)]
struct GroupOut {
    id: usize,
    participants: Vec<u64>,
}

#[derive(Serialize)]
struct Scored {
    statement: u64,
    score: f64,
}

fn read(dir: &Path, name: &str) -> Result<Option<String>> {
    let path = dir.join(name);
    match std::fs::read_to_string(&path) {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// Parses `100000x10000`.
fn parse_shape(s: &str) -> Result<(usize, usize)> {
    let Some((p, n)) = s.split_once(['x', 'X']) else {
        bail!("--synthetic wants PARTICIPANTSxSTATEMENTS, e.g. 100000x10000 (got {s:?})");
    };
    let p = p
        .trim()
        .parse()
        .with_context(|| format!("participants in {s:?}"))?;
    let n = n
        .trim()
        .parse()
        .with_context(|| format!("statements in {s:?}"))?;
    if p == 0 || n == 0 {
        bail!("--synthetic needs at least one participant and one statement (got {s:?})");
    }
    Ok((p, n))
}

pub fn run(args: ConsensusArgs) -> Result<()> {
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let loading = Instant::now();
    let mut latent = None;
    let (votes, moderated_out) = match (&args.synthetic, &args.dir) {
        (Some(shape), _) => {
            let (participants, statements) = parse_shape(shape)?;
            let s = synthetic::generate(&synthetic::Spec {
                participants,
                statements,
                votes: args.votes,
                groups: args.latent_groups,
                consensus_share: 0.15,
                seed: args.seed,
            });
            latent = Some(s.latent);
            (s.votes, Vec::new())
        }
        (None, Some(dir)) => {
            let comments = read(dir, "comments.csv")?
                .with_context(|| format!("{} has no comments.csv", dir.display()))?;
            let votes = read(dir, "votes.csv")?;
            // The final matrix only matters without the vote history.
            let pv = match votes {
                Some(_) => None,
                None => read(dir, "participants-votes.csv")?,
            };
            if pv.is_none() && votes.is_none() {
                bail!(
                    "{} has neither votes.csv nor participants-votes.csv",
                    dir.display()
                );
            }
            let export = polis_csv::read_export(&comments, pv.as_deref(), votes.as_deref())
                .with_context(|| format!("reading the export in {}", dir.display()))?;
            let out = polis_csv::moderated_out(&export.comments);
            (export.votes, out)
        }
        (None, None) => bail!("give a folder, or --synthetic PxS"),
    };
    let load_seconds = loading.elapsed().as_secs_f64();

    let params = Params {
        seed: args.seed,
        threads,
        ..Params::default()
    };
    // Takes the votes to drop them once the matrix is built (a synthetic
    // conversation's are gigabytes).
    let pipeline = |votes: Vec<VoteRecord>| {
        if latent.is_some() {
            let matrix = VoteMatrix::from_votes(&votes);
            drop(votes);
            let a = cohort_consensus::analyze(&matrix, &moderated_out, &params, None);
            (matrix, a, KRule::SingleSilhouette, Vec::new())
        } else {
            let rule = if args.every_poll {
                UpdateRule::every_poll()
            } else {
                UpdateRule::default()
            };
            let r = history::replay(&votes, &moderated_out, &params, &rule);
            (r.matrix, r.analysis, r.rule, r.steps)
        }
    };
    let mut votes = votes;
    let mut times = Vec::with_capacity(args.repeat as usize);
    let mut result = None;
    for run in 1..=args.repeat {
        let these = if run == args.repeat {
            std::mem::take(&mut votes)
        } else {
            votes.clone()
        };
        let started = Instant::now();
        let r = pipeline(these);
        times.push(started.elapsed().as_secs_f64());
        // Every run gives the same result: keep one.
        result.get_or_insert(r);
    }
    let (matrix, analysis, k_rule, k_updates) = result.expect("at least one run");
    let seconds = times.iter().copied().fold(f64::INFINITY, f64::min);

    let mut report = report(&matrix, &analysis, &moderated_out, args.seed);
    report.k_rule = k_rule;
    report.k_updates = k_updates;
    if args.timings || !args.json {
        report.seconds = Some(seconds);
        report.load_seconds = Some(load_seconds);
        report.first_seconds = (times.len() > 1).then(|| times[0]);
    }
    if let Some(latent) = latent {
        // Participant ids of a synthetic conversation are 0..n.
        let mut found = BTreeMap::new();
        for g in &analysis.groups {
            for p in &g.participants {
                found.insert(*p, g.id);
            }
        }
        let (a, b): (Vec<usize>, Vec<usize>) = analysis
            .in_conversation
            .iter()
            .map(|p| {
                (
                    latent[*p as usize],
                    found.get(p).copied().unwrap_or(usize::MAX),
                )
            })
            .unzip();
        report.latent_ari = Some(cohort_consensus::metrics::adjusted_rand_index(&a, &b));
    }
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print_summary(&report, &analysis);
    }
    Ok(())
}

fn report(m: &VoteMatrix, a: &Analysis, moderated_out: &[u64], seed: u64) -> Report {
    let mut moderated_out = moderated_out.to_vec();
    moderated_out.sort_unstable();
    moderated_out.dedup();
    Report {
        matrix_sha256: m.sha256_hex(),
        moderated_out,
        seed,
        k_rule: KRule::SingleSilhouette,
        k_updates: Vec::new(),
        participants: a.participants,
        in_conversation: a.in_conversation.len(),
        statements: m.n_cols(),
        votes: m.n_votes(),
        groups: a
            .groups
            .iter()
            .map(|g| GroupOut {
                id: g.id,
                participants: g.participants.clone(),
            })
            .collect(),
        consensus_agree: a.consensus.agree.iter().map(|s| s.statement).collect(),
        consensus_disagree: a.consensus.disagree.iter().map(|s| s.statement).collect(),
        group_consensus: a
            .group_consensus
            .iter()
            .map(|g| Scored {
                statement: g.statement,
                score: g.agree,
            })
            .collect(),
        repness: a
            .repness
            .iter()
            .map(|(g, r)| (g.to_string(), r.iter().map(|s| s.statement).collect()))
            .collect(),
        seconds: None,
        load_seconds: None,
        first_seconds: None,
        latent_ari: None,
    }
}

fn print_summary(r: &Report, a: &Analysis) {
    println!(
        "{} participants ({} in conversation), {} statements, {} votes",
        r.participants, r.in_conversation, r.statements, r.votes
    );
    let sizes: Vec<String> = r
        .groups
        .iter()
        .map(|g| format!("{}: {}", g.id, g.participants.len()))
        .collect();
    println!(
        "{} opinion groups ({}); silhouettes {:?}",
        r.groups.len(),
        sizes.join(", "),
        a.silhouettes
    );
    println!("consensus, agree:    {:?}", r.consensus_agree);
    println!("consensus, disagree: {:?}", r.consensus_disagree);
    let top: Vec<String> = r
        .group_consensus
        .iter()
        .take(5)
        .map(|s| format!("{} ({:.2})", s.statement, s.score))
        .collect();
    println!("group-informed consensus: {}", top.join(", "));
    for (g, ids) in &r.repness {
        println!("group {g} stands for: {ids:?}");
    }
    if let Some(ari) = r.latent_ari {
        println!("adjusted Rand index against the latent groups: {ari:.3}");
    }
    println!(
        "k chosen by {:?} over {} updates",
        r.k_rule,
        r.k_updates.len()
    );
    println!("vote matrix SHA-256: {}", r.matrix_sha256);
    if let (Some(s), Some(l)) = (r.seconds, r.load_seconds) {
        println!("computed in {s:.3}s (loading {l:.3}s)");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_parse_or_explain() {
        assert_eq!(parse_shape("100000x10000").unwrap(), (100_000, 10_000));
        assert!(parse_shape("100000")
            .unwrap_err()
            .to_string()
            .contains("PARTICIPANTSxSTATEMENTS"));
        assert!(parse_shape("0x3").is_err());
    }
}
