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
//! gradient descent.) The interval is a percentile bootstrap over
//! participants: the model is refitted on resamples of participants (drawn
//! with replacement from a seeded [`Rng`]), each started from the full fit.
//!
//! Pure and deterministic: the same votes, parameters and seed give the same
//! numbers; the work is sequential in a fixed order.

use serde::{Deserialize, Serialize};

use crate::matrix::VoteMatrix;
use crate::rng::Rng;

/// The model's settings, with Community Notes' values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BridgingParams {
    /// Regularization of μ and the intercepts (Community Notes 0.15).
    pub lambda_intercept: f64,
    /// Regularization of the factors (Community Notes 0.03).
    pub lambda_factor: f64,
    /// Alternating passes at most.
    pub max_iters: usize,
    /// Stop when no parameter moves by more than this in a pass.
    pub tolerance: f64,
    /// Bootstrap resamples for the interval (0: no interval).
    pub resamples: usize,
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
}

impl Default for BridgingParams {
    fn default() -> Self {
        BridgingParams {
            lambda_intercept: 0.15,
            lambda_factor: 0.03,
            max_iters: 500,
            tolerance: 1e-9,
            resamples: 40,
            coverage: 0.9,
            bar: 2.0 / 3.0,
            far_quantile: 0.9,
            min_votes: 5,
            seed: 0,
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

/// The ratings as the model sees them: agree = 1, disagree = 0, by row.
struct Ratings {
    /// Row-major (participant, statement index, rating) triples.
    row_start: Vec<usize>,
    cols: Vec<u32>,
    vals: Vec<f64>,
    n_cols: usize,
    /// Which rows and columns have at least one rating.
    row_rated: Vec<bool>,
    col_rated: Vec<bool>,
}

impl Ratings {
    fn from_matrix(m: &VoteMatrix, keep_col: &[bool]) -> Ratings {
        let mut r = Ratings {
            row_start: vec![0],
            cols: Vec::new(),
            vals: Vec::new(),
            n_cols: m.n_cols(),
            row_rated: Vec::new(),
            col_rated: Vec::new(),
        };
        for row in 0..m.n_rows() {
            for (c, v) in m.row(row) {
                if v != 0 && keep_col[c] {
                    r.cols.push(c as u32);
                    r.vals.push(if v > 0 { 1.0 } else { 0.0 });
                }
            }
            r.row_start.push(r.cols.len());
        }
        r.mark_rated();
        r
    }

    fn mark_rated(&mut self) {
        self.row_rated = self.row_start.windows(2).map(|w| w[1] > w[0]).collect();
        self.col_rated = vec![false; self.n_cols];
        for &c in &self.cols {
            self.col_rated[c as usize] = true;
        }
    }

    /// The ratings of the rows `picks` (a row may repeat), as a new set.
    fn resample(&self, picks: &[usize]) -> Ratings {
        let mut r = Ratings {
            row_start: vec![0],
            cols: Vec::new(),
            vals: Vec::new(),
            n_cols: self.n_cols,
            row_rated: Vec::new(),
            col_rated: Vec::new(),
        };
        for &p in picks {
            let (a, b) = (self.row_start[p], self.row_start[p + 1]);
            r.cols.extend_from_slice(&self.cols[a..b]);
            r.vals.extend_from_slice(&self.vals[a..b]);
            r.row_start.push(r.cols.len());
        }
        r.mark_rated();
        r
    }

    fn n_rows(&self) -> usize {
        self.row_start.len() - 1
    }

    fn row(&self, r: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let (a, b) = (self.row_start[r], self.row_start[r + 1]);
        self.cols[a..b]
            .iter()
            .zip(&self.vals[a..b])
            .map(|(&c, &v)| (c as usize, v))
    }
}

/// The model's parameters.
#[derive(Debug, Clone, PartialEq)]
struct Model {
    mu: f64,
    row_i: Vec<f64>,
    row_f: Vec<f64>,
    col_i: Vec<f64>,
    col_f: Vec<f64>,
}

/// Solves `[[a, b], [b, d]] · x = [e, g]` (positive definite here: the
/// diagonal carries the regularization).
fn solve2(a: f64, b: f64, d: f64, e: f64, g: f64) -> (f64, f64) {
    let det = a * d - b * b;
    ((d * e - b * g) / det, (a * g - b * e) / det)
}

impl Model {
    fn start(rows: usize, cols: usize, rng: &mut Rng) -> Model {
        // Small seeded factors break the symmetry at zero (where every
        // factor's gradient vanishes); intercepts start at zero.
        let mut small = || (rng.next_f64() - 0.5) * 0.2;
        Model {
            mu: 0.0,
            row_i: vec![0.0; rows],
            row_f: (0..rows).map(|_| small()).collect(),
            col_i: vec![0.0; cols],
            col_f: (0..cols).map(|_| small()).collect(),
        }
    }

    fn loss(&self, r: &Ratings, p: &BridgingParams) -> f64 {
        let mut sse = 0.0;
        for u in 0..r.n_rows() {
            for (n, v) in r.row(u) {
                let e = v - self.mu - self.row_i[u] - self.col_i[n] - self.row_f[u] * self.col_f[n];
                sse += e * e;
            }
        }
        let sq = |xs: &[f64]| xs.iter().map(|x| x * x).sum::<f64>();
        sse + p.lambda_intercept * (self.mu * self.mu + sq(&self.row_i) + sq(&self.col_i))
            + p.lambda_factor * (sq(&self.row_f) + sq(&self.col_f))
    }

    /// One alternating pass: rows, then columns, then μ.
    fn pass(&mut self, r: &Ratings, p: &BridgingParams) {
        let (li, lf) = (p.lambda_intercept, p.lambda_factor);
        for u in 0..r.n_rows() {
            let (mut k, mut sf, mut sff, mut se, mut sef) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for (n, v) in r.row(u) {
                let e = v - self.mu - self.col_i[n];
                let f = self.col_f[n];
                k += 1.0;
                sf += f;
                sff += f * f;
                se += e;
                sef += e * f;
            }
            let (i, f) = solve2(k + li, sf, sff + lf, se, sef);
            self.row_i[u] = i;
            self.row_f[u] = f;
        }
        let cols = self.col_i.len();
        let mut acc = vec![[0.0f64; 5]; cols];
        for u in 0..r.n_rows() {
            let (iu, fu) = (self.row_i[u], self.row_f[u]);
            for (n, v) in r.row(u) {
                let e = v - self.mu - iu;
                let a = &mut acc[n];
                a[0] += 1.0;
                a[1] += fu;
                a[2] += fu * fu;
                a[3] += e;
                a[4] += e * fu;
            }
        }
        for (n, a) in acc.iter().enumerate() {
            let (i, f) = solve2(a[0] + li, a[1], a[2] + lf, a[3], a[4]);
            self.col_i[n] = i;
            self.col_f[n] = f;
        }
        let (mut sum, mut count) = (0.0, 0.0);
        for u in 0..r.n_rows() {
            for (n, v) in r.row(u) {
                sum += v - self.row_i[u] - self.col_i[n] - self.row_f[u] * self.col_f[n];
                count += 1.0;
            }
        }
        self.mu = sum / (count + li);
        self.slide_along_ridges(r, p);
    }

    /// Moves that leave every prediction unchanged but not the penalty: μ
    /// against the statements' intercepts, μ against the participants', and
    /// the factors' scale. Alternating steps crawl along these ridges (each
    /// block is fitted with the others fixed), so each is taken exactly here.
    fn slide_along_ridges(&mut self, r: &Ratings, p: &BridgingParams) {
        // μ + c, every i_n − c: penalty (μ + c)² + Σ (i_n − c)² is least at
        // c = (Σ i_n − μ) / (N + 1). The same for the participants.
        // (Only intercepts with ratings move: the others have no prediction
        // to keep and rest at zero.)
        for (side, rated) in [
            (&mut self.col_i, &r.col_rated),
            (&mut self.row_i, &r.row_rated),
        ] {
            let (sum, n) = side
                .iter()
                .zip(rated)
                .filter(|(_, r)| **r)
                .fold((0.0, 0.0), |(s, n), (i, _)| (s + i, n + 1.0));
            let c = (sum - self.mu) / (n + 1.0);
            self.mu += c;
            side.iter_mut()
                .zip(rated)
                .filter(|(_, r)| **r)
                .for_each(|(i, _)| *i -= c);
        }
        // Every f_u + δ, every i_n − δ·f_n (and the mirror image): each
        // prediction gains δ·f_n and loses it again. The penalty
        // λ_f Σ (f_u + δ)² + λ_i Σ (i_n − δ f_n)² is least at
        // δ = (λ_i Σ i_n f_n − λ_f Σ f_u) / (λ_f R + λ_i Σ f_n²).
        let (li, lf) = (p.lambda_intercept, p.lambda_factor);
        for flip in [false, true] {
            let (f_shift, rated_shift, i_take, f_take, rated_take) = if flip {
                (
                    &mut self.col_f,
                    &r.col_rated,
                    &mut self.row_i,
                    &self.row_f,
                    &r.row_rated,
                )
            } else {
                (
                    &mut self.row_f,
                    &r.row_rated,
                    &mut self.col_i,
                    &self.col_f,
                    &r.col_rated,
                )
            };
            let (mut sif, mut sff) = (0.0, 0.0);
            for ((i, f), _) in i_take
                .iter()
                .zip(f_take)
                .zip(rated_take)
                .filter(|(_, r)| **r)
            {
                sif += i * f;
                sff += f * f;
            }
            let (mut sf, mut n) = (0.0, 0.0);
            for (f, _) in f_shift.iter().zip(rated_shift).filter(|(_, r)| **r) {
                sf += f;
                n += 1.0;
            }
            let denom = lf * n + li * sff;
            if denom > 0.0 {
                let d = (li * sif - lf * sf) / denom;
                f_shift
                    .iter_mut()
                    .zip(rated_shift)
                    .filter(|(_, r)| **r)
                    .for_each(|(f, _)| *f += d);
                i_take
                    .iter_mut()
                    .zip(f_take)
                    .zip(rated_take)
                    .filter(|(_, r)| **r)
                    .for_each(|((i, f), _)| *i -= d * f);
            }
        }
        // f_u · s, f_n / s: s² Σ f_u² + Σ f_n² / s² is least at
        // s² = sqrt(Σ f_n² / Σ f_u²).
        let sq = |xs: &[f64]| xs.iter().map(|x| x * x).sum::<f64>();
        let (rows, cols) = (sq(&self.row_f), sq(&self.col_f));
        if rows > 0.0 && cols > 0.0 {
            let s = (cols / rows).sqrt().sqrt();
            self.row_f.iter_mut().for_each(|f| *f *= s);
            self.col_f.iter_mut().for_each(|f| *f /= s);
        }
    }

    /// Passes until the loss stops falling; answers the loss and the passes.
    fn fit(&mut self, r: &Ratings, p: &BridgingParams) -> (f64, usize) {
        for it in 1..=p.max_iters {
            let before = self.clone();
            self.pass(r, p);
            if self.max_move(&before) <= p.tolerance {
                return (self.loss(r, p), it);
            }
        }
        (self.loss(r, p), p.max_iters)
    }

    /// The largest change of any parameter from `other`.
    fn max_move(&self, other: &Model) -> f64 {
        let far = |a: &[f64], b: &[f64]| {
            a.iter()
                .zip(b)
                .map(|(x, y)| (x - y).abs())
                .fold(0.0, f64::max)
        };
        (self.mu - other.mu)
            .abs()
            .max(far(&self.row_i, &other.row_i))
            .max(far(&self.row_f, &other.row_f))
            .max(far(&self.col_i, &other.col_i))
            .max(far(&self.col_f, &other.col_f))
    }

    /// `F`: the `q` quantile of |f_u| over participants with ratings.
    fn far(&self, r: &Ratings, q: f64) -> f64 {
        let mut fu: Vec<f64> = self
            .row_f
            .iter()
            .zip(&r.row_rated)
            .filter(|(_, rated)| **rated)
            .map(|(f, _)| f.abs())
            .collect();
        if fu.is_empty() {
            return 0.0;
        }
        fu.sort_by(f64::total_cmp);
        quantile(&fu, q.clamp(0.0, 1.0))
    }

    /// Agreement across the divide for column `n`, given `F`.
    fn across(&self, n: usize, far: f64) -> f64 {
        self.mu + self.col_i[n] - far * self.col_f[n].abs()
    }
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
    let (loss, iterations) = model.fit(&ratings, p);
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
    let rows = ratings.n_rows();
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); m.n_cols()];
    for _ in 0..p.resamples {
        if rows == 0 {
            break;
        }
        let picks: Vec<usize> = (0..rows).map(|_| rng.below(rows as u64) as usize).collect();
        let sample = ratings.resample(&picks);
        let mut seen = vec![false; m.n_cols()];
        for u in 0..sample.n_rows() {
            for (n, _) in sample.row(u) {
                seen[n] = true;
            }
        }
        let mut refit = Model {
            mu: model.mu,
            row_i: picks.iter().map(|&u| model.row_i[u]).collect(),
            row_f: picks.iter().map(|&u| model.row_f[u]).collect(),
            col_i: model.col_i.clone(),
            col_f: model.col_f.clone(),
        };
        refit.fit(&sample, p);
        let far = refit.far(&sample, p.far_quantile);
        for (n, s) in samples.iter_mut().enumerate() {
            if seen[n] {
                s.push(refit.across(n, far));
            }
        }
    }

    let tail = (1.0 - p.coverage.clamp(0.0, 1.0)) / 2.0;
    let far = model.far(&ratings, p.far_quantile);
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
    fn the_fit_is_a_stationary_point_and_each_pass_lowers_the_loss() {
        let m = two_camps();
        let p = BridgingParams {
            resamples: 0,
            ..BridgingParams::default()
        };
        let keep = vec![true; m.n_cols()];
        let r = Ratings::from_matrix(&m, &keep);
        let mut model = Model::start(r.n_rows(), r.n_cols, &mut Rng::new(3));
        let mut last = model.loss(&r, &p);
        for _ in 0..50 {
            model.pass(&r, &p);
            let now = model.loss(&r, &p);
            assert!(now <= last + 1e-12, "{now} > {last}");
            last = now;
        }
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
