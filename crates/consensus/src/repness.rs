//! What each group stands for and what everyone shares: polis `repness.clj`
//! (`comment-stats`, `add-comparitive-stats`, `select-rep-comments`,
//! `consensus-stats`, `select-consensus-comments`), `stats.clj` (`prop-test`,
//! `two-prop-test`, `z-sig-90?`) and `conversation.clj`'s
//! `:group-aware-consensus`. Votes here are in the open-data sign (agree = +1);
//! polis stores agree as -1 internally and counts accordingly.

use serde::{Deserialize, Serialize};

use crate::matrix::VoteMatrix;

/// One-sided 90% critical value of the standard normal, Φ⁻¹(0.9). Polis
/// rounds it to 1.2816 (`z-sig-90?`); red-dwarf uses `norm.ppf(0.9)`, which is
/// this. A statistic built from vote counts almost never falls between the two.
pub const Z90: f64 = 1.281_551_565_544_600_4;

/// Vote counts of one statement within one set of participants.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Agrees.
    pub na: u32,
    /// Disagrees.
    pub nd: u32,
    /// Votes of any kind, passes included ("seen").
    pub ns: u32,
}

/// Counts per group and column: `labels[row]` is the row's group index (or
/// `None` to leave the row out). Result is `[group][column]`.
pub fn count_by_group(m: &VoteMatrix, labels: &[Option<usize>], groups: usize) -> Vec<Vec<Counts>> {
    let mut out = vec![vec![Counts::default(); m.n_cols()]; groups];
    for (r, label) in labels.iter().enumerate() {
        let Some(g) = *label else { continue };
        for (c, v) in m.row(r) {
            let cell = &mut out[g][c];
            cell.ns += 1;
            match v {
                1 => cell.na += 1,
                -1 => cell.nd += 1,
                _ => {}
            }
        }
    }
    out
}

/// Laplace-smoothed probability `(1 + n) / (2 + of)`.
pub fn prob(n: u32, of: u32) -> f64 {
    (1.0 + n as f64) / (2.0 + of as f64)
}

/// Polis `prop-test`: `2 √(n+1) ((succ+1)/(n+1) − ½)`.
pub fn prop_test(succ: u32, n: u32) -> f64 {
    let (s, n) = (succ as f64 + 1.0, n as f64 + 1.0);
    2.0 * n.sqrt() * (s / n - 0.5)
}

/// Polis `two-prop-test` with +1 smoothing on all four counts; 0 when the
/// pooled proportion is 1.
pub fn two_prop_test(succ_in: u32, succ_out: u32, pop_in: u32, pop_out: u32) -> f64 {
    let [s1, s2, n1, n2] = [succ_in, succ_out, pop_in, pop_out].map(|x| x as f64 + 1.0);
    let (pi1, pi2) = (s1 / n1, s2 / n2);
    let pi_hat = (s1 + s2) / (n1 + n2);
    if pi_hat == 1.0 {
        return 0.0;
    }
    (pi1 - pi2) / (pi_hat * (1.0 - pi_hat) * (1.0 / n1 + 1.0 / n2)).sqrt()
}

/// Polis's per-group statistics of one statement (`comment-stats` plus
/// `add-comparitive-stats`): p = probability, r = representativeness (ratio
/// to the other groups), t = test statistic, a/d = agree/disagree.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupStats {
    pub na: u32,
    pub nd: u32,
    pub ns: u32,
    pub pa: f64,
    pub pd: f64,
    pub pat: f64,
    pub pdt: f64,
    pub ra: f64,
    pub rd: f64,
    pub rat: f64,
    pub rdt: f64,
}

