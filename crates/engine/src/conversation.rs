//! A slate's conversation (issue 4): organizers seed statements, signed-in
//! people vote agree / disagree / pass and add their own (held for an
//! organizer), and the Pol.is analysis of `cohort-consensus` finds opinion
//! groups and what every group agrees on. Organizers adopt a statement as a
//! plank of a new compact version.
//!
//! Votes are written at once; the analysis runs afterwards, in three steps so
//! the caller can keep the CPU work off its request threads and out of every
//! write transaction: [`Engine::load_conversation`] (a read transaction),
//! [`ConversationInput::analyze`] (pure), [`Engine::store_conversation`] (one
//! short write). [`Engine::recompute_conversation`] chains them.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use cohort_consensus::bridging::{bridging, BridgingParams};
use cohort_consensus::{analyze, repness, Params, VoteMatrix, VoteRecord, WarmStart};
use cohort_core::model::Plank;
use cohort_store::{
    Adoption, Id, NewStatement, SlateRow, StatementRow, StatementStatus, StoredResult, Tx, VoteRow,
};
use serde::{Deserialize, Serialize};

use crate::slates::{compact_content, find_slate, text};
use crate::{Actor, CompactInput, CompactVersionView, Engine, EngineError, Result};

/// Longest statement, in characters (Pol.is allows 140).
pub const STATEMENT_MAX: usize = 140;

/// A statement as people see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatementView {
    pub id: Id,
    pub body: String,
    /// "approved", "pending" or "rejected".
    pub status: &'static str,
    pub seeded: bool,
    /// Compact version it became a plank of, with the support it had.
    pub adopted_version: Option<i32>,
    pub adopted_support: Option<String>,
}

fn statement_view(s: &StatementRow) -> StatementView {
    StatementView {
        id: s.id,
        body: s.body.clone(),
        status: s.status.as_str(),
        seeded: s.seeded,
        adopted_version: s.adopted.as_ref().map(|a| a.version),
        adopted_support: s.adopted.as_ref().map(|a| a.support.clone()),
    }
}

/// A vote: agree, disagree or pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Vote {
    Agree,
    Disagree,
    Pass,
}

impl Vote {
    pub fn parse(s: &str) -> Result<Vote> {
        match s {
            "agree" => Ok(Vote::Agree),
            "disagree" => Ok(Vote::Disagree),
            "pass" => Ok(Vote::Pass),
            _ => Err(EngineError::invalid(
                "vote",
                format!("{s:?} is not agree, disagree or pass"),
            )),
        }
    }
    /// "agree", "disagree" or "pass".
    pub fn as_str(self) -> &'static str {
        match self {
            Vote::Agree => "agree",
            Vote::Disagree => "disagree",
            Vote::Pass => "pass",
        }
    }
    fn value(self) -> i32 {
        match self {
            Vote::Agree => 1,
            Vote::Disagree => -1,
            Vote::Pass => 0,
        }
    }
}

/// A participant's place on the map, from the latest result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Position {
    pub x: f64,
    pub y: f64,
    /// The opinion group's letter ("A"), when they are in one.
    pub group: Option<String>,
}

/// What one signed-in person sees of a slate's conversation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Participation {
    pub slug: String,
    pub slate_name: String,
    /// The next approved statement they have not voted on.
    pub next: Option<StatementView>,
    pub voted: usize,
    /// Approved statements in all.
    pub statements: usize,
    /// Their own statements still waiting for an organizer.
    pub my_pending: Vec<StatementView>,
    pub position: Option<Position>,
    /// Votes still needed to appear on the map (Pol.is: min(7, statements)).
    pub votes_to_map: usize,
    pub organizer: bool,
    /// Their current votes on approved statements, to change (last vote wins).
    pub my_votes: Vec<(StatementView, Vote)>,
}

/// One point of the opinion map.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MapPoint {
    pub participant: Id,
    pub x: f64,
    pub y: f64,
    /// Index into [`ConversationResult::groups`].
    pub group: Option<usize>,
}

