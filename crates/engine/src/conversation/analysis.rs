//! One run of the analysis, in three steps so the caller can keep the CPU
//! work off its request threads and out of every write transaction: load
//! (a read transaction), analyze (pure), store (one short write).
//!
//! A person's group must not move while no vote changes (issue 16). The
//! analysis is warm-started from the previous run (as Pol.is does), so it
//! depends on the history of runs as well as on the votes: k-means starts
//! from the last clusters and tops them back up to `base_k`, the k smoother
//! counts runs. The conversation's change counter moves on every vote and
//! moderation decision, including a vote cast again unchanged or the
//! approval of a statement nobody voted on yet, and each such change used to
//! start a new warm run over the very same votes, which could move people
//! between groups and swap the groups' letters. Now a run whose input (the
//! votes and the moderated-out statements) is the one the stored result was
//! computed from keeps that result, and when votes do change, the new groups
//! keep the letters of the previous groups they overlap most
//! ([`super::continuity`]).

use std::collections::{HashMap, HashSet};

use cohort_consensus::bridging::{bridging, BridgingParams};
use cohort_consensus::{analyze, repness, Group, Params, VoteMatrix, VoteRecord, WarmStart};
use cohort_store::{Id, SlateRow, StatementStatus, StoredResult, Tx};
use sha2::{Digest, Sha256};

use super::results::{
    BridgeResult, ConversationResult, GroupResult, MapPoint, RepResult, StatementPoint,
    StatementTally, Tally,
};
use super::votes::visitor_participant;
use super::{brigades, continuity};
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
    /// The stored result this run follows, if any.
    pub previous: Option<ConversationResult>,
    /// Participants an organizer down-weighted (issue 20): left out of the
    /// bridging fit.
    pub downweighted: Vec<u64>,
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
    Params {
        threads: threads(),
        ..Params::default()
    }
}

