//! The unlock step: after any event, find the pending pledges whose condition
//! has just become true and unlock them, splitting their money, inside the
//! event's own transaction.
//!
//! Pledges are not evaluated one by one. Each distinct condition text of a
//! slate is stored once and pledges point at it, so an event evaluates only
//! the conditions that read a fact the event changed, and loads only the
//! pledges of conditions that came out true. An event that unlocks nothing
//! costs a handful of evaluations however many pledges wait.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use crate::bloc_pauses::{due_period, month_step};
use chrono::{DateTime, NaiveDate, Utc};
use cohort_core::facts::Snapshot;
use cohort_core::unlock::{allocate, ContributionsToDate, MoneyToSplit, Payee};
use cohort_core::SlateEventKind;
use cohort_core::{Cents, Email, Facts, Reads};
use cohort_store::{
    AllocationShare, CandidateRow, ConditionRow, EndorsementRow, Id, Installment, PendingPledge,
    PledgeRow, Pot, PotDelta, SignatureRow, SlateRow, Tx,
};

use crate::{Engine, EngineError, Result, Settlement};

/// Which facts an event changed.
pub(crate) fn signatures_changed() -> Reads {
    Reads {
        signers: true,
        states: true,
        mutual: true,
        signed: true,
        kept: true,
        ..Reads::default()
    }
}

pub(crate) fn endorsements_changed() -> Reads {
    Reads {
        mutual: true,
        endorses: true,
        kept: true,
        ..Reads::default()
    }
}

pub(crate) fn pot_changed() -> Reads {
    Reads {
        pledged: true,
        pledgers: true,
        hours: true,
        ..Reads::default()
    }
}

pub(crate) fn date_changed() -> Reads {
    Reads {
        today: true,
        // the scorecard's periods end with time
        kept: true,
        ..Reads::default()
    }
}

/// Whether a condition reading `a` can change when facts `b` do.
pub(crate) fn intersects(a: Reads, b: Reads) -> bool {
    a.to_bits() & b.to_bits() != 0
}

/// Who runs on a slate, who signed, who endorses whom and who lost the
/// primary: what its conditions and splits read besides the pot.
pub(crate) struct Roster {
    pub candidates: Vec<CandidateRow>,
    /// Candidates who lost their primary: no new money goes to them.
    pub lost: Vec<Id>,
    pub signatures: Vec<SignatureRow>,
    pub endorsements: Vec<EndorsementRow>,
}

impl Roster {
    async fn load(tx: &mut dyn Tx, slate_id: Id) -> Result<Roster> {
        Ok(Roster {
            candidates: tx.candidates(slate_id).await?,
            lost: tx.primary_losses(slate_id).await?,
            signatures: tx.signatures(slate_id).await?,
            endorsements: tx.endorsements(slate_id).await?,
        })
    }
}

/// Everything about a slate that conditions and splits read, loaded once per event.
pub(crate) struct SlateState {
    pub roster: Arc<Roster>,
    pub pot: Pot,
    pub facts: Snapshot,
}

impl SlateState {
    pub async fn load(tx: &mut dyn Tx, slate: &SlateRow, today: NaiveDate) -> Result<SlateState> {
        let roster = Arc::new(Roster::load(tx, slate.id).await?);
        let pot = tx.pot(slate.id).await?;
        let mut state = SlateState::new(roster, pot, today);
        // Cohesion figures (issue 17) cost a read of roll calls: only when
        // some condition of the slate reads them.
        if tx
            .slate_conditions(slate.id)
            .await?
            .iter()
            .any(|c| c.condition.reads_bloc())
        {
            state.facts.bloc = crate::governing::bloc_figures(tx, slate.id).await?;
        }
        Ok(state)
    }