impl GroupStats {
    /// `inside` is the group's counts, `rest` the sum over the other groups.
    pub fn new(inside: Counts, rest: Counts) -> GroupStats {
        let pa = prob(inside.na, inside.ns);
        let pd = prob(inside.nd, inside.ns);
        GroupStats {
            na: inside.na,
            nd: inside.nd,
            ns: inside.ns,
            pa,
            pd,
            pat: prop_test(inside.na, inside.ns),
            pdt: prop_test(inside.nd, inside.ns),
            ra: pa / prob(rest.na, rest.ns),
            rd: pd / prob(rest.nd, rest.ns),
            rat: two_prop_test(inside.na, rest.na, inside.ns, rest.ns),
            rdt: two_prop_test(inside.nd, rest.nd, inside.ns, rest.ns),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Agree,
    Disagree,
}

/// A representative statement of a group (polis `finalize-cmt-stats`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepStatement {
    pub statement: u64,
    pub repful_for: Direction,
    pub n_success: u32,
    pub n_trials: u32,
    pub p_success: f64,
    pub p_test: f64,
    pub repness: f64,
    pub repness_test: f64,
    /// Put first as the group's best agreed statement (polis `:best-agree`).
    pub best_agree: bool,
}

impl RepStatement {
    fn finalize(statement: u64, s: &GroupStats) -> RepStatement {
        let agree = s.rat > s.rdt;
        RepStatement {
            statement,
            repful_for: if agree {
                Direction::Agree
            } else {
                Direction::Disagree
            },
            n_success: if agree { s.na } else { s.nd },
            n_trials: s.ns,
            p_success: if agree { s.pa } else { s.pd },
            p_test: if agree { s.pat } else { s.pdt },
            repness: if agree { s.ra } else { s.rd },
            repness_test: if agree { s.rat } else { s.rdt },
            best_agree: false,
        }
    }

    /// Polis `repness-metric`.
    fn metric(&self) -> f64 {
        self.repness * self.repness_test * self.p_success * self.p_test
    }
}

/// Polis `passes-by-test?`: significant both in-group and against the rest,
/// for agreement or for disagreement.
fn passes(s: &GroupStats) -> bool {
    (s.rat > Z90 && s.pat > Z90) || (s.rdt > Z90 && s.pdt > Z90)
}

/// Polis `beats-best-agr?`.
fn beats_best_agree(s: &GroupStats, best: Option<&GroupStats>) -> bool {
    if s.na == 0 && s.nd == 0 {
        return false;
    }
    match best {
        Some(b) if b.ra > 1.0 => s.ra * s.rat * s.pa * s.pat > b.ra * b.rat * b.pa * b.pat,
        Some(b) => s.pa * s.pat > b.pa * b.pat,
        None => s.pat > Z90 || (s.ra > 1.0 && s.pa > 0.5),
    }
}

/// Polis `select-rep-comments` for one group. `stats` holds
/// (statement id, stats) in column order, moderated-out statements removed.
/// Statements significant for the group (the 90% rule of [`passes`]) are
/// sorted by `ra·rat·pa·pat`, the best agreed statement goes first, the top
/// `pick_max` are kept, agrees before disagrees. With none significant, the
/// single best (agreed if any) stands alone, so every group says something.
pub fn select_rep(stats: &[(u64, GroupStats)], pick_max: usize) -> Vec<RepStatement> {
    let mut sufficient = Vec::new();
    let mut best: Option<(u64, &GroupStats)> = None;
    let mut best_agree: Option<(u64, &GroupStats)> = None;
    for (tid, s) in stats {
        if passes(s) {
            sufficient.push(RepStatement::finalize(*tid, s));
        }
        if sufficient.is_empty() && best.is_none_or(|(_, b)| s.rat.max(s.rdt) > b.rat.max(b.rdt)) {
            best = Some((*tid, s));
        }
        if beats_best_agree(s, best_agree.map(|(_, b)| b)) {
            best_agree = Some((*tid, s));
        }
    }
    let best_agree = best_agree.map(|(tid, s)| RepStatement {
        best_agree: true,
        ..RepStatement::finalize(tid, s)
    });
    if sufficient.is_empty() {
        return match (best_agree, best) {
            (Some(a), _) => vec![a],
            (None, Some((tid, s))) => vec![RepStatement::finalize(tid, s)],
            (None, None) => Vec::new(),
        };
    }
    if let Some(a) = &best_agree {
        sufficient.retain(|r| r.statement != a.statement);
    }
    // Stable sort: equal metrics keep statement order.
    sufficient.sort_by(|a, b| b.metric().total_cmp(&a.metric()));
    let mut picked: Vec<RepStatement> = best_agree.into_iter().chain(sufficient).collect();
    picked.truncate(pick_max);
    // agrees-before-disagrees (stable)
    picked.sort_by_key(|r| r.repful_for == Direction::Disagree);
    picked
}

/// A consensus statement (polis `select-consensus-comments` `format-stat`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsensusStatement {
    pub statement: u64,
    pub n_success: u32,
    pub n_trials: u32,
    pub p_success: f64,
    pub p_test: f64,
}

