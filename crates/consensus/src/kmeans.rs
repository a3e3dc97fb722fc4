//! K-means as polis `clusters.clj` does it, and the silhouette it chooses k
//! by. Used twice: participants' projections into (up to) 100 base
//! clusters, then base-cluster centres (weighted by their member counts) into
//! 2..5 opinion groups. Clustering base clusters rather than people keeps the
//! group step and its silhouette independent of the number of participants.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::par;
use crate::rng::Rng;

/// A cluster over the points given to [`kmeans`]: `members` index those points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cluster {
    pub id: usize,
    pub members: Vec<usize>,
    pub center: [f64; 2],
}

fn dist(a: [f64; 2], b: [f64; 2]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

/// Weighted mean of the member points (polis `weighted-mean`; unweighted when
/// `weights` is `None`). `None` for no members.
fn mean(points: &[[f64; 2]], weights: Option<&[f64]>, members: &[usize]) -> Option<[f64; 2]> {
    let (mut x, mut y, mut total) = (0.0, 0.0, 0.0);
    for &i in members {
        let w = weights.map_or(1.0, |w| w[i]);
        x += w * points[i][0];
        y += w * points[i][1];
        total += w;
    }
    (total > 0.0).then(|| [x / total, y / total])
}

/// Polis `init-clusters`: the first `k` distinct points, in order.
fn init_clusters(points: &[[f64; 2]], k: usize) -> Vec<Cluster> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for p in points {
        if out.len() == k {
            break;
        }
        if seen.insert([p[0].to_bits(), p[1].to_bits()]) {
            out.push(Cluster {
                id: out.len(),
                members: Vec::new(),
                center: *p,
            });
        }
    }
    out
}

/// Centers laid out for [`closest`]: x and y apart, padded to a multiple of
/// [`LANES`] with centers at infinity (never closer than a real one).
struct Centers {
    xs: Vec<f64>,
    ys: Vec<f64>,
}

/// Centers compared at once: independent minima the compiler keeps in
/// vector registers.
const LANES: usize = 4;

impl Centers {
    fn new(clusters: &[Cluster]) -> Centers {
        let padded = clusters.len().div_ceil(LANES) * LANES;
        let mut xs = vec![f64::INFINITY; padded];
        let mut ys = vec![f64::INFINITY; padded];
        for (i, c) in clusters.iter().enumerate() {
            xs[i] = c.center[0];
            ys[i] = c.center[1];
        }
        Centers { xs, ys }
    }
}

/// Index of the closest center; ties go to the earlier cluster. Compares
/// squared distances (the same order as distances, without a square root
/// per point and center: the base clusters' step is 100 centers × every
/// participant). Each of [`LANES`] lanes keeps the first minimum of the
/// centers it sees (`i % LANES == lane`), branch-free (which center is
/// nearest is data-dependent, so a branch mispredicts often); the least
/// distance over the lanes, the lower index on a tie, is then the first
/// minimum over all centers, as a scan one by one finds.
fn closest(p: [f64; 2], centers: &Centers) -> usize {
    let mut best_d = [f64::INFINITY; LANES];
    let mut best_i = [0usize; LANES];
    for (block, (xs, ys)) in centers
        .xs
        .chunks_exact(LANES)
        .zip(centers.ys.chunks_exact(LANES))
        .enumerate()
    {
        for lane in 0..LANES {
            let (dx, dy) = (p[0] - xs[lane], p[1] - ys[lane]);
            let d = dx * dx + dy * dy;
            let better = d < best_d[lane];
            best_d[lane] = if better { d } else { best_d[lane] };
            best_i[lane] = if better {
                block * LANES + lane
            } else {
                best_i[lane]
            };
        }
    }
    let mut best = (best_d[0], best_i[0]);
    for lane in 1..LANES {
        if best_d[lane] < best.0 || (best_d[lane] == best.0 && best_i[lane] < best.1) {
            best = (best_d[lane], best_i[lane]);
        }
    }
    best.1
}