    /// The state of a slate with `roster` (read now, or kept in a
    /// [`SlateBase`]) and its pot as it now stands.
    pub fn new(roster: Arc<Roster>, pot: Pot, today: NaiveDate) -> SlateState {
        let slug_of: HashMap<Id, &CandidateRow> =
            roster.candidates.iter().map(|c| (c.id, c)).collect();
        let mut facts = Snapshot::new(today);
        for s in &roster.signatures {
            if let Some(c) = slug_of.get(&s.candidate_id) {
                facts
                    .signers
                    .insert(c.slug.to_string(), c.race.state.clone());
            }
        }
        for e in &roster.endorsements {
            if let (Some(f), Some(t)) = (slug_of.get(&e.from_id), slug_of.get(&e.to_id)) {
                facts
                    .endorsements
                    .insert((f.slug.to_string(), t.slug.to_string()));
            }
        }
        facts.pledged = Cents(pot.pending_cents + pot.unlocked_cents);
        facts.pledgers = u64::try_from(pot.pledgers).unwrap_or(0);
        facts.hours =
            u64::try_from(pot.hours_per_week_pending + pot.hours_per_week_unlocked).unwrap_or(0);
        SlateState { roster, pot, facts }
    }

    pub fn slug(&self, id: Id) -> String {
        self.roster
            .candidates
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.slug.to_string())
            .unwrap_or_else(|| format!("#{id}"))
    }

    /// Current signers still in the race, as the candidates money can go to.
    pub fn payees(&self) -> Vec<Payee> {
        let signed: std::collections::HashSet<Id> = self
            .roster
            .signatures
            .iter()
            .map(|s| s.candidate_id)
            .collect();
        let lost = &self.roster.lost;
        self.roster
            .candidates
            .iter()
            .filter(|c| signed.contains(&c.id) && !lost.contains(&c.id))
            .map(|c| Payee {
                id: c.id,
                race: c.race.clone(),
            })
            .collect()
    }
}

/// What a slate's pledges are checked and split against, apart from its pot
/// and its pledges: all of it changes only when the slate's version does
/// (see [`Tx::lock_slate_by_slug`]), so the engine keeps the last one read.
pub(crate) struct SlateBase {
    pub version: i64,
    pub row: SlateRow,
    pub roster: Arc<Roster>,
    /// Every condition of the slate, whether pledges still wait on it or not.
    pub conditions: Vec<ConditionRow>,
    /// Index into `conditions` by canonical text.
    pub by_text: HashMap<String, usize>,
}

/// The last [`SlateBase`] read of each slate, by slug.
#[derive(Default)]
pub(crate) struct SlateCache(Mutex<HashMap<String, Arc<SlateBase>>>);

impl SlateCache {
    fn get(&self, slug: &str) -> Option<Arc<SlateBase>> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(slug)
            .cloned()
    }

    fn put(&self, slug: &str, base: Arc<SlateBase>) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(slug.to_owned(), base);
    }
}

impl Engine {
    /// The base of slate `slug` kept from an earlier transaction, if any: it
    /// may be stale, so whoever acts on it must check its version under the
    /// slate's lock before committing (as [`PledgesTx::record_intake`] lets
    /// intake do).
    ///
    /// [`PledgesTx::record_intake`]: cohort_store::PledgesTx::record_intake
    pub(crate) fn kept_slate_base(&self, slug: &str) -> Option<Arc<SlateBase>> {
        self.slate_cache.get(slug)
    }

