//! The transparency log's signing key (issue 18): `COHORT_LOG_KEY` (a note
//! signer key, `PRIVATE+KEY+name+id+base64`), or the file `log.key` in the
//! data directory, made (mode 0600) on first start. It is kept outside the
//! database, so whoever can edit the database still cannot sign a
//! checkpoint. Its name, the log's origin, is `COHORT_PUBLIC_URL`'s host plus
//! `/log` (`localhost/log` without one), fixed when the key is made. Servers sharing a database must share
//! the key (set `COHORT_LOG_KEY` on each, or copy `log.key`).

use std::path::Path;

use anyhow::{anyhow, Context, Result};
use cohort_engine::Engine;
use cohort_tlog::CheckpointSigner;
use sha2::{Digest, Sha256};

const FILE: &str = "log.key";

/// The log's name from the public URL: its host (no port) plus `/log`.
pub fn origin(public_url: &str) -> String {
    let rest = public_url.split_once("://").map_or(public_url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    let host = if host.starts_with('[') {
        host.split(']')
            .next()
            .map(|h| format!("{h}]"))
            .unwrap_or_default()
    } else {
        host.split(':').next().unwrap_or_default().to_owned()
    };
    let host: String = host
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '+')
        .collect();
    if host.is_empty() {
        "localhost/log".into()
    } else {
        format!("{host}/log")
    }
}

/// Load the signer, making `log.key` if there is none.
pub fn load(data_dir: &Path, engine: &Engine) -> Result<CheckpointSigner> {
    if let Ok(skey) = std::env::var("COHORT_LOG_KEY") {
        if !skey.trim().is_empty() {
            return CheckpointSigner::new(&skey)
                .map_err(|e| anyhow!("COHORT_LOG_KEY is not a note signer key: {e}"));
        }
    }
    let name = origin(&std::env::var("COHORT_PUBLIC_URL").unwrap_or_default());
    let text = crate::private_file::read_or_create(data_dir, FILE, || {
        // The seed: SHA-256 of 256+ bits from the engine's secret source.
        let mut h = Sha256::new();
        h.update(engine.new_secret());
        h.update(engine.new_secret());
        let seed: [u8; 32] = h.finalize().into();
        cohort_tlog::key_from_seed(&name, seed)
            .map(|(skey, _)| skey)
            .unwrap_or_default()
    })?;
    CheckpointSigner::new(&text)
        .map_err(|e| anyhow!("{e}"))
        .with_context(|| {
            format!(
                "{} is not a note signer key; delete it to make a new one (the log's checkpoints would then need the new key)",
                data_dir.join(FILE).display()
            )
        })
}

#[cfg(test)]
mod tests {
    use super::origin;

    #[test]
    fn the_origin_is_the_public_hosts_name() {
        assert_eq!(
            origin("https://cohort.example.org/"),
            "cohort.example.org/log"
        );
        assert_eq!(origin("http://127.0.0.1:8080/"), "127.0.0.1/log");
        assert_eq!(origin("http://[::1]:80"), "[::1]/log");
        assert_eq!(origin(""), "localhost/log");
    }
}
