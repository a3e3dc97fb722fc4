//! Regression on a real conversation (vTaiwan UberX, CC BY 4.0, see
//! data/polis/README.md) against a real peer: red-dwarf's output for the same
//! votes, and the groups Pol.is itself assigned.

use cohort_consensus::{analyze, metrics, polis_csv, Params, VoteMatrix};
use serde_json::Value;

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/polis/vtaiwan.uberx"
);

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{DIR}/{name}")).unwrap_or_else(|e| panic!("{DIR}/{name}: {e}"))
}

fn ids(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect()
}

#[test]
fn consensus_equals_red_dwarf_and_groups_match_polis_at_least_as_well() {
    let export = polis_csv::read_export(
        &read("comments.csv"),
        Some(&read("participants-votes.csv")),
        None,
    )
    .expect("the fixture parses");
    let fixture: Value = serde_json::from_str(&read("red-dwarf.json")).unwrap();
    let m = VoteMatrix::from_votes(&export.votes);
    assert_eq!((m.n_rows(), m.n_cols(), m.n_votes()), (1921, 197, 49443));

    let params = Params {
        seed: 1,
        threads: 2,
        ..Params::default()
    };
    let a = analyze(
        &m,
        &polis_csv::moderated_out(&export.comments),
        &params,
        None,
    );

    let agree: Vec<u64> = a.consensus.agree.iter().map(|s| s.statement).collect();
    let disagree: Vec<u64> = a.consensus.disagree.iter().map(|s| s.statement).collect();
    assert_eq!(agree, ids(&fixture["consensus_agree"]));
    assert_eq!(disagree, ids(&fixture["consensus_disagree"]));

    // ARI over the participants Pol.is grouped; unclustered = -1, as the
    // benchmark script scores red-dwarf.
    let mut ours = std::collections::HashMap::new();
    for g in &a.groups {
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
    let red_dwarf = fixture["ari_to_polis"].as_f64().unwrap();
    assert!(
        ari >= red_dwarf - 1e-9,
        "ARI {ari} < red-dwarf's {red_dwarf}"
    );

    // Everyone with 7+ votes is in; group-informed consensus is a probability.
    assert_eq!(
        a.in_conversation.len(),
        (0..m.n_rows()).filter(|&r| m.row_len(r) >= 7).count()
    );
    assert!(a
        .group_consensus
        .iter()
        .all(|g| g.agree > 0.0 && g.agree < 1.0));
    assert_eq!(a.repness.len(), a.groups.len());
}

#[test]
fn warm_start_from_the_previous_run_keeps_the_groups() {
    let export = polis_csv::read_export(
        &read("comments.csv"),
        Some(&read("participants-votes.csv")),
        None,
    )
    .unwrap();
    let m = VoteMatrix::from_votes(&export.votes);
    let out = polis_csv::moderated_out(&export.comments);
    let params = Params {
        seed: 3,
        ..Params::default()
    };
    let cold = analyze(&m, &out, &params, None);
    let warm = analyze(&m, &out, &params, Some(&cold.warm));
    let members = |a: &cohort_consensus::Analysis| {
        let mut g: Vec<Vec<u64>> = a.groups.iter().map(|g| g.participants.clone()).collect();
        g.sort();
        g
    };
    assert_eq!(members(&cold), members(&warm));
    // Warm components need (almost) no iterations to converge again.
    assert!(warm.pca.iterations[0] <= cold.pca.iterations[0]);
}
