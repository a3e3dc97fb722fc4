//! Slates, their candidates and their compacts: the organizer's use cases, and
//! the public view of a slate.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use cohort_core::limits::{LimitEntry, LimitTable};
use cohort_core::model::{is_state, CompactContent, Office, Plank, Race};
use cohort_core::SlateEventKind;
use cohort_core::{Cents, Condition, Facts, Named, Slug};
use cohort_store::{CompactRow, Id, NewCandidate, NewSlate, SlateRow, StoreError, Tx};
use serde::Deserialize;

use crate::settle::SlateState;
use crate::views::*;
use crate::{Actor, Engine, EngineError, Result};

/// `POST /api/slates`.
#[derive(utoipa::ToSchema, Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlateInput {
    pub slug: String,
    pub name: String,
    pub cycle: i32,
    #[serde(default)]
    pub description: String,
    pub condition: String,
}

/// `PATCH /api/slates/{slug}`: what an organizer may change after creation.
#[derive(utoipa::ToSchema, Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlateEdit {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub condition: String,
}

/// `POST /api/slates/{slug}/candidates`.
#[derive(utoipa::ToSchema, Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CandidateInput {
    pub slug: String,
    pub name: String,
    pub office: String,
    pub state: String,
    #[serde(default)]
    pub district: Option<String>,
    #[serde(default)]
    pub primary_date: Option<String>,
    pub general_date: String,
}

/// `POST /api/slates/{slug}/compact`.
#[derive(utoipa::ToSchema, Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompactInput {
    /// Strings (not measured) or objects with a measure (API.md, "Commitments").
    pub commitments: Vec<cohort_core::commitment::CommitmentInput>,
    #[serde(default)]
    pub planks: Vec<Plank>,
}

pub(crate) fn parse_slug(field: &str, s: &str) -> Result<Slug> {
    Slug::parse(s).map_err(|e| EngineError::invalid(field, format!("{s:?} {e}")))
}

pub(crate) fn parse_date(field: &str, s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| EngineError::invalid(field, format!("{s:?} is not a date like 2028-11-07")))
}

pub(crate) fn parse_condition(field: &str, s: &str) -> Result<Condition> {
    Condition::parse(s).map_err(|e| EngineError::invalid(field, e.to_string()))
}

