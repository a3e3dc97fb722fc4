//! The transparency log's pure parts (issue 18): what a leaf is, the RFC 6962
//! tree over the leaves with its inclusion and consistency proofs, the C2SP
//! tlog-tiles paths and tiles, and checkpoints signed as C2SP signed notes.
//!
//! The hashing and proofs are `tlog_tiles` (a port of Go's
//! `golang.org/x/mod/sumdb/tlog`) and the notes are `signed_note` (of
//! `sumdb/note`); this crate only arranges them for Cohort. Like the other
//! pure crates it does no IO, reads no clock and draws no random numbers: the
//! key's seed comes from the caller.

pub mod checkpoint;
pub mod leaf;
pub mod tiles;
pub mod tree;

pub use checkpoint::{key_from_seed, CheckpointSigner, CheckpointVerifier, SignedCheckpoint};
pub use leaf::Leaf;
pub use tiles::TilePath;
pub use tlog_tiles::{record_hash, Hash, HASH_SIZE};
pub use tree::{Hashes, Node};

/// C2SP tlog-tiles fixes the tile height at 8: 256 hashes per full tile.
pub const TILE_HEIGHT: u8 = 8;
/// Hashes (or entries) in a full tile.
pub const TILE_WIDTH: u64 = 1 << TILE_HEIGHT;

/// Why a log operation failed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LogError {
    /// A hash the computation needed was not given (the caller must read
    /// the nodes the `*_needs` functions list first).
    #[error("hash of node {0:?} is missing")]
    Missing(Node),
    /// A size or index out of range, or the tree library refused its input.
    #[error("{0}")]
    Invalid(String),
    #[error("not a tile path: {0:?}")]
    BadPath(String),
    #[error("bad checkpoint: {0}")]
    Checkpoint(String),
    #[error("bad key: {0}")]
    Key(String),
}

impl From<tlog_tiles::Error> for LogError {
    fn from(e: tlog_tiles::Error) -> Self {
        LogError::Invalid(e.to_string())
    }
}

/// Standard base64 (the encoding of hashes in checkpoints and proofs).
pub fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decode standard base64 into a hash.
pub fn hash_from_b64(s: &str) -> Option<Hash> {
    use base64::Engine as _;
    let v = base64::engine::general_purpose::STANDARD.decode(s).ok()?;
    Some(Hash(v.try_into().ok()?))
}
