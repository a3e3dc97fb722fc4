//! Choosing the number of opinion groups the way Pol.is does: over the
//! conversation's history, through its group-k smoother, not by one
//! silhouette on the final matrix.
//!
//! # What Pol.is does (read in compdemocracy/polis, `math/src/polismath/`)
//!
//! - `math/conversation.clj`, `:group-clusterings`: on every update, k-means
//!   of the base-cluster centres for each k in `2..=max-k-fn`, where
//!   `max-k-fn` is `min(:max-k 5, 2 + base-clusters / 12)`, each k warm
//!   started from that k's clusters of the previous update (`:last-clusters`).
//! - `:group-clusterings-silhouettes`: the silhouette of each k over the
//!   base-cluster distance matrix.
//! - `:group-k-smoother`: `this-k` is the k of the best silhouette
//!   (`max-key`, the last of equal maxima); a counter counts how many
//!   consecutive updates `this-k` has been the best; the smoothed k switches
//!   to `this-k` once that count reaches `:group-k-buffer` (4), and otherwise
//!   stays where it was. With no state yet, the smoothed k is `this-k`.
//! - `poller.clj` and `components/config.clj`: the math worker polls new votes
//!   every 1000 ms (`:poller :votes :polling-interval`); `conv_man.clj`
//!   (`go-act!`, `take-all!`) runs **one** `conv-update` over every vote
//!   queued since the last one. So an update never splits a poll window, and
//!   while an update is computing, newly polled votes wait and join the next.
//! - `conv_man.clj` `restructure-json-conv` (loading a conversation after a
//!   restart) does not keep the smoother's state, and the math export writes
//!   only the groups; so the state Pol.is ended with is not in any export.
//!
//! [`crate::analyze`] implements one such update (the smoother is
//! [`crate::KSmoother`], carried in [`crate::WarmStart`]); this module decides
//! which updates to run.
//!
//! # The replay rule
//!
//! With `votes.csv` (every vote with its millisecond timestamp), [`replay`]
//! sorts the votes by time and runs warm-started updates at these steps:
//!
//! 1. votes are cut only between poll windows (`timestamp / 1000 ms`), never
//!    inside one, as Pol.is's poller cuts them;
//! 2. an update runs at the end of the first window where the votes seen so
//!    far reach the next rung of a geometric ladder — rungs at
//!    [`UpdateRule::first`] votes and then each `1 + growth` times the last
//!    update's count — and always after the last vote.
//!
//! Pol.is itself updates after every poll window with votes while its
//! updates are quicker than a second, and in batches that grow with the
//! conversation once an update takes longer than the poll interval (an
//! update's cost grows with the votes, and `take-all!` then takes everything
//! that queued meanwhile). The ladder is that second regime applied
//! throughout: a coarsening, chosen so that the replay costs a small multiple
//! of one update (the sizes form a geometric series, so the total is about
//! `(1 + growth) / growth` updates of the final size). It is one rule for
//! every conversation, not tuned per conversation. The smoother's buffer
//! (4 consecutive updates) is kept, so with the default growth a new k must
//! stay the best while the conversation grows by about half again — a
//! stricter hold than Pol.is's on a quiet conversation, the same on a busy one.
//!
//! Moderation is applied as it stands in the export at every step (exports
//! carry no moderation times).
//!
//! [`UpdateRule::every_poll`] is Pol.is's cadence itself (an update per poll
//! window with votes, from the first vote). It is the reference the ladder
//! approximates, and the ladder is not a close one: warm-started k-means
//! follows whichever local optimum the path of updates leads it to, so the
//! final groups depend on the cadence. On canadian-electoral-reform the
//! ladder ends with groups of 190 and 97 (adjusted Rand index −0.03 to the
//! groups Pol.is exported, 265 and 16), every poll window with 268 and 19
//! (ARI 0.90); growths of 0.2, 0.1, 0.05 and 0.02 end with 4, 3, 2 and 4
//! groups. Every-poll replays cost one update per window (11,696 there).
//! So the groups a replay reports are the least-inertia clustering, at the
//! smoothed k, among the ladder's and a few k-means++ restarts
//! ([`Params::replay_restarts`]): on canadian-electoral-reform 270 and 17
//! (ARI 0.96). The smoother, and so k, still follows the ladder's path.
//!
//! # Who is in the conversation, and why a replay counts more
//!
//! Pol.is's `:in-conv` (`conversation.clj`) is sticky: a participant is in
//! once they have voted on `min(7, statements with votes)` statements (votes
//! on moderated-out statements count: it counts the raw matrix), or were
//! among the 15 most active while fewer than 15 qualified (`greedy-n`), and
//! stays in. A replay starts with a handful of votes, so its early updates
//! let in people with fewer than 7 votes who then stay: on
//! canadian-electoral-reform the replay ends with 287 in, the final matrix
//! alone gives 281 — the 6 are participants with fewer than 7 votes let in
//! while the conversation had fewer than 7 statements or fewer than 15
//! qualified voters. The votes are not the difference: on all seven exports
//! with `votes.csv`, its last vote per (participant, statement) equals
//! `participants-votes.csv` cell for cell. Pol.is's exported groups cover
//! exactly the 281 there (and on seattle, london and both austria exports:
//! a math state without that early history, as after a full recompute,
//! `conv_man.clj` `load-or-init` with no stored state), but more than the
//! final-matrix rule on others (brexit +8, ubi +60, taxes +2, vtaiwan +1,
//! bowling-green +2: people let in earlier and kept). Which history an
//! export's groups came from is not in the export.
//!
//! With only the final matrix (`participants-votes.csv`: no timestamps),
//! there is one update and no smoother state, so the rule is Pol.is's first
//! update (or its first after a restart): the single best silhouette,
//! [`KRule::SingleSilhouette`].

