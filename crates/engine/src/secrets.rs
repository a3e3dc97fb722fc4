//! Secrets compared and stored: a token's SHA-256 (what the store keeps
//! instead of the token) and a comparison that takes the same time wherever
//! two secrets first differ. Its own module so that every module that
//! checks a secret (auth, tokens, sealing, digests) depends on it, not on
//! one another.

use sha2::{Digest, Sha256};

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compare secrets in time independent of where they first differ.
pub(crate) fn secrets_equal(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
