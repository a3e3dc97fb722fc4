//! The web server's key (it signs CSRF tokens): `COHORT_WEB_KEY`, or the
//! file `web.key` in the data directory, made on first start. It lives
//! outside the database on purpose. Several servers behind one load
//! balancer must share it (set `COHORT_WEB_KEY` on each); changing it
//! expires the forms open in browsers, nothing else.

use std::path::Path;

use anyhow::{bail, Result};
use cohort_engine::Engine;

const FILE: &str = "web.key";
const MIN_LEN: usize = 32;

pub fn load(data_dir: &Path, engine: &Engine) -> Result<cohort_web::ServerKey> {
    if let Ok(secret) = std::env::var("COHORT_WEB_KEY") {
        if secret.trim().len() < MIN_LEN {
            bail!("COHORT_WEB_KEY must be at least {MIN_LEN} characters of random text");
        }
        return Ok(cohort_web::ServerKey::from_secret(&secret));
    }
    let secret = crate::private_file::read_or_create(data_dir, FILE, || {
        format!("{}{}", engine.new_secret(), engine.new_secret())
    })?;
    if secret.trim().len() < MIN_LEN {
        bail!(
            "{} holds fewer than {MIN_LEN} characters; delete it to make a new key",
            data_dir.join(FILE).display()
        );
    }
    Ok(cohort_web::ServerKey::from_secret(&secret))
}
