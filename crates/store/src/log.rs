//! Rows of the transparency log (issue 18): its leaves (each one public
//! event), the stored hashes of its tree by node, and its signed
//! checkpoints. An area trait, [`LogTx`], that [`crate::Tx`] requires. The
//! store only keeps rows; `cohort-tlog` computes every hash and the engine
//! decides what goes in.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use cohort_core::SlateEventKind;

use crate::Result;

/// An event not yet in the log, with its slate's slug.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEvent {
    pub seq: i64,
    pub slug: String,
    pub kind: SlateEventKind,
    pub payload: String,
    pub at: DateTime<Utc>,
}

/// One leaf: its index in the log, the event it logs and its bytes (UTF-8 JSON).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLeafRow {
    pub idx: i64,
    pub event_seq: i64,
    pub data: String,
    /// A `pledged` event's receipt commitment (hex SHA-256), else `None`.
    pub commitment: Option<String>,
}

/// A stored hash of node (`level`, `n`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogHashRow {
    pub level: i32,
    pub n: i64,
    pub hash: Vec<u8>,
}

/// A signed checkpoint (signed-note text) of the first `size` leaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogCheckpointRow {
    pub size: i64,
    pub note: String,
    pub at: DateTime<Utc>,
}

#[async_trait]
pub trait LogTx: Send {
    /// How many leaves the log has (its next index).
    async fn log_size(&mut self) -> Result<i64>;
    /// Events with `seq > after` that are not in the log yet, oldest first,
    /// at most `limit`.
    async fn log_unsequenced(&mut self, after: i64, limit: i64) -> Result<Vec<LogEvent>>;
    /// The highest event seq in the log (0 for an empty log).
    async fn log_last_event(&mut self) -> Result<i64>;
    /// Events with `after < seq <= upto`, less the leaves logging events in
    /// that range: the events there not logged yet (events are never
    /// deleted), counted over indexes rather than looked up one by one.
    async fn log_unlogged_count(&mut self, after: i64, upto: i64) -> Result<i64>;
    /// Store leaves and hashes (in one transaction with the checkpoint).
    async fn log_append(&mut self, leaves: &[LogLeafRow], hashes: &[LogHashRow]) -> Result<()>;
    /// The stored hashes of the nodes `at` (level, n), in that order; a node
    /// never stored is missing from the answer.
    async fn log_hashes(&mut self, at: &[(i32, i64)]) -> Result<Vec<LogHashRow>>;
    /// Hashes of `level` for `n` in `from..to`, by `n`.
    async fn log_hash_range(&mut self, level: i32, from: i64, to: i64) -> Result<Vec<LogHashRow>>;
    /// Leaves with index in `from..to`, by index.
    async fn log_leaves(&mut self, from: i64, to: i64) -> Result<Vec<LogLeafRow>>;
    /// The leaf carrying a pledge's receipt `commitment`, if logged.
    async fn log_leaf_by_commitment(&mut self, commitment: &str) -> Result<Option<LogLeafRow>>;
    /// The leaf logging event `seq`, if it is logged.
    async fn log_leaf_of_event(&mut self, seq: i64) -> Result<Option<LogLeafRow>>;
    async fn put_log_checkpoint(&mut self, c: &LogCheckpointRow) -> Result<()>;
    /// The checkpoint of the largest size.
    async fn latest_log_checkpoint(&mut self) -> Result<Option<LogCheckpointRow>>;
}
