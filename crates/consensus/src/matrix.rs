//! The vote matrix: participants × statements, agree (+1) / disagree (-1) /
//! pass (0) / missing, stored sparse (CSR) because a real conversation is
//! mostly missing. Mirrors polis `conversation.clj`'s `raw-rating-mat`
//! (built by `nm/update-nmat`, where a later vote overwrites an earlier one).

use serde::{Deserialize, Serialize};

/// One vote as it arrives. `time` orders votes on the same statement by the
/// same participant: the last one wins (ties: the later in the input wins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteRecord {
    pub participant: u64,
    pub statement: u64,
    /// +1 agree, -1 disagree, 0 pass.
    pub vote: i8,
    pub time: i64,
}

/// A sparse participants × statements matrix of the last vote of each pair.
///
/// Rows are participants with at least one vote, in ascending id; columns are
/// statements with at least one vote, in ascending id (the columns polis's
/// named matrix has, since it only grows by votes).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VoteMatrix {
    participants: Vec<u64>,
    statements: Vec<u64>,
    row_start: Vec<usize>,
    cols: Vec<u32>,
    vals: Vec<i8>,
}

impl VoteMatrix {
    /// Builds the matrix, keeping each participant's last vote per statement.
    /// Votes other than -1, 0, +1 are clamped to their sign.
    pub fn from_votes(votes: &[VoteRecord]) -> VoteMatrix {
        // Sort an index by (participant, statement, time, input order); the
        // last of each (participant, statement) run is the vote that counts.
        let mut order: Vec<u32> = (0..votes.len() as u32).collect();
        order.sort_unstable_by_key(|&i| {
            let v = &votes[i as usize];
            (v.participant, v.statement, v.time, i)
        });
        let mut statements: Vec<u64> = votes.iter().map(|v| v.statement).collect();
        statements.sort_unstable();
        statements.dedup();

        let mut m = VoteMatrix {
            statements,
            row_start: vec![0],
            ..VoteMatrix::default()
        };
        for (pos, &i) in order.iter().enumerate() {
            let v = &votes[i as usize];
            let next_same = order.get(pos + 1).is_some_and(|&j| {
                let w = &votes[j as usize];
                w.participant == v.participant && w.statement == v.statement
            });
            if next_same {
                continue; // a later vote on the same pair overrides this one
            }
            if m.participants.last() != Some(&v.participant) {
                if !m.participants.is_empty() {
                    m.row_start.push(m.cols.len());
                }
                m.participants.push(v.participant);
            }
            let col = m.statements.binary_search(&v.statement).unwrap_or(0);
            m.cols.push(col as u32);
            m.vals.push(v.vote.signum());
        }
        if !m.participants.is_empty() {
            m.row_start.push(m.cols.len());
        }
        m
    }

    /// Participant ids, one per row.
    pub fn participants(&self) -> &[u64] {
        &self.participants
    }

    /// Statement ids, one per column.
    pub fn statements(&self) -> &[u64] {
        &self.statements
    }

    pub fn n_rows(&self) -> usize {
        self.participants.len()
    }

    pub fn n_cols(&self) -> usize {
        self.statements.len()
    }

    /// Number of (last) votes stored.
    pub fn n_votes(&self) -> usize {
        self.vals.len()
    }

