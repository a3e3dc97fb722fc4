//! Property tests of the conduit's books: any sequence of receipts, clearings,
//! forwards and refunds — valid or not — keeps them balanced to the cent.
//!
//! Each operation is also run against a tiny independent model (plain
//! counters per earmark) that predicts whether the ledger must accept it and
//! what every balance must then be.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use cohort_books::check::{check, due_to_forward, movements, trial_balance};
use cohort_books::ledger::{
    BatchId, EarmarkInput, ForwardBatch, ForwardItem, Ledger, ReceiptId, ReceiptInput, RefundInput,
    RefundReason,
};
use cohort_books::records::{CommitteeId, ContributorId};
use cohort_books::Cents;
use proptest::prelude::*;

const COMMITTEES: [&str; 3] = ["C00000001", "C00000002", "C00000003"];
const RECEIPTS: usize = 6;

#[derive(Clone, Debug)]
enum Op {
    Receive {
        receipt: usize,
        day: u64,
        splits: Vec<(usize, i64)>,
    },
    Clear {
        receipt: usize,
        day: u64,
    },
    /// Forward `fraction`/4 of what is payable (0 = nothing, asks for an
    /// invalid zero item), plus `extra` cents (over-forwarding when > 0).
    Forward {
        committee: usize,
        day: u64,
        fraction: i64,
        extra: i64,
    },
    Refund {
        receipt: usize,
        committee: usize,
        day: u64,
        amount: i64,
        reason: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (
            0..RECEIPTS,
            0u64..40,
            prop::collection::vec((0..COMMITTEES.len(), -5i64..200_000), 0..4)
        )
            .prop_map(|(receipt, day, splits)| Op::Receive {
                receipt,
                day,
                splits
            }),
        (0..RECEIPTS, 0u64..40).prop_map(|(receipt, day)| Op::Clear { receipt, day }),
        (
            0..COMMITTEES.len(),
            0u64..40,
            0i64..5,
            prop_oneof![Just(0i64), 1i64..100]
        )
            .prop_map(|(committee, day, fraction, extra)| Op::Forward {
                committee,
                day,
                fraction,
                extra
            }),
        (
            0..RECEIPTS,
            0..COMMITTEES.len(),
            0u64..40,
            -5i64..250_000,
            0u8..4
        )
            .prop_map(|(receipt, committee, day, amount, reason)| Op::Refund {
                receipt,
                committee,
                day,
                amount,
                reason
            }),
    ]
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Model {
    received_on: u64,
    received: i64,
    clearing: i64,
    payable: i64,
    forwarded: i64,
    refunded: i64,
}

fn date(day: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1)
        .unwrap()
        .checked_add_days(Days::new(day))
        .unwrap()
}

fn rid(i: usize) -> ReceiptId {
    ReceiptId(format!("R{i}"))
}

fn cid(i: usize) -> CommitteeId {
    COMMITTEES[i].parse().unwrap()
}

fn reason(r: u8) -> RefundReason {
    [
        RefundReason::Cancelled,
        RefundReason::PaymentFailed,
        RefundReason::Rejected,
        RefundReason::Excess,
    ][r as usize % 4]
}

