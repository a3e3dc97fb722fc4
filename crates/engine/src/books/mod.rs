//! The conduit's books (issue 6): the engine keeps `cohort-books`' ledger in
//! the store, as its events, and answers the treasurer's questions from it.
//!
//! - **No earmark without a committee.** The collector charges an
//!   installment only once every candidate it pays has a federal committee
//!   on record ([`Engine::installment_earmarks`]): a conduit must know where
//!   money goes before it takes it.
//! - **Receipts.** When a charge succeeds, the same transaction that marks
//!   the payment books a receipt: the installment's allocations, each
//!   earmarked for its candidate's committee and election, then clears it
//!   (Stripe reports `succeeded` once the funds are captured). Its key
//!   (`receive:P12-0`) is unique, so a webhook and the collector reporting
//!   the same charge book it once.
//! - **Best efforts.** When what a donor has given a candidate passes $200 and
//!   their employer, occupation or address is missing, one email (once per
//!   donor and cycle) asks for them (11 CFR 104.7).
//! - **Forwarding.** An organizer of every slate (the conduit's operator)
//!   records a forwarding batch per committee: everything payable, oldest
//!   first, with a CSV that goes with the payment. Within 10 days of receipt.
//! - **Reports.** Per committee and period, ActBlue-style CSV; `.fec`
//!   filings for the conduit and for each recipient committee.
//! - **Verify.** `cohort verify` replays the books: balanced to the cent,
//!   nothing held past its forwarding deadline, and every succeeded payment
//!   booked at exactly its amount.
//!
//! Writers that read the ledger before appending (a forwarding batch) hold
//! the store's books lock, so two organizers can't forward the same money.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use cohort_books::check::{self as books_check, forward_by};
use cohort_books::ledger::{
    BatchId, EarmarkInput, EntryKind, Event, Ledger, ReceiptId, ReceiptInput, RefundInput,
    RefundReason,
};
use cohort_books::records::{
    Address, AddressInput, Committee, CommitteeId, Contributor, ContributorId, ElectionCode,
    PersonName,
};
use cohort_books::report::{actblue, fec, Directory, ReportPeriod};
use cohort_core::model::{Election, Race};
use cohort_core::{Cents, Email};
use cohort_store::{Donor, Id, PledgeRow, StoreError, Tx};
use serde::{Deserialize, Serialize};

use crate::committees::{committee_record, conduit_record};
use crate::payments::RefundRequest;
use crate::{Actor, CommitteeInput, Engine, EngineError, Result};

/// The settings key of the conduit's own committee record.
const CONDUIT: &str = "conduit";

/// Above this aggregate to one candidate the FEC needs a donor's employer,
/// occupation and address.
const BEST_EFFORTS_OVER: Cents = Cents(20_000);

/// The receipt of one installment's charge: `P{pledge}-{period}`.
pub fn receipt_id(pledge_id: Id, period: i32) -> ReceiptId {
    ReceiptId(format!("P{pledge_id}-{period}"))
}

fn receive_key(pledge_id: Id, period: i32) -> String {
    format!("receive:{}", receipt_id(pledge_id, period))
}

fn contributor_id(email: &Email) -> ContributorId {
    ContributorId(email.as_str().to_owned())
}

/// The FEC's election code for money given toward `election` of `race`.
fn election_code(race: &Race, election: Election) -> Result<ElectionCode> {
    let (prefix, day) = match election {
        Election::Primary => ("P", race.primary_date.unwrap_or(race.general_date)),
        Election::General => ("G", race.general_date),
    };
    format!("{prefix}{}", day.year())
        .parse()
        .map_err(|e: cohort_books::records::RecordError| {
            EngineError::Store(StoreError::Corrupt {
                table: "candidates",
                detail: e.to_string(),
            })
        })
}

fn corrupt(detail: String) -> EngineError {
    EngineError::Store(StoreError::Corrupt {
        table: "book_events",
        detail,
    })
}

/// The books, rebuilt from their events.
pub(crate) async fn load_books(tx: &mut dyn Tx) -> Result<Ledger> {
    let events = tx
        .book_events()
        .await?
        .into_iter()
        .map(|e| {
            serde_json::from_str::<Event>(&e.body)
                .map_err(|err| corrupt(format!("event {} ({}): {err}", e.seq, e.key)))
        })
        .collect::<Result<Vec<_>>>()?;
    Ledger::replay(events).map_err(|(i, e)| corrupt(format!("event #{i} is refused: {e}")))
}

async fn append(tx: &mut dyn Tx, key: &str, event: &Event, at: DateTime<Utc>) -> Result<bool> {
    let body = serde_json::to_string(event).map_err(|e| corrupt(e.to_string()))?;
    Ok(tx.append_book_event(key, &body, at).await?)
}

