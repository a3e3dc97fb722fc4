//! How the `cohort` binary reports a failure: one line naming what is wrong,
//! exit code 1, and no stack trace even where `RUST_BACKTRACE` is set (as it
//! is on our machines).

use std::process::Command;

fn cohort(args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cohort"))
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("cohort runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_wrong_database_url_is_one_line_naming_it() {
    let (code, stderr) = cohort(&["verify", "--database-url", "mysql://db.example/cohort"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        "error: --database-url must start with postgres:// (got \"mysql://db.example/cohort\"); leave it out to use SQLite"
    );
}

#[test]
fn an_unreachable_database_names_its_cause_without_a_backtrace() {
    // Port 9 (discard) has no PostgreSQL behind it.
    let (code, stderr) = cohort(&[
        "verify",
        "--database-url",
        "postgres://nobody@127.0.0.1:9/none",
    ]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.starts_with(
            "error: database unavailable: cannot connect to postgres://nobody@127.0.0.1:9/none: "
        ),
        "{stderr}"
    );
    // The cause, not the pool's timeout after 20 s of retries.
    assert!(stderr.contains("refused"), "{stderr}");
    assert!(!stderr.contains("backtrace"), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
}
