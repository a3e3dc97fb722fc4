//! Opinion groups and consensus from agree / disagree / pass votes, as Pol.is
//! computes them (compdemocracy/polis, `math/src/polismath/math/`), written
//! for sparse data so a conversation at Pol.is's own caps (100,000
//! participants × 10,000 statements) takes seconds.
//!
//! The pipeline, [`analyze`], one step per module:
//!
//! 1. [`matrix`] — the vote matrix (last vote wins) and who is "in the
//!    conversation" (`conversation.clj` `:raw-rating-mat`, `:in-conv`);
//! 2. [`pca`] — two principal components of the mean-imputed centred matrix
//!    by subspace iteration over sparse products (or by Lanczos on the dense
//!    `XᵀX` when the statements are few enough that it costs less), and the
//!    sparsity-aware projection (`pca.clj`);
//! 3. [`kmeans`] — up to 100 base clusters of participants, then opinion
//!    groups by weighted k-means over base clusters for k = 2..5, k by
//!    silhouette over the base clusters (`clusters.clj`, `conversation.clj`
//!    `:group-clusterings`, `:group-k-smoother`: [`KSmoother`]); by default
//!    the silhouette weighs base clusters by size and the chosen groups are
//!    polished over participants (see [`Params`]). Over a conversation's
//!    history the smoother holds k until another k has been the best for
//!    `k_buffer` consecutive updates; [`history::replay`] replays an
//!    export's votes in the update steps documented there, and on a final
//!    matrix alone k is the single best silhouette;
//! 4. [`repness`] — representative statements per group, overall consensus
//!    and group-informed consensus (`repness.clj`, `:group-aware-consensus`).
//!
//! [`polis_csv`] reads and writes the Pol.is open-data export; [`synthetic`]
//! makes conversations with known opinion structure for benchmarks.
//!
//! Pure: no IO, no async, no clock; the only randomness is a seeded
//! [`rng::Rng`], so the same votes, parameters and seed give the same result.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

pub mod bridging;
pub mod brigade;
pub mod history;
pub mod kmeans;
pub mod matrix;
pub mod metrics;
mod par;
pub mod pca;
pub mod polis_csv;
pub mod repness;
pub mod rng;
pub mod synthetic;

pub use matrix::{VoteMatrix, VoteRecord};
pub use repness::{Consensus, ConsensusStatement, Direction, RepStatement};

