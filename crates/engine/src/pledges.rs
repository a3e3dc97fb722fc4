//! Pledges: intake (idempotent), the pledger's view through their receipt,
//! and cancellation.

use chrono::NaiveDate;
use cohort_core::model::{is_state, Actions, PledgeKind, PledgeStatus, Recurrence};
use cohort_core::{Cents, Condition, Email};
use cohort_store::{Donor, Id, NewPledge, PendingPledge, PledgeRow, PotDelta, SlateRow, StoreError, Tx};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::auth::secrets_equal;
use crate::settle::pot_changed;
use crate::slates::{find_slate, parse_condition, parse_date, text};
use crate::views::{AllocationView, PledgeView};
use crate::{Engine, EngineError, Result};

/// The body of `POST /api/slates/{slug}/pledges`.
#[derive(Clone, Debug, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct PledgeInput {
    pub kind: String,
    #[serde(default)]
    pub amount_cents: Option<i64>,
    #[serde(default)]
    pub recurring: Option<String>,
    #[serde(default)]
    pub hours_per_week: Option<i64>,
    #[serde(default)]
    pub weeks: Option<i64>,
    #[serde(default)]
    pub skills: Option<Vec<String>>,
    #[serde(default)]
    pub actions: Option<ActionsInput>,
    #[serde(default)]
    pub condition: Option<String>,
    #[serde(default)]
    pub candidates: Option<Vec<String>>,
    #[serde(default)]
    pub deadline: Option<String>,
    pub donor: DonorInput,
    #[serde(default, rename = "ref")]
    pub ref_code: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ActionsInput {
    #[serde(default)]
    pub doors: i64,
    #[serde(default)]
    pub calls: i64,
    #[serde(default)]
    pub texts: i64,
}

#[derive(Clone, Debug, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct DonorInput {
    pub email: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub zip: String,
    #[serde(default)]
    pub employer: String,
    #[serde(default)]
    pub occupation: String,
    #[serde(default)]
    pub attests_eligible: bool,
}

/// The answer to a pledge request; `created` is false for an idempotent replay.
#[derive(Clone, Debug)]
pub struct PledgeOutcome {
    pub pledge: PledgeView,
    pub created: bool,
}

/// Above this aggregate the FEC needs a donor's employer and occupation.
const ITEMIZATION_THRESHOLD: Cents = Cents(20_000);

/// A pledge request checked against its slate.
struct Valid {
    kind: PledgeKind,
    condition: Condition,
    candidates: Option<Vec<Id>>,
    deadline: NaiveDate,
    email: Email,
    donor: Donor,
    ref_code: Option<String>,
}

fn count(field: &str, v: i64, max: i64) -> Result<u32> {
    if !(0..=max).contains(&v) {
        return Err(EngineError::invalid(field, format!("must be between 0 and {max}")));
    }
    Ok(v as u32)
}