/// Overall consensus, over every participant regardless of group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Consensus {
    pub agree: Vec<ConsensusStatement>,
    pub disagree: Vec<ConsensusStatement>,
}

/// Polis `select-consensus-comments` (red-dwarf `select_consensus_statements`):
/// statements with `pa > ½` and `pat` significant at 90%, best `pa·pat` first,
/// top `pick_max`; the same for disagreement. `counts` are over everyone, in
/// column order with statement ids `tids`; `excluded[c]` removes a column.
pub fn select_consensus(
    tids: &[u64],
    counts: &[Counts],
    excluded: &[bool],
    pick_max: usize,
) -> Consensus {
    let side = |agree: bool| {
        let mut cands: Vec<(f64, ConsensusStatement)> = counts
            .iter()
            .enumerate()
            .filter(|(c, _)| !excluded[*c])
            .filter_map(|(c, k)| {
                let n = if agree { k.na } else { k.nd };
                let (p, t) = (prob(n, k.ns), prop_test(n, k.ns));
                (p > 0.5 && t > Z90).then(|| {
                    (
                        p * t,
                        ConsensusStatement {
                            statement: tids[c],
                            n_success: n,
                            n_trials: k.ns,
                            p_success: p,
                            p_test: t,
                        },
                    )
                })
            })
            .collect();
        cands.sort_by(|a, b| b.0.total_cmp(&a.0));
        cands.truncate(pick_max);
        cands.into_iter().map(|(_, s)| s).collect::<Vec<_>>()
    };
    Consensus {
        agree: side(true),
        disagree: side(false),
    }
}

