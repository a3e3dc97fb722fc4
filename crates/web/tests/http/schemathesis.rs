//! schemathesis (a real, independent OpenAPI fuzzer) against the live app
//! with the demo data, driven by `/api/openapi.json` (issue 19): every
//! operation gets generated input (valid and invalid), with an organizer
//! token, and no answer may be a 5xx, a status the document does not list,
//! or a body that does not match its own schema.
//!
//! Needs `COHORT_TEST_PYTHON` (scripts/test makes the venv from
//! scripts/test-requirements.txt, which pins schemathesis).

use cohort_testkit as common;

use std::process::Stdio;

use common::TestApp;

/// Generated cases per operation, per phase: enough to reach every field,
/// small enough that a run stays under about three minutes.
const EXAMPLES: &str = "20";
/// A fixed seed, so a finding reproduces.
const SEED: &str = "19";

async fn with_demo(app: &TestApp) -> String {
    let spec: cohort_engine::demo::DemoSpec =
        serde_json::from_str(include_str!("../../../../data/demo/slate.json")).expect("demo spec");
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

/// Path parameters pinned to the demo's real slate, candidates and event, so
/// the generated bodies and queries reach the use cases instead of a 404.
async fn config(app: &TestApp, slug: &str) -> std::path::PathBuf {
    let slate = app.engine.slate_view(slug).await.expect("the demo slate");
    let (status, events) = app.get(&format!("/api/slates/{slug}/joint-events")).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{events}");
    let event = events[0]["id"].as_i64().expect("a demo joint event");
    let toml = format!(
        "[parameters]\n\"path.slug\" = \"{slug}\"\n\"path.candidate\" = \"{}\"\n\"path.host\" = \"{}\"\n\"path.id\" = {event}\n",
        slate.candidates[0].slug, slate.candidates[1].slug
    );
    let path = std::env::temp_dir().join(format!(
        "cohort-schemathesis-{}-{}.toml",
        std::process::id(),
        app.backend
    ));
    std::fs::write(&path, toml).expect("the schemathesis config");
    path
}

async fn fuzz(app: TestApp) {
    let slug = with_demo(&app).await;
    let config = config(&app, &slug).await;
    let mut st = std::process::Command::new(common::python::venv_python());
    st
        .args(["-m", "schemathesis.cli", "--config-file"])
        .arg(&config)
        .arg("run")
        .arg(format!("{}/api/openapi.json", app.base))
        .args(["--url", &app.base])
        .arg("--header")
        .arg(format!("Authorization: Bearer {}", app.organizer))
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance,missing_required_header",
        ])
        .args(["--max-examples", EXAMPLES, "--seed", SEED])
        .args(["--phases", "examples,coverage,fuzzing"])
        // One worker: two trip a thread race inside hypothesis (a runtime error, not a finding).
        .args(["--workers", "1", "--no-shrink"])
        .args(["--continue-on-failure", "--output-truncate", "false"])
        .args(["--request-timeout", "30"])
        .arg("--suppress-health-check=all")
        .env("NO_COLOR", "1")
        .env("SCHEMATHESIS_TELEMETRY", "false")
        .stdin(Stdio::null());
    // The app serves from this runtime's other thread while schemathesis runs.
    let out = tokio::task::spawn_blocking(move || st.output())
        .await
        .expect("the schemathesis thread")
        .expect("schemathesis runs (is it installed in COHORT_TEST_PYTHON's venv?)");
    let _ = std::fs::remove_file(&config);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "schemathesis found problems ({}):\n{stdout}\n{stderr}",
        out.status
    );
    // It ran every operation, not none.
    let tested = number_after(&stdout, "Tested: ");
    let selected = number_after(&stdout, "Selected: ");
    assert!(
        tested >= 40 && tested == selected,
        "every operation ran ({tested} of {selected}):\n{stdout}\n{stderr}"
    );
}

/// The number right after `label` in schemathesis' summary.
fn number_after(out: &str, label: &str) -> usize {
    out.split(label)
        .nth(1)
        .map(|rest| {
            rest.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
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
