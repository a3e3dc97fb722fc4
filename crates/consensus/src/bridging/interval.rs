//! The default interval of [`super::bridging`]: a bootstrap over
//! participants in which, as in Community Notes' pseudo-rater refits, the
//! participants' parameters and μ stay at the full fit and only each
//! statement's `(i_n, f_n)` is refitted. With everything else fixed that
//! refit is one 2 × 2 solve of the statement's weighted sums over its
//! raters, so a resample costs one pass over the ratings, not a fit.
//!
//! All resamples are taken in the same sweep: each participant's draw
//! counts for every resample sit side by side (`K` bytes), so a rating is
//! read once and added to `K` sets of sums. Each statement's sums run over
//! its raters in row order and statements are cut into fixed blocks, so the
//! numbers do not depend on the thread count.

use super::als::{solve2, Model, Ratings, Sample};
use super::BridgingParams;
use crate::par;
use crate::rng::Rng;

/// Statements per block of the sweep.
const COL_BLOCK: usize = 64;

/// Each statement's agreement across the divide in every resample in which
/// one of its raters was drawn (`seeds.len()` resamples of all the rows),
/// in resample order.
pub(super) fn statement_bootstrap(
    r: &Ratings,
    model: &Model,
    p: &BridgingParams,
    seeds: &[u64],
    threads: usize,
) -> Vec<Vec<f64>> {
    let d = draws(r.n_rows(), r.n_rows(), seeds, threads);
    held(r, model, p, &d, threads)
        .into_iter()
        .map(|x| x.into_iter().flatten().collect())
        .collect()
}