/// Tuning, with Pol.is's defaults (`conversation.clj` `:opts'`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Params {
    /// Seeds the PCA start vectors (polis draws them with `rand`).
    pub seed: u64,
    /// Base clusters (polis `:base-k` 100).
    pub base_k: usize,
    /// Most opinion groups (polis `:max-k` 5).
    pub max_k: usize,
    /// Votes to be "in conversation" (polis: `min(7, statements)`).
    pub min_votes: usize,
    /// Power-iteration cap per component (polis `:pca-iters` 100, stopping
    /// early on an exactly repeated eigenvalue; here on a move < 1e-10).
    pub pca_iters: usize,
    /// K-means step cap for base clusters (polis `:base-iters` 100).
    pub base_iters: usize,
    /// K-means step cap for groups. Polis passes `:cluster-iters` (100), which
    /// its `kmeans` ignores, so its default `:max-iters` 20 applies.
    pub group_iters: usize,
    /// Runs a new best k must win before groups switch to it (polis
    /// `:group-k-buffer` 4); only matters with a warm start.
    pub k_buffer: usize,
    /// Statements per consensus list and per group's repness (5).
    pub pick_max: usize,
    /// Extra k-means++ starts per k for the group step (0 = polis's single
    /// start); the least-inertia clustering is kept. See
    /// [`kmeans::kmeans_restarts`].
    pub group_restarts: usize,
    /// K-means++ restarts at the smoothed k for the groups a
    /// [`history::replay`] reports: its last update's groups are the
    /// least-inertia clustering among the replayed history's warm-started one
    /// and these (ties keep the history's). The history itself, and so the
    /// choice of k, is untouched. A replay coarsens Pol.is's update cadence
    /// (see [`history`]), and warm-started k-means follows the coarse path
    /// into whichever local optimum it leads to, where Pol.is's own update
    /// every poll window would have moved on (on canadian-electoral-reform
    /// the ladder's path ends at groups of 190 and 97, the every-poll
    /// cadence at 268 and 19, and with these restarts at 270 and 17). A
    /// single analysis ([`analyze`], and the app's live updates, which run
    /// at Pol.is's own cadence) does not use them: it has no coarsened path
    /// to correct, and runs Pol.is's update as it is. 0 reports the replayed
    /// clustering as it is.
    pub replay_restarts: usize,
    /// Weight each base cluster by its size in the silhouette (polis weighs
    /// them equally). See [`kmeans::silhouette`].
    pub weighted_silhouette: bool,
    /// After groups are chosen over base clusters, polish them with k-means
    /// over the participants themselves, started from the groups' centers
    /// (linear in participants). Polis's groups are unions of base clusters,
    /// so a base cluster straddling two opinion groups lands whole on one
    /// side; polishing moves those participants to their nearer group, which
    /// is what red-dwarf (k-means over participants) and Pol.is's own history
    /// of warm-started runs end up with. `false` gives polis's groups exactly.
    pub refine_participants: bool,
    /// Worker threads for the sparse products and k-means assignment. The
    /// result does not depend on it.
    pub threads: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            seed: 0,
            base_k: 100,
            max_k: 5,
            min_votes: 7,
            pca_iters: 1000,
            base_iters: 100,
            group_iters: 20,
            k_buffer: 4,
            pick_max: 5,
            group_restarts: 0,
            replay_restarts: 3,
            weighted_silhouette: true,
            refine_participants: true,
            threads: 1,
        }
    }
}

/// A cluster named by ids: base clusters list participant ids, groups list
/// base-cluster ids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdCluster {
    pub id: usize,
    pub members: Vec<u64>,
    pub center: [f64; 2],
}

/// Polis `:group-k-smoother` state (`conversation.clj`): the best k of the
/// last update, how many consecutive updates it has been the best, and the k
/// the groups use. See [`history`] for how updates are replayed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KSmoother {
    pub last_k: usize,
    pub last_k_count: usize,
    pub smoothed_k: usize,
}

impl KSmoother {
    /// One update of the smoother, as polis's `:group-k-smoother`: count how
    /// many consecutive updates `this_k` has been the best; switch to it once
    /// that count reaches `buffer`, else keep the previous smoothed k (with
    /// no previous state, `this_k`). A kept k that this update did not
    /// compute (`available` false: fewer base clusters than it needs) gives
    /// way to `this_k`, where polis would have no groups.
    pub fn step(
        prev: Option<KSmoother>,
        this_k: usize,
        buffer: usize,
        available: impl Fn(usize) -> bool,
    ) -> KSmoother {
        let count = match prev {
            Some(p) if p.last_k == this_k => p.last_k_count + 1,
            _ => 1,
        };
        let smoothed = if count >= buffer {
            this_k
        } else {
            prev.map(|p| p.smoothed_k)
                .filter(|&k| available(k))
                .unwrap_or(this_k)
        };
        KSmoother {
            last_k: this_k,
            last_k_count: count,
            smoothed_k: smoothed,
        }
    }
}

#[cfg(test)]
mod smoother_tests {
    use super::KSmoother;

    /// Smoothed k after each update, from a sequence of best ks.
    fn run(best: &[usize], buffer: usize) -> Vec<usize> {
        let mut state = None;
        best.iter()
            .map(|&k| {
                let s = KSmoother::step(state, k, buffer, |_| true);
                state = Some(s);
                s.smoothed_k
            })
            .collect()
    }

