//! The fix window: closing it when it runs out, trying a payment again, and a new card.

use super::*;
use cohort_core::SlateEventKind;

impl Engine {
    /// The fix-your-payment clock, run by `tick`: a reminder 48 hours after a
    /// payment failed, and at 7 days the pledge becomes `payment_failed` and
    /// its allocations go back to the candidates' limits. One transaction per
    /// payment. Returns how many pledges were closed.
    pub(crate) async fn payment_deadlines(&self, at: DateTime<Utc>) -> Result<u64> {
        let open = {
            let mut tx = self.store.read().await?;
            tx.open_payment_failures(at - FIX_REMINDER, 1_000).await?
        };
        let mut closed = 0;
        for y in open {
            let Some(failed_at) = y.failed_at else {
                continue;
            };
            let mut tx = self.store.write().await?;
            let Some(pledge) = tx.pledge(y.pledge_id).await? else {
                continue;
            };
            tx.lock_slate(pledge.slate_id).await?;
            // Read again under the lock: a webhook may have settled it meanwhile.
            let Some(mut y) = tx.payment(y.pledge_id, y.period).await? else {
                continue;
            };
            if !y.state.is_fixable() {
                continue;
            }
            if at >= failed_at + FIX_WINDOW {
                y.state = PaymentState::Failed;
                y.action_secret = None;
                y.updated_at = at;
                tx.upsert_payment(&y).await?;
                let released = tx.release_installment(y.pledge_id, y.period).await?;
                let left_pot = tx
                    .set_status(
                        y.pledge_id,
                        PledgeStatus::Unlocked,
                        PledgeStatus::PaymentFailed,
                    )
                    .await?;
                // A month split before the supporter stopped the pledge: the
                // pledge already left the pot when it stopped.
                if left_pot
                    || tx
                        .set_status(
                            y.pledge_id,
                            PledgeStatus::Stopped,
                            PledgeStatus::PaymentFailed,
                        )
                        .await?
                {
                    closed += 1;
                }
                // The log is public: the pledge and installment, never the amount.
                let payload = serde_json::json!({ "pledge": y.pledge_id, "period": y.period });
                tracing::info!(
                    pledge = y.pledge_id,
                    released = released.get(),
                    "payment window closed; allocations released"
                );
                tx.append_event(
                    pledge.slate_id,
                    SlateEventKind::PaymentFailed,
                    &payload.to_string(),
                    at,
                )
                .await?;
                if left_pot {
                    self.leave_pot_unlocked(
                        tx.as_mut(),
                        pledge.slate_id,
                        &pledge,
                        pledge.kind.money(),
                        at,
                    )
                    .await?;
                }
                let body = format!(
                    "Your pledge #{id} closed: its payment of {amount} was not fixed within 7 days. Nothing was charged for it, and the candidates' share went back to their limits.\n",
                    id = pledge.id,
                    amount = y.amount,
                );
                self.queue_email(
                    tx.as_mut(),
                    pledge.email.clone(),
                    "Your pledge closed: payment failed",
                    body,
                    true,
                    at,
                )
                .await?;
            } else if y.reminded_at.is_none() {
                y.reminded_at = Some(at);
                tx.upsert_payment(&y).await?;
                self.queue_fix_email(tx.as_mut(), &pledge, &y, true, at)
                    .await?;
            } else {
                continue;
            }
            tx.commit().await?;
        }
        Ok(closed)
    }
}

