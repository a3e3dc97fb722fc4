//! Collecting money (issue 6): a [`PaymentGateway`] the engine calls, never
//! code in handlers.
//!
//! - **At pledge time** a money pledge gets a Customer and a SetupIntent with
//!   off-session usage ([`Engine::with_payment`]): the supporter saves a card,
//!   nothing is charged.
//! - **After unlock** the collector ([`Engine::collect_payments`], called in a
//!   loop by the binary) charges each installment's *allocated* total (never
//!   the unallocated part) with one off-session PaymentIntent.
//! - **A decline or a bank asking for authentication** opens a 7-day "fix your
//!   payment" window: an email at once and one at 48 hours (queued by `tick`);
//!   when the window closes the pledge is `payment_failed` and its allocations
//!   go back to the candidates' limits.
//! - **Webhooks** are verified by the gateway and applied once per event id.
//!
//! No store transaction is ever open across a gateway call: every network
//! call sits between two short transactions, so other writers (pledges,
//! unlocks) never wait on the payment provider.
//!
//! **No double charge.** Before the first charge of an installment the
//! collector commits a `charging` payment row; only then does it call the
//! gateway, and it records the outcome in a second transaction. A crash in
//! between leaves the row `charging`. A `charging` row is never charged
//! blindly again: the collector first asks the gateway for a successful
//! charge tagged with this pledge and period (PaymentIntent metadata) and
//! records that one if it exists. Each charge also carries an
//! `Idempotency-Key` derived from the pledge id, the period and the attempt
//! number, which Stripe itself honours; the lookup makes the guarantee hold
//! even against a gateway (localstripe) that ignores idempotency keys.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use cohort_core::model::{PledgeKind, PledgeStatus, Recurrence};
use cohort_core::Cents;
use cohort_store::{DuePayment, Id, PaymentRow, PaymentSetupRow, PaymentState, PledgeRow, Tx};
use serde::Serialize;

use crate::views::{PaymentInstallmentView, PaymentView, PledgeView};
use crate::{Engine, EngineError, Result};

/// How long a pledger has to fix a declined or unauthenticated payment.
pub const FIX_WINDOW: Duration = Duration::days(7);
/// When the reminder to fix a payment is sent.
pub const FIX_REMINDER: Duration = Duration::hours(48);

/// A gateway call that did not get an answer (network, 5xx, bad key): nothing
/// is decided, the collector tries again later.
#[derive(Debug, thiserror::Error)]
#[error("payment gateway: {0}")]
pub struct GatewayError(pub String);

/// Why a webhook was refused; nothing is written.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("this Cohort takes no payment webhooks (no webhook secret is configured)")]
    NotConfigured,
    #[error("bad signature: {0}")]
    BadSignature(String),
    #[error("unreadable event: {0}")]
    Malformed(String),
}

/// What the gateway needs to save a card for one pledge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetupRequest {
    pub pledge_id: Id,
    pub email: String,
    pub name: String,
    /// The pledge's existing Customer, when saving a new card for it.
    pub customer_id: Option<String>,
    /// The same for every retry of the same request.
    pub idempotency_key: String,
}

/// A Customer and its SetupIntent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setup {
    pub customer_id: String,
    pub setup_intent_id: String,
    pub client_secret: String,
}

/// Where a SetupIntent stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetupStatus {
    Succeeded {
        payment_method: String,
    },
    /// Waiting for the pledger (a card, or authentication).
    Waiting,
    Canceled,
}

/// One off-session charge of an installment's allocated total.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChargeRequest {
    pub customer_id: String,
    pub payment_method: String,
    pub amount: Cents,
    pub pledge_id: Id,
    pub period: i32,
    /// Derived from the pledge id, the period and the attempt.
    pub idempotency_key: String,
    pub description: String,
}

/// Money going back to a donor from a succeeded charge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundRequest {
    pub intent_id: String,
    pub amount: Cents,
    /// The books' receipt and committee the money comes out of.
    pub receipt: String,
    pub committee: String,
    /// Derived from the receipt, the committee and the refund's number.
    pub idempotency_key: String,
}

/// What a charge came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Charge {
    Succeeded {
        intent_id: String,
    },
    Declined {
        intent_id: Option<String>,
        reason: String,
    },
    /// The bank wants the pledger to authenticate this payment.
    ActionRequired {
        intent_id: String,
        client_secret: String,
    },
    /// Neither yet (e.g. a bank debit in flight): looked up again later.
    Processing {
        intent_id: String,
    },
}

/// A verified webhook event, in the engine's terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookEvent {
    pub id: String,
    pub kind: String,
    pub effect: WebhookEffect,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WebhookEffect {
    SetupSucceeded {
        setup_intent_id: String,
        payment_method: String,
    },
    /// A PaymentIntent's outcome; `installment` from its metadata, when it has ours.
    Charged {
        charge: Charge,
        installment: Option<(Id, i32)>,
    },
    /// The bank took money back from a succeeded charge (a dispute):
    /// `amount` of the PaymentIntent `intent_id` is gone.
    Reversed { intent_id: String, amount: Cents },
    /// An event Cohort does not act on.
    Ignored,
}

