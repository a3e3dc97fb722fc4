//! `cohort bench-people` (issue 19): importing a supporter list of N rows
//! (default 100,000) from CSV into a fresh SQLite slate, the way `cohort
//! import people` does it (read and check the whole file, the dry run against
//! the list, then every person upserted in one transaction), beside a peer:
//! the same people written through the store's own `upsert_person` in one
//! transaction with no CSV, no checks and no preview. Prints Markdown.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Result;
use chrono::Utc;
use cohort_core::csv;
use cohort_core::people_csv::{self, EXPORT_HEADER};
use cohort_engine::{Actor, Engine, SlateInput};
use cohort_store::{PersonFields, Store};

/// A deterministic Action Network-shaped file of `rows` people.
pub fn synthetic_file(rows: usize) -> String {
    csv::write(
        &EXPORT_HEADER,
        (0..rows).map(|i| {
            vec![
                format!("Given{i}"),
                if i % 97 == 0 {
                    "=Formula, \"Jr.\"".into()
                } else {
                    format!("Family{i}")
                },
                format!("person{i}@example.org"),
                format!("{:05}", 10_000 + i % 89_999),
                format!("{i} Main St"),
                "Springfield".into(),
                "IL".into(),
                if i % 3 == 0 {
                    format!("(312) 555-{:04}", i % 10_000)
                } else {
                    String::new()
                },
            ]
        }),
    )
}

async fn fresh(data_dir: &std::path::Path, tag: &str) -> Result<(Arc<dyn Store>, Engine)> {
    let dir = data_dir.join(format!(
        "{tag}-{}",
        Utc::now().timestamp_nanos_opt().unwrap_or(0)
    ));
    let store: Arc<dyn Store> = Arc::new(cohort_store_sqlite::SqliteStore::open_dir(&dir).await?);
    store.migrate().await?;
    let engine = Engine::with_store(store.clone());
    engine
        .create_slate(
            &Actor::Organizer { slate: None },
            SlateInput {
                slug: "bench".into(),
                name: "Bench slate".into(),
                cycle: 2028,
                description: String::new(),
                condition: "signers >= 2".into(),
            },
        )
        .await?;
    Ok((store, engine))
}

pub async fn run(rows: usize, data_dir: &std::path::Path) -> Result<String> {
    let org = Actor::Organizer { slate: None };
    let text = synthetic_file(rows);
    let mut out = String::new();
    writeln!(
        out,
        "#### sqlite: importing {rows} people from CSV ({} MB)\n",
        text.len() / 1_000_000
    )?;
    writeln!(out, "| step | seconds |\n|---|---|")?;

    // Cohort: dry run, then import (a second file merges into the first).
    let (_, engine) = fresh(data_dir, "people").await?;
    let t = Instant::now();
    let pv = engine.preview_people_import(&org, "bench", &text).await?;
    let preview = t.elapsed().as_secs_f64();
    anyhow::ensure!(
        pv.problems.is_empty(),
        "the synthetic file has problems: {:?}",
        &pv.problems[..1]
    );
    let t = Instant::now();
    let done = engine
        .import_people(&org, "bench", &text, Some(&pv.sha256), &|_, _| {})
        .await?;
    let import = t.elapsed().as_secs_f64();
    anyhow::ensure!(done.created == rows, "created {} of {rows}", done.created);
    let t = Instant::now();
    let again = engine
        .import_people(&org, "bench", &text, None, &|_, _| {})
        .await?;
    let reimport = t.elapsed().as_secs_f64();
    anyhow::ensure!(again.merged == rows);
    writeln!(
        out,
        "| dry run (read, check, compare with the list) | {preview:.2} |"
    )?;
    writeln!(out, "| import, all new (one transaction) | {import:.2} |")?;
    writeln!(
        out,
        "| **dry run + import, as `cohort import people`** | **{:.2}** |",
        preview + import
    )?;
    writeln!(out, "| the same file again, all merged | {reimport:.2} |")?;

    // The peer: the same people through the store's upsert, nothing else.
    let parsed = people_csv::parse(&text).map_err(|p| anyhow::anyhow!("{}", p[0]))?;
    let (store, _engine) = fresh(data_dir, "peer").await?;
    let t = Instant::now();
    let mut tx = store.write().await?;
    let slate_id = tx
        .slate_by_slug("bench")
        .await?
        .ok_or_else(|| anyhow::anyhow!("no bench slate"))?
        .id;
    let at = Utc::now();
    for p in &parsed.people {
        let email = p.email.clone().expect("parsed people have emails");
        let f = PersonFields {
            given_name: p.given_name.clone(),
            family_name: p.family_name.clone(),
            address: p.address.clone(),
            city: p.city.clone(),
            state: p.state.clone(),
            zip: p.zip.clone(),
            phone: p.phone.clone(),
        };
        tx.upsert_person(slate_id, &email, &f, "csv", at).await?;
    }
    tx.commit().await?;
    let raw = t.elapsed().as_secs_f64();
    writeln!(
        out,
        "| peer: raw `upsert_person` of the same people, one transaction | {raw:.2} |"
    )?;
    // The independent peer: Python's csv and sqlite3 modules, same file.
    let file = data_dir.join("bench-people.csv");
    std::fs::write(&file, &text)?;
    let peer_db = data_dir.join("bench-people-peer.sqlite");
    let _ = std::fs::remove_file(&peer_db);
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/bench_people_peer.py"
    );
    let python = std::env::var("COHORT_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let ran = std::process::Command::new(&python)
        .arg(script)
        .arg(&file)
        .arg(&peer_db)
        .output()?;
    anyhow::ensure!(
        ran.status.success(),
        "the Python peer failed: {}",
        String::from_utf8_lossy(&ran.stderr)
    );
    let python_s: f64 = String::from_utf8_lossy(&ran.stdout).trim().parse()?;
    writeln!(
        out,
        "| peer: Python `csv` + `sqlite3` upsert of the same file, one transaction | {python_s:.2} |"
    )?;
    writeln!(
        out,
        "\nimport / raw: {:.2}; dry run + import / raw: {:.2}; dry run + import / Python: {:.2}",
        import / raw,
        (preview + import) / raw,
        (preview + import) / python_s
    )?;
    Ok(out)
}
