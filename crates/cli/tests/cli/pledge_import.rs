//! Pledges made offline, imported from CSV (issue 19), over real HTTP and
//! the real binary on both backends: only an organizer of the slate may; the
//! dry run writes nothing and names each problem by line and column, with
//! the pledge intake's own validation; an ActBlue contribution export is
//! refused with the reason; only the previewed file is imported; each row
//! enters through the intake (pending, a `pledged` log event, a receipt
//! emailed with its private link); importing the file again, or a longer
//! one, adds each pledge once; a corrected row under the same id is refused;
//! the page works with plain form posts; `cohort import pledges` too.

use cohort_testkit as common;

use std::process::Command;

use cohort_engine::Actor;
use common::{seed, TestApp, SLATE};

both_backends!(the_cli_dry_runs_imports_and_refuses_a_bad_file,);

const BIN: &str = env!("CARGO_BIN_EXE_cohort");

fn cohort(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN)
        .args(["import", "pledges"])
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
    seed(&app, "signers >= 2").await;
    let dir = std::env::temp_dir().join(format!(
        "cohort-pledges-{}-{}",
        app.backend,
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("cards.csv");
    std::fs::write(&good, CARDS).unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "email,amount,attests\nok@example.org,5,yes\nx@example.org,12x,yes\n",
    )
    .unwrap();
    let file = good.display().to_string();
    let (ok, out, err) = cohort(&app, &[&file, "--slate", SLATE, "--dry-run"]);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("4 new pledges, 0 already imported; columns not read: Notes"),
        "{out}"
    );
    assert!(out.contains("dry run: nothing written"), "{out}");
    assert!(
        pledges(&app).await.is_empty(),
        "nothing written by the dry run"
    );
    let (ok, out, err) = cohort(&app, &[&bad.display().to_string(), "--slate", SLATE]);
    assert!(!ok, "a bad file exits non-zero: {out}{err}");
    assert!(
        err.contains("line 3, column 'amount': '12x' is not a dollar amount"),
        "{err}"
    );
    assert!(err.contains("refused whole"), "{err}");
    assert!(
        pledges(&app).await.is_empty(),
        "nothing written by a refused file"
    );
    let (ok, out, err) = cohort(&app, &[&file, "--slate", SLATE]);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("imported 4 rows into river-caucus: 4 pledges made, 0 already imported"),
        "{out}"
    );
    assert!(
        err.contains("4/4 pledges written"),
        "a progress bar on stderr: {err}"
    );
    assert_eq!(pledges(&app).await.len(), 4);
    let (ok, out, err) = cohort(&app, &[&file, "--slate", SLATE]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("0 pledges made, 4 already imported"), "{out}");
    assert_eq!(pledges(&app).await.len(), 4);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Pledge cards from a fair: each kind once, one name a formula.
const CARDS: &str = "Email,First Name,Last Name,ZIP,Kind,Amount,Recurring,Attests eligible,Hours,Weeks,Doors,Notes\n\
ada@example.org,Ada,Reyes,10001,money,$50,once,yes,,,,met at the fair\n\
ben@example.org,=Ben,Okafor,43004,money,25.00,monthly,yes,,,,\n\
cy@example.org,Cy,Lind,55101,hours,,,,4,10,,\n\
dee@example.org,Dee,,10002,,,,,,,20,\n";

async fn pledges(app: &TestApp) -> Vec<cohort_store::PledgeRow> {
    app.engine
        .export_pledges(&Actor::Organizer { slate: None }, SLATE)
        .await
        .expect("the pledges")
}
