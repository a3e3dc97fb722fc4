//! Eigenpairs of the small symmetric matrices the PCA reduces to: the
//! Rayleigh–Ritz matrix of a subspace step (dense, by Jacobi rotations) and
//! the Lanczos tridiagonal (by implicit QL).

/// Eigen-decomposition of a small symmetric matrix by cyclic Jacobi
/// rotations: returns eigenvalues and the matrix whose column k
/// (`vecs[j][k]`) is the k-th eigenvector.
pub(super) fn jacobi_eigen(mut a: Vec<Vec<f64>>) -> (Vec<f64>, Vec<Vec<f64>>) {
    let n = a.len();
    let mut v = identity(n);
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i][j] * a[i][j])
            .sum();
        let scale: f64 = (0..n).map(|i| a[i][i] * a[i][i]).sum::<f64>().max(1e-300);
        if off <= 1e-30 * scale {
            break;
        }
        for p in 0..n {
            for r in p + 1..n {
                if a[p][r] == 0.0 {
                    continue;
                }
                let theta = (a[r][r] - a[p][p]) / (2.0 * a[p][r]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for row in a.iter_mut() {
                    let (akp, akr) = (row[p], row[r]);
                    row[p] = c * akp - s * akr;
                    row[r] = s * akp + c * akr;
                }
                let (head, tail) = a.split_at_mut(r);
                for (apk, ark) in head[p].iter_mut().zip(tail[0].iter_mut()) {
                    let (x, y) = (*apk, *ark);
                    *apk = c * x - s * y;
                    *ark = s * x + c * y;
                }
                for row in v.iter_mut() {
                    let (vkp, vkr) = (row[p], row[r]);
                    row[p] = c * vkp - s * vkr;
                    row[r] = s * vkp + c * vkr;
                }
            }
        }
    }
    ((0..n).map(|i| a[i][i]).collect(), v)
}

/// The `n × n` identity, as rows.
pub(super) fn identity(n: usize) -> Vec<Vec<f64>> {
    (0..n)
        .map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
        .collect()
}

/// `sqrt(a² + b²)`, directly where the squares can neither overflow nor
/// lose all precision (glibc's `hypot`, careful everywhere, was 4 % of a
/// replay), and by [`f64::hypot`] elsewhere.
fn hypot(a: f64, b: f64) -> f64 {
    const SAFE: std::ops::RangeInclusive<f64> = 1e-150..=1e150;
    let (x, y) = (a.abs(), b.abs());
    if (x == 0.0 || SAFE.contains(&x)) && (y == 0.0 || SAFE.contains(&y)) {
        (x * x + y * y).sqrt()
    } else {
        a.hypot(b)
    }
}

/// Eigenvalues of the symmetric tridiagonal matrix with diagonal `diag` and
/// off-diagonal `off` (`off[i]` between `i` and `i + 1`), by the implicit QL
/// method with Wilkinson shifts (as EISPACK's `tql2`). Each of `rows` is a
/// row of a matrix the same rotations are applied to from the right: start
/// from rows of the identity and row `r` ends as coordinate `r` of every
/// eigenvector (column `i` for eigenvalue `i`). Eigenvalues in no order.
pub(super) fn tridiagonal_eigen(diag: &[f64], off: &[f64], rows: &mut [Vec<f64>]) -> Vec<f64> {
    let n = diag.len();
    let mut d = diag.to_vec();
    let mut e: Vec<f64> = (0..n).map(|i| off.get(i).copied().unwrap_or(0.0)).collect();
    if n > 0 {
        e[n - 1] = 0.0;
    }
    for l in 0..n {
        for _ in 0..60 {
            let mut m = l;
            while m + 1 < n {
                let dd = d[m].abs() + d[m + 1].abs();
                if e[m].abs() + dd == dd {
                    break;
                }
                m += 1;
            }
            if m == l {
                break;
            }
            let mut g = (d[l + 1] - d[l]) / (2.0 * e[l]);
            let mut r = hypot(g, 1.0);
            g = d[m] - d[l] + e[l] / (g + r.copysign(g));
            let (mut s, mut c, mut p) = (1.0, 1.0, 0.0);
            let mut deflated = false;
            for i in (l..m).rev() {
                let f = s * e[i];
                let b = c * e[i];
                r = hypot(f, g);
                e[i + 1] = r;
                if r == 0.0 {
                    d[i + 1] -= p;
                    e[m] = 0.0;
                    deflated = true;
                    break;
                }
                s = f / r;
                c = g / r;
                g = d[i + 1] - p;
                r = (d[i] - g) * s + 2.0 * c * b;
                p = s * r;
                d[i + 1] = g + p;
                g = c * r - b;
                for row in rows.iter_mut() {
                    let f = row[i + 1];
                    row[i + 1] = s * row[i] + c * f;
                    row[i] = c * row[i] - s * f;
                }
            }
            if deflated {
                continue;
            }
            d[l] -= p;
            e[l] = g;
            e[m] = 0.0;
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hypot_is_exact_enough_where_the_squares_would_overflow_or_vanish() {
        for (a, b) in [
            (3.0, 4.0),
            (-1e-3, 2.5),
            (0.0, -7.0),
            (1e200, 1e200),
            (1e-200, 3e-200),
        ] {
            let (got, want) = (hypot(a, b), f64::hypot(a, b));
            assert!(got.is_finite() && got > 0.0, "{a} {b}: {got}");
            assert!(
                (got - want).abs() <= 4.0 * f64::EPSILON * want,
                "{a} {b}: {got} {want}"
            );
        }
        assert_eq!(hypot(0.0, 0.0), 0.0);
    }
    use crate::rng::Rng;

    #[test]
    fn tridiagonal_eigenpairs_satisfy_t_v_equals_lambda_v() {
        let mut rng = Rng::new(3);
        for n in [1usize, 2, 3, 7, 20] {
            let diag: Vec<f64> = (0..n).map(|_| rng.next_f64() * 4.0 - 2.0).collect();
            let off: Vec<f64> = (0..n.saturating_sub(1))
                .map(|_| rng.next_f64() - 0.5)
                .collect();
            let mut rows = identity(n);
            let vals = tridiagonal_eigen(&diag, &off, &mut rows);
            let t = |r: usize, c: usize| match r.abs_diff(c) {
                0 => diag[r],
                1 => off[r.min(c)],
                _ => 0.0,
            };
            for (i, lambda) in vals.iter().enumerate() {
                let v: Vec<f64> = (0..n).map(|r| rows[r][i]).collect();
                assert!(
                    (v.iter().map(|x| x * x).sum::<f64>().sqrt() - 1.0).abs() < 1e-12,
                    "n {n}: unit vectors"
                );
                for r in 0..n {
                    let tv: f64 = (0..n).map(|c| t(r, c) * v[c]).sum();
                    assert!((tv - lambda * v[r]).abs() < 1e-12, "n {n}, pair {i}");
                }
            }
            // The same eigenvalues as the dense Jacobi solver.
            let dense: Vec<Vec<f64>> = (0..n).map(|r| (0..n).map(|c| t(r, c)).collect()).collect();
            let (mut a, mut b) = (vals.clone(), jacobi_eigen(dense).0);
            a.sort_by(f64::total_cmp);
            b.sort_by(f64::total_cmp);
            for (x, y) in a.iter().zip(&b) {
                assert!((x - y).abs() < 1e-12, "n {n}: {x} vs {y}");
            }
        }
    }
}