fn validate(input: &PledgeInput, slate: &SlateRow, candidates: &[cohort_store::CandidateRow], today: NaiveDate) -> Result<Valid> {
    let kind = match input.kind.as_str() {
        "money" => {
            let cents = input
                .amount_cents
                .ok_or_else(|| EngineError::invalid("amount_cents", "a money pledge needs amount_cents"))?;
            let amount = Cents::pledge_amount(cents).map_err(|e| EngineError::invalid("amount_cents", e.to_string()))?;
            let recurring = match input.recurring.as_deref() {
                None | Some("once") => Recurrence::Once,
                Some("monthly") => Recurrence::Monthly,
                Some(other) => {
                    return Err(EngineError::invalid("recurring", format!("{other:?} is not \"once\" or \"monthly\"")))
                }
            };
            PledgeKind::Money { amount, recurring }
        }
        "hours" => {
            let per_week = input
                .hours_per_week
                .ok_or_else(|| EngineError::invalid("hours_per_week", "an hours pledge needs hours_per_week"))?;
            if !(1..=80).contains(&per_week) {
                return Err(EngineError::invalid("hours_per_week", "must be between 1 and 80"));
            }
            let weeks = input.weeks.ok_or_else(|| EngineError::invalid("weeks", "an hours pledge needs weeks"))?;
            if !(1..=104).contains(&weeks) {
                return Err(EngineError::invalid("weeks", "must be between 1 and 104"));
            }
            let skills = input.skills.clone().unwrap_or_default();
            if skills.len() > 20 {
                return Err(EngineError::invalid("skills", "at most 20 skills"));
            }
            let skills = skills
                .iter()
                .enumerate()
                .map(|(i, s)| text(&format!("skills[{i}]"), &s.to_lowercase(), 40, true))
                .collect::<Result<Vec<_>>>()?;
            PledgeKind::Hours { hours_per_week: per_week as u32, weeks: weeks as u32, skills }
        }
        "actions" => {
            let a = input
                .actions
                .as_ref()
                .ok_or_else(|| EngineError::invalid("actions", "an actions pledge needs actions: {doors, calls, texts}"))?;
            let actions = Actions {
                doors: count("actions.doors", a.doors, 100_000)?,
                calls: count("actions.calls", a.calls, 100_000)?,
                texts: count("actions.texts", a.texts, 1_000_000)?,
            };
            if actions.doors + actions.calls + actions.texts == 0 {
                return Err(EngineError::invalid("actions", "pledge at least one door, call or text"));
            }
            PledgeKind::Actions(actions)
        }
        other => {
            return Err(EngineError::invalid("kind", format!("{other:?} is not \"money\", \"hours\" or \"actions\"")))
        }
    };
    if input.kind != "money" && input.amount_cents.is_some() {
        return Err(EngineError::invalid("amount_cents", format!("only money pledges have an amount, not {}", input.kind)));
    }
    let condition = match input.condition.as_deref() {
        Some(c) if !c.trim().is_empty() => parse_condition("condition", c)?,
        _ => slate.condition.clone(),
    };
    for (i, mentioned) in condition.mentioned_candidates().iter().enumerate() {
        if !candidates.iter().any(|c| c.slug.as_str() == mentioned) {
            return Err(EngineError::invalid(
                "condition",
                format!("names {mentioned:?} (mention {}), who is not a candidate on {}", i + 1, slate.slug),
            ));
        }
    }
    let chosen = match &input.candidates {
        None => None,
        Some(list) if list.is_empty() => None,
        Some(list) => {
            if input.kind != "money" {
                return Err(EngineError::invalid("candidates", "only money pledges split across chosen candidates"));
            }
            let mut ids = Vec::with_capacity(list.len());
            for (i, slug) in list.iter().enumerate() {
                let c = candidates.iter().find(|c| c.slug.as_str() == slug).ok_or_else(|| {
                    EngineError::invalid(format!("candidates[{i}]"), format!("{slug:?} is not a candidate on {}", slate.slug))
                })?;
                if !ids.contains(&c.id) {
                    ids.push(c.id);
                }
            }
            ids.sort_unstable();
            Some(ids)
        }
    };
    let deadline = match input.deadline.as_deref() {
        Some(d) => parse_date("deadline", d)?,
        None => candidates
            .iter()
            .map(|c| c.race.general_date)
            .max()
            .unwrap_or_else(|| NaiveDate::from_ymd_opt(slate.cycle, 11, 30).unwrap_or(today)),
    };
    if deadline < today {
        return Err(EngineError::invalid("deadline", format!("{deadline} has already passed")));
    }
    let d = &input.donor;
    let email = Email::parse(&d.email).map_err(|e| EngineError::invalid("donor.email", format!("{:?} {e}", d.email)))?;
    let state = d.state.trim().to_uppercase();
    if !state.is_empty() && !is_state(&state) {
        return Err(EngineError::invalid("donor.state", format!("{:?} is not a two-letter state code", d.state)));
    }
    let zip = d.zip.trim();
    let zip_ok = zip.is_empty()
        || (zip.len() == 5 || (zip.len() == 10 && zip.as_bytes()[5] == b'-'))
            && zip.chars().enumerate().all(|(i, c)| c.is_ascii_digit() || (i == 5 && c == '-'));
    if !zip_ok {
        return Err(EngineError::invalid("donor.zip", format!("{zip:?} is not a ZIP code like 10001 or 10001-1234")));
    }
    let donor = Donor {
        name: text("donor.name", &d.name, 200, input.kind == "money")?,
        address: text("donor.address", &d.address, 300, false)?,
        city: text("donor.city", &d.city, 100, false)?,
        state,
        zip: zip.to_owned(),
        employer: text("donor.employer", &d.employer, 200, false)?,
        occupation: text("donor.occupation", &d.occupation, 200, false)?,
        attests_eligible: d.attests_eligible,
    };
    if let PledgeKind::Money { amount, .. } = &kind {
        if !donor.attests_eligible {
            return Err(EngineError::invalid(
                "donor.attests_eligible",
                "a money pledge needs the donor to attest they are a U.S. citizen or permanent resident giving their own money, not a federal contractor",
            ));
        }
        if *amount > ITEMIZATION_THRESHOLD && (donor.employer.is_empty() || donor.occupation.is_empty()) {
            let field = if donor.employer.is_empty() { "donor.employer" } else { "donor.occupation" };
            return Err(EngineError::invalid(field, "federal law needs employer and occupation for gifts over $200"));
        }
    }
    let ref_code = match input.ref_code.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(r) if r.len() <= 64 && r.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') => Some(r.to_owned()),
        Some(_) => return Err(EngineError::invalid("ref", "must be up to 64 letters, digits, hyphens or underscores")),
    };
    Ok(Valid { kind, condition, candidates: chosen, deadline, email, donor, ref_code })
}

