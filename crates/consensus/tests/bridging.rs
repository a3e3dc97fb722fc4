//! Bridging scores on a real conversation (vTaiwan UberX, CC BY 4.0, see
//! data/polis/README.md), checked against an independent fit: numpy computes
//! the Community Notes loss and its gradient at our parameters from the
//! model's definition, and scipy's L-BFGS fits the same model from its own
//! random start (`tests/bridging.py`).

use cohort_consensus::bridging::{bridging, fit, BridgingParams};
use cohort_consensus::{polis_csv, VoteMatrix};
use cohort_testkit::python::run_python;
use serde_json::{json, Value};

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/polis/vtaiwan.uberx"
);

fn matrix() -> VoteMatrix {
    let read = |name: &str| std::fs::read_to_string(format!("{DIR}/{name}")).expect("fixture");
    let export = polis_csv::read_export(
        &read("comments.csv"),
        Some(&read("participants-votes.csv")),
        None,
    )
    .expect("the fixture parses");
    VoteMatrix::from_votes(&export.votes)
}

#[test]
fn the_fit_is_the_optimum_an_independent_numpy_fit_finds() {
    let m = matrix();
    let p = BridgingParams::default();
    let ours = fit(&m, &[], &p);
    assert!(
        ours.iterations < p.max_iters,
        "converged in {} passes",
        ours.iterations
    );
    let input = json!({
        "lambda_i": p.lambda_intercept, "lambda_f": p.lambda_factor,
        "ratings": ours.ratings, "mu": ours.mu,
        "participants": ours.participants, "statements": ours.statements,
    });
    let out = run_python(
        [concat!(env!("CARGO_MANIFEST_DIR"), "/tests/bridging.py")],
        Some(input.to_string().as_bytes()),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: Value = serde_json::from_slice(&out.stdout).unwrap();

    let loss = theirs["loss"].as_f64().unwrap();
    assert!(
        (loss - ours.loss).abs() <= 1e-9 * ours.loss,
        "the same loss from the definition: numpy {loss}, ours {}",
        ours.loss
    );
    // The default stops when a pass lowers the loss by less than 1e-9 of it
    // (close enough for the scores, below); run on for 200 passes (a
    // negative tolerance never stops early), the fit is a stationary point.
    let converged = fit(
        &m,
        &[],
        &BridgingParams {
            tolerance: -1.0,
            max_iters: 200,
            ..p.clone()
        },
    );
    let out = run_python(
        [concat!(env!("CARGO_MANIFEST_DIR"), "/tests/bridging.py")],
        Some(
            json!({
                "lambda_i": p.lambda_intercept, "lambda_f": p.lambda_factor,
                "ratings": converged.ratings, "mu": converged.mu,
                "participants": converged.participants,
                "statements": converged.statements,
            })
            .to_string()
            .as_bytes(),
        ),
    );
    assert!(out.status.success());
    let at_rest: Value = serde_json::from_slice(&out.stdout).unwrap();
    let grad = at_rest["max_gradient"].as_f64().unwrap();
    assert!(
        grad < 1e-6,
        "a stationary point: largest gradient component {grad}"
    );
    let own = theirs["own_loss"].as_f64().unwrap();
    assert!(
        ours.loss <= own + 1e-7 * own,
        "L-BFGS from its own start found no lower loss: {own} vs ours {}",
        ours.loss
    );
    let mut worst: f64 = 0.0;
    for (id, intercept, _) in &ours.statements {
        let t = theirs["own_intercepts"][id.to_string()].as_f64().unwrap();
        worst = worst.max((t - intercept).abs());
    }
    assert!(
        worst < 1e-4,
        "statement intercepts agree with scipy's fit: worst gap {worst}"
    );
}

#[test]
fn a_real_conversation_gets_intervals_around_each_score_and_some_bridges() {
    let m = matrix();
    let b = bridging(&m, &[], &BridgingParams::default());
    assert!(b.statements.len() > 100, "{}", b.statements.len());
    for s in &b.statements {
        assert!(s.low <= s.high, "{s:?}");
        assert_eq!(s.bridges, s.low >= 2.0 / 3.0, "{s:?}");
    }
    let bridges = b.statements.iter().filter(|s| s.bridges).count();
    assert!(
        bridges > 0 && bridges < b.statements.len() / 2,
        "some statements bridge, most do not: {bridges} of {}",
        b.statements.len()
    );
    // Twice the same run, the same numbers.
    assert_eq!(b, bridging(&m, &[], &BridgingParams::default()));
}
