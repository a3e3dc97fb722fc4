//! Properties of the whole pipeline on generated conversations.

use cohort_consensus::synthetic::{generate, Spec};
use cohort_consensus::{analyze, Params, VoteMatrix, VoteRecord};
use proptest::prelude::*;

fn conversation(seed: u64, participants: usize, statements: usize) -> Vec<VoteRecord> {
    generate(&Spec {
        participants,
        statements,
        votes: participants * statements / 3,
        groups: 3,
        consensus_share: 0.3,
        seed,
    })
    .votes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn same_seed_same_result_whatever_the_threads(seed in 0u64..1000, p in 20usize..120, s in 8usize..30) {
        let m = VoteMatrix::from_votes(&conversation(seed, p, s));
        let a = analyze(&m, &[], &Params { seed, threads: 1, ..Params::default() }, None);
        let b = analyze(&m, &[], &Params { seed, threads: 3, ..Params::default() }, None);
        prop_assert_eq!(a, b);
    }

    #[test]
    fn consensus_lists_ignore_the_order_of_votes_and_ids(seed in 0u64..1000, p in 20usize..120, s in 8usize..30, shift in 1u64..50) {
        let votes = conversation(seed, p, s);
        let m = VoteMatrix::from_votes(&votes);
        let params = Params { seed, ..Params::default() };
        let a = analyze(&m, &[], &params, None);
        // Reverse the input and renumber participants (a permutation of rows).
        let mut permuted: Vec<VoteRecord> = votes
            .iter()
            .rev()
            .map(|v| VoteRecord { participant: (p as u64 - v.participant) * shift, ..*v })
            .collect();
        permuted.rotate_left(votes.len() / 3);
        let b = analyze(&VoteMatrix::from_votes(&permuted), &[], &params, None);
        prop_assert_eq!(a.consensus, b.consensus);
    }

    #[test]
    fn group_informed_consensus_is_a_probability_and_sorted(seed in 0u64..1000, p in 20usize..120, s in 8usize..30) {
        let m = VoteMatrix::from_votes(&conversation(seed, p, s));
        let a = analyze(&m, &[], &Params { seed, ..Params::default() }, None);
        for g in &a.group_consensus {
            prop_assert!(g.agree > 0.0 && g.agree < 1.0 && g.disagree > 0.0 && g.disagree < 1.0);
        }
        prop_assert!(a.group_consensus.windows(2).all(|w| w[0].agree >= w[1].agree));
        // Groups partition the participants in conversation.
        let mut all: Vec<u64> = a.groups.iter().flat_map(|g| g.participants.clone()).collect();
        all.sort_unstable();
        prop_assert_eq!(all, a.in_conversation.clone());
        prop_assert!(a.consensus.agree.len() <= 5 && a.consensus.disagree.len() <= 5);
    }

    #[test]
    fn moderated_out_statements_are_never_selected(seed in 0u64..1000, p in 20usize..80, s in 8usize..20) {
        let m = VoteMatrix::from_votes(&conversation(seed, p, s));
        let out: Vec<u64> = m.statements().iter().copied().step_by(2).collect();
        let a = analyze(&m, &out, &Params { seed, ..Params::default() }, None);
        let picked = a.consensus.agree.iter().chain(&a.consensus.disagree).map(|c| c.statement)
            .chain(a.repness.values().flatten().map(|r| r.statement))
            .chain(a.group_consensus.iter().map(|g| g.statement));
        for id in picked {
            prop_assert!(!out.contains(&id), "statement {} was moderated out", id);
        }
    }
}

#[test]
fn recovers_planted_groups() {
    let s = generate(&Spec {
        participants: 600,
        statements: 60,
        votes: 600 * 30,
        groups: 2,
        consensus_share: 0.2,
        seed: 11,
    });
    let m = VoteMatrix::from_votes(&s.votes);
    let a = analyze(&m, &[], &Params::default(), None);
    assert_eq!(a.groups.len(), 2);
    let mut found = vec![usize::MAX; 600];
    for g in &a.groups {
        for p in &g.participants {
            found[*p as usize] = g.id;
        }
    }
    let ari = cohort_consensus::metrics::adjusted_rand_index(&s.latent, &found);
    assert!(ari > 0.9, "ARI {ari}");
}