/// Group-informed consensus of one statement: polis
/// `:group-aware-consensus`, `Π_g (A_g + 1) / (S_g + 2)` over the groups
/// (and the same with disagrees). Always in (0, 1).
pub fn group_aware(per_group: impl Iterator<Item = Counts>) -> (f64, f64) {
    per_group.fold((1.0, 1.0), |(a, d), k| {
        (a * prob(k.na, k.ns), d * prob(k.nd, k.ns))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tests_match_hand_computation() {
        // prop-test(3, 4): 2·√5·(4/5 − ½) = 0.6·√5
        assert!((prop_test(3, 4) - 0.6 * 5f64.sqrt()).abs() < 1e-12);
        // two-prop-test(3, 1, 4, 4): pi1 = 4/5, pi2 = 2/5, pi_hat = 6/10.
        let expect = (0.8 - 0.4) / (0.6f64 * 0.4 * (0.2 + 0.2)).sqrt();
        assert!((two_prop_test(3, 1, 4, 4) - expect).abs() < 1e-12);
        // Equal proportions in and out: no difference.
        assert_eq!(two_prop_test(2, 2, 4, 4), 0.0);
        assert_eq!(prob(0, 0), 0.5);
    }

    #[test]
    fn pooled_proportion_of_one_tests_zero() {
        // succ = pop on both sides: after +1 smoothing pi_hat = 1.
        assert_eq!(two_prop_test(5, 3, 5, 3), 0.0);
    }

    #[test]
    fn consensus_filters_and_orders_by_pa_times_pat() {
        let tids = [10, 11, 12, 13];
        let counts = [
            Counts {
                na: 9,
                nd: 0,
                ns: 10,
            }, // strong agree
            Counts {
                na: 6,
                nd: 1,
                ns: 10,
            }, // weaker agree
            Counts {
                na: 0,
                nd: 10,
                ns: 10,
            }, // strong disagree
            Counts {
                na: 1,
                nd: 1,
                ns: 10,
            }, // passes mostly: nothing
        ];
        let c = select_consensus(&tids, &counts, &[false; 4], 5);
        let agree: Vec<u64> = c.agree.iter().map(|s| s.statement).collect();
        // 11: pa = 7/12 > ½, pat = 2√11 (7/11 − ½) = 0.905 < Z90: dropped.
        assert_eq!(agree, vec![10]);
        assert_eq!(
            c.disagree.iter().map(|s| s.statement).collect::<Vec<_>>(),
            vec![12]
        );
        assert!((c.agree[0].p_success - 10.0 / 12.0).abs() < 1e-12);
        // Excluding a column removes it.
        let c = select_consensus(&tids, &counts, &[true, false, false, false], 5);
        assert!(c.agree.is_empty());
        // pick_max bounds the list.
        let many = vec![
            Counts {
                na: 9,
                nd: 0,
                ns: 9
            };
            8
        ];
        let tids: Vec<u64> = (0..8).collect();
        assert_eq!(
            select_consensus(&tids, &many, &[false; 8], 5).agree.len(),
            5
        );
    }

    #[test]
    fn representative_statements_follow_the_polis_rules() {
        let g = |inside: Counts, rest: Counts| GroupStats::new(inside, rest);
        let stats = vec![
            // 1: the group agrees, the rest disagrees: representative agree.
            (
                1,
                g(
                    Counts {
                        na: 9,
                        nd: 0,
                        ns: 10,
                    },
                    Counts {
                        na: 1,
                        nd: 9,
                        ns: 10,
                    },
                ),
            ),
            // 2: the group disagrees, the rest agrees: representative disagree.
            (
                2,
                g(
                    Counts {
                        na: 0,
                        nd: 9,
                        ns: 10,
                    },
                    Counts {
                        na: 9,
                        nd: 0,
                        ns: 10,
                    },
                ),
            ),
            // 3: everyone agrees: not representative (rat ≈ 0).
            (
                3,
                g(
                    Counts {
                        na: 9,
                        nd: 0,
                        ns: 10,
                    },
                    Counts {
                        na: 9,
                        nd: 0,
                        ns: 10,
                    },
                ),
            ),
        ];
        let rep = select_rep(&stats, 5);
        let ids: Vec<(u64, Direction, bool)> = rep
            .iter()
            .map(|r| (r.statement, r.repful_for, r.best_agree))
            .collect();
        assert_eq!(
            ids,
            vec![(1, Direction::Agree, true), (2, Direction::Disagree, false)]
        );
        // With nothing significant, the single best statement stands alone.
        let weak = vec![(
            7,
            g(
                Counts {
                    na: 1,
                    nd: 1,
                    ns: 3,
                },
                Counts {
                    na: 1,
                    nd: 1,
                    ns: 3,
                },
            ),
        )];
        let rep = select_rep(&weak, 5);
        assert_eq!(rep.len(), 1);
        assert_eq!(rep[0].statement, 7);
        assert!(select_rep(&[], 5).is_empty());
    }

    #[test]
    fn group_aware_consensus_multiplies_smoothed_agreement() {
        let (a, d) = group_aware(
            [
                Counts {
                    na: 3,
                    nd: 1,
                    ns: 4,
                },
                Counts {
                    na: 0,
                    nd: 2,
                    ns: 2,
                },
            ]
            .into_iter(),
        );
        assert!((a - (4.0 / 6.0) * (1.0 / 4.0)).abs() < 1e-12);
        assert!((d - (2.0 / 6.0) * (3.0 / 4.0)).abs() < 1e-12);
    }

    #[test]
    fn counting_by_group_skips_unlabelled_rows() {
        let votes: Vec<crate::VoteRecord> = [(0, 0, 1), (0, 1, -1), (1, 0, 0), (2, 0, 1)]
            .iter()
            .map(|&(p, s, v)| crate::VoteRecord {
                participant: p,
                statement: s,
                vote: v,
                time: 0,
            })
            .collect();
        let m = VoteMatrix::from_votes(&votes);
        let c = count_by_group(&m, &[Some(0), Some(0), None], 1);
        assert_eq!(
            c[0][0],
            Counts {
                na: 1,
                nd: 0,
                ns: 2
            }
        );
        assert_eq!(
            c[0][1],
            Counts {
                na: 0,
                nd: 1,
                ns: 1
            }
        );
    }
}
