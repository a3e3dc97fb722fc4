//! The conduit's double-entry ledger, in integer cents.
//!
//! Cohort collects contributions that donors earmark for candidates' committees
//! and forwards them: it is a *conduit* under 11 CFR 110.6. The money is never
//! Cohort's; from the moment it arrives it is owed, first to the donor's chosen
//! committee, or back to the donor. So the books are an asset (`Cash`) and the
//! liabilities that say whose it is:
//!
//! ```text
//!  donor ──receive──> Clearing(receipt, committee) ──clear──> Payable(committee, receipt) ──forward──> committee
//!                            │                                        │
//!                            └──────────────refund──────────────────┘──> donor
//! ```
//!
//! * **receive** — a charge succeeded: debit `Cash`, credit `Clearing` for each
//!   committee the donor earmarked (11 CFR 110.6(b)(1): the earmark is the
//!   donor's direction, fixed at receipt).
//! * **clear** — the payment settled and can be passed on: `Clearing` → `Payable`.
//! * **forward** — a batch paid to one committee: debit `Payable`, credit `Cash`.
//!   Every earmarked contribution must be forwarded within 10 days of receipt
//!   (11 CFR 110.6(b)(2)(iii), 102.8(a)); see [`crate::check`].
//! * **refund** — cancellation, a reversed payment, a committee's refusal, an
//!   excess over the limit (to be refunded within 60 days, 11 CFR 103.3(b)(3)):
//!   debit `Clearing`, then `Payable`, credit `Cash`.
//!
//! A [`JournalEntry`] is a list of [`Transfer`]s, each debiting one account and
//! crediting another by the same positive amount, so an entry cannot be built
//! unbalanced. Entries are made only by the [`Ledger`]'s operations, which
//! refuse, with an error naming the problem and leaving the books untouched,
//! anything that would drive an account below zero.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use cohort_core::money::Cents;
use serde::{Deserialize, Serialize};

use crate::records::{CommitteeId, ContributorId, ElectionCode};

/// One successful charge of a donor, as the payment processor reports it
/// (the engine passes e.g. its pledge id and period). It may carry earmarks for
/// several committees.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ReceiptId(pub String);

impl fmt::Display for ReceiptId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A forwarding batch: one payment to one committee.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct BatchId(pub String);

impl fmt::Display for BatchId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An account of the conduit's books. Liabilities are kept per earmarked
/// contribution (receipt × committee), so every cent can be traced from the
/// donor to where it went.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Account {
    /// Money the conduit holds (its bank and processor balances). An asset.
    Cash,
    /// Received for `committee`, not yet settled. A liability.
    Clearing {
        receipt: ReceiptId,
        committee: CommitteeId,
    },
    /// Settled and owed to `committee`. A liability.
    Payable {
        committee: CommitteeId,
        receipt: ReceiptId,
    },
}

impl Account {
    /// Assets grow with debits; liabilities with credits.
    pub fn is_asset(&self) -> bool {
        matches!(self, Account::Cash)
    }
}

impl fmt::Display for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Account::Cash => f.write_str("cash"),
            Account::Clearing { receipt, committee } => {
                write!(f, "clearing {receipt} for {committee}")
            }
            Account::Payable { committee, receipt } => {
                write!(f, "payable to {committee} from {receipt}")
            }
        }
    }
}

/// One movement of money: `amount` debited to one account and credited to
/// another. Its amount is always positive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transfer {
    debit: Account,
    credit: Account,
    amount: Cents,
}

impl Transfer {
    /// `None` unless `amount` is positive: a zero or negative transfer is no
    /// movement at all, and would hide a sign error.
    pub fn new(debit: Account, credit: Account, amount: Cents) -> Option<Transfer> {
        (amount > Cents::ZERO).then_some(Transfer {
            debit,
            credit,
            amount,
        })
    }
    pub fn debit(&self) -> &Account {
        &self.debit
    }
    pub fn credit(&self) -> &Account {
        &self.credit
    }
    pub fn amount(&self) -> Cents {
        self.amount
    }
}

/// Why money went back to a donor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundReason {
    /// The donor cancelled before the money was forwarded.
    Cancelled,
    /// The payment failed after it was recorded (a reversal or dispute).
    PaymentFailed,
    /// The recipient committee refused the contribution, or cannot take it.
    Rejected,
    /// Over a contribution limit: refunded within 60 days (11 CFR 103.3(b)(3)).
    Excess,
}

