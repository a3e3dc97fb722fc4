//! `cohort match`: volunteers and needs from CSV in, the maximum-score
//! assignment out. Everything is read and checked before anything is
//! written, and the output appears whole (temp file + rename) or not at all.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use cohort_matching::taxonomy::Taxonomy;
use cohort_matching::{assign, csv, explain_unfilled};

/// Runs the command. Prints why each role is unfilled when `explain`, and
/// always, as the last line: `total_score=… filled=… unfilled=…`.
pub fn run(volunteers: &Path, needs: &Path, out: &Path, explain: bool) -> Result<()> {
    let started = Instant::now();
    let vs = csv::parse_volunteers(&volunteers.display().to_string(), &read(volunteers)?)?;
    let ns = csv::parse_needs(&needs.display().to_string(), &read(needs)?)?;
    let parsed = started.elapsed();

    let matching = assign(&vs, &ns);
    let solved = started.elapsed() - parsed;

    write_atomically(out, csv::write_assignment(&ns, &vs, &matching).as_bytes())?;
    eprintln!(
        "cohort match: read {} volunteers and {} needs in {:.3} s; solved in {:.3} s \
         ({} role classes, {} candidate pairs, {} dual adjustments); wrote {}",
        vs.len(),
        ns.len(),
        parsed.as_secs_f64(),
        solved.as_secs_f64(),
        matching.stats.classes,
        matching.stats.candidate_pairs,
        matching.stats.stages,
        out.display()
    );
    if explain {
        for (i, why) in explain_unfilled(&vs, &ns, &matching, &Taxonomy::standard()) {
            let n = &ns[i];
            println!("unfilled {} ({}, {}): {why}", n.id, n.campaign, n.role);
        }
    }
    println!(
        "total_score={} filled={} unfilled={}",
        matching.total_score,
        matching.filled(),
        matching.unfilled()
    );
    Ok(())
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

/// Writes `bytes` to a temporary file beside `path`, syncs it and renames it
/// over `path`, so readers see the old file or the whole new one. The
/// temporary file is removed if anything fails.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .with_context(|| format!("--out {} is not a file name", path.display()))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> Result<()> {
        let mut f =
            std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
            .with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))?;
        // Make the rename itself durable; not every platform can open a directory.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("writing {}", path.display()))
}
