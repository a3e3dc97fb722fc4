//! The treasurer's overview of the books, and the problems verify reports.

use super::*;

impl Engine {
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
}