    #[test]
    fn a_new_k_must_be_best_buffer_times_in_a_row() {
        assert_eq!(run(&[2, 4, 4, 4, 4, 4], 4), vec![2, 2, 2, 2, 4, 4]);
        // Interrupted runs restart the count; flicker never switches.
        assert_eq!(run(&[2, 4, 4, 4, 3, 4, 4, 4], 4), vec![2; 8]);
        assert_eq!(run(&[3, 2, 3, 2, 3], 4), vec![3; 5]);
        // The first update takes its best k (no state yet).
        assert_eq!(run(&[5], 4), vec![5]);
        // Buffer 1: the single best silhouette every time.
        assert_eq!(run(&[2, 4, 3], 1), vec![2, 4, 3]);
    }

    #[test]
    fn a_kept_k_no_longer_computed_gives_way() {
        let prev = KSmoother {
            last_k: 2,
            last_k_count: 9,
            smoothed_k: 5,
        };
        let s = KSmoother::step(Some(prev), 2, 4, |k| k <= 3);
        assert_eq!(s.smoothed_k, 2);
        assert_eq!(s.last_k_count, 10);
    }
}

/// What one run hands the next when new votes arrive (polis keeps the same in
/// its `conv`): components, who was in, base clusters and each k's groups.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WarmStart {
    /// Column ids the components are over.
    pub statements: Vec<u64>,
    pub comps: Option<[Vec<f64>; 2]>,
    pub in_conversation: Vec<u64>,
    pub base_clusters: Vec<IdCluster>,
    pub group_clusterings: BTreeMap<usize, Vec<IdCluster>>,
    pub k_smoother: Option<KSmoother>,
}

/// A participant's place on the opinion map.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Projection {
    pub participant: u64,
    pub x: f64,
    pub y: f64,
}

/// An opinion group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub id: usize,
    /// Participant ids, ascending.
    pub participants: Vec<u64>,
    pub base_clusters: Vec<usize>,
    pub center: [f64; 2],
}

/// Group-informed consensus of a statement.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GroupConsensus {
    pub statement: u64,
    /// `Π_g (A_g + 1) / (S_g + 2)`.
    pub agree: f64,
    /// The same with disagrees.
    pub disagree: f64,
}

/// Everything one run computes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// Participants with at least one vote.
    pub participants: usize,
    /// Participant ids in the conversation (clustered), ascending.
    pub in_conversation: Vec<u64>,
    /// Statement ids with at least one vote: the matrix's columns.
    pub statements: Vec<u64>,
    pub pca: pca::Pca,
    pub projections: Vec<Projection>,
    /// Statement positions on the map, by column.
    pub statement_projections: Vec<[f64; 2]>,
    pub base_clusters: Vec<IdCluster>,
    /// Silhouette of each k tried.
    pub silhouettes: BTreeMap<usize, f64>,
    pub groups: Vec<Group>,
    /// Group id → representative statements, best first.
    pub repness: BTreeMap<usize, Vec<RepStatement>>,
    pub consensus: Consensus,
    /// Non-moderated statements, highest `agree` first.
    pub group_consensus: Vec<GroupConsensus>,
    /// Pass to the next run.
    pub warm: WarmStart,
}

/// Runs the whole pipeline. `moderated_out` are statement ids an organizer
/// removed: zeroed in the matrix (polis `zero-out-columns`) and never
/// selected. `warm` is the previous run's [`Analysis::warm`], if any.
pub fn analyze(
    m: &VoteMatrix,
    moderated_out: &[u64],
    params: &Params,
    warm: Option<&WarmStart>,
) -> Analysis {
    group(
        m,
        place(m, moderated_out, params, warm),
        params,
        warm,
        true,
        0,
    )
}

/// Steps 1 and 2 of an update: who is in, the components, everyone's place
/// on the map. Reads only the first half of `warm` (statements, components,
/// who was in), so a replay can place update `i + 1` while it groups update `i`.
pub(crate) struct Placed {
    zeroed: Vec<bool>,
    inside: Vec<bool>,
    fitted: pca::Pca,
    proj: Vec<[f64; 2]>,
    /// The update's generator, after the PCA's draws: the groups' restarts
    /// draw on from there, as in one sequential update.
    rng: rng::Rng,
}