/// A statement placed on the map by its projection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatementPoint {
    pub statement: Id,
    pub x: f64,
    pub y: f64,
}

/// A statement that sets a group apart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepResult {
    pub statement: Id,
    /// True if the group agrees more than the rest, false if it disagrees more.
    pub agree: bool,
    pub n_success: u32,
    pub n_trials: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupResult {
    /// The group's id in the analysis.
    pub id: usize,
    pub participants: Vec<Id>,
    pub repness: Vec<RepResult>,
}

/// Votes on one statement: agreed, disagreed, seen (passes count as seen).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub agree: u32,
    pub disagree: u32,
    pub seen: u32,
}

impl Tally {
    /// Whole percent who agree, of those who saw it.
    pub fn agree_pct(&self) -> u32 {
        pct(self.agree, self.seen)
    }
    pub fn disagree_pct(&self) -> u32 {
        pct(self.disagree, self.seen)
    }
}

fn pct(part: u32, whole: u32) -> u32 {
    if whole == 0 {
        0
    } else {
        ((f64::from(part) * 100.0 / f64::from(whole)).round() as u32).min(100)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatementTally {
    pub statement: Id,
    pub overall: Tally,
    /// One per group, in [`ConversationResult::groups`] order.
    pub groups: Vec<Tally>,
}

/// What a run of the analysis found, as stored (JSON) and shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConversationResult {
    /// People with at least one vote.
    pub participants: usize,
    /// People with enough votes to be placed and grouped.
    pub in_conversation: usize,
    pub points: Vec<MapPoint>,
    pub statement_points: Vec<StatementPoint>,
    pub groups: Vec<GroupResult>,
    /// Overall consensus (Pol.is), best first.
    pub consensus_agree: Vec<Id>,
    pub consensus_disagree: Vec<Id>,
    /// Group-informed consensus `Π_g (A_g+1)/(S_g+2)`, highest first.
    pub group_consensus: Vec<(Id, f64)>,
    pub tallies: Vec<StatementTally>,
    /// Bridging scores (`cohort_consensus::bridging`), highest lower bound
    /// first. Results stored before bridging existed have none.
    #[serde(default)]
    pub bridging: Vec<BridgeResult>,
}

/// A statement's agreement across the divide, with its interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BridgeResult {
    pub statement: Id,
    /// Agree and disagree votes it was scored on.
    pub votes: usize,
    /// The predicted share agreeing on the less-agreeing side (0–1), and the
    /// ends of its 90% interval.
    pub across: f64,
    pub low: f64,
    pub high: f64,
    /// The lower end reaches two thirds: a candidate plank.
    pub bridges: bool,
}

impl BridgeResult {
    /// "71% across the divide (64–78%)".
    pub fn sentence(&self) -> String {
        let pct = |x: f64| (x.clamp(0.0, 1.0) * 100.0).round() as i64;
        format!(
            "{}% across the divide ({}–{}%)",
            pct(self.across),
            pct(self.low),
            pct(self.high)
        )
    }
}

impl ConversationResult {
    pub fn tally(&self, statement: Id) -> Option<&StatementTally> {
        self.tallies.iter().find(|t| t.statement == statement)
    }

    /// The statement's bridging score, if it had enough votes for one.
    pub fn bridge(&self, statement: Id) -> Option<&BridgeResult> {
        self.bridging.iter().find(|b| b.statement == statement)
    }

    /// The statement's group-informed consensus, if it has one.
    pub fn group_consensus_of(&self, statement: Id) -> Option<f64> {
        self.group_consensus
            .iter()
            .find(|(s, _)| *s == statement)
            .map(|(_, g)| *g)
    }

