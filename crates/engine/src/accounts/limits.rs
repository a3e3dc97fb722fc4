//! How much an attacker gets, counted in the database so every server agrees
//! (`SignInTx::count_attempt`, fixed windows).
//!
//! - Sign-in links: at most [`LINKS_PER_WINDOW`] emails to one address per
//!   [`LINK_WINDOW_SECS`]; further requests are answered exactly like the
//!   others and send nothing. A link lives as long as the window
//!   ([`SIGN_IN_LINK_TTL`](super::SIGN_IN_LINK_TTL)), so whenever a request
//!   sends nothing, the newest link of the window is still in the owner's
//!   inbox and still works: nobody can lock an address out.
//! - Password guesses: at most [`GUESSES_PER_WINDOW`] per client *and*
//!   address together per [`GUESS_WINDOW_SECS`]. A stranger guessing from
//!   elsewhere uses up only their own allowance, never the owner's.

use chrono::{DateTime, Utc};

use crate::secrets::token_hash;

/// Sign-in links emailed to one address per window.
pub const LINKS_PER_WINDOW: i64 = 3;
/// The window sign-in links are counted in: an hour.
pub const LINK_WINDOW_SECS: i64 = 3600;
/// Password guesses per client and address per window.
pub const GUESSES_PER_WINDOW: i64 = 5;
/// The window password guesses are counted in: 15 minutes.
pub const GUESS_WINDOW_SECS: i64 = 15 * 60;
/// Counts are forgotten this long after their window started.
const KEEP_SECS: i64 = 24 * 3600;

/// The start of the window of length `secs` that `at` falls in.
pub(crate) fn window_start(at: DateTime<Utc>, secs: i64) -> i64 {
    at.timestamp().div_euclid(secs) * secs
}

/// Seconds from `at` until the window of length `secs` that holds it ends.
pub(crate) fn seconds_left(at: DateTime<Utc>, secs: i64) -> u64 {
    u64::try_from(window_start(at, secs) + secs - at.timestamp()).unwrap_or(1)
}

/// Windows that started before this are forgotten.
pub(crate) fn forget_before(at: DateTime<Utc>) -> i64 {
    at.timestamp() - KEEP_SECS
}

/// The stored key of a counter: the SHA-256 of what it counts, so no
/// address or client is readable from the table.
pub(crate) fn key(parts: &[&str]) -> String {
    token_hash(&parts.join("\u{1f}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn windows_are_fixed_and_say_how_long_is_left() {
        let at = Utc.with_ymd_and_hms(2026, 11, 24, 12, 40, 0).unwrap();
        let start = Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap();
        assert_eq!(window_start(at, LINK_WINDOW_SECS), start.timestamp());
        assert_eq!(seconds_left(at, LINK_WINDOW_SECS), 20 * 60);
        assert_eq!(seconds_left(at, GUESS_WINDOW_SECS), 5 * 60);
        assert_ne!(key(&["a", "bc"]), key(&["ab", "c"]));
    }
}
