//! The collector: charging unlocked installments without ever charging twice, and the fix-your-payment email.

use super::*;

/// What one pass of the collector did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Collected {
    pub succeeded: u64,
    pub failed: u64,
    /// Installments still waiting: no saved card yet, the gateway unreachable, in flight.
    pub waiting: u64,
}
impl Engine {
    /// Charge up to `limit` installments that unlocked and are not collected
    /// yet. Called in a loop by `cohort serve`; safe to run again at any time.
    pub async fn collect_payments(&self, limit: i64) -> Result<Collected> {
        let mut done = Collected::default();
        if !self.gateway.collects() {
            return Ok(done);
        }
        let due = {
            let mut tx = self.store.read().await?;
            tx.due_payments(limit).await?
        };
        for d in due {
            match self.collect_one(&d).await? {
                Some(Charge::Succeeded { .. }) => done.succeeded += 1,
                Some(Charge::Declined { .. } | Charge::ActionRequired { .. }) => done.failed += 1,
                Some(Charge::Processing { .. }) | None => done.waiting += 1,
            }
        }
        Ok(done)
    }

    async fn collect_one(&self, d: &DuePayment) -> Result<Option<Charge>> {
        let payment_method = match &d.setup.payment_method {
            Some(pm) => pm.clone(),
            // No webhook yet? Ask the gateway whether the card was saved.
            None => match self.gateway.setup_status(&d.setup.setup_intent_id).await {
                Ok(SetupStatus::Succeeded { payment_method }) => {
                    let mut tx = self.store.write().await?;
                    tx.set_payment_method(d.pledge_id, &payment_method).await?;
                    tx.commit().await?;
                    payment_method
                }
                Ok(_) => return Ok(None),
                Err(e) => {
                    tracing::warn!(pledge = d.pledge_id, "setup status unknown: {e}");
                    return Ok(None);
                }
            },
        };
        let at = self.now();
        if d.allocated == Cents::ZERO {
            // Every cent was over the candidates' limits: nothing to charge.
            let mut tx = self.store.write().await?;
            tx.upsert_payment(&PaymentRow {
                pledge_id: d.pledge_id,
                period: d.period,
                amount: Cents::ZERO,
                state: PaymentState::NothingDue,
                intent_id: None,
                detail: String::new(),
                action_secret: None,
                attempts: 0,
                failed_at: None,
                reminded_at: None,
                updated_at: at,
            })
            .await?;
            if d.recurring == Recurrence::Once {
                tx.set_status(d.pledge_id, PledgeStatus::Unlocked, PledgeStatus::Fulfilled)
                    .await?;
            }
            tx.commit().await?;
            return Ok(None);
        }
        let attempt = match &d.payment {
            // An attempt started and its outcome was never recorded (a crash,
            // a timeout): it may have charged. Find it before charging again.
            Some(p) => {
                match self
                    .gateway
                    .find_charge(&d.setup.customer_id, d.pledge_id, d.period)
                    .await
                {
                    Ok(Some(found)) => {
                        self.record_charge(d.pledge_id, d.period, &found).await?;
                        return Ok(Some(found));
                    }
                    Ok(None) => p.attempts.max(1),
                    Err(e) => {
                        tracing::warn!(pledge = d.pledge_id, "cannot look up charges: {e}");
                        return Ok(None);
                    }
                }
            }
            None => {
                let mut tx = self.store.write().await?;
                // Claim the installment under the slate's lock: if another
                // pass started it since `due` was read, leave it to that one.
                // (Leases already keep collection to one server; this keeps
                // a second collector from charging even without them.)
                tx.lock_slate(d.slate_id).await?;
                if tx.payment(d.pledge_id, d.period).await?.is_some() {
                    return Ok(None);
                }
                // A conduit must know where money goes before it takes it.
                let pledge = tx
                    .pledge(d.pledge_id)
                    .await?
                    .ok_or_else(|| EngineError::not_found("pledge", d.pledge_id.to_string()))?;
                if let Err(why) = self
                    .installment_earmarks(tx.as_mut(), &pledge, d.period)
                    .await?
                {
                    tracing::debug!(pledge = d.pledge_id, "not charged yet: {why}");
                    return Ok(None);
                }
                tx.upsert_payment(&PaymentRow {
                    pledge_id: d.pledge_id,
                    period: d.period,
                    amount: d.allocated,
                    state: PaymentState::Charging,
                    intent_id: None,
                    detail: String::new(),
                    action_secret: None,
                    attempts: 1,
                    failed_at: None,
                    reminded_at: None,
                    updated_at: at,
                })
                .await?;
                tx.commit().await?;
                1
            }
        };
        let req = ChargeRequest {
            customer_id: d.setup.customer_id.clone(),
            payment_method,
            amount: d.allocated,
            pledge_id: d.pledge_id,
            period: d.period,
            idempotency_key: charge_key(d.pledge_id, d.period, attempt),
            description: format!("Cohort pledge #{} installment {}", d.pledge_id, d.period),
        };
        match self.gateway.charge(&req).await {
            Ok(charge) => {
                self.record_charge(d.pledge_id, d.period, &charge).await?;
                Ok(Some(charge))
            }
            Err(e) => {
                // No answer: the row stays `charging` and is looked up next time.
                tracing::warn!(pledge = d.pledge_id, "charge not confirmed: {e}");
                Ok(None)
            }
        }
    }