    /// Lock the slate `slug` for the rest of `tx` and return its base: the
    /// one kept from an earlier transaction if the slate's version has not
    /// moved since, else read afresh and kept. Call it before `tx` writes
    /// anything of the slate, so a base kept is always a committed state's.
    pub(crate) async fn lock_slate_base(
        &self,
        tx: &mut dyn Tx,
        slug: &str,
    ) -> Result<Option<Arc<SlateBase>>> {
        let Some((id, version)) = tx.lock_slate_by_slug(slug).await? else {
            return Ok(None);
        };
        let kept = self.slate_cache.get(slug);
        if let Some(base) = kept.filter(|b| b.row.id == id && b.version == version) {
            return Ok(Some(base));
        }
        let row = tx
            .slate(id)
            .await?
            .ok_or_else(|| EngineError::not_found("slate", slug.to_owned()))?;
        let conditions = tx.slate_conditions(id).await?;
        let by_text = conditions
            .iter()
            .enumerate()
            .map(|(i, c)| (c.condition.canonical(), i))
            .collect();
        let base = Arc::new(SlateBase {
            version,
            row,
            roster: Arc::new(Roster::load(tx, id).await?),
            conditions,
            by_text,
        });
        self.slate_cache.put(slug, base.clone());
        Ok(Some(base))
    }

    /// Unlock every pending pledge of `slate` whose condition reads a fact in
    /// `changed` (or is one of the conditions in `also`) and is now true. Runs inside the
    /// caller's transaction; the caller commits.
    pub(crate) async fn settle(
        &self,
        tx: &mut dyn Tx,
        slate: &SlateRow,
        changed: Reads,
        also: &[Id],
        at: DateTime<Utc>,
    ) -> Result<Settlement> {
        let today = at.date_naive();
        // Only conditions that read what changed can become true: when none
        // does (most pledges, whose conditions read no pot figure), the
        // slate's state is not even loaded.
        let conditions = tx.pending_conditions(slate.id).await?;
        let affected: Vec<_> = conditions
            .iter()
            .filter(|c| intersects(c.reads, changed) || also.contains(&c.id))
            .collect();
        if affected.is_empty() {
            return Ok(Settlement::default());
        }
        let state = SlateState::load(tx, slate, today).await?;
        self.unlock_where_true(tx, slate, &state, &affected, at)
            .await
    }

    /// Unlock the pending pledges of those `conditions` that hold in `state`
    /// (the slate's state inside `tx`, after the event).
    pub(crate) async fn unlock_where_true(
        &self,
        tx: &mut dyn Tx,
        slate: &SlateRow,
        state: &SlateState,
        conditions: &[&ConditionRow],
        at: DateTime<Utc>,
    ) -> Result<Settlement> {
        let today = at.date_naive();
        // `kept`/`kept_all` read the scorecard, loaded only when asked for.
        let scored = crate::scorecard::with_scorecard(
            tx,
            slate,
            &state.facts,
            conditions.iter().any(|c| c.reads.kept),
        )
        .await?;
        let facts = scored.as_ref().unwrap_or(&state.facts);
        let ready: Vec<Id> = conditions
            .iter()
            .filter(|c| c.condition.eval(facts))
            .map(|c| c.id)
            .collect();
        if ready.is_empty() {
            return Ok(Settlement::default());
        }
        let started = std::time::Instant::now();
        let pledges = tx.pending_pledges(slate.id, &ready, today).await?;
        let loaded = started.elapsed();
        if pledges.is_empty() {
            return Ok(Settlement::default());
        }
        let payees = state.payees();
        let mut ledger = if pledges.iter().any(|p| p.amount > Cents::ZERO) {
            load_contributions_to_date(tx, slate.id).await?
        } else {
            ContributionsToDate::new()
        };
        let mut outcome = Settlement::default();
        let mut installments = Vec::new();
        let mut delta = PotDelta::default();
        for p in &pledges {
            delta.pending_cents -= p.amount.get();
            delta.unlocked_cents += p.amount.get();
            delta.hours_per_week_pending -= p.hours_per_week;
            delta.hours_per_week_unlocked += p.hours_per_week;
            if p.amount > Cents::ZERO {
                delta.unlogged_unlocks += 1;
                let i = split_installment(p, 0, &payees, &mut ledger, slate, today);
                outcome.allocated_cents += p.amount.get() - i.unallocated.get();
                outcome.unallocated_cents += i.unallocated.get();
                installments.push(i);
            }
        }
        let ids: Vec<Id> = pledges.iter().map(|p| p.id).collect();
        let decided = started.elapsed();
        let moved = tx.record_unlocks(&ids, &installments, at).await?;
        if moved != ids.len() as u64 {
            // Another writer unlocked some of these first; abort so nothing is split twice.
            return Err(EngineError::conflict(
                "concurrent_unlock",
                "another event unlocked these pledges at the same moment; try again",
            ));
        }
        let pot = tx.add_to_pot(slate.id, &delta).await?;
        outcome.unlocked = moved;
        outcome.installments = installments.len() as u64;
        // The log is public: how many pledges unlocked, never how much. A
        // pledge that unlocks on arrival is alone in its event, so any total
        // here would be its amount (issue 14); the total is published on
        // its own, every `LOG_TOTAL_AFTER` money pledges.
        let payload = serde_json::json!({
            "pledges": moved,
            "signers": state.facts.signers(),
        });
        tx.append_event(slate.id, SlateEventKind::Unlock, &payload.to_string(), at)
            .await?;
        log_unlocked_total(tx, slate.id, &pot, at).await?;
        // A pledge that unlocks on arrival (the pot already met its condition)
        // is routine; a large unlock is worth a line in the server's log.
        macro_rules! unlocked {
            ($log:ident) => {
                tracing::$log!(
                    slate = %slate.slug,
                    unlocked = moved,
                    cents = outcome.allocated_cents,
                    load_ms = loaded.as_millis() as u64,
                    split_ms = (decided - loaded).as_millis() as u64,
                    write_ms = (started.elapsed() - decided).as_millis() as u64,
                    "pledges unlocked"
                )
            };
        }
        if moved >= 100 {
            unlocked!(info);
        } else {
            unlocked!(debug);
        }
        Ok(outcome)
    }

