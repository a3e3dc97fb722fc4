//! The card form (issue 6): Stripe Elements on a pledge's receipt page (save
//! a card: a SetupIntent, nothing charged) and on its "fix your payment" page
//! (save a different card after a decline, or let the bank authenticate a
//! payment). The script is `static/card.js`, served like every asset; the
//! pages that carry the form, and only they, allow Stripe.js's origin in
//! their Content-Security-Policy. Without a publishable key or with the
//! pledge-only gateway no Stripe script is ever sent.

use askama::Template;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use cohort_engine::PledgeView;

use crate::pages::{html, html_with_csp};
use crate::CardConfig;

const CARD_JS: &str = include_str!("../static/card.js");

pub(crate) async fn script() -> Response {
    crate::pages::asset("text/javascript; charset=utf-8", CARD_JS)
}

/// Stripe's own Stripe.js origin; pages loading it also allow what Stripe
/// documents Elements needs: its frames (`*.js.stripe.com`, and
/// `hooks.stripe.com` for 3-D Secure) and its API.
const STRIPE_ORIGIN: &str = "https://js.stripe.com";

/// Where the browser loads Stripe.js from, and with which publishable key.
#[derive(Clone, Debug)]
pub struct StripeJs {
    publishable_key: String,
    js_url: String,
    csp: HeaderValue,
}

impl StripeJs {
    /// Checks the key (`pk_…`) and the script's URL (https, or http on
    /// loopback for an emulator such as localstripe) and builds the
    /// Content-Security-Policy of the card pages from its origin.
    pub fn new(publishable_key: &str, js_url: &str) -> Result<StripeJs, String> {
        let key_ok = publishable_key.starts_with("pk_")
            && publishable_key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !key_ok {
            return Err(format!(
                "COHORT_STRIPE_PUBLISHABLE_KEY must be a publishable key (pk_…), not {:?}",
                publishable_key.chars().take(8).collect::<String>()
            ));
        }
        let origin = origin(js_url)?;
        let (script, frame, connect) = if origin == STRIPE_ORIGIN {
            (
                "https://js.stripe.com https://*.js.stripe.com".to_owned(),
                "https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com".to_owned(),
                "https://api.stripe.com".to_owned(),
            )
        } else {
            (origin.clone(), origin.clone(), origin)
        };
        let csp = format!(
            "default-src 'none'; style-src 'self'; script-src 'self' {script}; frame-src {frame}; \
             connect-src 'self' {connect}; img-src 'self' data:; base-uri 'none'; form-action 'self'; \
             frame-ancestors 'none'"
        );
        Ok(StripeJs {
            publishable_key: publishable_key.to_owned(),
            js_url: js_url.to_owned(),
            csp: HeaderValue::from_str(&csp).map_err(|e| e.to_string())?,
        })
    }
}

/// `scheme://host[:port]` of `url`: https anywhere, http only on loopback.
fn origin(url: &str) -> Result<String, String> {
    let bad = |why: &str| Err(format!("COHORT_STRIPE_JS_URL {url:?}: {why}"));
    let (scheme, rest) = match url.split_once("://") {
        Some((s @ ("https" | "http"), rest)) => (s, rest),
        _ => return bad("must start with https://"),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority
        .rsplit_once(':')
        .map_or(authority, |(host, port)| {
            if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) {
                host
            } else {
                authority
            }
        });
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        && authority.len() - host.len() <= 6;
    if !host_ok {
        return bad("needs a plain host name (and port)");
    }
    if scheme == "http" && !matches!(host, "localhost" | "127.0.0.1") {
        return bad("plain http is only for an emulator on localhost or 127.0.0.1");
    }
    Ok(format!("{scheme}://{authority}"))
}

/// Render a page under `csp` ([`CardForm::csp`]) or, without one, the
/// strict policy of every page.
pub(crate) fn render<T: Template>(csp: Option<HeaderValue>, page: &T) -> Response {
    match csp {
        Some(csp) => html_with_csp(StatusCode::OK, page, &csp),
        None => html(StatusCode::OK, page),
    }
}

/// What the card form does on a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Save a card for the pledge's SetupIntent (`confirmCardSetup`).
    Save,
    /// After a decline: ask for a new SetupIntent, save the card, retry.
    Replace,
    /// The bank wants the pledger to authenticate the payment (`confirmCardPayment`), then retry.
    Authenticate,
}

