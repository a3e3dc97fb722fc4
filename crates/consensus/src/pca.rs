//! Two principal components of the mean-imputed, centred vote matrix, and the
//! sparsity-aware projection of participants: polis `pca.clj`
//! (`powerit-pca`, `power-iteration`, `factor-matrix`,
//! `sparsity-aware-project-ptpt`, `pca-project-cmnts`).
//!
//! Polis fills each missing vote with its column's mean and then centres by
//! the same mean, so a missing vote becomes exactly 0 in the centred matrix.
//! The centred matrix is therefore as sparse as the votes: entry (i, j) is
//! `vote - mean_j` where participant i voted on j and 0 elsewhere. The
//! iteration only needs `XᵀX V`, one pass over the votes a step, so no dense
//! participants × statements matrix is ever built; with few statements the
//! small dense `XᵀX` (statements × statements) is cheaper and is built
//! instead (`Gram`).
//! Moderated-out statements are a column of zeros for everyone in polis
//! (`zero-out-columns`): mean 0, centred 0, so they add nothing to the
//! components, but they do count as "voted" when scaling a projection.

mod eigen;
use eigen::{identity, jacobi_eigen, tridiagonal_eigen};
use serde::{Deserialize, Serialize};

use crate::matrix::VoteMatrix;
use crate::par;
use crate::rng::Rng;

/// The fitted components, over the matrix's columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pca {
    /// Column means (0 for moderated-out statements).
    pub center: Vec<f64>,
    /// Two unit vectors (or zero vectors when there is no variance left).
    pub comps: [Vec<f64>; 2],
    /// Power-iteration steps each component took.
    pub iterations: [usize; 2],
}

/// The centred sparse matrix: CSR values `vote - mean` aligned with the
/// vote matrix's entries (0 on moderated-out columns).
struct Centred<'a> {
    m: &'a VoteMatrix,
    values: Vec<f64>,
    row_start: Vec<usize>,
}

/// A block of at most [`BLOCK`] vectors, interleaved: entry `i` of every
/// vector side by side (`[i][k]`), so a product reads one cache line per
/// matrix entry instead of one per vector. Lanes past the block's width are
/// zero and never read back.
type Lanes = [f64; BLOCK];

fn interleave(v: &[Vec<f64>], n: usize) -> Vec<Lanes> {
    let mut out = vec![[0.0; BLOCK]; n];
    for (k, vk) in v.iter().enumerate() {
        for (o, x) in out.iter_mut().zip(vk) {
            o[k] = *x;
        }
    }
    out
}

fn deinterleave(lanes: &[Lanes], b: usize) -> Vec<Vec<f64>> {
    (0..b)
        .map(|k| lanes.iter().map(|l| l[k]).collect())
        .collect()
}

impl Centred<'_> {
    /// `XᵀX V` for a block of vectors interleaved by column, in one pass
    /// over the votes: each row's `x·V` (its entries in order) is scattered
    /// back as `x (x·V)` while the row is still in cache. Per-block partial
    /// sums are added in block order, so the thread count does not change
    /// the result.
    fn mul_gram_block(&self, v: &[Lanes], threads: usize) -> Vec<Lanes> {
        let (n_cols, cols) = (self.m.n_cols(), self.m.cols());
        let partials = par::map_ranges(self.m.n_rows(), threads, |rows| {
            let mut acc = vec![[0.0; BLOCK]; n_cols];
            for r in rows {
                let (s, e) = (self.row_start[r], self.row_start[r + 1]);
                let (cs, xs) = (&cols[s..e], &self.values[s..e]);
                let mut u = [0.0; BLOCK];
                for (&c, x) in cs.iter().zip(xs) {
                    let vc = &v[c as usize];
                    for k in 0..BLOCK {
                        u[k] += x * vc[k];
                    }
                }
                for (&c, x) in cs.iter().zip(xs) {
                    let a = &mut acc[c as usize];
                    for k in 0..BLOCK {
                        a[k] += x * u[k];
                    }
                }
            }
            acc
        });
        let mut out = vec![[0.0; BLOCK]; n_cols];
        for p in partials {
            for (o, pk) in out.iter_mut().zip(p) {
                for k in 0..BLOCK {
                    o[k] += pk[k];
                }
            }
        }
        out
    }
}