/// Polis `cluster-step`: assign every point to its closest center, drop
/// clusters left empty, move each center to its members' (weighted) mean.
fn cluster_step(
    points: &[[f64; 2]],
    weights: Option<&[f64]>,
    clusters: &[Cluster],
    threads: usize,
) -> Vec<Cluster> {
    let centers = Centers::new(clusters);
    let assigned: Vec<u32> = par::map_ranges(points.len(), threads, |r| {
        r.map(|i| closest(points[i], &centers) as u32)
            .collect::<Vec<_>>()
    })
    .concat();
    let mut members = vec![Vec::new(); clusters.len()];
    for (i, &c) in assigned.iter().enumerate() {
        members[c as usize].push(i);
    }
    clusters
        .iter()
        .zip(members)
        .filter_map(|(c, members)| {
            let center = mean(points, weights, &members)?;
            Some(Cluster {
                id: c.id,
                members,
                center,
            })
        })
        .collect()
}

/// Polis `same-clustering?`: sorted centers pairwise within 0.01.
fn same_clustering(a: &[Cluster], b: &[Cluster]) -> bool {
    let sorted = |cs: &[Cluster]| {
        let mut c: Vec<[f64; 2]> = cs.iter().map(|c| c.center).collect();
        c.sort_by(|x, y| x.partial_cmp(y).unwrap_or(std::cmp::Ordering::Equal));
        c
    };
    sorted(a)
        .into_iter()
        .zip(sorted(b))
        .all(|(x, y)| dist(x, y) < 0.01)
}

/// Polis `clean-start-clusters`: carry last run's clusters over to new data.
/// Recentre each on its members still present (dropping the empty), merge
/// clusters whose centers coincide, then, while fewer than `min(k, distinct
/// points)`, split off the point farthest from every center as a new cluster.
fn clean_start(
    points: &[[f64; 2]],
    weights: Option<&[f64]>,
    last: &[Cluster],
    k: usize,
) -> Vec<Cluster> {
    let mut clusters: Vec<Cluster> = last
        .iter()
        .filter_map(|c| {
            let members: Vec<usize> = c
                .members
                .iter()
                .copied()
                .filter(|&i| i < points.len())
                .collect();
            let center = mean(points, weights, &members)?;
            Some(Cluster {
                id: c.id,
                members,
                center,
            })
        })
        .collect();
    if clusters.is_empty() {
        let all: Vec<usize> = (0..points.len()).collect();
        let Some(center) = mean(points, weights, &all) else {
            return Vec::new();
        };
        let id = last.iter().map(|c| c.id + 1).max().unwrap_or(0);
        return vec![Cluster {
            id,
            members: all,
            center,
        }];
    }
    // uniqify-clusters / merge-clusters
    let mut uniq: Vec<Cluster> = Vec::new();
    for c in clusters.drain(..) {
        if let Some(same) = uniq.iter_mut().find(|u| u.center == c.center) {
            let (n1, n2) = (same.members.len() as f64, c.members.len() as f64);
            if c.members.len() >= same.members.len() {
                same.id = c.id;
            }
            same.center = [
                (same.center[0] * n1 + c.center[0] * n2) / (n1 + n2),
                (same.center[1] * n1 + c.center[1] * n2) / (n1 + n2),
            ];
            same.members.extend(c.members);
        } else {
            uniq.push(c);
        }
    }
    let distinct: HashSet<[u64; 2]> = points
        .iter()
        .map(|p| [p[0].to_bits(), p[1].to_bits()])
        .collect();
    let possible = k.min(distinct.len());
    loop {
        uniq.retain_mut(|c| match mean(points, weights, &c.members) {
            Some(center) => {
                c.center = center;
                true
            }
            None => false,
        });
        if uniq.len() >= possible {
            return uniq;
        }
        // most-distal: the point whose closest center is farthest away.
        let mut far = (0.0, usize::MAX);
        for (i, p) in points.iter().enumerate() {
            let d = uniq
                .iter()
                .map(|c| dist(*p, c.center))
                .fold(f64::INFINITY, f64::min);
            if d > far.0 {
                far = (d, i);
            }
        }
        if far.1 == usize::MAX {
            return uniq;
        }
        for c in &mut uniq {
            c.members.retain(|&m| m != far.1);
        }
        let id = uniq.iter().map(|c| c.id + 1).max().unwrap_or(0);
        uniq.push(Cluster {
            id,
            members: vec![far.1],
            center: points[far.1],
        });
    }
}