    /// The date passing: expire pledges past their deadline, unlock pledges
    /// whose condition reads `today`, and split this month's installment of
    /// every monthly pledge whose condition still holds. Each slate commits
    /// on its own.
    pub async fn tick(&self) -> Result<Settlement> {
        let at = self.now();
        let today = at.date_naive();
        let slates = {
            let mut tx = self.store.read().await?;
            tx.slates().await?
        };
        let mut total = Settlement::default();
        for slate in slates {
            let mut tx = self.store.write().await?;
            tx.lock_slate(slate.id).await?;
            let expired = tx.expire_pending(slate.id, today).await?;
            if !expired.is_empty() {
                self.leave_pot(tx.as_mut(), slate.id, &expired).await?;
                let payload = serde_json::json!({ "pledges": expired.len() });
                tx.append_event(slate.id, SlateEventKind::Expire, &payload.to_string(), at)
                    .await?;
                for p in &expired {
                    let what = if p.amount > cohort_core::Cents::ZERO {
                        format!("{}", p.amount)
                    } else {
                        format!("{} volunteer hours a week", p.hours_per_week)
                    };
                    let body = format!(
                        "Your pledge #{id} of {what} to \"{name}\" has expired: its condition was not met by its deadline. Nothing was charged, and nothing will be.\n\n\
                         You can pledge again at {base}/slates/{slug}/pledge\n",
                        id = p.id,
                        name = slate.name,
                        base = self.public_url(),
                        slug = slate.slug,
                    );
                    let subject = format!("Your pledge to {} expired", slate.name);
                    self.queue_email(tx.as_mut(), p.email.clone(), &subject, body, false, at)
                        .await?;
                }
            }
            let mut changed = date_changed();
            if !expired.is_empty() {
                changed = changed.union(pot_changed());
            }
            let s = self.settle(tx.as_mut(), &slate, changed, &[], at).await?;
            let installments = self.monthly(tx.as_mut(), &slate, at).await?;
            let pot = tx.pot(slate.id).await?;
            tx.record_pot_history(slate.id, today, &pot).await?;
            tx.commit().await?;
            total.expired += expired.len() as u64;
            total.unlocked += s.unlocked;
            total.allocated_cents += s.allocated_cents;
            total.unallocated_cents += s.unallocated_cents;
            total.installments += s.installments + installments;
        }
        self.payment_deadlines(at).await?;
        self.joint_event_reminders(at).await?;
        Ok(total)
    }