    /// "87% of group A and 79% of group B agree", or the overall share when
    /// there are no groups yet.
    pub fn support_sentence(&self, statement: Id) -> Option<String> {
        let t = self.tally(statement)?;
        if t.groups.is_empty() {
            return Some(format!(
                "{}% of the {} people who voted on it agree",
                t.overall.agree_pct(),
                t.overall.seen
            ));
        }
        let parts: Vec<String> = t
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| format!("{}% of group {}", g.agree_pct(), group_letter(i)))
            .collect();
        Some(format!("{} agree", join_and(&parts)))
    }

    /// What an adopted plank says about its support.
    pub fn adoption_sentence(&self, statement: Id) -> Option<String> {
        let t = self.tally(statement)?;
        let lowest = t.groups.iter().map(Tally::agree_pct).min();
        Some(match lowest {
            Some(low) if t.groups.len() > 1 => format!(
                "Adopted from the conversation: {}% of {} voters agree, and at least {low}% in each of its {} opinion groups",
                t.overall.agree_pct(),
                t.overall.seen,
                t.groups.len()
            ),
            _ => format!(
                "Adopted from the conversation: {}% of {} voters agree",
                t.overall.agree_pct(),
                t.overall.seen
            ),
        })
    }
}

/// "A", "B", … for group indexes.
pub fn group_letter(i: usize) -> String {
    char::from(b'A' + (i % 26) as u8).to_string()
}

