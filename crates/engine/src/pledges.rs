//! Pledges: intake (idempotent), the pledger's view through their receipt,
//! and cancellation.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use cohort_core::model::{is_state, Actions, PledgeKind, PledgeStatus, Recurrence};
use cohort_core::{Cents, Condition, Email};
use cohort_store::{
    CandidateRow, ConditionRow, Donor, Id, IntakeWrites, NewPledge, PendingPledge, PledgeRow,
    PotDelta, SlateRow, StoreError, Tx,
};
use futures::channel::oneshot;
use futures::future::{self, Either};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::auth::Account;
use crate::sealing::Keyring;
use crate::secrets::token_hash;
use crate::settle::{intersects, pot_changed, SlateBase, SlateState};
use crate::slates::{parse_condition, parse_date, text};
use crate::views::{AllocationView, PledgeView};
use crate::{Engine, EngineError, Result};

/// The body of `POST /api/slates/{slug}/pledges`.
#[derive(utoipa::ToSchema, Clone, Debug, Default, Deserialize, serde::Serialize)]
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
    /// Given through this joint fundraiser: splits across its hosts only.
    /// Left out of the request hash when absent, so older keys still match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joint_event: Option<Id>,
}

#[derive(utoipa::ToSchema, Clone, Debug, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ActionsInput {
    #[serde(default)]
    pub doors: i64,
    #[serde(default)]
    pub calls: i64,
    #[serde(default)]
    pub texts: i64,
}

#[derive(utoipa::ToSchema, Clone, Debug, Default, Deserialize, serde::Serialize)]
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

fn interrupted() -> EngineError {
    EngineError::Store(StoreError::Unavailable(
        "the pledge batch was interrupted; nothing was saved".into(),
    ))
}

/// A pledge request waiting for the next batch.
struct Job {
    slate: String,
    input: PledgeInput,
    key: Option<String>,
    /// Made by the signed-in owner of the donor's address: their receipt
    /// goes out at once. Anyone else's is held (see `receipts_cap`).
    requested: bool,
    /// Entered by an organizer from a pledge made offline (the CSV import):
    /// its receipt says so.
    imported: bool,
    reply: oneshot::Sender<Result<PledgeOutcome>>,
}

/// Where a request stands inside a batch.
enum Staged {
    Created {
        row: Box<PledgeRow>,
        /// The receipt token itself; the row holds only its SHA-256.
        token: String,
    },
    Done(Box<PledgeOutcome>),
    /// The request needs to write what a slate's kept base holds (a new
    /// condition) before the slate is locked: the batch must run again, locking first.
    Stale,
}

/// How one try at a batch ended.
enum Attempt {
    /// Committed, or failed as a whole (then nothing was saved); each
    /// request's answer, in order.
    Ran(Result<()>, Vec<Result<Staged>>),
    /// A kept slate base turned out stale: rolled back, nothing answered.
    Stale,
}

/// A slate a batch touches: loaded once, and what the batch's pledges add to
/// it, written once at the end (pot, pledger counts) before one settle.
struct BatchSlate {
    base: Arc<SlateBase>,
    /// Whether the slate was locked when `base` was taken; if not, the
    /// pot's write locks it and checks `base`'s version.
    locked: bool,
    /// New pledges under reserved ids, for the batch's one write.
    pledges: Vec<(Id, NewPledge)>,
    /// Distinct conditions of the batch's pledges, by canonical text.
    conditions: HashMap<String, Id>,
    /// Conditions the batch created (not in `base`).
    created: Vec<ConditionRow>,
    delta: PotDelta,
    /// Live pledges each donor gained in this batch.
    donors: HashMap<Email, i64>,
    /// The batch's pledgers for the people list, filed after the pot's
    /// write has locked the slate (a person's row names the slate: filed
    /// first, two batches' key-share locks would deadlock on the lock).
    people: Vec<(Email, cohort_store::PersonFields)>,
    /// Receipts for the batch's new pledges, queued with them.
    receipts: Vec<(cohort_store::NewEmail, String)>,
    /// Payloads of the batch's `pledged` events, in order.
    events: Vec<String>,
}

/// The group-commit queue (see [`Engine::pledge`]).
#[derive(Default)]
pub(crate) struct Intake {
    queue: std::sync::Mutex<Vec<Job>>,
    leader: futures::lock::Mutex<()>,
    /// Pledge ids earlier batches reserved (see [`IntakeWrites::reserve`]),
    /// so a pledge can go in with its batch's one write.
    ids: std::sync::Mutex<Vec<Id>>,
}

/// Ids to keep reserved: enough for a few batches at low concurrency, where
/// the saved round trip matters; bigger batches take the rest one by one.
const RESERVE_IDS: usize = 64;

impl Intake {
    fn take_id(&self) -> Option<Id> {
        self.ids.lock().unwrap_or_else(|e| e.into_inner()).pop()
    }

    /// How many ids to ask the next write for.
    fn wanted(&self) -> usize {
        let kept = self.ids.lock().unwrap_or_else(|e| e.into_inner()).len();
        if kept < RESERVE_IDS / 4 {
            RESERVE_IDS - kept
        } else {
            0
        }
    }

    fn keep(&self, ids: Vec<Id>) {
        // Popped from the end: the lowest is handed out first, so one
        // server's pledges take ids in the order they arrive.
        let mut kept = self.ids.lock().unwrap_or_else(|e| e.into_inner());
        kept.extend(ids);
        kept.sort_unstable_by(|a, b| b.cmp(a));
    }
}

