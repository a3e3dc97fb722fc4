//! A slate's public scorecard (issue 15): for each candidate and each
//! commitment of the compact version they signed, `kept`, `due`, `broken` or
//! `not_measured`, with the evidence. The engine loads the signatures,
//! endorsements and held joint events; `cohort_core::commitment` decides.

use std::collections::HashMap;

use chrono::NaiveDate;
use cohort_core::commitment::{score, HeldEvent, Measure, OtherSigner, SignerRecord, Standing};
use cohort_core::joint_event::{EventStatus, HostAnswer};
use cohort_store::{CandidateRow, CompactRow, Id, SlateRow, Tx};
use serde::Serialize;

use crate::{Engine, EngineError, Result};

#[derive(utoipa::ToSchema, Clone, Debug, Serialize)]
pub struct ScorecardView {
    pub slate: String,
    pub slate_name: String,
    /// The day the scorecard was read for.
    pub today: NaiveDate,
    pub candidates: Vec<SignerCard>,
}

#[derive(utoipa::ToSchema, Clone, Debug, Serialize)]
pub struct SignerCard {
    pub candidate: String,
    pub name: String,
    pub signed: bool,
    /// The compact version they signed, and when.
    pub version: Option<i32>,
    pub signed_on: Option<NaiveDate>,
    pub commitments: Vec<CommitmentScore>,
}

impl SignerCard {
    /// Every measured commitment kept or due (what `kept("cslug")` reads).
    pub fn holds(&self) -> bool {
        self.commitments.iter().all(|c| c.status.holds())
    }
}

#[derive(utoipa::ToSchema, Clone, Debug, Serialize)]
pub struct CommitmentScore {
    pub index: usize,
    pub text: String,
    /// `endorse_all`, `joint_events`, `bloc_agreement`, or null.
    pub measure: Option<&'static str>,
    pub status: Standing,
    /// A plain sentence with the evidence.
    pub detail: String,
    /// The held joint events that count, for the evidence.
    pub events: Vec<EventEvidence>,
}

#[derive(utoipa::ToSchema, Clone, Debug, Serialize)]
pub struct EventEvidence {
    pub id: Id,
    pub title: String,
    pub on: NaiveDate,
}

/// A signer's `with_bloc` (the share of counted roll calls on which they
/// voted with the bloc position, API.md "Roll calls and cohesion") over roll
/// calls from their signature to today; `None` while they have no counted
/// vote in that period (or no member id), so the commitment is
/// `not_measured`.
async fn bloc_agreement(
    tx: &mut dyn Tx,
    slate: &SlateRow,
    candidate: &CandidateRow,
    since: NaiveDate,
    today: NaiveDate,
) -> Result<Option<f64>> {
    let (from, to) = (since.to_string(), today.to_string());
    let figures =
        crate::governing::bloc_figures_between(tx, slate.id, Some(&from), Some(&to)).await?;
    Ok(figures.with_bloc.get(candidate.slug.as_str()).copied())
}