/// Where money goes. `cohort-stripe` speaks Stripe's API; [`PledgeOnly`]
/// collects nothing.
#[async_trait]
pub trait PaymentGateway: Send + Sync {
    /// Short name for pages and the API ("stripe", "pledge_only").
    fn name(&self) -> &'static str;
    /// False when nothing is ever saved or charged (pledge-only mode).
    fn collects(&self) -> bool;
    async fn create_setup(&self, req: &SetupRequest) -> std::result::Result<Setup, GatewayError>;
    async fn setup_status(
        &self,
        setup_intent_id: &str,
    ) -> std::result::Result<SetupStatus, GatewayError>;
    async fn charge(&self, req: &ChargeRequest) -> std::result::Result<Charge, GatewayError>;
    /// A successful charge of this customer tagged with this pledge and
    /// period, if one exists (how a crashed attempt is found again).
    async fn find_charge(
        &self,
        customer_id: &str,
        pledge_id: Id,
        period: i32,
    ) -> std::result::Result<Option<Charge>, GatewayError>;
    /// Where a PaymentIntent stands now.
    async fn payment_status(&self, intent_id: &str) -> std::result::Result<Charge, GatewayError>;
    /// Return part or all of a succeeded charge to the donor; the refund's id.
    async fn refund(&self, req: &RefundRequest) -> std::result::Result<String, GatewayError>;
    /// Check a webhook's signature header against its raw body and read it.
    fn verify_webhook(
        &self,
        payload: &[u8],
        signature: &str,
        now: DateTime<Utc>,
    ) -> std::result::Result<WebhookEvent, WebhookError>;
}

/// The built-in gateway when no payment provider is configured: pledges are
/// taken and unlock as usual, and nothing is saved or charged.
#[derive(Clone, Copy, Debug, Default)]
pub struct PledgeOnly;

fn pledge_only() -> GatewayError {
    GatewayError("this Cohort takes pledges only; it collects no money".into())
}

#[async_trait]
impl PaymentGateway for PledgeOnly {
    fn name(&self) -> &'static str {
        "pledge_only"
    }
    fn collects(&self) -> bool {
        false
    }
    async fn create_setup(&self, _: &SetupRequest) -> std::result::Result<Setup, GatewayError> {
        Err(pledge_only())
    }
    async fn setup_status(&self, _: &str) -> std::result::Result<SetupStatus, GatewayError> {
        Err(pledge_only())
    }
    async fn charge(&self, _: &ChargeRequest) -> std::result::Result<Charge, GatewayError> {
        Err(pledge_only())
    }
    async fn find_charge(
        &self,
        _: &str,
        _: Id,
        _: i32,
    ) -> std::result::Result<Option<Charge>, GatewayError> {
        Err(pledge_only())
    }
    async fn payment_status(&self, _: &str) -> std::result::Result<Charge, GatewayError> {
        Err(pledge_only())
    }
    async fn refund(&self, _: &RefundRequest) -> std::result::Result<String, GatewayError> {
        Err(pledge_only())
    }
    fn verify_webhook(
        &self,
        _: &[u8],
        _: &str,
        _: DateTime<Utc>,
    ) -> std::result::Result<WebhookEvent, WebhookError> {
        Err(WebhookError::NotConfigured)
    }
}

/// What one pass of the collector did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Collected {
    pub succeeded: u64,
    pub failed: u64,
    /// Installments still waiting: no saved card yet, the gateway unreachable, in flight.
    pub waiting: u64,
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn charge_key(pledge_id: Id, period: i32, attempt: i32) -> String {
    if attempt <= 1 {
        format!("cohort-pledge-{pledge_id}-period-{period}")
    } else {
        format!("cohort-pledge-{pledge_id}-period-{period}-attempt-{attempt}")
    }
}

fn is_once(row: &PledgeRow) -> bool {
    matches!(
        row.kind,
        PledgeKind::Money {
            recurring: Recurrence::Once,
            ..
        }
    )
}

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
        if view.kind != "money" {
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
            charged_cents: 0,
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
            if matches!(view.status.as_str(), "unlocked" | "stopped") {
                out.waiting_for = self
                    .uncharged_because(tx.as_mut(), view.id, &payments)
                    .await?;
            }
            (tx.payment_setup(view.id).await?, payments)
        };
        let live = matches!(view.status.as_str(), "pending" | "unlocked" | "stopped");
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
                out.charged_cents += y.amount.get();
            }
            if y.state.is_fixable() {
                out.fix_by = y.failed_at.map(|t| rfc3339(t + FIX_WINDOW));
                out.failure = Some(y.detail.clone());
                out.action_client_secret = y.action_secret.clone();
            }
            out.installments.push(PaymentInstallmentView {
                period: y.period,
                amount_cents: y.amount.get(),
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
    async fn create_setup(&self, pledge_id: Id) -> Option<PaymentSetupRow> {
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

    async fn record_charge(&self, pledge_id: Id, period: i32, charge: &Charge) -> Result<bool> {
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
    async fn apply_charge(
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

    async fn queue_fix_email(
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
                if tx
                    .set_status(
                        y.pledge_id,
                        PledgeStatus::Unlocked,
                        PledgeStatus::PaymentFailed,
                    )
                    .await?
                {
                    self.leave_pot_unlocked(
                        tx.as_mut(),
                        pledge.slate_id,
                        &pledge,
                        pledge.kind.money(),
                    )
                    .await?;
                    closed += 1;
                } else if tx
                    .set_status(
                        y.pledge_id,
                        PledgeStatus::Stopped,
                        PledgeStatus::PaymentFailed,
                    )
                    .await?
                {
                    // A month split before the supporter stopped the pledge:
                    // the pledge already left the pot when it stopped.
                    closed += 1;
                }
                // The log is public: the pledge and installment, never the amount.
                let payload = serde_json::json!({ "pledge": y.pledge_id, "period": y.period });
                tracing::info!(
                    pledge = y.pledge_id,
                    released = released.get(),
                    "payment window closed; allocations released"
                );
                tx.append_event(pledge.slate_id, "payment_failed", &payload.to_string(), at)
                    .await?;
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
async fn retry_open(tx: &mut dyn Tx, pledge_id: Id, at: DateTime<Utc>) -> Result<()> {
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