/// SHA-256 of the canonical JSON of a request: a retry under the same key
/// must carry the same body.
pub fn request_hash(input: &PledgeInput) -> String {
    let json = serde_json::to_string(input).unwrap_or_default();
    hex::encode(Sha256::digest(json.as_bytes()))
}

impl Engine {
    /// Take a pledge. With an idempotency key, a repeat of the same request
    /// answers as the first did and writes nothing; the same key with a
    /// different body is a conflict.
    pub async fn pledge(&self, slate: &str, input: PledgeInput, idempotency_key: Option<&str>) -> Result<PledgeOutcome> {
        if let Some(k) = idempotency_key {
            if k.is_empty() || k.len() > 255 {
                return Err(EngineError::invalid("Idempotency-Key", "must be 1 to 255 characters"));
            }
        }
        let hash = request_hash(&input);
        let at = self.now();
        let today = at.date_naive();
        let mut tx = self.store.write().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        if let Some(key) = idempotency_key {
            if let Some(existing) = tx.pledge_by_idempotency_key(&format!("{}:{key}", s.id)).await? {
                return replay(tx.as_mut(), existing, &hash).await;
            }
        }
        let candidates = tx.candidates(s.id).await?;
        let v = validate(&input, &s, &candidates, today)?;
        tx.lock_slate(s.id).await?;
        let condition_id = tx.condition_id(s.id, &v.condition).await?;
        let receipt = self.tokens.token();
        let new = NewPledge {
            slate_id: s.id,
            kind: v.kind.clone(),
            condition_id,
            candidates: v.candidates,
            deadline: v.deadline,
            email: v.email.clone(),
            donor: v.donor,
            ref_code: v.ref_code,
            receipt_token: receipt.clone(),
            idempotency_key: idempotency_key.map(|k| format!("{}:{k}", s.id)),
            request_hash: hash.clone(),
            created_at: at,
        };
        let id = match tx.insert_pledge(&new).await {
            Ok(id) => id,
            Err(StoreError::Conflict { .. }) if idempotency_key.is_some() => {
                // A concurrent request with the same key won the race: answer as it did.
                drop(tx);
                let mut tx = self.store.read().await?;
                let key = format!("{}:{}", s.id, idempotency_key.unwrap_or_default());
                let existing = tx
                    .pledge_by_idempotency_key(&key)
                    .await?
                    .ok_or_else(|| EngineError::conflict("idempotency_race", "please retry the request"))?;
                return replay(tx.as_mut(), existing, &hash).await;
            }
            Err(e) => return Err(e.into()),
        };
        let mut delta = PotDelta {
            pending_cents: v.kind.money().get(),
            hours_per_week_pending: i64::from(v.kind.hours_per_week()),
            ..PotDelta::default()
        };
        if tx.adjust_pledger(s.id, &v.email, 1).await? == 1 {
            delta.pledgers = 1;
        }
        tx.add_to_pot(s.id, &delta).await?;
        let commitment = hex::encode(Sha256::digest(format!("{id}:{receipt}").as_bytes()));
        let payload = serde_json::json!({ "pledge": id, "kind": v.kind.kind_str(), "receipt_commitment": commitment });
        tx.append_event(s.id, "pledged", &payload.to_string(), at).await?;
        self.settle(tx.as_mut(), &s, pot_changed(), Some(condition_id), at).await?;
        let row = tx
            .pledge(id)
            .await?
            .ok_or_else(|| EngineError::not_found("pledge", id.to_string()))?;
        let mut view = pledge_view(tx.as_mut(), &s, &row).await?;
        tx.commit().await?;
        view.receipt_token = Some(receipt);
        Ok(PledgeOutcome { pledge: view, created: true })
    }

    /// A pledge as its pledger sees it, with the receipt token as proof.
    pub async fn pledge_view(&self, id: Id, token: &str) -> Result<PledgeView> {
        let mut tx = self.store.read().await?;
        let row = owned_pledge(tx.as_mut(), id, token).await?;
        let slate = tx
            .slate(row.slate_id)
            .await?
            .ok_or_else(|| EngineError::not_found("slate", row.slate_id.to_string()))?;
        pledge_view(tx.as_mut(), &slate, &row).await
    }

