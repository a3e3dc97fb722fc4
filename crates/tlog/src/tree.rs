//! The RFC 6962 tree, with hashes kept by node (level, index) the way
//! `tlog_tiles` stores them: appending a leaf stores its hash and the hash of
//! every subtree it completes, so any tile, tree hash or proof is read from
//! stored hashes, never recomputed from the leaves.
//!
//! The tree functions read hashes synchronously; a database is not. So each
//! operation comes in two halves: `*_needs` lists the nodes to read, and the
//! operation itself runs on the [`Hashes`] read.

use std::cell::RefCell;
use std::collections::HashMap;

use tlog_tiles::{split_stored_hash_index, stored_hash_index, Hash, HashReader};

use crate::LogError;

/// A node of the tree: `level` 0 are the leaves; node `(l, n)` covers leaves
/// `n·2^l .. (n+1)·2^l`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Node {
    pub level: u8,
    pub n: u64,
}

impl Node {
    fn index(self) -> u64 {
        stored_hash_index(self.level, self.n)
    }
    fn from_index(i: u64) -> Node {
        let (level, n) = split_stored_hash_index(i);
        Node { level, n }
    }
}

/// Stored hashes read for one operation.
#[derive(Clone, Debug, Default)]
pub struct Hashes(HashMap<u64, Hash>);

impl Hashes {
    pub fn new() -> Hashes {
        Hashes::default()
    }
    pub fn insert(&mut self, node: Node, hash: Hash) {
        self.0.insert(node.index(), hash);
    }
    pub fn get(&self, node: Node) -> Option<Hash> {
        self.0.get(&node.index()).copied()
    }
}

impl FromIterator<(Node, Hash)> for Hashes {
    fn from_iter<I: IntoIterator<Item = (Node, Hash)>>(iter: I) -> Self {
        let mut h = Hashes::new();
        for (n, x) in iter {
            h.insert(n, x);
        }
        h
    }
}

/// Hashes by stored index, answering `tlog_tiles`; a missing one is an
/// error (recorded, so the caller can name it).
struct Reader<'a> {
    hashes: &'a Hashes,
    missing: RefCell<Option<Node>>,
}

impl HashReader for Reader<'_> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::Error> {
        indexes
            .iter()
            .map(|&i| {
                self.hashes.0.get(&i).copied().ok_or_else(|| {
                    *self.missing.borrow_mut() = Some(Node::from_index(i));
                    tlog_tiles::Error::IndexesNotInTree
                })
            })
            .collect()
    }
}

/// Records what is asked, answering zeros: the first half of each operation.
#[derive(Default)]
struct Recorder(RefCell<Vec<u64>>);

impl HashReader for Recorder {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::Error> {
        self.0.borrow_mut().extend_from_slice(indexes);
        Ok(vec![Hash::default(); indexes.len()])
    }
}

fn needs<T>(f: impl FnOnce(&Recorder) -> Result<T, tlog_tiles::Error>) -> Vec<Node> {
    let r = Recorder::default();
    let _ = f(&r);
    let mut v: Vec<Node> = r.0.into_inner().into_iter().map(Node::from_index).collect();
    v.sort();
    v.dedup();
    v
}

fn run<T>(
    hashes: &Hashes,
    f: impl FnOnce(&Reader) -> Result<T, tlog_tiles::Error>,
) -> Result<T, LogError> {
    let r = Reader {
        hashes,
        missing: RefCell::new(None),
    };
    let out = f(&r);
    match (out, r.missing.into_inner()) {
        (Ok(v), _) => Ok(v),
        (Err(_), Some(node)) => Err(LogError::Missing(node)),
        (Err(e), None) => Err(e.into()),
    }
}

/// The nodes a tree of `size` leaves needs read before leaves are appended
/// to it: the roots of its complete subtrees (its right edge).
pub fn frontier(size: u64) -> Vec<Node> {
    (0..64u8)
        .filter(|l| size >> l & 1 == 1)
        .map(|level| Node {
            level,
            n: (size >> level) - 1,
        })
        .collect()
}

/// Append `leaves` (their bytes) to a tree of `size` leaves whose
/// [`frontier`] is in `hashes`: the new nodes to store, in order.
pub fn append(
    size: u64,
    hashes: &Hashes,
    leaves: &[Vec<u8>],
) -> Result<Vec<(Node, Hash)>, LogError> {
    let mut all = hashes.clone();
    let mut out = Vec::new();
    for (i, leaf) in leaves.iter().enumerate() {
        let n = size + i as u64;
        let new = run(&all, |r| tlog_tiles::stored_hashes(n, leaf, r))?;
        let first = stored_hash_index(0, n);
        for (k, h) in new.into_iter().enumerate() {
            let node = Node::from_index(first + k as u64);
            all.insert(node, h);
            out.push((node, h));
        }
    }
    Ok(out)
}

