//! A slate's public scorecard (issue 15): for each candidate and each
//! commitment of the compact version they signed, `kept`, `due`, `broken` or
//! `not_measured`, with the evidence. The engine loads the signatures,
//! endorsements and held joint events; `cohort_core::commitment` decides.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use cohort_core::commitment::{
    change_line, score, HeldEvent, Measure, OtherSigner, SignerRecord, Standing,
};
use cohort_core::joint_event::{EventStatus, HostAnswer};
use cohort_store::{CandidateRow, CompactRow, EndorsementRow, Id, SignatureRow, SlateRow, Tx};
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
    /// The measure's short name ("quarterly joint fundraiser"), for the
    /// digest's lines; not part of the JSON.
    #[serde(skip)]
    pub label: Option<String>,
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

/// What the scorecard reads of a slate, loaded once: the candidates, their
/// standing signatures, endorsements, the held joint events with the moment
/// each was recorded as held, and the compact versions signed.
#[derive(Clone, Debug)]
pub(crate) struct ScoreFacts {
    candidates: Vec<CandidateRow>,
    signatures: Vec<SignatureRow>,
    endorsements: Vec<EndorsementRow>,
    held: Vec<(HeldEvent, DateTime<Utc>)>,
    compacts: HashMap<i32, CompactRow>,
}

impl ScoreFacts {
    pub(crate) async fn load(tx: &mut dyn Tx, slate: &SlateRow) -> Result<ScoreFacts> {
        let candidates = tx.candidates(slate.id).await?;
        let signatures = tx.signatures(slate.id).await?;
        let endorsements = tx.endorsements(slate.id).await?;
        let held = tx
            .joint_events(slate.id)
            .await?
            .into_iter()
            .filter(|e| e.status == EventStatus::Held)
            .map(|e| {
                // Recording an event as held is its last change.
                let recorded = e.updated_at;
                let event = HeldEvent {
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
                };
                (event, recorded)
            })
            .collect();
        let mut compacts = HashMap::new();
        for s in &signatures {
            if let std::collections::hash_map::Entry::Vacant(e) = compacts.entry(s.version) {
                let c = tx
                    .compact_version(slate.id, s.version)
                    .await?
                    .ok_or_else(|| {
                        EngineError::not_found("compact version", s.version.to_string())
                    })?;
                e.insert(c);
            }
        }
        Ok(ScoreFacts {
            candidates,
            signatures,
            endorsements,
            held,
            compacts,
        })
    }

    /// The facts as they stood at `at`: only the signatures, endorsements
    /// and held records made by then.
    pub(crate) fn as_of(&self, at: DateTime<Utc>) -> ScoreFacts {
        ScoreFacts {
            candidates: self.candidates.clone(),
            signatures: self
                .signatures
                .iter()
                .filter(|s| s.signed_at <= at)
                .cloned()
                .collect(),
            endorsements: self
                .endorsements
                .iter()
                .filter(|e| e.at <= at)
                .cloned()
                .collect(),
            held: self
                .held
                .iter()
                .filter(|(_, recorded)| *recorded <= at)
                .cloned()
                .collect(),
            compacts: self.compacts.clone(),
        }
    }

    /// Each signer's `with_bloc` from their signature to `today` (see
    /// [`bloc_agreement`]), by candidate id.
    pub(crate) async fn bloc(
        &self,
        tx: &mut dyn Tx,
        slate: &SlateRow,
        today: NaiveDate,
    ) -> Result<HashMap<Id, Option<f64>>> {
        let mut out = HashMap::new();
        for s in &self.signatures {
            if let Some(c) = self.candidates.iter().find(|c| c.id == s.candidate_id) {
                let since = s.signed_at.date_naive();
                out.insert(c.id, bloc_agreement(tx, slate, c, since, today).await?);
            }
        }
        Ok(out)
    }

