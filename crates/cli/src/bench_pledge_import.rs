//! `cohort bench-pledge-import` (issue 19): importing N rows (default
//! 100,000) of pledges made offline from CSV into a fresh SQLite slate the
//! way `cohort import pledges` does it: the dry run (read, every row through
//! the intake's validation, each row's idempotency key looked up), then the
//! import (checked again, then through the pledge intake 500 to a batch:
//! the `pledged` log event with its receipt commitment, the people list, a
//! held receipt email each), then the same file again (every row skipped by
//! its key). Beside it the peer: the same number of pledge rows inserted by
//! the store's own `insert_pledge`, 500 to a transaction, with no CSV, no
//! checks, no log, no people and no mail. Prints Markdown.

use std::fmt::Write as _;
use std::time::Instant;

use anyhow::{Context, Result};
use cohort_core::csv;
use cohort_engine::{Actor, Engine};

use crate::bench::{fresh, new_pledge, slate, BenchArgs};

const HEADER: [&str; 12] = [
    "email",
    "first_name",
    "last_name",
    "zip",
    "kind",
    "amount",
    "recurring",
    "attests_eligible",
    "employer",
    "occupation",
    "hours",
    "weeks",
];

/// A deterministic file of `rows` pledge cards: mostly money (once and
/// monthly, some over $200 with employer and occupation), every fifth an
/// hours pledge; every 500th name a formula with a comma and quotes.
pub fn synthetic_file(rows: usize) -> String {
    csv::write(
        &HEADER,
        (0..rows).map(|i| {
            let hours = i % 5 == 4;
            let dollars = 5 + (i * 7919) % 400;
            let cell = |yes: bool, v: String| if yes { v } else { String::new() };
            vec![
                format!("card{i}@example.org"),
                format!("Given{i}"),
                if i % 500 == 0 {
                    "=Formula, \"Jr.\"".into()
                } else {
                    format!("Family{i}")
                },
                format!("{:05}", 10_000 + i % 89_999),
                if hours { "hours" } else { "money" }.into(),
                cell(!hours, format!("${dollars}")),
                cell(!hours, if i % 3 == 0 { "monthly" } else { "once" }.into()),
                cell(!hours, "yes".into()),
                cell(!hours && dollars > 200, "Acme Water Co.".into()),
                cell(!hours && dollars > 200, "Engineer".into()),
                cell(hours, format!("{}", 1 + i % 10)),
                cell(hours, "8".into()),
            ]
        }),
    )
}

pub async fn run(rows: usize, data_dir: &std::path::Path) -> Result<String> {
    let args = BenchArgs {
        backends: vec!["sqlite".into()],
        sizes: Vec::new(),
        requests: 0,
        concurrency: Vec::new(),
        pg_admin: String::new(),
        data_dir: data_dir.to_owned(),
        pages_only: false,
    };
    let org = Actor::Organizer { slate: None };
    let text = synthetic_file(rows);
    let mut out = String::new();
    writeln!(
        out,
        "#### sqlite: importing {rows} pledges made offline from CSV ({} MB)\n",
        text.len() / 1_000_000
    )?;
    writeln!(out, "| step | seconds |\n|---|---|")?;

    let store = fresh("sqlite", &args, "pledge-import").await?;
    let engine = Engine::with_store(store);
    slate(&engine).await?;
    let t = Instant::now();
    let pv = engine.preview_pledge_import(&org, "bench", &text).await?;
    let preview = t.elapsed().as_secs_f64();
    anyhow::ensure!(
        pv.problems.is_empty(),
        "the synthetic file has problems: {:?}",
        &pv.problems[..1]
    );
    let t = Instant::now();
    let done = engine
        .import_pledges(&org, "bench", &text, Some(&pv.sha256), &|n, total| {
            if n % 10_000 == 0 || n == total {
                eprintln!("   {n}/{total} pledges written");
            }
        })
        .await?;
    let import = t.elapsed().as_secs_f64();
    anyhow::ensure!(
        done.created == rows && done.failed.is_empty(),
        "created {} of {rows}; failed {:?}",
        done.created,
        done.failed.first()
    );
    let t = Instant::now();
    let again = engine
        .import_pledges(&org, "bench", &text, None, &|_, _| {})
        .await?;
    let reimport = t.elapsed().as_secs_f64();
    anyhow::ensure!(again.already_imported == rows, "{again:?}");
    writeln!(
        out,
        "| dry run (read, the intake's validation per row, keys looked up) | {preview:.2} |"
    )?;
    writeln!(
        out,
        "| import (checked again, then the intake, 500 to a batch) | {import:.2} |"
    )?;
    writeln!(
        out,
        "| **dry run + import, as `cohort import pledges`** | **{:.2}** |",
        preview + import
    )?;
    writeln!(
        out,
        "| the same file again, every row skipped | {reimport:.2} |"
    )?;

    // The peer: the same number of pledge rows through the store alone.
    let store = fresh("sqlite", &args, "pledge-peer").await?;
    let peer = Engine::with_store(store.clone());
    slate(&peer).await?;
    let (slate_id, condition_id) = {
        let mut tx = store.write().await?;
        let s = tx.slate_by_slug("bench").await?.context("bench slate")?;
        let c = tx.condition_id(s.id, &s.condition).await?;
        tx.commit().await?;
        (s.id, c)
    };
    let t = Instant::now();
    for start in (0..rows).step_by(500) {
        let mut tx = store.write().await?;
        for i in start..rows.min(start + 500) {
            tx.insert_pledge(&new_pledge(slate_id, condition_id, i))
                .await?;
        }
        tx.commit().await?;
    }
    let raw = t.elapsed().as_secs_f64();
    writeln!(
        out,
        "| peer: raw `insert_pledge` of as many rows, 500 to a transaction | {raw:.2} |"
    )?;
    writeln!(
        out,
        "\nimport / raw: {:.2}; dry run + import / raw: {:.2}",
        import / raw,
        (preview + import) / raw
    )?;
    Ok(out)
}
