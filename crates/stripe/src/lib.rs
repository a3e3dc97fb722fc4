//! The engine's [`PaymentGateway`] over Stripe's HTTP API: form-encoded
//! requests with the secret key as a Bearer token, JSON answers, and
//! `Stripe-Signature` webhook verification (HMAC-SHA256 of `t.payload`).
//!
//! Configured from the environment by [`StripeGateway::from_env`]:
//! `COHORT_STRIPE_API_BASE` (default `https://api.stripe.com`),
//! `COHORT_STRIPE_SECRET_KEY`, `COHORT_STRIPE_WEBHOOK_SECRET`; and for the
//! card form in the browser by [`StripeJsConfig::from_env`]:
//! `COHORT_STRIPE_PUBLISHABLE_KEY`, `COHORT_STRIPE_JS_URL` (default
//! `https://js.stripe.com/v3/`).
//!
//! Every PaymentIntent carries `metadata[cohort_pledge]` and
//! `metadata[cohort_period]`, so a charge whose outcome was never recorded
//! (a crash) can be found again ([`PaymentGateway::find_charge`]), and an
//! `Idempotency-Key` header, which Stripe honours for 24 hours.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use cohort_core::Cents;
use cohort_engine::payments::{
    Charge, ChargeRequest, GatewayError, PaymentGateway, RefundRequest, Setup, SetupRequest,
    SetupStatus, WebhookEffect, WebhookError, WebhookEvent,
};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

/// Webhooks signed longer ago than this are refused (Stripe's own default).
pub const SIGNATURE_TOLERANCE_SECS: i64 = 300;

pub const DEFAULT_API_BASE: &str = "https://api.stripe.com";

/// Where browsers load Stripe.js from unless `COHORT_STRIPE_JS_URL` says otherwise.
pub const DEFAULT_JS_URL: &str = "https://js.stripe.com/v3/";

/// What the card form in the browser needs: the publishable key (`pk_…`, safe
/// to show) and where Stripe.js is served (Stripe's, or an emulator's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StripeJsConfig {
    pub publishable_key: String,
    pub js_url: String,
}

impl StripeJsConfig {
    /// `None` when `COHORT_STRIPE_PUBLISHABLE_KEY` is unset or empty.
    pub fn from_env() -> Option<Self> {
        let publishable_key = env_var("COHORT_STRIPE_PUBLISHABLE_KEY")?;
        let js_url = env_var("COHORT_STRIPE_JS_URL").unwrap_or_else(|| DEFAULT_JS_URL.to_owned());
        Some(StripeJsConfig {
            publishable_key,
            js_url,
        })
    }
}

/// A set, non-empty environment variable.
fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

#[derive(Clone)]
pub struct StripeGateway {
    http: reqwest::Client,
    base: String,
    secret_key: String,
    webhook_secret: Option<String>,
}

impl std::fmt::Debug for StripeGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeGateway")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl StripeGateway {
    pub fn new(base: &str, secret_key: &str, webhook_secret: Option<&str>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_default();
        StripeGateway {
            http,
            base: base.trim_end_matches('/').to_owned(),
            secret_key: secret_key.to_owned(),
            webhook_secret: webhook_secret.map(str::to_owned),
        }
    }

    /// `None` when `COHORT_STRIPE_SECRET_KEY` is unset or empty (pledge-only mode).
    pub fn from_env() -> Option<Self> {
        let key = env_var("COHORT_STRIPE_SECRET_KEY")?;
        let base = env_var("COHORT_STRIPE_API_BASE").unwrap_or_else(|| DEFAULT_API_BASE.to_owned());
        let hook = env_var("COHORT_STRIPE_WEBHOOK_SECRET");
        Some(StripeGateway::new(&base, &key, hook.as_deref()))
    }

    async fn send(
        &self,
        req: reqwest::RequestBuilder,
    ) -> Result<(reqwest::StatusCode, Value), GatewayError> {
        let res = req
            .bearer_auth(&self.secret_key)
            .send()
            .await
            .map_err(|e| GatewayError(format!("{} unreachable: {e}", self.base)))?;
        let status = res.status();
        let body: Value = res
            .json()
            .await
            .map_err(|e| GatewayError(format!("unreadable answer ({status}): {e}")))?;
        Ok((status, body))
    }

    async fn post(
        &self,
        path: &str,
        form: &[(&str, String)],
        idempotency_key: Option<&str>,
    ) -> Result<(reqwest::StatusCode, Value), GatewayError> {
        let mut req = self.http.post(format!("{}{path}", self.base)).form(form);
        if let Some(k) = idempotency_key {
            req = req.header("Idempotency-Key", k);
        }
        self.send(req).await
    }

    async fn get(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<(reqwest::StatusCode, Value), GatewayError> {
        self.send(self.http.get(format!("{}{path}", self.base)).query(query))
            .await
    }
}