/// `XᵀX` as a dense symmetric matrix (row-major), for a matrix with few
/// statements: one pass over each participant's pairs of votes builds it,
/// and each step is then `n²` contiguous products instead of two passes
/// over the scattered votes. [`Gram::worth_it`] decides.
struct Gram {
    n: usize,
    g: Vec<f64>,
}

impl Gram {
    /// Steps the subspace iteration is assumed to take (15–25 on the Pol.is
    /// exports), for the cost comparison only.
    const STEPS: usize = 15;

    /// Whether building `XᵀX` and iterating on it costs less than iterating
    /// on the votes of `m`. Costs measured on the Pol.is exports (release
    /// build, one core): a step costs ~11 ns per vote on the votes (measured
    /// as two scattered passes; the fused pass is ~10 % cheaper, inside the
    /// margin) and ~2 ns per cell of the dense matrix; building it ~1.5 ns
    /// per pair of one participant's votes. So vTaiwan (197 statements, a few
    /// people voting on all) goes dense and bowling-green (896 statements,
    /// 33M pairs) stays sparse. The dense side is costed as the subspace
    /// steps it replaced; Lanczos takes one product a step, not eight, so
    /// the comparison errs toward the votes. Either way the same top two
    /// eigenvectors of the same `XᵀX` come out: only rounding differs.
    fn worth_it(m: &VoteMatrix) -> bool {
        let n = m.n_cols();
        if n > 2048 {
            return false;
        }
        let pairs: usize = (0..m.n_rows())
            .map(|r| {
                let l = m.row_len(r);
                l * (l + 1) / 2
            })
            .sum();
        3 * pairs + Self::STEPS * 4 * n * n < Self::STEPS * 22 * m.n_votes()
    }

    fn new(x: &Centred) -> Gram {
        let n = x.m.n_cols();
        let cols = x.m.cols();
        let mut g = vec![0.0; n * n];
        for r in 0..x.m.n_rows() {
            let (s, e) = (x.row_start[r], x.row_start[r + 1]);
            // Columns ascend within a row: (i, j ≥ i) fills the upper triangle.
            for i in s..e {
                let (ci, xi) = (cols[i] as usize, x.values[i]);
                let row = &mut g[ci * n..(ci + 1) * n];
                for (&cj, xj) in cols[i..e].iter().zip(&x.values[i..e]) {
                    row[cj as usize] += xi * xj;
                }
            }
        }
        for i in 0..n {
            for j in 0..i {
                g[i * n + j] = g[j * n + i];
            }
        }
        Gram { n, g }
    }

    /// `XᵀX v`.
    fn mul_vec(&self, v: &[f64]) -> Vec<f64> {
        self.g
            .chunks_exact(self.n.max(1))
            .map(|row| dot(row, v))
            .collect()
    }
}

/// `a · b` summed in four interleaved partial sums (fixed order, so the
/// same bits on every run), which the compiler keeps in vector registers;
/// one running sum makes each addition wait for the last.
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: f64 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for k in 0..4 {
            acc[k] += x[k] * y[k];
        }
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

