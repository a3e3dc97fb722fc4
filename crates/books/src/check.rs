//! Proving the books: the trial balance, the conduit's equation, each earmark
//! traced to the cent, and what is due to forward by when.
//!
//! [`check`] recomputes every balance from the journal alone and compares it
//! with the ledger's running balances, so a bug in either shows up as a
//! [`Problem`] rather than a silently wrong report. It also lists every
//! earmarked contribution the conduit still holds past its forwarding deadline:
//! 10 days from receipt (11 CFR 110.6(b)(2)(iii) and 102.8(a)).

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use cohort_core::money::Cents;

use crate::ledger::{Account, BatchId, EntryKind, Ledger, ReceiptId, RefundReason};
use crate::records::CommitteeId;

/// Days a conduit has to forward an earmarked contribution (11 CFR 102.8(a)).
pub const FORWARD_WITHIN_DAYS: u64 = 10;

/// Days a committee has to refund an excessive contribution (11 CFR 103.3(b)(3)).
pub const REFUND_EXCESS_WITHIN_DAYS: u64 = 60;

/// The last day an earmarked contribution received on `received_on` may be forwarded.
pub fn forward_by(received_on: NaiveDate) -> NaiveDate {
    received_on
        .checked_add_days(Days::new(FORWARD_WITHIN_DAYS))
        .unwrap_or(NaiveDate::MAX)
}

/// Totals of one account over the journal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrialRow {
    pub account: Account,
    pub debits: Cents,
    pub credits: Cents,
}

impl TrialRow {
    /// In the account's natural sign: debits less credits for an asset.
    pub fn balance(&self) -> Cents {
        if self.account.is_asset() {
            self.debits - self.credits
        } else {
            self.credits - self.debits
        }
    }
}

/// Every account's debits and credits, summed from the journal entries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrialBalance {
    pub rows: Vec<TrialRow>,
    pub total_debits: Cents,
    pub total_credits: Cents,
}

/// Sums the journal into a trial balance.
pub fn trial_balance(ledger: &Ledger) -> TrialBalance {
    let mut rows: BTreeMap<Account, (Cents, Cents)> = BTreeMap::new();
    let (mut total_debits, mut total_credits) = (Cents::ZERO, Cents::ZERO);
    for entry in ledger.entries() {
        for t in entry.transfers() {
            rows.entry(t.debit().clone()).or_default().0 += t.amount();
            rows.entry(t.credit().clone()).or_default().1 += t.amount();
            total_debits += t.amount();
            total_credits += t.amount();
        }
    }
    TrialBalance {
        rows: rows
            .into_iter()
            .map(|(account, (debits, credits))| TrialRow {
                account,
                debits,
                credits,
            })
            .collect(),
        total_debits,
        total_credits,
    }
}

/// What happened to one earmarked contribution, read from the journal.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Movements {
    pub received: Cents,
    pub forwarded: Cents,
    pub refunded: Cents,
    /// Each forwarding: date, amount, batch.
    pub forwards: Vec<(NaiveDate, Cents, BatchId)>,
    /// Each refund: date, amount, reason.
    pub refunds: Vec<(NaiveDate, Cents, RefundReason)>,
}

/// Reads, for every earmarked contribution, what was received, forwarded and
/// refunded, from the journal entries alone.
pub fn movements(ledger: &Ledger) -> BTreeMap<(ReceiptId, CommitteeId), Movements> {
    let mut out: BTreeMap<(ReceiptId, CommitteeId), Movements> = BTreeMap::new();
    for entry in ledger.entries() {
        match entry.kind() {
            EntryKind::Receipt(_) => {
                for t in entry.transfers() {
                    if let Account::Clearing { receipt, committee } = t.credit() {
                        out.entry((receipt.clone(), committee.clone()))
                            .or_default()
                            .received += t.amount();
                    }
                }
            }
            EntryKind::Forward { batch, .. } => {
                for t in entry.transfers() {
                    if let Account::Payable { committee, receipt } = t.debit() {
                        let m = out.entry((receipt.clone(), committee.clone())).or_default();
                        m.forwarded += t.amount();
                        m.forwards.push((entry.date(), t.amount(), batch.clone()));
                    }
                }
            }
            EntryKind::Refund {
                receipt,
                committee,
                reason,
            } => {
                // One refund may draw on clearing and on payable: one line.
                let amount: Cents = entry
                    .transfers()
                    .iter()
                    .filter(|t| *t.credit() == Account::Cash)
                    .map(|t| t.amount())
                    .sum();
                let m = out.entry((receipt.clone(), committee.clone())).or_default();
                m.refunded += amount;
                m.refunds.push((entry.date(), amount, *reason));
            }
            EntryKind::Clear(_) => {}
        }
    }
    out
}

