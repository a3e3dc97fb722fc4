//! schemathesis (a real, independent OpenAPI fuzzer) against the live app
//! with the demo data, driven by `/api/openapi.json` (issue 19): every
//! operation gets generated input (valid and invalid), with an organizer
//! token, and no answer may be a 5xx, a status the document does not list,
//! or a body that does not match its own schema.
//!
//! Needs `COHORT_TEST_PYTHON` (scripts/test makes the venv from
//! scripts/test-requirements.txt, which pins schemathesis).

mod common;

use std::process::Stdio;

use common::TestApp;

/// Generated cases per operation, per phase: enough to reach every field,
/// small enough that the whole run stays around a minute.
const EXAMPLES: &str = "25";
/// A fixed seed, so a finding reproduces.
const SEED: &str = "19";

fn python() -> String {
    std::env::var("COHORT_TEST_PYTHON").unwrap_or_else(|_| {
        panic!(
            "set COHORT_TEST_PYTHON to a Python with schemathesis \
             (pip install -r scripts/test-requirements.txt; scripts/test does this)"
        )
    })
}

async fn with_demo(app: &TestApp) -> String {
    let spec: cohort_engine::demo::DemoSpec =
        serde_json::from_str(include_str!("../../../data/demo/slate.json")).expect("demo spec");
    let summary = app
        .engine
        .load_demo(&spec)
        .await
        .expect("the demo loads")
        .expect("into an empty database");
    app.engine
        .load_governing_demo(2026)
        .await
        .expect("the governing demo loads");
    summary.slug
}

async fn fuzz(app: TestApp) {
    with_demo(&app).await;
    let out = tokio::process::Command::new(python())
        .args(["-m", "schemathesis.cli", "run"])
        .arg(format!("{}/api/openapi.json", app.base))
        .args(["--url", &app.base])
        .arg("--header")
        .arg(format!("Authorization: Bearer {}", app.organizer))
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance",
        ])
        .args(["--max-examples", EXAMPLES, "--seed", SEED])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--workers", "1", "--no-shrink"])
        .args(["--continue-on-failure", "--output-truncate", "false"])
        .args(["--request-timeout", "30"])
        .arg("--suppress-health-check=all")
        .env("NO_COLOR", "1")
        .env("SCHEMATHESIS_TELEMETRY", "false")
        .stdin(Stdio::null())
        .output()
        .await
        .expect("schemathesis runs (is it installed in COHORT_TEST_PYTHON's venv?)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "schemathesis found problems ({}):\n{stdout}\n{stderr}",
        out.status
    );
    // It ran every operation, not none.
    assert!(stdout.contains("passed"), "{stdout}\n{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_nothing_on_sqlite() {
    fuzz(TestApp::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_nothing_on_postgres() {
    if let Some(app) = TestApp::postgres().await {
        fuzz(app).await;
    }
}
