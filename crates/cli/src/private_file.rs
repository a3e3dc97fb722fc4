//! Files only their owner may read, in the data directory: the web key,
//! the secret keys and the demo's token all live outside the database.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

fn private_options() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

/// The text of `dir/name`, made by `make` (mode 0600) if there is none yet.
/// Two processes starting at once agree: the file is created only once, and
/// the one that did not make it reads what the other wrote.
pub fn read_or_create(dir: &Path, name: &str, make: impl FnOnce() -> String) -> Result<String> {
    let path = dir.join(name);
    if !path.exists() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        match private_options().create_new(true).open(&path) {
            Ok(mut f) => {
                writeln!(f, "{}", make()).with_context(|| format!("writing {}", path.display()))?;
                f.sync_all()?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e).with_context(|| format!("creating {}", path.display())),
        }
    }
    std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))
}

/// Write `text` to `path`, replacing it, readable by its owner only.
pub fn write(path: &Path, text: &str) -> std::io::Result<()> {
    private_options()
        .create(true)
        .truncate(true)
        .open(path)?
        .write_all(format!("{text}\n").as_bytes())
}