/// The three things FEC Advisory Opinion 2019-01 requires a conditional
/// earmark to state — the objective trigger outside Cohort's control, the
/// fixed date, and what happens otherwise (nothing is charged) — worded for
/// the pledge form or for the receipt.
pub fn conditional_disclosure(condition: &str, deadline: NaiveDate, receipt: bool) -> [String; 3] {
    use cohort_books::compliance::{conditional_earmark_disclosure, DisclosureFor};
    let d = conditional_earmark_disclosure(
        condition,
        deadline,
        "Cohort",
        if receipt {
            DisclosureFor::Receipt
        } else {
            DisclosureFor::Form
        },
    );
    [d.trigger, d.deadline, d.otherwise]
}

/// Above this aggregate the FEC needs a donor's employer and occupation.
const ITEMIZATION_THRESHOLD: Cents = Cents(20_000);

/// A pledge request checked against its slate.
pub(crate) struct Valid {
    pub(crate) kind: PledgeKind,
    pub(crate) condition: Condition,
    candidates: Option<Vec<Id>>,
    deadline: NaiveDate,
    email: Email,
    donor: Donor,
    ref_code: Option<String>,
}

fn count(field: &str, v: i64, max: i64) -> Result<u32> {
    if !(0..=max).contains(&v) {
        return Err(EngineError::invalid(
            field,
            format!("must be between 0 and {max}"),
        ));
    }
    Ok(v as u32)
}

