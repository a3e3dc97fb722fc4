//! Groups keep their letters from one result to the next (issue 16). The
//! analysis numbers its groups its own way; when votes change, the new
//! groups are shown in the order that matches them best to the previous
//! result's, so that "group A" stays the people it was.

use cohort_store::Id;

/// How many ids two ascending lists share.
fn shared(a: &[Id], b: &[Id]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Beyond this many groups the search is skipped (the analysis makes at
/// most five).
const MOST: usize = 8;

/// The order to show `new` groups in, given the `previous` result's groups
/// (each a list of participant ids, ascending): entry `k` is the index in
/// `new` of the group to call by the `k`-th letter. New groups take the
/// letters of the previous groups they share the most participants with
/// (the matching with the largest total overlap; on a tie, the analysis's
/// own order), in the previous letters' order; groups that match none come
/// after, in the analysis's order.
pub(super) fn order(previous: &[Vec<Id>], new: &[Vec<Id>]) -> Vec<usize> {
    let identity: Vec<usize> = (0..new.len()).collect();
    if previous.is_empty() || new.len() > MOST || previous.len() > MOST {
        return identity;
    }
    let overlap: Vec<Vec<usize>> = new
        .iter()
        .map(|g| previous.iter().map(|p| shared(g, p)).collect())
        .collect();
    let mut best = (0, vec![None; new.len()]);
    let mut current = vec![None; new.len()];
    let mut used = vec![false; previous.len()];
    search(&overlap, 0, 0, &mut current, &mut used, &mut best);
    let matched = best.1;
    let mut order: Vec<usize> = identity;
    order.sort_by_key(|&i| match matched[i] {
        Some(p) => (0, p, i),
        None => (1, 0, i),
    });
    order
}

/// Depth-first over the matchings of new group `i` onward, keeping the
/// first one with the largest total overlap.
fn search(
    overlap: &[Vec<usize>],
    i: usize,
    total: usize,
    current: &mut Vec<Option<usize>>,
    used: &mut Vec<bool>,
    best: &mut (usize, Vec<Option<usize>>),
) {
    if i == overlap.len() {
        if total > best.0 {
            *best = (total, current.clone());
        }
        return;
    }
    for p in 0..used.len() {
        if !used[p] && overlap[i][p] > 0 {
            used[p] = true;
            current[i] = Some(p);
            search(overlap, i + 1, total + overlap[i][p], current, used, best);
            used[p] = false;
            current[i] = None;
        }
    }
    search(overlap, i + 1, total, current, used, best);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(r: std::ops::Range<Id>) -> Vec<Id> {
        r.collect()
    }

    #[test]
    fn the_same_groups_keep_their_order() {
        let g = vec![ids(0..10), ids(10..20), ids(20..25)];
        assert_eq!(order(&g, &g), vec![0, 1, 2]);
        assert_eq!(order(&[], &g), vec![0, 1, 2], "nothing to match");
    }

    #[test]
    fn groups_numbered_differently_take_their_old_letters() {
        let previous = vec![ids(0..10), ids(10..20), ids(20..30)];
        // The analysis now lists them C, A, B, and two people moved.
        let new = vec![ids(21..30), ids(0..11), ids(11..21)];
        assert_eq!(order(&previous, &new), vec![1, 2, 0]);
    }

    #[test]
    fn a_new_group_comes_last_and_a_gone_one_frees_its_letter() {
        let previous = vec![ids(0..10), ids(10..20)];
        let new = vec![ids(20..25), ids(10..20), ids(0..10)];
        assert_eq!(order(&previous, &new), vec![2, 1, 0]);
        let previous = vec![ids(0..10), ids(10..20), ids(20..30)];
        let new = vec![ids(20..30), ids(10..20)];
        assert_eq!(
            order(&previous, &new),
            vec![1, 0],
            "B and C stay in their order, as A and B"
        );
    }

    #[test]
    fn the_best_total_wins_over_a_greedy_first_pick() {
        // New 0 overlaps old 0 by 6 and old 1 by 5; new 1 overlaps only old 0
        // (by 5). Greedy would give new 0 old 0 (6 + 0); the best is 5 + 5.
        let previous = vec![ids(0..11), ids(11..16)];
        let new = vec![[ids(0..6), ids(11..16)].concat(), ids(6..11)];
        assert_eq!(order(&previous, &new), vec![1, 0]);
    }
}
