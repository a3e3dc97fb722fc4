//! Gateway webhooks, verified and applied once per event id.

use super::*;

impl Engine {
    /// A payment-provider webhook: verified by the gateway (a bad or stale
    /// signature writes nothing), then applied once per event id in one
    /// transaction. Returns whether it was new.
    pub async fn payment_webhook(&self, payload: &[u8], signature: Option<&str>) -> Result<bool> {
        let at = self.now();
        let signature = signature
            .ok_or_else(|| EngineError::invalid("Stripe-Signature", "the header is missing"))?;
        let event = self
            .gateway
            .verify_webhook(payload, signature, at)
            .map_err(|e| match e {
                WebhookError::NotConfigured => EngineError::not_found("webhook", "stripe"),
                WebhookError::BadSignature(_) => {
                    EngineError::invalid("Stripe-Signature", e.to_string())
                }
                WebhookError::Malformed(_) => EngineError::invalid("body", e.to_string()),
            })?;
        let mut tx = self.store.write().await?;
        if !tx.record_webhook_event(&event.id, &event.kind, at).await? {
            return Ok(false);
        }
        match &event.effect {
            WebhookEffect::SetupSucceeded {
                setup_intent_id,
                payment_method,
            } => {
                if let Some(s) = tx.payment_setup_by_intent(setup_intent_id).await? {
                    tx.set_payment_method(s.pledge_id, payment_method).await?;
                    // A new card saved to fix a declined payment: charge again.
                    retry_open(tx.as_mut(), s.pledge_id, at).await?;
                }
            }
            WebhookEffect::Charged {
                charge,
                installment,
            } => {
                let intent = match charge {
                    Charge::Succeeded { intent_id }
                    | Charge::ActionRequired { intent_id, .. }
                    | Charge::Processing { intent_id } => Some(intent_id.as_str()),
                    Charge::Declined { intent_id, .. } => intent_id.as_deref(),
                };
                let mut key = None;
                if let Some(intent) = intent {
                    key = tx
                        .payment_by_intent(intent)
                        .await?
                        .map(|y| (y.pledge_id, y.period));
                }
                // Not recorded yet (the collector has not heard back): the
                // intent's metadata names the installment.
                if let Some((pledge_id, period)) = key.or(*installment) {
                    self.apply_charge(tx.as_mut(), pledge_id, period, charge, at)
                        .await?;
                }
            }
            WebhookEffect::Reversed { intent_id, amount } => {
                if let Some(y) = tx.payment_by_intent(intent_id).await? {
                    self.book_reversal(tx.as_mut(), y.pledge_id, y.period, *amount, at)
                        .await?;
                }
            }
            WebhookEffect::Ignored => {}
        }
        tx.commit().await?;
        Ok(true)
    }
}
