//! Sign-in limits and session control (issue 14): attempt counters that
//! every server shares, voiding older sign-in links, ending a person's other
//! sessions, and when a session last proved its address by an emailed link.
//! The store counts and keeps; the engine decides what a count allows.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{Id, Result};

/// The sign-in area of a [`Tx`](crate::Tx).
#[async_trait]
pub trait SignInTx: Send {
    /// Count one more attempt under `key` in the window starting at
    /// `window_start` (seconds since the epoch), and answer the count with
    /// this one. Atomic: concurrent transactions on any server each get
    /// their own number.
    async fn count_attempt(&mut self, key: &str, window_start: i64) -> Result<i64>;
    /// Forget the counts of windows that started before `before`; answers
    /// how many were forgotten.
    async fn forget_attempts(&mut self, before: i64) -> Result<u64>;
    /// Mark every unused sign-in link of `user_id` used (void); answers how many.
    async fn void_sign_in_links(&mut self, user_id: Id, at: DateTime<Utc>) -> Result<u64>;
    /// End every session of `user_id` except the one whose hash is `keep`;
    /// answers how many ended.
    async fn end_sessions(&mut self, user_id: Id, keep: Option<&str>) -> Result<u64>;
    /// Record that the secret `hash` (a session) was made by following an
    /// emailed link at `at`.
    async fn set_proven_at(&mut self, hash: &str, at: DateTime<Utc>) -> Result<()>;
    /// When the secret `hash` was made by following an emailed link, if it was.
    async fn proven_at(&mut self, hash: &str) -> Result<Option<DateTime<Utc>>>;
}