/// Trimmed text of at most `max` characters; `required` texts must not be empty.
pub(crate) fn text(field: &str, s: &str, max: usize, required: bool) -> Result<String> {
    let t = s.trim();
    if required && t.is_empty() {
        return Err(EngineError::invalid(field, "must not be empty"));
    }
    if t.chars().count() > max {
        return Err(EngineError::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(EngineError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    Ok(t.to_owned())
}

/// A compact's content from its input, each text checked.
pub(crate) fn compact_content(input: &CompactInput) -> Result<CompactContent> {
    if input.commitments.is_empty() {
        return Err(EngineError::invalid(
            "commitments",
            "a compact needs at least one commitment",
        ));
    }
    if input.commitments.len() > 100 || input.planks.len() > 200 {
        return Err(EngineError::invalid(
            "commitments",
            "at most 100 commitments and 200 planks",
        ));
    }
    let mut commitments = Vec::with_capacity(input.commitments.len());
    let mut measures = Vec::with_capacity(input.commitments.len());
    for (i, c) in input.commitments.iter().enumerate() {
        let (t, measure) = cohort_core::commitment::parse_commitment(i, c)
            .map_err(|e| EngineError::invalid(e.field, e.message))?;
        let field = match measure {
            Some(_) => format!("commitments[{i}].text"),
            None => format!("commitments[{i}]"),
        };
        commitments.push(text(&field, &t, 1_000, true)?);
        measures.push(measure);
    }
    if measures.iter().all(Option::is_none) {
        measures.clear();
    }
    let planks = input
        .planks
        .iter()
        .enumerate()
        .map(|(i, p)| {
            Ok(Plank {
                title: text(&format!("planks[{i}].title"), &p.title, 200, true)?,
                why: text(&format!("planks[{i}].why"), &p.why, 2_000, true)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(CompactContent {
        commitments,
        planks,
        measures,
    })
}

pub(crate) async fn find_slate(tx: &mut dyn Tx, slug: &str) -> Result<SlateRow> {
    tx.slate_by_slug(slug)
        .await?
        .ok_or_else(|| EngineError::not_found("slate", slug))
}

fn conflict_on_duplicate(e: StoreError, code: &'static str, message: String) -> EngineError {
    match e {
        StoreError::Conflict { .. } => EngineError::conflict(code, message),
        other => EngineError::Store(other),
    }
}

impl Engine {
    pub async fn create_slate(&self, actor: &Actor, input: SlateInput) -> Result<SlateView> {
        actor.require_global_organizer()?;
        let slug = parse_slug("slug", &input.slug)?;
        let name = text("name", &input.name, 200, true)?;
        let description = text("description", &input.description, 5_000, false)?;
        if !(2000..=2100).contains(&input.cycle) || input.cycle % 2 != 0 {
            return Err(EngineError::invalid(
                "cycle",
                "must be an even election year like 2028",
            ));
        }
        let condition = parse_condition("condition", &input.condition)?;
        let mut tx = self.store.write().await?;
        let new = NewSlate {
            slug: slug.clone(),
            name,
            cycle: input.cycle,
            description,
            condition,
            limits: LimitTable::new(),
            created_at: self.now(),
        };
        let slate = tx.insert_slate(&new).await.map_err(|e| {
            conflict_on_duplicate(
                e,
                "slug_taken",
                format!("a slate named {slug} already exists"),
            )
        })?;
        let payload =
            serde_json::json!({ "slug": slug.as_str(), "condition": new.condition.canonical() });
        tx.append_event(
            slate.id,
            SlateEventKind::SlateCreated,
            &payload.to_string(),
            self.now(),
        )
        .await?;
        let view = self.slate_view_in(tx.as_mut(), &slate).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Rename a slate, rewrite what unites it, or change the condition new
    /// pledges default to. Pledges already made keep the condition their
    /// supporters saw (each stores its own), so nothing pending changes and
    /// nothing needs re-evaluating. The address and cycle are fixed: links
    /// and limits depend on them.
    pub async fn update_slate(
        &self,
        actor: &Actor,
        slate: &str,
        input: SlateEdit,
    ) -> Result<SlateView> {
        let name = text("name", &input.name, 200, true)?;
        let description = text("description", &input.description, 5_000, false)?;
        let condition = parse_condition("condition", &input.condition)?;
        let mut tx = self.store.write().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        tx.lock_slate(s.id).await?;
        tx.update_slate(s.id, &name, &description, &condition)
            .await?;
        let payload = serde_json::json!({
            "name": name,
            "condition": condition.canonical(),
            "condition_changed": condition != s.condition,
        });
        tx.append_event(
            s.id,
            SlateEventKind::SlateEdited,
            &payload.to_string(),
            self.now(),
        )
        .await?;
        let row = SlateRow {
            name,
            description,
            condition,
            ..s
        };
        let view = self.slate_view_in(tx.as_mut(), &row).await?;
        tx.commit().await?;
        Ok(view)
    }

    pub async fn add_candidate(
        &self,
        actor: &Actor,
        slate: &str,
        input: CandidateInput,
    ) -> Result<CandidateView> {
        let mut tx = self.store.write().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        let slug = parse_slug("slug", &input.slug)?;
        let name = text("name", &input.name, 200, true)?;
        let office: Office =
            input
                .office
                .parse()
                .map_err(|e: cohort_core::model::UnknownVariant| {
                    EngineError::invalid("office", e.to_string())
                })?;
        let state = input.state.trim().to_uppercase();
        if !is_state(&state) {
            return Err(EngineError::invalid(
                "state",
                format!("{:?} is not a two-letter state code like NY", input.state),
            ));
        }
        let district = match input.district.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(d) if matches!(office, Office::UsSenate | Office::Governor) => {
                return Err(EngineError::invalid(
                    "district",
                    format!(
                        "a {} race is statewide; leave district out (got {d:?})",
                        office.label()
                    ),
                ))
            }
            Some(d) if d.len() <= 8 && d.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') => {
                Some(d.to_owned())
            }
            Some(d) => {
                return Err(EngineError::invalid(
                    "district",
                    format!("{d:?} is not a district like 14 or AL"),
                ))
            }
        };
        let general_date = parse_date("general_date", &input.general_date)?;
        let primary_date = input
            .primary_date
            .as_deref()
            .map(|d| parse_date("primary_date", d))
            .transpose()?;
        if primary_date.is_some_and(|p| p > general_date) {
            return Err(EngineError::invalid(
                "primary_date",
                "must not be after the general election",
            ));
        }
        let race = Race {
            office,
            state,
            district,
            primary_date,
            general_date,
        };
        let row = tx
            .insert_candidate(
                s.id,
                &NewCandidate {
                    slug: slug.clone(),
                    name,
                    race,
                },
            )
            .await
            .map_err(|e| {
                conflict_on_duplicate(
                    e,
                    "candidate_exists",
                    format!("{slug} is already on {}", s.slug),
                )
            })?;
        let payload = serde_json::json!({ "candidate": slug.as_str(), "name": row.name });
        tx.append_event(
            s.id,
            SlateEventKind::CandidateAdded,
            &payload.to_string(),
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(candidate_view(&row, None))
    }

    pub async fn publish_compact(
        &self,
        actor: &Actor,
        slate: &str,
        input: CompactInput,
    ) -> Result<CompactVersionView> {
        let content = compact_content(&input)?;
        let mut tx = self.store.write().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        let view = self.publish_compact_in(tx.as_mut(), &s, content).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Publish `content` as the slate's next compact version inside `tx`
    /// (the caller has checked the organizer), so a use case can publish
    /// together with its own writes (adopting a plank from the conversation).
    pub(crate) async fn publish_compact_in(
        &self,
        tx: &mut dyn Tx,
        s: &SlateRow,
        content: CompactContent,
    ) -> Result<CompactVersionView> {
        tx.lock_slate(s.id).await?;
        let version = tx.latest_compact(s.id).await?.map_or(1, |c| c.version + 1);
        let row = CompactRow {
            version,
            hash: content.hash(),
            content,
            created_at: self.now(),
        };
        tx.insert_compact(s.id, &row).await?;
        let payload = serde_json::json!({ "version": version, "hash": row.hash });
        tx.append_event(
            s.id,
            SlateEventKind::CompactPublished,
            &payload.to_string(),
            self.now(),
        )
        .await?;
        Ok(CompactVersionView {
            version,
            hash: row.hash,
        })
    }

    /// Set contribution limits for this slate's offices and cycles (`None`:
    /// no limit). Federal offices keep the federal default unless set here.
    /// Applies to allocations made from now on.
    pub async fn set_limits(
        &self,
        actor: &Actor,
        slate: &str,
        entries: Vec<LimitEntry>,
    ) -> Result<Vec<LimitEntry>> {
        let mut tx = self.store.write().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        tx.lock_slate(s.id).await?;
        let mut limits = s.limits.clone();
        for (i, e) in entries.iter().enumerate() {
            if e.limit_cents.is_some_and(|c| c < Cents::ZERO) {
                return Err(EngineError::invalid(
                    format!("[{i}].limit_cents"),
                    "must not be negative",
                ));
            }
            if !(2000..=2100).contains(&e.cycle) {
                return Err(EngineError::invalid(
                    format!("[{i}].cycle"),
                    "must be an election year like 2028",
                ));
            }
            limits.set(e.office, e.cycle, e.limit_cents);
        }
        tx.update_limits(s.id, &limits).await?;
        let payload = serde_json::to_string(&limits).unwrap_or_default();
        tx.append_event(s.id, SlateEventKind::LimitsSet, &payload, self.now())
            .await?;
        tx.commit().await?;
        Ok(limits.overrides().collect())
    }

    /// The slate's public, append-only log, oldest first, after `after`.
    pub async fn events(
        &self,
        slate: &str,
        after: i64,
        limit: i64,
    ) -> Result<Vec<cohort_store::EventRow>> {
        let mut tx = self.store.read().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        Ok(tx.events(s.id, after, limit).await?)
    }

    pub async fn slate_view(&self, slug: &str) -> Result<SlateView> {
        let mut tx = self.store.read().await?;
        let slate = find_slate(tx.as_mut(), slug).await?;
        self.slate_view_in(tx.as_mut(), &slate).await
    }

    /// The slate as its organizers edit it; refuses anyone else.
    pub async fn slate_to_edit(&self, actor: &Actor, slug: &str) -> Result<SlateView> {
        let mut tx = self.store.read().await?;
        let slate = find_slate(tx.as_mut(), slug).await?;
        actor.require_organizer(&slate)?;
        self.slate_view_in(tx.as_mut(), &slate).await
    }

    pub async fn slates(&self) -> Result<Vec<SlateView>> {
        let mut tx = self.store.read().await?;
        let mut out = Vec::new();
        for slate in tx.slates().await? {
            out.push(self.slate_view_in(tx.as_mut(), &slate).await?);
        }
        Ok(out)
    }

    pub(crate) async fn slate_view_in(
        &self,
        tx: &mut dyn Tx,
        slate: &SlateRow,
    ) -> Result<SlateView> {
        let state = SlateState::load(tx, slate, self.today()).await?;
        let compact = tx.latest_compact(slate.id).await?;
        let signed: HashMap<Id, i32> = state
            .roster
            .signatures
            .iter()
            .map(|s| (s.candidate_id, s.version))
            .collect();
        let candidates = state
            .roster
            .candidates
            .iter()
            .map(|c| candidate_view(c, signed.get(&c.id).copied()))
            .collect();
        let (waiting, on_unlock) = waiting(tx, slate, &state).await?;
        let scored =
            crate::scorecard::with_scorecard(tx, slate, &state.facts, slate.condition.reads().kept)
                .await?;
        let named: Vec<Named> = state
            .roster
            .candidates
            .iter()
            .map(|c| Named::new(c.slug.to_string(), c.name.clone()))
            .collect();
        let blocking = slate
            .condition
            .unmet(scored.as_ref().unwrap_or(&state.facts), &named);
        Ok(SlateView {
            slug: slate.slug.to_string(),
            name: slate.name.clone(),
            cycle: slate.cycle,
            description: slate.description.clone(),
            condition: slate.condition.canonical(),
            condition_text: slate.condition.to_english(),
            compact: compact.map(|c| CompactView {
                version: c.version,
                hash: c.hash,
                commitments: c.content.commitments,
                planks: c.content.planks,
                measures: c.content.measures,
            }),
            candidates,
            signers: state.facts.signers(),
            states: state.facts.states(),
            mutual: state.facts.mutual(),
            unlocked: slate
                .condition
                .eval(scored.as_ref().unwrap_or(&state.facts)),
            pot: state.pot,
            waiting,
            endorsements: state
                .roster
                .endorsements
                .iter()
                .map(|e| EndorsementView {
                    from: state.slug(e.from_id),
                    to: state.slug(e.to_id),
                })
                .collect(),
            blocking,
            on_unlock,
        })
    }

    /// Per-candidate totals of allocated money: what each campaign will receive.
    pub async fn allocations(&self, actor: &Actor, slate: &str) -> Result<Vec<CandidateTotalView>> {
        let mut tx = self.store.read().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        let candidates = tx.candidates(s.id).await?;
        let totals = tx.candidate_totals(s.id).await?;
        Ok(totals
            .into_iter()
            .filter_map(|t| {
                candidates
                    .iter()
                    .find(|c| c.id == t.candidate_id)
                    .map(|c| CandidateTotalView {
                        candidate: c.slug.to_string(),
                        name: c.name.clone(),
                        cents: t.cents.get(),
                        contributions: t.contributions,
                    })
            })
            .collect())
    }
}

pub(crate) fn candidate_view(
    c: &cohort_store::CandidateRow,
    signed_version: Option<i32>,
) -> CandidateView {
    CandidateView {
        slug: c.slug.to_string(),
        name: c.name.clone(),
        office: c.race.office.as_str().to_owned(),
        state: c.race.state.clone(),
        district: c.race.district.clone(),
        primary_date: c.race.primary_date.map(|d| d.to_string()),
        general_date: c.race.general_date.to_string(),
        signed: signed_version.is_some(),
        signed_version,
    }
}

/// For each candidate who has not signed: the pending money and hours their
/// signature would bring them if the slate unlocked with them in, split
/// equally (before contribution limits, which depend on each donor's history).
async fn waiting(
    tx: &mut dyn Tx,
    slate: &SlateRow,
    state: &SlateState,
) -> Result<(Vec<WaitingView>, Vec<WaitingView>)> {
    let signed: HashSet<Id> = state
        .roster
        .signatures
        .iter()
        .map(|s| s.candidate_id)
        .collect();
    let rows = tx.waiting(slate.id).await?;
    // An unsigned candidate's share counts them among the signers; a
    // signer's share is split among today's signers.
    let share = |c: &cohort_store::CandidateRow, extra: i64| {
        let mut cents = 0i64;
        let mut hours = 0i64;
        for r in &rows {
            let recipients = match &r.chosen {
                None => signed.len() as i64 + extra,
                Some(chosen) if chosen.contains(&c.id) => {
                    chosen.iter().filter(|id| signed.contains(id)).count() as i64 + extra
                }
                Some(_) => continue,
            };
            if recipients > 0 {
                cents += r.cents.get() / recipients;
                hours += r.hours_per_week / recipients;
            }
        }
        WaitingView {
            candidate: c.slug.to_string(),
            cents: Cents(cents),
            hours_per_week: hours,
        }
    };
    let (signers, unsigned): (Vec<_>, Vec<_>) = state
        .roster
        .candidates
        .iter()
        .partition(|c| signed.contains(&c.id));
    Ok((
        unsigned.into_iter().map(|c| share(c, 1)).collect(),
        signers.into_iter().map(|c| share(c, 0)).collect(),
    ))
}