/// What the donor of a pledge looks like to the FEC: name split into first
/// and last, and the mailing address if it is complete.
fn contributor(email: &Email, donor: &Donor) -> Option<Contributor> {
    let name = donor.name.trim();
    let (first, last) = name.rsplit_once(' ').unwrap_or((name, name));
    let name = PersonName::new(first, last).ok()?;
    let address = Address::new(AddressInput {
        street1: donor.address.clone(),
        street2: None,
        city: donor.city.clone(),
        state: donor.state.clone(),
        zip: donor.zip.clone(),
    })
    .ok();
    let opt = |s: &str| Some(s.to_owned()).filter(|s| !s.trim().is_empty());
    Contributor::new(
        contributor_id(email),
        name,
        address,
        opt(&donor.employer).as_deref(),
        opt(&donor.occupation).as_deref(),
        email.as_str(),
    )
    .ok()
}

/// The most complete of a donor's pledges (newest first): the details the
/// reports itemize them by.
fn best_donor(pledges: &[PledgeRow]) -> Option<&PledgeRow> {
    let complete = |p: &&PledgeRow| {
        !p.donor.employer.is_empty() && !p.donor.occupation.is_empty() && !p.donor.zip.is_empty()
    };
    pledges.iter().find(complete).or_else(|| pledges.first())
}

fn missing_details(d: &Donor) -> Vec<&'static str> {
    let mut out = Vec::new();
    if d.employer.trim().is_empty() {
        out.push("employer");
    }
    if d.occupation.trim().is_empty() {
        out.push("occupation");
    }
    if d.address.trim().is_empty()
        || d.city.trim().is_empty()
        || d.state.is_empty()
        || d.zip.is_empty()
    {
        out.push("mailing address");
    }
    out
}

/// The conduit's books as its operator sees them.
#[derive(utoipa::ToSchema, Clone, Debug, Serialize)]
pub struct BooksView {
    pub as_of: NaiveDate,
    /// The conduit's own committee record, once set.
    pub conduit: Option<CommitteeInput>,
    /// Money the conduit holds; always equal to what it owes.
    pub cash_cents: i64,
    pub received_cents: i64,
    pub forwarded_cents: i64,
    pub refunded_cents: i64,
    pub receipts: usize,
    /// What each committee is owed, soonest deadline first.
    pub due: Vec<DueView>,
    pub batches: Vec<BatchView>,
    /// Committees on record that reports can be made for.
    pub committees: Vec<CommitteeRef>,
    /// What `cohort verify` would say of the books; empty when clean.
    pub problems: Vec<String>,
}

#[derive(utoipa::ToSchema, Clone, Debug, Serialize)]
pub struct DueView {
    pub committee_id: String,
    pub committee: String,
    pub held_cents: i64,
    pub payable_cents: i64,
    pub receipts: usize,
    pub oldest_received: NaiveDate,
    pub forward_by: NaiveDate,
    pub overdue: bool,
    /// Each receipt held for this committee, soonest deadline first (what a
    /// refund names).
    pub items: Vec<DueItemView>,
}

#[derive(utoipa::ToSchema, Clone, Debug, Serialize)]
pub struct DueItemView {
    pub receipt: String,
    pub received_on: NaiveDate,
    pub forward_by: NaiveDate,
    pub held_cents: i64,
}

#[derive(utoipa::ToSchema, Clone, Debug, Serialize)]
pub struct BatchView {
    pub id: String,
    pub committee_id: String,
    pub committee: String,
    pub sent_on: NaiveDate,
    pub total_cents: i64,
    pub receipts: usize,
}

#[derive(utoipa::ToSchema, Clone, Debug, Serialize)]
pub struct CommitteeRef {
    pub id: String,
    pub name: String,
    pub candidate: String,
}

/// Money the operator returns to a donor from one earmarked contribution.
#[derive(utoipa::ToSchema, Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundAsk {
    /// The books' receipt, `P{pledge}-{period}`.
    pub receipt: String,
    /// The committee's FEC id the money was earmarked for.
    pub committee: String,
    pub amount_cents: i64,
    /// `cancelled`, `payment_failed`, `rejected` or `excess`.
    pub reason: String,
}

#[derive(utoipa::ToSchema, Clone, Debug, Serialize)]
pub struct RefundView {
    pub receipt: String,
    pub committee: String,
    pub amount_cents: i64,
    pub reason: String,
    pub refunded_on: NaiveDate,
    /// The payment provider's refund id.
    pub refund_id: String,
}

/// A refund reason by its name in the books (`excess`, `rejected`,
/// `cancelled`, `payment_failed`).
fn refund_reason(s: &str) -> Result<RefundReason> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|_| {
        EngineError::invalid(
            "reason",
            format!(
                "{s:?} is not a refund reason: use cancelled, payment_failed, rejected or excess"
            ),
        )
    })
}