fn ok(status: reqwest::StatusCode, body: Value, what: &str) -> Result<Value, GatewayError> {
    if status.is_success() {
        Ok(body)
    } else {
        Err(GatewayError(format!(
            "{what}: {status}: {}",
            body["error"]["message"].as_str().unwrap_or("no message")
        )))
    }
}

fn text(v: &Value, field: &str) -> Result<String, GatewayError> {
    v[field]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| GatewayError(format!("the answer has no {field}")))
}

/// A PaymentIntent object as the engine sees it.
fn intent_outcome(pi: &Value) -> Result<Charge, GatewayError> {
    let intent_id = text(pi, "id")?;
    Ok(match pi["status"].as_str().unwrap_or("") {
        "succeeded" => Charge::Succeeded { intent_id },
        "requires_action" | "requires_confirmation" => Charge::ActionRequired {
            client_secret: text(pi, "client_secret")?,
            intent_id,
        },
        "processing" | "requires_capture" => Charge::Processing { intent_id },
        _ => {
            let err = &pi["last_payment_error"];
            if err["code"].as_str() == Some("authentication_required") {
                Charge::ActionRequired {
                    client_secret: text(pi, "client_secret")?,
                    intent_id,
                }
            } else {
                Charge::Declined {
                    intent_id: Some(intent_id),
                    reason: err["message"]
                        .as_str()
                        .unwrap_or("the payment was not completed")
                        .to_owned(),
                }
            }
        }
    })
}

/// The installment a PaymentIntent's metadata names, if it is one of ours.
fn installment(pi: &Value) -> Option<(i64, i32)> {
    let m = &pi["metadata"];
    let pledge = m["cohort_pledge"].as_str()?.parse().ok()?;
    let period = m["cohort_period"].as_str()?.parse().ok()?;
    Some((pledge, period))
}

