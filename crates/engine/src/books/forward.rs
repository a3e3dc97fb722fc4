//! Forwarding batches to committees, and refunds.

use super::*;

impl Engine {
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
}
