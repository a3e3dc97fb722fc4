//! `cohort rollcalls import DIR` (issue 17): read `rollcalls.csv` and
//! `positions.csv` in the layout of `votes-119/`, check them whole (a
//! malformed file is refused with file, line and column before anything is
//! written), then store them in one transaction, printing progress.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use cohort_engine::Engine;

#[derive(Args)]
pub struct RollcallsArgs {
    #[command(subcommand)]
    pub action: RollcallsAction,
}

#[derive(Subcommand)]
pub enum RollcallsAction {
    /// Load DIR/rollcalls.csv and DIR/positions.csv (idempotent: importing
    /// the same files again changes nothing).
    Import {
        /// A directory in the layout of votes-119/.
        dir: PathBuf,
        #[command(flatten)]
        db: crate::Db,
    },
}

/// Read and check both files; nothing is opened for writing.
pub fn read(dir: &Path) -> Result<cohort_congress::RollCalls> {
    let rc_path = dir.join("rollcalls.csv");
    let pos_path = dir.join("positions.csv");
    let rc = std::fs::read_to_string(&rc_path)
        .with_context(|| format!("reading {}", rc_path.display()))?;
    let pos = std::fs::read_to_string(&pos_path)
        .with_context(|| format!("reading {}", pos_path.display()))?;
    let mut votes = cohort_congress::RollCalls::default();
    votes.add(
        &rc_path.display().to_string(),
        &rc,
        &pos_path.display().to_string(),
        &pos,
    )?;
    Ok(votes)
}

pub async fn import(engine: &Engine, dir: &Path) -> Result<()> {
    let votes = read(dir)?;
    let started = std::time::Instant::now();
    let total = votes.positions.values().map(|p| p.len()).sum::<usize>();
    eprintln!(
        "importing {} roll calls with {total} positions from {}",
        votes.calls.len(),
        dir.display()
    );
    let mut progress = |done: usize, total: usize| {
        if total > 20_000 {
            eprintln!("  {done} of {total} positions");
        }
    };
    let s = engine.import_roll_calls(&votes, &mut progress).await?;
    println!(
        "imported {} roll calls and {} positions in {:.1}s; the database now holds {} roll calls and {} positions",
        s.roll_calls,
        s.positions,
        started.elapsed().as_secs_f64(),
        s.stored_roll_calls,
        s.stored_positions
    );
    Ok(())
}
