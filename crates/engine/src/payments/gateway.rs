//! The payment gateway the engine calls, what it is asked and answers, and the pledge-only gateway.

use super::*;

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

pub(super) fn pledge_only() -> GatewayError {
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