#[async_trait]
impl PaymentGateway for StripeGateway {
    fn name(&self) -> &'static str {
        "stripe"
    }

    fn collects(&self) -> bool {
        true
    }

    async fn create_setup(&self, req: &SetupRequest) -> Result<Setup, GatewayError> {
        let pledge = req.pledge_id.to_string();
        let customer_id = match &req.customer_id {
            Some(id) => id.clone(),
            None => {
                let mut form = vec![
                    ("email", req.email.clone()),
                    ("metadata[cohort_pledge]", pledge.clone()),
                ];
                if !req.name.is_empty() {
                    form.push(("name", req.name.clone()));
                }
                let (s, body) = self
                    .post(
                        "/v1/customers",
                        &form,
                        Some(&format!("{}-customer", req.idempotency_key)),
                    )
                    .await?;
                text(&ok(s, body, "creating the customer")?, "id")?
            }
        };
        let (s, body) = self
            .post(
                "/v1/setup_intents",
                &[
                    ("customer", customer_id.clone()),
                    ("usage", "off_session".into()),
                    ("payment_method_types[]", "card".into()),
                    ("metadata[cohort_pledge]", pledge),
                ],
                Some(&format!("{}-setup-intent", req.idempotency_key)),
            )
            .await?;
        let si = ok(s, body, "creating the SetupIntent")?;
        Ok(Setup {
            customer_id,
            setup_intent_id: text(&si, "id")?,
            client_secret: text(&si, "client_secret")?,
        })
    }

    async fn setup_status(&self, setup_intent_id: &str) -> Result<SetupStatus, GatewayError> {
        let (s, body) = self
            .get(&format!("/v1/setup_intents/{setup_intent_id}"), &[])
            .await?;
        let si = ok(s, body, "reading the SetupIntent")?;
        Ok(
            match (si["status"].as_str(), si["payment_method"].as_str()) {
                (Some("succeeded"), Some(pm)) => SetupStatus::Succeeded {
                    payment_method: pm.to_owned(),
                },
                (Some("canceled"), _) => SetupStatus::Canceled,
                _ => SetupStatus::Waiting,
            },
        )
    }

    async fn charge(&self, req: &ChargeRequest) -> Result<Charge, GatewayError> {
        let (s, body) = self
            .post(
                "/v1/payment_intents",
                &[
                    ("amount", req.amount.get().to_string()),
                    ("currency", "usd".into()),
                    ("customer", req.customer_id.clone()),
                    ("payment_method", req.payment_method.clone()),
                    ("confirm", "true".into()),
                    ("off_session", "true".into()),
                    ("metadata[cohort_pledge]", req.pledge_id.to_string()),
                    ("metadata[cohort_period]", req.period.to_string()),
                    ("metadata[description]", req.description.clone()),
                ],
                Some(&req.idempotency_key),
            )
            .await?;
        if s.is_success() {
            return intent_outcome(&body);
        }
        // A decline is an answer, not a failure to answer: 402 with the
        // error's code (Stripe includes the PaymentIntent; localstripe does not).
        let err = &body["error"];
        if s.as_u16() == 402 {
            let pi = &err["payment_intent"];
            if err["code"].as_str() == Some("authentication_required") && pi.is_object() {
                return Ok(Charge::ActionRequired {
                    intent_id: text(pi, "id")?,
                    client_secret: text(pi, "client_secret")?,
                });
            }
            return Ok(Charge::Declined {
                intent_id: pi["id"].as_str().map(str::to_owned),
                reason: err["message"]
                    .as_str()
                    .unwrap_or("the card was declined")
                    .to_owned(),
            });
        }
        Err(GatewayError(format!(
            "charging: {s}: {}",
            err["message"].as_str().unwrap_or("no message")
        )))
    }

    async fn refund(&self, req: &RefundRequest) -> Result<String, GatewayError> {
        let (s, body) = self
            .post(
                "/v1/refunds",
                &[
                    ("payment_intent", req.intent_id.clone()),
                    ("amount", req.amount.get().to_string()),
                    ("metadata[cohort_receipt]", req.receipt.clone()),
                    ("metadata[cohort_committee]", req.committee.clone()),
                ],
                Some(&req.idempotency_key),
            )
            .await?;
        text(&ok(s, body, "refunding")?, "id")
    }

    async fn find_charge(
        &self,
        customer_id: &str,
        pledge_id: i64,
        period: i32,
    ) -> Result<Option<Charge>, GatewayError> {
        // The customer is this pledge's own, so its charges are few.
        let (s, body) = self
            .get(
                "/v1/charges",
                &[
                    ("customer", customer_id.to_owned()),
                    ("limit", "100".into()),
                ],
            )
            .await?;
        let list = ok(s, body, "listing charges")?;
        for ch in list["data"].as_array().into_iter().flatten() {
            let (Some("succeeded"), Some(pi)) =
                (ch["status"].as_str(), ch["payment_intent"].as_str())
            else {
                continue;
            };
            let (s, body) = self.get(&format!("/v1/payment_intents/{pi}"), &[]).await?;
            let pi = ok(s, body, "reading a PaymentIntent")?;
            if installment(&pi) == Some((pledge_id, period)) {
                if let Ok(c @ Charge::Succeeded { .. }) = intent_outcome(&pi) {
                    return Ok(Some(c));
                }
            }
        }
        Ok(None)
    }

    async fn payment_status(&self, intent_id: &str) -> Result<Charge, GatewayError> {
        let (s, body) = self
            .get(&format!("/v1/payment_intents/{intent_id}"), &[])
            .await?;
        intent_outcome(&ok(s, body, "reading the PaymentIntent")?)
    }

    fn verify_webhook(
        &self,
        payload: &[u8],
        signature: &str,
        now: DateTime<Utc>,
    ) -> Result<WebhookEvent, WebhookError> {
        let secret = self
            .webhook_secret
            .as_deref()
            .ok_or(WebhookError::NotConfigured)?;
        verify_signature(secret, payload, signature, now)?;
        parse_event(payload)
    }
}

/// Check a `Stripe-Signature` header (`t=…,v1=…[,v1=…]`): some `v1` must be
/// the HMAC-SHA256 of `"{t}.{payload}"` under `secret`, and `t` within
/// [`SIGNATURE_TOLERANCE_SECS`] of `now`.
pub fn verify_signature(
    secret: &str,
    payload: &[u8],
    header: &str,
    now: DateTime<Utc>,
) -> Result<(), WebhookError> {
    let bad = |m: &str| WebhookError::BadSignature(m.to_owned());
    let mut t = None;
    let mut sigs = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => sigs.push(v),
            _ => {}
        }
    }
    let t = t.ok_or_else(|| bad("no timestamp (t=)"))?;
    if sigs.is_empty() {
        return Err(bad("no v1 signature"));
    }
    if (now.timestamp() - t).abs() > SIGNATURE_TOLERANCE_SECS {
        return Err(bad("the timestamp is too old or in the future"));
    }
    for sig in sigs {
        let Ok(sig) = hex::decode(sig) else { continue };
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
            .map_err(|_| bad("unusable secret"))?;
        mac.update(t.to_string().as_bytes());
        mac.update(b".");
        mac.update(payload);
        if mac.verify_slice(&sig).is_ok() {
            return Ok(());
        }
    }
    Err(bad("no signature matches"))
}