    /// Take pledges that stopped being live (expired, cancelled) out of the pot.
    pub(crate) async fn leave_pot(
        &self,
        tx: &mut dyn Tx,
        slate_id: Id,
        gone: &[PendingPledge],
    ) -> Result<()> {
        let mut delta = PotDelta::default();
        let mut per_donor: BTreeMap<&Email, i64> = BTreeMap::new();
        for p in gone {
            delta.pending_cents -= p.amount.get();
            delta.hours_per_week_pending -= p.hours_per_week;
            *per_donor.entry(&p.email).or_default() += 1;
        }
        for (email, n) in per_donor {
            if tx.adjust_pledger(slate_id, email, -n).await? == 0 {
                delta.pledgers -= 1;
            }
        }
        tx.add_to_pot(slate_id, &delta).await?;
        Ok(())
    }

    /// Take an unlocked pledge that stopped being live (stopped, or closed
    /// as `payment_failed`) out of the pot: `amount` off the unlocked total,
    /// and its donor off the pledgers if it was their last live pledge;
    /// then the total to the log if it is due ([`log_unlocked_total`]).
    /// Called after the event that says why the pledge left, so the total
    /// follows it in the log.
    pub(crate) async fn leave_pot_unlocked(
        &self,
        tx: &mut dyn Tx,
        slate_id: Id,
        row: &PledgeRow,
        amount: Cents,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut delta = PotDelta {
            unlocked_cents: -amount.get(),
            unlogged_unlocks: i64::from(amount > Cents::ZERO),
            ..PotDelta::default()
        };
        if tx.adjust_pledger(slate_id, &row.email, -1).await? == 0 {
            delta.pledgers -= 1;
        }
        let pot = tx.add_to_pot(slate_id, &delta).await?;
        log_unlocked_total(tx, slate_id, &pot, at).await
    }

