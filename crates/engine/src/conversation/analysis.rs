//! One run of the analysis, in three steps so the caller can keep the CPU
//! work off its request threads and out of every write transaction: load
//! (a read transaction), analyze (pure), store (one short write).

use std::collections::{HashMap, HashSet};

use cohort_consensus::bridging::{bridging, BridgingParams};
use cohort_consensus::{analyze, repness, Params, VoteMatrix, VoteRecord, WarmStart};
use cohort_store::{Id, SlateRow, StatementStatus, StoredResult, Tx};

use super::results::{
    BridgeResult, ConversationResult, GroupResult, MapPoint, RepResult, StatementPoint,
    StatementTally, Tally,
};
use crate::slates::find_slate;
use crate::{Engine, EngineError, Result};

/// Everything one run of the analysis needs, loaded in one read transaction.
#[derive(Clone, Debug)]
pub struct ConversationInput {
    pub slate_id: Id,
    /// The change count these votes stand at.
    pub changes: i64,
    pub votes: Vec<VoteRecord>,
    /// Rejected statements: zeroed in the matrix.
    pub moderated_out: Vec<u64>,
    pub warm: Option<WarmStart>,
}

/// A computed result, ready to store.
#[derive(Clone, Debug)]
pub struct ConversationOutput {
    pub slate_id: Id,
    pub changes: i64,
    pub votes: i64,
    pub result: ConversationResult,
    pub warm: WarmStart,
}

/// The parameters every run uses: Pol.is's defaults with a fixed seed, so the
/// same votes give the same map.
pub fn params() -> Params {
    Params::default()
}

fn finite(x: f64) -> f64 {
    if x.is_finite() {
        x
    } else {
        0.0
    }
}