    pub(super) async fn record_charge(
        &self,
        pledge_id: Id,
        period: i32,
        charge: &Charge,
    ) -> Result<bool> {
        let at = self.now();
        let mut tx = self.store.write().await?;
        let changed = self
            .apply_charge(tx.as_mut(), pledge_id, period, charge, at)
            .await?;
        tx.commit().await?;
        Ok(changed)
    }

    /// Record what a charge came to; idempotent (the collector and a webhook
    /// may both report the same outcome). Returns whether anything changed.
    pub(super) async fn apply_charge(
        &self,
        tx: &mut dyn Tx,
        pledge_id: Id,
        period: i32,
        charge: &Charge,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let Some(mut y) = tx.payment(pledge_id, period).await? else {
            return Ok(false);
        };
        let Some(pledge) = tx.pledge(pledge_id).await? else {
            return Ok(false);
        };
        match charge {
            Charge::Succeeded { intent_id } => {
                if y.state == PaymentState::Succeeded {
                    return Ok(false);
                }
                if y.state == PaymentState::Failed {
                    // Paid after the window closed: record the money; a person must refund or restore it.
                    tracing::error!(
                        pledge = pledge_id,
                        "payment succeeded after the pledge was closed as payment_failed"
                    );
                }
                y.state = PaymentState::Succeeded;
                y.intent_id = Some(intent_id.clone());
                y.action_secret = None;
                y.detail.clear();
                y.updated_at = at;
                tx.upsert_payment(&y).await?;
                if is_once(&pledge) {
                    tx.set_status(pledge_id, PledgeStatus::Unlocked, PledgeStatus::Fulfilled)
                        .await?;
                }
                self.book_receipt(tx, &pledge, period, at).await?;
                Ok(true)
            }
            Charge::Declined { .. } | Charge::ActionRequired { .. } => {
                if !matches!(
                    y.state,
                    PaymentState::Charging | PaymentState::Declined | PaymentState::ActionRequired
                ) {
                    return Ok(false);
                }
                let (state, intent, detail, secret) = match charge {
                    Charge::Declined { intent_id, reason } => (
                        PaymentState::Declined,
                        intent_id.clone(),
                        reason.clone(),
                        None,
                    ),
                    Charge::ActionRequired {
                        intent_id,
                        client_secret,
                    } => (
                        PaymentState::ActionRequired,
                        Some(intent_id.clone()),
                        "your bank asks you to confirm this payment".to_owned(),
                        Some(client_secret.clone()),
                    ),
                    _ => unreachable!("matched above"),
                };
                if y.state == state && y.intent_id == intent {
                    return Ok(false);
                }
                // The window opens once per installment: a retry that is
                // declined again does not restart it.
                let opens = y.failed_at.is_none();
                y.state = state;
                y.intent_id = intent.or(y.intent_id);
                y.detail = detail;
                y.action_secret = secret;
                y.updated_at = at;
                if opens {
                    y.failed_at = Some(at);
                    y.reminded_at = None;
                }
                tx.upsert_payment(&y).await?;
                if opens {
                    self.queue_fix_email(tx, &pledge, &y, false, at).await?;
                }
                Ok(true)
            }
            Charge::Processing { intent_id } => {
                if y.state != PaymentState::Charging || y.intent_id.as_ref() == Some(intent_id) {
                    return Ok(false);
                }
                y.intent_id = Some(intent_id.clone());
                y.updated_at = at;
                tx.upsert_payment(&y).await?;
                Ok(true)
            }
        }
    }

    pub(super) async fn queue_fix_email(
        &self,
        tx: &mut dyn Tx,
        pledge: &PledgeRow,
        y: &PaymentRow,
        reminder: bool,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let slate = tx
            .slate(pledge.slate_id)
            .await?
            .ok_or_else(|| EngineError::not_found("slate", pledge.slate_id.to_string()))?;
        let by = y.failed_at.unwrap_or(at) + FIX_WINDOW;
        let subject = if reminder {
            format!("Reminder: fix your payment for {}", slate.name)
        } else {
            format!("Fix your payment for {}", slate.name)
        };
        let body = format!(
            "Your pledge #{id} to \"{name}\" unlocked, but its payment of {amount} did not go through: {why}.\n\n\
             Please update your card or confirm the payment by {by} at your private link (keep it to yourself):\n\
             {base}/pledges/{id}/payment?token={token}\n\n\
             If it is not fixed by then, the pledge closes, nothing is charged, and the candidates' share goes back to their limits.\n",
            id = pledge.id,
            name = slate.name,
            amount = y.amount,
            why = y.detail,
            by = by.format("%B %-d, %Y %H:%M UTC"),
            base = self.public_url(),
            token = self.receipt_link_token(pledge),
        );
        self.queue_email(tx, pledge.email.clone(), &subject, body, true, at)
            .await?;
        Ok(())
    }
}