impl RefundReason {
    pub fn describe(self) -> &'static str {
        match self {
            RefundReason::Cancelled => "Refund: cancelled by contributor",
            RefundReason::PaymentFailed => "Refund: payment reversed",
            RefundReason::Rejected => "Refund: declined by recipient",
            RefundReason::Excess => "Refund: excessive contribution",
        }
    }
}

/// What a journal entry records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryKind {
    Receipt(ReceiptId),
    Clear(ReceiptId),
    Forward {
        committee: CommitteeId,
        batch: BatchId,
    },
    Refund {
        receipt: ReceiptId,
        committee: CommitteeId,
        reason: RefundReason,
    },
}

/// A dated, balanced journal entry. Only the [`Ledger`] makes them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JournalEntry {
    seq: usize,
    date: NaiveDate,
    kind: EntryKind,
    transfers: Vec<Transfer>,
}

impl JournalEntry {
    pub fn seq(&self) -> usize {
        self.seq
    }
    pub fn date(&self) -> NaiveDate {
        self.date
    }
    pub fn kind(&self) -> &EntryKind {
        &self.kind
    }
    pub fn transfers(&self) -> &[Transfer] {
        &self.transfers
    }
    /// Total debits. Equal to [`credits`](Self::credits) by construction.
    pub fn debits(&self) -> Cents {
        self.transfers.iter().map(|t| t.amount).sum()
    }
    pub fn credits(&self) -> Cents {
        self.transfers.iter().map(|t| t.amount).sum()
    }
}

/// One committee's share of a receipt, as the donor earmarked it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarmarkInput {
    pub committee: CommitteeId,
    /// The election the contribution is designated for (11 CFR 110.1(b)(2)).
    pub election: ElectionCode,
    pub amount: Cents,
}

/// A successful charge: who paid, when, and for whom.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptInput {
    pub id: ReceiptId,
    pub contributor: ContributorId,
    pub received_on: NaiveDate,
    pub earmarks: Vec<EarmarkInput>,
}

/// One earmarked contribution in a forwarding batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForwardItem {
    pub receipt: ReceiptId,
    pub amount: Cents,
}

/// One payment to one committee, covering several earmarked contributions.
/// [`Ledger::forwarding_batch`] proposes one with everything payable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForwardBatch {
    pub id: BatchId,
    pub committee: CommitteeId,
    pub sent_on: NaiveDate,
    pub items: Vec<ForwardItem>,
}

impl ForwardBatch {
    pub fn total(&self) -> Cents {
        self.items.iter().map(|i| i.amount).sum()
    }
}

/// Money going back to a donor from one earmarked contribution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundInput {
    pub receipt: ReceiptId,
    pub committee: CommitteeId,
    pub amount: Cents,
    pub refunded_on: NaiveDate,
    pub reason: RefundReason,
}

/// Everything that can happen to the books, as plain data a store can keep
/// and [`Ledger::replay`] can rebuild the books from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    Receive(ReceiptInput),
    Clear { receipt: ReceiptId, on: NaiveDate },
    Forward(ForwardBatch),
    Refund(RefundInput),
}

/// An operation the books refuse. Nothing was recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("receipt {0} is already on the books")]
    DuplicateReceipt(ReceiptId),
    #[error("receipt {0} earmarks nothing; a receipt needs at least one committee")]
    NoEarmarks(ReceiptId),
    #[error("receipt {receipt} earmarks {committee} twice; give one amount per committee")]
    DuplicateEarmark {
        receipt: ReceiptId,
        committee: CommitteeId,
    },
    #[error("{what} must be a positive amount, not {amount}")]
    NotPositive { what: &'static str, amount: Cents },
    #[error("amounts too large to add up")]
    Overflow,
    #[error("no receipt {0} on the books")]
    UnknownReceipt(ReceiptId),
    #[error("receipt {receipt} earmarked nothing for {committee}")]
    UnknownEarmark {
        receipt: ReceiptId,
        committee: CommitteeId,
    },
    #[error("receipt {0} has nothing left in clearing")]
    NothingToClear(ReceiptId),
    #[error("{what} is dated {on}, before receipt {receipt} was received on {received_on}")]
    BeforeReceipt {
        what: &'static str,
        receipt: ReceiptId,
        on: NaiveDate,
        received_on: NaiveDate,
    },
    #[error("batch {0} is already on the books")]
    DuplicateBatch(BatchId),
    #[error("batch {0} forwards nothing")]
    EmptyBatch(BatchId),
    #[error("batch {batch} lists receipt {receipt} twice")]
    DuplicateItem { batch: BatchId, receipt: ReceiptId },
    #[error("batch {batch} would forward {wanted} from receipt {receipt} to {committee}, but only {payable} is payable (settled and not yet forwarded or refunded)")]
    OverForward {
        batch: BatchId,
        receipt: ReceiptId,
        committee: CommitteeId,
        wanted: Cents,
        payable: Cents,
    },
    #[error("a refund of {wanted} from receipt {receipt} for {committee} exceeds the {held} the conduit still holds of it; what was forwarded is the committee's to refund (11 CFR 103.3(b))")]
    OverRefund {
        receipt: ReceiptId,
        committee: CommitteeId,
        wanted: Cents,
        held: Cents,
    },
}