impl ConversationInput {
    /// The Pol.is analysis (CPU only; no IO).
    pub fn analyze(self) -> ConversationOutput {
        let m = VoteMatrix::from_votes(&self.votes);
        let a = analyze(&m, &self.moderated_out, &params(), self.warm.as_ref());
        let group_of: HashMap<u64, usize> = a
            .groups
            .iter()
            .enumerate()
            .flat_map(|(gi, g)| g.participants.iter().map(move |p| (*p, gi)))
            .collect();
        let labels: Vec<Option<usize>> = m
            .participants()
            .iter()
            .map(|p| group_of.get(p).copied())
            .collect();
        let per_group = repness::count_by_group(&m, &labels, a.groups.len());
        let everyone = repness::count_by_group(&m, &vec![Some(0); m.n_rows()], 1);
        let tally = |c: repness::Counts| Tally {
            agree: c.na,
            disagree: c.nd,
            seen: c.ns,
        };
        let inside: HashSet<u64> = a.in_conversation.iter().copied().collect();
        let mut bridges: Vec<BridgeResult> =
            bridging(&m, &self.moderated_out, &BridgingParams::default())
                .statements
                .into_iter()
                .map(|b| BridgeResult {
                    statement: b.statement as Id,
                    votes: b.votes,
                    across: finite(b.across),
                    low: finite(b.low),
                    high: finite(b.high),
                    bridges: b.bridges,
                })
                .collect();
        bridges.sort_by(|a, b| b.low.total_cmp(&a.low).then(a.statement.cmp(&b.statement)));
        let result = ConversationResult {
            participants: a.participants,
            in_conversation: a.in_conversation.len(),
            points: a
                .projections
                .iter()
                .filter(|p| inside.contains(&p.participant))
                .map(|p| MapPoint {
                    participant: p.participant as Id,
                    x: finite(p.x),
                    y: finite(p.y),
                    group: group_of.get(&p.participant).copied(),
                })
                .collect(),
            statement_points: a
                .statements
                .iter()
                .zip(&a.statement_projections)
                .filter(|(s, _)| !self.moderated_out.contains(s))
                .map(|(s, p)| StatementPoint {
                    statement: *s as Id,
                    x: finite(p[0]),
                    y: finite(p[1]),
                })
                .collect(),
            groups: a
                .groups
                .iter()
                .map(|g| GroupResult {
                    id: g.id,
                    participants: g.participants.iter().map(|p| *p as Id).collect(),
                    repness: a
                        .repness
                        .get(&g.id)
                        .map(|rs| {
                            rs.iter()
                                .map(|r| RepResult {
                                    statement: r.statement as Id,
                                    agree: r.repful_for == repness::Direction::Agree,
                                    n_success: r.n_success,
                                    n_trials: r.n_trials,
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect(),
            consensus_agree: a
                .consensus
                .agree
                .iter()
                .map(|c| c.statement as Id)
                .collect(),
            consensus_disagree: a
                .consensus
                .disagree
                .iter()
                .map(|c| c.statement as Id)
                .collect(),
            group_consensus: a
                .group_consensus
                .iter()
                .map(|g| (g.statement as Id, finite(g.agree)))
                .collect(),
            tallies: m
                .statements()
                .iter()
                .enumerate()
                .map(|(c, s)| StatementTally {
                    statement: *s as Id,
                    overall: tally(everyone[0][c]),
                    groups: per_group.iter().map(|g| tally(g[c])).collect(),
                })
                .collect(),
            bridging: bridges,
        };
        ConversationOutput {
            slate_id: self.slate_id,
            changes: self.changes,
            votes: m.n_votes() as i64,
            result,
            warm: a.warm,
        }
    }
}

impl Engine {
    /// Step 1 of a recompute: the votes in one read transaction, or `None`
    /// when the stored result already covers every change.
    pub async fn load_conversation(&self, slate: &str) -> Result<Option<ConversationInput>> {
        let mut tx = self.store.read().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        load_input(tx.as_mut(), &s).await
    }

    /// Step 3 of a recompute: store the result in one short write; false if
    /// a result covering as many changes was stored meanwhile.
    pub async fn store_conversation(&self, out: &ConversationOutput) -> Result<bool> {
        let stored = StoredResult {
            changes: out.changes,
            votes: out.votes,
            computed_at: self.now(),
            result: serde_json::to_string(&out.result)
                .map_err(|e| EngineError::invalid("result", e.to_string()))?,
            warm: serde_json::to_string(&out.warm).unwrap_or_default(),
        };
        let mut tx = self.store.write().await?;
        let saved = tx.save_conversation_result(out.slate_id, &stored).await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Recompute a slate's results if votes changed since the stored ones
    /// (load, analyze outside any transaction, store). True if it stored.
    pub async fn recompute_conversation(&self, slate: &str) -> Result<bool> {
        match self.load_conversation(slate).await? {
            Some(input) => self.store_conversation(&input.analyze()).await,
            None => Ok(false),
        }
    }

    /// Slugs of the slates whose conversation changed since its stored result.
    pub async fn stale_conversations(&self) -> Result<Vec<String>> {
        let mut tx = self.store.read().await?;
        let mut out = Vec::new();
        for id in tx.stale_conversations().await? {
            if let Some(s) = tx.slate(id).await? {
                out.push(s.slug.to_string());
            }
        }
        Ok(out)
    }
}

async fn load_input(tx: &mut dyn Tx, s: &SlateRow) -> Result<Option<ConversationInput>> {
    let state = tx.conversation_state(s.id).await?;
    if state
        .result
        .as_ref()
        .is_some_and(|r| r.changes >= state.changes)
    {
        return Ok(None);
    }
    let statements = tx.statements(s.id, None).await?;
    let moderated_out: Vec<u64> = statements
        .iter()
        .filter(|x| x.status == StatementStatus::Rejected)
        .map(|x| x.id as u64)
        .collect();
    let votes = tx
        .conversation_votes(s.id)
        .await?
        .iter()
        .map(|v| VoteRecord {
            participant: v.user_id as u64,
            statement: v.statement_id as u64,
            vote: v.vote.clamp(-1, 1) as i8,
            time: v.at.timestamp_micros(),
        })
        .collect();
    // A warm start that no longer parses (or none) means a cold run.
    let warm = state
        .result
        .as_ref()
        .and_then(|r| serde_json::from_str::<WarmStart>(&r.warm).ok());
    Ok(Some(ConversationInput {
        slate_id: s.id,
        changes: state.changes,
        votes,
        moderated_out,
        warm,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiny_conversations_analyze_without_trouble() {
        for votes in [
            Vec::new(),
            vec![VoteRecord {
                participant: 1,
                statement: 1,
                vote: 1,
                time: 0,
            }],
        ] {
            let n = votes.len() as i64;
            let out = ConversationInput {
                slate_id: 1,
                changes: 1,
                votes,
                moderated_out: vec![1],
                warm: None,
            }
            .analyze();
            assert_eq!(out.votes, n);
            assert!(
                out.result.groups.len() <= n as usize,
                "{n}: {:?}",
                out.result.groups
            );
            assert!(out.result.consensus_agree.is_empty(), "moderated out");
            assert!(out.result.statement_points.is_empty(), "moderated out");
        }
    }
}
