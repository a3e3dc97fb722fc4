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
//! **The interval** is a bootstrap over participants (resamples drawn
//! with replacement; a participant drawn `w` times counts `w` times, kept
//! as a multiplicity, not as copied ratings: a test checks this against the
//! fit on copied rows). Refitting the whole model on each resample costs a
//! fit per resample: 40 refits took 29 s at 100,000 participants and would
//! take minutes at 1,000,000 (BENCHMARKS.md, issue 20). So the default,
//! [`Interval::Combined`], splits the refit in two parts.
//!
//! *What Community Notes does.* Its pseudo-rater bounds
//! (`scoring/src/scoring/matrix_factorization/pseudo_raters.py`) add, for
//! each of a few extreme pseudo-raters (the lowest rater intercept, with
//! the lowest, zero and highest rater factor), one rating from it on every
//! note, and refit with the raters' parameters and the global intercept
//! frozen, only the notes' `(i_n, f_n)` trained, started from the fit; a
//! note's bounds are the least and greatest intercept over those refits.
//! With everything else held, a statement's `(i_n, f_n)` is one 2 × 2
//! solve of its sums over its raters, so held refits are cheap. We hold the
//! same things, but resample rather than add pseudo-ratings: one extra
//! rating measures robustness to one rater (it moves `i_n` by about 1/votes)
//! and is not a sampling interval (it narrows as 1/votes, not 1/√votes).
//!
//! *Held part* ([`Interval::Held`]): on each of [`BridgingParams::resamples`]
//! (40) resamples of all the participants, every statement's `(i_n, f_n)`
//! is re-solved with the participants' parameters and μ held at the full
//! fit, and `F` re-taken over the resample (`bridging/interval.rs`: one
//! sweep of the ratings for all 40). Alone it is too narrow: it leaves out
//! the uncertainty of what is held, above all the factor's axis. Measured
//! (mean width of the 90 % interval, against whole-model refits run to
//! convergence): 0.078 against 0.247 on a synthetic conversation of 4
//! groups on one factor (3,000 participants × 40 statements), 0.071
//! against 0.277 at 30,000 × 400, and 0.131 against 0.166 on vTaiwan.
//!
//! *Shared part*: on [`BridgingParams::shared_resamples`] (20) resamples of
//! `shared_participants` (20,000, or all when fewer) participants, the
//! whole model is refitted on the drawn participants (from the full fit, at
//! most [`BridgingParams::resample_iters`], 20, passes) and, on the same
//! resamples, the held solve is taken; per statement, the variance of the
//! refits less the variance of the held solves is what holding leaves out
//! (0 when negative). Drawing fewer participants than there are can only
//! make that part larger where it shrinks with size, so at scale it errs
//! wide, not narrow; its cost is bounded whatever the size.
//!
//! *The interval* runs from the held part's 5th to 95th percentile, each
//! side's reach from the score widened by the shared part (independent
//! parts: variances add): `across − √(down² + z²·v)` to `across +
//! √(up² + z²·v)`, `z` the normal quantile of the coverage. It always holds
//! the score (where the resamples all fall on one side, |f_n| folding at
//! zero, the near side reaches it). Measured against whole-model refits
//! run to convergence: mean width 0.239 against 0.247 (3,000 × 40), 0.303
//! against 0.277 (30,000 × 400, where 20,000 of 30,000 are drawn), 0.171
//! against 0.166 on vTaiwan; the same statements bridge within one or two.
//! `tests/interval.rs` checks these relations, that the interval holds the
//! score, and that it widens as a statement's votes fall.
//! [`Interval::Refit`] (the whole model refitted on every resample, the
//! previous default) remains for comparison.
//!
//! Every resample draws from its own seed, taken in order from the seeded
//! [`Rng`], so the refits run in parallel and give the same numbers on any
//! number of threads.
//!
//! Pure and deterministic: the same votes, parameters and seed give the same
//! numbers, on any number of [`BridgingParams::threads`]: every sweep is cut
//! into fixed blocks and block sums are added in block order.

use serde::{Deserialize, Serialize};

use crate::matrix::VoteMatrix;
use crate::par;
use crate::rng::Rng;

mod als;
mod interval;

use als::{Model, Ratings, Sample};

/// How the interval is computed (see the module's documentation).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    /// Bootstrap over participants, refitting the whole model on each
    /// resample (from the full fit, at most `resample_iters` passes): a
    /// fit's cost per resample.
    Refit,
    /// Bootstrap over participants, refitting each statement's `(i_n, f_n)`
    /// with the participants' parameters and μ held at the full fit (as
    /// Community Notes' pseudo-rater refits hold them): one pass over the
    /// ratings for all resamples, but it leaves out the uncertainty of
    /// everything held, and is narrower (see the module's documentation).
    Held,
    /// [`Interval::Held`] at full size, widened on each side by what
    /// holding leaves out: the variance whole-model refits add over held
    /// solves, on `shared_resamples` resamples of at most
    /// `shared_participants` participants (see the module's documentation).
    #[default]
    Combined,
}

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
    /// Bootstrap resamples of all the participants for the interval (0: no
    /// interval).
    pub resamples: usize,
    /// Passes at most for each whole-model refit (started from the full
    /// fit): the shared part's refits, or every resample's with
    /// [`Interval::Refit`].
    #[serde(default = "default_resample_iters")]
    pub resample_iters: usize,
    /// Which bootstrap gives the interval.
    #[serde(default)]
    pub interval: Interval,
    /// [`Interval::Combined`]: whole-model refits for the part held
    /// solves leave out.
    #[serde(default = "default_shared_resamples")]
    pub shared_resamples: usize,
    /// [`Interval::Combined`]: participants drawn for each of those refits
    /// (all of them when there are fewer).
    #[serde(default = "default_shared_participants")]
    pub shared_participants: usize,
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

