//! Password hashing behind a seam, and what a new password must be.
//!
//! [`Passwords`] is how the engine hashes and verifies: [`Argon2Passwords`]
//! (argon2id with the crate's default parameters) unless a test wraps it to
//! watch what runs. Signing in verifies against a *dummy* hash with the same
//! parameters when there is no real one, so "no account", "no password yet"
//! and "wrong password" cost the same and answer the same.

use std::collections::HashSet;
use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use cohort_core::Email;

use crate::{EngineError, Result};

/// Passwords shorter than this (in characters) are refused.
pub const MIN_PASSWORD: usize = 10;
/// Passwords longer than this (in bytes) are refused.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Hashes and verifies passwords (the engine's only way to).
pub trait Passwords: Send + Sync {
    /// A PHC string of `password` salted with `salt`.
    fn hash(&self, password: &str, salt: &[u8]) -> std::result::Result<String, String>;
    /// Whether `password` is the one `phc` was made from. A string that is
    /// not a PHC hash matches nothing.
    fn verify(&self, password: &str, phc: &str) -> bool;
    /// A hash of a secret nobody knows, made as [`Passwords::hash`] makes
    /// them: verified against when the account has no password, so that
    /// costs what a real verification costs. Never proves anything.
    fn dummy(&self) -> &str;
}

/// argon2id with the `argon2` crate's default parameters.
#[derive(Debug, Default)]
pub struct Argon2Passwords {
    dummy: OnceLock<String>,
}

impl Passwords for Argon2Passwords {
    fn hash(&self, password: &str, salt: &[u8]) -> std::result::Result<String, String> {
        let salt = SaltString::encode_b64(salt).map_err(|e| e.to_string())?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| e.to_string())
    }

    fn verify(&self, password: &str, phc: &str) -> bool {
        PasswordHash::new(phc).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    }

    fn dummy(&self) -> &str {
        self.dummy.get_or_init(|| {
            use rand::RngCore;
            let mut secret = [0u8; 32];
            let mut salt = [0u8; 16];
            rand::rngs::OsRng.fill_bytes(&mut secret);
            rand::rngs::OsRng.fill_bytes(&mut salt);
            self.hash(&hex::encode(secret), &salt)
                .unwrap_or_else(|e| unreachable!("argon2 hashes 64 hex characters: {e}"))
        })
    }
}

const COMMON: &str = include_str!("../../../../data/passwords/common-10k.txt");

/// Whether `password` is one of the 10,000 most common (without regard to case).
pub fn is_common(password: &str) -> bool {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    })
    .contains(password.to_lowercase().as_str())
}

/// Refuse a new password that is too short, too long, one of the most
/// common, or the account's own email address; the error names `field`.
pub fn check_new_password(field: &str, password: &str, email: &Email) -> Result<()> {
    let refuse = |why: String| Err(EngineError::invalid(field, format!("new password: {why}")));
    if password.chars().count() < MIN_PASSWORD {
        return refuse(format!("must be at least {MIN_PASSWORD} characters"));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return refuse(format!("must be at most {MAX_PASSWORD_BYTES} bytes"));
    }
    if is_common(password) {
        return refuse(
            "is one of the 10,000 most common passwords, which are tried first; choose another"
                .into(),
        );
    }
    let lower = password.to_lowercase();
    let address = email.as_str().to_lowercase();
    let local = address.split('@').next().unwrap_or("");
    if lower == address || lower == local {
        return refuse("must not be your email address".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_list_is_the_top_ten_thousand() {
        assert_eq!(COMMON.lines().count(), 10_000);
        assert!(is_common("password"));
        assert!(is_common("QwertyUIOP"), "without regard to case");
        assert!(!is_common("correct horse battery"));
    }

    #[test]
    fn new_passwords_are_checked_for_length_commonness_and_the_address() {
        let email = Email::parse("bo@example.org").expect("email");
        let why = |p: &str| match check_new_password("password", p, &email) {
            Err(EngineError::Invalid { field, message }) => {
                assert_eq!(field, "password");
                message
            }
            other => panic!("{p:?} was not refused: {other:?}"),
        };
        assert!(why("short").contains("at least 10 characters"));
        assert!(why("1234567890").contains("most common"));
        assert!(why("password123").contains("most common"));
        assert!(why("bo@example.org").contains("email address"));
        assert!(why(&"x".repeat(1025)).contains("at most"));
        assert!(check_new_password("password", "correct horse battery", &email).is_ok());
    }

    #[test]
    fn the_dummy_hash_matches_nothing_and_is_made_like_real_ones() {
        let p = Argon2Passwords::default();
        let real = p
            .hash("correct horse battery", b"0123456789abcdef")
            .expect("hash");
        let dummy = p.dummy().to_owned();
        assert_eq!(p.dummy(), dummy, "made once");
        let params = |phc: &str| {
            let h = PasswordHash::new(phc).expect("a PHC string");
            (h.algorithm.to_string(), h.version, h.params.to_string())
        };
        assert_eq!(params(&real), params(&dummy));
        assert!(p.verify("correct horse battery", &real));
        assert!(!p.verify("correct horse battery", &dummy));
        assert!(!p.verify("anything", "not a hash"));
    }
}