/// What the books know of one earmarked contribution (receipt × committee):
/// the facts the reports itemize. Amounts moved are read from the entries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Earmark {
    pub receipt: ReceiptId,
    pub committee: CommitteeId,
    pub contributor: ContributorId,
    pub election: ElectionCode,
    pub received_on: NaiveDate,
    pub amount: Cents,
}

/// The books: journal entries, running balances and the earmarks they concern.
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    entries: Vec<JournalEntry>,
    balances: BTreeMap<Account, Cents>,
    earmarks: BTreeMap<(ReceiptId, CommitteeId), Earmark>,
    batches: BTreeMap<BatchId, CommitteeId>,
}

fn positive(what: &'static str, amount: Cents) -> Result<(), LedgerError> {
    if amount > Cents::ZERO {
        Ok(())
    } else {
        Err(LedgerError::NotPositive { what, amount })
    }
}

fn transfer(debit: Account, credit: Account, amount: Cents) -> Transfer {
    // Callers have checked `amount` is positive; an internal bug must not
    // silently write a zero-amount line.
    Transfer::new(debit, credit, amount).expect("ledger operations move positive amounts")
}

impl Ledger {
    pub fn new() -> Ledger {
        Ledger::default()
    }

    /// Rebuilds the books from their events, in order. On the first refused
    /// event, says which (its index) and why.
    pub fn replay<I: IntoIterator<Item = Event>>(
        events: I,
    ) -> Result<Ledger, (usize, LedgerError)> {
        let mut ledger = Ledger::new();
        for (i, e) in events.into_iter().enumerate() {
            ledger.apply(e).map_err(|err| (i, err))?;
        }
        Ok(ledger)
    }

    /// Applies one event.
    pub fn apply(&mut self, event: Event) -> Result<&JournalEntry, LedgerError> {
        match event {
            Event::Receive(r) => self.receive(r),
            Event::Clear { receipt, on } => self.clear(&receipt, on),
            Event::Forward(b) => self.forward(b),
            Event::Refund(r) => self.refund(r),
        }
    }

    pub fn entries(&self) -> &[JournalEntry] {
        &self.entries
    }

    /// The running balance of an account, in its natural sign (assets by
    /// debits, liabilities by credits). Never negative.
    pub fn balance(&self, account: &Account) -> Cents {
        self.balances.get(account).copied().unwrap_or(Cents::ZERO)
    }

    pub(crate) fn balances(&self) -> &BTreeMap<Account, Cents> {
        &self.balances
    }

    /// Every earmarked contribution on the books, by receipt then committee.
    pub fn earmarks(&self) -> impl Iterator<Item = &Earmark> {
        self.earmarks.values()
    }

    pub fn earmark(&self, receipt: &ReceiptId, committee: &CommitteeId) -> Option<&Earmark> {
        self.earmarks.get(&(receipt.clone(), committee.clone()))
    }

    /// What the conduit still holds of an earmark: in clearing, and payable.
    pub fn held(&self, receipt: &ReceiptId, committee: &CommitteeId) -> (Cents, Cents) {
        (
            self.balance(&Account::Clearing {
                receipt: receipt.clone(),
                committee: committee.clone(),
            }),
            self.balance(&Account::Payable {
                committee: committee.clone(),
                receipt: receipt.clone(),
            }),
        )
    }

    /// Total payable to a committee (settled, not yet forwarded).
    pub fn payable_to(&self, committee: &CommitteeId) -> Cents {
        self.balances
            .iter()
            .filter(|(a, _)| matches!(a, Account::Payable { committee: c, .. } if c == committee))
            .map(|(_, b)| *b)
            .sum()
    }