/// Something the books got wrong. Any of these means a bug or tampering.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Total debits differ from total credits.
    Unbalanced { debits: Cents, credits: Cents },
    /// The running balance differs from the one the journal sums to.
    BalanceMismatch {
        account: Account,
        running: Cents,
        journal: Cents,
    },
    /// An account is below zero.
    Negative { account: Account, balance: Cents },
    /// Cash differs from what the conduit owes (clearing + payable): the
    /// conduit's money is all someone else's, so they must be equal.
    CashNotOwed { cash: Cents, owed: Cents },
    /// received ≠ clearing + payable + forwarded + refunded for an earmark.
    Unaccounted {
        receipt: ReceiptId,
        committee: CommitteeId,
        received: Cents,
        accounted: Cents,
    },
    /// An excessive contribution refunded more than 60 days after receipt.
    LateExcessRefund {
        receipt: ReceiptId,
        committee: CommitteeId,
        received_on: NaiveDate,
        refunded_on: NaiveDate,
    },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Unbalanced { debits, credits } => {
                write!(f, "debits {debits} do not equal credits {credits}")
            }
            Problem::BalanceMismatch {
                account,
                running,
                journal,
            } => write!(f, "{account}: running balance {running}, journal says {journal}"),
            Problem::Negative { account, balance } => write!(f, "{account} is negative: {balance}"),
            Problem::CashNotOwed { cash, owed } => {
                write!(f, "cash {cash} differs from the {owed} owed to committees and donors")
            }
            Problem::Unaccounted {
                receipt,
                committee,
                received,
                accounted,
            } => write!(
                f,
                "receipt {receipt} for {committee}: received {received}, but only {accounted} is held, forwarded or refunded"
            ),
            Problem::LateExcessRefund {
                receipt,
                committee,
                received_on,
                refunded_on,
            } => write!(
                f,
                "receipt {receipt} for {committee}: excess received {received_on} refunded {refunded_on}, past 60 days (11 CFR 103.3(b)(3))"
            ),
        }
    }
}

/// One earmarked contribution the conduit still holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueItem {
    pub receipt: ReceiptId,
    pub committee: CommitteeId,
    pub received_on: NaiveDate,
    /// The last day to forward it (receipt + 10 days).
    pub due_on: NaiveDate,
    /// Held and settled: can go out in the next batch.
    pub payable: Cents,
    /// Held but not settled yet.
    pub clearing: Cents,
}

impl DueItem {
    pub fn held(&self) -> Cents {
        self.payable + self.clearing
    }
    pub fn is_overdue(&self, as_of: NaiveDate) -> bool {
        as_of > self.due_on
    }
}

/// Everything held for one committee, earliest deadline first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitteeDue {
    pub committee: CommitteeId,
    pub total: Cents,
    /// The earliest deadline among the items.
    pub next_due: NaiveDate,
    pub items: Vec<DueItem>,
}

/// The "due to forward" report: per committee, every earmarked contribution
/// the conduit still holds, with the date it must be forwarded by.
pub fn due_to_forward(ledger: &Ledger) -> Vec<CommitteeDue> {
    let mut by_committee: BTreeMap<CommitteeId, Vec<DueItem>> = BTreeMap::new();
    for e in ledger.earmarks() {
        let (clearing, payable) = ledger.held(&e.receipt, &e.committee);
        if clearing + payable > Cents::ZERO {
            by_committee
                .entry(e.committee.clone())
                .or_default()
                .push(DueItem {
                    receipt: e.receipt.clone(),
                    committee: e.committee.clone(),
                    received_on: e.received_on,
                    due_on: forward_by(e.received_on),
                    payable,
                    clearing,
                });
        }
    }
    by_committee
        .into_iter()
        .map(|(committee, mut items)| {
            items.sort_by(|a, b| (a.due_on, &a.receipt).cmp(&(b.due_on, &b.receipt)));
            CommitteeDue {
                committee,
                total: items.iter().map(DueItem::held).sum(),
                next_due: items[0].due_on,
                items,
            }
        })
        .collect()
}