/// Polis `kmeans`: start from `last` (cleaned up for the current data) or the
/// first `k` distinct points, then step until the centers stop moving (by
/// 0.01) or `max_iters` more steps. Returned sorted by id.
pub fn kmeans(
    points: &[[f64; 2]],
    weights: Option<&[f64]>,
    k: usize,
    max_iters: usize,
    last: Option<&[Cluster]>,
    threads: usize,
) -> Vec<Cluster> {
    let clusters = match last {
        Some(last) if !last.is_empty() => clean_start(points, weights, last, k),
        _ => init_clusters(points, k),
    };
    run(points, weights, clusters, max_iters, threads)
}

/// The k-means loop of polis `kmeans`, from given clusters.
pub fn run(
    points: &[[f64; 2]],
    weights: Option<&[f64]>,
    mut clusters: Vec<Cluster>,
    max_iters: usize,
    threads: usize,
) -> Vec<Cluster> {
    if clusters.is_empty() {
        return clusters;
    }
    let mut iter = max_iters;
    loop {
        let next = cluster_step(points, weights, &clusters, threads);
        if iter == 0 || same_clustering(&clusters, &next) {
            clusters = next;
            break;
        }
        clusters = next;
        iter -= 1;
    }
    clusters.sort_by_key(|c| c.id);
    clusters
}

/// Polis `silhouette` over a clustering of `points` (the base-cluster
/// centers): for each member, `(b - a) / max(a, b)` with `a` its mean distance
/// to the rest of its cluster and `b` the least mean distance to another
/// cluster; 0 for a member alone in its cluster. The plain mean over members.
///
/// With `weights` (base-cluster sizes), each base cluster counts as that many
/// participants standing at its center: means are weighted and so is the
/// average, which approximates the silhouette over participants (what
/// red-dwarf computes, quadratically) in time independent of their number.
pub fn silhouette(points: &[[f64; 2]], clusters: &[Cluster], weights: Option<&[f64]>) -> f64 {
    let w = |i: usize| weights.map_or(1.0, |w| w[i]);
    let mut total = 0.0;
    let mut n = 0.0;
    for (ci, c) in clusters.iter().enumerate() {
        for &m in &c.members {
            n += w(m);
            if c.members.len() == 1 {
                continue;
            }
            let mean_to = |members: &[usize]| {
                let (s, k) = members
                    .iter()
                    .filter(|&&o| o != m)
                    .fold((0.0, 0.0), |(s, k), &o| {
                        (s + w(o) * dist(points[m], points[o]), k + w(o))
                    });
                s / k
            };
            let a = mean_to(&c.members);
            let b = clusters
                .iter()
                .enumerate()
                .filter(|(oi, o)| *oi != ci && !o.members.is_empty())
                .map(|(_, o)| mean_to(&o.members))
                .fold(f64::INFINITY, f64::min);
            if b.is_finite() && a.max(b) > 0.0 {
                total += w(m) * (b - a) / a.max(b);
            }
        }
    }
    if n == 0.0 {
        0.0
    } else {
        total / n
    }
}

/// Weighted within-cluster sum of squares: what k-means minimises.
pub fn inertia(points: &[[f64; 2]], weights: Option<&[f64]>, clusters: &[Cluster]) -> f64 {
    clusters
        .iter()
        .flat_map(|c| {
            c.members
                .iter()
                .map(move |&i| weights.map_or(1.0, |w| w[i]) * dist(points[i], c.center).powi(2))
        })
        .sum()
}