/// `P12-0` → pledge 12, installment 0.
pub(crate) fn parse_receipt(s: &str) -> Result<(Id, i32)> {
    s.strip_prefix('P')
        .and_then(|r| r.split_once('-'))
        .and_then(|(p, n)| Some((p.parse().ok()?, n.parse().ok()?)))
        .ok_or_else(|| {
            EngineError::invalid("receipt", format!("{s:?} is not a receipt id like P12-0"))
        })
}

pub(crate) fn committee_id(s: &str) -> Result<CommitteeId> {
    s.parse().map_err(|e: cohort_books::records::RecordError| {
        EngineError::invalid("committee", e.to_string())
    })
}

/// Which filing to make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Filing {
    /// Cohort's own Form 3X: earmarked receipts and conduit earmark outs.
    Conduit,
    /// One recipient committee's Form 3 lines, with the conduit memo lines.
    Recipient(String),
}

/// A report's period as the operator asks for it.
#[derive(Clone, Debug)]
pub struct PeriodInput {
    pub from: NaiveDate,
    pub through: NaiveDate,
    /// FEC report code (`Q1`, `YE`, `12G`…); `Q` + quarter by default.
    pub report_code: Option<String>,
}

/// The conduit's record as its form edits it.
fn view_of(c: &Committee) -> CommitteeInput {
    let a = c.address.clone();
    CommitteeInput {
        name: c.name.clone(),
        fec_committee_id: c.id.to_string(),
        fec_candidate_id: String::new(),
        treasurer_first: c.treasurer.first.clone(),
        treasurer_last: c.treasurer.last.clone(),
        street1: a.street1,
        street2: a.street2.unwrap_or_default(),
        city: a.city,
        state: a.state,
        zip: a.zip,
    }
}

impl Engine {
    /// The earmarks a charge of this installment would carry, one per
    /// committee; `Err(why)` when a candidate it pays has no federal
    /// committee on record yet (then nothing may be charged).
    pub(crate) async fn installment_earmarks(
        &self,
        tx: &mut dyn Tx,
        pledge: &PledgeRow,
        period: i32,
    ) -> Result<std::result::Result<Vec<EarmarkInput>, String>> {
        let installment = tx
            .installments(pledge.id)
            .await?
            .into_iter()
            .find(|i| i.period == period);
        let Some(installment) = installment else {
            return Ok(Err(format!(
                "pledge {} has no installment {period}",
                pledge.id
            )));
        };
        let candidates: HashMap<Id, _> = tx
            .candidates(pledge.slate_id)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        let committees = tx.committees(pledge.slate_id).await?;
        let mut by_committee: BTreeMap<CommitteeId, EarmarkInput> = BTreeMap::new();
        for share in installment
            .allocations
            .iter()
            .filter(|s| s.cents > Cents::ZERO)
        {
            let Some(c) = candidates.get(&share.candidate_id) else {
                return Ok(Err(format!("unknown candidate {}", share.candidate_id)));
            };
            let record = committees
                .iter()
                .find(|r| r.candidate_id == c.id)
                .and_then(|r| committee_record(c, r));
            let Some(record) = record else {
                return Ok(Err(format!(
                    "{} has a federal committee on record (Cohort's books cover FEC-registered committees)",
                    c.name
                )));
            };
            let election = election_code(&c.race, share.election)?;
            let e = by_committee
                .entry(record.id.clone())
                .or_insert(EarmarkInput {
                    committee: record.id,
                    election,
                    amount: Cents::ZERO,
                });
            e.amount += share.cents;
        }
        Ok(Ok(by_committee.into_values().collect()))
    }

    /// Book the receipt of an installment whose charge succeeded, in the
    /// caller's transaction; nothing if it is already on the books.
    pub(crate) async fn book_receipt(
        &self,
        tx: &mut dyn Tx,
        pledge: &PledgeRow,
        period: i32,
        at: DateTime<Utc>,
    ) -> Result<()> {
        if tx.has_book_event(&receive_key(pledge.id, period)).await? {
            return Ok(());
        }
        let earmarks = match self.installment_earmarks(tx, pledge, period).await? {
            Ok(e) if !e.is_empty() => e,
            Ok(_) => return Ok(()),
            Err(why) => {
                // The collector checks this before charging; `cohort verify`
                // names any succeeded payment that is not on the books.
                tracing::error!(
                    pledge = pledge.id,
                    period,
                    "a charge succeeded but cannot be booked: {why}"
                );
                return Ok(());
            }
        };
        let id = receipt_id(pledge.id, period);
        let on = at.date_naive();
        let receive = Event::Receive(ReceiptInput {
            id: id.clone(),
            contributor: contributor_id(&pledge.email),
            received_on: on,
            earmarks,
        });
        let clear = Event::Clear {
            receipt: id.clone(),
            on,
        };
        // Check the receipt against an empty ledger: its shape (positive
        // amounts, one line per committee) is all a receipt's validity needs.
        let mut probe = Ledger::new();
        for e in [&receive, &clear] {
            probe
                .apply(e.clone())
                .map_err(|err| corrupt(format!("receipt {id}: {err}")))?;
        }
        append(tx, &receive_key(pledge.id, period), &receive, at).await?;
        append(tx, &format!("clear:{id}"), &clear, at).await?;
        self.ask_best_efforts(tx, pledge, at).await
    }

