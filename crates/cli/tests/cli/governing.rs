//! `cohort rollcalls import` as a real process (idempotent; a malformed file
//! refused with file, line and column and nothing written) and a property:
//! cohesion ignores the order roll calls were imported in. Governing over
//! HTTP is in `web/tests/http/governing.rs`.

// ---------------------------------------------------------------- import

fn cohort(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_cohort"))
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("the cohort binary runs")
}

async fn counts(dir: &std::path::Path) -> (i64, i64) {
    use cohort_store::Store as _;
    let store = cohort_store_sqlite::SqliteStore::open_dir(dir)
        .await
        .expect("open");
    let mut tx = store.read().await.expect("read");
    tx.roll_call_counts().await.expect("counts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollcalls_import_is_idempotent_and_refuses_a_malformed_file_whole() {
    let tmp = std::env::temp_dir().join(format!("cohort-rollcalls-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let db = tmp.join("db");
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/congress/votes");
    let data_dir = db.to_str().expect("utf-8");
    for round in 0..2 {
        let out = cohort(&["rollcalls", "import", shipped, "--data-dir", data_dir]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "round {round}: {stderr}");
        assert!(stderr.contains("of 39576 positions"), "progress: {stderr}");
        assert_eq!(counts(&db).await, (113, 39_576), "round {round}");
    }
    // A new roll call whose positions file breaks on its last line.
    let bad = tmp.join("bad");
    std::fs::create_dir_all(&bad).expect("mkdir");
    let rc = std::fs::read_to_string(format!("{shipped}/rollcalls.csv")).expect("rollcalls");
    let pos = std::fs::read_to_string(format!("{shipped}/positions.csv")).expect("positions");
    std::fs::write(
        bad.join("rollcalls.csv"),
        format!("{rc}h999-119.2025,h,119,2025,999,2025-04-01T12:00:00-04:00,passage,On Passage,On Passage: H R 9,1/2,Passed,hr9,\n"),
    )
    .expect("write");
    let lines = pos.lines().count();
    std::fs::write(
        bad.join("positions.csv"),
        format!("{pos}h999-119.2025,O000172,D,NY,Yea\nh998-119.2025,O000172,D,NY,Yea\n"),
    )
    .expect("write");
    let out = cohort(&[
        "rollcalls",
        "import",
        bad.to_str().expect("utf-8"),
        "--data-dir",
        data_dir,
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains(&format!(
            "positions.csv:{}:1: roll call \"h998-119.2025\"",
            lines + 2
        )),
        "{stderr}"
    );
    assert_eq!(counts(&db).await, (113, 39_576), "nothing was written");
    let out = cohort(&[
        "rollcalls",
        "import",
        tmp.join("missing").to_str().expect("utf-8"),
        "--data-dir",
        data_dir,
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("rollcalls.csv"));
    let _ = std::fs::remove_dir_all(&tmp);
}
