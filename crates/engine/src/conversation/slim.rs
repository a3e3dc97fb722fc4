//! The slim stored form of a result (issue 20): the results views read a
//! row per statement, a row per group and the map's drawn dots (plus the
//! viewer's own), instead of parsing the whole result, whose size grows with
//! every participant (map points, group memberships). The whole result is
//! still stored beside it for the next run (warm start, group letters, the
//! input digest) and for the organizers' burst flags.

use chrono::{DateTime, Utc};
use cohort_store::{
    BridgeCells, Id, RepCells, ResultGroupRow, ResultPointRow, ResultStatementRow, ResultView,
    TallyCells, Tx,
};

use super::results::{
    load_result, BridgeResult, ConversationResult, GroupResult, MapPoint, RepResult,
    StatementPoint, StatementTally, Tally,
};
use crate::Result;

/// Most dots a map draws (the viewer's own comes on top of these).
pub const DRAWN: usize = 1_999;

fn cells(t: &Tally) -> TallyCells {
    TallyCells {
        agree: i64::from(t.agree),
        disagree: i64::from(t.disagree),
        seen: i64::from(t.seen),
    }
}

fn tally(t: &TallyCells) -> Tally {
    let n = |x: i64| u32::try_from(x).unwrap_or(0);
    Tally {
        agree: n(t.agree),
        disagree: n(t.disagree),
        seen: n(t.seen),
    }
}

/// The slim form of `r`: one row per statement with a tally, the groups'
/// sizes and representative statements, every participant's dot with an
/// even sample of at most [`DRAWN`] marked drawn.
pub(super) fn to_view(r: &ConversationResult) -> ResultView {
    let rank = |list: &[Id], s: Id| list.iter().position(|x| *x == s).map(|i| i as i64);
    let statements = r
        .tallies
        .iter()
        .map(|t| {
            let s = t.statement;
            ResultStatementRow {
                statement_id: s,
                overall: cells(&t.overall),
                groups: t.groups.iter().map(cells).collect(),
                group_consensus: r
                    .group_consensus
                    .iter()
                    .position(|(x, _)| *x == s)
                    .map(|i| (r.group_consensus[i].1, i as i64)),
                agree_rank: rank(&r.consensus_agree, s),
                disagree_rank: rank(&r.consensus_disagree, s),
                bridge: r.bridge(s).map(|b| BridgeCells {
                    votes: b.votes as i64,
                    across: b.across,
                    low: b.low,
                    high: b.high,
                    bridges: b.bridges,
                }),
                point: r
                    .statement_points
                    .iter()
                    .find(|p| p.statement == s)
                    .map(|p| (p.x, p.y)),
            }
        })
        .collect();
    let step = r.points.len().div_ceil(DRAWN).max(1);
    ResultView {
        changes: 0,
        stamp: None,
        participants: r.participants as i64,
        in_conversation: r.in_conversation as i64,
        statements,
        groups: r
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| ResultGroupRow {
                index: i as i64,
                group_id: g.id as i64,
                size: g.size as i64,
                repness: g
                    .repness
                    .iter()
                    .map(|x| RepCells {
                        statement_id: x.statement,
                        agree: x.agree,
                        n_success: i64::from(x.n_success),
                        n_trials: i64::from(x.n_trials),
                    })
                    .collect(),
            })
            .collect(),
        points: r
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| ResultPointRow {
                participant: p.participant,
                x: p.x,
                y: p.y,
                group: p.group.map(|g| g as i64),
                drawn: i % step == 0,
            })
            .collect(),
    }
}