    /// A charge the bank took back (a dispute), in the caller's transaction:
    /// what the conduit still holds of the receipt goes out as a
    /// `payment_failed` refund, committee by committee. What was already
    /// forwarded is no longer the conduit's: the event log says so (without
    /// amounts) and the server's log names the shortfall to recover from the
    /// committee.
    pub(crate) async fn book_reversal(
        &self,
        tx: &mut dyn Tx,
        pledge_id: Id,
        period: i32,
        amount: Cents,
        at: DateTime<Utc>,
    ) -> Result<()> {
        tx.lock_books().await?;
        let mut ledger = load_books(tx).await?;
        let receipt = receipt_id(pledge_id, period);
        let committees: Vec<CommitteeId> = ledger
            .earmarks()
            .filter(|e| e.receipt == receipt)
            .map(|e| e.committee.clone())
            .collect();
        let mut left = amount;
        for committee in committees {
            let (clearing, payable) = ledger.held(&receipt, &committee);
            let take = left.min(clearing + payable);
            if take <= Cents::ZERO {
                continue;
            }
            let n = refunds_of(&ledger, &receipt, &committee) + 1;
            let event = Event::Refund(RefundInput {
                receipt: receipt.clone(),
                committee: committee.clone(),
                amount: take,
                refunded_on: at.date_naive(),
                reason: RefundReason::PaymentFailed,
            });
            ledger
                .apply(event.clone())
                .map_err(|e| corrupt(format!("reversal of {receipt}: {e}")))?;
            append(tx, &format!("refund:{receipt}:{committee}:{n}"), &event, at).await?;
            left = left - take;
        }
        if let Some(p) = tx.pledge(pledge_id).await? {
            // Public, like `payment_failed`: no amounts.
            let payload = serde_json::json!({
                "pledge": pledge_id,
                "period": period,
                "all_held": left == Cents::ZERO,
            });
            tx.append_event(p.slate_id, "payment_reversed", &payload.to_string(), at)
                .await?;
        }
        if left > Cents::ZERO {
            tracing::error!(
                pledge = pledge_id,
                period,
                "a reversed charge had {left} already forwarded: recover it from the committee"
            );
        }
        Ok(())
    }

    /// One email, once per donor and cycle, when they have given a candidate
    /// more than $200 and the reports lack their employer, occupation or address.
    async fn ask_best_efforts(
        &self,
        tx: &mut dyn Tx,
        pledge: &PledgeRow,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let missing = missing_details(&pledge.donor);
        if missing.is_empty() {
            return Ok(());
        }
        let over = tx
            .collected_from(&pledge.email)
            .await?
            .iter()
            .any(|(_, cents)| *cents > BEST_EFFORTS_OVER);
        if !over {
            return Ok(());
        }
        let Some(slate) = tx.slate(pledge.slate_id).await? else {
            return Ok(());
        };
        let mark = format!("best-efforts:{}:{}", pledge.email.as_str(), slate.cycle);
        if !tx.mark_once(&mark, at).await? {
            return Ok(());
        }
        let body = format!(
            "Thank you for your contributions through Cohort to the candidates of \"{name}\".\n\n\
             Federal law requires us to use our best efforts to collect and report the name, \
             mailing address, occupation and employer of each person whose contributions \
             aggregate more than $200 in an election cycle. We don't have your {missing}.\n\n\
             Please add it at your private link (keep it to yourself):\n\
             {base}/pledges/{id}/donor?token={token}\n\n\
             Your contributions are not affected either way.\n",
            name = slate.name,
            missing = missing.join(", "),
            base = self.public_url(),
            id = pledge.id,
            token = self.receipt_link_token(pledge),
        );
        self.queue_email(
            tx,
            pledge.email.clone(),
            "Your employer and occupation, for the FEC",
            body,
            true,
            at,
        )
        .await?;
        Ok(())
    }