/// The nodes [`tree_hash`] reads.
pub fn tree_hash_needs(size: u64) -> Vec<Node> {
    needs(|r| tlog_tiles::tree_hash(size, r))
}

/// The root hash of the first `size` leaves.
pub fn tree_hash(size: u64, hashes: &Hashes) -> Result<Hash, LogError> {
    run(hashes, |r| tlog_tiles::tree_hash(size, r))
}

/// The nodes [`inclusion`] reads (none when `index >= size`).
pub fn inclusion_needs(size: u64, index: u64) -> Vec<Node> {
    if index >= size {
        return Vec::new();
    }
    needs(|r| tlog_tiles::prove_record(size, index, r))
}

/// The proof (RFC 6962 audit path) that leaf `index` is in the tree of `size`.
pub fn inclusion(size: u64, index: u64, hashes: &Hashes) -> Result<Vec<Hash>, LogError> {
    if index >= size {
        return Err(LogError::Invalid(format!(
            "leaf {index} is not in a tree of {size}"
        )));
    }
    run(hashes, |r| tlog_tiles::prove_record(size, index, r))
}

/// The nodes [`consistency`] reads.
pub fn consistency_needs(size: u64, old: u64) -> Vec<Node> {
    if old == 0 || old > size {
        return Vec::new();
    }
    needs(|r| tlog_tiles::prove_tree(size, old, r))
}

/// The proof that the tree of `old` leaves is a prefix of the tree of `size`.
/// `old` is at least 1 (every tree extends the empty one).
pub fn consistency(size: u64, old: u64, hashes: &Hashes) -> Result<Vec<Hash>, LogError> {
    if old == 0 || old > size {
        return Err(LogError::Invalid(format!(
            "no consistency proof from {old} to {size}: need 1 <= from <= to"
        )));
    }
    run(hashes, |r| tlog_tiles::prove_tree(size, old, r))
}

/// Does `proof` show the leaf with hash `leaf` at `index` in the tree of
/// `size` whose root is `root`?
pub fn check_inclusion(proof: &[Hash], size: u64, root: Hash, index: u64, leaf: Hash) -> bool {
    index < size && tlog_tiles::check_record(&proof.to_vec(), size, root, index, leaf).is_ok()
}

/// Does `proof` show the tree of `old` leaves with root `old_root` is a
/// prefix of the tree of `size` with root `root`?
pub fn check_consistency(proof: &[Hash], size: u64, root: Hash, old: u64, old_root: Hash) -> bool {
    if old == size {
        return proof.is_empty() && root == old_root;
    }
    old >= 1
        && old < size
        && tlog_tiles::check_tree(&proof.to_vec(), size, root, old, old_root).is_ok()
}

/// The root of a tree read leaf by leaf, keeping only its right edge (one
/// hash per level): what an auditor needs to check a signed root against a
/// million leaves without storing every node. Hashing is `tlog_tiles`'
/// (`record_hash`, `node_hash`); only the order of combining is here, and
/// `tests/proofs.rs` checks it against [`tree_hash`] for every size.
#[derive(Clone, Debug, Default)]
pub struct RootBuilder {
    /// Roots of the complete subtrees so far, largest first, with levels.
    edge: Vec<(u8, Hash)>,
    size: u64,
}

impl RootBuilder {
    pub fn new() -> RootBuilder {
        RootBuilder::default()
    }

    /// Add the next leaf, by its bytes.
    pub fn push_leaf(&mut self, leaf: &[u8]) {
        self.push_hash(tlog_tiles::record_hash(leaf));
    }

    /// Add the next leaf, by its record hash.
    pub fn push_hash(&mut self, mut h: Hash) {
        let mut level = 0u8;
        while let Some(&(l, left)) = self.edge.last() {
            if l != level {
                break;
            }
            self.edge.pop();
            h = tlog_tiles::node_hash(left, h);
            level += 1;
        }
        self.edge.push((level, h));
        self.size += 1;
    }

    /// Leaves added so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The RFC 6962 root of the leaves added so far (`None` when empty:
    /// the empty tree's hash is the caller's business).
    pub fn root(&self) -> Option<Hash> {
        let mut it = self.edge.iter().rev();
        let mut h = it.next()?.1;
        for &(_, left) in it {
            h = tlog_tiles::node_hash(left, h);
        }
        Some(h)
    }
}