use serde::{Deserialize, Serialize};

use crate::matrix::{VoteIndex, VoteMatrix, VoteRecord};
use crate::{analyze, group, place, Analysis, Params, Placed, WarmStart};

/// Pol.is's vote polling interval (`:poller :votes :polling-interval`).
pub const POLL_MS: i64 = 1000;

/// When the replay runs an update.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UpdateRule {
    /// Poll window in milliseconds: updates never split one.
    pub poll_ms: i64,
    /// Votes seen at the first update (the first window reaching it).
    pub first: usize,
    /// Each later update waits until the votes seen grow by this share.
    pub growth: f64,
}

impl UpdateRule {
    /// Pol.is's own cadence: an update after every poll window with votes,
    /// from the first vote on (`first` 1, `growth` 0). Faithful, and as many
    /// updates as windows: thousands on a small conversation.
    pub fn every_poll() -> UpdateRule {
        UpdateRule {
            poll_ms: POLL_MS,
            first: 1,
            growth: 0.0,
        }
    }
}

impl Default for UpdateRule {
    fn default() -> Self {
        UpdateRule {
            poll_ms: POLL_MS,
            first: 100,
            growth: 0.5,
        }
    }
}

/// How k was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KRule {
    /// Pol.is's group-k smoother over a replayed history of updates.
    Smoother,
    /// No history (one update): the best silhouette of the final matrix.
    SingleSilhouette,
}

/// One replayed update: votes seen, the best k by silhouette and the smoothed
/// k the groups used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub votes: usize,
    /// Timestamp of the last vote in the update.
    pub until: i64,
    pub best_k: usize,
    pub smoothed_k: usize,
}

/// The last update's analysis and the history that led to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Replay {
    pub analysis: Analysis,
    /// The vote matrix of every vote, which the last update analysed.
    pub matrix: VoteMatrix,
    pub rule: KRule,
    pub steps: Vec<Step>,
}

/// The prefix lengths (of `times`, sorted ascending) after which an update
/// runs. Empty for no votes; otherwise ends with `times.len()`.
pub fn update_points(times: &[i64], rule: &UpdateRule) -> Vec<usize> {
    let poll = rule.poll_ms.max(1);
    let growth = rule.growth.max(0.0);
    let mut out = Vec::new();
    let mut next = rule.first.max(1) as f64;
    let mut i = 0;
    while i < times.len() {
        // The end of this vote's poll window.
        let window = times[i].div_euclid(poll);
        let mut j = i + 1;
        while j < times.len() && times[j].div_euclid(poll) == window {
            j += 1;
        }
        if j == times.len() || j as f64 >= next {
            out.push(j);
            next = (j as f64 * (1.0 + growth)).max(j as f64 + 1.0);
        }
        i = j;
    }
    out
}

/// `votes` in the order of a stable sort by time. When the times span
/// less than 2^(64 - index bits) milliseconds, (time, index) packs into one
/// `u64` and an unstable sort of those gives the same order for a third of
/// the cost (a replay sorts every vote of the conversation once).
fn sorted_by_time(votes: &[VoteRecord]) -> Vec<VoteRecord> {
    let (Some(min), Some(max)) = (
        votes.iter().map(|v| v.time).min(),
        votes.iter().map(|v| v.time).max(),
    ) else {
        return Vec::new();
    };
    let index_bits = usize::BITS - votes.len().leading_zeros();
    let span = max.abs_diff(min);
    if index_bits >= 64 || span >> (64 - index_bits) != 0 {
        let mut sorted = votes.to_vec();
        sorted.sort_by_key(|v| v.time);
        return sorted;
    }
    let mut keys: Vec<u64> = votes
        .iter()
        .enumerate()
        .map(|(i, v)| (v.time.abs_diff(min) << index_bits) | i as u64)
        .collect();
    keys.sort_unstable();
    let mask = (1u64 << index_bits) - 1;
    keys.iter().map(|k| votes[(k & mask) as usize]).collect()
}