/// Runs one op on both; asserts the ledger accepted exactly what the model
/// says it must.
fn step(
    ledger: &mut Ledger,
    model: &mut BTreeMap<(usize, usize), Model>,
    batches: &mut usize,
    op: &Op,
) {
    match op {
        Op::Receive {
            receipt,
            day,
            splits,
        } => {
            let known = model.keys().any(|(r, _)| r == receipt);
            let mut seen = Vec::new();
            let mut valid = !known && !splits.is_empty();
            for (c, a) in splits {
                valid &= *a > 0 && !seen.contains(c);
                seen.push(*c);
            }
            let result = ledger.receive(ReceiptInput {
                id: rid(*receipt),
                contributor: ContributorId(format!("donor{}", receipt % 3)),
                received_on: date(*day),
                earmarks: splits
                    .iter()
                    .map(|(c, a)| EarmarkInput {
                        committee: cid(*c),
                        election: "G2026".parse().unwrap(),
                        amount: Cents(*a),
                    })
                    .collect(),
            });
            assert_eq!(result.is_ok(), valid, "receive {op:?}: {result:?}");
            if valid {
                for (c, a) in splits {
                    model.insert(
                        (*receipt, *c),
                        Model {
                            received_on: *day,
                            received: *a,
                            clearing: *a,
                            ..Model::default()
                        },
                    );
                }
            }
        }
        Op::Clear { receipt, day } => {
            let mine: Vec<_> = model.iter().filter(|((r, _), _)| r == receipt).collect();
            let valid = !mine.is_empty()
                && *day >= mine[0].1.received_on
                && mine.iter().any(|(_, m)| m.clearing > 0);
            let result = ledger.clear(&rid(*receipt), date(*day));
            assert_eq!(result.is_ok(), valid, "clear {op:?}: {result:?}");
            if valid {
                for ((r, _), m) in model.iter_mut() {
                    if r == receipt {
                        m.payable += m.clearing;
                        m.clearing = 0;
                    }
                }
            }
        }
        Op::Forward {
            committee,
            day,
            fraction,
            extra,
        } => {
            let mut items = Vec::new();
            let mut valid = true;
            for ((r, c), m) in model.iter() {
                if c != committee || m.payable == 0 {
                    continue;
                }
                let amount = m.payable * fraction / 4 + extra;
                valid &= amount > 0 && amount <= m.payable && *day >= m.received_on;
                items.push((*r, amount));
            }
            valid &= !items.is_empty();
            *batches += 1;
            let result = ledger.forward(ForwardBatch {
                id: BatchId(format!("B{batches}")),
                committee: cid(*committee),
                sent_on: date(*day),
                items: items
                    .iter()
                    .map(|(r, a)| ForwardItem {
                        receipt: rid(*r),
                        amount: Cents(*a),
                    })
                    .collect(),
            });
            assert_eq!(result.is_ok(), valid, "forward {op:?}: {result:?}");
            if valid {
                for (r, a) in items {
                    let m = model.get_mut(&(r, *committee)).unwrap();
                    m.payable -= a;
                    m.forwarded += a;
                }
            }
        }
        Op::Refund {
            receipt,
            committee,
            day,
            amount,
            reason: why,
        } => {
            let valid = match model.get(&(*receipt, *committee)) {
                Some(m) => {
                    *amount > 0 && *amount <= m.clearing + m.payable && *day >= m.received_on
                }
                None => false,
            };
            let result = ledger.refund(RefundInput {
                receipt: rid(*receipt),
                committee: cid(*committee),
                amount: Cents(*amount),
                refunded_on: date(*day),
                reason: reason(*why),
            });
            assert_eq!(result.is_ok(), valid, "refund {op:?}: {result:?}");
            if valid {
                let m = model.get_mut(&(*receipt, *committee)).unwrap();
                let from_clearing = (*amount).min(m.clearing);
                m.clearing -= from_clearing;
                m.payable -= amount - from_clearing;
                m.refunded += amount;
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_sequence_keeps_the_books_balanced(ops in prop::collection::vec(op(), 1..40)) {
        let mut ledger = Ledger::new();
        let mut model = BTreeMap::new();
        let mut batches = 0;
        for op in &ops {
            let before = ledger.entries().len();
            step(&mut ledger, &mut model, &mut batches, op);
            prop_assert!(ledger.entries().len() - before <= 1);

            // Debits equal credits, every balance matches the journal, cash is
            // exactly what is owed, every earmark is accounted for.
            let report = check(&ledger, date(0));
            let problems: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
            prop_assert!(problems.is_empty(), "after {:?}: {:?}", op, problems);
            let tb = trial_balance(&ledger);
            prop_assert_eq!(tb.total_debits, tb.total_credits);
            for entry in ledger.entries() {
                prop_assert_eq!(entry.debits(), entry.credits());
                prop_assert!(entry.transfers().iter().all(|t| t.amount() > Cents::ZERO));
            }

            let moves = movements(&ledger);
            for (&(r, c), m) in &model {
                let (clearing, payable) = ledger.held(&rid(r), &cid(c));
                // The ledger agrees with the model, cent for cent.
                prop_assert_eq!(clearing, Cents(m.clearing));
                prop_assert_eq!(payable, Cents(m.payable));
                let mv = &moves[&(rid(r), cid(c))];
                prop_assert_eq!(mv.received, Cents(m.received));
                prop_assert_eq!(mv.forwarded, Cents(m.forwarded));
                prop_assert_eq!(mv.refunded, Cents(m.refunded));
                // A payable never goes negative; refunds never exceed receipts.
                prop_assert!(payable >= Cents::ZERO && clearing >= Cents::ZERO);
                prop_assert!(mv.refunded <= mv.received);
                // forwarded + refunded + held = received, per contribution.
                prop_assert_eq!(mv.forwarded + mv.refunded + payable + clearing, mv.received);
            }
            for c in 0..COMMITTEES.len() {
                let expected: i64 = model.iter().filter(|((_, k), _)| *k == c).map(|(_, m)| m.payable).sum();
                prop_assert_eq!(ledger.payable_to(&cid(c)), Cents(expected));
                prop_assert!(ledger.payable_to(&cid(c)) >= Cents::ZERO);
            }
            // Due to forward covers exactly what is still held.
            let held: i64 = model.values().map(|m| m.clearing + m.payable).sum();
            let due: Cents = due_to_forward(&ledger).iter().map(|c| c.total).sum();
            prop_assert_eq!(due, Cents(held));
        }
    }

    #[test]
    fn replaying_the_events_rebuilds_the_same_books(ops in prop::collection::vec(op(), 1..30)) {
        // Record the accepted operations as events, then replay them.
        let mut ledger = Ledger::new();
        let mut model = BTreeMap::new();
        let mut batches = 0;
        for op in &ops {
            step(&mut ledger, &mut model, &mut batches, op);
        }
        let rebuilt = Ledger::replay(events_of(&ledger)).expect("accepted events replay");
        prop_assert_eq!(trial_balance(&rebuilt), trial_balance(&ledger));
        prop_assert_eq!(movements(&rebuilt), movements(&ledger));
    }
}

/// The events that produced `ledger`, read back from its journal: what a
/// store would have kept.
fn events_of(ledger: &Ledger) -> Vec<cohort_books::ledger::Event> {
    use cohort_books::ledger::{Account, EntryKind, Event};
    ledger
        .entries()
        .iter()
        .map(|e| match e.kind() {
            EntryKind::Receipt(id) => {
                let earmarks = e
                    .transfers()
                    .iter()
                    .map(|t| {
                        let Account::Clearing { committee, .. } = t.credit() else {
                            unreachable!("receipts credit clearing")
                        };
                        EarmarkInput {
                            committee: committee.clone(),
                            election: ledger.earmark(id, committee).unwrap().election.clone(),
                            amount: t.amount(),
                        }
                    })
                    .collect();
                let first = ledger.earmarks().find(|m| m.receipt == *id).unwrap();
                Event::Receive(ReceiptInput {
                    id: id.clone(),
                    contributor: first.contributor.clone(),
                    received_on: e.date(),
                    earmarks,
                })
            }
            EntryKind::Clear(id) => Event::Clear {
                receipt: id.clone(),
                on: e.date(),
            },
            EntryKind::Forward { committee, batch } => Event::Forward(ForwardBatch {
                id: batch.clone(),
                committee: committee.clone(),
                sent_on: e.date(),
                items: e
                    .transfers()
                    .iter()
                    .map(|t| {
                        let Account::Payable { receipt, .. } = t.debit() else {
                            unreachable!("forwards debit payable")
                        };
                        ForwardItem {
                            receipt: receipt.clone(),
                            amount: t.amount(),
                        }
                    })
                    .collect(),
            }),
            EntryKind::Refund {
                receipt,
                committee,
                reason,
            } => Event::Refund(RefundInput {
                receipt: receipt.clone(),
                committee: committee.clone(),
                amount: e.credits(),
                refunded_on: e.date(),
                reason: *reason,
            }),
        })
        .collect()
}

#[test]
fn overdue_forwards_are_listed_with_their_due_dates() {
    let mut ledger = Ledger::new();
    ledger
        .receive(ReceiptInput {
            id: rid(1),
            contributor: ContributorId("ada".into()),
            received_on: date(0),
            earmarks: vec![
                EarmarkInput {
                    committee: cid(0),
                    election: "P2026".parse().unwrap(),
                    amount: Cents(10_000),
                },
                EarmarkInput {
                    committee: cid(1),
                    election: "P2026".parse().unwrap(),
                    amount: Cents(5_000),
                },
            ],
        })
        .unwrap();
    ledger.clear(&rid(1), date(2)).unwrap();
    // Day 10 is the last day: on time.
    assert!(check(&ledger, date(10)).is_clean());
    let late = check(&ledger, date(11));
    assert!(late.problems.is_empty());
    assert_eq!(late.overdue.len(), 2);
    assert!(late.overdue.iter().all(|d| d.due_on == date(10)));

    let batch = ledger
        .forwarding_batch(&cid(0), BatchId("B1".into()), date(3))
        .unwrap();
    assert_eq!(batch.total(), Cents(10_000));
    ledger.forward(batch).unwrap();
    let due = due_to_forward(&ledger);
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].committee, cid(1));
    assert_eq!(due[0].total, Cents(5_000));
    assert_eq!(due[0].next_due, date(10));
    assert!(ledger
        .forwarding_batch(&cid(0), BatchId("B2".into()), date(3))
        .is_none());

    // A refund of what was already forwarded is the committee's to make.
    let err = ledger
        .refund(RefundInput {
            receipt: rid(1),
            committee: cid(0),
            amount: Cents(1),
            refunded_on: date(4),
            reason: RefundReason::Excess,
        })
        .unwrap_err();
    assert!(err.to_string().contains("103.3"), "{err}");

    // An excess refunded after 60 days is flagged.
    ledger
        .refund(RefundInput {
            receipt: rid(1),
            committee: cid(1),
            amount: Cents(5_000),
            refunded_on: date(61),
            reason: RefundReason::Excess,
        })
        .unwrap();
    let report = check(&ledger, date(61));
    assert!(report.overdue.is_empty());
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert!(report.problems[0].to_string().contains("60 days"));
}