/// The `Stripe-Signature` header for `payload` at `t` (for tests and tools).
pub fn sign(secret: &str, payload: &[u8], t: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Read a verified event into the engine's terms.
pub fn parse_event(payload: &[u8]) -> Result<WebhookEvent, WebhookError> {
    let bad = |m: String| WebhookError::Malformed(m);
    let v: Value = serde_json::from_slice(payload).map_err(|e| bad(e.to_string()))?;
    let id = v["id"]
        .as_str()
        .ok_or_else(|| bad("no event id".into()))?
        .to_owned();
    let kind = v["type"]
        .as_str()
        .ok_or_else(|| bad("no event type".into()))?
        .to_owned();
    let obj = &v["data"]["object"];
    let need = |field: &str| {
        obj[field]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| bad(format!("{kind} without data.object.{field}")))
    };
    let effect = match kind.as_str() {
        "setup_intent.succeeded" => WebhookEffect::SetupSucceeded {
            setup_intent_id: need("id")?,
            payment_method: need("payment_method")?,
        },
        "payment_intent.succeeded" => WebhookEffect::Charged {
            charge: Charge::Succeeded {
                intent_id: need("id")?,
            },
            installment: installment(obj),
        },
        "payment_intent.payment_failed" => {
            let charge = match intent_outcome(obj) {
                Ok(c @ (Charge::ActionRequired { .. } | Charge::Declined { .. })) => c,
                // A failure event for an intent that reads otherwise: a decline.
                _ => Charge::Declined {
                    intent_id: Some(need("id")?),
                    reason: obj["last_payment_error"]["message"]
                        .as_str()
                        .unwrap_or("the payment failed")
                        .to_owned(),
                },
            };
            WebhookEffect::Charged {
                charge,
                installment: installment(obj),
            }
        }
        // A dispute takes the disputed amount from Cohort's balance at once.
        "charge.dispute.created" => WebhookEffect::Reversed {
            intent_id: need("payment_intent")?,
            amount: Cents(
                obj["amount"]
                    .as_i64()
                    .filter(|a| *a > 0)
                    .ok_or_else(|| bad(format!("{kind} without a positive data.object.amount")))?,
            ),
        },
        _ => WebhookEffect::Ignored,
    };
    Ok(WebhookEvent { id, kind, effect })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(t: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(t, 0).unwrap()
    }

    #[test]
    fn signatures_verify_only_with_the_secret_the_body_and_a_fresh_time() {
        let body = br#"{"id":"evt_1","type":"x","data":{"object":{}}}"#;
        let h = sign("whsec_a", body, 1_700_000_000);
        assert!(verify_signature("whsec_a", body, &h, at(1_700_000_100)).is_ok());
        assert!(verify_signature("whsec_b", body, &h, at(1_700_000_100)).is_err());
        assert!(verify_signature("whsec_a", b"{}", &h, at(1_700_000_100)).is_err());
        assert!(verify_signature("whsec_a", body, &h, at(1_700_000_301)).is_err());
        assert!(verify_signature("whsec_a", body, "v1=00", at(1_700_000_000)).is_err());
        // Several v1 entries (secret rotation): one match is enough.
        let two = format!("{h},v1=deadbeef");
        assert!(verify_signature("whsec_a", body, &two, at(1_700_000_000)).is_ok());
    }

    #[test]
    fn events_read_into_the_engines_terms() {
        let ev = br#"{"id":"evt_2","type":"payment_intent.succeeded","data":{"object":
            {"id":"pi_1","status":"succeeded","metadata":{"cohort_pledge":"7","cohort_period":"0"}}}}"#;
        let e = parse_event(ev).unwrap();
        assert_eq!(
            e.effect,
            WebhookEffect::Charged {
                charge: Charge::Succeeded {
                    intent_id: "pi_1".into()
                },
                installment: Some((7, 0))
            }
        );
        let ev = br#"{"id":"evt_3","type":"payment_intent.payment_failed","data":{"object":
            {"id":"pi_2","status":"requires_payment_method","client_secret":"s",
             "last_payment_error":{"code":"card_declined","message":"Your card was declined."}}}}"#;
        match parse_event(ev).unwrap().effect {
            WebhookEffect::Charged {
                charge: Charge::Declined { reason, .. },
                installment: None,
            } => assert_eq!(reason, "Your card was declined."),
            other => panic!("{other:?}"),
        }
        assert!(parse_event(b"not json").is_err());
        let ev = br#"{"id":"evt_4","type":"charge.dispute.created","data":{"object":
            {"id":"dp_1","object":"dispute","amount":1500,"charge":"ch_1","payment_intent":"pi_1"}}}"#;
        assert_eq!(
            parse_event(ev).unwrap().effect,
            WebhookEffect::Reversed {
                intent_id: "pi_1".into(),
                amount: Cents(1500)
            }
        );
        let ev = br#"{"id":"evt_5","type":"charge.dispute.created","data":{"object":
            {"id":"dp_2","amount":0,"payment_intent":"pi_1"}}}"#;
        assert!(
            parse_event(ev).is_err(),
            "a dispute of nothing is malformed"
        );
    }
}