/// A result for the views from its slim form: the group memberships are
/// left out (their sizes are kept), and the points are the drawn ones and
/// the viewer's.
pub(super) fn from_view(v: ResultView) -> ConversationResult {
    let ordered = |rank: &dyn Fn(&ResultStatementRow) -> Option<i64>| -> Vec<Id> {
        let mut xs: Vec<(i64, Id)> = v
            .statements
            .iter()
            .filter_map(|s| Some((rank(s)?, s.statement_id)))
            .collect();
        xs.sort_unstable();
        xs.into_iter().map(|(_, s)| s).collect()
    };
    let mut group_consensus: Vec<(i64, Id, f64)> = v
        .statements
        .iter()
        .filter_map(|s| s.group_consensus.map(|(g, i)| (i, s.statement_id, g)))
        .collect();
    group_consensus.sort_by_key(|x| x.0);
    let mut bridging: Vec<BridgeResult> = v
        .statements
        .iter()
        .filter_map(|s| {
            let b = s.bridge?;
            Some(BridgeResult {
                statement: s.statement_id,
                votes: usize::try_from(b.votes).unwrap_or(0),
                across: b.across,
                low: b.low,
                high: b.high,
                bridges: b.bridges,
            })
        })
        .collect();
    bridging.sort_by(|a, b| b.low.total_cmp(&a.low).then(a.statement.cmp(&b.statement)));
    ConversationResult {
        participants: v.participants as usize,
        in_conversation: v.in_conversation as usize,
        points: v
            .points
            .iter()
            .map(|p| MapPoint {
                participant: p.participant,
                x: p.x,
                y: p.y,
                group: p.group.map(|g| g as usize),
            })
            .collect(),
        statement_points: v
            .statements
            .iter()
            .filter_map(|s| {
                s.point.map(|(x, y)| StatementPoint {
                    statement: s.statement_id,
                    x,
                    y,
                })
            })
            .collect(),
        groups: v
            .groups
            .iter()
            .map(|g| GroupResult {
                id: g.group_id as usize,
                participants: Vec::new(),
                size: g.size as usize,
                repness: g
                    .repness
                    .iter()
                    .map(|x| RepResult {
                        statement: x.statement_id,
                        agree: x.agree,
                        n_success: u32::try_from(x.n_success).unwrap_or(0),
                        n_trials: u32::try_from(x.n_trials).unwrap_or(0),
                    })
                    .collect(),
            })
            .collect(),
        consensus_agree: ordered(&|s| s.agree_rank),
        consensus_disagree: ordered(&|s| s.disagree_rank),
        group_consensus: group_consensus
            .into_iter()
            .map(|(_, s, g)| (s, g))
            .collect(),
        tallies: v
            .statements
            .iter()
            .map(|s| StatementTally {
                statement: s.statement_id,
                overall: tally(&s.overall),
                groups: s.groups.iter().map(tally).collect(),
            })
            .collect(),
        bridging,
        input: String::new(),
        bursts: Vec::new(),
    }
}

/// The latest result as a view shows it.
pub(super) struct Shown {
    /// The change count it was computed at.
    pub changes: i64,
    pub votes: i64,
    pub computed_at: DateTime<Utc>,
    pub result: ConversationResult,
}

/// What a view shows: the conversation's change count and the latest
/// result, read from the slim form (or, for a result stored before it
/// existed, from the full one).
pub(super) async fn load_view(
    tx: &mut dyn Tx,
    slate_id: Id,
    you: Option<Id>,
) -> Result<(i64, Option<Shown>)> {
    if let Some(mut v) = tx.result_view(slate_id, you).await? {
        let changes = v.changes;
        if let Some((c, votes, computed_at)) = v.stamp.take() {
            return Ok((
                changes,
                Some(Shown {
                    changes: c,
                    votes,
                    computed_at,
                    result: from_view(v),
                }),
            ));
        }
    }
    let (changes, result) = load_result(tx, slate_id).await?;
    Ok((
        changes,
        result.map(|(st, r)| Shown {
            changes: st.changes,
            votes: st.votes,
            computed_at: st.computed_at,
            result: ConversationResult {
                bursts: Vec::new(),
                ..r
            },
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::ConversationInput;

    #[test]
    fn the_slim_form_gives_back_what_the_views_show() {
        for seed in 0..6 {
            let votes = cohort_consensus::synthetic::generate(&cohort_consensus::synthetic::Spec {
                participants: 60,
                statements: 12,
                votes: 600,
                groups: 3,
                consensus_share: 0.3,
                seed,
            })
            .votes;
            let full = ConversationInput {
                slate_id: 1,
                changes: 1,
                votes,
                moderated_out: vec![3],
                warm: None,
                previous: None,
                downweighted: Vec::new(),
            }
            .analyze()
            .result;
            let back = from_view(to_view(&full));
            let expected = ConversationResult {
                groups: full
                    .groups
                    .iter()
                    .map(|g| GroupResult {
                        participants: Vec::new(),
                        ..g.clone()
                    })
                    .collect(),
                input: String::new(),
                bursts: Vec::new(),
                ..full.clone()
            };
            assert!(!full.tallies.is_empty() && !full.bridging.is_empty());
            assert_eq!(back, expected, "seed {seed}");
        }
    }

    #[test]
    fn at_most_drawn_dots_are_marked_drawn_evenly() {
        let r = ConversationResult {
            points: (0..10_000)
                .map(|i| MapPoint {
                    participant: i,
                    x: 0.0,
                    y: 0.0,
                    group: None,
                })
                .collect(),
            ..from_view(ResultView::default())
        };
        let v = to_view(&r);
        let drawn = v.points.iter().filter(|p| p.drawn).count();
        assert!(drawn <= DRAWN && drawn > DRAWN / 2, "{drawn}");
        assert_eq!(v.points.len(), 10_000, "everyone keeps a row");
    }
}
