//! The alternating-least-squares engine behind [`super::bridging`]: the
//! ratings in both orders, the sample a fit runs on (everyone once, or a
//! bootstrap resample as multiplicities), the model and its passes.
//!
//! Every sweep is cut into fixed blocks by [`par`] and every sum over blocks
//! is taken in block order, so 1 and 16 threads give the same bits. The
//! statement sweep reads the column-major copy, so each statement's sums run
//! over its raters in row order: the order a row-major sweep would add them
//! in, whatever the threads.

use super::BridgingParams;
use crate::matrix::VoteMatrix;
use crate::par;
use crate::rng::Rng;

/// Statements per block of the statement sweep (a statement's work is its
/// raters, so blocks are small enough to share a few thousand statements
/// evenly between threads).
const COL_BLOCK: usize = 64;

/// Bounds of the extrapolation step of [`Model::fit`].
const MAX_BETA: f64 = 16.0;
const MIN_BETA: f64 = 0.25;

/// The ratings as the model sees them: agree = 1, disagree = 0, in
/// row-major and column-major order.
pub(super) struct Ratings {
    row_start: Vec<usize>,
    cols: Vec<u32>,
    row_vals: Vec<u8>,
    col_start: Vec<usize>,
    rows: Vec<u32>,
    col_vals: Vec<u8>,
    pub n_cols: usize,
    /// Which rows and columns have at least one rating.
    pub row_rated: Vec<bool>,
    pub col_rated: Vec<bool>,
}

impl Ratings {
    pub fn from_matrix(m: &VoteMatrix, keep_col: &[bool]) -> Ratings {
        assert!(m.n_rows() <= u32::MAX as usize, "rows fit a u32");
        let n_cols = m.n_cols();
        let mut row_start = Vec::with_capacity(m.n_rows() + 1);
        row_start.push(0);
        let mut cols = Vec::with_capacity(m.n_votes());
        let mut row_vals = Vec::with_capacity(m.n_votes());
        for row in 0..m.n_rows() {
            for (c, v) in m.row(row) {
                if v != 0 && keep_col[c] {
                    cols.push(c as u32);
                    row_vals.push(u8::from(v > 0));
                }
            }
            row_start.push(cols.len());
        }
        cols.shrink_to_fit();
        row_vals.shrink_to_fit();
        Ratings::finish(row_start, cols, row_vals, n_cols)
    }

    /// The ratings of `rows` only (in that order; row `k` of the answer is
    /// row `rows[k]` here), every column kept.
    pub(super) fn subset(&self, rows: &[usize]) -> Ratings {
        let mut row_start = Vec::with_capacity(rows.len() + 1);
        row_start.push(0);
        let mut cols = Vec::new();
        let mut row_vals = Vec::new();
        for &u in rows {
            let (a, b) = (self.row_start[u], self.row_start[u + 1]);
            cols.extend_from_slice(&self.cols[a..b]);
            row_vals.extend_from_slice(&self.row_vals[a..b]);
            row_start.push(cols.len());
        }
        Ratings::finish(row_start, cols, row_vals, self.n_cols)
    }

    /// The column-major copy of row-major ratings.
    fn finish(row_start: Vec<usize>, cols: Vec<u32>, row_vals: Vec<u8>, n_cols: usize) -> Ratings {
        let mut counts = vec![0usize; n_cols];
        for &c in &cols {
            counts[c as usize] += 1;
        }
        let mut col_start = vec![0usize; n_cols + 1];
        for c in 0..n_cols {
            col_start[c + 1] = col_start[c] + counts[c];
        }
        let mut next = col_start[..n_cols].to_vec();
        let mut rows = vec![0u32; cols.len()];
        let mut col_vals = vec![0u8; cols.len()];
        for u in 0..row_start.len() - 1 {
            for k in row_start[u]..row_start[u + 1] {
                let c = cols[k] as usize;
                rows[next[c]] = u as u32;
                col_vals[next[c]] = row_vals[k];
                next[c] += 1;
            }
        }
        Ratings {
            row_rated: row_start.windows(2).map(|w| w[1] > w[0]).collect(),
            col_rated: counts.iter().map(|&k| k > 0).collect(),
            row_start,
            cols,
            row_vals,
            col_start,
            rows,
            col_vals,
            n_cols,
        }
    }

