//! The secret keys outside the database (issue 14, finding 2): they seal
//! the outbox and derive receipt links (`cohort_engine::sealing`).
//!
//! `COHORT_SECRET_KEY` (one or more keys of 64 hex digits, comma-separated,
//! the first current) wins; otherwise `secret.keys` in the data directory,
//! made on first start with mode 0600. To rotate, put a new key line first
//! (`cohort` prints none: `openssl rand -hex 32`) and keep the old lines
//! while emails sealed under them may still be queued. Several servers on
//! one database need the same keys.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use cohort_engine::sealing::Keyring;

pub const KEY_FILE: &str = "secret.keys";

pub fn load(data_dir: &Path) -> Result<Keyring> {
    if let Some(v) = std::env::var("COHORT_SECRET_KEY")
        .ok()
        .filter(|v| !v.trim().is_empty())
    {
        return Keyring::parse(&v).context("COHORT_SECRET_KEY");
    }
    let path = data_dir.join(KEY_FILE);
    if !path.exists() {
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("creating {}", data_dir.display()))?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(&path) {
            Ok(mut f) => {
                writeln!(
                    f,
                    "# Cohort's secret keys (newest first; keep older ones to open what they sealed).\n{}",
                    Keyring::new_key_line()
                )
                .with_context(|| format!("writing {}", path.display()))?;
                f.sync_all()?;
            }
            // Another process made it first: read theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e).with_context(|| format!("creating {}", path.display())),
        }
    }
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Keyring::parse(&text).with_context(|| path.display().to_string())
}