/// The result of [`check`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BooksCheck {
    pub as_of: NaiveDate,
    pub trial_balance: TrialBalance,
    pub cash: Cents,
    pub owed: Cents,
    pub problems: Vec<Problem>,
    /// Held past its forwarding deadline as of `as_of`.
    pub overdue: Vec<DueItem>,
}

impl BooksCheck {
    /// The books balance to the cent and nothing is overdue.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty() && self.overdue.is_empty()
    }
}

/// Proves the books: debits equal credits; every running balance equals the
/// journal's; no account is negative; cash equals what is owed; each earmark's
/// receipt is fully held, forwarded or refunded; excess refunds were on time.
/// Lists what is overdue to forward as of `as_of`.
pub fn check(ledger: &Ledger, as_of: NaiveDate) -> BooksCheck {
    let tb = trial_balance(ledger);
    let mut problems = Vec::new();
    if tb.total_debits != tb.total_credits {
        problems.push(Problem::Unbalanced {
            debits: tb.total_debits,
            credits: tb.total_credits,
        });
    }
    let journal: BTreeMap<&Account, Cents> =
        tb.rows.iter().map(|r| (&r.account, r.balance())).collect();
    let running = ledger.balances();
    for account in running.keys().chain(journal.keys().copied()) {
        let r = running.get(account).copied().unwrap_or_default();
        let j = journal.get(account).copied().unwrap_or_default();
        if r != j
            && !problems
                .iter()
                .any(|p| matches!(p, Problem::BalanceMismatch { account: a, .. } if a == account))
        {
            problems.push(Problem::BalanceMismatch {
                account: account.clone(),
                running: r,
                journal: j,
            });
        }
        if j < Cents::ZERO
            && !problems
                .iter()
                .any(|p| matches!(p, Problem::Negative { account: a, .. } if a == account))
        {
            problems.push(Problem::Negative {
                account: account.clone(),
                balance: j,
            });
        }
    }
    let cash = journal.get(&Account::Cash).copied().unwrap_or_default();
    let owed: Cents = journal
        .iter()
        .filter(|(a, _)| !a.is_asset())
        .map(|(_, b)| *b)
        .sum();
    if cash != owed {
        problems.push(Problem::CashNotOwed { cash, owed });
    }
    let moves = movements(ledger);
    for ((receipt, committee), m) in &moves {
        let held = |a: Account| journal.get(&a).copied().unwrap_or_default();
        let accounted = held(Account::Clearing {
            receipt: receipt.clone(),
            committee: committee.clone(),
        }) + held(Account::Payable {
            committee: committee.clone(),
            receipt: receipt.clone(),
        }) + m.forwarded
            + m.refunded;
        if accounted != m.received {
            problems.push(Problem::Unaccounted {
                receipt: receipt.clone(),
                committee: committee.clone(),
                received: m.received,
                accounted,
            });
        }
        if let Some(e) = ledger.earmark(receipt, committee) {
            let limit = e
                .received_on
                .checked_add_days(Days::new(REFUND_EXCESS_WITHIN_DAYS))
                .unwrap_or(NaiveDate::MAX);
            for (on, _, reason) in &m.refunds {
                if *reason == RefundReason::Excess && *on > limit {
                    problems.push(Problem::LateExcessRefund {
                        receipt: receipt.clone(),
                        committee: committee.clone(),
                        received_on: e.received_on,
                        refunded_on: *on,
                    });
                }
            }
        }
    }
    let overdue = due_to_forward(ledger)
        .into_iter()
        .flat_map(|c| c.items)
        .filter(|i| i.is_overdue(as_of))
        .collect();
    BooksCheck {
        as_of,
        trial_balance: tb,
        cash,
        owed,
        problems,
        overdue,
    }
}
