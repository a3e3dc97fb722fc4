//! What the analysis found, as stored (JSON) and shown: the map's points,
//! groups, tallies and the sentences the pages say them in; and the public
//! results use case.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use cohort_store::{Id, StatementStatus, StoredResult, Tx};
use serde::{Deserialize, Serialize};

use super::brigades::BurstResult;
use super::slim::load_view;
use super::{statement_view, StatementView};
use crate::slates::find_slate;
use crate::{Engine, Result};

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
    /// Its members; empty in a result read from the slim stored form
    /// ([`super::slim`]), which keeps only the size.
    pub participants: Vec<Id>,
    /// How many members it has.
    #[serde(default)]
    pub size: usize,
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
    /// A digest of the votes and moderation decisions this result was
    /// computed from: a recompute on the same input keeps this result, so
    /// nobody's group moves while no vote changed (issue 16). Empty in
    /// results stored before it existed.
    #[serde(default)]
    pub input: String,
    /// Bursts of participants who arrived together and voted as one
    /// ([`super::brigades`]); for organizers only, never in the public view.
    #[serde(default)]
    pub bursts: Vec<BurstResult>,
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

pub(super) async fn load_result(
    tx: &mut dyn Tx,
    slate_id: Id,
) -> Result<(i64, Option<(StoredResult, ConversationResult)>)> {
    let state = tx.conversation_state(slate_id).await?;
    let result = match state.result {
        Some(stored) => match serde_json::from_str::<ConversationResult>(&stored.result) {
            Ok(mut r) => {
                // Results stored before groups carried their size.
                for g in &mut r.groups {
                    g.size = g.size.max(g.participants.len());
                }
                Some((stored, r))
            }
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
    /// The public results: the latest stored analysis and the approved texts.
    pub async fn conversation_results(&self, slate: &str) -> Result<ResultsView> {
        self.conversation_results_for(slate, None).await
    }

    /// The public results with `you`'s own dot on the map (when they have
    /// one), read from the slim stored form ([`super::slim`]).
    pub async fn conversation_results_for(
        &self,
        slate: &str,
        you: Option<Id>,
    ) -> Result<ResultsView> {
        let mut tx = self.store.read().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        let statements = tx
            .statements(s.id, None)
            .await?
            .iter()
            .filter(|x| x.status == StatementStatus::Approved)
            .map(|x| (x.id, statement_view(x)))
            .collect();
        let (changes, result) = load_view(tx.as_mut(), s.id, you).await?;
        Ok(ResultsView {
            slug: s.slug.to_string(),
            slate_name: s.name.clone(),
            computed_at: result.as_ref().map(|r| r.computed_at),
            votes: result.as_ref().map_or(0, |r| r.votes),
            updating: result.as_ref().map_or(changes > 0, |r| r.changes < changes),
            // Flagged bursts are for the organizers (`conversation_bursts`).
            result: result.map(|r| r.result),
            statements,
        })
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
                    size: 0,
                    repness: Vec::new(),
                })
                .collect(),
            consensus_agree: Vec::new(),
            consensus_disagree: Vec::new(),
            group_consensus: Vec::new(),
            tallies,
            bridging: Vec::new(),
            input: String::new(),
            bursts: Vec::new(),
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
}
