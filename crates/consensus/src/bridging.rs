//! Bridging scores: which statements people agree with *across* the divide,
//! by the matrix-factorization model Community Notes uses to rank notes
//! (twitter/communitynotes, `scoring/src/scoring/matrix_factorization/`).
//!
//! Each agree (1) or disagree (0) vote of participant `u` on statement `n` is
//! modelled as
//!
//! ```text
//! r̂(u, n) = μ + i_u + i_n + f_u · f_n
//! ```
//!
//! with one-dimensional factors, fitted by least squares with intercepts
//! regularized more strongly than factors (Community Notes: λᵢ = 0.15 on
//! μ, i_u, i_n; λ_f = 0.03 on f_u, f_n). The factor term soaks up agreement
//! explained by where people stand; what is left in a statement's intercept
//! `i_n` is agreement that does not depend on it.
//!
//! Community Notes shows a note when `i_n ≥ 0.40` (and `|f_n| < 0.5`), a bar
//! set for its own baseline `μ` of helpful ratings. Pol.is conversations
//! agree far more (μ ≈ 0.7 is common), so a fixed bar on `i_n` would mean
//! different things in different conversations. We score what the intercept
//! is for, on the 0–1 scale of the votes: the **agreement across the
//! divide**, `μ + i_n − F·|f_n|`, the agreement the model predicts on the
//! less-agreeing side for a participant as far along the divide as the 90th
//! percentile of `|f_u|` (`F`). A statement *bridges* — is a candidate
//! plank — when the **lower bound** of that score's interval reaches a
//! two-thirds supermajority, so a statement few people voted on does not
//! pass on luck. Passes are not votes here (neither agree nor disagree).
//!
//! The fit is alternating least squares: with every other block fixed, each
//! participant's `(i_u, f_u)`, each statement's `(i_n, f_n)` and `μ` have a
//! closed form (a 2 × 2 system), so every step lowers the loss and the result
//! is a stationary point of it. (Community Notes fits the same loss by
//! gradient descent.) After each pass the parameters are pushed on along
//! the pass's step and kept there only if the loss is lower (`bridging/als.rs`,
//! `Model::fit`), which takes about a third of the passes.
//!
//! **When to stop.** A pass that lowers the loss by less than
//! [`BridgingParams::tolerance`] (1e-9) of it ends the fit. The loss is
//! second order in the parameters' error, so its relative fall is a
//! scale-free rule that does not depend on how many participants there are
//! (a rule on every parameter's move, as before, never stopped at 100,000
//! participants: 500 passes). The pages show the scores in whole percents;
//! at 1e-9 the agreement across the divide of every statement is within
//! 0.1 point of the fit run until a pass no longer lowers the loss at all
//! (measured: 0.07 point worst of 10,000 statements at 100,000
//! participants, 86 passes instead of 156; on vTaiwan the statement
//! intercepts are within 1e-5 of scipy's own L-BFGS fit). 1e-7 was 0.7
//! point off, 1e-8 0.2.
//!
//! **The interval** is a percentile bootstrap over participants: the model
//! is refitted on resamples of participants, drawn with replacement, each
//! started from the full fit. A resample is kept as each participant's
//! multiplicity, not as copied ratings: a participant drawn `w` times is `w`
//! identical participants whose 2 × 2 solves are the same, so one solve
//! stands for them and every sum over participants weighs it by `w` (a
//! test checks this against the fit on copied rows). Each resample draws
//! from its own seed, taken in order from the seeded [`Rng`], so the refits
//! run in parallel and give the same numbers on any number of threads.
//! A refit stops by the same rule or after
//! [`BridgingParams::resample_iters`] (20) passes. The cap makes the
//! interval a k-step bootstrap: on real conversations (vTaiwan) the refits
//! converge within it and the interval is the converged one; where the
//! factor's axis is weakly determined (synthetic conversations of four
//! groups on one factor), refits stopped at 20 passes understate the spread
//! (mean width 0.16 against 0.20 when run to convergence, 20,000
//! participants). Its cost grows as resamples × passes × ratings, which is
//! why the scale benchmark (BENCHMARKS.md, issue 20) reports the fit alone
//! and the interval separately.
//!
//! Pure and deterministic: the same votes, parameters and seed give the same
//! numbers, on any number of [`BridgingParams::threads`]: every sweep is cut
//! into fixed blocks and block sums are added in block order.