/// Fits two components. `zeroed[j]` marks moderated-out columns. `start`
/// are a warm start's components (polis passes the last run's `:comps` as
/// start vectors); other start vectors are drawn from `rng`, as polis's
/// `rand-starting-vec` does.
///
/// Polis finds pc1 by power iteration, factors it out of the data and finds
/// pc2 the same way; both converge at the rate of an eigenvalue ratio that
/// can be close to 1 when several opinion axes are about as strong. This does
/// the same computation, the top two eigenvectors of `XᵀX`, by subspace
/// iteration with Rayleigh–Ritz over a block of [`BLOCK`] vectors, which
/// converges at the rate `λ_{BLOCK+1} / λ_2` and costs one pass over the votes
/// per step for the whole block. Stops when both vectors move less than 1e-9
/// or after `max_iters` steps. Where the dense `XᵀX` is worth building
/// (`Gram::worth_it`) it runs Lanczos on it instead (see `lanczos`).
pub fn fit(
    m: &VoteMatrix,
    zeroed: &[bool],
    start: Option<&[Vec<f64>; 2]>,
    rng: &mut Rng,
    max_iters: usize,
    threads: usize,
) -> Pca {
    fit_using(m, zeroed, start, rng, max_iters, threads, Gram::worth_it)
}

/// [`fit`], with the choice of iterating on the dense `XᵀX` or on the votes
/// given (tests compare the two).
fn fit_using(
    m: &VoteMatrix,
    zeroed: &[bool],
    start: Option<&[Vec<f64>; 2]>,
    rng: &mut Rng,
    max_iters: usize,
    threads: usize,
    dense: fn(&VoteMatrix) -> bool,
) -> Pca {
    let n_cols = m.n_cols();
    let mut sums = vec![0.0f64; n_cols];
    let mut counts = vec![0usize; n_cols];
    for r in 0..m.n_rows() {
        for (c, v) in m.row(r) {
            sums[c] += v as f64;
            counts[c] += 1;
        }
    }
    let center: Vec<f64> = (0..n_cols)
        .map(|c| {
            if zeroed[c] || counts[c] == 0 {
                0.0
            } else {
                sums[c] / counts[c] as f64
            }
        })
        .collect();
    let mut values = Vec::with_capacity(m.n_votes());
    let mut row_start = Vec::with_capacity(m.n_rows() + 1);
    row_start.push(0);
    for r in 0..m.n_rows() {
        for (c, v) in m.row(r) {
            values.push(if zeroed[c] { 0.0 } else { v as f64 - center[c] });
        }
        row_start.push(values.len());
    }
    let x = Centred {
        m,
        values,
        row_start,
    };
    let zero = || [vec![0.0; n_cols], vec![0.0; n_cols]];
    let b = BLOCK.min(n_cols).min(m.n_rows());
    if b == 0 {
        return Pca {
            center,
            comps: zero(),
            iterations: [0, 0],
        };
    }
    // Start block: the warm components, then random vectors.
    let mut q: Vec<Vec<f64>> = (0..b)
        .map(|i| match start {
            Some(s) if i < 2 && s[i].len() == n_cols && s[i].iter().any(|v| *v != 0.0) => {
                s[i].clone()
            }
            _ => (0..n_cols).map(|_| rng.next_f64()).collect(),
        })
        .collect();
    orthonormalize(&mut q, rng);
    let (mut ritz, theta, steps) = if dense(m) {
        lanczos(&Gram::new(&x), &q)
    } else {
        subspace(&x, q, rng, max_iters, threads)
    };
    for v in &mut ritz {
        let n = norm(v);
        if n > 0.0 {
            v.iter_mut().for_each(|x| *x /= n);
        }
    }
    // No variance, or what is left after pc1 is rounding noise: a zero vector.
    if theta[0] <= 0.0 {
        ritz = zero();
    } else if b < 2 || theta[1] <= 1e-12 * theta[0] {
        ritz[1] = vec![0.0; n_cols];
    }
    Pca {
        center,
        comps: ritz,
        iterations: [steps, steps],
    }
}

