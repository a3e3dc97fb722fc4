//! Property: for random sequences of appends, every inclusion and
//! consistency proof verifies, and none verifies for a leaf or a size that is
//! not in the tree.

use cohort_tlog::tree::{self, Hashes, Node};
use cohort_tlog::{record_hash, Hash};
use proptest::prelude::*;

/// A tree built batch by batch, as the sequencer does: each batch reads only
/// the frontier of the tree so far.
fn build(batches: &[Vec<Vec<u8>>]) -> (Hashes, Vec<Vec<u8>>) {
    let mut all = Hashes::new();
    let mut leaves = Vec::new();
    for b in batches {
        let size = leaves.len() as u64;
        // Leaves are distinct (as events are: each carries its seq).
        let b: Vec<Vec<u8>> = b
            .iter()
            .enumerate()
            .map(|(i, l)| [(size + i as u64).to_be_bytes().as_slice(), l].concat())
            .collect();
        let b = &b;
        let frontier: Hashes = tree::frontier(size)
            .into_iter()
            .map(|n| (n, all.get(n).expect("frontier stored")))
            .collect();
        for (node, h) in tree::append(size, &frontier, b).unwrap() {
            all.insert(node, h);
        }
        leaves.extend(b.iter().cloned());
    }
    (all, leaves)
}

fn only(all: &Hashes, nodes: Vec<Node>) -> Hashes {
    nodes
        .into_iter()
        .map(|n| (n, all.get(n).unwrap()))
        .collect()
}

/// RFC 6962's MTH, straight from the definition.
fn mth(leaves: &[Vec<u8>]) -> Hash {
    match leaves.len() {
        0 => tree::tree_hash(0, &Hashes::new()).unwrap(),
        1 => record_hash(&leaves[0]),
        n => {
            let k = n.next_power_of_two() / 2;
            tlog_tiles::node_hash(mth(&leaves[..k]), mth(&leaves[k..]))
        }
    }
}

fn batches() -> impl Strategy<Value = Vec<Vec<Vec<u8>>>> {
    prop::collection::vec(
        prop::collection::vec(prop::collection::vec(any::<u8>(), 0..8), 1..20),
        1..8,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_proof_verifies_and_none_for_what_is_not_there(b in batches(), pick in any::<u64>()) {
        let (all, leaves) = build(&b);
        let size = leaves.len() as u64;
        let roots: Vec<Hash> = (0..=size)
            .map(|s| tree::tree_hash(s, &only(&all, tree::tree_hash_needs(s))).unwrap())
            .collect();
        prop_assert_eq!(roots[size as usize], mth(&leaves));
        let root = roots[size as usize];

        for s in [size, 1 + pick % size] {
            for i in 0..s {
                let p = tree::inclusion(s, i, &only(&all, tree::inclusion_needs(s, i))).unwrap();
                let h = record_hash(&leaves[i as usize]);
                prop_assert!(tree::check_inclusion(&p, s, roots[s as usize], i, h));
                // Not a leaf of this tree: another leaf's data, another place, a leaf past the end.
                let other = record_hash(b"not in the tree");
                prop_assert!(!tree::check_inclusion(&p, s, roots[s as usize], i, other));
                if s > 1 {
                    prop_assert!(!tree::check_inclusion(&p, s, roots[s as usize], (i + 1) % s, h));
                }
                prop_assert!(!tree::check_inclusion(&p, s, roots[s as usize], s, h));
            }
        }
        prop_assert!(tree::inclusion(size, size, &all).is_err());

        for old in 1..=size {
            let p = tree::consistency(size, old, &only(&all, tree::consistency_needs(size, old))).unwrap();
            prop_assert!(tree::check_consistency(&p, size, root, old, roots[old as usize]));
            // A different old tree (a fork) or old size fails. (A different
            // new size can coincide in shape: sizes are bound by the signed
            // checkpoint, not by the proof.)
            let forged = record_hash(b"fork");
            prop_assert!(!tree::check_consistency(&p, size, root, old, forged));
            if old < size {
                prop_assert!(!tree::check_consistency(&p, size, root, old + 1, roots[old as usize]));
            }
        }
        prop_assert!(tree::consistency(size, size + 1, &all).is_err());
        prop_assert!(tree::consistency(size, 0, &all).is_err());
    }

    #[test]
    fn a_proof_needs_only_the_nodes_it_lists(b in batches()) {
        let (all, leaves) = build(&b);
        let size = leaves.len() as u64;
        if let Some(n) = tree::inclusion_needs(size, 0).first() {
            let partial = only(&all, tree::inclusion_needs(size, 0).into_iter().filter(|x| x != n).collect());
            prop_assert_eq!(tree::inclusion(size, 0, &partial), Err(cohort_tlog::LogError::Missing(*n)));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The auditor's streaming root equals the stored tree's root (and the
    /// textbook MTH) at every size along the way, so a changed, dropped or
    /// reordered leaf changes it.
    #[test]
    fn the_streaming_root_is_the_tree_root_at_every_size(b in batches(), flip in any::<usize>()) {
        let (all, leaves) = build(&b);
        let mut r = tree::RootBuilder::new();
        prop_assert_eq!(r.root(), None);
        for (i, l) in leaves.iter().enumerate() {
            r.push_leaf(l);
            let size = i as u64 + 1;
            prop_assert_eq!(r.size(), size);
            let stored = tree::tree_hash(size, &only(&all, tree::tree_hash_needs(size))).unwrap();
            prop_assert_eq!(r.root(), Some(stored));
            prop_assert_eq!(stored, mth(&leaves[..=i]));
        }
        if !leaves.is_empty() {
            let mut altered = leaves.clone();
            let k = flip % altered.len();
            altered[k].push(b'!');
            let mut r2 = tree::RootBuilder::new();
            for l in &altered {
                r2.push_leaf(l);
            }
            prop_assert_ne!(r2.root(), r.root());
        }
    }
}