    pub fn n_rows(&self) -> usize {
        self.row_start.len() - 1
    }

    /// Row `u`'s (column, rating) pairs, columns ascending.
    pub fn row(&self, u: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let (a, b) = (self.row_start[u], self.row_start[u + 1]);
        self.cols[a..b]
            .iter()
            .zip(&self.row_vals[a..b])
            .map(|(&c, &v)| (c as usize, f64::from(v)))
    }

    /// Column `n`'s raters and ratings, rows ascending.
    pub(super) fn col(&self, n: usize) -> (&[u32], &[u8]) {
        let (a, b) = (self.col_start[n], self.col_start[n + 1]);
        (&self.rows[a..b], &self.col_vals[a..b])
    }
}

/// Which rows a fit runs on and how often each counts: everyone once (the
/// full fit), or a bootstrap resample of rows drawn with replacement, kept
/// as multiplicities. A row drawn `w` times is `w` identical participants:
/// their 2 × 2 solves are the same, so one solve stands for all and every
/// sum over participants weighs it by `w`. No copy of the ratings is made.
pub(super) struct Sample {
    w: Option<Vec<f64>>,
    /// Rows and columns with a rating in the sample.
    pub row_in: Vec<bool>,
    pub col_in: Vec<bool>,
}

impl Sample {
    pub fn all(r: &Ratings) -> Sample {
        Sample {
            w: None,
            row_in: r.row_rated.clone(),
            col_in: r.col_rated.clone(),
        }
    }

    /// As many rows as there are, drawn with replacement from `rng`.
    pub fn resample(r: &Ratings, rng: &mut Rng) -> Sample {
        let n = r.n_rows();
        let mut w = vec![0.0f64; n];
        for _ in 0..n {
            w[rng.below(n as u64) as usize] += 1.0;
        }
        Sample::weighted(r, w)
    }

    /// Each row counted `w[u]` times.
    pub(super) fn weighted(r: &Ratings, w: Vec<f64>) -> Sample {
        let n = r.n_rows();
        let row_in = (0..n).map(|u| r.row_rated[u] && w[u] > 0.0).collect();
        let col_in = (0..r.n_cols)
            .map(|c| r.col(c).0.iter().any(|&u| w[u as usize] > 0.0))
            .collect();
        Sample {
            w: Some(w),
            row_in,
            col_in,
        }
    }

    pub(super) fn weight(&self, u: usize) -> f64 {
        self.w.as_ref().map_or(1.0, |w| w[u])
    }

    /// `Σ w_u x_u²` over the sample's rows (every row when unweighted).
    fn weighted_sq(&self, xs: &[f64]) -> f64 {
        match &self.w {
            None => xs.iter().map(|x| x * x).sum(),
            Some(w) => xs.iter().zip(w).map(|(x, w)| w * x * x).sum(),
        }
    }
}

/// The model's parameters.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Model {
    pub mu: f64,
    pub row_i: Vec<f64>,
    pub row_f: Vec<f64>,
    pub col_i: Vec<f64>,
    pub col_f: Vec<f64>,
}

/// Solves `[[a, b], [b, d]] · x = [e, g]` (positive definite here: the
/// diagonal carries the regularization).
pub(super) fn solve2(a: f64, b: f64, d: f64, e: f64, g: f64) -> (f64, f64) {
    let det = a * d - b * b;
    ((d * e - b * g) / det, (a * g - b * e) / det)
}

/// One statement's sums over its raters (weight, Σw·f, Σw·f², Σw·e,
/// Σw·e·f), in row order. With unit weights every product by `w` is exact,
/// so these are the unweighted sums bit for bit.
#[inline]
fn col_sums(
    rows: &[u32],
    vals: &[u8],
    mu: f64,
    row: &[[f64; 2]],
    w: impl Fn(usize) -> f64,
) -> [f64; 5] {
    let mut a = [0.0f64; 5];
    for (&u, &v) in rows.iter().zip(vals) {
        let u = u as usize;
        let [iu, fu] = row[u];
        let wu = w(u);
        let e = f64::from(v) - mu - iu;
        a[0] += wu;
        a[1] += wu * fu;
        a[2] += wu * fu * fu;
        a[3] += wu * e;
        a[4] += wu * e * fu;
    }
    a
}

