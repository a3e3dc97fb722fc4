//! Two principal components of the mean-imputed, centred vote matrix, and the
//! sparsity-aware projection of participants: polis `pca.clj`
//! (`powerit-pca`, `power-iteration`, `factor-matrix`,
//! `sparsity-aware-project-ptpt`, `pca-project-cmnts`).
//!
//! Polis fills each missing vote with its column's mean and then centres by
//! the same mean, so a missing vote becomes exactly 0 in the centred matrix.
//! The centred matrix is therefore as sparse as the votes: entry (i, j) is
//! `vote - mean_j` where participant i voted on j and 0 elsewhere. Power
//! iteration only needs `X v` and `Xᵀ u`, so nothing dense is ever built.
//! Moderated-out statements are a column of zeros for everyone in polis
//! (`zero-out-columns`): mean 0, centred 0, so they add nothing to the
//! components, but they do count as "voted" when scaling a projection.

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

impl Centred<'_> {
    /// `X v`, one entry per row.
    fn mul(&self, v: &[f64], threads: usize) -> Vec<f64> {
        let chunks = par::map_ranges(self.m.n_rows(), threads, |rows| {
            rows.map(|r| {
                let (a, b) = (self.row_start[r], self.row_start[r + 1]);
                self.m
                    .row(r)
                    .zip(&self.values[a..b])
                    .map(|((c, _), x)| x * v[c])
                    .sum::<f64>()
            })
            .collect::<Vec<f64>>()
        });
        chunks.concat()
    }

    /// `Xᵀ u`, one entry per column.
    fn mul_t(&self, u: &[f64], threads: usize) -> Vec<f64> {
        let n_cols = self.m.n_cols();
        let partials = par::map_ranges(self.m.n_rows(), threads, |rows| {
            let mut acc = vec![0.0; n_cols];
            for r in rows {
                let (a, b) = (self.row_start[r], self.row_start[r + 1]);
                for ((c, _), x) in self.m.row(r).zip(&self.values[a..b]) {
                    acc[c] += x * u[r];
                }
            }
            acc
        });
        let mut out = vec![0.0; n_cols];
        for p in partials {
            for (o, x) in out.iter_mut().zip(p) {
                *o += x;
            }
        }
        out
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

/// Fits two components. `zeroed[j]` marks moderated-out columns. `start`
/// are a warm start's components (polis passes the last run's `:comps` as
/// start vectors); otherwise the start vector is drawn from `rng`, as polis's
/// `rand-starting-vec` does. Iterates until the unit vector moves less than
/// 1e-10 or `max_iters` steps (polis: 100, and it stops when the eigenvalue
/// estimate repeats exactly).
pub fn fit(
    m: &VoteMatrix,
    zeroed: &[bool],
    start: Option<&[Vec<f64>; 2]>,
    rng: &mut Rng,
    max_iters: usize,
    threads: usize,
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

    let mut start_vec = |i: usize| -> Vec<f64> {
        match start {
            Some(s) if s[i].len() == n_cols && s[i].iter().any(|v| *v != 0.0) => s[i].clone(),
            _ => (0..n_cols).map(|_| rng.next_f64()).collect(),
        }
    };
    let rank = m.n_rows().min(n_cols);

    // First component: the top eigenvector of XᵀX.
    let s0 = start_vec(0);
    let s1 = start_vec(1);
    if rank == 0 {
        return Pca {
            center,
            comps: [vec![0.0; n_cols], vec![0.0; n_cols]],
            iterations: [0, 0],
        };
    }
    let (pc1, it1, eig1) = power_iteration(s0, max_iters, |v| x.mul_t(&x.mul(v, threads), threads));
    // Second: the same on the matrix with pc1 factored out of every row
    // (polis `factor-matrix`), done algebraically: X' = X - (X pc1) pc1ᵀ.
    let (pc2, it2) = if rank < 2 || eig1 == 0.0 {
        (vec![0.0; n_cols], 0)
    } else {
        let w = x.mul(&pc1, threads);
        let pc2 = power_iteration(s1, max_iters, |v| {
            let mut u = x.mul(v, threads);
            let k = dot(&pc1, v);
            for (ui, wi) in u.iter_mut().zip(&w) {
                *ui -= wi * k;
            }
            let mut out = x.mul_t(&u, threads);
            let k2 = dot(&w, &u);
            for (o, p) in out.iter_mut().zip(&pc1) {
                *o -= p * k2;
            }
            out
        });
        // What is left after pc1 is rounding noise: no second component.
        let (pc2, it2, eig2) = pc2;
        if eig2 <= 1e-12 * eig1 {
            (vec![0.0; n_cols], it2)
        } else {
            (pc2, it2)
        }
    };
    Pca {
        center,
        comps: [pc1, pc2],
        iterations: [it1, it2],
    }
}

/// Polis `power-iteration`: repeatedly apply the (positive semi-definite)
/// operator and normalise. Returns the unit vector (zero if the operator
/// annihilates the start), the number of steps taken and the eigenvalue.
fn power_iteration(
    mut v: Vec<f64>,
    max_iters: usize,
    op: impl Fn(&[f64]) -> Vec<f64>,
) -> (Vec<f64>, usize, f64) {
    let n = norm(&v);
    if n > 0.0 {
        v.iter_mut().for_each(|x| *x /= n);
    }
    let mut eig = 0.0;
    for step in 1..=max_iters.max(1) {
        let mut next = op(&v);
        let len = norm(&next);
        if len == 0.0 {
            return (vec![0.0; v.len()], step, 0.0);
        }
        next.iter_mut().for_each(|x| *x /= len);
        let moved = next
            .iter()
            .zip(&v)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            .sqrt();
        v = next;
        eig = len;
        if moved < 1e-10 {
            return (v, step, eig);
        }
    }
    (v, max_iters.max(1), eig)
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
}