fn default_shared_resamples() -> usize {
    BridgingParams::default().shared_resamples
}

fn default_shared_participants() -> usize {
    BridgingParams::default().shared_participants
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
            interval: Interval::Combined,
            shared_resamples: 20,
            shared_participants: 20_000,
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

    // Bootstrap over participants. Each resample draws its rows from its
    // own seed (drawn in order from the full fit's generator), so the
    // resamples run in parallel and the numbers do not depend on which
    // thread ran which.
    let rows = ratings.n_rows();
    let resamples = if rows == 0 { 0 } else { p.resamples };
    let seeds: Vec<u64> = (0..resamples).map(|_| rng.next_u64()).collect();
    let threads = p.threads.max(1);
    let mut samples = match p.interval {
        Interval::Held | Interval::Combined => {
            interval::statement_bootstrap(&ratings, &model, p, &seeds, threads)
        }
        Interval::Refit => refit_bootstrap(&ratings, &model, p, &seeds, threads),
    };
    // The shared part's resamples draw from seeds taken after the others.
    let shared = if p.interval == Interval::Combined && resamples > 0 {
        let seeds: Vec<u64> = (0..p.shared_resamples).map(|_| rng.next_u64()).collect();
        let m = p.shared_participants.clamp(1, rows);
        interval::shared_variance(&ratings, &model, p, &seeds, m, threads)
    } else {
        vec![0.0; m.n_cols()]
    };

    let tail = (1.0 - p.coverage.clamp(0.0, 1.0)) / 2.0;
    let z2 = normal_quantile(1.0 - tail).powi(2);
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
                // The interval always holds the score itself: where the
                // resamples all fall on one side of it (|f_n| folds at
                // zero), the near end is stretched to reach it.
                // Each side's reach, widened by the shared part's variance
                // (independent parts: variances add).
                let down = (across - quantile(s, tail)).max(0.0);
                let up = (quantile(s, 1.0 - tail) - across).max(0.0);
                (
                    across - (down * down + z2 * shared[c]).sqrt(),
                    across + (up * up + z2 * shared[c]).sqrt(),
                )
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

/// Each statement's agreement across the divide in every resample, the
/// whole model refitted on each (each refit started from the full fit).
fn refit_bootstrap(
    ratings: &Ratings,
    model: &Model,
    p: &BridgingParams,
    seeds: &[u64],
    threads: usize,
) -> Vec<Vec<f64>> {
    let refits = par::map_blocks(seeds.len(), 1, threads, |range| {
        range
            .map(|k| {
                let sample = Sample::resample(ratings, &mut Rng::new(seeds[k]));
                let mut refit = model.clone();
                refit.fit(ratings, &sample, p, p.resample_iters.max(1), 1);
                let far = refit.far(&sample, p.far_quantile);
                (0..ratings.n_cols)
                    .map(|n| sample.col_in[n].then(|| refit.across(n, far)))
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
    });
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); ratings.n_cols];
    for refit in refits.into_iter().flatten() {
        for (s, x) in samples.iter_mut().zip(refit) {
            s.extend(x);
        }
    }
    samples
}

/// The standard normal's `q` quantile (bisection on the distribution
/// function, with erf by Abramowitz & Stegun 7.1.26: error below 2e-7).
fn normal_quantile(q: f64) -> f64 {
    let cdf = |x: f64| {
        let t = 1.0 / (1.0 + 0.327_591_1 * x.abs() / std::f64::consts::SQRT_2);
        let poly = t
            * (0.254_829_592
                + t * (-0.284_496_736
                    + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
        let erf = 1.0 - poly * (-(x * x) / 2.0).exp();
        0.5 * (1.0 + erf.copysign(x))
    };
    let (mut lo, mut hi) = (-10.0f64, 10.0f64);
    for _ in 0..100 {
        let mid = (lo + hi) / 2.0;
        if cdf(mid) < q {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo + hi) / 2.0
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
    fn normal_quantiles() {
        for (q, z) in [
            (0.95, 1.644_853_6),
            (0.975, 1.959_964_0),
            (0.5, 0.0),
            (0.05, -1.644_853_6),
        ] {
            assert!(
                (normal_quantile(q) - z).abs() < 1e-5,
                "{q}: {}",
                normal_quantile(q)
            );
        }
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