use serde::{Deserialize, Serialize};

use crate::matrix::VoteMatrix;
use crate::par;
use crate::rng::Rng;

mod als;

use als::{Model, Ratings, Sample};

/// The model's settings, with Community Notes' values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BridgingParams {
    /// Regularization of μ and the intercepts (Community Notes 0.15).
    pub lambda_intercept: f64,
    /// Regularization of the factors (Community Notes 0.03).
    pub lambda_factor: f64,
    /// Alternating passes at most.
    pub max_iters: usize,
    /// Stop when a pass lowers the loss by no more than this fraction of it
    /// (see the module's documentation for the choice of 1e-9).
    pub tolerance: f64,
    /// Bootstrap resamples for the interval (0: no interval).
    pub resamples: usize,
    /// Passes at most for each bootstrap refit (started from the full fit).
    #[serde(default = "default_resample_iters")]
    pub resample_iters: usize,
    /// Two-sided coverage of the interval (0.9: the 5th to 95th percentile).
    pub coverage: f64,
    /// The share agreeing across the divide that the interval's lower bound
    /// must reach (a two-thirds supermajority).
    pub bar: f64,
    /// How far along the divide "the other side" is: this quantile of the
    /// participants' |f_u| (0.9).
    pub far_quantile: f64,
    /// Agree/disagree votes a statement needs to be scored (Community Notes 5).
    pub min_votes: usize,
    pub seed: u64,
    /// Worker threads (the results are the same bits for any number).
    #[serde(default = "one")]
    pub threads: usize,
}

fn default_resample_iters() -> usize {
    BridgingParams::default().resample_iters
}

fn one() -> usize {
    1
}

impl Default for BridgingParams {
    fn default() -> Self {
        BridgingParams {
            lambda_intercept: 0.15,
            lambda_factor: 0.03,
            max_iters: 500,
            tolerance: 1e-9,
            resamples: 40,
            resample_iters: 20,
            coverage: 0.9,
            bar: 2.0 / 3.0,
            far_quantile: 0.9,
            min_votes: 5,
            seed: 0,
            threads: 1,
        }
    }
}

/// One statement's bridging score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bridge {
    pub statement: u64,
    /// Agree and disagree votes it was fitted on.
    pub votes: usize,
    /// `i_n`: agreement not explained by where people stand.
    pub intercept: f64,
    /// `f_n`: how much agreement with it depends on where people stand.
    pub factor: f64,
    /// `μ + i_n − F·|f_n|`: the agreement predicted on the less-agreeing
    /// side of the divide (see the module's documentation).
    pub across: f64,
    /// The interval of `across` over the bootstrap (equal to it when there
    /// were no resamples).
    pub low: f64,
    pub high: f64,
    /// `low ≥ bar`: a candidate plank.
    pub bridges: bool,
}

/// The fitted model and the scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bridging {
    pub mu: f64,
    /// The regularized squared loss at the fit.
    pub loss: f64,
    /// Alternating passes the full fit took.
    pub iterations: usize,
    /// Statements with at least `min_votes` agree/disagree votes, in the
    /// matrix's column order.
    pub statements: Vec<Bridge>,
}

/// The fitted model itself: every parameter, for checking the fit from
/// outside (`tests/bridging.rs` hands it to an independent numpy fit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fit {
    pub mu: f64,
    pub loss: f64,
    pub iterations: usize,
    /// `(participant id, intercept, factor)` of every participant with an
    /// agree/disagree vote on a scored statement.
    pub participants: Vec<(u64, f64, f64)>,
    /// `(statement id, intercept, factor)` of every scored statement.
    pub statements: Vec<(u64, f64, f64)>,
    /// `(participant id, statement id, rating)`: the ratings fitted on.
    pub ratings: Vec<(u64, u64, f64)>,
}

/// What the full fit leaves for the bootstrap.
struct Fitted {
    votes: Vec<usize>,
    keep: Vec<bool>,
    ratings: Ratings,
    model: Model,
    loss: f64,
    iterations: usize,
    rng: Rng,
}