/// Replays `votes` (any order; stable-sorted by time here) in the update
/// steps of `rule`, each warm-started from the last, and returns the last
/// update. Votes that all share one poll window (as when they come from
/// `participants-votes.csv`, time 0) make a single update:
/// [`KRule::SingleSilhouette`].
pub fn replay(
    votes: &[VoteRecord],
    moderated_out: &[u64],
    params: &Params,
    rule: &UpdateRule,
) -> Replay {
    let sorted = sorted_by_time(votes);
    let times: Vec<i64> = sorted.iter().map(|v| v.time).collect();
    let points = update_points(&times, rule);
    let index = VoteIndex::new(&sorted);
    let n = points.len();
    // A history's path, not a single update, is what the restarts correct.
    let restarts = |i: usize| {
        if i + 1 == n && n > 1 {
            params.replay_restarts
        } else {
            0
        }
    };
    // The placing chain: each update's matrix and place, warm started from
    // the last update's place.
    let place_at = |end: usize, placed_warm: &mut Option<WarmStart>| {
        let m = index.matrix(end);
        let placed = place(&m, moderated_out, params, placed_warm.as_ref());
        *placed_warm = Some(placed.warm(&m));
        (m, placed)
    };
    let mut warm: Option<WarmStart> = None;
    let mut steps = Vec::with_capacity(n);
    let mut last = None;
    // Each update groups what it placed; only the last is read for more
    // than its warm start.
    let mut grouped = |i: usize, m: VoteMatrix, placed: Placed| {
        let a = group(&m, placed, params, warm.as_ref(), i + 1 == n, restarts(i));
        if let Some(s) = a.warm.k_smoother {
            steps.push(Step {
                votes: points[i],
                until: times[points[i] - 1],
                best_k: s.last_k,
                smoothed_k: s.smoothed_k,
            });
        }
        warm = Some(a.warm.clone());
        last = Some((a, m));
    };
    if params.threads > 1 && n > 1 {
        // Placing an update (the PCA) needs only the last update's
        // placing, and grouping it only the last grouping: the two chains
        // run side by side, update i + 1 placed while update i is grouped.
        // Each does what the sequential loop below does, in the same order,
        // so the result is the same bytes. The placing chain stays on this
        // thread: what it allocates (each update's matrix) is freed by the
        // grouping chain; allocated from a spawned thread's heap, those
        // pages went back to the kernel and were faulted in again at the
        // next update (a first replay of scoop-hivemind.taxes in a fresh
        // process, measured: 6.4 ms and 1,206 page faults with the chains
        // the other way round, 4.8 ms and about 1,020 this way).
        std::thread::scope(|scope| {
            let (send, receive) = std::sync::mpsc::sync_channel::<(usize, VoteMatrix, Placed)>(2);
            let grouping = scope.spawn(move || {
                for (i, m, placed) in receive {
                    grouped(i, m, placed);
                }
            });
            let mut placed_warm = None;
            for (i, &end) in points.iter().enumerate() {
                let (m, placed) = place_at(end, &mut placed_warm);
                if send.send((i, m, placed)).is_err() {
                    break;
                }
            }
            drop(send);
            grouping.join().expect("the grouping chain panicked");
        });
    } else {
        let mut placed_warm = None;
        for (i, &end) in points.iter().enumerate() {
            let (m, placed) = place_at(end, &mut placed_warm);
            grouped(i, m, placed);
        }
    }
    let (analysis, matrix) = last.unwrap_or_else(|| {
        let m = VoteMatrix::default();
        (analyze(&m, moderated_out, params, None), m)
    });
    let rule = if points.len() > 1 {
        KRule::Smoother
    } else {
        KRule::SingleSilhouette
    };
    Replay {
        analysis,
        matrix,
        rule,
        steps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn votes_are_sorted_as_a_stable_sort_by_time_would() {
        let vote = |participant, time| VoteRecord {
            participant,
            statement: 0,
            vote: 1,
            time,
        };
        let cases = [
            vec![],
            vec![vote(1, 5)],
            // Ties keep their order; negative times; the packed path.
            (0..300u64)
                .map(|i| vote(i, ((i * 7919) % 13) as i64 - 6))
                .collect::<Vec<_>>(),
            // A span too wide to pack: the fallback.
            vec![
                vote(1, i64::MAX),
                vote(2, i64::MIN),
                vote(3, 0),
                vote(4, i64::MIN),
            ],
        ];
        for votes in cases {
            let mut want = votes.clone();
            want.sort_by_key(|v| v.time);
            assert_eq!(sorted_by_time(&votes), want);
        }
    }

    #[test]
    fn updates_never_split_a_poll_window_and_follow_the_ladder() {
        let rule = UpdateRule {
            poll_ms: 1000,
            first: 3,
            growth: 1.0,
        };
        // Windows: [0,0] [1500] [2100,2200,2900] [5000] [9000 x4]
        let t = [0, 10, 1500, 2100, 2200, 2900, 5000, 9000, 9001, 9002, 9003];
        // 3 votes reached at the end of window 1; the next rung (6) at the
        // end of window 2; the next (12) never, so the last vote.
        assert_eq!(update_points(&t, &rule), vec![3, 6, 11]);
        let rule = UpdateRule {
            first: 2,
            growth: 0.0,
            ..rule
        };
        // Growth 0: every poll window from the second vote on.
        assert_eq!(update_points(&t, &rule), vec![2, 3, 6, 7, 11]);
    }

    #[test]
    fn intermediate_updates_skip_only_what_no_later_update_reads() {
        // Votes 10 ms apart over several seconds: a few dozen poll windows.
        let mut s = crate::synthetic::generate(&crate::synthetic::Spec {
            participants: 120,
            statements: 20,
            votes: 1_500,
            groups: 3,
            consensus_share: 0.2,
            seed: 3,
        });
        for v in &mut s.votes {
            v.time *= 10;
        }
        let params = Params {
            seed: 5,
            replay_restarts: 0,
            ..Params::default()
        };
        let rule = UpdateRule {
            first: 50,
            growth: 0.1,
            ..UpdateRule::default()
        };
        let got = replay(&s.votes, &[4], &params, &rule);
        // The same updates, each described in full.
        let points = update_points(&s.votes.iter().map(|v| v.time).collect::<Vec<_>>(), &rule);
        assert!(points.len() > 5, "{points:?}");
        let mut warm: Option<WarmStart> = None;
        let mut full = None;
        for &end in &points {
            let a = analyze(
                &VoteMatrix::from_votes(&s.votes[..end]),
                &[4],
                &params,
                warm.as_ref(),
            );
            warm = Some(a.warm.clone());
            full = Some(a);
        }
        let full = full.unwrap();
        assert_eq!(got.analysis, full);
        assert!(!full.consensus.agree.is_empty() || !full.repness.is_empty());
    }

    /// Weighted k-means inertia of the groups over the base-cluster centres.
    fn group_inertia(a: &Analysis) -> f64 {
        let base: std::collections::HashMap<usize, &crate::IdCluster> =
            a.base_clusters.iter().map(|b| (b.id, b)).collect();
        a.groups
            .iter()
            .flat_map(|g| g.base_clusters.iter().map(|b| (g.center, base[b])))
            .map(|(c, b)| {
                b.members.len() as f64
                    * ((b.center[0] - c[0]).powi(2) + (b.center[1] - c[1]).powi(2))
            })
            .sum()
    }

    #[test]
    fn reported_groups_are_never_worse_than_the_history_and_leave_it_untouched() {
        let mut improved = 0;
        for seed in 0..12 {
            let mut s = crate::synthetic::generate(&crate::synthetic::Spec {
                participants: 300,
                statements: 30,
                votes: 5_000,
                groups: 4,
                consensus_share: 0.1,
                seed,
            });
            for v in &mut s.votes {
                v.time *= 10;
            }
            let rule = UpdateRule {
                first: 200,
                ..UpdateRule::default()
            };
            let run = |replay_restarts| {
                let params = Params {
                    seed,
                    replay_restarts,
                    refine_participants: false,
                    ..Params::default()
                };
                replay(&s.votes, &[], &params, &rule)
            };
            let (history, reported) = (run(0), run(3));
            // The path, and so k and what the next update starts from, is the history's.
            assert_eq!(history.steps, reported.steps, "seed {seed}");
            assert_eq!(history.analysis.warm, reported.analysis.warm, "seed {seed}");
            assert_eq!(
                history.analysis.groups.len(),
                reported.analysis.groups.len()
            );
            let (h, r) = (
                group_inertia(&history.analysis),
                group_inertia(&reported.analysis),
            );
            assert!(r <= h * (1.0 + 1e-9), "seed {seed}: {r} > {h}");
            if r < h * (1.0 - 1e-9) {
                improved += 1;
            }
        }
        assert!(
            improved > 0,
            "no history ended in a worse optimum than a restart found"
        );
    }

    #[test]
    fn every_poll_is_an_update_per_window_from_the_first_vote() {
        let t = [0, 10, 1500, 2100, 2200, 2900, 5000];
        assert_eq!(
            update_points(&t, &UpdateRule::every_poll()),
            vec![2, 3, 6, 7]
        );
    }

    #[test]
    fn no_timestamps_mean_one_update() {
        assert_eq!(update_points(&[0; 50], &UpdateRule::default()), vec![50]);
        assert!(update_points(&[], &UpdateRule::default()).is_empty());
    }
}
