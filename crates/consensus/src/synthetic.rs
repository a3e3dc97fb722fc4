//! Conversations with real opinion structure, for benchmarks and tests: a few
//! latent groups, each with its own agree / disagree probabilities per
//! statement; some statements everyone agrees on (so consensus exists), the
//! rest divide the groups.

use crate::matrix::VoteRecord;
use crate::rng::Rng;

/// A generated conversation and the latent group of each participant.
#[derive(Debug, Clone)]
pub struct Synthetic {
    pub votes: Vec<VoteRecord>,
    /// `latent[p]` is participant `p`'s group.
    pub latent: Vec<usize>,
    /// `stance[s][g]`: the (agree, disagree) probabilities of group `g` on
    /// statement `s`.
    pub stance: Vec<Vec<(f64, f64)>>,
}

/// Shape of a synthetic conversation.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub participants: usize,
    pub statements: usize,
    /// Total votes, spread over participants (each votes on distinct
    /// statements; capped by `participants × statements`).
    pub votes: usize,
    pub groups: usize,
    /// Share of statements every group agrees with.
    pub consensus_share: f64,
    pub seed: u64,
}

/// Generates votes: participant `p` belongs to latent group `p mod groups`
/// (shuffled by the seed), votes on a uniform random set of statements, and
/// on each agrees / disagrees / passes with its group's probabilities.
pub fn generate(spec: &Spec) -> Synthetic {
    let mut rng = Rng::new(spec.seed);
    let groups = spec.groups.max(1);
    let n_s = spec.statements.max(1);
    // (agree, disagree) probability per statement and group.
    let stance: Vec<Vec<(f64, f64)>> = (0..n_s)
        .map(|_| {
            if rng.next_f64() < spec.consensus_share {
                let a = 0.7 + 0.2 * rng.next_f64();
                vec![(a, 0.05); groups]
            } else {
                (0..groups)
                    .map(|_| match rng.below(3) {
                        0 => (0.75, 0.1),
                        1 => (0.1, 0.75),
                        _ => (0.35, 0.35),
                    })
                    .collect()
            }
        })
        .collect();
    let latent: Vec<usize> = (0..spec.participants)
        .map(|_| rng.below(groups as u64) as usize)
        .collect();
    // Votes per participant: proportional to a weight in [0.25, 1.75).
    let weights: Vec<f64> = (0..spec.participants)
        .map(|_| 0.25 + 1.5 * rng.next_f64())
        .collect();
    let total_w: f64 = weights.iter().sum();
    let target = spec.votes.min(spec.participants.saturating_mul(n_s));
    let mut votes = Vec::with_capacity(target + spec.participants);
    let mut chosen = vec![false; n_s];
    let mut picked = Vec::new();
    for (p, w) in weights.iter().enumerate() {
        let n = ((target as f64 * w / total_w).round() as usize).clamp(1, n_s);
        picked.clear();
        if n * 2 > n_s {
            // Dense participant: shuffle all statements, take n.
            let mut all: Vec<usize> = (0..n_s).collect();
            for i in 0..n {
                let j = i + rng.below((n_s - i) as u64) as usize;
                all.swap(i, j);
            }
            picked.extend_from_slice(&all[..n]);
        } else {
            while picked.len() < n {
                let s = rng.below(n_s as u64) as usize;
                if !chosen[s] {
                    chosen[s] = true;
                    picked.push(s);
                }
            }
            for &s in &picked {
                chosen[s] = false;
            }
        }
        for &s in &picked {
            let (a, d) = stance[s][latent[p]];
            let u = rng.next_f64();
            let vote = if u < a {
                1
            } else if u < a + d {
                -1
            } else {
                0
            };
            votes.push(VoteRecord {
                participant: p as u64,
                statement: s as u64,
                vote,
                time: votes.len() as i64,
            });
        }
    }
    Synthetic {
        votes,
        latent,
        stance,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_determinism() {
        let spec = Spec {
            participants: 300,
            statements: 40,
            votes: 6000,
            groups: 3,
            consensus_share: 0.2,
            seed: 5,
        };
        let a = generate(&spec);
        let b = generate(&spec);
        assert_eq!(a.votes, b.votes);
        assert!(
            (a.votes.len() as f64 - 6000.0).abs() < 400.0,
            "{}",
            a.votes.len()
        );
        let m = crate::VoteMatrix::from_votes(&a.votes);
        assert_eq!(m.n_votes(), a.votes.len(), "pairs are distinct");
        assert_eq!(m.n_rows(), 300);
    }
}