    /// The donor details a pledge carries, for its owner (the best-efforts form).
    pub async fn donor_details(&self, pledge_id: Id, token: &str) -> Result<Donor> {
        let mut tx = self.store.read().await?;
        Ok(
            crate::pledges::owned_receipt(tx.as_mut(), &self.keys, pledge_id, token)
                .await?
                .donor,
        )
    }

    /// Complete the donor details of a pledge (the best-efforts link):
    /// employer, occupation and mailing address, checked like the pledge form.
    pub async fn complete_donor(
        &self,
        pledge_id: Id,
        token: &str,
        input: crate::DonorInput,
    ) -> Result<Donor> {
        let mut tx = self.store.write().await?;
        let row = crate::pledges::owned_receipt(tx.as_mut(), &self.keys, pledge_id, token).await?;
        // The email and the attestation stay as pledged; the name too unless given.
        let mut input = input;
        input.email = row.email.as_str().to_owned();
        input.attests_eligible = row.donor.attests_eligible;
        if input.name.trim().is_empty() {
            input.name = row.donor.name.clone();
        }
        let (_, donor) = crate::pledges::check_donor(&input, "money")?;
        tx.set_pledge_donor(row.id, &donor).await?;
        tx.commit().await?;
        Ok(donor)
    }

    pub(crate) fn require_conduit_operator(&self, actor: &Actor) -> Result<()> {
        actor
            .require_global_organizer()
            .map_err(|e| match e {
                EngineError::Forbidden(_) => EngineError::Forbidden(
                    "only an organizer of every slate (the conduit's operator) may see or change the books"
                        .into(),
                ),
                e => e,
            })
    }

    async fn conduit(&self, tx: &mut dyn Tx) -> Result<Option<Committee>> {
        tx.setting(CONDUIT)
            .await?
            .map(|v| {
                serde_json::from_str::<Committee>(&v).map_err(|e| {
                    EngineError::Store(StoreError::Corrupt {
                        table: "settings",
                        detail: format!("conduit: {e}"),
                    })
                })
            })
            .transpose()
    }

    /// Record (or correct) the conduit's own committee: Cohort as a PAC.
    pub async fn set_conduit(
        &self,
        actor: &Actor,
        input: CommitteeInput,
    ) -> Result<CommitteeInput> {
        self.require_conduit_operator(actor)?;
        let record = conduit_record(&input)?;
        let mut tx = self.store.write().await?;
        let body = serde_json::to_string(&record).map_err(|e| corrupt(e.to_string()))?;
        tx.set_setting(CONDUIT, &body, self.now()).await?;
        tx.commit().await?;
        Ok(view_of(&record))
    }

    /// Every federal committee on record, by FEC id.
    async fn committees_on_record(
        &self,
        tx: &mut dyn Tx,
    ) -> Result<BTreeMap<CommitteeId, (Committee, String)>> {
        let mut out = BTreeMap::new();
        for s in tx.slates().await? {
            let rows = tx.committees(s.id).await?;
            for c in tx.candidates(s.id).await? {
                if let Some(r) = rows
                    .iter()
                    .find(|r| r.candidate_id == c.id)
                    .and_then(|r| committee_record(&c, r))
                {
                    out.insert(r.id.clone(), (r, c.name.clone()));
                }
            }
        }
        Ok(out)
    }

    /// The people and committees the ledger names, for the reports.
    async fn directory(&self, tx: &mut dyn Tx, ledger: &Ledger) -> Result<Directory> {
        let committees = self.committees_on_record(tx).await?;
        let mut contributors = BTreeMap::new();
        for e in ledger.earmarks() {
            if contributors.contains_key(&e.contributor) {
                continue;
            }
            let Ok(email) = Email::parse(&e.contributor.0) else {
                continue;
            };
            let pledges = tx.pledges_by_email(&email).await?;
            if let Some(c) = best_donor(&pledges).and_then(|p| contributor(&email, &p.donor)) {
                contributors.insert(e.contributor.clone(), c);
            }
        }
        Ok(Directory::new(
            committees.into_values().map(|(c, _)| c),
            contributors.into_values(),
        ))
    }