/// Weighted k-means++ seeding (Arthur & Vassilvitskii 2007): the first center
/// drawn by weight, each next one by weight × squared distance to the
/// nearest chosen center.
fn plus_plus(
    points: &[[f64; 2]],
    weights: Option<&[f64]>,
    k: usize,
    rng: &mut Rng,
) -> Vec<Cluster> {
    let w = |i: usize| weights.map_or(1.0, |w| w[i]);
    let mut d2: Vec<f64> = vec![f64::INFINITY; points.len()];
    let mut out: Vec<Cluster> = Vec::new();
    while out.len() < k {
        let score: Vec<f64> = (0..points.len())
            .map(|i| if out.is_empty() { w(i) } else { w(i) * d2[i] })
            .collect();
        let total: f64 = score.iter().sum();
        if total <= 0.0 {
            break;
        }
        let mut pick = rng.next_f64() * total;
        let mut chosen = points.len() - 1;
        for (i, s) in score.iter().enumerate() {
            if pick < *s {
                chosen = i;
                break;
            }
            pick -= s;
        }
        let c = points[chosen];
        for (i, p) in points.iter().enumerate() {
            d2[i] = d2[i].min(dist(*p, c).powi(2));
        }
        out.push(Cluster {
            id: out.len(),
            members: Vec::new(),
            center: c,
        });
    }
    out
}