fn fit_full(m: &VoteMatrix, moderated_out: &[u64], p: &BridgingParams) -> Fitted {
    let mut votes = vec![0usize; m.n_cols()];
    for row in 0..m.n_rows() {
        for (c, v) in m.row(row) {
            if v != 0 {
                votes[c] += 1;
            }
        }
    }
    let keep: Vec<bool> = (0..m.n_cols())
        .map(|c| votes[c] >= p.min_votes.max(1) && !moderated_out.contains(&m.statements()[c]))
        .collect();
    let ratings = Ratings::from_matrix(m, &keep);
    let mut rng = Rng::new(p.seed);
    let mut model = Model::start(ratings.n_rows(), ratings.n_cols, &mut rng);
    let everyone = Sample::all(&ratings);
    let threads = p.threads.max(1);
    let iterations = model.fit(&ratings, &everyone, p, p.max_iters, threads);
    let loss = model.loss(&ratings, &everyone, p, threads);
    // The factor's sign is arbitrary (f_u·f_n is unchanged when both flip):
    // fix it so the statements' factors sum to ≥ 0, for stable output.
    let flip: f64 = model
        .col_f
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(f, _)| f)
        .sum();
    if flip < 0.0 {
        model.col_f.iter_mut().for_each(|f| *f = -*f);
        model.row_f.iter_mut().for_each(|f| *f = -*f);
    }
    Fitted {
        votes,
        keep,
        ratings,
        model,
        loss,
        iterations,
        rng,
    }
}

/// Fits the model (no bootstrap) and answers every parameter.
pub fn fit(m: &VoteMatrix, moderated_out: &[u64], p: &BridgingParams) -> Fit {
    let f = fit_full(m, moderated_out, p);
    let mut ratings = Vec::new();
    for u in 0..f.ratings.n_rows() {
        for (n, v) in f.ratings.row(u) {
            ratings.push((m.participants()[u], m.statements()[n], v));
        }
    }
    Fit {
        mu: f.model.mu,
        loss: f.loss,
        iterations: f.iterations,
        participants: (0..m.n_rows())
            .filter(|&u| f.ratings.row_rated[u])
            .map(|u| (m.participants()[u], f.model.row_i[u], f.model.row_f[u]))
            .collect(),
        statements: (0..m.n_cols())
            .filter(|&c| f.ratings.col_rated[c])
            .map(|c| (m.statements()[c], f.model.col_i[c], f.model.col_f[c]))
            .collect(),
        ratings,
    }
}

/// Fits the model on `m`'s agree/disagree votes (statements in
/// `moderated_out` left out) and scores every statement with at least
/// `min_votes` of them.
pub fn bridging(m: &VoteMatrix, moderated_out: &[u64], p: &BridgingParams) -> Bridging {
    let Fitted {
        votes,
        keep,
        ratings,
        model,
        loss,
        iterations,
        mut rng,
    } = fit_full(m, moderated_out, p);

    // Bootstrap over participants, each refit started from the full fit.
    // Each resample draws its rows from its own seed (drawn in order from
    // the full fit's generator), so the refits run in parallel and the
    // numbers do not depend on which thread ran which.
    let rows = ratings.n_rows();
    let resamples = if rows == 0 { 0 } else { p.resamples };
    let seeds: Vec<u64> = (0..resamples).map(|_| rng.next_u64()).collect();
    let refits = par::map_blocks(resamples, 1, p.threads.max(1), |range| {
        range
            .map(|k| {
                let sample = Sample::resample(&ratings, &mut Rng::new(seeds[k]));
                let mut refit = model.clone();
                refit.fit(&ratings, &sample, p, p.resample_iters.max(1), 1);
                let far = refit.far(&sample, p.far_quantile);
                (0..m.n_cols())
                    .map(|n| sample.col_in[n].then(|| refit.across(n, far)))
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
    });
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); m.n_cols()];
    for refit in refits.into_iter().flatten() {
        for (s, x) in samples.iter_mut().zip(refit) {
            s.extend(x);
        }
    }

    let tail = (1.0 - p.coverage.clamp(0.0, 1.0)) / 2.0;
    let far = model.far(&Sample::all(&ratings), p.far_quantile);
    let statements = (0..m.n_cols())
        .filter(|&c| keep[c])
        .map(|c| {
            let intercept = model.col_i[c];
            let across = model.across(c, far);
            let (low, high) = if samples[c].is_empty() {
                (across, across)
            } else {
                let s = &mut samples[c];
                s.sort_by(f64::total_cmp);
                (quantile(s, tail), quantile(s, 1.0 - tail))
            };
            let factor = model.col_f[c];
            Bridge {
                statement: m.statements()[c],
                votes: votes[c],
                intercept,
                factor,
                across,
                low,
                high,
                bridges: low >= p.bar,
            }
        })
        .collect();
    Bridging {
        mu: model.mu,
        loss,
        iterations,
        statements,
    }
}