impl Placed {
    /// What the next update's [`place`] reads of this one.
    pub(crate) fn warm(&self, m: &VoteMatrix) -> WarmStart {
        WarmStart {
            statements: m.statements().to_vec(),
            comps: Some(self.fitted.comps.clone()),
            in_conversation: (0..m.n_rows())
                .filter(|&r| self.inside[r])
                .map(|r| m.participants()[r])
                .collect(),
            ..WarmStart::default()
        }
    }
}

pub(crate) fn place(
    m: &VoteMatrix,
    moderated_out: &[u64],
    params: &Params,
    warm: Option<&WarmStart>,
) -> Placed {
    let threads = params.threads.max(1);
    let zeroed: Vec<bool> = {
        let mut z = vec![false; m.n_cols()];
        for s in moderated_out {
            if let Some(c) = m.column_of(*s) {
                z[c] = true;
            }
        }
        z
    };

    // 1. who is in
    let previous_in = warm.map_or(&[][..], |w| &w.in_conversation[..]);
    let inside = matrix::in_conversation(m, params.min_votes, previous_in);

    // 2. PCA and projection, warm components re-indexed to today's columns
    // (new statements start at 1, as polis pads its start vector).
    let start = warm.and_then(|w| {
        let comps = w.comps.as_ref()?;
        let index: HashMap<u64, usize> = w
            .statements
            .iter()
            .enumerate()
            .map(|(i, s)| (*s, i))
            .collect();
        Some([0, 1].map(|k| {
            m.statements()
                .iter()
                .map(|s| index.get(s).map_or(1.0, |&i| comps[k][i]))
                .collect::<Vec<f64>>()
        }))
    });
    let mut rng = rng::Rng::new(params.seed);
    let fitted = pca::fit(
        m,
        &zeroed,
        start.as_ref(),
        &mut rng,
        params.pca_iters,
        threads,
    );
    let proj = pca::project(m, &zeroed, &fitted, threads);
    Placed {
        zeroed,
        inside,
        fitted,
        proj,
        rng,
    }
}

