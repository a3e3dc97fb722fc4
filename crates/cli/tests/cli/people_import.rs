//! Supporters in and out as CSV (issue 19) over real HTTP and the real
//! binary, on both backends: the dry run writes nothing and names each
//! problem by line and column, a file with any problem is refused whole, the
//! import takes only the file previewed, the export (Action Network's
//! people-export headers, formulas neutralized) reads back through the
//! importer as all merges, organizers only; the page works with plain form
//! posts; `cohort import people` refuses a bad file with a non-zero exit.

use cohort_testkit as common;

use std::process::Command;

use common::{TestApp, SLATE};
use reqwest::StatusCode;
use serde_json::json;

both_backends!(the_cli_dry_runs_imports_and_refuses_a_bad_file,);

const BIN: &str = env!("CARGO_BIN_EXE_cohort");

fn cohort(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN)
        .args(["import", "people"])
        .args(args)
        .args(app.db_args())
        .output()
        .expect("the binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn the_cli_dry_runs_imports_and_refuses_a_bad_file(app: TestApp) {
    make_slate(&app).await;
    let dir = std::env::temp_dir().join(format!(
        "cohort-people-{}-{}",
        app.backend,
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.csv");
    std::fs::write(&good, AN_FILE).unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "Email,Zip\nok@example.org,10001\nx@example.org,1234\n",
    )
    .unwrap();
    let file = good.display().to_string();
    let (ok, out, err) = cohort(&app, &[&file, "--slate", SLATE, "--dry-run"]);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("2 new, 0 merged by email, 1 repeated rows folded in"),
        "{out}"
    );
    assert!(out.contains("dry run: nothing written"), "{out}");
    assert_eq!(
        export(&app).await.lines().count(),
        1,
        "nothing written by the dry run"
    );
    let (ok, out, err) = cohort(&app, &[&bad.display().to_string(), "--slate", SLATE]);
    assert!(!ok, "a bad file exits non-zero: {out}{err}");
    assert!(
        err.contains("line 3, column 'Zip': '1234' is not a ZIP code"),
        "{err}"
    );
    assert!(err.contains("refused whole"), "{err}");
    assert_eq!(
        export(&app).await.lines().count(),
        1,
        "nothing written by a refused file"
    );
    let (ok, out, err) = cohort(&app, &[&file, "--slate", SLATE]);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("imported 3 rows into river-caucus: 2 new, 0 merged"),
        "{out}"
    );
    assert!(
        err.contains("2/2 people written"),
        "a progress bar on stderr: {err}"
    );
    assert_eq!(export(&app).await.lines().count(), 3);
    let (ok, _, err) = cohort(&app, &[&file, "--slate", "no-such-slate"]);
    assert!(!ok);
    assert!(err.contains("no-such-slate"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Action Network's people-export layout, one person twice (merged), one
/// name that is a formula.
const AN_FILE: &str = "first_name,last_name,email,zip_code,can2_subscription_status\n\
Ada,Reyes,ada@example.org,10001,subscribed\n\
=cmd,\"Okafor, Jr.\",ben@example.org,43004,subscribed\n\
,,ADA@example.org,10002,subscribed\n";

async fn make_slate(app: &TestApp) {
    let (status, body) = app
        .organize(
            "/api/slates",
            json!({
                "slug": SLATE, "name": "River Caucus", "cycle": 2028,
                "description": "Candidates along the river.", "condition": "signers >= 2"
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn export(app: &TestApp) -> String {
    let res = app
        .client
        .get(app.url(&format!("/api/slates/{SLATE}/people.csv")))
        .bearer_auth(&app.organizer)
        .send()
        .await
        .expect("an answer");
    assert_eq!(res.status(), StatusCode::OK);
    res.text().await.expect("a body")
}
