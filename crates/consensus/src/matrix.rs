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
        VoteIndex::new(votes).matrix(votes.len())
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

/// Votes grouped by participant and statement once, so that the matrix of
/// any prefix of them (`votes[..end]`, a replay's update) is one linear pass
/// with no sorting: a replay of n updates sorts once, not n times.
///
/// Within a row, entries are ordered by (column, time, input position); the
/// vote that counts for a prefix is the last entry of each column's run whose
/// position is inside the prefix.
pub(crate) struct VoteIndex {
    participants: Vec<u64>,
    statements: Vec<u64>,
    row_start: Vec<usize>,
    cols: Vec<u32>,
    /// Position of the entry's vote in the input.
    pos: Vec<u32>,
    vals: Vec<i8>,
}

impl VoteIndex {
    pub(crate) fn new(votes: &[VoteRecord]) -> VoteIndex {
        let participants = Ids::new(votes.iter().map(|v| v.participant));
        let statements = Ids::new(votes.iter().map(|v| v.statement));
        // Exports list a participant's votes together: look up each id once a run.
        let mut last: Option<(u64, usize)> = None;
        let rows: Vec<u32> = votes
            .iter()
            .map(|v| match last {
                Some((p, r)) if p == v.participant => r as u32,
                _ => {
                    let r = participants.position(v.participant);
                    last = Some((v.participant, r));
                    r as u32
                }
            })
            .collect();
        // Counting sort by row, then each (short) row by (column, time, position).
        let n_rows = participants.sorted.len();
        let mut row_start = vec![0usize; n_rows + 1];
        for &r in &rows {
            row_start[r as usize + 1] += 1;
        }
        for r in 0..n_rows {
            row_start[r + 1] += row_start[r];
        }
        let mut fill = row_start.clone();
        let mut by_row = vec![0u32; votes.len()];
        for (i, &r) in rows.iter().enumerate() {
            by_row[fill[r as usize]] = i as u32;
            fill[r as usize] += 1;
        }
        drop((rows, fill));
        let mut cols = Vec::with_capacity(votes.len());
        let mut pos = Vec::with_capacity(votes.len());
        let mut vals = Vec::with_capacity(votes.len());
        let mut run: Vec<(u32, i64, u32)> = Vec::new();
        for r in 0..n_rows {
            run.clear();
            run.extend(by_row[row_start[r]..row_start[r + 1]].iter().map(|&i| {
                let v = &votes[i as usize];
                (statements.position(v.statement) as u32, v.time, i)
            }));
            run.sort_unstable();
            for &(c, _, i) in &run {
                cols.push(c);
                pos.push(i);
                vals.push(votes[i as usize].vote.signum());
            }
        }
        VoteIndex {
            participants: participants.sorted,
            statements: statements.sorted,
            row_start,
            cols,
            pos,
            vals,
        }
    }

    /// The matrix of `votes[..end]` of the votes this index was built from:
    /// what [`VoteMatrix::from_votes`] of that prefix gives.
    pub(crate) fn matrix(&self, end: usize) -> VoteMatrix {
        let inside = |e: usize| (self.pos[e] as usize) < end;
        // Columns of the prefix: statements with a vote in it, renumbered.
        let everything = end >= self.pos.len();
        let mut seen = vec![everything; self.statements.len()];
        if !everything {
            for e in (0..self.pos.len()).filter(|&e| inside(e)) {
                seen[self.cols[e] as usize] = true;
            }
        }
        let mut column = Vec::with_capacity(seen.len());
        let mut statements = Vec::new();
        for (id, s) in self.statements.iter().zip(seen) {
            column.push(statements.len() as u32);
            if s {
                statements.push(*id);
            }
        }
        let mut m = VoteMatrix {
            statements,
            row_start: vec![0],
            ..VoteMatrix::default()
        };
        for r in 0..self.participants.len() {
            let (a, b) = (self.row_start[r], self.row_start[r + 1]);
            let before = m.cols.len();
            let mut e = a;
            while e < b {
                // One column's run: keep its last entry inside the prefix.
                let c = self.cols[e];
                let mut kept = None;
                while e < b && self.cols[e] == c {
                    if inside(e) {
                        kept = Some(e);
                    }
                    e += 1;
                }
                if let Some(k) = kept {
                    m.cols.push(column[c as usize]);
                    m.vals.push(self.vals[k]);
                }
            }
            if m.cols.len() > before {
                m.participants.push(self.participants[r]);
                m.row_start.push(m.cols.len());
            }
        }
        m
    }
}

