//! The independent verifier (issue 18): a Go program built against Go's own
//! `golang.org/x/mod/sumdb/note` and `sumdb/tlog` (Debian's golang-go and
//! golang-golang-x-mod-dev, GOPATH mode, nothing downloaded) checks the
//! checkpoint, tiles, entry bundles and Cohort's proofs of a running app.
//! Without Go this fails, unless the run opted out with `COHORT_SKIP_GO=1`.

use cohort_testkit as common;

use std::path::PathBuf;
use std::process::Command;

use cohort_tlog::{key_from_seed, CheckpointSigner};
use common::{seed, sign_as, TestApp};

both_backends!(go_checks_the_log_with_its_own_tlog_and_note);

/// Build the verifier once per test binary; `None` when skipped.
fn verifier() -> Option<PathBuf> {
    if std::env::var("COHORT_SKIP_GO").is_ok_and(|v| v == "1") {
        eprintln!("COHORT_SKIP_GO=1: skipping the Go verifier");
        return None;
    }
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    Some(
        BUILT
            .get_or_init(|| {
                let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
                let out = dir.join("go-verifier");
                let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/go-verifier/main.go");
                let status = Command::new("go")
                    .args(["build", "-o"])
                    .arg(&out)
                    .arg(&src)
                    .env("GO111MODULE", "off")
                    .env("GOPATH", "/usr/share/gocode")
                    .env("GOPROXY", "off")
                    .env("GOFLAGS", "")
                    .env("GOCACHE", dir.join("go-cache"))
                    .status()
                    .expect("`go` runs (apt-get install golang-go golang-golang-x-mod-dev, or COHORT_SKIP_GO=1)");
                assert!(status.success(), "building the Go verifier failed");
                out
            })
            .clone(),
    )
}

fn run(bin: &PathBuf, args: &[&str]) -> (bool, String) {
    let out = Command::new(bin)
        .args(args)
        .output()
        .expect("the verifier runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

async fn go_checks_the_log_with_its_own_tlog_and_note(app: TestApp) {
    let Some(bin) = verifier() else { return };
    let (skey, vkey) = key_from_seed("cohort.test/log", [4; 32]).expect("key");
    let signer = CheckpointSigner::new(&skey).expect("signer");
    let version = seed(&app, "signers >= 2").await;
    app.engine
        .sequence_log_all(&signer)
        .await
        .expect("sequence");
    let old = app.engine.log_checkpoint().await.expect("checkpoint");
    let old_file = std::env::temp_dir().join(format!(
        "cohort-old-checkpoint-{}-{}",
        app.backend,
        std::process::id()
    ));
    std::fs::write(&old_file, &old).expect("write");
    // Enough events for more than one tile of leaves.
    sign_as(&app, "ada-reyes", version).await;
    for i in 0..300 {
        let (status, body) = app
            .organize(
                &format!("/api/slates/{}/candidates", common::SLATE),
                common::candidate(
                    &format!("c-{i}"),
                    &format!("Candidate {i}"),
                    "us_house",
                    "CA",
                    Some("1"),
                ),
            )
            .await;
        assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    }
    let size = app
        .engine
        .sequence_log_all(&signer)
        .await
        .expect("sequence");
    assert!(size > 256, "{size}");

    let (ok, out) = run(&bin, &[&app.base, &vkey, old_file.to_str().expect("path")]);
    assert!(ok, "{out}");
    assert_eq!(out.trim(), format!("ok {size}"));

    // Another key's verifier refuses the checkpoint.
    let (_, other) = key_from_seed("cohort.test/log", [5; 32]).expect("key");
    let (ok, out) = run(&bin, &[&app.base, &other]);
    assert!(!ok && out.contains("checkpoint signature"), "{out}");
    // An old checkpoint that was not signed is refused too.
    std::fs::write(&old_file, old.replacen('\n', "\n1", 1)).expect("write");
    let (ok, out) = run(&bin, &[&app.base, &vkey, old_file.to_str().expect("path")]);
    assert!(!ok && out.contains("checkpoint"), "{out}");
    let _ = std::fs::remove_file(&old_file);
}