    /// The books: totals, what is due to each committee by when, batches
    /// sent, and any problem `cohort verify` would name.
    pub async fn books(&self, actor: &Actor) -> Result<BooksView> {
        self.require_conduit_operator(actor)?;
        let mut tx = self.store.read().await?;
        let ledger = load_books(tx.as_mut()).await?;
        let committees = self.committees_on_record(tx.as_mut()).await?;
        let conduit = self.conduit(tx.as_mut()).await?;
        let today = self.today();
        let name = |id: &CommitteeId| {
            committees
                .get(id)
                .map(|(c, _)| c.name.clone())
                .unwrap_or_else(|| id.to_string())
        };
        let due = books_check::due_to_forward(&ledger)
            .into_iter()
            .map(|d| DueView {
                committee_id: d.committee.to_string(),
                committee: name(&d.committee),
                held_cents: d.total.0,
                payable_cents: d.items.iter().map(|i| i.payable.0).sum(),
                receipts: d.items.len(),
                oldest_received: d.items.iter().map(|i| i.received_on).min().unwrap_or(today),
                forward_by: d.next_due,
                overdue: d.items.iter().any(|i| i.is_overdue(today)),
                items: d
                    .items
                    .iter()
                    .map(|i| DueItemView {
                        receipt: i.receipt.to_string(),
                        received_on: i.received_on,
                        forward_by: i.due_on,
                        held_cents: i.held().get(),
                    })
                    .collect(),
            })
            .collect();
        let mut batches = Vec::new();
        let (mut forwarded, mut refunded) = (Cents::ZERO, Cents::ZERO);
        for e in ledger.entries() {
            match e.kind() {
                EntryKind::Forward { committee, batch } => {
                    forwarded += e.debits();
                    batches.push(BatchView {
                        id: batch.to_string(),
                        committee_id: committee.to_string(),
                        committee: name(committee),
                        sent_on: e.date(),
                        total_cents: e.debits().0,
                        receipts: e.transfers().len(),
                    });
                }
                EntryKind::Refund { .. } => refunded += e.debits(),
                _ => {}
            }
        }
        batches.reverse();
        let received: Cents = ledger.earmarks().map(|e| e.amount).sum();
        let receipts = ledger
            .earmarks()
            .map(|e| &e.receipt)
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        let problems = self.books_problems(tx.as_mut(), &ledger).await?;
        Ok(BooksView {
            as_of: today,
            conduit: conduit.as_ref().map(view_of),
            cash_cents: ledger.balance(&cohort_books::ledger::Account::Cash).0,
            received_cents: received.0,
            forwarded_cents: forwarded.0,
            refunded_cents: refunded.0,
            receipts,
            due,
            batches,
            committees: committees
                .iter()
                .map(|(id, (c, candidate))| CommitteeRef {
                    id: id.to_string(),
                    name: c.name.clone(),
                    candidate: candidate.clone(),
                })
                .collect(),
            problems,
        })
    }

    /// What is wrong with the books, in words: the ledger's own check
    /// (balanced, each earmark accounted for, nothing overdue) and every
    /// succeeded payment booked at exactly its amount.
    pub(crate) async fn books_problems(
        &self,
        tx: &mut dyn Tx,
        ledger: &Ledger,
    ) -> Result<Vec<String>> {
        let today = self.today();
        let checked = books_check::check(ledger, today);
        let mut out: Vec<String> = checked.problems.iter().map(|p| p.to_string()).collect();
        for item in &checked.overdue {
            out.push(format!(
                "receipt {} for {}: {} received {} was due to be forwarded by {}",
                item.receipt,
                item.committee,
                item.held(),
                item.received_on,
                forward_by(item.received_on)
            ));
        }
        let mut booked: BTreeMap<&ReceiptId, Cents> = BTreeMap::new();
        for e in ledger.earmarks() {
            *booked.entry(&e.receipt).or_default() += e.amount;
        }
        for (pledge_id, period, amount) in tx.succeeded_payments().await? {
            let id = receipt_id(pledge_id, period);
            match booked.get(&id) {
                None => out.push(format!(
                    "pledge {pledge_id} installment {period} was charged {amount} but is not on the books"
                )),
                Some(b) if *b != amount => out.push(format!(
                    "pledge {pledge_id} installment {period} was charged {amount} but booked as {b}"
                )),
                Some(_) => {}
            }
        }
        Ok(out)
    }