/// The analysis runs on every core: its result is the same bytes on any
/// number of threads (`cohort-consensus`'s determinism tests).
fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A digest of what an analysis is computed from: each participant's
/// current vote on each statement (not when it was cast) and the
/// moderated-out statements.
fn input_digest(votes: &[VoteRecord], moderated_out: &[u64], downweighted: &[u64]) -> String {
    let mut cells: Vec<(u64, u64, i8)> = votes
        .iter()
        .map(|v| (v.participant, v.statement, v.vote))
        .collect();
    cells.sort_unstable();
    let mut out: Vec<u64> = moderated_out.to_vec();
    out.sort_unstable();
    let mut h = Sha256::new();
    h.update(b"cohort conversation input v1\0");
    for (p, s, v) in cells {
        h.update(p.to_le_bytes());
        h.update(s.to_le_bytes());
        h.update(v.to_le_bytes());
    }
    h.update(b"moderated out\0");
    for s in out {
        h.update(s.to_le_bytes());
    }
    // Only when there are some, so results from before down-weighting
    // existed keep their digest.
    if !downweighted.is_empty() {
        let mut dw = downweighted.to_vec();
        dw.sort_unstable();
        h.update(b"down-weighted\0");
        for p in dw {
            h.update(p.to_le_bytes());
        }
    }
    hex::encode(h.finalize())
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
        self.analyze_with(&BridgingParams {
            threads: threads(),
            ..BridgingParams::default()
        })
    }

    /// [`Self::analyze`] with other bridging settings (a benchmark seeding
    /// a large result without waiting on the bridging interval).
    pub fn analyze_with(self, bridging_params: &BridgingParams) -> ConversationOutput {
        let m = VoteMatrix::from_votes(&self.votes);
        let input = input_digest(&self.votes, &self.moderated_out, &self.downweighted);
        if let (Some(previous), Some(warm)) = (&self.previous, &self.warm) {
            if previous.input == input {
                // The same votes: the same result, however the change count moved.
                return ConversationOutput {
                    slate_id: self.slate_id,
                    changes: self.changes,
                    votes: m.n_votes() as i64,
                    result: previous.clone(),
                    warm: warm.clone(),
                };
            }
        }
        let a = analyze(&m, &self.moderated_out, &params(), self.warm.as_ref());
        // The groups in the order that keeps the previous result's letters.
        let groups: Vec<&Group> = {
            let ids = |ps: &[u64]| ps.iter().map(|p| *p as Id).collect::<Vec<Id>>();
            let mut new: Vec<Vec<Id>> = a.groups.iter().map(|g| ids(&g.participants)).collect();
            for g in &mut new {
                g.sort_unstable();
            }
            let previous: Vec<Vec<Id>> = self
                .previous
                .as_ref()
                .map(|r| {
                    r.groups
                        .iter()
                        .map(|g| {
                            let mut ps = g.participants.clone();
                            ps.sort_unstable();
                            ps
                        })
                        .collect()
                })
                .unwrap_or_default();
            continuity::order(&previous, &new)
                .into_iter()
                .map(|i| &a.groups[i])
                .collect()
        };
        let group_of: HashMap<u64, usize> = groups
            .iter()
            .enumerate()
            .flat_map(|(gi, g)| g.participants.iter().map(move |p| (*p, gi)))
            .collect();
        let labels: Vec<Option<usize>> = m
            .participants()
            .iter()
            .map(|p| group_of.get(p).copied())
            .collect();
        let per_group = repness::count_by_group(&m, &labels, groups.len());
        let everyone = repness::count_by_group(&m, &vec![Some(0); m.n_rows()], 1);
        let tally = |c: repness::Counts| Tally {
            agree: c.na,
            disagree: c.nd,
            seen: c.ns,
        };
        let inside: HashSet<u64> = a.in_conversation.iter().copied().collect();
        let downweighted: HashSet<u64> = self.downweighted.iter().copied().collect();
        let bursts = brigades::bursts(&self.votes, &downweighted);
        // Down-weighted participants carry weight zero in the bridging fit.
        let weighted = (!downweighted.is_empty()).then(|| {
            let kept: Vec<VoteRecord> = self
                .votes
                .iter()
                .filter(|v| !downweighted.contains(&v.participant))
                .copied()
                .collect();
            VoteMatrix::from_votes(&kept)
        });
        let mut bridges: Vec<BridgeResult> = bridging(
            weighted.as_ref().unwrap_or(&m),
            &self.moderated_out,
            bridging_params,
        )
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
            groups: groups
                .iter()
                .map(|g| GroupResult {
                    id: g.id,
                    participants: g.participants.iter().map(|p| *p as Id).collect(),
                    size: g.participants.len(),
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
            bursts,
            input,
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
        let view = super::slim::to_view(&out.result);
        let mut tx = self.store.write().await?;
        let saved = tx.save_conversation_result(out.slate_id, &stored).await?;
        if saved {
            tx.save_result_view(out.slate_id, &view).await?;
        }
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
    let record = |participant: Id, statement: Id, vote: i32, at: chrono::DateTime<chrono::Utc>| {
        VoteRecord {
            // Anonymous participants' rows are negative; as u64 they sort
            // after every account and come back as the same negative id.
            participant: participant as u64,
            statement: statement as u64,
            vote: vote.clamp(-1, 1) as i8,
            time: at.timestamp_micros(),
        }
    };
    let mut votes: Vec<VoteRecord> = tx
        .conversation_votes(s.id)
        .await?
        .iter()
        .map(|v| record(v.user_id, v.statement_id, v.vote, v.at))
        .collect();
    votes.extend(tx.conversation_visitor_votes(s.id).await?.iter().map(|v| {
        record(
            visitor_participant(v.visitor_id),
            v.statement_id,
            v.vote,
            v.at,
        )
    }));
    // A warm start that no longer parses (or none) means a cold run.
    let warm = state
        .result
        .as_ref()
        .and_then(|r| serde_json::from_str::<WarmStart>(&r.warm).ok());
    let previous = state
        .result
        .as_ref()
        .and_then(|r| serde_json::from_str::<ConversationResult>(&r.result).ok());
    let mut downweighted: Vec<u64> = tx
        .downweights(s.id)
        .await?
        .iter()
        .flat_map(|d| d.d.participants.iter().map(|p| *p as u64))
        .collect();
    downweighted.sort_unstable();
    downweighted.dedup();
    Ok(Some(ConversationInput {
        slate_id: s.id,
        changes: state.changes,
        votes,
        moderated_out,
        warm,
        previous,
        downweighted,
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
                previous: None,
                downweighted: Vec::new(),
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

    /// Each participant's group in a result.
    fn groups_of(r: &ConversationResult) -> Vec<(Id, Option<usize>)> {
        r.points.iter().map(|p| (p.participant, p.group)).collect()
    }

    fn small(seed: u64) -> Vec<VoteRecord> {
        cohort_consensus::synthetic::generate(&cohort_consensus::synthetic::Spec {
            participants: 12,
            statements: 8,
            votes: 70,
            groups: 3,
            consensus_share: 0.27,
            seed,
        })
        .votes
    }

    /// One run after `last`, as the recompute job chains them.
    fn next(votes: &[VoteRecord], last: Option<&ConversationOutput>) -> ConversationOutput {
        ConversationInput {
            slate_id: 1,
            changes: 1,
            votes: votes.to_vec(),
            moderated_out: Vec::new(),
            warm: last.map(|o| o.warm.clone()),
            previous: last.map(|o| o.result.clone()),
            downweighted: Vec::new(),
        }
        .analyze()
    }

    #[test]
    fn recomputing_the_same_votes_moves_nobody() {
        // Small conversations, each after one changed vote, recomputed five
        // times more on the same votes: with every recompute counted as an
        // update, the k smoother switched k on the fourth and moved people.
        for seed in 0..12 {
            let mut votes = small(seed);
            let mut out = next(&votes, None);
            let k = (seed as usize * 7919) % votes.len();
            votes[k].vote = if votes[k].vote == 1 { -1 } else { 1 };
            out = next(&votes, Some(&out));
            for round in 0..5 {
                let again = next(&votes, Some(&out));
                assert_eq!(
                    groups_of(&again.result),
                    groups_of(&out.result),
                    "seed {seed}, round {round}"
                );
                assert_eq!(again.result, out.result);
                out = again;
            }
        }
    }

    #[test]
    fn groups_keep_their_letters_when_votes_change() {
        let mut checked = 0;
        for seed in 0..12 {
            let mut votes = small(seed);
            let first = next(&votes, None);
            if first.result.groups.len() < 2 {
                continue;
            }
            // Say the previous result had listed its groups the other way round.
            let mut previous = first.clone();
            previous.result.groups.reverse();
            let n = previous.result.groups.len();
            for p in &mut previous.result.points {
                p.group = p.group.map(|g| n - 1 - g);
            }
            let k = (seed as usize * 7919) % votes.len();
            votes[k].vote = if votes[k].vote == 1 { -1 } else { 1 };
            let out = next(&votes, Some(&previous));
            if out.result.groups.len() != n {
                continue;
            }
            let ids = |g: &GroupResult| g.participants.iter().copied().collect::<HashSet<Id>>();
            for (i, g) in out.result.groups.iter().enumerate() {
                let mine = ids(g);
                let best = previous
                    .result
                    .groups
                    .iter()
                    .map(|p| ids(p).intersection(&mine).count())
                    .enumerate()
                    .max_by_key(|(j, n)| (*n, std::cmp::Reverse(*j)))
                    .map(|(j, _)| j);
                assert_eq!(
                    best,
                    Some(i),
                    "seed {seed}: group {i} took another's letter"
                );
            }
            checked += 1;
        }
        assert!(checked >= 3, "only {checked} conversations kept their k");
    }
}