    /// Cancel a pending pledge. An unlocked pledge can no longer be cancelled.
    pub async fn cancel(&self, id: Id, token: &str) -> Result<()> {
        let at = self.now();
        let mut tx = self.store.write().await?;
        let row = owned_pledge(tx.as_mut(), id, token).await?;
        let slate = tx
            .slate(row.slate_id)
            .await?
            .ok_or_else(|| EngineError::not_found("slate", row.slate_id.to_string()))?;
        tx.lock_slate(slate.id).await?;
        if !tx.set_status(id, PledgeStatus::Pending, PledgeStatus::Cancelled).await? {
            return Err(EngineError::conflict(
                "not_pending",
                format!("this pledge is {} and can no longer be cancelled", row.status.as_str()),
            ));
        }
        let gone = PendingPledge {
            id,
            email: row.email.clone(),
            amount: row.kind.money(),
            hours_per_week: i64::from(row.kind.hours_per_week()),
            candidates: row.candidates.clone(),
        };
        self.leave_pot(tx.as_mut(), slate.id, &[gone]).await?;
        let payload = serde_json::json!({ "pledge": id });
        tx.append_event(slate.id, "cancelled", &payload.to_string(), at).await?;
        self.settle(tx.as_mut(), &slate, pot_changed(), None, at).await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn owned_pledge(tx: &mut dyn Tx, id: Id, token: &str) -> Result<PledgeRow> {
    let row = tx.pledge(id).await?;
    match row {
        Some(r) if secrets_equal(&r.receipt_token, token) => Ok(r),
        // The same answer whether the pledge is missing or the token is wrong,
        // so pledge ids can't be probed.
        _ => Err(EngineError::not_found("pledge", id.to_string())),
    }
}

async fn replay(tx: &mut dyn Tx, existing: PledgeRow, hash: &str) -> Result<PledgeOutcome> {
    if existing.request_hash != hash {
        return Err(EngineError::conflict(
            "idempotency_key_reused",
            "this Idempotency-Key was already used with a different request body",
        ));
    }
    let slate = tx
        .slate(existing.slate_id)
        .await?
        .ok_or_else(|| EngineError::not_found("slate", existing.slate_id.to_string()))?;
    let mut view = pledge_view(tx, &slate, &existing).await?;
    view.receipt_token = Some(existing.receipt_token.clone());
    Ok(PledgeOutcome { pledge: view, created: false })
}

async fn pledge_view(tx: &mut dyn Tx, slate: &SlateRow, row: &PledgeRow) -> Result<PledgeView> {
    let candidates = tx.candidates(slate.id).await?;
    let slug = |id: Id| {
        candidates
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.slug.to_string())
            .unwrap_or_else(|| format!("#{id}"))
    };
    let installments = tx.installments(row.id).await?;
    let allocations = installments
        .iter()
        .flat_map(|i| {
            i.allocations.iter().map(|a| AllocationView {
                candidate: slug(a.candidate_id),
                cents: a.cents.get(),
                election: a.election.as_str().to_owned(),
                period: i.period,
            })
        })
        .collect();
    let (amount_cents, recurring, hours_per_week, weeks, skills, actions) = match &row.kind {
        PledgeKind::Money { amount, recurring } => (Some(amount.get()), Some(recurring.as_str().to_owned()), None, None, None, None),
        PledgeKind::Hours { hours_per_week, weeks, skills } => (None, None, Some(*hours_per_week), Some(*weeks), Some(skills.clone()), None),
        PledgeKind::Actions(a) => (None, None, None, None, None, Some(*a)),
    };
    Ok(PledgeView {
        id: row.id,
        slate: slate.slug.to_string(),
        kind: row.kind.kind_str().to_owned(),
        status: row.status.as_str().to_owned(),
        amount_cents,
        recurring,
        hours_per_week,
        weeks,
        skills,
        actions,
        condition: row.condition.canonical(),
        condition_text: row.condition.to_english(),
        candidates: row.candidates.as_ref().map(|ids| ids.iter().map(|id| slug(*id)).collect()),
        deadline: row.deadline.to_string(),
        ref_code: row.ref_code.clone(),
        created_at: row.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        unlocked_at: row.unlocked_at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        receipt_token: None,
        allocations,
        unallocated_cents: installments.iter().map(|i| i.unallocated.get()).sum(),
    })
}