    /// Records a successful charge: `Cash` up, `Clearing` up for each earmark.
    pub fn receive(&mut self, r: ReceiptInput) -> Result<&JournalEntry, LedgerError> {
        if self.earmarks.keys().any(|(id, _)| *id == r.id) {
            return Err(LedgerError::DuplicateReceipt(r.id));
        }
        if r.earmarks.is_empty() {
            return Err(LedgerError::NoEarmarks(r.id));
        }
        let mut total = Cents::ZERO;
        for (i, e) in r.earmarks.iter().enumerate() {
            positive("an earmarked amount", e.amount)?;
            if r.earmarks[..i].iter().any(|p| p.committee == e.committee) {
                return Err(LedgerError::DuplicateEarmark {
                    receipt: r.id,
                    committee: e.committee.clone(),
                });
            }
            total = total.checked_add(e.amount).ok_or(LedgerError::Overflow)?;
        }
        self.balance(&Account::Cash)
            .checked_add(total)
            .ok_or(LedgerError::Overflow)?;
        let transfers = r
            .earmarks
            .iter()
            .map(|e| {
                transfer(
                    Account::Cash,
                    Account::Clearing {
                        receipt: r.id.clone(),
                        committee: e.committee.clone(),
                    },
                    e.amount,
                )
            })
            .collect();
        for e in &r.earmarks {
            self.earmarks.insert(
                (r.id.clone(), e.committee.clone()),
                Earmark {
                    receipt: r.id.clone(),
                    committee: e.committee.clone(),
                    contributor: r.contributor.clone(),
                    election: e.election.clone(),
                    received_on: r.received_on,
                    amount: e.amount,
                },
            );
        }
        Ok(self.post(r.received_on, EntryKind::Receipt(r.id), transfers))
    }

    /// Moves everything of a receipt still in clearing to payable.
    pub fn clear(
        &mut self,
        receipt: &ReceiptId,
        on: NaiveDate,
    ) -> Result<&JournalEntry, LedgerError> {
        let earmarks: Vec<&Earmark> = self
            .earmarks
            .values()
            .filter(|e| e.receipt == *receipt)
            .collect();
        let Some(first) = earmarks.first() else {
            return Err(LedgerError::UnknownReceipt(receipt.clone()));
        };
        if on < first.received_on {
            return Err(LedgerError::BeforeReceipt {
                what: "clearing",
                receipt: receipt.clone(),
                on,
                received_on: first.received_on,
            });
        }
        let transfers: Vec<Transfer> = earmarks
            .iter()
            .filter_map(|e| {
                let clearing = Account::Clearing {
                    receipt: e.receipt.clone(),
                    committee: e.committee.clone(),
                };
                let amount = self.balance(&clearing);
                Transfer::new(
                    clearing,
                    Account::Payable {
                        committee: e.committee.clone(),
                        receipt: e.receipt.clone(),
                    },
                    amount,
                )
            })
            .collect();
        if transfers.is_empty() {
            return Err(LedgerError::NothingToClear(receipt.clone()));
        }
        Ok(self.post(on, EntryKind::Clear(receipt.clone()), transfers))
    }

    /// Proposes a batch forwarding everything payable to `committee`, oldest
    /// receipt first; `None` if nothing is payable.
    pub fn forwarding_batch(
        &self,
        committee: &CommitteeId,
        id: BatchId,
        sent_on: NaiveDate,
    ) -> Option<ForwardBatch> {
        let mut items: Vec<(NaiveDate, ForwardItem)> = self
            .balances
            .iter()
            .filter_map(|(a, b)| match a {
                Account::Payable {
                    committee: c,
                    receipt,
                } if c == committee && *b > Cents::ZERO => {
                    let received_on = self.earmark(receipt, c).map(|e| e.received_on)?;
                    Some((
                        received_on,
                        ForwardItem {
                            receipt: receipt.clone(),
                            amount: *b,
                        },
                    ))
                }
                _ => None,
            })
            .collect();
        if items.is_empty() {
            return None;
        }
        items.sort_by(|a, b| (a.0, &a.1.receipt).cmp(&(b.0, &b.1.receipt)));
        Some(ForwardBatch {
            id,
            committee: committee.clone(),
            sent_on,
            items: items.into_iter().map(|(_, i)| i).collect(),
        })
    }