impl Engine {
    /// The pledger asks to try a failed payment again (after authenticating
    /// or saving a new card): if the gateway now says it succeeded, record
    /// that; if it was declined, charge again on the next collector pass.
    pub async fn retry_payment(&self, pledge_id: Id, token: &str) -> Result<PledgeView> {
        let view = self.pledge_view(pledge_id, token).await?;
        let open = {
            let mut tx = self.store.read().await?;
            tx.payments(pledge_id).await?
        }
        .into_iter()
        .find(|y| y.state.is_fixable());
        if let Some(y) = open {
            let now = match &y.intent_id {
                Some(intent) => self.gateway.payment_status(intent).await.ok(),
                None => None,
            };
            match now {
                Some(c @ Charge::Succeeded { .. }) => {
                    self.record_charge(pledge_id, y.period, &c).await?;
                }
                Some(Charge::ActionRequired { .. }) => {}
                _ => {
                    // Declined: charge again once a card is saved (a new one
                    // from `new_card`, whose webhook may not have come yet).
                    let setup = {
                        let mut tx = self.store.read().await?;
                        tx.payment_setup(pledge_id).await?
                    };
                    let mut saved = setup.as_ref().and_then(|s| s.payment_method.clone());
                    if let (Some(s), None) = (&setup, &saved) {
                        if let Ok(SetupStatus::Succeeded { payment_method }) =
                            self.gateway.setup_status(&s.setup_intent_id).await
                        {
                            saved = Some(payment_method);
                        }
                    }
                    if let Some(pm) = saved {
                        let mut tx = self.store.write().await?;
                        tx.set_payment_method(pledge_id, &pm).await?;
                        retry_open(tx.as_mut(), pledge_id, self.now()).await?;
                        tx.commit().await?;
                    }
                }
            }
        }
        Ok(self
            .with_payment(self.pledge_view(view.id, token).await?)
            .await)
    }

    /// Save a different card for a pledge whose payment was declined: a new
    /// SetupIntent on the same Customer, whose client secret the answer
    /// carries. Once it succeeds (webhook, or "try again") the installment is
    /// charged again; the fix window keeps running meanwhile.
    pub async fn new_card(&self, pledge_id: Id, token: &str) -> Result<PledgeView> {
        let (row, setup, open) = {
            let mut tx = self.store.read().await?;
            let row = tx
                .pledge(pledge_id)
                .await?
                .filter(|p| self.keys.receipt_matches(p.id, &p.receipt_token, token))
                .ok_or_else(|| EngineError::not_found("pledge", pledge_id.to_string()))?;
            let setup = tx.payment_setup(pledge_id).await?;
            let open = tx
                .payments(pledge_id)
                .await?
                .into_iter()
                .find(|y| y.state.is_fixable());
            (row, setup, open)
        };
        let (Some(setup), Some(open)) = (setup, open) else {
            return Err(EngineError::conflict(
                "nothing_to_fix",
                "this pledge has no declined payment to fix",
            ));
        };
        let req = SetupRequest {
            pledge_id,
            email: row.email.as_str().to_owned(),
            name: row.donor.name.clone(),
            customer_id: Some(setup.customer_id.clone()),
            idempotency_key: format!(
                "cohort-setup-pledge-{pledge_id}-card-{}-{}",
                open.period, open.attempts
            ),
        };
        let made = self.gateway.create_setup(&req).await.map_err(|e| {
            EngineError::Store(cohort_store::StoreError::Unavailable(e.to_string()))
        })?;
        let mut tx = self.store.write().await?;
        tx.replace_setup_intent(pledge_id, &made.setup_intent_id, &made.client_secret)
            .await?;
        tx.commit().await?;
        Ok(self
            .with_payment(self.pledge_view(pledge_id, token).await?)
            .await)
    }
}

/// Put a pledge's declined or unauthenticated payment back in line to be
/// charged (its fix window keeps its start).
pub(super) async fn retry_open(tx: &mut dyn Tx, pledge_id: Id, at: DateTime<Utc>) -> Result<()> {
    for mut y in tx.payments(pledge_id).await? {
        if y.state.is_fixable() {
            y.state = PaymentState::Charging;
            y.attempts += 1;
            y.action_secret = None;
            y.updated_at = at;
            tx.upsert_payment(&y).await?;
        }
    }
    Ok(())
}
