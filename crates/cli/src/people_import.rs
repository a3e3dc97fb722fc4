//! `cohort import people FILE --slate SLUG [--dry-run]` and
//! `cohort import pledges FILE --slate SLUG [--dry-run]` (issue 19): the same
//! dry run as the organizer's pages (every problem by line and column; a file
//! with any problem is refused whole and the command exits non-zero), then
//! the import with a progress bar on stderr (people: one transaction;
//! pledges: through the pledge intake in batches, each row once however
//! often the file is imported).

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

/// The file's text, or an error naming it.
fn read_csv(file: &Path) -> Result<String> {
    std::fs::read_to_string(file)
        .with_context(|| format!("reading {} (a UTF-8 CSV file)", file.display()))
}

/// Each problem on stderr, then the refusal: a file with any problem is
/// refused whole.
fn refuse_any(file: &Path, problems: &[String], nothing: &str) -> Result<()> {
    if problems.is_empty() {
        return Ok(());
    }
    for p in problems {
        eprintln!("  {p}");
    }
    bail!(
        "{} refused whole, {nothing}: {} problem(s)",
        file.display(),
        problems.len()
    )
}

pub async fn people(engine: &Engine, file: &Path, slate: &str, dry_run: bool) -> Result<()> {
    let text = read_csv(file)?;
    let actor = Actor::Organizer { slate: None };
    let started = std::time::Instant::now();
    let pv = engine.preview_people_import(&actor, slate, &text).await?;
    eprintln!("{} rows checked", pv.rows);
    refuse_any(file, &pv.problems, "nothing imported")?;
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
        .import_people(&actor, slate, &text, Some(&pv.sha256), &|d, t| {
            crate::progress::bar("people written", d as u64, t as u64)
        })
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
    let text = read_csv(file)?;
    let actor = Actor::Organizer { slate: None };
    let started = std::time::Instant::now();
    let pv = engine.preview_pledge_import(&actor, slate, &text).await?;
    eprintln!("{} rows checked", pv.rows);
    refuse_any(file, &pv.problems, "no pledge imported")?;
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
            crate::progress::bar("pledges written", d as u64, t as u64)
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
