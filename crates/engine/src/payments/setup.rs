//! Whether money is collected, the pledger's payment view, and saving a card at pledge time.

use super::*;

impl Engine {
    /// Whether money is really collected (false: pledge-only mode, which every money page says).
    pub fn collects_payments(&self) -> bool {
        self.gateway.collects()
    }

    /// `view` (a pledge its pledger may see) with its payment: for a money
    /// pledge without a saved-card setup yet, make one first.
    ///
    /// Ordering: this runs *after* the pledge's transaction committed, never
    /// inside it. The pledge intake is group-committed (many pledges share one
    /// write transaction), so a network call inside it would hold the one
    /// writer — every pledge and unlock of the installation — for a round trip
    /// to the gateway. Instead the SetupIntent is created afterwards with an
    /// idempotency key derived from the pledge id (the same for a replay of
    /// the same request, which answers with the same pledge), and recorded in
    /// its own short transaction. If the gateway is unreachable the pledge
    /// still stands (nothing is charged while it is pending anyway) and its
    /// payment says `setup_pending`; the next `GET /api/pledges/{id}` tries
    /// again. If two requests race, the first setup recorded wins and both
    /// answer with it.
    pub async fn with_payment(&self, mut view: PledgeView) -> PledgeView {
        if !matches!(view.kind, PledgeKind::Money { .. }) {
            return view;
        }
        match self.payment_view(&view).await {
            Ok(p) => view.payment = Some(p),
            Err(e) => tracing::warn!(pledge = view.id, "payment view failed: {e}"),
        }
        view
    }

    async fn payment_view(&self, view: &PledgeView) -> Result<PaymentView> {
        let mut out = PaymentView {
            gateway: self.gateway.name().to_owned(),
            state: "pledge_only".into(),
            setup_client_secret: None,
            action_client_secret: None,
            charged_cents: Cents::ZERO,
            fix_by: None,
            failure: None,
            waiting_for: None,
            installments: Vec::new(),
        };
        if !self.gateway.collects() {
            return Ok(out);
        }
        let (mut setup, payments) = {
            let mut tx = self.store.read().await?;
            let payments = tx.payments(view.id).await?;
            // (A stopped pledge may still owe months split before the stop.)
            if matches!(view.status, PledgeStatus::Unlocked | PledgeStatus::Stopped) {
                out.waiting_for = self
                    .uncharged_because(tx.as_mut(), view.id, &payments)
                    .await?;
            }
            (tx.payment_setup(view.id).await?, payments)
        };
        let live = matches!(
            view.status,
            PledgeStatus::Pending | PledgeStatus::Unlocked | PledgeStatus::Stopped
        );
        if setup.is_none() && live {
            setup = self.create_setup(view.id).await;
        }
        out.state = match &setup {
            None => "setup_pending",
            Some(s) if s.payment_method.is_none() => "card_needed",
            Some(_) => "card_saved",
        }
        .into();
        if let Some(s) = &setup {
            if s.payment_method.is_none() && live {
                out.setup_client_secret = Some(s.client_secret.clone());
            }
        }
        for y in &payments {
            if y.state == PaymentState::Succeeded {
                out.charged_cents += y.amount;
            }
            if y.state.is_fixable() {
                out.fix_by = y.failed_at.map(|t| rfc3339(t + FIX_WINDOW));
                out.failure = Some(y.detail.clone());
                out.action_client_secret = y.action_secret.clone();
            }
            out.installments.push(PaymentInstallmentView {
                period: y.period,
                amount_cents: y.amount,
                state: y.state.as_str().to_owned(),
            });
        }
        // The latest installment tells where the pledge stands now.
        if let Some(last) = payments.last() {
            out.state = match last.state {
                PaymentState::Charging => "charging",
                PaymentState::Succeeded => "paid",
                PaymentState::Declined => "declined",
                PaymentState::ActionRequired => "action_required",
                PaymentState::Failed => "failed",
                PaymentState::NothingDue => "nothing_due",
            }
            .into();
        }
        Ok(out)
    }

    /// Why the latest installment of an unlocked pledge is not charged yet,
    /// if the books are what holds it back.
    async fn uncharged_because(
        &self,
        tx: &mut dyn Tx,
        pledge_id: Id,
        payments: &[PaymentRow],
    ) -> Result<Option<String>> {
        let Some(pledge) = tx.pledge(pledge_id).await? else {
            return Ok(None);
        };
        let Some(last) = tx.installments(pledge_id).await?.last().map(|i| i.period) else {
            return Ok(None);
        };
        if payments.iter().any(|y| y.period == last) {
            return Ok(None);
        }
        Ok(self
            .installment_earmarks(tx, &pledge, last)
            .await?
            .err()
            .map(|why| format!("Nothing is charged until {why}.")))
    }

    /// Make and record the pledge's Customer + SetupIntent; `None` if the
    /// gateway could not be reached (logged; tried again on the next view).
    pub(super) async fn create_setup(&self, pledge_id: Id) -> Option<PaymentSetupRow> {
        let attempt = async {
            let row = {
                let mut tx = self.store.read().await?;
                tx.pledge(pledge_id).await?
            }
            .ok_or_else(|| EngineError::not_found("pledge", pledge_id.to_string()))?;
            let req = SetupRequest {
                pledge_id,
                email: row.email.as_str().to_owned(),
                name: row.donor.name.clone(),
                customer_id: None,
                idempotency_key: format!("cohort-setup-pledge-{pledge_id}"),
            };
            let made = self.gateway.create_setup(&req).await.map_err(|e| {
                EngineError::Store(cohort_store::StoreError::Unavailable(e.to_string()))
            })?;
            let setup = PaymentSetupRow {
                pledge_id,
                customer_id: made.customer_id,
                setup_intent_id: made.setup_intent_id,
                client_secret: made.client_secret,
                payment_method: None,
                created_at: self.now(),
            };
            let mut tx = self.store.write().await?;
            tx.insert_payment_setup(&setup).await?;
            // Whoever recorded first wins; answer with what is stored.
            let stored = tx.payment_setup(pledge_id).await?;
            tx.commit().await?;
            Ok::<_, EngineError>(stored)
        };
        match attempt.await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(pledge = pledge_id, "no payment setup yet: {e}");
                None
            }
        }
    }
}