/// Steps 3 and 4 of an update, from its [`Placed`]: base clusters, groups
/// and k, and what the groups say only when `describe` (a replay's
/// intermediate updates need only what the next starts from, which step 4
/// does not touch; without it repness and both consensus lists are empty).
/// Reads only the second half of `warm` (base clusters, each k's groups,
/// the smoother). `restarts`: k-means++ restarts for the reported groups
/// (see [`Params::replay_restarts`]); 0 reports the warm-started clustering.
pub(crate) fn group(
    m: &VoteMatrix,
    placed: Placed,
    params: &Params,
    warm: Option<&WarmStart>,
    describe: bool,
    restarts: usize,
) -> Analysis {
    let threads = params.threads.max(1);
    let Placed {
        zeroed,
        inside,
        fitted,
        proj,
        mut rng,
    } = placed;

    // 3a. base clusters over the in-conversation participants, in id order
    let rows_in: Vec<usize> = (0..m.n_rows()).filter(|&r| inside[r]).collect();
    let points: Vec<[f64; 2]> = rows_in.iter().map(|&r| proj[r]).collect();
    let last_base = warm.map(|w| {
        let pos: HashMap<u64, usize> = rows_in
            .iter()
            .enumerate()
            .map(|(i, &r)| (m.participants()[r], i))
            .collect();
        w.base_clusters
            .iter()
            .map(|c| kmeans::Cluster {
                id: c.id,
                members: c
                    .members
                    .iter()
                    .filter_map(|p| pos.get(p).copied())
                    .collect(),
                center: c.center,
            })
            .collect::<Vec<_>>()
    });
    let base = kmeans::kmeans(
        &points,
        None,
        params.base_k,
        params.base_iters,
        last_base.as_deref(),
        threads,
    );

    // 3b. groups: weighted k-means over base-cluster centers, k by silhouette
    let centers: Vec<[f64; 2]> = base.iter().map(|c| c.center).collect();
    let weights: Vec<f64> = base.iter().map(|c| c.members.len() as f64).collect();
    let base_index: HashMap<usize, usize> =
        base.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let max_k = params.max_k.min(2 + base.len() / 12);
    let mut clusterings: BTreeMap<usize, Vec<kmeans::Cluster>> = BTreeMap::new();
    let mut silhouettes = BTreeMap::new();
    if !base.is_empty() {
        for k in 2..=max_k.max(2) {
            let last = warm.and_then(|w| w.group_clusterings.get(&k)).map(|cs| {
                cs.iter()
                    .map(|c| kmeans::Cluster {
                        id: c.id,
                        members: c
                            .members
                            .iter()
                            .filter_map(|b| base_index.get(&(*b as usize)).copied())
                            .collect(),
                        center: c.center,
                    })
                    .collect::<Vec<_>>()
            });
            let groups = kmeans::kmeans_restarts(
                &centers,
                Some(&weights),
                k,
                params.group_iters,
                last.as_deref(),
                params.group_restarts,
                &mut rng,
                1,
            );
            let sil_weights = params.weighted_silhouette.then_some(&weights[..]);
            silhouettes.insert(k, kmeans::silhouette(&centers, &groups, sil_weights));
            clusterings.insert(k, groups);
        }
    }
    // polis: `(apply max-key silhouettes ks)`, the last of equal maxima.
    let this_k = silhouettes
        .iter()
        .fold(None::<(usize, f64)>, |best, (&k, &s)| match best {
            Some((_, b)) if s < b => best,
            _ => Some((k, s)),
        })
        .map(|(k, _)| k);
    let smoother = this_k.map(|this_k| {
        KSmoother::step(
            warm.and_then(|w| w.k_smoother),
            this_k,
            params.k_buffer,
            |k| clusterings.contains_key(&k),
        )
    });
    // The groups reported: the history's clustering at the smoothed k, or a
    // k-means++ restart's if it has less inertia (a replay's last update: see
    // `Params::replay_restarts`). Only the report: a next update would start
    // from `clusterings`, as Pol.is's does.
    let reported: Option<Vec<kmeans::Cluster>> = smoother
        .and_then(|s| clusterings.get(&s.smoothed_k).map(|c| (s.smoothed_k, c)))
        .filter(|_| restarts > 0)
        .map(|(k, c)| {
            kmeans::kmeans_restarts(
                &centers,
                Some(&weights),
                k,
                params.group_iters,
                Some(c),
                restarts,
                &mut rng,
                1,
            )
        });
    let chosen: &[kmeans::Cluster] = match &reported {
        Some(r) => r,
        None => smoother
            .and_then(|s| clusterings.get(&s.smoothed_k))
            .map_or(&[], |v| v.as_slice()),
    };

    // group label per matrix row
    let mut label: Vec<Option<usize>> = vec![None; m.n_rows()];
    let refined: Option<Vec<kmeans::Cluster>> = (params.refine_participants && !chosen.is_empty())
        .then(|| {
            let start: Vec<kmeans::Cluster> = chosen
                .iter()
                .map(|g| kmeans::Cluster {
                    id: g.id,
                    members: Vec::new(),
                    center: g.center,
                })
                .collect();
            let mut r = kmeans::run(&points, None, start, params.base_iters, threads);
            r.sort_by_key(|c| c.id);
            r
        });
    let groups: Vec<Group> = chosen
        .iter()
        .enumerate()
        .map(|(gi, g)| {
            let mut participants = Vec::new();
            let members: Vec<usize> = match &refined {
                Some(r) => r
                    .iter()
                    .find(|c| c.id == g.id)
                    .map_or(Vec::new(), |c| c.members.clone()),
                None => g
                    .members
                    .iter()
                    .flat_map(|&b| base[b].members.iter().copied())
                    .collect(),
            };
            for i in members {
                label[rows_in[i]] = Some(gi);
                participants.push(m.participants()[rows_in[i]]);
            }
            participants.sort_unstable();
            Group {
                id: g.id,
                participants,
                base_clusters: g.members.iter().map(|&b| base[b].id).collect(),
                center: g.center,
            }
        })
        .collect();

    // 4. repness per group, overall consensus, group-informed consensus
    let (rep, consensus, group_consensus) = if describe {
        describe_groups(m, &zeroed, &label, &groups, params.pick_max)
    } else {
        (BTreeMap::new(), Consensus::default(), Vec::new())
    };

    let in_conversation: Vec<u64> = rows_in.iter().map(|&r| m.participants()[r]).collect();
    let base_clusters: Vec<IdCluster> = base
        .iter()
        .map(|c| IdCluster {
            id: c.id,
            members: c.members.iter().map(|&i| in_conversation[i]).collect(),
            center: c.center,
        })
        .collect();
    let group_clusterings = clusterings
        .iter()
        .map(|(&k, cs)| {
            let named = cs
                .iter()
                .map(|c| IdCluster {
                    id: c.id,
                    members: c.members.iter().map(|&b| base[b].id as u64).collect(),
                    center: c.center,
                })
                .collect();
            (k, named)
        })
        .collect();
    let warm_next = WarmStart {
        statements: m.statements().to_vec(),
        comps: Some(fitted.comps.clone()),
        in_conversation: in_conversation.clone(),
        base_clusters: base_clusters.clone(),
        group_clusterings,
        k_smoother: smoother,
    };
    Analysis {
        participants: m.n_rows(),
        in_conversation,
        statements: m.statements().to_vec(),
        statement_projections: pca::project_statements(&fitted),
        projections: proj
            .iter()
            .zip(m.participants())
            .map(|(p, &participant)| Projection {
                participant,
                x: p[0],
                y: p[1],
            })
            .collect(),
        pca: fitted,
        base_clusters,
        silhouettes,
        groups,
        repness: rep,
        consensus,
        group_consensus,
        warm: warm_next,
    }
}