/// One statement's weighted sums of residuals without μ (`Σw·x`, `Σw·x²`,
/// `Σw`) at its new `(i, f)`, in row order.
#[inline]
fn residuals(
    rows: &[u32],
    vals: &[u8],
    row: &[[f64; 2]],
    i: f64,
    f: f64,
    w: impl Fn(usize) -> f64,
) -> [f64; 3] {
    let mut out = [0.0; 3];
    for (&u, &v) in rows.iter().zip(vals) {
        let u = u as usize;
        let [iu, fu] = row[u];
        let wu = w(u);
        let x = f64::from(v) - iu - i - fu * f;
        out[0] += wu * x;
        out[1] += wu * x * x;
        out[2] += wu;
    }
    out
}

impl Model {
    pub fn start(rows: usize, cols: usize, rng: &mut Rng) -> Model {
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

    fn penalty(&self, s: &Sample, p: &BridgingParams) -> f64 {
        let sq = |xs: &[f64]| xs.iter().map(|x| x * x).sum::<f64>();
        p.lambda_intercept * (self.mu * self.mu + s.weighted_sq(&self.row_i) + sq(&self.col_i))
            + p.lambda_factor * (s.weighted_sq(&self.row_f) + sq(&self.col_f))
    }

    /// The regularized squared loss on the sample, from every rating.
    pub fn loss(&self, r: &Ratings, s: &Sample, p: &BridgingParams, threads: usize) -> f64 {
        let parts = par::map_ranges(r.n_rows(), threads, |range| {
            let mut sse = 0.0;
            for u in range {
                let w = s.weight(u);
                if w == 0.0 {
                    continue;
                }
                let mut row = 0.0;
                for (n, v) in r.row(u) {
                    let e =
                        v - self.mu - self.row_i[u] - self.col_i[n] - self.row_f[u] * self.col_f[n];
                    row += e * e;
                }
                sse += w * row;
            }
            sse
        });
        parts.iter().sum::<f64>() + self.penalty(s, p)
    }

    /// One alternating pass: rows, then columns, then μ, then the slides
    /// along the loss's ridges. Answers the loss after it, without another
    /// sweep: the μ step sums each residual `x` before μ and its square, so
    /// `Σ (x − μ)² = Σx² − 2μΣx + μ²·count`, and the slides leave every
    /// prediction as it is.
    pub fn pass(&mut self, r: &Ratings, s: &Sample, p: &BridgingParams, threads: usize) -> f64 {
        let (li, lf) = (p.lambda_intercept, p.lambda_factor);
        let mu = self.mu;
        let (ci, cf) = (&self.col_i, &self.col_f);
        let rows = par::map_ranges(r.n_rows(), threads, |range| {
            range
                .map(|u| {
                    if s.weight(u) == 0.0 {
                        return None; // not drawn: not in this fit
                    }
                    let (mut k, mut sf, mut sff, mut se, mut sef) = (0.0, 0.0, 0.0, 0.0, 0.0);
                    for (n, v) in r.row(u) {
                        let e = v - mu - ci[n];
                        let f = cf[n];
                        k += 1.0;
                        sf += f;
                        sff += f * f;
                        se += e;
                        sef += e * f;
                    }
                    Some(solve2(k + li, sf, sff + lf, se, sef))
                })
                .collect::<Vec<_>>()
        });
        for (u, x) in rows.into_iter().flatten().enumerate() {
            if let Some((i, f)) = x {
                self.row_i[u] = i;
                self.row_f[u] = f;
            }
        }

        let [sum, sq, count] = self.statement_step(r, s, p, threads);
        self.mu = sum / (count + li);
        let sse = (sq - 2.0 * self.mu * sum + self.mu * self.mu * count).max(0.0);
        self.slide_along_ridges(s, p);
        sse + self.penalty(s, p)
    }

    /// Each statement's `(i_n, f_n)` given μ and the participants: one
    /// sweep over the column-major copy. Answers, for the μ step, the
    /// weighted sums of each rating's residual without μ, of its square and
    /// of the weights, taken right after each statement is solved (its
    /// raters are still in cache) and added in statement order.
    pub fn statement_step(
        &mut self,
        r: &Ratings,
        s: &Sample,
        p: &BridgingParams,
        threads: usize,
    ) -> [f64; 3] {
        let (li, lf, mu) = (p.lambda_intercept, p.lambda_factor, self.mu);
        // Each participant's (i_u, f_u) side by side: a statement's raters are
        // spread over every participant, so each is a cache miss, one not two.
        let row: Vec<[f64; 2]> = self
            .row_i
            .iter()
            .zip(&self.row_f)
            .map(|(&i, &f)| [i, f])
            .collect();
        let row = &row[..];
        let cols = par::map_blocks(r.n_cols, COL_BLOCK, threads, |range| {
            let mut sums = [0.0; 3];
            let solved = range
                .map(|n| {
                    let (rows, vals) = r.col(n);
                    let (i, f, x) = match &s.w {
                        None => {
                            let a = col_sums(rows, vals, mu, row, |_| 1.0);
                            let (i, f) = solve2(a[0] + li, a[1], a[2] + lf, a[3], a[4]);
                            (i, f, residuals(rows, vals, row, i, f, |_| 1.0))
                        }
                        Some(w) => {
                            let a = col_sums(rows, vals, mu, row, |u| w[u]);
                            let (i, f) = solve2(a[0] + li, a[1], a[2] + lf, a[3], a[4]);
                            (i, f, residuals(rows, vals, row, i, f, |u| w[u]))
                        }
                    };
                    for k in 0..3 {
                        sums[k] += x[k];
                    }
                    (i, f)
                })
                .collect::<Vec<_>>();
            (solved, sums)
        });
        let mut sums = [0.0; 3];
        let mut n = 0;
        for (solved, block) in cols {
            for (i, f) in solved {
                self.col_i[n] = i;
                self.col_f[n] = f;
                n += 1;
            }
            for k in 0..3 {
                sums[k] += block[k];
            }
        }
        sums
    }

    /// Moves that leave every prediction unchanged but not the penalty: μ
    /// against the statements' intercepts, μ against the participants', and
    /// the factors' scale. Alternating steps crawl along these ridges (each
    /// block is fitted with the others fixed), so each is taken exactly here.
    /// A participant counts as often as the sample holds them.
    fn slide_along_ridges(&mut self, s: &Sample, p: &BridgingParams) {
        let w_rows = s.w.as_deref();
        let wt = |w: Option<&[f64]>, k: usize| w.map_or(1.0, |w| w[k]);
        // μ + c, every i_n − c: penalty (μ + c)² + Σ (i_n − c)² is least at
        // c = (Σ i_n − μ) / (N + 1). The same for the participants.
        // (Only intercepts with ratings move: the others have no prediction
        // to keep and rest at zero.)
        for (side, inside, w) in [
            (&mut self.col_i, &s.col_in, None),
            (&mut self.row_i, &s.row_in, w_rows),
        ] {
            let (mut sum, mut n) = (0.0, 0.0);
            for (k, i) in side.iter().enumerate() {
                if inside[k] {
                    sum += wt(w, k) * i;
                    n += wt(w, k);
                }
            }
            let c = (sum - self.mu) / (n + 1.0);
            self.mu += c;
            for (k, i) in side.iter_mut().enumerate() {
                if inside[k] {
                    *i -= c;
                }
            }
        }
        // Every f_u + δ, every i_n − δ·f_n (and the mirror image): each
        // prediction gains δ·f_n and loses it again. The penalty
        // λ_f Σ (f_u + δ)² + λ_i Σ (i_n − δ f_n)² is least at
        // δ = (λ_i Σ i_n f_n − λ_f Σ f_u) / (λ_f R + λ_i Σ f_n²).
        let (li, lf) = (p.lambda_intercept, p.lambda_factor);
        for flip in [false, true] {
            let (f_shift, in_shift, w_shift, i_take, f_take, in_take, w_take) = if flip {
                (
                    &mut self.col_f,
                    &s.col_in,
                    None,
                    &mut self.row_i,
                    &self.row_f,
                    &s.row_in,
                    w_rows,
                )
            } else {
                (
                    &mut self.row_f,
                    &s.row_in,
                    w_rows,
                    &mut self.col_i,
                    &self.col_f,
                    &s.col_in,
                    None,
                )
            };
            let (mut sif, mut sff) = (0.0, 0.0);
            for (k, (i, f)) in i_take.iter().zip(f_take.iter()).enumerate() {
                if in_take[k] {
                    sif += wt(w_take, k) * i * f;
                    sff += wt(w_take, k) * f * f;
                }
            }
            let (mut sf, mut n) = (0.0, 0.0);
            for (k, f) in f_shift.iter().enumerate() {
                if in_shift[k] {
                    sf += wt(w_shift, k) * f;
                    n += wt(w_shift, k);
                }
            }
            let denom = lf * n + li * sff;
            if denom > 0.0 {
                let d = (li * sif - lf * sf) / denom;
                for (k, f) in f_shift.iter_mut().enumerate() {
                    if in_shift[k] {
                        *f += d;
                    }
                }
                for (k, (i, f)) in i_take.iter_mut().zip(f_take.iter()).enumerate() {
                    if in_take[k] {
                        *i -= d * f;
                    }
                }
            }
        }
        // f_u · s, f_n / s: s² Σ f_u² + Σ f_n² / s² is least at
        // s² = sqrt(Σ f_n² / Σ f_u²).
        let rows = s.weighted_sq(&self.row_f);
        let cols = self.col_f.iter().map(|x| x * x).sum::<f64>();
        if rows > 0.0 && cols > 0.0 {
            let scale = (cols / rows).sqrt().sqrt();
            self.row_f.iter_mut().for_each(|f| *f *= scale);
            self.col_f.iter_mut().for_each(|f| *f /= scale);
        }
    }

    /// Passes until one lowers the loss by no more than `p.tolerance` of it,
    /// or `max_iters` passes; answers the passes taken.
    ///
    /// Each pass after the first is followed by an extrapolation: the
    /// parameters go on along the pass's step (`x + β·(x − x_before)`) and
    /// keep the result only when the loss there (one more sweep) is lower.
    /// Alternating least squares moves along a long, shallow valley in
    /// small zig-zag steps (a 100,000-participant conversation needed about
    /// 250 passes); steps that succeed grow β, a failed one halves it.
    pub fn fit(
        &mut self,
        r: &Ratings,
        s: &Sample,
        p: &BridgingParams,
        max_iters: usize,
        threads: usize,
    ) -> usize {
        let mut last = f64::INFINITY;
        let mut beta = 1.0f64;
        for it in 1..=max_iters {
            let before = (it > 1).then(|| self.clone());
            let mut now = self.pass(r, s, p, threads);
            if let Some(before) = before {
                let trial = self.extrapolated(&before, beta);
                let there = trial.loss(r, s, p, threads);
                if there < now {
                    *self = trial;
                    now = there;
                    beta = (beta * 1.5).min(MAX_BETA);
                } else {
                    beta = (beta / 2.0).max(MIN_BETA);
                }
            }
            if last - now <= p.tolerance * now {
                return it;
            }
            last = now;
        }
        max_iters
    }

    /// `self + β·(self − before)`, parameter by parameter.
    fn extrapolated(&self, before: &Model, beta: f64) -> Model {
        let go = |a: &[f64], b: &[f64]| -> Vec<f64> {
            a.iter().zip(b).map(|(x, y)| x + beta * (x - y)).collect()
        };
        Model {
            mu: self.mu + beta * (self.mu - before.mu),
            row_i: go(&self.row_i, &before.row_i),
            row_f: go(&self.row_f, &before.row_f),
            col_i: go(&self.col_i, &before.col_i),
            col_f: go(&self.col_f, &before.col_f),
        }
    }

    /// `F`: the `q` quantile of |f_u| over the sample's participants, each
    /// as often as it was drawn.
    pub fn far(&self, s: &Sample, q: f64) -> f64 {
        let mut fu: Vec<f64> = Vec::new();
        for (u, f) in self.row_f.iter().enumerate() {
            if s.row_in[u] {
                let times = s.weight(u) as usize;
                fu.extend(std::iter::repeat_n(f.abs(), times));
            }
        }
        if fu.is_empty() {
            return 0.0;
        }
        let pos = q.clamp(0.0, 1.0) * (fu.len() - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        let (_, &mut a, rest) = fu.select_nth_unstable_by(lo, f64::total_cmp);
        let b = if hi == lo {
            a
        } else {
            rest.iter().copied().fold(f64::INFINITY, f64::min)
        };
        a + (b - a) * (pos - lo as f64)
    }

    /// Agreement across the divide for column `n`, given `F`.
    pub fn across(&self, n: usize, far: f64) -> f64 {
        self.mu + self.col_i[n] - far * self.col_f[n].abs()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_pass_lowers_the_loss_and_reports_it_without_a_sweep() {
        let m = super::super::tests::two_camps();
        let p = BridgingParams::default();
        let r = Ratings::from_matrix(&m, &vec![true; m.n_cols()]);
        for s in [Sample::all(&r), Sample::resample(&r, &mut Rng::new(4))] {
            let mut model = Model::start(r.n_rows(), r.n_cols, &mut Rng::new(3));
            let mut last = model.loss(&r, &s, &p, 1);
            for _ in 0..50 {
                let said = model.pass(&r, &s, &p, 1);
                let now = model.loss(&r, &s, &p, 1);
                assert!((said - now).abs() <= 1e-10 * now, "{said} vs {now}");
                assert!(now <= last + 1e-12, "{now} > {last}");
                last = now;
            }
        }
    }

    /// A row drawn twice is two identical participants: the weighted fit
    /// equals the fit on the copied rows.
    #[test]
    fn a_resample_as_weights_is_the_fit_on_copied_rows() {
        let m = super::super::tests::two_camps();
        let p = BridgingParams::default();
        let r = Ratings::from_matrix(&m, &vec![true; m.n_cols()]);
        let s = Sample::resample(&r, &mut Rng::new(9));
        let w = s.w.clone().unwrap();
        let mut copied = Vec::new();
        let mut next = 0u64;
        for (u, &times) in w.iter().enumerate() {
            for _ in 0..times as usize {
                for (n, v) in r.row(u) {
                    copied.push(crate::matrix::VoteRecord {
                        participant: next,
                        statement: m.statements()[n],
                        vote: if v > 0.5 { 1 } else { -1 },
                        time: 0,
                    });
                }
                next += 1;
            }
        }
        let rc = Ratings::from_matrix(&VoteMatrix::from_votes(&copied), &[true; 4]);
        let sc = Sample::all(&rc);
        let mut a = Model::start(r.n_rows(), r.n_cols, &mut Rng::new(1));
        let mut b = Model {
            row_i: vec![0.0; rc.n_rows()],
            row_f: vec![0.1; rc.n_rows()],
            ..a.clone()
        };
        a.row_f.iter_mut().for_each(|f| *f = 0.1);
        for _ in 0..30 {
            a.pass(&r, &s, &p, 1);
            b.pass(&rc, &sc, &p, 1);
        }
        assert!((a.mu - b.mu).abs() < 1e-9, "{} {}", a.mu, b.mu);
        for n in 0..4 {
            assert!((a.col_i[n] - b.col_i[n]).abs() < 1e-9);
            assert!((a.col_f[n] - b.col_f[n]).abs() < 1e-9);
        }
        assert!((a.far(&s, 0.9) - b.far(&sc, 0.9)).abs() < 1e-9);
    }
}