fn join_and(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The public results page.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ResultsView {
    pub slug: String,
    pub slate_name: String,
    pub computed_at: Option<DateTime<Utc>>,
    /// Votes the shown result covers.
    pub votes: i64,
    /// True when votes arrived after the shown result (a new one is coming).
    pub updating: bool,
    pub result: Option<ConversationResult>,
    /// Texts of the approved statements, by id (never pending or rejected).
    pub statements: BTreeMap<Id, StatementView>,
}

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

/// A deterministic, per-person order of statements, so that each statement
/// gets votes early rather than the oldest ones first.
fn shuffle_key(user: Id, statement: Id) -> u64 {
    let mut x = (user as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (statement as u64);
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^ (x >> 29)
}

async fn load_result(
    tx: &mut dyn Tx,
    slate_id: Id,
) -> Result<(i64, Option<(StoredResult, ConversationResult)>)> {
    let state = tx.conversation_state(slate_id).await?;
    let result = match state.result {
        Some(stored) => match serde_json::from_str::<ConversationResult>(&stored.result) {
            Ok(r) => Some((stored, r)),
            Err(e) => {
                tracing::warn!(slate = slate_id, error = %e, "stored conversation result does not parse; it will be recomputed");
                None
            }
        },
        None => None,
    };
    Ok((state.changes, result))
}

impl Engine {
    fn statement_text(field: &str, body: &str) -> Result<String> {
        let t = text(field, body, STATEMENT_MAX, true)?;
        if t.contains('\n') {
            return Err(EngineError::invalid(field, "must be one line"));
        }
        Ok(t)
    }

    /// An organizer seeds a statement: shown to voters at once.
    pub async fn seed_statement(
        &self,
        actor: &Actor,
        slate: &str,
        body: &str,
    ) -> Result<StatementView> {
        let body = Self::statement_text("statement", body)?;
        let mut tx = self.store.write().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        let row = tx
            .insert_statement(&NewStatement {
                slate_id: s.id,
                body,
                author_id: actor.account().map(|a| a.user.id),
                status: StatementStatus::Approved,
                seeded: true,
                created_at: self.now(),
            })
            .await?;
        tx.commit().await?;
        Ok(statement_view(&row))
    }

    /// A signed-in participant adds a statement. It waits for an organizer
    /// (an organizer's own goes straight in).
    pub async fn add_statement(
        &self,
        actor: &Actor,
        slate: &str,
        body: &str,
    ) -> Result<StatementView> {
        let account = actor.require_account()?;
        let body = Self::statement_text("statement", body)?;
        let mut tx = self.store.write().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        let existing = tx.statements(s.id, None).await?;
        if existing
            .iter()
            .any(|x| x.body.to_lowercase() == body.to_lowercase())
        {
            return Err(EngineError::conflict(
                "statement_exists",
                "that statement is already in the conversation",
            ));
        }
        let status = if actor.organizes(s.id) {
            StatementStatus::Approved
        } else {
            StatementStatus::Pending
        };
        let row = tx
            .insert_statement(&NewStatement {
                slate_id: s.id,
                body,
                author_id: Some(account.user.id),
                status,
                seeded: false,
                created_at: self.now(),
            })
            .await?;
        tx.commit().await?;
        Ok(statement_view(&row))
    }

    /// An organizer approves a statement (shown to voters) or rejects it
    /// (moderated out: hidden, and zeroed in the analysis).
    pub async fn moderate_statement(
        &self,
        actor: &Actor,
        slate: &str,
        statement: Id,
        approve: bool,
    ) -> Result<StatementView> {
        let mut tx = self.store.write().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        let mut row = statement_of(tx.as_mut(), &s, statement).await?;
        let status = if approve {
            StatementStatus::Approved
        } else {
            StatementStatus::Rejected
        };
        if row.adopted.is_some() && !approve {
            return Err(EngineError::conflict(
                "adopted",
                "that statement is a plank of the compact; it can't be moderated out",
            ));
        }
        if row.status != status {
            tx.set_statement_status(row.id, status).await?;
            tx.touch_conversation(s.id).await?;
            row.status = status;
        }
        tx.commit().await?;
        Ok(statement_view(&row))
    }

    /// A signed-in participant votes; a later vote replaces an earlier one.
    pub async fn vote(&self, actor: &Actor, slate: &str, statement: Id, vote: Vote) -> Result<()> {
        let account = actor.require_account()?;
        let mut tx = self.store.write().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        let row = statement_of(tx.as_mut(), &s, statement).await?;
        if row.status != StatementStatus::Approved {
            // Pending and rejected statements are invisible to voters.
            return Err(EngineError::not_found("statement", statement.to_string()));
        }
        tx.upsert_vote(
            s.id,
            &VoteRow {
                statement_id: row.id,
                user_id: account.user.id,
                vote: vote.value(),
                at: self.now(),
            },
        )
        .await?;
        tx.touch_conversation(s.id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The participate page: the next statement to vote on, and where the
    /// person stands.
    pub async fn participation(&self, actor: &Actor, slate: &str) -> Result<Participation> {
        let account = actor.require_account()?;
        let mut tx = self.store.read().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        let statements = tx.statements(s.id, None).await?;
        let votes: HashMap<Id, i32> = tx
            .votes_of(s.id, account.user.id)
            .await?
            .iter()
            .map(|v| (v.statement_id, v.vote))
            .collect();
        let mine: HashSet<Id> = votes.keys().copied().collect();
        let approved: Vec<&StatementRow> = statements
            .iter()
            .filter(|x| x.status == StatementStatus::Approved)
            .collect();
        let voted = approved.iter().filter(|x| mine.contains(&x.id)).count();
        let next = approved
            .iter()
            .filter(|x| !mine.contains(&x.id))
            .min_by_key(|x| shuffle_key(account.user.id, x.id))
            .map(|x| statement_view(x));
        let (_, result) = load_result(tx.as_mut(), s.id).await?;
        let position = result.as_ref().and_then(|(_, r)| {
            r.points
                .iter()
                .find(|p| p.participant == account.user.id)
                .map(|p| Position {
                    x: p.x,
                    y: p.y,
                    group: p.group.map(group_letter),
                })
        });
        let needed = params().min_votes.min(approved.len());
        Ok(Participation {
            slug: s.slug.to_string(),
            slate_name: s.name.clone(),
            next,
            voted,
            statements: approved.len(),
            my_pending: statements
                .iter()
                .filter(|x| {
                    x.author_id == Some(account.user.id) && x.status == StatementStatus::Pending
                })
                .map(statement_view)
                .collect(),
            position,
            votes_to_map: needed.saturating_sub(voted),
            organizer: actor.organizes(s.id),
            my_votes: approved
                .iter()
                .filter_map(|x| {
                    let vote = match votes.get(&x.id)? {
                        1 => Vote::Agree,
                        -1 => Vote::Disagree,
                        _ => Vote::Pass,
                    };
                    Some((statement_view(x), vote))
                })
                .collect(),
        })
    }

    /// Every statement of the conversation, for its organizers.
    pub async fn conversation_statements(
        &self,
        actor: &Actor,
        slate: &str,
    ) -> Result<Vec<StatementView>> {
        let mut tx = self.store.read().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        Ok(tx
            .statements(s.id, None)
            .await?
            .iter()
            .map(statement_view)
            .collect())
    }

    /// The public results: the latest stored analysis and the approved texts.
    pub async fn conversation_results(&self, slate: &str) -> Result<ResultsView> {
        let mut tx = self.store.read().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        let statements = tx
            .statements(s.id, None)
            .await?
            .iter()
            .filter(|x| x.status == StatementStatus::Approved)
            .map(|x| (x.id, statement_view(x)))
            .collect();
        let (changes, result) = load_result(tx.as_mut(), s.id).await?;
        Ok(ResultsView {
            slug: s.slug.to_string(),
            slate_name: s.name.clone(),
            computed_at: result.as_ref().map(|(st, _)| st.computed_at),
            votes: result.as_ref().map_or(0, |(st, _)| st.votes),
            updating: result
                .as_ref()
                .map_or(changes > 0, |(st, _)| st.changes < changes),
            result: result.map(|(_, r)| r),
            statements,
        })
    }

    /// The support each adopted plank had, by plank title (for the slate page).
    pub async fn plank_support(&self, slate: &str) -> Result<Vec<(String, String)>> {
        let mut tx = self.store.read().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        Ok(tx
            .statements(s.id, None)
            .await?
            .into_iter()
            .filter_map(|x| x.adopted.map(|a| (a.title, a.support)))
            .collect())
    }

    /// An organizer adopts a statement as a plank, with its "why", into a new
    /// compact version (the latest one's content plus this plank).
    pub async fn adopt_statement(
        &self,
        actor: &Actor,
        slate: &str,
        statement: Id,
        title: &str,
        why: &str,
    ) -> Result<CompactVersionView> {
        let mut tx = self.store.write().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        let row = statement_of(tx.as_mut(), &s, statement).await?;
        if row.status != StatementStatus::Approved {
            return Err(EngineError::conflict(
                "not_approved",
                "only an approved statement can become a plank",
            ));
        }
        if row.adopted.is_some() {
            return Err(EngineError::conflict(
                "already_adopted",
                "that statement is already a plank",
            ));
        }
        let (_, result) = load_result(tx.as_mut(), s.id).await?;
        let support = result
            .as_ref()
            .and_then(|(_, r)| r.adoption_sentence(row.id))
            .ok_or_else(|| {
                EngineError::conflict(
                    "no_results",
                    "the results do not cover this statement yet; wait for the next update",
                )
            })?;
        let title = if title.trim().is_empty() {
            row.body.clone()
        } else {
            text("title", title, 200, true)?
        };
        if why.trim().is_empty() {
            return Err(EngineError::invalid(
                "why",
                "say why the movement holds this plank",
            ));
        }
        let why = text("why", why, 2_000, true)?;
        let latest = tx.latest_compact(s.id).await?.ok_or_else(|| {
            EngineError::conflict(
                "no_compact",
                "publish a compact (with its commitments) before adopting planks",
            )
        })?;
        if latest.content.planks.iter().any(|p| p.title == title) {
            return Err(EngineError::conflict(
                "plank_exists",
                format!("the compact already has a plank titled {title:?}"),
            ));
        }
        let mut planks = latest.content.planks.clone();
        planks.push(Plank {
            title: title.clone(),
            why,
        });
        let content = compact_content(&CompactInput {
            commitments: latest.content.commitment_inputs(),
            planks,
        })?;
        let view = self.publish_compact_in(tx.as_mut(), &s, content).await?;
        tx.set_statement_adopted(
            row.id,
            &Adoption {
                version: view.version,
                title,
                support,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(view)
    }

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

async fn statement_of(tx: &mut dyn Tx, s: &SlateRow, id: Id) -> Result<StatementRow> {
    tx.statements(s.id, Some(id))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| EngineError::not_found("statement", id.to_string()))
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

/// A conversation made up for the demo (and tests): `cohort_consensus`'s
/// synthetic votes with real opinion structure, over the given statements.
#[derive(Clone, Debug, Deserialize)]
pub struct DemoConversation {
    /// Statements every group tends to agree on.
    pub common: Vec<String>,
    /// Statements that divide the groups.
    pub divisive: Vec<String>,
    /// Statements a participant added that wait for an organizer.
    #[serde(default)]
    pub pending: Vec<String>,
    pub participants: usize,
    pub votes: usize,
    pub groups: usize,
    pub seed: u64,
}

/// What [`Engine::load_demo_conversation`] wrote, in the generator's order.
#[derive(Clone, Debug)]
pub struct DemoConversationIds {
    /// Account id of synthetic participant `p`, ascending.
    pub users: Vec<Id>,
    /// Statement id of synthetic statement `s`, ascending.
    pub statements: Vec<Id>,
}

impl Engine {
    /// Seed a made-up conversation in one transaction: the statements
    /// (approved), one account per synthetic participant (at example.org,
    /// which receives no email) and their votes. Statements texts are matched
    /// to the generated stances: the ones every latent group agreed with most
    /// get `common` texts. Organizers only.
    pub async fn load_demo_conversation(
        &self,
        actor: &Actor,
        slate: &str,
        demo: &DemoConversation,
    ) -> Result<DemoConversationIds> {
        use cohort_consensus::synthetic::{generate, Spec};
        let n_s = demo.common.len() + demo.divisive.len();
        let spec = Spec {
            participants: demo.participants,
            statements: n_s,
            votes: demo.votes,
            groups: demo.groups,
            consensus_share: demo.common.len() as f64 / n_s.max(1) as f64,
            seed: demo.seed,
        };
        let synthetic = generate(&spec);
        // Lowest agree share over latent groups, per statement.
        let mut agree = vec![vec![(0u32, 0u32); spec.groups.max(1)]; n_s];
        for v in &synthetic.votes {
            let g = synthetic.latent[v.participant as usize];
            let cell = &mut agree[v.statement as usize][g];
            cell.1 += 1;
            if v.vote > 0 {
                cell.0 += 1;
            }
        }
        let floor: Vec<f64> = agree
            .iter()
            .map(|gs| {
                gs.iter()
                    .map(|(a, n)| f64::from(*a) / f64::from((*n).max(1)))
                    .fold(f64::INFINITY, f64::min)
            })
            .collect();
        let mut order: Vec<usize> = (0..n_s).collect();
        order.sort_by(|a, b| floor[*b].total_cmp(&floor[*a]).then(a.cmp(b)));
        let mut text_of = vec![String::new(); n_s];
        for (rank, s) in order.iter().enumerate() {
            text_of[*s] = if rank < demo.common.len() {
                demo.common[rank].clone()
            } else {
                demo.divisive[rank - demo.common.len()].clone()
            };
        }
        let at = self.now();
        let mut tx = self.store.write().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        let mut statements = Vec::with_capacity(n_s);
        for body in &text_of {
            let body = Self::statement_text("statement", body)?;
            let row = tx
                .insert_statement(&NewStatement {
                    slate_id: s.id,
                    body,
                    author_id: None,
                    status: StatementStatus::Approved,
                    seeded: true,
                    created_at: at,
                })
                .await?;
            statements.push(row.id);
        }
        let mut users = Vec::with_capacity(spec.participants);
        for p in 0..spec.participants {
            let email = cohort_core::Email::parse(&format!("voter{p}.{}@example.org", s.slug))
                .map_err(|e| EngineError::invalid("email", e.to_string()))?;
            let user = match tx.user_by_email(&email).await? {
                Some(u) => u,
                None => tx.insert_user(&email, "", at).await?,
            };
            users.push(user.id);
        }
        for v in &synthetic.votes {
            let row = VoteRow {
                statement_id: statements[v.statement as usize],
                user_id: users[v.participant as usize],
                vote: i32::from(v.vote),
                at,
            };
            tx.upsert_vote(s.id, &row).await?;
        }
        for body in &demo.pending {
            tx.insert_statement(&NewStatement {
                slate_id: s.id,
                body: Self::statement_text("statement", body)?,
                author_id: users.first().copied(),
                status: StatementStatus::Pending,
                seeded: false,
                created_at: at,
            })
            .await?;
        }
        tx.touch_conversation(s.id).await?;
        tx.commit().await?;
        Ok(DemoConversationIds { users, statements })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(tallies: Vec<StatementTally>, groups: usize) -> ConversationResult {
        ConversationResult {
            participants: 0,
            in_conversation: 0,
            points: Vec::new(),
            statement_points: Vec::new(),
            groups: (0..groups)
                .map(|id| GroupResult {
                    id,
                    participants: Vec::new(),
                    repness: Vec::new(),
                })
                .collect(),
            consensus_agree: Vec::new(),
            consensus_disagree: Vec::new(),
            group_consensus: Vec::new(),
            tallies,
            bridging: Vec::new(),
        }
    }

    fn t(agree: u32, seen: u32) -> Tally {
        Tally {
            agree,
            disagree: seen - agree,
            seen,
        }
    }

    #[test]
    fn support_reads_as_plain_language() {
        let r = result(
            vec![
                StatementTally {
                    statement: 7,
                    overall: t(83, 100),
                    groups: vec![t(87, 100), t(79, 100)],
                },
                StatementTally {
                    statement: 8,
                    overall: t(2, 3),
                    groups: vec![t(1, 1), t(1, 1), t(0, 1)],
                },
                StatementTally {
                    statement: 9,
                    overall: t(1, 3),
                    groups: Vec::new(),
                },
            ],
            2,
        );
        assert_eq!(
            r.support_sentence(7).as_deref(),
            Some("87% of group A and 79% of group B agree")
        );
        assert_eq!(
            r.support_sentence(8).as_deref(),
            Some("100% of group A, 100% of group B and 0% of group C agree")
        );
        assert_eq!(
            r.support_sentence(9).as_deref(),
            Some("33% of the 3 people who voted on it agree")
        );
        assert_eq!(r.support_sentence(10), None, "no votes, no claim");
        assert_eq!(
            r.adoption_sentence(7).as_deref(),
            Some("Adopted from the conversation: 83% of 100 voters agree, and at least 79% in each of its 2 opinion groups")
        );
        assert_eq!(
            r.adoption_sentence(9).as_deref(),
            Some("Adopted from the conversation: 33% of 3 voters agree")
        );
    }

    #[test]
    fn percentages_round_and_never_divide_by_zero() {
        assert_eq!(t(2, 3).agree_pct(), 67);
        assert_eq!(t(0, 0).agree_pct(), 0);
        assert_eq!(t(5, 5).disagree_pct(), 0);
        assert_eq!(group_letter(0), "A");
        assert_eq!(group_letter(4), "E");
    }

    #[test]
    fn votes_parse_or_name_the_problem() {
        assert_eq!(Vote::parse("agree").ok(), Some(Vote::Agree));
        assert_eq!(Vote::parse("pass").map(Vote::value).ok(), Some(0));
        let e = Vote::parse("yes").expect_err("not a vote");
        assert_eq!(
            e.to_string(),
            "vote: \"yes\" is not agree, disagree or pass"
        );
    }

    #[test]
    fn every_person_gets_their_own_statement_order() {
        let order = |user: Id| {
            let mut ids: Vec<Id> = (1..=8).collect();
            ids.sort_by_key(|s| shuffle_key(user, *s));
            ids
        };
        assert_eq!(order(1), order(1), "stable for one person");
        assert_ne!(order(1), order(2), "different across people");
    }

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