    async fn monthly(&self, tx: &mut dyn Tx, slate: &SlateRow, at: DateTime<Utc>) -> Result<u64> {
        let today = at.date_naive();
        let monthly = tx.monthly_pledges(slate.id).await?;
        let due: Vec<_> = monthly
            .into_iter()
            .filter_map(|m| {
                let period = due_period(m.unlocked_at.date_naive(), m.last_period, today)?;
                Some((m, period))
            })
            .collect();
        if due.is_empty() {
            return Ok(0);
        }
        let state = SlateState::load(tx, slate, today).await?;
        let payees = state.payees();
        let mut ledger = load_contributions_to_date(tx, slate.id).await?;
        // condition id → (holds, reads the scorecard)
        let mut verdicts: HashMap<Id, (bool, bool)> = HashMap::new();
        // "Only while the bloc holds": a month whose pledge's condition
        // reads the scorecard (`kept`/`kept_all`) and fails is not split.
        let mut scored: Option<cohort_core::facts::Snapshot> = None;
        let mut installments = Vec::new();
        for (m, period) in due {
            let (holds, scorecard) = match verdicts.get(&m.condition_id) {
                Some(v) => *v,
                None => {
                    let pledge = tx
                        .pledge(m.pledge.id)
                        .await?
                        .ok_or_else(|| EngineError::not_found("pledge", m.pledge.id.to_string()))?;
                    let kept = pledge.condition.reads().kept;
                    let v = if kept {
                        if scored.is_none() {
                            scored =
                                crate::scorecard::with_scorecard(tx, slate, &state.facts, true)
                                    .await?;
                        }
                        pledge
                            .condition
                            .eval(scored.as_ref().unwrap_or(&state.facts))
                    } else {
                        pledge.condition.eval(&state.facts)
                    };
                    verdicts.insert(m.condition_id, (v, kept));
                    (v, kept)
                }
            };
            let step = month_step(period, holds, scorecard);
            if let Some(holds) = step.note {
                let names: Vec<String> = scored
                    .as_ref()
                    .map(|f| {
                        f.broken
                            .iter()
                            .map(|slug| {
                                state
                                    .roster
                                    .candidates
                                    .iter()
                                    .find(|c| c.slug.as_str() == slug)
                                    .map_or_else(|| slug.clone(), |c| c.name.clone())
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let breach = crate::bloc_pauses::breach_text(&names);
                self.note_bloc_hold(tx, slate, m.pledge.id, holds, &breach, at)
                    .await?;
            }
            if let Some(period) = step.split {
                installments.push(split_installment(
                    &m.pledge,
                    period,
                    &payees,
                    &mut ledger,
                    slate,
                    today,
                ));
            }
        }
        tx.record_installments(&installments, at).await?;
        if !installments.is_empty() {
            let payload = serde_json::json!({ "installments": installments.len() });
            tx.append_event(
                slate.id,
                SlateEventKind::Installments,
                &payload.to_string(),
                at,
            )
            .await?;
        }
        Ok(installments.len() as u64)
    }
}

/// How many money pledges must have unlocked or left the unlocked total
/// since the log last published it before it publishes it again: the
/// difference of two published totals is then the sum of at least this
/// many pledges, never one person's amount (issue 14, finding 10).
pub const LOG_TOTAL_AFTER: i64 = 10;

/// Publish the slate's unlocked total (an `unlocked_total` event, so a
/// leaf of the transparency log) when `pot`, as it stands after a change,
/// has counted [`LOG_TOTAL_AFTER`] money pledges since the last; after the
/// event that says why the total moved.
async fn log_unlocked_total(
    tx: &mut dyn Tx,
    slate_id: Id,
    pot: &cohort_store::Pot,
    at: DateTime<Utc>,
) -> Result<()> {
    if pot.unlogged_unlocks < LOG_TOTAL_AFTER {
        return Ok(());
    }
    let payload = serde_json::json!({
        "unlocked_cents": pot.unlocked_cents,
        "pledges": pot.unlogged_unlocks,
    });
    let seq = tx
        .append_event(
            slate_id,
            SlateEventKind::UnlockedTotal,
            &payload.to_string(),
            at,
        )
        .await?;
    tx.pot_logged(slate_id, pot.unlocked_cents, seq).await?;
    Ok(())
}

/// What each donor already gave each candidate, per election: through this
/// slate, and through any other slate of the cycle where the same FEC
/// candidate runs (limits are per candidate, not per slate).
async fn load_contributions_to_date(tx: &mut dyn Tx, slate_id: Id) -> Result<ContributionsToDate> {
    let mut ledger = ContributionsToDate::new();
    for g in tx
        .given(slate_id)
        .await?
        .into_iter()
        .chain(tx.given_elsewhere(slate_id).await?)
    {
        ledger.record(g.email.as_str(), g.candidate_id, g.election, g.cents);
    }
    Ok(ledger)
}

fn split_installment(
    p: &PendingPledge,
    period: i32,
    payees: &[Payee],
    ledger: &mut ContributionsToDate,
    slate: &SlateRow,
    today: NaiveDate,
) -> Installment {
    let a = allocate(
        &MoneyToSplit {
            donor: p.email.as_str(),
            amount: p.amount,
            chosen: p.candidates.as_deref(),
        },
        payees,
        ledger,
        &slate.limits,
        slate.cycle,
        today,
    );
    Installment {
        pledge_id: p.id,
        period,
        amount: p.amount,
        unallocated: a.unallocated,
        allocations: a
            .shares
            .into_iter()
            .map(|s| AllocationShare {
                candidate_id: s.candidate_id,
                election: s.election,
                cents: s.cents,
            })
            .collect(),
    }
}
