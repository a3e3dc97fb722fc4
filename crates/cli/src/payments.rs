//! Wiring payments into `cohort serve`: the gateway and the card form's
//! Stripe.js from the environment, and the collector loop.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use cohort_engine::payments::{
    Charge, ChargeRequest, GatewayError, PaymentGateway, RefundRequest, Setup, SetupRequest,
    SetupStatus, WebhookError, WebhookEvent,
};
use cohort_engine::PledgeOnly;

/// Stripe when `COHORT_STRIPE_SECRET_KEY` is set, else the pledge-only gateway.
///
/// Test hook: with `COHORT_TEST_CRASH_AFTER_CHARGE=1` the process aborts the
/// moment a charge's answer arrives, before the collector records it — how
/// `tests/payments.rs` proves a crash between charge and record can't charge
/// twice. Never set it in production.
pub fn gateway_from_env() -> Arc<dyn PaymentGateway> {
    let Some(stripe) = cohort_stripe::StripeGateway::from_env() else {
        return Arc::new(PledgeOnly);
    };
    let crash = std::env::var_os("COHORT_TEST_CRASH_AFTER_CHARGE").is_some_and(|v| v == "1");
    if crash {
        Arc::new(CrashAfterCharge(stripe))
    } else {
        Arc::new(stripe)
    }
}

/// Stripe.js for the card form in the browser, when the gateway collects and
/// `COHORT_STRIPE_PUBLISHABLE_KEY` is set (`COHORT_STRIPE_JS_URL`, default
/// Stripe's). A malformed key or URL stops `serve`; a missing key leaves the
/// pages without a card form, which they say.
pub fn stripe_js_from_env(collects: bool) -> anyhow::Result<Option<cohort_web::StripeJs>> {
    let Some(config) = cohort_stripe::StripeJsConfig::from_env() else {
        if collects {
            tracing::warn!(
                "COHORT_STRIPE_PUBLISHABLE_KEY is not set: pages cannot save cards, only the API's client secrets can"
            );
        }
        return Ok(None);
    };
    if !collects {
        tracing::warn!(
            "COHORT_STRIPE_PUBLISHABLE_KEY is ignored without COHORT_STRIPE_SECRET_KEY: pledges only"
        );
        return Ok(None);
    }
    cohort_web::StripeJs::new(&config.publishable_key, &config.js_url)
        .map(Some)
        .map_err(anyhow::Error::msg)
}

/// The crash test hook (see [`gateway_from_env`]).
struct CrashAfterCharge<G>(G);

#[async_trait]
impl<G: PaymentGateway> PaymentGateway for CrashAfterCharge<G> {
    fn name(&self) -> &'static str {
        self.0.name()
    }
    fn collects(&self) -> bool {
        self.0.collects()
    }
    async fn create_setup(&self, req: &SetupRequest) -> Result<Setup, GatewayError> {
        self.0.create_setup(req).await
    }
    async fn setup_status(&self, id: &str) -> Result<SetupStatus, GatewayError> {
        self.0.setup_status(id).await
    }
    async fn charge(&self, req: &ChargeRequest) -> Result<Charge, GatewayError> {
        let outcome = self.0.charge(req).await;
        eprintln!("COHORT_TEST_CRASH_AFTER_CHARGE: charged {outcome:?}; aborting before recording");
        std::process::abort();
    }
    async fn find_charge(
        &self,
        customer: &str,
        pledge: i64,
        period: i32,
    ) -> Result<Option<Charge>, GatewayError> {
        self.0.find_charge(customer, pledge, period).await
    }
    async fn payment_status(&self, id: &str) -> Result<Charge, GatewayError> {
        self.0.payment_status(id).await
    }
    async fn refund(&self, req: &RefundRequest) -> Result<String, GatewayError> {
        self.0.refund(req).await
    }
    fn verify_webhook(
        &self,
        payload: &[u8],
        signature: &str,
        now: DateTime<Utc>,
    ) -> Result<WebhookEvent, WebhookError> {
        self.0.verify_webhook(payload, signature, now)
    }
}
