//! The web server's key (it signs CSRF tokens): `COHORT_WEB_KEY`, or the
//! file `web.key` in the data directory, made on first start. It lives
//! outside the database on purpose. Several servers behind one load
//! balancer must share it (set `COHORT_WEB_KEY` on each); changing it
//! expires the forms open in browsers, nothing else.

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context, Result};
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
    let path = data_dir.join(FILE);
    match std::fs::read_to_string(&path) {
        Ok(secret) if secret.trim().len() >= MIN_LEN => {
            Ok(cohort_web::ServerKey::from_secret(&secret))
        }
        Ok(_) => bail!(
            "{} holds fewer than {MIN_LEN} characters; delete it to make a new key",
            path.display()
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(data_dir)
                .with_context(|| format!("creating {}", data_dir.display()))?;
            let secret = format!("{}{}", engine.new_secret(), engine.new_secret());
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options
                .open(&path)
                .with_context(|| format!("creating {}", path.display()))?;
            writeln!(file, "{secret}").with_context(|| format!("writing {}", path.display()))?;
            file.sync_all()?;
            Ok(cohort_web::ServerKey::from_secret(&secret))
        }
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}