pub(crate) fn validate(
    input: &PledgeInput,
    slate: &SlateRow,
    candidates: &[cohort_store::CandidateRow],
    today: NaiveDate,
) -> Result<Valid> {
    let kind = match input.kind.as_str() {
        "money" => {
            let cents = input.amount_cents.ok_or_else(|| {
                EngineError::invalid("amount_cents", "a money pledge needs amount_cents")
            })?;
            let amount = Cents::pledge_amount(cents)
                .map_err(|e| EngineError::invalid("amount_cents", e.to_string()))?;
            let recurring = match input.recurring.as_deref() {
                None | Some("once") => Recurrence::Once,
                Some("monthly") => Recurrence::Monthly,
                Some(other) => {
                    return Err(EngineError::invalid(
                        "recurring",
                        format!("{other:?} is not \"once\" or \"monthly\""),
                    ))
                }
            };
            PledgeKind::Money { amount, recurring }
        }
        "hours" => {
            let per_week = input.hours_per_week.ok_or_else(|| {
                EngineError::invalid("hours_per_week", "an hours pledge needs hours_per_week")
            })?;
            if !(1..=80).contains(&per_week) {
                return Err(EngineError::invalid(
                    "hours_per_week",
                    "must be between 1 and 80",
                ));
            }
            let weeks = input
                .weeks
                .ok_or_else(|| EngineError::invalid("weeks", "an hours pledge needs weeks"))?;
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
            PledgeKind::Hours {
                hours_per_week: per_week as u32,
                weeks: weeks as u32,
                skills,
            }
        }
        "actions" => {
            let a = input.actions.as_ref().ok_or_else(|| {
                EngineError::invalid(
                    "actions",
                    "an actions pledge needs actions: {doors, calls, texts}",
                )
            })?;
            let actions = Actions {
                doors: count("actions.doors", a.doors, 100_000)?,
                calls: count("actions.calls", a.calls, 100_000)?,
                texts: count("actions.texts", a.texts, 1_000_000)?,
            };
            if actions.doors + actions.calls + actions.texts == 0 {
                return Err(EngineError::invalid(
                    "actions",
                    "pledge at least one door, call or text",
                ));
            }
            PledgeKind::Actions(actions)
        }
        other => {
            return Err(EngineError::invalid(
                "kind",
                format!("{other:?} is not \"money\", \"hours\" or \"actions\""),
            ))
        }
    };
    if input.kind != "money" && input.amount_cents.is_some() {
        return Err(EngineError::invalid(
            "amount_cents",
            format!("only money pledges have an amount, not {}", input.kind),
        ));
    }
    let condition = match input.condition.as_deref() {
        Some(c) if !c.trim().is_empty() => parse_condition("condition", c)?,
        _ => slate.condition.clone(),
    };
    for (i, mentioned) in condition.mentioned_candidates().iter().enumerate() {
        if !candidates.iter().any(|c| c.slug.as_str() == mentioned) {
            return Err(EngineError::invalid(
                "condition",
                format!(
                    "names {mentioned:?} (mention {}), who is not a candidate on {}",
                    i + 1,
                    slate.slug
                ),
            ));
        }
    }
    let chosen = match &input.candidates {
        None => None,
        Some(list) if list.is_empty() => None,
        Some(list) => {
            if input.kind != "money" {
                return Err(EngineError::invalid(
                    "candidates",
                    "only money pledges split across chosen candidates",
                ));
            }
            let mut ids = Vec::with_capacity(list.len());
            for (i, slug) in list.iter().enumerate() {
                let c = candidates
                    .iter()
                    .find(|c| c.slug.as_str() == slug)
                    .ok_or_else(|| {
                        EngineError::invalid(
                            format!("candidates[{i}]"),
                            format!("{slug:?} is not a candidate on {}", slate.slug),
                        )
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
        None => {
            // By default a pledge waits until the slate's last general election.
            let last = candidates
                .iter()
                .map(|c| c.race.general_date)
                .max()
                .or_else(|| NaiveDate::from_ymd_opt(slate.cycle, 11, 30))
                .unwrap_or(today);
            if last < today {
                return Err(EngineError::invalid(
                    "deadline",
                    format!("the default deadline, the slate's last general election ({last}), has passed; send a deadline"),
                ));
            }
            last
        }
    };
    if deadline < today {
        return Err(EngineError::invalid(
            "deadline",
            format!("{deadline} has already passed"),
        ));
    }
    let (email, donor) = check_donor(&input.donor, &input.kind)?;
    if let PledgeKind::Money { amount, .. } = &kind {
        if !donor.attests_eligible {
            return Err(EngineError::invalid(
                "donor.attests_eligible",
                "a money pledge needs the donor to attest they are a U.S. citizen or permanent resident giving their own money, not a federal contractor",
            ));
        }
        if *amount > ITEMIZATION_THRESHOLD
            && (donor.employer.is_empty() || donor.occupation.is_empty())
        {
            let field = if donor.employer.is_empty() {
                "donor.employer"
            } else {
                "donor.occupation"
            };
            return Err(EngineError::invalid(
                field,
                "federal law needs employer and occupation for gifts over $200",
            ));
        }
    }
    let ref_code = match input.ref_code.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(r)
            if r.len() <= 64
                && r.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
        {
            Some(r.to_owned())
        }
        Some(_) => {
            return Err(EngineError::invalid(
                "ref",
                "must be up to 64 letters, digits, hyphens or underscores",
            ))
        }
    };
    Ok(Valid {
        kind,
        condition,
        candidates: chosen,
        deadline,
        email,
        donor,
        ref_code,
    })
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
    ///
    /// Pledges arriving together share one transaction and one durable commit
    /// (group commit): the caller that finds no batch in flight becomes the
    /// leader, takes every request queued meanwhile, and answers them all
    /// after the commit. Nobody is answered before their pledge is durable.
    pub async fn pledge(
        &self,
        slate: &str,
        input: PledgeInput,
        idempotency_key: Option<&str>,
    ) -> Result<PledgeOutcome> {
        self.pledge_with(slate, input, idempotency_key, false).await
    }

    /// [`Engine::pledge`] by the signed-in owner of the donor's address
    /// (the web form checks the session): its receipt is not held.
    pub async fn pledge_as_owner(
        &self,
        slate: &str,
        input: PledgeInput,
        idempotency_key: Option<&str>,
    ) -> Result<PledgeOutcome> {
        self.pledge_with(slate, input, idempotency_key, true).await
    }

    async fn pledge_with(
        &self,
        slate: &str,
        input: PledgeInput,
        idempotency_key: Option<&str>,
        requested: bool,
    ) -> Result<PledgeOutcome> {
        if let Some(k) = idempotency_key {
            if k.is_empty() || k.len() > 255 {
                return Err(EngineError::invalid(
                    "Idempotency-Key",
                    "must be 1 to 255 characters",
                ));
            }
        }
        let (reply, answer) = oneshot::channel();
        let job = Job {
            slate: slate.to_owned(),
            input,
            key: idempotency_key.map(str::to_owned),
            requested,
            imported: false,
            reply,
        };
        self.intake
            .queue
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(job);
        // Wait for whichever comes first: a leader answering us, or our turn to lead.
        // (Waiting only for the lock would let later arrivals lead again and again
        // while an answered request sat in line.)
        let turn = Box::pin(self.intake.leader.lock());
        let (leader, mut answer) = match future::select(answer, turn).await {
            Either::Left((done, _)) => return done.unwrap_or_else(|_| Err(interrupted())),
            Either::Right((leader, answer)) => (leader, answer),
        };
        if let Ok(Some(done)) = answer.try_recv() {
            return done;
        }
        let jobs =
            std::mem::take(&mut *self.intake.queue.lock().unwrap_or_else(|e| e.into_inner()));
        self.intake_batch(jobs).await;
        drop(leader);
        answer.await.unwrap_or_else(|_| Err(interrupted()))
    }

    /// Many pledges of one slate, each under its idempotency key, through
    /// the same group-committed intake as [`Engine::pledge`] (validation,
    /// log event, people list, receipt): the CSV import of pledges made
    /// offline. They join the queue together, so they share a batch (one
    /// transaction) with whatever else is waiting; their receipts are held
    /// like any pledge nobody signed in for. Answers are in `items`' order.
    pub(crate) async fn pledge_imported(
        &self,
        slate: &str,
        items: Vec<(PledgeInput, String)>,
    ) -> Vec<Result<PledgeOutcome>> {
        let mut answers = Vec::with_capacity(items.len());
        {
            let mut queue = self.intake.queue.lock().unwrap_or_else(|e| e.into_inner());
            for (input, key) in items {
                let (reply, answer) = oneshot::channel();
                queue.push(Job {
                    slate: slate.to_owned(),
                    input,
                    key: Some(key),
                    requested: false,
                    imported: true,
                    reply,
                });
                answers.push(answer);
            }
        }
        // Lead one batch: it takes the queue, ours included, unless a
        // leader before us already took it; either way every answer comes.
        let leader = self.intake.leader.lock().await;
        let jobs =
            std::mem::take(&mut *self.intake.queue.lock().unwrap_or_else(|e| e.into_inner()));
        if !jobs.is_empty() {
            self.intake_batch(jobs).await;
        }
        drop(leader);
        let mut out = Vec::with_capacity(answers.len());
        for a in answers {
            out.push(a.await.unwrap_or_else(|_| Err(interrupted())));
        }
        out
    }

    /// Process queued pledges in one transaction and answer each.
    ///
    /// A slate whose base the engine keeps is first tried without locking
    /// it up front: the lock is taken, and the version checked, by the
    /// batch's one write of the pot ([`PledgesTx::record_intake`]), a round
    /// trip fewer per batch. If the version moved meanwhile (someone signed,
    /// endorsed, added a candidate or a condition), the attempt is rolled back
    /// and the batch runs again, locking first.
    ///
    /// [`PledgesTx::record_intake`]: cohort_store::PledgesTx::record_intake
    async fn intake_batch(&self, jobs: Vec<Job>) {
        let at = self.now();
        let (outcome, staged) = match self.intake_attempt(&jobs, true, at).await {
            Attempt::Ran(outcome, staged) => (outcome, staged),
            Attempt::Stale => match self.intake_attempt(&jobs, false, at).await {
                Attempt::Ran(outcome, staged) => (outcome, staged),
                Attempt::Stale => (Err(interrupted()), Vec::new()),
            },
        };
        let mut staged = staged.into_iter();
        for job in jobs {
            let answer = match (&outcome, staged.next()) {
                (Err(e), _) => Err(EngineError::Store(StoreError::Unavailable(format!(
                    "nothing was saved: {e}"
                )))),
                (Ok(()), Some(Ok(Staged::Done(o)))) => Ok(*o),
                (Ok(()), Some(Err(e))) => Err(e),
                (Ok(()), _) => Err(EngineError::Store(StoreError::Other(
                    "a staged pledge was not finished".into(),
                ))),
            };
            let _ = job.reply.send(answer);
        }
    }

    /// One try at a batch: `kept` lets slates go unlocked until the pot's
    /// write (see [`Engine::intake_batch`]). Answers are in `jobs`' order.
    async fn intake_attempt(&self, jobs: &[Job], kept: bool, at: DateTime<Utc>) -> Attempt {
        let mut staged: Vec<Result<Staged>> = Vec::with_capacity(jobs.len());
        let outcome: Result<bool> = async {
            let mut tx = self.store.write().await?;
            let mut slates: HashMap<String, Option<BatchSlate>> = HashMap::new();
            for job in jobs {
                let r = self.stage(tx.as_mut(), job, &mut slates, kept, at).await;
                match r {
                    Err(EngineError::Store(e)) => return Err(EngineError::Store(e)),
                    Ok(Staged::Stale) => return Ok(false),
                    r => staged.push(r),
                }
            }
            let mut unlocked_any = std::collections::HashSet::new();
            for b in slates.values_mut().flatten() {
                let slate = &b.base.row;
                let donors: Vec<(Email, i64)> = b.donors.drain().collect();
                let recorded = tx
                    .record_intake(&IntakeWrites {
                        slate_id: slate.id,
                        pledges: &b.pledges,
                        events: &b.events,
                        donors: &donors,
                        emails: &b.receipts,
                        delta: b.delta,
                        at,
                        reserve: self.intake.wanted(),
                    })
                    .await?;
                // Unique whether or not this transaction commits.
                self.intake.keep(recorded.reserved);
                if !b.locked && recorded.slate_version != b.base.version {
                    return Ok(false);
                }
                for (email, person) in b.people.drain(..) {
                    tx.upsert_person(slate.id, &email, &person, "pledge", at)
                        .await?;
                }
                // The pot moved: check the conditions that read it, and the
                // batch's own (a pledge whose condition already holds unlocks
                // on arrival), against the base, now known to stand.
                let state = SlateState::new(b.base.roster.clone(), recorded.pot, at.date_naive());
                let used: Vec<Id> = b.conditions.values().copied().collect();
                let affected: Vec<&ConditionRow> = b
                    .base
                    .conditions
                    .iter()
                    .chain(&b.created)
                    .filter(|c| intersects(c.reads, pot_changed()) || used.contains(&c.id))
                    .collect();
                let settled = self
                    .unlock_where_true(tx.as_mut(), slate, &state, &affected, at)
                    .await?;
                if settled.unlocked > 0 {
                    unlocked_any.insert(slate.id);
                }
            }
            let by_id: HashMap<Id, &BatchSlate> = slates
                .values()
                .flatten()
                .map(|b| (b.base.row.id, b))
                .collect();
            for r in staged.iter_mut() {
                if let Ok(Staged::Created { row, token }) = r {
                    let Some(b) = by_id.get(&row.slate_id) else {
                        continue;
                    };
                    // Only a batch whose settle unlocked something needs to re-read its pledges.
                    let (row, installments) = if unlocked_any.contains(&row.slate_id) {
                        let fresh = tx
                            .pledge(row.id)
                            .await?
                            .ok_or_else(|| EngineError::not_found("pledge", row.id.to_string()))?;
                        let installments = tx.installments(row.id).await?;
                        (fresh, installments)
                    } else {
                        ((**row).clone(), Vec::new())
                    };
                    let mut view =
                        render_pledge(&b.base.row, &b.base.roster.candidates, &row, &installments);
                    view.receipt_token = Some(std::mem::take(token));
                    *r = Ok(Staged::Done(Box::new(PledgeOutcome {
                        pledge: view,
                        created: true,
                    })));
                }
            }
            tx.commit().await?;
            Ok(true)
        }
        .await;
        match outcome {
            Ok(true) => Attempt::Ran(Ok(()), staged),
            Ok(false) => Attempt::Stale,
            Err(e) => Attempt::Ran(Err(e), staged),
        }
    }

    /// Validate and write one pledge of a batch. Store errors abort the batch;
    /// any other error answers only this request.
    async fn stage(
        &self,
        tx: &mut dyn Tx,
        job: &Job,
        slates: &mut HashMap<String, Option<BatchSlate>>,
        kept: bool,
        at: DateTime<Utc>,
    ) -> Result<Staged> {
        if !slates.contains_key(&job.slate) {
            let (base, locked) = match self.kept_slate_base(&job.slate).filter(|_| kept) {
                Some(base) => (Some(base), false),
                None => (self.lock_slate_base(tx, &job.slate).await?, true),
            };
            let loaded = base.map(|base| BatchSlate {
                base,
                locked,
                pledges: Vec::new(),
                conditions: HashMap::new(),
                created: Vec::new(),
                delta: PotDelta::default(),
                donors: HashMap::new(),
                people: Vec::new(),
                receipts: Vec::new(),
                events: Vec::new(),
            });
            slates.insert(job.slate.clone(), loaded);
        }
        let Some(Some(b)) = slates.get_mut(&job.slate) else {
            return Err(EngineError::not_found("slate", job.slate.clone()));
        };
        let hash = request_hash(&job.input);
        let slate = &b.base.row;
        let key = job.key.as_ref().map(|k| format!("{}:{k}", slate.id));
        if let Some(key) = &key {
            if let Some(existing) = tx.pledge_by_idempotency_key(key).await? {
                return replay(tx, &self.keys, existing, &hash)
                    .await
                    .map(|o| Staged::Done(Box::new(o)));
            }
        }
        let mut v = validate(
            &job.input,
            slate,
            &b.base.roster.candidates,
            at.date_naive(),
        )?;
        if let Some(event_id) = job.input.joint_event {
            // The event's status is read under the slate's lock, as its own
            // use cases read it (see `joint_events::lock_event`).
            if !b.locked {
                return Ok(Staged::Stale);
            }
            v.candidates = Some(fundraiser_hosts(tx, slate, event_id, &job.input).await?);
        }
        let canonical = v.condition.canonical();
        let condition_id = match b.conditions.get(&canonical) {
            Some(id) => *id,
            None => {
                let id = match b.base.by_text.get(&canonical) {
                    Some(&i) => b.base.conditions[i].id,
                    // A new condition moves the slate's version: not before it is locked.
                    None if !b.locked => return Ok(Staged::Stale),
                    None => {
                        let id = tx.condition_id(slate.id, &v.condition).await?;
                        b.created.push(ConditionRow {
                            id,
                            reads: v.condition.reads(),
                            condition: v.condition.clone(),
                        });
                        id
                    }
                };
                b.conditions.insert(canonical, id);
                id
            }
        };
        // Under an Idempotency-Key the token is derived (key ring, key and
        // body), so a replay answers it again though only its hash is stored.
        let receipt = match &key {
            Some(k) => self.keys.idempotent_receipt(k, &hash),
            None => self.tokens.token(),
        };
        let new = NewPledge {
            slate_id: b.base.row.id,
            kind: v.kind.clone(),
            condition_id,
            candidates: v.candidates,
            deadline: v.deadline,
            email: v.email.clone(),
            donor: v.donor,
            ref_code: v.ref_code,
            // Only its SHA-256 is stored (issue 14): the database alone opens nothing.
            receipt_token: token_hash(&receipt),
            idempotency_key: key,
            request_hash: hash,
            created_at: at,
        };
        // A pledge under an id an earlier batch reserved goes in with the
        // batch's one write; one with an idempotency key goes in now, so a
        // repeat of its key later in the same batch finds it.
        // A joint fundraiser's pledge goes in now, so its link to the event can.
        let reserved = (job.key.is_none() && job.input.joint_event.is_none())
            .then(|| self.intake.take_id())
            .flatten();
        let id = match reserved {
            Some(id) => id,
            None => tx.insert_pledge(&new).await?,
        };
        if let Some(event_id) = job.input.joint_event {
            tx.link_joint_event_pledge(id, event_id).await?;
        }
        // The pledger joins the slate's people list (OSDI, CSV) in the same
        // transaction: one upsert, after the pot's write.
        b.people
            .push((new.email.clone(), crate::osdi::pledger_fields(&new.donor)));
        b.delta.pending_cents += v.kind.money().get();
        b.delta.hours_per_week_pending += i64::from(v.kind.hours_per_week());
        *b.donors.entry(v.email.clone()).or_default() += 1;
        let commitment = crate::log::receipt_commitment(id, &receipt);
        let payload = serde_json::json!({ "pledge": id, "kind": v.kind.kind_str(), "receipt_commitment": commitment });
        b.events.push(payload.to_string());
        let mut receipt_email =
            self.pledge_receipt(&b.base.row, id, &new, &receipt, &v.condition, job.imported);
        receipt_email.0.held = !job.requested;
        b.receipts.push(receipt_email);
        let row = PledgeRow {
            id,
            slate_id: new.slate_id,
            kind: new.kind.clone(),
            condition_id,
            condition: v.condition,
            candidates: new.candidates.clone(),
            deadline: new.deadline,
            email: new.email.clone(),
            donor: new.donor.clone(),
            ref_code: new.ref_code.clone(),
            status: PledgeStatus::Pending,
            receipt_token: new.receipt_token.clone(),
            idempotency_key: new.idempotency_key.clone(),
            request_hash: new.request_hash.clone(),
            created_at: at,
            unlocked_at: None,
            stopped_at: None,
        };
        if reserved.is_some() {
            b.pledges.push((id, new));
        }
        Ok(Staged::Created {
            row: Box::new(row),
            token: receipt,
        })
    }

    /// The receipt a new pledge's donor gets: what they pledged, what must
    /// happen by when, that nothing is charged otherwise, and their private link.
    fn pledge_receipt(
        &self,
        slate: &SlateRow,
        id: Id,
        p: &NewPledge,
        token: &str,
        condition: &Condition,
        imported: bool,
    ) -> (cohort_store::NewEmail, String) {
        let terms = if matches!(p.kind, PledgeKind::Money { .. }) {
            // A conditional earmark: the three statements of FEC AO 2019-01.
            conditional_disclosure(&condition.to_english(), p.deadline, true).join("\n")
        } else {
            format!(
                "It unlocks only when {} — something the candidates do, not something Cohort decides.\n\
                 It must happen by {}. If it has not happened by then, the pledge expires and nobody will ask for your time.",
                condition.to_english(),
                p.deadline.format("%B %-d, %Y"),
            )
        };
        let entered = if imported {
            format!(
                "An organizer of \"{}\" entered this pledge from a pledge card or list you gave them. \
                 If you did not make it, cancel it at the link below: nothing is ever charged while it is locked.\n\n",
                slate.name
            )
        } else {
            String::new()
        };
        let body = format!(
            "Hello,\n\n{entered}Thank you. Your pledge #{id} of {what} to the slate \"{slate}\" is saved and locked.\n\
             Name given on the pledge: \"{name}\".\n\n\
             {terms}\n\n\
             See, or cancel while it is still locked, at your private link (keep it to yourself):\n{base}/pledges/{id}?token={token}\n{invite}",
            invite = match p.kind {
                PledgeKind::Hours { .. } => {
                    format!("\n{}", crate::volunteer_invite::invitation(self.public_url()))
                }
                _ => String::new(),
            },
            name = p.donor.name,
            what = p.kind.describe(),
            slate = slate.name,
            base = self.public_url(),
        );
        self.compose(
            p.email.clone(),
            &format!("Your pledge to {}", slate.name),
            body,
            true,
        )
    }

    /// A pledge as its pledger sees it, with the receipt token as proof.
    pub async fn pledge_view(&self, id: Id, token: &str) -> Result<PledgeView> {
        let mut tx = self.store.read().await?;
        let row = owned_pledge(tx.as_mut(), id, Owner::Receipt(token, &self.keys)).await?;
        let slate = tx
            .slate(row.slate_id)
            .await?
            .ok_or_else(|| EngineError::not_found("slate", row.slate_id.to_string()))?;
        let mut view = pledge_view(tx.as_mut(), &slate, &row).await?;
        view.needs_volunteer_profile = matches!(row.kind, PledgeKind::Hours { .. })
            && !crate::volunteer_invite::has_volunteer_profile(tx.as_mut(), &row.email).await?;
        Ok(view)
    }

    /// A signed-in supporter's pledges (made with their account's email), newest first.
    pub async fn my_pledges(&self, account: &Account) -> Result<Vec<PledgeView>> {
        let mut tx = self.store.read().await?;
        let rows = tx.pledges_by_email(&account.user.email).await?;
        let mut slates: HashMap<Id, (SlateRow, Vec<CandidateRow>)> = HashMap::new();
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let (slate, candidates) = match slates.entry(row.slate_id) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    let slate = tx
                        .slate(row.slate_id)
                        .await?
                        .ok_or_else(|| EngineError::not_found("slate", row.slate_id.to_string()))?;
                    let candidates = tx.candidates(slate.id).await?;
                    e.insert((slate, candidates))
                }
            };
            let installments = tx.installments(row.id).await?;
            let mut view = render_pledge(slate, candidates, &row, &installments);
            view.receipt_token = Some(self.receipt_link_token(&row));
            out.push(view);
        }
        Ok(out)
    }

    /// End a pledge, proven by its receipt token: a pending pledge is
    /// cancelled, an unlocked monthly one is stopped (again: nothing more
    /// happens). A one-time pledge that unlocked is refused: its money is
    /// already allocated.
    pub async fn cancel(&self, id: Id, token: &str) -> Result<Ended> {
        self.end_as(id, Owner::Receipt(token, &self.keys), Ending::CancelOrStop)
            .await
    }

    /// Stop an unlocked monthly pledge, proven by its receipt token (the
    /// receipt page's "Stop" form). Unlike [`Engine::cancel`], a pledge
    /// still pending is refused: the supporter asked to stop months, not to
    /// cancel a locked pledge.
    pub async fn stop(&self, id: Id, token: &str) -> Result<Ended> {
        self.end_as(id, Owner::Receipt(token, &self.keys), Ending::StopOnly)
            .await
    }

    /// Cancel (or stop) one of a signed-in supporter's own pledges.
    pub async fn cancel_mine(&self, account: &Account, id: Id) -> Result<Ended> {
        self.end_as(id, Owner::Account(account), Ending::CancelOrStop)
            .await
    }

    async fn end_as(&self, id: Id, owner: Owner<'_>, ending: Ending) -> Result<Ended> {
        let at = self.now();
        let mut tx = self.store.write().await?;
        let row = owned_pledge(tx.as_mut(), id, owner).await?;
        let slate = tx
            .slate(row.slate_id)
            .await?
            .ok_or_else(|| EngineError::not_found("slate", row.slate_id.to_string()))?;
        tx.lock_slate(slate.id).await?;
        // Read again under the slate's lock: an unlock may have moved it since.
        let row = tx
            .pledge(id)
            .await?
            .ok_or_else(|| EngineError::not_found("pledge", id.to_string()))?;
        match (row.status, &row.kind) {
            (PledgeStatus::Pending, _) if ending == Ending::CancelOrStop => {}
            (PledgeStatus::Pending, _) => return Err(EngineError::conflict(
                "not_unlocked",
                "this pledge has not unlocked yet, so there is no month to stop: cancel it instead",
            )),
            (
                PledgeStatus::Unlocked | PledgeStatus::Stopped,
                PledgeKind::Money {
                    recurring: Recurrence::Monthly,
                    ..
                },
            ) => {
                self.stop_monthly(tx.as_mut(), &slate, &row, at).await?;
                tx.commit().await?;
                return Ok(Ended::Stopped);
            }
            (
                PledgeStatus::Unlocked | PledgeStatus::Fulfilled,
                PledgeKind::Money {
                    recurring: Recurrence::Once,
                    ..
                },
            ) => return Err(already_allocated()),
            (status, _) => {
                return Err(EngineError::conflict(
                    "not_pending",
                    format!(
                        "this pledge is {} and can no longer be cancelled or stopped",
                        status.as_str()
                    ),
                ))
            }
        }
        if !tx
            .set_status(id, PledgeStatus::Pending, PledgeStatus::Cancelled)
            .await?
        {
            return Err(EngineError::conflict(
                "not_pending",
                "this pledge is no longer pending and can no longer be cancelled",
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
        tx.append_event(slate.id, "cancelled", &payload.to_string(), at)
            .await?;
        self.settle(tx.as_mut(), &slate, pot_changed(), &[], at)
            .await?;
        tx.commit().await?;
        Ok(Ended::Cancelled)
    }
}

/// What ending a pledge came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// A pending pledge: nothing was or will be charged.
    Cancelled,
    /// A monthly pledge: the months already split stay, no new month is.
    Stopped,
}

/// What the supporter asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ending {
    /// "I'm out" (the API's DELETE, the cancel buttons): cancel or stop, whichever applies.
    CancelOrStop,
    /// The receipt page's "Stop this monthly pledge".
    StopOnly,
}

/// The hosts a pledge through joint event `event_id` splits across, or a
/// rejection naming `joint_event` (or `candidates`).
async fn fundraiser_hosts(
    tx: &mut dyn Tx,
    slate: &SlateRow,
    event_id: Id,
    input: &PledgeInput,
) -> Result<Vec<Id>> {
    use cohort_core::joint_pledge::{fundraiser_candidates, FundraiserFacts};
    let event = tx.joint_event(event_id).await?.ok_or_else(|| {
        EngineError::invalid(
            "joint_event",
            format!("there is no joint event {event_id} on {}", slate.slug),
        )
    })?;
    let hosts: Vec<Id> = event.hosts.iter().map(|h| h.candidate_id).collect();
    let facts = FundraiserFacts {
        kind: event.kind,
        status: event.status,
        same_slate: event.slate_id == slate.id,
        hosts: &hosts,
    };
    let chose = input.candidates.as_ref().is_some_and(|c| !c.is_empty());
    fundraiser_candidates(&facts, chose, input.kind == "money").map_err(|e| {
        let message = if e.field == "joint_event" {
            format!("joint event {event_id} {}", e.message)
        } else {
            e.message
        };
        EngineError::invalid(e.field, message)
    })
}

fn already_allocated() -> EngineError {
    EngineError::conflict(
        "already_allocated",
        "this one-time pledge has unlocked and its money is already allocated to the candidates, \
         so it can no longer be cancelled or stopped (only monthly pledges stop)",
    )
}

/// A donor's details as a pledge form or the best-efforts link sends them,
/// checked: the email, a two-letter state, a ZIP code, and texts of sensible
/// length (a money pledge needs a name).
pub(crate) fn check_donor(d: &DonorInput, kind: &str) -> Result<(Email, Donor)> {
    let email = Email::parse(&d.email)
        .map_err(|e| EngineError::invalid("donor.email", format!("{:?} {e}", d.email)))?;
    let state = d.state.trim().to_uppercase();
    if !state.is_empty() && !is_state(&state) {
        return Err(EngineError::invalid(
            "donor.state",
            format!("{:?} is not a two-letter state code", d.state),
        ));
    }
    let zip = d.zip.trim();
    let zip_ok = zip.is_empty()
        || (zip.len() == 5 || (zip.len() == 10 && zip.as_bytes()[5] == b'-'))
            && zip
                .chars()
                .enumerate()
                .all(|(i, c)| c.is_ascii_digit() || (i == 5 && c == '-'));
    if !zip_ok {
        return Err(EngineError::invalid(
            "donor.zip",
            format!("{zip:?} is not a ZIP code like 10001 or 10001-1234"),
        ));
    }
    let donor = Donor {
        name: crate::donor_name::plain_name("donor.name", &d.name, kind == "money")?,
        address: text("donor.address", &d.address, 300, false)?,
        city: text("donor.city", &d.city, 100, false)?,
        state,
        zip: zip.to_owned(),
        employer: text("donor.employer", &d.employer, 200, false)?,
        occupation: text("donor.occupation", &d.occupation, 200, false)?,
        attests_eligible: d.attests_eligible,
    };
    Ok((email, donor))
}

/// How a pledger proves a pledge is theirs.
pub(crate) enum Owner<'a> {
    /// The receipt token from the pledge's answer and email (or one derived
    /// under the key ring, in a later email).
    Receipt(&'a str, &'a Keyring),
    /// A signed-in account with the pledge's email (accounts prove their email).
    Account(&'a Account),
}

/// The pledge whose receipt token this is (or not found, never "forbidden").
pub(crate) async fn owned_receipt(
    tx: &mut dyn Tx,
    keys: &Keyring,
    id: Id,
    token: &str,
) -> Result<PledgeRow> {
    owned_pledge(tx, id, Owner::Receipt(token, keys)).await
}

pub(crate) async fn owned_pledge(tx: &mut dyn Tx, id: Id, owner: Owner<'_>) -> Result<PledgeRow> {
    let row = tx.pledge(id).await?;
    let theirs = |r: &PledgeRow| match owner {
        Owner::Receipt(token, keys) => keys.receipt_matches(r.id, &r.receipt_token, token),
        Owner::Account(a) => r.email == a.user.email,
    };
    match row {
        Some(r) if theirs(&r) => Ok(r),
        // The same answer whether the pledge is missing or the token is wrong,
        // so pledge ids can't be probed.
        _ => Err(EngineError::not_found("pledge", id.to_string())),
    }
}

async fn replay(
    tx: &mut dyn Tx,
    keys: &Keyring,
    existing: PledgeRow,
    hash: &str,
) -> Result<PledgeOutcome> {
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
    // The token itself is not stored: a replay derives it again (or, after
    // the key that made it was dropped, answers another that opens the pledge).
    let again = existing
        .idempotency_key
        .as_deref()
        .and_then(|k| keys.idempotent_receipt_again(k, hash, &existing.receipt_token));
    view.receipt_token =
        Some(again.unwrap_or_else(|| keys.receipt_token(existing.id, &existing.receipt_token)));
    Ok(PledgeOutcome {
        pledge: view,
        created: false,
    })
}

async fn pledge_view(tx: &mut dyn Tx, slate: &SlateRow, row: &PledgeRow) -> Result<PledgeView> {
    let candidates = tx.candidates(slate.id).await?;
    let installments = tx.installments(row.id).await?;
    let mut view = render_pledge(slate, &candidates, row, &installments);
    let secs = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    view.pauses = tx
        .pauses(row.id)
        .await?
        .into_iter()
        .map(|p| crate::views::PauseView {
            paused_at: secs(p.paused_at),
            reason: p.reason,
            resumed_at: p.resumed_at.map(secs),
        })
        .collect();
    Ok(view)
}

/// A pledge as its pledger sees it, from what is already loaded.
fn render_pledge(
    slate: &SlateRow,
    candidates: &[CandidateRow],
    row: &PledgeRow,
    installments: &[cohort_store::Installment],
) -> PledgeView {
    let slug = |id: Id| {
        candidates
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.slug.to_string())
            .unwrap_or_else(|| format!("#{id}"))
    };
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
        PledgeKind::Money { amount, recurring } => (
            Some(amount.get()),
            Some(recurring.as_str().to_owned()),
            None,
            None,
            None,
            None,
        ),
        PledgeKind::Hours {
            hours_per_week,
            weeks,
            skills,
        } => (
            None,
            None,
            Some(*hours_per_week),
            Some(*weeks),
            Some(skills.clone()),
            None,
        ),
        PledgeKind::Actions(a) => (None, None, None, None, None, Some(*a)),
    };
    PledgeView {
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
        candidates: row
            .candidates
            .as_ref()
            .map(|ids| ids.iter().map(|id| slug(*id)).collect()),
        deadline: row.deadline.to_string(),
        ref_code: row.ref_code.clone(),
        created_at: row
            .created_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        unlocked_at: row
            .unlocked_at
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        stopped_at: row
            .stopped_at
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        receipt_token: None,
        allocations,
        unallocated_cents: installments.iter().map(|i| i.unallocated.get()).sum(),
        payment: None,
        pauses: Vec::new(),
        needs_volunteer_profile: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: ids reserved while some were still kept came out newest
    /// reservation first, so a server's later pledges took lower ids.
    #[test]
    fn reserved_ids_are_handed_out_lowest_first() {
        let intake = Intake::default();
        assert_eq!(intake.wanted(), RESERVE_IDS);
        intake.keep((1..=64).collect());
        let first: Vec<Id> = (0..54).map_while(|_| intake.take_id()).collect();
        assert_eq!(first, (1..=54).collect::<Vec<Id>>());
        assert_eq!(intake.wanted(), RESERVE_IDS - 10, "ten left");
        intake.keep((100..154).collect());
        assert_eq!(intake.wanted(), 0, "enough kept");
        let rest: Vec<Id> = std::iter::from_fn(|| intake.take_id()).collect();
        assert_eq!(rest, (55..=64).chain(100..154).collect::<Vec<Id>>());
    }
}
