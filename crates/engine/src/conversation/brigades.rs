//! Anti-brigading (issue 20): a burst of new participants who arrive
//! together and vote as one (`cohort_consensus::brigade`) is flagged for the
//! conversation's organizers, never for the public, and an organizer can
//! down-weight it: the decision is stored (who, when, which participants)
//! and from the next recompute those participants' votes carry weight zero
//! in the bridging fit, so a burst cannot buy a statement a bridging score.
//! Groups, tallies and Pol.is consensus still count everyone: down-weighting
//! is about which statements bridge, not about who took part.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, TimeZone, Utc};
use cohort_consensus::brigade::{detect, BrigadeParams};
use cohort_consensus::VoteRecord;
use cohort_store::{DownweightRow, Id, NewDownweight};
use serde::{Deserialize, Serialize};

use super::results::load_result;
use super::ConversationResult;
use crate::slates::find_slate;
use crate::{Actor, Engine, EngineError, Result};

/// A flagged burst, as stored with a result (organizers only).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BurstResult {
    /// Names the burst for an organizer's decision: its first arrival and
    /// its first member ("1733500000000000.-7").
    pub key: String,
    /// First and last arrival (microseconds since the epoch).
    pub from: i64,
    pub until: i64,
    /// Vote-matrix rows, ascending.
    pub participants: Vec<Id>,
    /// Their share of everyone who voted.
    pub share: f64,
    /// How alike they voted: of their votes, the share that match the
    /// burst's most common vote on that statement.
    pub alike: f64,
    /// Statements every member who voted on them voted the same way on
    /// (+1 agree, -1 disagree, 0 pass), most members first, at most five.
    pub as_one: Vec<(Id, i8)>,
    /// Members already down-weighted by an organizer.
    pub downweighted: usize,
    /// Of those, members down-weighted since this result was computed:
    /// their votes leave the bridging scores at the next update. Never
    /// stored (always 0 in a stored result).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub awaiting: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl BurstResult {
    pub fn from_time(&self) -> DateTime<Utc> {
        micros(self.from)
    }
    pub fn until_time(&self) -> DateTime<Utc> {
        micros(self.until)
    }
    /// Every member is down-weighted.
    pub fn is_downweighted(&self) -> bool {
        self.downweighted >= self.participants.len()
    }
}

fn micros(t: i64) -> DateTime<Utc> {
    Utc.timestamp_micros(t).single().unwrap_or_default()
}

/// The bursts in `votes`, each with how many members `downweighted` holds.
pub(super) fn bursts(votes: &[VoteRecord], downweighted: &HashSet<u64>) -> Vec<BurstResult> {
    // The engine's vote times are microseconds; the parameters count
    // milliseconds.
    let d = BrigadeParams::default();
    let found = detect(
        votes,
        &BrigadeParams {
            window_ms: d.window_ms * 1000,
            ..d
        },
    );
    if found.is_empty() {
        return Vec::new();
    }
    found
        .into_iter()
        .map(|b| {
            let members: HashSet<u64> = b.participants.iter().copied().collect();
            // statement -> counts of -1, 0, +1 among the members.
            let mut counts: BTreeMap<u64, [usize; 3]> = BTreeMap::new();
            for v in votes.iter().filter(|v| members.contains(&v.participant)) {
                counts.entry(v.statement).or_default()[(v.vote.clamp(-1, 1) + 1) as usize] += 1;
            }
            let (mut same, mut all) = (0usize, 0usize);
            let mut as_one: Vec<(usize, Id, i8)> = Vec::new();
            for (s, c) in &counts {
                let n: usize = c.iter().sum();
                let (best, most) = (0..3)
                    .map(|i| (i, c[i]))
                    .max_by_key(|x| x.1)
                    .unwrap_or((1, 0));
                same += most;
                all += n;
                if most == n && n >= 2 {
                    as_one.push((n, *s as Id, best as i8 - 1));
                }
            }
            as_one.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            let first = b.participants.first().copied().unwrap_or(0) as Id;
            BurstResult {
                key: format!("{}.{first}", b.from),
                from: b.from,
                until: b.until,
                downweighted: b
                    .participants
                    .iter()
                    .filter(|p| downweighted.contains(*p))
                    .count(),
                awaiting: 0,
                participants: b.participants.iter().map(|p| *p as Id).collect(),
                share: b.share,
                alike: if all == 0 {
                    0.0
                } else {
                    same as f64 / all as f64
                },
                as_one: as_one.into_iter().take(5).map(|(_, s, v)| (s, v)).collect(),
            }
        })
        .collect()
}