/// Subspace iteration with Rayleigh–Ritz over the block `q` (orthonormal),
/// on the votes: the top two Ritz vectors and values, and the steps taken.
fn subspace(
    x: &Centred,
    mut q: Vec<Vec<f64>>,
    rng: &mut Rng,
    max_iters: usize,
    threads: usize,
) -> ([Vec<f64>; 2], [f64; 2], usize) {
    let n_cols = x.m.n_cols();
    let zero = || [vec![0.0; n_cols], vec![0.0; n_cols]];
    let mut prev: Option<[Vec<f64>; 2]> = None;
    let mut steps = 0;
    let (mut ritz, mut theta) = (zero(), [0.0, 0.0]);
    while steps < max_iters.max(1) {
        steps += 1;
        let lanes = interleave(&q, n_cols);
        let w = deinterleave(&x.mul_gram_block(&lanes, threads), q.len());
        // Rayleigh–Ritz: H = Qᵀ A Q, H = S Θ Sᵀ, Ritz vectors Q S with A Q S = W S.
        let h: Vec<Vec<f64>> = (0..q.len())
            .map(|i| (0..q.len()).map(|j| dot(&q[i], &w[j])).collect())
            .collect();
        let (vals, vecs) = jacobi_eigen(h);
        let mut order: Vec<usize> = (0..vals.len()).collect();
        order.sort_by(|&i, &j| vals[j].total_cmp(&vals[i]));
        let combine = |basis: &[Vec<f64>], k: usize| -> Vec<f64> {
            let mut out = vec![0.0; n_cols];
            for (j, bj) in basis.iter().enumerate() {
                let c = vecs[j][k];
                for (o, v) in out.iter_mut().zip(bj) {
                    *o += c * v;
                }
            }
            out
        };
        ritz = [
            combine(&q, order[0]),
            combine(&q, order.get(1).map_or(order[0], |o| *o)),
        ];
        theta = [vals[order[0]], order.get(1).map_or(0.0, |&o| vals[o])];
        let moved = prev.as_ref().map_or(f64::INFINITY, |p| {
            (0..2)
                .map(|i| {
                    let sign = if dot(&p[i], &ritz[i]) < 0.0 {
                        -1.0
                    } else {
                        1.0
                    };
                    p[i].iter()
                        .zip(&ritz[i])
                        .map(|(a, b)| (sign * a - b).powi(2))
                        .sum::<f64>()
                        .sqrt()
                })
                .fold(0.0, f64::max)
        });
        if moved < 1e-9 {
            break;
        }
        prev = Some(ritz.clone());
        // Next block: A times the Ritz vectors, in order, orthonormalized.
        q = order.iter().map(|&k| combine(&w, k)).collect();
        orthonormalize(&mut q, rng);
    }
    (ritz, theta, steps)
}

