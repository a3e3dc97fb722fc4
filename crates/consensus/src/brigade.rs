//! Brigading: a burst of new participants who arrive together and vote as
//! one. Flagged for organizers, and removable from the bridging fit
//! ([`without`]) so a burst cannot buy a statement a bridging score.
//!
//! A participant's **arrival** is the time of their first vote. Two
//! participants are **near-identical** when they voted on at least
//! [`BrigadeParams::min_common`] of the same statements and differ on at most
//! [`BrigadeParams::max_mismatch`] of those (a pass differing from an agree
//! counts as a difference). Participants are taken in arrival order and each
//! joins the first open **pack** whose first member they are near-identical
//! to; a pack stays open for [`BrigadeParams::window_ms`] after its first
//! member arrived. A pack is a **burst** when it holds at least
//! [`BrigadeParams::min_size`] participants and at least
//! [`BrigadeParams::min_share`] of everyone who voted.
//!
//! Organic arrivals rarely match this: people who arrive together still
//! disagree on a good share of the statements they both saw. Pure: the
//! result depends only on the votes and the parameters.
//!
//! Cost: a busy conversation opens a pack for nearly every arrival, so
//! comparing each arrival with every open pack would be quadratic in the
//! arrivals of a window. An arrival is compared with the open pack whose
//! first member cast exactly the same votes (found by a hash of the vote
//! row, so a scripted burst is found however many others arrive among it)
//! and with at most [`SCAN`] most recently opened packs; a burst of
//! near-identical (not identical) members is found while fewer than that
//! many packs open between its arrivals.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Serialize};

use crate::matrix::{VoteMatrix, VoteRecord};

/// What counts as a burst.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrigadeParams {
    /// A pack is open this long after its first arrival (ms; 30 minutes).
    pub window_ms: i64,
    /// Statements two participants must both have voted on (5).
    pub min_common: usize,
    /// Share of those they may differ on (0.1).
    pub max_mismatch: f64,
    /// Fewest participants in a burst (10).
    pub min_size: usize,
    /// Least share of all participants in a burst (0.05).
    pub min_share: f64,
}

impl Default for BrigadeParams {
    fn default() -> Self {
        BrigadeParams {
            window_ms: 30 * 60 * 1000,
            min_common: 5,
            max_mismatch: 0.1,
            min_size: 10,
            min_share: 0.05,
        }
    }
}

/// A flagged burst.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Burst {
    /// First and last arrival in it.
    pub from: i64,
    pub until: i64,
    /// Participant ids, ascending.
    pub participants: Vec<u64>,
    /// Their share of everyone who voted.
    pub share: f64,
}

fn near_identical(m: &VoteMatrix, a: usize, b: usize, p: &BrigadeParams) -> bool {
    let (mut common, mut differ) = (0usize, 0usize);
    let mut rb = m.row(b).peekable();
    for (c, v) in m.row(a) {
        while rb.peek().is_some_and(|&(cb, _)| cb < c) {
            rb.next();
        }
        if let Some(&(cb, w)) = rb.peek() {
            if cb == c {
                common += 1;
                differ += usize::from(v != w);
            }
        }
    }
    common >= p.min_common && (differ as f64) <= p.max_mismatch * common as f64
}

/// Most recently opened packs an arrival is compared with (beside the one
/// with exactly its votes).
pub const SCAN: usize = 64;

/// A hash of a participant's votes (statement and vote, in column order).
fn signature(m: &VoteMatrix, r: usize) -> u64 {
    // DefaultHasher::new() has fixed keys: the same votes, the same hash.
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for (c, v) in m.row(r) {
        (c, v).hash(&mut h);
    }
    h.finish()
}

/// The bursts in `votes` (any order), earliest first.
pub fn detect(votes: &[VoteRecord], p: &BrigadeParams) -> Vec<Burst> {
    let m = VoteMatrix::from_votes(votes);
    let n = m.n_rows();
    if n == 0 {
        return Vec::new();
    }
    let mut arrival = vec![i64::MAX; n];
    for v in votes {
        if let Some(r) = m.row_of(v.participant) {
            arrival[r] = arrival[r].min(v.time);
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&r| (arrival[r], r));

    // Packs: (first member's row, members); open ones are searched in
    // creation order.
    let mut packs: Vec<(usize, Vec<usize>)> = Vec::new();
    // A pack's first member's signature -> the latest pack opened with it.
    let mut by_signature: HashMap<u64, usize> = HashMap::new();
    let mut open_from = 0;
    for &r in &order {
        while open_from < packs.len() && arrival[r] - arrival[packs[open_from].0] > p.window_ms {
            open_from += 1;
        }
        let sig = signature(&m, r);
        let same = by_signature
            .get(&sig)
            .copied()
            .filter(|&i| i >= open_from && near_identical(&m, packs[i].0, r, p));
        let recent = packs.len().saturating_sub(SCAN).max(open_from);
        let found =
            same.or_else(|| (recent..packs.len()).find(|&i| near_identical(&m, packs[i].0, r, p)));
        match found {
            Some(i) => packs[i].1.push(r),
            None => {
                by_signature.insert(sig, packs.len());
                packs.push((r, vec![r]));
            }
        }
    }
    let need = (p.min_share * n as f64).ceil().max(p.min_size as f64) as usize;
    packs
        .into_iter()
        .filter(|(_, members)| members.len() >= need.max(1))
        .map(|(_, members)| {
            let mut participants: Vec<u64> = members.iter().map(|&r| m.participants()[r]).collect();
            participants.sort_unstable();
            Burst {
                from: members.iter().map(|&r| arrival[r]).min().unwrap_or(0),
                until: members.iter().map(|&r| arrival[r]).max().unwrap_or(0),
                share: members.len() as f64 / n as f64,
                participants,
            }
        })
        .collect()
}

/// `votes` without the participants of `bursts`: the down-weighted input
/// (weight zero) for the bridging fit.
pub fn without(votes: &[VoteRecord], bursts: &[Burst]) -> Vec<VoteRecord> {
    let mut drop: Vec<u64> = bursts
        .iter()
        .flat_map(|b| b.participants.iter().copied())
        .collect();
    drop.sort_unstable();
    votes
        .iter()
        .filter(|v| drop.binary_search(&v.participant).is_err())
        .copied()
        .collect()
}
