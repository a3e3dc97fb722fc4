//! The secret keys outside the database (issue 14, finding 2): they seal
//! the outbox and derive receipt links (`cohort_engine::sealing`).
//!
//! `COHORT_SECRET_KEY` (one or more keys of 64 hex digits, comma-separated,
//! the first current) wins; otherwise `secret.keys` in the data directory,
//! made on first start with mode 0600. To rotate, put a new key line first
//! (`cohort` prints none: `openssl rand -hex 32`) and keep the old lines
//! while emails sealed under them may still be queued. Several servers on
//! one database need the same keys.

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
    let text = crate::private_file::read_or_create(data_dir, KEY_FILE, || {
        format!(
            "# Cohort's secret keys (newest first; keep older ones to open what they sealed).\n{}",
            Keyring::new_key_line()
        )
    })?;
    Keyring::parse(&text).with_context(|| data_dir.join(KEY_FILE).display().to_string())
}