/// The `q` quantile of sorted `s` (linear between order statistics).
fn quantile(s: &[f64], q: f64) -> f64 {
    let pos = q * (s.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    s[lo] + (s[hi] - s[lo]) * (pos - lo as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::VoteRecord;

    fn vote(participant: u64, statement: u64, vote: i8) -> VoteRecord {
        VoteRecord {
            participant,
            statement,
            vote,
            time: 0,
        }
    }

    /// Two camps of 40 that disagree on statements 1 and 2 (each camp agrees
    /// with its own), and both agree on statement 3; statement 4 is disliked
    /// by everyone.
    pub(super) fn two_camps() -> VoteMatrix {
        let mut votes = Vec::new();
        for p in 0..80u64 {
            let left = p < 40;
            votes.push(vote(p, 1, if left { 1 } else { -1 }));
            votes.push(vote(p, 2, if left { -1 } else { 1 }));
            votes.push(vote(p, 3, 1));
            votes.push(vote(p, 4, -1));
        }
        VoteMatrix::from_votes(&votes)
    }

    #[test]
    fn agreement_across_camps_bridges_and_partisan_agreement_does_not() {
        let b = bridging(&two_camps(), &[], &BridgingParams::default());
        let by = |s: u64| {
            b.statements
                .iter()
                .find(|x| x.statement == s)
                .unwrap()
                .clone()
        };
        let (s1, s2, s3, s4) = (by(1), by(2), by(3), by(4));
        assert!(s3.bridges, "{s3:?}");
        assert!(
            !s1.bridges && !s2.bridges && !s4.bridges,
            "{s1:?} {s2:?} {s4:?}"
        );
        // The partisan statements' agreement is carried by the factor.
        assert!(
            s1.factor.abs() > 0.5 && s2.factor.abs() > 0.5,
            "{s1:?} {s2:?}"
        );
        assert!(s1.factor * s2.factor < 0.0, "opposite sides");
        assert!(s3.intercept > s1.intercept && s1.intercept > s4.intercept);
        assert!(
            s3.low <= s3.across && s3.across <= s3.high,
            "{s3:?} {s1:?} mu {}",
            b.mu
        );
        assert!(s3.across > 0.9 && s1.across < 0.5, "{s3:?} {s1:?}");
        assert!(
            b.iterations < 500,
            "the fit converged: {} passes",
            b.iterations
        );
    }

    #[test]
    fn passes_and_unscored_statements_are_left_out() {
        let mut votes = vec![vote(1, 9, 1), vote(2, 9, 0), vote(3, 9, 0)];
        for p in 0..6 {
            votes.push(vote(p, 5, 1));
        }
        let b = bridging(
            &VoteMatrix::from_votes(&votes),
            &[],
            &BridgingParams::default(),
        );
        let ids: Vec<u64> = b.statements.iter().map(|s| s.statement).collect();
        assert_eq!(ids, vec![5], "statement 9 has one agree/disagree vote");
        assert_eq!(b.statements[0].votes, 6);
        let moderated = bridging(
            &VoteMatrix::from_votes(&votes),
            &[5],
            &BridgingParams::default(),
        );
        assert!(moderated.statements.is_empty());
    }

    #[test]
    fn the_same_votes_and_seed_give_the_same_scores() {
        let p = BridgingParams::default();
        assert_eq!(
            bridging(&two_camps(), &[], &p),
            bridging(&two_camps(), &[], &p)
        );
    }
}