    /// Record a forwarding batch to one committee: everything payable to it,
    /// oldest receipt first, sent today. Refused when nothing is payable.
    pub async fn forward(&self, actor: &Actor, committee: &str) -> Result<BatchView> {
        self.require_conduit_operator(actor)?;
        let id = committee_id(committee)?;
        let mut tx = self.store.write().await?;
        tx.lock_books().await?;
        let ledger = load_books(tx.as_mut()).await?;
        let committees = self.committees_on_record(tx.as_mut()).await?;
        let Some((record, _)) = committees.get(&id) else {
            return Err(EngineError::not_found("committee", committee));
        };
        let today = self.today();
        let n = ledger
            .entries()
            .iter()
            .filter(|e| matches!(e.kind(), EntryKind::Forward { .. }))
            .count()
            + 1;
        let batch_id = BatchId(format!("B{}-{n}", today.format("%Y%m%d")));
        let Some(batch) = ledger.forwarding_batch(&id, batch_id.clone(), today) else {
            return Err(EngineError::conflict(
                "nothing_to_forward",
                format!("nothing is payable to {} ({id})", record.name),
            ));
        };
        let view = BatchView {
            id: batch.id.to_string(),
            committee_id: id.to_string(),
            committee: record.name.clone(),
            sent_on: today,
            total_cents: batch.total().0,
            receipts: batch.items.len(),
        };
        let event = Event::Forward(batch);
        let mut check = ledger;
        check
            .apply(event.clone())
            .map_err(|e| EngineError::conflict("ledger_refused", e.to_string()))?;
        append(
            tx.as_mut(),
            &format!("forward:{batch_id}"),
            &event,
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Return money to a donor: the payment provider refunds part of the
    /// charge, then the books record it (from clearing first, then payable).
    /// Refused, with nothing moved, when the conduit no longer holds that
    /// much of the earmark: what was forwarded is the committee's to refund.
    pub async fn refund(&self, actor: &Actor, ask: RefundAsk) -> Result<RefundView> {
        self.require_conduit_operator(actor)?;
        self.refund_held(ask).await
    }

    /// [`Engine::refund`] once the asker is known to be entitled to it (the
    /// operator, or the donor choosing a refund after a primary loss).
    pub(crate) async fn refund_held(&self, ask: RefundAsk) -> Result<RefundView> {
        let reason = refund_reason(&ask.reason)?;
        let committee = committee_id(&ask.committee)?;
        let (pledge_id, period) = parse_receipt(&ask.receipt)?;
        if ask.amount_cents <= 0 {
            return Err(EngineError::invalid(
                "amount_cents",
                "a refund must be a positive amount of cents",
            ));
        }
        let receipt = receipt_id(pledge_id, period);
        let today = self.today();
        let entry = RefundInput {
            receipt: receipt.clone(),
            committee: committee.clone(),
            amount: Cents(ask.amount_cents),
            refunded_on: today,
            reason,
        };
        // Check first: no money moves unless the books would take the refund.
        let (intent_id, n) = {
            let mut tx = self.store.read().await?;
            let mut ledger = load_books(tx.as_mut()).await?;
            let n = refunds_of(&ledger, &receipt, &committee) + 1;
            ledger
                .refund(entry.clone())
                .map_err(|e| EngineError::conflict("refund_refused", e.to_string()))?;
            let paid = tx.payment(pledge_id, period).await?.and_then(|y| {
                y.intent_id
                    .filter(|_| y.state == cohort_store::PaymentState::Succeeded)
            });
            let Some(intent_id) = paid else {
                return Err(EngineError::conflict(
                    "refund_refused",
                    format!("receipt {receipt} has no succeeded payment to refund"),
                ));
            };
            (intent_id, n)
        };
        let key = format!("refund:{receipt}:{committee}:{n}");
        let refund_id = self
            .gateway
            .refund(&RefundRequest {
                intent_id,
                amount: entry.amount,
                receipt: receipt.to_string(),
                committee: committee.to_string(),
                // The same refund asked again (a retry, a double click) is
                // the same refund at the provider.
                idempotency_key: format!("cohort-{key}"),
            })
            .await
            .map_err(|e| {
                EngineError::conflict(
                    "gateway_refused",
                    format!("the payment provider did not refund: {e}"),
                )
            })?;
        let mut tx = self.store.write().await?;
        tx.lock_books().await?;
        let mut ledger = load_books(tx.as_mut()).await?;
        if refunds_of(&ledger, &receipt, &committee) < n {
            let event = Event::Refund(entry.clone());
            ledger
                .apply(event.clone())
                .map_err(|e| EngineError::conflict("refund_refused", e.to_string()))?;
            append(tx.as_mut(), &key, &event, self.now()).await?;
        }
        tx.commit().await?;
        Ok(RefundView {
            receipt: receipt.to_string(),
            committee: committee.to_string(),
            amount_cents: entry.amount.0,
            reason: ask.reason,
            refunded_on: today,
            refund_id,
        })
    }

    /// The CSV that goes with a forwarding batch: a row per contribution.
    pub async fn batch_csv(&self, actor: &Actor, batch: &str) -> Result<(String, String)> {
        self.require_conduit_operator(actor)?;
        let mut tx = self.store.read().await?;
        let ledger = load_books(tx.as_mut()).await?;
        let found = tx
            .book_events()
            .await?
            .into_iter()
            .find(|e| e.key == format!("forward:{batch}"));
        let Some(found) = found else {
            return Err(EngineError::not_found("forwarding batch", batch));
        };
        let Event::Forward(b) =
            serde_json::from_str::<Event>(&found.body).map_err(|e| corrupt(e.to_string()))?
        else {
            return Err(corrupt(format!("{} is not a forwarding batch", found.key)));
        };
        let directory = self.directory(tx.as_mut(), &ledger).await?;
        let csv = actblue::batch_csv(&ledger, &directory, &b).map_err(report_error)?;
        Ok((format!("cohort-{}-{}.csv", b.committee, b.id), csv))
    }

    /// Every contribution earmarked for one committee in a period, as
    /// ActBlue's contribution export names its columns.
    pub async fn contributions_csv(
        &self,
        actor: &Actor,
        committee: &str,
        period: PeriodInput,
    ) -> Result<(String, String)> {
        self.require_conduit_operator(actor)?;
        let id = committee_id(committee)?;
        let mut tx = self.store.read().await?;
        let ledger = load_books(tx.as_mut()).await?;
        let directory = self.directory(tx.as_mut(), &ledger).await?;
        if !directory.committees.contains_key(&id) {
            return Err(EngineError::not_found("committee", committee));
        }
        let p = report_period(&period, period.from)?;
        let csv = actblue::contributions_csv(&ledger, &directory, &id, &p).map_err(report_error)?;
        Ok((
            format!("cohort-{id}-{}-{}.csv", period.from, period.through),
            csv,
        ))
    }

    /// An FEC electronic filing (`.fec`, format 8.4) for a period.
    pub async fn fec_filing(
        &self,
        actor: &Actor,
        filing: Filing,
        period: PeriodInput,
    ) -> Result<(String, String)> {
        self.require_conduit_operator(actor)?;
        let mut tx = self.store.read().await?;
        let ledger = load_books(tx.as_mut()).await?;
        let Some(conduit) = self.conduit(tx.as_mut()).await? else {
            return Err(EngineError::conflict(
                "no_conduit_record",
                "record the conduit's own committee (name, FEC id, treasurer, address) on the books page first",
            ));
        };
        let directory = self.directory(tx.as_mut(), &ledger).await?;
        let text = match &filing {
            Filing::Conduit => {
                // A PAC aggregates contributors by calendar year.
                let start =
                    NaiveDate::from_ymd_opt(period.through.year(), 1, 1).unwrap_or(period.from);
                let p = report_period(&period, start)?;
                fec::conduit_filing(&ledger, &conduit, &directory, &p)
                    .map_err(report_error)?
                    .into_string()
            }
            Filing::Recipient(committee) => {
                let id = committee_id(committee)?;
                let recipient = directory
                    .committees
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| EngineError::not_found("committee", committee.as_str()))?;
                // A candidate's committee aggregates over the election cycle:
                // from January 1 of the odd year before the election.
                let year = period.through.year();
                let start = NaiveDate::from_ymd_opt(year - (year % 2 == 0) as i32, 1, 1)
                    .unwrap_or(period.from);
                let p = report_period(&period, start.min(period.from))?;
                fec::recipient_filing(&ledger, &conduit, &recipient, &directory, &p, Cents::ZERO)
                    .map_err(report_error)?
                    .into_string()
            }
        };
        let who = match &filing {
            Filing::Conduit => conduit.id.to_string(),
            Filing::Recipient(c) => c.clone(),
        };
        Ok((
            format!("cohort-{who}-{}-{}.fec", period.from, period.through),
            text,
        ))
    }
}

/// How many refunds the books hold for one earmark.
fn refunds_of(ledger: &Ledger, receipt: &ReceiptId, committee: &CommitteeId) -> usize {
    ledger
        .entries()
        .iter()
        .filter(|e| {
            matches!(e.kind(), EntryKind::Refund { receipt: r, committee: c, .. } if r == receipt && c == committee)
        })
        .count()
}

fn report_period(p: &PeriodInput, aggregation_start: NaiveDate) -> Result<ReportPeriod> {
    if p.from > p.through {
        return Err(EngineError::invalid(
            "from",
            format!("the period runs backwards: {} to {}", p.from, p.through),
        ));
    }
    let code = p
        .report_code
        .clone()
        .filter(|c| !c.trim().is_empty())
        .unwrap_or_else(|| format!("Q{}", (p.through.month() - 1) / 3 + 1));
    let period = ReportPeriod {
        report_code: code.trim().to_uppercase(),
        from: p.from,
        through: p.through,
        signed_on: p.through,
        aggregation_start: aggregation_start.min(p.from),
    };
    Ok(period)
}

fn report_error(e: cohort_books::report::ReportError) -> EngineError {
    use cohort_books::report::ReportError as R;
    match e {
        R::ReportCode(_) => EngineError::invalid("report_code", e.to_string()),
        R::PeriodReversed { .. } | R::AggregationAfterPeriod => {
            EngineError::invalid("from", e.to_string())
        }
        _ => EngineError::conflict("report_refused", e.to_string()),
    }
}