/// Step 4 of [`analyze`]: representative statements per group, overall
/// consensus and group-informed consensus (highest `agree` first).
fn describe_groups(
    m: &VoteMatrix,
    zeroed: &[bool],
    label: &[Option<usize>],
    groups: &[Group],
    pick_max: usize,
) -> (
    BTreeMap<usize, Vec<RepStatement>>,
    Consensus,
    Vec<GroupConsensus>,
) {
    let per_group = repness::count_by_group(m, label, groups.len());
    let mut rep = BTreeMap::new();
    for (gi, g) in groups.iter().enumerate() {
        let stats: Vec<(u64, repness::GroupStats)> = (0..m.n_cols())
            .filter(|&c| !zeroed[c])
            .map(|c| {
                let rest = per_group.iter().enumerate().filter(|(o, _)| *o != gi).fold(
                    repness::Counts::default(),
                    |acc, (_, k)| repness::Counts {
                        na: acc.na + k[c].na,
                        nd: acc.nd + k[c].nd,
                        ns: acc.ns + k[c].ns,
                    },
                );
                (
                    m.statements()[c],
                    repness::GroupStats::new(per_group[gi][c], rest),
                )
            })
            .collect();
        rep.insert(g.id, repness::select_rep(&stats, pick_max));
    }
    let everyone = repness::count_by_group(m, &vec![Some(0); m.n_rows()], 1);
    let consensus = repness::select_consensus(m.statements(), &everyone[0], zeroed, pick_max);
    let mut group_consensus: Vec<GroupConsensus> = if groups.is_empty() {
        Vec::new()
    } else {
        (0..m.n_cols())
            .filter(|&c| !zeroed[c])
            .map(|c| {
                let (agree, disagree) = repness::group_aware(per_group.iter().map(|g| g[c]));
                GroupConsensus {
                    statement: m.statements()[c],
                    agree,
                    disagree,
                }
            })
            .collect()
    };
    group_consensus.sort_by(|a, b| b.agree.total_cmp(&a.agree));
    (rep, consensus, group_consensus)
}