    /// Records a batch paid to one committee: `Payable` down, `Cash` down.
    pub fn forward(&mut self, b: ForwardBatch) -> Result<&JournalEntry, LedgerError> {
        if self.batches.contains_key(&b.id) {
            return Err(LedgerError::DuplicateBatch(b.id));
        }
        if b.items.is_empty() {
            return Err(LedgerError::EmptyBatch(b.id));
        }
        for (i, item) in b.items.iter().enumerate() {
            positive("a forwarded amount", item.amount)?;
            if b.items[..i].iter().any(|p| p.receipt == item.receipt) {
                return Err(LedgerError::DuplicateItem {
                    batch: b.id.clone(),
                    receipt: item.receipt.clone(),
                });
            }
            let e = self.earmark(&item.receipt, &b.committee).ok_or_else(|| {
                LedgerError::UnknownEarmark {
                    receipt: item.receipt.clone(),
                    committee: b.committee.clone(),
                }
            })?;
            if b.sent_on < e.received_on {
                return Err(LedgerError::BeforeReceipt {
                    what: "forwarding",
                    receipt: item.receipt.clone(),
                    on: b.sent_on,
                    received_on: e.received_on,
                });
            }
            let (_, payable) = self.held(&item.receipt, &b.committee);
            if item.amount > payable {
                return Err(LedgerError::OverForward {
                    batch: b.id.clone(),
                    receipt: item.receipt.clone(),
                    committee: b.committee.clone(),
                    wanted: item.amount,
                    payable,
                });
            }
        }
        let transfers = b
            .items
            .iter()
            .map(|item| {
                transfer(
                    Account::Payable {
                        committee: b.committee.clone(),
                        receipt: item.receipt.clone(),
                    },
                    Account::Cash,
                    item.amount,
                )
            })
            .collect();
        self.batches.insert(b.id.clone(), b.committee.clone());
        Ok(self.post(
            b.sent_on,
            EntryKind::Forward {
                committee: b.committee,
                batch: b.id,
            },
            transfers,
        ))
    }

    /// Records money returned to a donor, from clearing first, then payable.
    pub fn refund(&mut self, r: RefundInput) -> Result<&JournalEntry, LedgerError> {
        positive("a refund", r.amount)?;
        let e =
            self.earmark(&r.receipt, &r.committee)
                .ok_or_else(|| LedgerError::UnknownEarmark {
                    receipt: r.receipt.clone(),
                    committee: r.committee.clone(),
                })?;
        if r.refunded_on < e.received_on {
            return Err(LedgerError::BeforeReceipt {
                what: "the refund",
                receipt: r.receipt,
                on: r.refunded_on,
                received_on: e.received_on,
            });
        }
        let (clearing, payable) = self.held(&r.receipt, &r.committee);
        let held = clearing + payable;
        if r.amount > held {
            return Err(LedgerError::OverRefund {
                receipt: r.receipt,
                committee: r.committee,
                wanted: r.amount,
                held,
            });
        }
        let from_clearing = r.amount.min(clearing);
        let from_payable = r.amount - from_clearing;
        let transfers = [
            Transfer::new(
                Account::Clearing {
                    receipt: r.receipt.clone(),
                    committee: r.committee.clone(),
                },
                Account::Cash,
                from_clearing,
            ),
            Transfer::new(
                Account::Payable {
                    committee: r.committee.clone(),
                    receipt: r.receipt.clone(),
                },
                Account::Cash,
                from_payable,
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        Ok(self.post(
            r.refunded_on,
            EntryKind::Refund {
                receipt: r.receipt,
                committee: r.committee,
                reason: r.reason,
            },
            transfers,
        ))
    }

    /// Appends an entry and moves the running balances. Every operation has
    /// checked that no balance goes below zero before calling this.
    fn post(
        &mut self,
        date: NaiveDate,
        kind: EntryKind,
        transfers: Vec<Transfer>,
    ) -> &JournalEntry {
        for t in &transfers {
            apply_to(&mut self.balances, t);
        }
        self.entries.push(JournalEntry {
            seq: self.entries.len(),
            date,
            kind,
            transfers,
        });
        self.entries.last().expect("just pushed")
    }
}

/// Moves `balances` by one transfer, in each account's natural sign.
pub(crate) fn apply_to(balances: &mut BTreeMap<Account, Cents>, t: &Transfer) {
    let signed = |a: &Account, debit: bool| {
        if a.is_asset() == debit {
            t.amount
        } else {
            Cents(-t.amount.0)
        }
    };
    *balances.entry(t.debit.clone()).or_default() += signed(&t.debit, true);
    *balances.entry(t.credit.clone()).or_default() += signed(&t.credit, false);
}