    /// Row `r`'s votes as (column, vote), columns ascending.
    pub fn row(&self, r: usize) -> impl Iterator<Item = (usize, i8)> + '_ {
        let (a, b) = (self.row_start[r], self.row_start[r + 1]);
        self.cols[a..b]
            .iter()
            .zip(&self.vals[a..b])
            .map(|(&c, &v)| (c as usize, v))
    }

    /// Every stored vote's column, row after row (`row_start` order).
    pub(crate) fn cols(&self) -> &[u32] {
        &self.cols
    }

    /// How many statements row `r` voted on.
    pub fn row_len(&self, r: usize) -> usize {
        self.row_start[r + 1] - self.row_start[r]
    }

    /// Column index of a statement id, if it has votes.
    pub fn column_of(&self, statement: u64) -> Option<usize> {
        self.statements.binary_search(&statement).ok()
    }

    /// Row index of a participant id, if they voted.
    pub fn row_of(&self, participant: u64) -> Option<usize> {
        self.participants.binary_search(&participant).ok()
    }

    /// SHA-256 of the matrix, lowercase hex, so a published result names the
    /// votes it was computed from. The canonical serialization hashed is the
    /// ASCII tag `cohort-vote-matrix-v1`, a line feed, then one 17-byte record
    /// per stored (last) vote in ascending (participant, statement) order:
    /// participant id as u64 big-endian, statement id as u64 big-endian, the
    /// vote as one two's-complement byte (1 agree, 0 pass, -1 disagree).
    /// Vote times, the input order and superseded votes do not enter it.
    pub fn sha256_hex(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(b"cohort-vote-matrix-v1\n");
        let mut rec = [0u8; 17];
        for r in 0..self.n_rows() {
            rec[..8].copy_from_slice(&self.participants[r].to_be_bytes());
            for (c, v) in self.row(r) {
                rec[8..16].copy_from_slice(&self.statements[c].to_be_bytes());
                rec[16] = v as u8;
                h.update(rec);
            }
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The last votes back as records (time 0), row by row.
    pub fn to_votes(&self) -> Vec<VoteRecord> {
        let mut out = Vec::with_capacity(self.n_votes());
        for r in 0..self.n_rows() {
            for (c, v) in self.row(r) {
                out.push(VoteRecord {
                    participant: self.participants[r],
                    statement: self.statements[c],
                    vote: v,
                    time: 0,
                });
            }
        }
        out
    }
}

/// Who is "in the conversation": polis `conversation.clj` `:in-conv`. A
/// participant is in once they voted on at least `min(min_votes, statements)`
/// statements; if fewer than 15 are in, the most active others are added
/// until there are 15 (polis's `greedy-n`). Participants already in (a warm
/// start's `previous`) stay in. Returns a mask over rows.
pub fn in_conversation(m: &VoteMatrix, min_votes: usize, previous: &[u64]) -> Vec<bool> {
    const GREEDY_N: usize = 15;
    let threshold = min_votes.min(m.n_cols());
    let mut inside: Vec<bool> = (0..m.n_rows()).map(|r| m.row_len(r) >= threshold).collect();
    for p in previous {
        if let Some(r) = m.row_of(*p) {
            inside[r] = true;
        }
    }
    let count = inside.iter().filter(|x| **x).count();
    if count < GREEDY_N {
        let mut rest: Vec<usize> = (0..m.n_rows()).filter(|&r| !inside[r]).collect();
        // Most votes first; equal counts in id order, so the choice is stable.
        rest.sort_by_key(|&r| (std::cmp::Reverse(m.row_len(r)), r));
        for r in rest.into_iter().take(GREEDY_N - count) {
            inside[r] = true;
        }
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(participant: u64, statement: u64, vote: i8, time: i64) -> VoteRecord {
        VoteRecord {
            participant,
            statement,
            vote,
            time,
        }
    }

    #[test]
    fn last_vote_wins_by_time_then_input_order() {
        let m = VoteMatrix::from_votes(&[
            v(5, 10, 1, 3),
            v(5, 10, -1, 1),
            v(2, 11, 0, 0),
            v(2, 11, 1, 0),
            v(5, 12, -1, 0),
        ]);
        assert_eq!(m.participants(), &[2, 5]);
        assert_eq!(m.statements(), &[10, 11, 12]);
        assert_eq!(m.row(0).collect::<Vec<_>>(), vec![(1, 1)]);
        assert_eq!(m.row(1).collect::<Vec<_>>(), vec![(0, 1), (2, -1)]);
        assert_eq!(m.n_votes(), 3);
    }

    #[test]
    fn the_hash_follows_the_documented_serialization_and_ignores_history() {
        use sha2::{Digest, Sha256};
        let m = VoteMatrix::from_votes(&[v(2, 7, -1, 0), v(1, 9, 1, 5), v(1, 9, 0, 9)]);
        let mut bytes = b"cohort-vote-matrix-v1\n".to_vec();
        for (p, s, x) in [(1u64, 9u64, 0i8), (2, 7, -1)] {
            bytes.extend(p.to_be_bytes());
            bytes.extend(s.to_be_bytes());
            bytes.push(x as u8);
        }
        let want: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(m.sha256_hex(), want);
        // Same last votes in another order and without the superseded one.
        let same = VoteMatrix::from_votes(&[v(1, 9, 0, 9), v(2, 7, -1, 3)]);
        assert_eq!(same.sha256_hex(), want);
        let other = VoteMatrix::from_votes(&[v(1, 9, 1, 9), v(2, 7, -1, 3)]);
        assert_ne!(other.sha256_hex(), want);
    }

    #[test]
    fn empty_input_gives_an_empty_matrix() {
        let m = VoteMatrix::from_votes(&[]);
        assert_eq!((m.n_rows(), m.n_cols(), m.n_votes()), (0, 0, 0));
        assert!(in_conversation(&m, 7, &[]).is_empty());
    }

    #[test]
    fn in_conversation_uses_min_of_seven_and_statement_count_then_greedy_fill() {
        // 3 statements: everyone who voted on all 3 is in; with fewer than 15
        // in, the most active of the rest are added up to 15.
        let mut votes = Vec::new();
        for p in 0..20u64 {
            let n = if p < 4 { 3 } else { 1 + (p % 2) };
            for s in 0..n {
                votes.push(v(p, s, 1, 0));
            }
        }
        let m = VoteMatrix::from_votes(&votes);
        let inside = in_conversation(&m, 7, &[]);
        assert_eq!(inside.iter().filter(|x| **x).count(), 15);
        assert!(inside[..4].iter().all(|x| *x));
        // The 8 two-vote participants (odd ids 5..19) all beat one-vote ones.
        for p in (5..20).step_by(2) {
            assert!(inside[p], "participant {p} has 2 votes and should be in");
        }
    }

    #[test]
    fn in_conversation_threshold_is_seven_on_big_conversations() {
        let mut votes = Vec::new();
        for p in 0..80u64 {
            for s in 0..(p % 10) {
                votes.push(v(p, s, -1, 0));
            }
        }
        let m = VoteMatrix::from_votes(&votes);
        let inside = in_conversation(&m, 7, &[]);
        for (r, is_in) in inside.iter().enumerate() {
            assert_eq!(*is_in, m.row_len(r) >= 7, "row {r}");
        }
        // A warm start keeps a previous member in.
        let kept = in_conversation(&m, 7, &[m.participants()[0]]);
        assert!(kept[0]);
    }
}