/// The top two eigenpairs of the dense `XᵀX` by Lanczos with full
/// reorthogonalization, from `XᵀX` times the sum of the start block's first
/// two vectors (the warm components, when there are some): one product with `XᵀX` a
/// step where subspace iteration takes one per block vector, and a Krylov
/// space converges in far fewer steps than a power-type iteration. The
/// Ritz values are checked every few steps; it stops when both top Ritz
/// pairs' residuals `|β_k s_k|` are under 1e-12 of the top value, or the
/// space is the whole of `XᵀX`'s (then exact).
fn lanczos(g: &Gram, start: &[Vec<f64>]) -> ([Vec<f64>; 2], [f64; 2], usize) {
    let n = g.n;
    let mut sum: Vec<f64> = vec![0.0; n];
    for v in start.iter().take(2) {
        for (a, b) in sum.iter_mut().zip(v) {
            *a += b;
        }
    }
    // Started from `XᵀX` times the sum, every Lanczos vector lies in `XᵀX`'s
    // range: exactly zero on moderated-out columns, as the components must be.
    let mut q = g.mul_vec(&sum);
    let mut basis: Vec<Vec<f64>> = Vec::new();
    let (mut alpha, mut beta): (Vec<f64>, Vec<f64>) = (Vec::new(), Vec::new());
    let nq = norm(&q);
    if nq == 0.0 || n == 0 {
        return ([vec![0.0; n], vec![0.0; n]], [0.0, 0.0], 0);
    }
    q.iter_mut().for_each(|x| *x /= nq);
    loop {
        let mut w = g.mul_vec(&q);
        alpha.push(dot(&q, &w));
        basis.push(q);
        // Full reorthogonalization, twice ("twice is enough").
        for _ in 0..2 {
            for v in &basis {
                let c = dot(v, &w);
                for (a, b) in w.iter_mut().zip(v) {
                    *a -= c * b;
                }
            }
        }
        let b = norm(&w);
        let k = basis.len();
        let whole = k == n || b <= 1e-14 * alpha[0].abs().max(f64::MIN_POSITIVE);
        if whole || (k >= 8 && k.is_multiple_of(4)) {
            // Ritz values, and each Ritz vector's last coordinate in the
            // basis (its residual is `b` times that): one row of the
            // eigenvector matrix, so a check costs O(k²), not O(k³).
            let mut last = vec![vec![0.0; k]];
            last[0][k - 1] = 1.0;
            let vals = tridiagonal_eigen(&alpha, &beta, &mut last);
            let mut order: Vec<usize> = (0..k).collect();
            order.sort_by(|&i, &j| vals[j].total_cmp(&vals[i]));
            let top = [order[0], order.get(1).copied().unwrap_or(order[0])];
            let done = whole
                || top
                    .iter()
                    .all(|&i| (b * last[0][i]).abs() <= 1e-12 * vals[order[0]].abs());
            if done {
                // Every row now: the Ritz vectors' coordinates in the basis.
                let mut rows = identity(k);
                let vals = tridiagonal_eigen(&alpha, &beta, &mut rows);
                let ritz = top.map(|i| {
                    let mut out = vec![0.0; n];
                    for (j, v) in basis.iter().enumerate() {
                        let c = rows[j][i];
                        for (o, x) in out.iter_mut().zip(v) {
                            *o += c * x;
                        }
                    }
                    out
                });
                let theta = [vals[top[0]], if k > 1 { vals[top[1]] } else { 0.0 }];
                return (ritz, theta, k);
            }
        }
        beta.push(b);
        q = w.into_iter().map(|x| x / b).collect();
    }
}

/// Vectors per subspace-iteration block.
const BLOCK: usize = 8;

/// Modified Gram–Schmidt in place; a vector that vanishes (the block is wider
/// than the data's rank) is replaced by a fresh random one, tried a few times,
/// then dropped.
fn orthonormalize(q: &mut Vec<Vec<f64>>, rng: &mut Rng) {
    let mut i = 0;
    while i < q.len() {
        let mut ok = false;
        for attempt in 0..4 {
            if attempt > 0 {
                q[i] = (0..q[i].len()).map(|_| rng.next_f64() - 0.5).collect();
            }
            let before = norm(&q[i]);
            for j in 0..i {
                let (done, rest) = q.split_at_mut(i);
                let d = dot(&done[j], &rest[0]);
                for (x, y) in rest[0].iter_mut().zip(&done[j]) {
                    *x -= d * y;
                }
            }
            let n = norm(&q[i]);
            if n > 1e-10 * before.max(1e-300) && n > 0.0 {
                q[i].iter_mut().for_each(|x| *x /= n);
                ok = true;
                break;
            }
        }
        if ok {
            i += 1;
        } else {
            q.remove(i);
        }
    }
}

/// Polis `sparsity-aware-project-ptpt` for every row: the dot product of the
/// row's centred votes with each component, scaled by
/// `sqrt(statements / votes cast)` so sparse voters are not pulled to the
/// centre. Moderated-out columns count as cast (polis zeroes the whole column).
pub fn project(m: &VoteMatrix, zeroed: &[bool], pca: &Pca, threads: usize) -> Vec<[f64; 2]> {
    let n_cols = m.n_cols();
    let n_zeroed = zeroed.iter().filter(|z| **z).count();
    let chunks = par::map_ranges(m.n_rows(), threads, |rows| {
        rows.map(|r| {
            let (mut p1, mut p2, mut cast) = (0.0, 0.0, n_zeroed);
            for (c, v) in m.row(r) {
                if zeroed[c] {
                    continue;
                }
                cast += 1;
                let x = v as f64 - pca.center[c];
                p1 += x * pca.comps[0][c];
                p2 += x * pca.comps[1][c];
            }
            let scale = (n_cols as f64 / cast.max(1) as f64).sqrt();
            [p1 * scale, p2 * scale]
        })
        .collect::<Vec<_>>()
    });
    chunks.concat()
}

