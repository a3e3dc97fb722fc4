//! The Python oracles: independent implementations and validators (numpy,
//! icalendar, fecfile, schemathesis, localstripe, …) that our output is
//! checked against, run with the venv `scripts/test` makes from
//! `scripts/test-requirements.txt` and names in `COHORT_TEST_PYTHON`.

use std::ffi::OsStr;
use std::io::Write;
use std::process::{Command, Output, Stdio};

const HOW: &str = "run ./scripts/test, which installs scripts/test-requirements.txt into \
                   target/test-venv and sets COHORT_TEST_PYTHON";

/// The Python to run: `COHORT_TEST_PYTHON`, else `python3`.
pub fn python() -> String {
    std::env::var("COHORT_TEST_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// `COHORT_TEST_PYTHON`, for the oracles that exist only in the venv (a
/// system `python3` would fail later and less clearly); panics when unset.
pub fn venv_python() -> String {
    std::env::var("COHORT_TEST_PYTHON").unwrap_or_else(|_| {
        panic!(
            "COHORT_TEST_PYTHON is not set: run ./scripts/test, or make the venv with \
             `python3 -m venv target/test-venv && target/test-venv/bin/pip install -r scripts/test-requirements.txt` \
             and export COHORT_TEST_PYTHON=$PWD/target/test-venv/bin/python"
        )
    })
}

/// Runs `python args…` (a script path, or `-c` and a program), writing
/// `stdin` to it, and answers what it printed. Fails the test, saying how to
/// get the venv, when Python cannot start or lacks a module (a
/// `ModuleNotFoundError`, or a script's own exit with `MISSING_<module>`).
/// Whether the script succeeded is the caller's to assert.
pub fn run_python<I, S>(args: I, stdin: Option<&[u8]>) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let python = python();
    let mut child = Command::new(&python)
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {python} ({e}); {HOW}"));
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("a stdin pipe")
            .write_all(input)
            .expect("write to python");
    }
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("{python} did not finish ({e})"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("ModuleNotFoundError") && !stderr.contains("MISSING_"),
        "{python} lacks a Python module this test needs; {HOW}.\n{stderr}"
    );
    out
}