/// Distinct ids, ascending, and a way back from an id to its position.
/// Ids come in runs (a participant's votes together) and, in Pol.is
/// exports, from a small dense range: repeats in a run are dropped as they
/// come, and a dense range gets a lookup table (no sort, no binary search
/// per vote: its mispredicted branches were most of building a matrix).
struct Ids {
    sorted: Vec<u64>,
    /// Position + 1 of id `lo + d` at `d` (0: absent), for a dense range.
    table: Option<(u64, Vec<u32>)>,
}

impl Ids {
    fn new(ids: impl Iterator<Item = u64>) -> Ids {
        let mut out: Vec<u64> = Vec::new();
        for id in ids {
            if out.last() != Some(&id) {
                out.push(id);
            }
        }
        let (Some(&lo), Some(&hi)) = (out.iter().min(), out.iter().max()) else {
            return Ids {
                sorted: out,
                table: None,
            };
        };
        let span = hi - lo;
        if span < 4 * out.len() as u64 + 1024 {
            let mut table = vec![0u32; span as usize + 1];
            for id in &out {
                table[(id - lo) as usize] = 1;
            }
            let mut sorted = Vec::new();
            for (d, slot) in table.iter_mut().enumerate() {
                if *slot != 0 {
                    sorted.push(lo + d as u64);
                    *slot = sorted.len() as u32;
                }
            }
            Ids {
                sorted,
                table: Some((lo, table)),
            }
        } else {
            out.sort_unstable();
            out.dedup();
            Ids {
                sorted: out,
                table: None,
            }
        }
    }

    /// The position of an id that is in the set.
    fn position(&self, id: u64) -> usize {
        match &self.table {
            Some((lo, table)) => table[(id - lo) as usize] as usize - 1,
            None => self.sorted.binary_search(&id).unwrap_or(0),
        }
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

    /// The rule the index must give: sort by (participant, statement, time,
    /// input position) and keep the last of each pair (the sort-based build
    /// the index replaced).
    fn by_sorting(votes: &[VoteRecord]) -> Vec<(u64, u64, i8)> {
        let mut order: Vec<usize> = (0..votes.len()).collect();
        order.sort_by_key(|&i| (votes[i].participant, votes[i].statement, votes[i].time, i));
        let mut out: Vec<(u64, u64, i8)> = Vec::new();
        for i in order {
            let v = &votes[i];
            if let Some(l) = out.last_mut() {
                if (l.0, l.1) == (v.participant, v.statement) {
                    *l = (v.participant, v.statement, v.vote.signum());
                    continue;
                }
            }
            out.push((v.participant, v.statement, v.vote.signum()));
        }
        out
    }

    fn cells(m: &VoteMatrix) -> Vec<(u64, u64, i8)> {
        (0..m.n_rows())
            .flat_map(|r| {
                m.row(r)
                    .map(move |(c, v)| (m.participants()[r], m.statements()[c], v))
            })
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn every_prefix_of_the_index_is_the_matrix_of_that_prefix(
            raw in proptest::collection::vec((0u64..12, 0u64..9, -2i8..=2, 0i64..5), 0..120),
            cut in 0usize..130,
        ) {
            let votes: Vec<VoteRecord> =
                raw.iter().map(|&(p, s, x, t)| v(p, s, x, t)).collect();
            let index = VoteIndex::new(&votes);
            for end in [cut.min(votes.len()), votes.len() / 2, votes.len()] {
                let m = index.matrix(end);
                proptest::prop_assert_eq!(cells(&m), by_sorting(&votes[..end]));
                // Rows and columns are exactly the ids voting in the prefix.
                let mut ps: Vec<u64> = votes[..end].iter().map(|v| v.participant).collect();
                let mut ss: Vec<u64> = votes[..end].iter().map(|v| v.statement).collect();
                ps.sort_unstable();
                ps.dedup();
                ss.sort_unstable();
                ss.dedup();
                proptest::prop_assert_eq!(m.participants(), &ps[..]);
                proptest::prop_assert_eq!(m.statements(), &ss[..]);
                proptest::prop_assert_eq!(m.row_start.len(), ps.len() + 1);
            }
        }
    }

    #[test]
    fn distinct_ids_come_back_ascending_from_dense_and_sparse_ranges() {
        let dense = [7u64, 7, 3, 9, 3, 3, 8];
        let ids = Ids::new(dense.into_iter());
        assert!(ids.table.is_some());
        assert_eq!(ids.sorted, vec![3, 7, 8, 9]);
        assert_eq!(ids.position(8), 2);
        let sparse = [u64::MAX, 5, 1 << 40, 5, 0, u64::MAX];
        let ids = Ids::new(sparse.into_iter());
        assert!(ids.table.is_none());
        assert_eq!(ids.sorted, vec![0, 5, 1 << 40, u64::MAX]);
        assert_eq!(ids.position(1 << 40), 2);
        assert!(Ids::new(std::iter::empty()).sorted.is_empty());
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