/// Where each statement sits on the map: polis `pca-project-cmnts`, the
/// projection of a participant who voted on that statement alone. Polis's
/// internal sign is inverted (agree = -1); in the open-data sign used here the
/// virtual participant agrees (+1), the same point.
pub fn project_statements(pca: &Pca) -> Vec<[f64; 2]> {
    let n = pca.center.len() as f64;
    (0..pca.center.len())
        .map(|c| {
            let x = 1.0 - pca.center[c];
            [
                x * pca.comps[0][c] * n.sqrt(),
                x * pca.comps[1][c] * n.sqrt(),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::VoteRecord;

    fn matrix(rows: &[&[Option<i8>]]) -> VoteMatrix {
        let mut votes = Vec::new();
        for (p, row) in rows.iter().enumerate() {
            for (s, v) in row.iter().enumerate() {
                if let Some(v) = v {
                    votes.push(VoteRecord {
                        participant: p as u64,
                        statement: s as u64,
                        vote: *v,
                        time: 0,
                    });
                }
            }
        }
        VoteMatrix::from_votes(&votes)
    }

    /// Dense reference: impute means, centre, and compute the top eigenvector
    /// of the 2×2 / 3×3 covariance by hand.
    #[test]
    fn first_component_of_a_hand_computed_case() {
        // Two statements, perfectly anti-correlated: pc1 = ±(1, -1)/√2.
        let m = matrix(&[
            &[Some(1), Some(-1)],
            &[Some(-1), Some(1)],
            &[Some(1), Some(-1)],
            &[Some(-1), Some(1)],
        ]);
        let pca = fit(&m, &[false, false], None, &mut Rng::new(1), 100, 1);
        assert_eq!(pca.center, vec![0.0, 0.0]);
        let [a, b] = [pca.comps[0][0], pca.comps[0][1]];
        assert!((a.abs() - 0.5f64.sqrt()).abs() < 1e-9, "{a}");
        assert!((a + b).abs() < 1e-9, "{a} {b}");
        // No variance left for a second component.
        assert_eq!(pca.comps[1], vec![0.0, 0.0]);
        // Projection of row 0: (1, -1)·pc1 scaled by sqrt(2/2) = ±√2.
        let p = project(&m, &[false, false], &pca, 1);
        assert!((p[0][0].abs() - 2f64.sqrt()).abs() < 1e-9);
        assert!((p[0][0] + p[1][0]).abs() < 1e-9);
    }

    #[test]
    fn missing_votes_are_imputed_with_the_column_mean() {
        // Column means: s0 = (1 + 1 - 1)/3 = 1/3, s1 = (1 - 1)/2 = 0.
        let m = matrix(&[&[Some(1), Some(1)], &[Some(1), None], &[Some(-1), Some(-1)]]);
        let pca = fit(&m, &[false, false], None, &mut Rng::new(1), 500, 2);
        assert!((pca.center[0] - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(pca.center[1], 0.0);
        // Dense reference covariance XᵀX of the centred imputed matrix:
        // rows (2/3, 1), (2/3, 0), (-4/3, -1).
        let (a, b, d): (f64, f64, f64) = (
            4.0 / 9.0 + 4.0 / 9.0 + 16.0 / 9.0,
            2.0 / 3.0 + 4.0 / 3.0,
            2.0,
        );
        // Top eigenvector of [[a, b], [b, d]].
        let l = (a + d) / 2.0 + (((a - d) / 2.0).powi(2) + b * b).sqrt();
        let (vx, vy) = (b, l - a);
        let n = (vx * vx + vy * vy).sqrt();
        let dotp = (pca.comps[0][0] * vx + pca.comps[0][1] * vy) / n;
        assert!((dotp.abs() - 1.0).abs() < 1e-9, "{:?}", pca.comps[0]);
        // The participant with one vote is scaled by sqrt(2/1).
        let p = project(&m, &[false, false], &pca, 1);
        let raw = (1.0 - 1.0 / 3.0) * pca.comps[0][0];
        assert!((p[1][0] - raw * 2f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn moderated_out_columns_add_nothing_but_count_as_cast() {
        let m = matrix(&[
            &[Some(1), Some(-1), Some(1)],
            &[Some(-1), Some(1), None],
            &[Some(1), Some(-1), None],
            &[Some(-1), Some(1), None],
        ]);
        let zeroed = [false, false, true];
        let pca = fit(&m, &zeroed, None, &mut Rng::new(9), 200, 1);
        assert_eq!(pca.center[2], 0.0);
        assert_eq!(pca.comps[0][2], 0.0);
        let p = project(&m, &zeroed, &pca, 1);
        // Every row counts 2 real votes + 1 zeroed column: scale sqrt(3/3) = 1.
        let raw = pca.comps[0][0] - pca.comps[0][1];
        assert!((p[0][0] - raw).abs() < 1e-12);
    }

    #[test]
    fn threads_do_not_change_the_result() {
        let rows: Vec<Vec<Option<i8>>> = (0..50)
            .map(|i| {
                (0..7)
                    .map(|j| match (i * 7 + j * 3) % 5 {
                        0 => None,
                        1 | 2 => Some(1),
                        3 => Some(-1),
                        _ => Some(0),
                    })
                    .collect()
            })
            .collect();
        let refs: Vec<&[Option<i8>]> = rows.iter().map(|r| r.as_slice()).collect();
        let m = matrix(&refs);
        let z = vec![false; m.n_cols()];
        let a = fit(&m, &z, None, &mut Rng::new(4), 300, 1);
        let b = fit(&m, &z, None, &mut Rng::new(4), 300, 3);
        for k in 0..2 {
            for (x, y) in a.comps[k].iter().zip(&b.comps[k]) {
                assert!((x - y).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn the_dense_gram_and_the_votes_give_the_same_components() {
        // 300 participants, 40 statements, two opinion camps, a third of the
        // votes missing, one statement moderated out.
        let mut rng = Rng::new(9);
        let rows: Vec<Vec<Option<i8>>> = (0..300)
            .map(|i| {
                (0..40)
                    .map(|j| {
                        let r = rng.next_f64();
                        if r < 0.33 {
                            None
                        } else if ((i % 2 == 0) == (j % 3 == 0)) == (r < 0.85) {
                            Some(1)
                        } else if r < 0.92 {
                            Some(0)
                        } else {
                            Some(-1)
                        }
                    })
                    .collect()
            })
            .collect();
        let refs: Vec<&[Option<i8>]> = rows.iter().map(|r| r.as_slice()).collect();
        let m = matrix(&refs);
        let mut z = vec![false; m.n_cols()];
        z[5] = true;
        let sparse = fit_using(&m, &z, None, &mut Rng::new(4), 1000, 1, |_| false);
        let dense = fit_using(&m, &z, None, &mut Rng::new(4), 1000, 1, |_| true);
        assert_eq!(sparse.center, dense.center);
        for k in 0..2 {
            assert!(sparse.comps[k].iter().any(|x| x.abs() > 0.1));
            let sign = dot(&sparse.comps[k], &dense.comps[k]).signum();
            for (x, y) in sparse.comps[k].iter().zip(&dense.comps[k]) {
                assert!((x - sign * y).abs() < 1e-7, "component {k}: {x} vs {y}");
            }
        }
        // A matrix this shape is one the cost model sends to the dense path.
        assert!(Gram::worth_it(&m));
    }
}