/// Resample k's count of each of `n` rows in `m` draws with replacement
/// from its own seed. (A count above 255 would need one row drawn 256
/// times: probability below 1e-500 for m ≤ n; it saturates.)
fn draws(n: usize, m: usize, seeds: &[u64], threads: usize) -> Vec<Vec<u8>> {
    par::map_blocks(seeds.len(), 1, threads, |range| {
        range
            .map(|k| {
                let mut rng = Rng::new(seeds[k]);
                let mut w = vec![0u8; n];
                if n > 0 {
                    for _ in 0..m {
                        let u = rng.below(n as u64) as usize;
                        w[u] = w[u].saturating_add(1);
                    }
                }
                w
            })
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect()
}

/// Each statement's agreement across the divide, `(i_n, f_n)` refitted
/// with the participants and μ held, in each resample of `d` (`None` where
/// none of its raters was drawn): `[statement][resample]`.
fn held(
    r: &Ratings,
    model: &Model,
    p: &BridgingParams,
    d: &[Vec<u8>],
    threads: usize,
) -> Vec<Vec<Option<f64>>> {
    let (k_all, n) = (d.len(), r.n_rows());
    if k_all == 0 || n == 0 {
        return vec![Vec::new(); r.n_cols];
    }
    // Row u's counts side by side: w[u * K + k].
    let w: Vec<u8> = par::map_ranges(n, threads, |range| {
        let mut out = Vec::with_capacity(range.len() * k_all);
        for u in range {
            out.extend(d.iter().map(|d| d[u]));
        }
        out
    })
    .concat();

    let far = far_each(r, model, &w, k_all, p.far_quantile);
    let (li, lf, mu) = (p.lambda_intercept, p.lambda_factor, model.mu);
    let row: Vec<[f64; 2]> = model
        .row_i
        .iter()
        .zip(&model.row_f)
        .map(|(&i, &f)| [i, f])
        .collect();
    let (row, w, far) = (&row[..], &w[..], &far[..]);
    par::map_blocks(r.n_cols, COL_BLOCK, threads, |range| {
        // acc[j * K + k]: sum j (weight, ·f, ·f², ·e, ·e·f) of resample k.
        let mut acc = vec![0.0f64; 5 * k_all];
        let mut wk = vec![0.0f64; k_all];
        range
            .map(|c| {
                acc.iter_mut().for_each(|a| *a = 0.0);
                let (rows, vals) = r.col(c);
                for (&u, &v) in rows.iter().zip(vals) {
                    let u = u as usize;
                    let [iu, fu] = row[u];
                    let e = f64::from(v) - mu - iu;
                    let q = [1.0, fu, fu * fu, e, e * fu];
                    for (x, &d) in wk.iter_mut().zip(&w[u * k_all..(u + 1) * k_all]) {
                        *x = f64::from(d);
                    }
                    for (j, &qj) in q.iter().enumerate() {
                        let a = &mut acc[j * k_all..(j + 1) * k_all];
                        for (a, &x) in a.iter_mut().zip(&wk) {
                            *a += x * qj;
                        }
                    }
                }
                (0..k_all)
                    .map(|k| {
                        (acc[k] > 0.0).then(|| {
                            let s = |j: usize| acc[j * k_all + k];
                            let (i, f) = solve2(s(0) + li, s(1), s(2) + lf, s(3), s(4));
                            mu + i - far[k] * f.abs()
                        })
                    })
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect()
}

/// What holding the participants leaves out, per statement: the variance
/// of its agreement across the divide over `seeds.len()` resamples of `m`
/// rows in which the whole model is refitted (from the full fit, at most
/// `resample_iters` passes, on the drawn rows only), less its variance over
/// the same resamples with the participants held; 0 where that is negative
/// or the statement was drawn in fewer than two of them.
pub(super) fn shared_variance(
    r: &Ratings,
    model: &Model,
    p: &BridgingParams,
    seeds: &[u64],
    m: usize,
    threads: usize,
) -> Vec<f64> {
    let n = r.n_rows();
    let d = draws(n, m, seeds, threads);
    // Each resample's (refit, held) across per statement, both on the drawn
    // rows only (a copy of their ratings: the undrawn rows cost nothing).
    let pairs = par::map_blocks(seeds.len(), 1, threads, |range| {
        range
            .map(|k| {
                let rows: Vec<usize> = (0..n).filter(|&u| d[k][u] > 0).collect();
                let sub = r.subset(&rows);
                let counts: Vec<u8> = rows.iter().map(|&u| d[k][u]).collect();
                let sample = Sample::weighted(&sub, counts.iter().map(|&c| f64::from(c)).collect());
                let mut refit = Model {
                    mu: model.mu,
                    row_i: rows.iter().map(|&u| model.row_i[u]).collect(),
                    row_f: rows.iter().map(|&u| model.row_f[u]).collect(),
                    col_i: model.col_i.clone(),
                    col_f: model.col_f.clone(),
                };
                let held: Vec<Option<f64>> = held(&sub, &refit, p, &[counts], 1)
                    .into_iter()
                    .map(|x| x[0])
                    .collect();
                refit.fit(&sub, &sample, p, p.resample_iters.max(1), 1);
                let far = refit.far(&sample, p.far_quantile);
                (0..r.n_cols)
                    .map(|c| sample.col_in[c].then(|| refit.across(c, far)))
                    .zip(held)
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
    });
    let pairs: Vec<Vec<(Option<f64>, Option<f64>)>> = pairs.into_iter().flatten().collect();
    (0..r.n_cols)
        .map(|c| {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            for pair in &pairs {
                if let (Some(x), Some(y)) = pair[c] {
                    a.push(x);
                    b.push(y);
                }
            }
            if a.len() < 2 {
                0.0
            } else {
                (variance(&a) - variance(&b)).max(0.0)
            }
        })
        .collect()
}

/// The sample variance (n − 1).
fn variance(x: &[f64]) -> f64 {
    let mean = x.iter().sum::<f64>() / x.len() as f64;
    x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (x.len() - 1) as f64
}

/// `F` of every resample: the `q` quantile of |f_u| over the participants
/// with a rating, each as often as the resample drew them (linear between
/// order statistics, as [`Model::far`]). One walk up the sorted |f_u| finds
/// every resample's two order statistics.
fn far_each(r: &Ratings, model: &Model, w: &[u8], k_all: usize, q: f64) -> Vec<f64> {
    let mut order: Vec<(f64, usize)> = (0..r.n_rows())
        .filter(|&u| r.row_rated[u])
        .map(|u| (model.row_f[u].abs(), u))
        .collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let q = q.clamp(0.0, 1.0);
    let mut total = vec![0u64; k_all];
    for &(_, u) in &order {
        for (t, &d) in total.iter_mut().zip(&w[u * k_all..(u + 1) * k_all]) {
            *t += u64::from(d);
        }
    }
    // The positions wanted in each resample's expanded, sorted list.
    let want: Vec<(u64, u64, f64)> = total
        .iter()
        .map(|&t| {
            if t == 0 {
                return (u64::MAX, u64::MAX, 0.0);
            }
            let pos = q * (t - 1) as f64;
            (pos.floor() as u64, pos.ceil() as u64, pos - pos.floor())
        })
        .collect();
    let mut lo = vec![0.0f64; k_all];
    let mut hi = vec![0.0f64; k_all];
    let mut seen = vec![0u64; k_all];
    for &(f, u) in &order {
        for k in 0..k_all {
            let d = u64::from(w[u * k_all + k]);
            if d == 0 {
                continue;
            }
            let (a, b, _) = want[k];
            // This row holds expanded positions seen[k] .. seen[k] + d.
            if (seen[k]..seen[k] + d).contains(&a) {
                lo[k] = f;
            }
            if (seen[k]..seen[k] + d).contains(&b) {
                hi[k] = f;
            }
            seen[k] += d;
        }
    }
    (0..k_all)
        .map(|k| lo[k] + (hi[k] - lo[k]) * want[k].2)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each resample's `F` found in the one walk is the one [`Model::far`]
    /// finds on that resample alone.
    #[test]
    fn the_far_quantile_of_every_resample_in_one_walk() {
        let m = crate::bridging::tests::two_camps();
        let r = Ratings::from_matrix(&m, &vec![true; m.n_cols()]);
        let model = Model::start(r.n_rows(), r.n_cols, &mut Rng::new(2));
        let seeds = [5u64, 6, 7];
        let n = r.n_rows();
        let mut w = vec![0u8; n * seeds.len()];
        let mut want = Vec::new();
        for (k, &seed) in seeds.iter().enumerate() {
            let s = Sample::resample(&r, &mut Rng::new(seed));
            for u in 0..n {
                w[u * seeds.len() + k] = s.weight(u) as u8;
            }
            want.push(model.far(&s, 0.9));
        }
        assert_eq!(far_each(&r, &model, &w, seeds.len(), 0.9), want);
    }
}