/// Score every candidate of `slate` on `today` (inside the caller's transaction).
pub(crate) async fn scorecard_in(
    tx: &mut dyn Tx,
    slate: &SlateRow,
    today: NaiveDate,
) -> Result<Vec<SignerCard>> {
    let candidates = tx.candidates(slate.id).await?;
    let signatures = tx.signatures(slate.id).await?;
    let endorsements = tx.endorsements(slate.id).await?;
    let held: Vec<HeldEvent> = tx
        .joint_events(slate.id)
        .await?
        .into_iter()
        .filter(|e| e.status == EventStatus::Held)
        .map(|e| HeldEvent {
            id: e.id,
            kind: e.kind,
            title: e.title,
            on: e.starts_at.date_naive(),
            hosts: e
                .hosts
                .iter()
                .filter(|h| h.answer == HostAnswer::Confirmed)
                .map(|h| h.candidate_id)
                .collect(),
        })
        .collect();
    let signed: HashMap<Id, (i32, NaiveDate)> = signatures
        .iter()
        .map(|s| (s.candidate_id, (s.version, s.signed_at.date_naive())))
        .collect();
    let mut compacts: HashMap<i32, Option<CompactRow>> = HashMap::new();
    let mut cards = Vec::with_capacity(candidates.len());
    for c in &candidates {
        let Some(&(version, signed_on)) = signed.get(&c.id) else {
            cards.push(SignerCard {
                candidate: c.slug.to_string(),
                name: c.name.clone(),
                signed: false,
                version: None,
                signed_on: None,
                commitments: Vec::new(),
            });
            continue;
        };
        if let std::collections::hash_map::Entry::Vacant(e) = compacts.entry(version) {
            e.insert(tx.compact_version(slate.id, version).await?);
        }
        let Some(Some(compact)) = compacts.get(&version) else {
            return Err(EngineError::not_found(
                "compact version",
                version.to_string(),
            ));
        };
        let others: Vec<OtherSigner> = candidates
            .iter()
            .filter(|o| o.id != c.id)
            .filter_map(|o| {
                let &(_, theirs) = signed.get(&o.id)?;
                Some(OtherSigner {
                    id: o.id,
                    name: o.name.clone(),
                    owed_since: theirs.max(signed_on),
                    endorsed: endorsements
                        .iter()
                        .any(|e| e.from_id == c.id && e.to_id == o.id),
                })
            })
            .collect();
        let bloc = bloc_agreement(tx, slate, c, signed_on, today).await?;
        let record = SignerRecord {
            candidate_id: c.id,
            signed_on,
            others: &others,
            events: &held,
            bloc_agreement: bloc,
        };
        let commitments = compact
            .content
            .commitments
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let measure: Option<&Measure> = compact.content.measure(i);
                let s = score(measure, &record, today);
                CommitmentScore {
                    index: i,
                    text: text.clone(),
                    measure: measure.map(Measure::name),
                    status: s.standing,
                    detail: s.detail,
                    events: s
                        .events
                        .iter()
                        .filter_map(|id| held.iter().find(|e| e.id == *id))
                        .map(|e| EventEvidence {
                            id: e.id,
                            title: e.title.clone(),
                            on: e.on,
                        })
                        .collect(),
                }
            })
            .collect();
        cards.push(SignerCard {
            candidate: c.slug.to_string(),
            name: c.name.clone(),
            signed: true,
            version: Some(version),
            signed_on: Some(signed_on),
            commitments,
        });
    }
    Ok(cards)
}

/// The candidates with a broken measured commitment on `today`: what
/// `kept("cslug")` and `kept_all` read (`Snapshot::broken`).
pub(crate) async fn broken_signers(
    tx: &mut dyn Tx,
    slate: &SlateRow,
    today: NaiveDate,
) -> Result<std::collections::BTreeSet<String>> {
    Ok(scorecard_in(tx, slate, today)
        .await?
        .into_iter()
        .filter(|c| !c.holds())
        .map(|c| c.candidate)
        .collect())
}

/// `facts` with the scorecard filled in when one of `reads` needs it (the
/// scorecard is read only for conditions that use `kept`/`kept_all`).
pub(crate) async fn with_scorecard(
    tx: &mut dyn Tx,
    slate: &SlateRow,
    facts: &cohort_core::facts::Snapshot,
    needed: bool,
) -> Result<Option<cohort_core::facts::Snapshot>> {
    if !needed {
        return Ok(None);
    }
    let mut f = facts.clone();
    f.broken = broken_signers(tx, slate, f.today).await?;
    Ok(Some(f))
}

impl Engine {
    /// `GET /api/slates/{slug}/scorecard` (public).
    pub async fn scorecard(&self, slug: &str) -> Result<ScorecardView> {
        let today = self.now().date_naive();
        let mut tx = self.store.read().await?;
        let slate = tx
            .slate_by_slug(slug)
            .await?
            .ok_or_else(|| EngineError::not_found("slate", slug))?;
        let candidates = scorecard_in(tx.as_mut(), &slate, today).await?;
        Ok(ScorecardView {
            slate: slate.slug.to_string(),
            slate_name: slate.name.clone(),
            today,
            candidates,
        })
    }
}