/// The card form as a template shows it. `stripe` is `None` when this
/// Cohort collects money but has no publishable key: the page then says the
/// card cannot be given here, and loads no script.
pub(crate) struct CardForm {
    pub(crate) mode: Mode,
    pub(crate) stripe: Option<StripeJs>,
    /// The SetupIntent's (Save) or PaymentIntent's (Authenticate) client secret.
    pub(crate) secret: String,
    /// `POST /api/pledges/{id}/payment-method?token=…` (Replace).
    pub(crate) new_card_url: String,
}

impl CardForm {
    /// The form a pledge's page shows, if any: only when money is collected
    /// and the payment waits for the pledger (`view` from `Engine::with_payment`).
    pub(crate) fn for_view(
        config: &CardConfig,
        view: &PledgeView,
        token: &str,
    ) -> Option<CardForm> {
        let pay = view.payment.as_ref()?;
        let (mode, secret) = match pay.state.as_str() {
            "card_needed" => (Mode::Save, pay.setup_client_secret.clone()?),
            "declined" => (Mode::Replace, String::new()),
            "action_required" => (Mode::Authenticate, pay.action_client_secret.clone()?),
            _ => return None,
        };
        Some(CardForm {
            mode,
            stripe: config.0.as_deref().cloned(),
            secret,
            new_card_url: format!("/api/pledges/{}/payment-method?token={token}", view.id),
        })
    }

    /// The Content-Security-Policy of a page carrying this form: Stripe.js's
    /// origin allowed, when it loads Stripe.js.
    pub(crate) fn csp(&self) -> Option<HeaderValue> {
        self.stripe.as_ref().map(|s| s.csp.clone())
    }

    // For the template.
    pub(crate) fn mode_name(&self) -> &'static str {
        match self.mode {
            Mode::Save => "save",
            Mode::Replace => "replace",
            Mode::Authenticate => "authenticate",
        }
    }
    pub(crate) fn takes_card(&self) -> bool {
        self.mode != Mode::Authenticate
    }
    pub(crate) fn key(&self) -> &str {
        self.stripe
            .as_ref()
            .map_or("", |s| s.publishable_key.as_str())
    }
    pub(crate) fn script_url(&self) -> &str {
        self.stripe.as_ref().map_or("", |s| s.js_url.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csp(url: &str) -> String {
        StripeJs::new("pk_test_abc", url)
            .expect("valid")
            .csp
            .to_str()
            .expect("ASCII")
            .to_owned()
    }

    #[test]
    fn stripe_itself_gets_the_frames_and_api_stripe_documents() {
        let c = csp("https://js.stripe.com/v3/");
        assert!(c.contains("script-src 'self' https://js.stripe.com https://*.js.stripe.com;"));
        assert!(c.contains(
            "frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com;"
        ));
        assert!(c.contains("connect-src 'self' https://api.stripe.com;"));
        assert!(c.starts_with("default-src 'none';"));
    }

    #[test]
    fn an_emulator_gets_only_its_own_origin() {
        let c = csp("http://127.0.0.1:8420/js.stripe.com/v3/");
        assert!(
            c.contains("script-src 'self' http://127.0.0.1:8420;"),
            "{c}"
        );
        assert!(c.contains("frame-src http://127.0.0.1:8420;"), "{c}");
        assert!(
            c.contains("connect-src 'self' http://127.0.0.1:8420;"),
            "{c}"
        );
        assert!(!c.contains("stripe.com"), "{c}");
    }

    #[test]
    fn a_key_or_url_that_could_break_the_policy_is_refused() {
        for url in [
            "js.stripe.com/v3/",
            "ftp://js.stripe.com/v3/",
            "http://js.stripe.com/v3/",
            "https://js.stripe.com; script-src *",
            "https://evil.example 'unsafe-inline'/",
            "https:///v3/",
            "https://a:b@js.stripe.com/",
            "http://localhost:/v3/",
        ] {
            assert!(StripeJs::new("pk_test_abc", url).is_err(), "{url}");
        }
        for key in ["sk_test_abc", "pk_test abc", "pk_'x'", ""] {
            assert!(
                StripeJs::new(key, "https://js.stripe.com/v3/").is_err(),
                "{key}"
            );
        }
    }
}