    /// Score every candidate on `today` (`bloc`: each signer's `with_bloc`).
    pub(crate) fn cards(
        &self,
        today: NaiveDate,
        bloc: &HashMap<Id, Option<f64>>,
    ) -> Vec<SignerCard> {
        let held: Vec<HeldEvent> = self.held.iter().map(|(e, _)| e.clone()).collect();
        let signed: HashMap<Id, (i32, NaiveDate)> = self
            .signatures
            .iter()
            .map(|s| (s.candidate_id, (s.version, s.signed_at.date_naive())))
            .collect();
        let mut cards = Vec::with_capacity(self.candidates.len());
        for c in &self.candidates {
            let unsigned = || SignerCard {
                candidate: c.slug.to_string(),
                name: c.name.clone(),
                signed: false,
                version: None,
                signed_on: None,
                commitments: Vec::new(),
            };
            let Some(&(version, signed_on)) = signed.get(&c.id) else {
                cards.push(unsigned());
                continue;
            };
            let Some(compact) = self.compacts.get(&version) else {
                cards.push(unsigned()); // loaded with every signature
                continue;
            };
            let others: Vec<OtherSigner> = self
                .candidates
                .iter()
                .filter(|o| o.id != c.id)
                .filter_map(|o| {
                    let &(_, theirs) = signed.get(&o.id)?;
                    Some(OtherSigner {
                        id: o.id,
                        name: o.name.clone(),
                        owed_since: theirs.max(signed_on),
                        endorsed: self
                            .endorsements
                            .iter()
                            .any(|e| e.from_id == c.id && e.to_id == o.id),
                    })
                })
                .collect();
            let record = SignerRecord {
                candidate_id: c.id,
                signed_on,
                others: &others,
                events: &held,
                bloc_agreement: bloc.get(&c.id).copied().flatten(),
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
                        label: measure.map(Measure::short_label),
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
        cards
    }
}

/// Score every candidate of `slate` on `today` (inside the caller's transaction).
pub(crate) async fn scorecard_in(
    tx: &mut dyn Tx,
    slate: &SlateRow,
    today: NaiveDate,
) -> Result<Vec<SignerCard>> {
    let facts = ScoreFacts::load(tx, slate).await?;
    let bloc = facts.bloc(tx, slate, today).await?;
    Ok(facts.cards(today, &bloc))
}

/// One line per change of a signer's standing on a measured commitment
/// from `before` to `after` (two scorings of one slate), in the order of
/// `after`. A signer who had not signed before, or a commitment they did
/// not carry before, is not a change.
pub(crate) fn changes(before: &[SignerCard], after: &[SignerCard]) -> Vec<String> {
    let mut out = Vec::new();
    for now in after.iter().filter(|c| c.signed) {
        let Some(then) = before
            .iter()
            .find(|b| b.signed && b.candidate == now.candidate)
        else {
            continue;
        };
        for c in &now.commitments {
            let Some(label) = &c.label else { continue };
            let was = then
                .commitments
                .iter()
                .find(|b| b.text == c.text && b.label.as_ref() == Some(label));
            if let Some(line) = was.and_then(|b| change_line(&now.name, label, b.status, c.status))
            {
                out.push(line);
            }
        }
    }
    out
}

/// The scorecard changes of `slate` between `since` and `at` (what the
/// weekly digest tells): the same facts scored as they stood at each.
pub(crate) async fn changes_between(
    tx: &mut dyn Tx,
    slate: &SlateRow,
    since: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<Vec<String>> {
    let facts = ScoreFacts::load(tx, slate).await?;
    let mut scored = Vec::with_capacity(2);
    for moment in [since, at] {
        let f = facts.as_of(moment);
        let today = moment.date_naive();
        let bloc = f.bloc(tx, slate, today).await?;
        scored.push(f.cards(today, &bloc));
    }
    Ok(changes(&scored[0], &scored[1]))
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use cohort_core::commitment::Every;
    use cohort_core::joint_event::EventKind;
    use cohort_core::model::{CompactContent, Office, Race};
    use cohort_core::Slug;

    fn t(day: u32) -> DateTime<Utc> {
        // Day 1 is Tuesday, November 24, 2026 (day n is n - 1 days later).
        Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap()
            + chrono::Duration::days(i64::from(day) - 1)
    }

    fn candidate(id: Id, slug: &str, name: &str) -> CandidateRow {
        CandidateRow {
            id,
            slate_id: 1,
            slug: Slug::parse(slug).unwrap(),
            name: name.into(),
            race: Race {
                office: Office::Governor,
                state: "MN".into(),
                district: None,
                primary_date: None,
                general_date: "2028-11-07".parse().unwrap(),
            },
        }
    }

    /// Ada (1) and Ben (2) sign on day 1 a compact promising to endorse
    /// every other signer and a joint fundraiser a quarter; Ada endorses Ben
    /// on day 1; a fundraiser both host on day 11 is recorded held on day 13.
    fn facts() -> ScoreFacts {
        let fundraiser = HeldEvent {
            id: 7,
            kind: EventKind::Fundraiser,
            title: "River dinner".into(),
            on: t(11).date_naive(),
            hosts: vec![1, 2],
        };
        let content = CompactContent {
            commitments: vec![
                "Refuse corporate PAC money".into(),
                "Endorse every other signer".into(),
                "A joint fundraiser every quarter".into(),
            ],
            planks: vec![],
            measures: vec![
                None,
                Some(Measure::EndorseAll),
                Some(Measure::JointEvents {
                    kind: EventKind::Fundraiser,
                    every: Every::Quarter,
                    count: 1,
                }),
            ],
        };
        ScoreFacts {
            candidates: vec![
                candidate(1, "ada-reyes", "Ada Reyes"),
                candidate(2, "ben-okafor", "Ben Okafor"),
                candidate(3, "cy-lindqvist", "Cy Lindqvist"),
            ],
            signatures: vec![
                SignatureRow {
                    candidate_id: 1,
                    version: 1,
                    signed_at: t(1),
                },
                SignatureRow {
                    candidate_id: 2,
                    version: 1,
                    signed_at: t(1),
                },
            ],
            endorsements: vec![EndorsementRow {
                from_id: 1,
                to_id: 2,
                at: t(1),
            }],
            held: vec![(fundraiser, t(13))],
            compacts: HashMap::from([(
                1,
                CompactRow {
                    version: 1,
                    hash: content.hash(),
                    content,
                    created_at: t(1),
                },
            )]),
        }
    }

    fn lines(f: &ScoreFacts, since: DateTime<Utc>, at: DateTime<Utc>) -> Vec<String> {
        let none = HashMap::new();
        changes(
            &f.as_of(since).cards(since.date_naive(), &none),
            &f.as_of(at).cards(at.date_naive(), &none),
        )
    }

    #[test]
    fn a_held_fundraiser_is_a_change_in_the_week_it_is_recorded() {
        let f = facts();
        assert_eq!(
            lines(&f, t(7), t(14)),
            vec![
                "Ada Reyes: quarterly joint fundraiser is now kept",
                "Ben Okafor: quarterly joint fundraiser is now kept",
            ]
        );
        // Recorded on day 13 for an event on day 11: the week from day 12
        // tells it (it was not on the scorecard before), the week after does not.
        assert_eq!(lines(&f, t(12), t(19)).len(), 2);
        assert!(lines(&f, t(14), t(21)).is_empty(), "told once");
    }

    #[test]
    fn a_missed_endorsement_breaks_a_month_after_both_signed() {
        let f = facts();
        assert_eq!(
            lines(&f, t(28), t(35)),
            vec!["Ben Okafor: endorsing every other signer is now broken"]
        );
        // A new quarter begins empty: kept turns due.
        let quarter = lines(&f, t(88), t(95));
        assert!(
            quarter.contains(&"Ada Reyes: quarterly joint fundraiser is now due".to_owned()),
            "{quarter:?}"
        );
    }

    #[test]
    fn nothing_is_a_change_for_a_signer_who_had_not_signed_yet() {
        let mut f = facts();
        f.signatures[1].signed_at = t(10);
        f.endorsements.clear();
        // Ben signed on day 10: at day 7 he had no standing to change.
        let l = lines(&f, t(7), t(14));
        assert!(l.iter().all(|l| !l.starts_with("Ben Okafor")), "{l:?}");
        // Ada had nobody to endorse on day 7 (kept) and owes Ben from day 10.
        assert_eq!(
            l,
            vec![
                "Ada Reyes: endorsing every other signer is now due",
                "Ada Reyes: quarterly joint fundraiser is now kept",
            ]
        );
    }

    #[test]
    fn the_facts_as_of_a_moment_leave_out_what_came_after() {
        let f = facts();
        let before = f.as_of(t(1) - chrono::Duration::seconds(1));
        assert!(before.signatures.is_empty() && before.endorsements.is_empty());
        assert!(f.as_of(t(12)).held.is_empty(), "recorded on day 13");
        assert_eq!(f.as_of(t(13)).held.len(), 1);
        let cards = before.cards(t(1).date_naive(), &HashMap::new());
        assert!(cards.iter().all(|c| !c.signed));
    }
}
