//! `cohort import people FILE --slate SLUG [--dry-run]` and
//! `cohort import pledges FILE --slate SLUG [--dry-run]` (issue 19): the same
//! dry run as the organizer's pages (every problem by line and column; a file
//! with any problem is refused whole and the command exits non-zero), then
//! the import with a progress bar on stderr (people: one transaction;
//! pledges: through the pledge intake in batches, each row once however
//! often the file is imported).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use cohort_engine::{Actor, Engine};

#[derive(Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub what: ImportWhat,
}

#[derive(Subcommand)]
pub enum ImportWhat {
    /// A slate's supporters from CSV (Action Network, Mobilize, ActBlue
    /// exports or any file with an email column), merged by email.
    People {
        /// The CSV file.
        file: PathBuf,
        /// The slate's slug.
        #[arg(long)]
        slate: String,
        /// Check the file and say what would happen; write nothing.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        db: crate::Db,
    },
    /// Pledges made offline (pledge cards, a sheet), one per row, through the
    /// pledge intake: each pledger is emailed their receipt. ActBlue
    /// contribution exports are money already given and are refused.
    Pledges {
        /// The CSV file.
        file: PathBuf,
        /// The slate's slug.
        #[arg(long)]
        slate: String,
        /// Check the file and say what would happen; write nothing.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        db: crate::Db,
    },
}

/// `[#########           ] 45000/100000` on stderr, redrawn in place.
fn bar(done: usize, total: usize) {
    draw(done, total, "people");
}

fn draw(done: usize, total: usize, what: &str) {
    const WIDTH: usize = 30;
    let filled = (done * WIDTH).checked_div(total).unwrap_or(WIDTH);
    let mut err = std::io::stderr().lock();
    let _ = write!(
        err,
        "\r[{}{}] {done}/{total} {what} written",
        "#".repeat(filled),
        " ".repeat(WIDTH - filled)
    );
    if done >= total {
        let _ = writeln!(err);
    }
    let _ = err.flush();
}

pub async fn people(engine: &Engine, file: &Path, slate: &str, dry_run: bool) -> Result<()> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("reading {} (a UTF-8 CSV file)", file.display()))?;
    let actor = Actor::Organizer { slate: None };
    let started = std::time::Instant::now();
    let pv = engine.preview_people_import(&actor, slate, &text).await?;
    eprintln!("{} rows checked", pv.rows);
    if !pv.problems.is_empty() {
        for p in &pv.problems {
            eprintln!("  {p}");
        }
        bail!(
            "{} refused whole, nothing imported: {} problem(s)",
            file.display(),
            pv.problems.len()
        );
    }
    println!(
        "{} new, {} merged by email{}{}",
        pv.creates,
        pv.merges,
        if pv.duplicates > 0 {
            format!(", {} repeated rows folded in", pv.duplicates)
        } else {
            String::new()
        },
        if pv.ignored_columns.is_empty() {
            String::new()
        } else {
            format!("; columns not read: {}", pv.ignored_columns.join(", "))
        }
    );
    if dry_run {
        println!("dry run: nothing written");
        return Ok(());
    }
    let done = engine
        .import_people(&actor, slate, &text, Some(&pv.sha256), &bar)
        .await?;
    println!(
        "imported {} rows into {slate}: {} new, {} merged ({:.1}s)",
        done.rows,
        done.created,
        done.merged,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

pub async fn pledges(engine: &Engine, file: &Path, slate: &str, dry_run: bool) -> Result<()> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("reading {} (a UTF-8 CSV file)", file.display()))?;
    let actor = Actor::Organizer { slate: None };
    let started = std::time::Instant::now();
    let pv = engine.preview_pledge_import(&actor, slate, &text).await?;
    eprintln!("{} rows checked", pv.rows);
    if !pv.problems.is_empty() {
        for p in &pv.problems {
            eprintln!("  {p}");
        }
        bail!(
            "{} refused whole, no pledge imported: {} problem(s)",
            file.display(),
            pv.problems.len()
        );
    }
    println!(
        "{} new pledges, {} already imported{}",
        pv.creates,
        pv.already_imported,
        if pv.ignored_columns.is_empty() {
            String::new()
        } else {
            format!("; columns not read: {}", pv.ignored_columns.join(", "))
        }
    );
    if dry_run {
        println!("dry run: nothing written");
        return Ok(());
    }
    let done = engine
        .import_pledges(&actor, slate, &text, Some(&pv.sha256), &|d, t| {
            draw(d, t, "pledges")
        })
        .await?;
    for f in &done.failed {
        eprintln!("  {f}");
    }
    println!(
        "imported {} rows into {slate}: {} pledges made, {} already imported ({:.1}s)",
        done.rows,
        done.created,
        done.already_imported,
        started.elapsed().as_secs_f64()
    );
    if !done.failed.is_empty() {
        bail!(
            "{} row(s) could not be saved (listed above); the rest are in: import the same file again once fixed",
            done.failed.len()
        );
    }
    Ok(())
}
