//! `cohort match` as a user runs it: the real binary on small CSV files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const VOLUNTEERS: &str = "\
id,skills,hours_per_week,weeks,utc_offset,state,remote
ana,copywriting:3;data-analysis:2,10,12,-5,PA,true
ben,data-analysis:3,5,8,-8,CA,false
cai,front-end:2,8,12,-6,TX,true
dee,front-end:3,20,26,-5,NY,true
eli,copywriting:1,5,4,-5,PA,false
";

const NEEDS: &str = "\
id,campaign,role,skill,min_level,hours_per_week,weeks,utc_offset,state,remote_ok,priority
web-analyst,okafor,analyst,data-analysis,2,5,8,-8,CA,false,3
web-copy,okafor,copywriter,copywriting,1,5,4,-5,PA,true,2
web-fe,okafor,front-end engineer,front-end,2,8,12,-5,NY,true,2
ads-analyst,szymanski,analyst,data-analysis,2,5,8,-5,PA,true,1
press,szymanski,press officer,press,2,5,8,-5,PA,true,1
";

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cohort-match-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn cohort_match(dir: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cohort"))
        .args([
            "match",
            "--volunteers",
            "V.csv",
            "--needs",
            "N.csv",
            "--out",
            "A.csv",
        ])
        .args(extra)
        .current_dir(dir)
        .output()
        .expect("run cohort")
}

#[test]
fn writes_the_optimal_assignment_and_ends_with_the_totals() {
    let dir = scratch("ok");
    std::fs::write(dir.join("V.csv"), VOLUNTEERS).unwrap();
    std::fs::write(dir.join("N.csv"), NEEDS).unwrap();
    let out = cohort_match(&dir, &["--explain"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // web-analyst is local to CA: only ben (3 × (1+3−2) = 6). web-fe: dee
    // (2 × 2 = 4) beats cai (2 × 1). ana fits web-copy (2 × 3 = 6) or
    // ads-analyst (1 × 1); eli could take web-copy for 2, but 6 > 2 + 1, so
    // ana copywrites and ads-analyst stays empty. Nobody does press.
    let a = std::fs::read_to_string(dir.join("A.csv")).unwrap();
    assert_eq!(
        a,
        "need_id,volunteer_id,score\nweb-analyst,ben,6\nweb-copy,ana,6\nweb-fe,dee,4\n"
    );
    assert_eq!(
        stdout.lines().last(),
        Some("total_score=16 filled=3 unfilled=2"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "unfilled press (szymanski, press officer): no press officer among the volunteers"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("unfilled ads-analyst (szymanski, analyst): 1 feasible volunteer, placed in another role"),
        "{stdout}"
    );
    // Nothing but A.csv is left behind (no temporary files).
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(names, ["A.csv", "N.csv", "V.csv"]);
}

#[test]
fn a_malformed_row_names_file_line_and_column_and_writes_nothing() {
    let dir = scratch("bad");
    let bad = VOLUNTEERS.replace(
        "cai,front-end:2,8,12,-6,TX,true",
        "cai,front-end:2,8,twelve,-6,TX,true",
    );
    std::fs::write(dir.join("V.csv"), bad).unwrap();
    std::fs::write(dir.join("N.csv"), NEEDS).unwrap();
    let out = cohort_match(&dir, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("V.csv, line 4, column 4 (weeks): expected a whole number of weeks from 0 to 520, found \"twelve\""),
        "{stderr}"
    );
    assert!(!dir.join("A.csv").exists(), "no output on error");

    // An error in the needs file, with an existing A.csv: it is left untouched.
    std::fs::write(dir.join("V.csv"), VOLUNTEERS).unwrap();
    std::fs::write(dir.join("A.csv"), "earlier run\n").unwrap();
    std::fs::write(
        dir.join("N.csv"),
        NEEDS.replace("press,2,5,8", "press,4,5,8"),
    )
    .unwrap();
    let out = cohort_match(&dir, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("N.csv, line 6, column 5 (min_level): expected a level 1, 2 or 3"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("A.csv")).unwrap(),
        "earlier run\n"
    );
}