/// An organizer's down-weighting decision, as the organizers' page shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DownweightView {
    pub participants: usize,
    pub burst_from: DateTime<Utc>,
    pub burst_until: DateTime<Utc>,
    /// The organizer's name, or "an API token".
    pub decided_by: String,
    pub decided_at: DateTime<Utc>,
}

/// What the organizers see of brigading in their conversation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BurstsView {
    /// Flagged in the latest result.
    pub bursts: Vec<BurstResult>,
    /// Every down-weighting decision, oldest first.
    pub decisions: Vec<DownweightView>,
}

/// The latest result's bursts, each counting the members down-weighted by
/// any decision so far: the result only knows the decisions made before it
/// was computed, and a burst down-weighted since must not be offered again.
fn flagged(result: Option<ConversationResult>, decisions: &[DownweightRow]) -> Vec<BurstResult> {
    let decided: HashSet<Id> = decisions
        .iter()
        .flat_map(|row| row.d.participants.iter().copied())
        .collect();
    let mut bursts = result.map(|r| r.bursts).unwrap_or_default();
    for b in &mut bursts {
        let now = b
            .participants
            .iter()
            .filter(|p| decided.contains(p))
            .count();
        b.awaiting = now.saturating_sub(b.downweighted);
        b.downweighted = now;
    }
    bursts
}

impl Engine {
    /// The flagged bursts and the down-weighting decisions (organizers only).
    pub async fn conversation_bursts(&self, actor: &Actor, slate: &str) -> Result<BurstsView> {
        let mut tx = self.store.read().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        let (_, result) = load_result(tx.as_mut(), s.id).await?;
        let rows = tx.downweights(s.id).await?;
        let mut decisions = Vec::new();
        for row in &rows {
            let decided_by = match row.d.decided_by {
                Some(id) => tx
                    .user(id)
                    .await?
                    .map_or_else(|| format!("account {id}"), |u| u.name),
                None => "an API token".to_owned(),
            };
            decisions.push(DownweightView {
                participants: row.d.participants.len(),
                burst_from: row.d.burst_from,
                burst_until: row.d.burst_until,
                decided_by,
                decided_at: row.d.decided_at,
            });
        }
        Ok(BurstsView {
            bursts: flagged(result.map(|(_, r)| r), &rows),
            decisions,
        })
    }

    /// An organizer down-weights the burst `key` of the latest result: its
    /// participants' votes leave the bridging fit from the next recompute.
    pub async fn downweight_burst(&self, actor: &Actor, slate: &str, key: &str) -> Result<usize> {
        let mut tx = self.store.write().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        let (_, result) = load_result(tx.as_mut(), s.id).await?;
        let decisions = tx.downweights(s.id).await?;
        let burst = flagged(result.map(|(_, r)| r), &decisions)
            .into_iter()
            .find(|b| b.key == key)
            .ok_or_else(|| {
                EngineError::invalid(
                    "burst",
                    format!("{key:?} is not a burst flagged in the latest results"),
                )
            })?;
        if burst.is_downweighted() {
            return Err(EngineError::conflict(
                "already_downweighted",
                "that burst is down-weighted already",
            ));
        }
        tx.insert_downweight(&NewDownweight {
            slate_id: s.id,
            participants: burst.participants.clone(),
            burst_from: burst.from_time(),
            burst_until: burst.until_time(),
            decided_by: actor.account().map(|a| a.user.id),
            decided_at: self.now(),
        })
        .await?;
        tx.touch_conversation(s.id).await?;
        tx.commit().await?;
        Ok(burst.participants.len())
    }
}