/// [`kmeans`] from polis's start (or `last`), then from `restarts` k-means++
/// seedings drawn from `rng`; keeps the clustering with the least weighted
/// inertia (ties keep the earlier, so polis's own start wins when equal).
/// Polis runs k-means once per update from the previous update's clusters, so
/// a poor start is corrected over many updates; a cold start has no history,
/// and restarts stand in for it.
#[allow(clippy::too_many_arguments)]
pub fn kmeans_restarts(
    points: &[[f64; 2]],
    weights: Option<&[f64]>,
    k: usize,
    max_iters: usize,
    last: Option<&[Cluster]>,
    restarts: usize,
    rng: &mut Rng,
    threads: usize,
) -> Vec<Cluster> {
    let mut best = kmeans(points, weights, k, max_iters, last, threads);
    let mut best_score = inertia(points, weights, &best);
    for _ in 0..restarts {
        let start = plus_plus(points, weights, k, rng);
        if start.is_empty() {
            break;
        }
        let c = run(points, weights, start, max_iters, threads);
        let score = inertia(points, weights, &c);
        if score < best_score * (1.0 - 1e-12) {
            best = c;
            best_score = score;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_is_the_first_nearest_center_as_a_scan_finds_it() {
        // Integer grids make ties common: the lanes must agree with a scan
        // one by one, ties to the earlier center, for every count of centers.
        let mut rng = crate::rng::Rng::new(7);
        for k in 1..=11 {
            for _ in 0..200 {
                let mut coord = || rng.below(5) as f64 - 2.0;
                let clusters: Vec<Cluster> = (0..k)
                    .map(|id| Cluster {
                        id,
                        members: Vec::new(),
                        center: [coord(), coord()],
                    })
                    .collect();
                let p = [coord(), coord()];
                let scan = clusters
                    .iter()
                    .enumerate()
                    .fold((f64::INFINITY, 0), |best, (i, c)| {
                        let d = (p[0] - c.center[0]).powi(2) + (p[1] - c.center[1]).powi(2);
                        if d < best.0 {
                            (d, i)
                        } else {
                            best
                        }
                    })
                    .1;
                assert_eq!(
                    closest(p, &Centers::new(&clusters)),
                    scan,
                    "{p:?} {clusters:?}"
                );
            }
        }
    }

    #[test]
    fn init_takes_the_first_distinct_points() {
        let pts = [[0.0, 0.0], [0.0, 0.0], [1.0, 0.0], [2.0, 0.0]];
        let c = init_clusters(&pts, 2);
        assert_eq!(c.len(), 2);
        assert_eq!(c[1].center, [1.0, 0.0]);
    }

    #[test]
    fn two_obvious_blobs_are_found() {
        let pts = [[0.0, 0.0], [10.0, 0.0], [0.0, 1.0], [10.0, 1.0], [1.0, 0.0]];
        let c = kmeans(&pts, None, 2, 20, None, 1);
        assert_eq!(c[0].members, vec![0, 2, 4]);
        assert_eq!(c[1].members, vec![1, 3]);
        assert!((c[0].center[0] - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(c[1].center, [10.0, 0.5]);
    }

    #[test]
    fn weights_pull_the_center() {
        // One cluster of two points, weights 3 and 1: center at 3/4 of the way.
        let pts = [[0.0, 0.0], [4.0, 0.0]];
        let c = kmeans(&pts, Some(&[1.0, 3.0]), 1, 5, None, 1);
        assert_eq!(c[0].center, [3.0, 0.0]);
    }

    #[test]
    fn silhouette_by_hand() {
        // Points on a line: {0, 1} and {10}. For 0: a = 1, b = 10 → 0.9.
        // For 1: a = 1, b = 9 → 8/9. For 10 (alone) → 0. Mean = (0.9 + 8/9)/3.
        let pts = [[0.0, 0.0], [1.0, 0.0], [10.0, 0.0]];
        let clusters = vec![
            Cluster {
                id: 0,
                members: vec![0, 1],
                center: [0.5, 0.0],
            },
            Cluster {
                id: 1,
                members: vec![2],
                center: [10.0, 0.0],
            },
        ];
        let s = silhouette(&pts, &clusters, None);
        assert!((s - (0.9 + 8.0 / 9.0) / 3.0).abs() < 1e-12, "{s}");
        // Weighted: point 1 counts twice. For 0: a = 1, b = 10 → 0.9 (×1);
        // for 1: a = 1 (mean over the other members), b = 9 → 8/9 (×2); 10 → 0.
        let s = silhouette(&pts, &clusters, Some(&[1.0, 2.0, 1.0]));
        assert!((s - (0.9 + 2.0 * 8.0 / 9.0) / 4.0).abs() < 1e-12, "{s}");
    }

    #[test]
    fn restarts_escape_a_poor_polis_start() {
        // Polis's start takes the first two distinct points, both in the left
        // blob; k-means from there still separates the blobs, but restarts
        // must never do worse than it.
        let mut pts = Vec::new();
        for i in 0..30 {
            pts.push([(i % 5) as f64 * 0.1, (i / 5) as f64 * 0.1]);
            pts.push([5.0 + (i % 5) as f64 * 0.1, (i / 5) as f64 * 0.1]);
            pts.push([2.5, 9.0 + (i % 3) as f64 * 0.1]);
        }
        let one = kmeans(&pts, None, 3, 20, None, 1);
        let many = kmeans_restarts(&pts, None, 3, 20, None, 8, &mut Rng::new(1), 1);
        assert!(inertia(&pts, None, &many) <= inertia(&pts, None, &one));
        assert_eq!(many.len(), 3);
        let sizes: Vec<usize> = many.iter().map(|c| c.members.len()).collect();
        assert_eq!(sizes, vec![30, 30, 30]);
    }

    #[test]
    fn warm_start_keeps_ids_and_splits_off_the_most_distal_point() {
        let pts = [[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [9.0, 9.0]];
        let last = vec![Cluster {
            id: 7,
            members: vec![0, 1, 2],
            center: [0.0, 0.0],
        }];
        let c = kmeans(&pts, None, 3, 20, Some(&last), 1);
        assert_eq!(c.len(), 3);
        assert!(c.iter().any(|c| c.id == 7 && c.members == vec![0, 1]));
        assert!(c.iter().all(|c| !c.members.is_empty()));
    }
}
