//! localstripe (PyPI `localstripe`, a stateful Stripe emulator) on a free
//! loopback port, from the test venv (`COHORT_TEST_PYTHON`, made by
//! scripts/test). Killed when dropped. Never skipped: without the venv the
//! tests fail saying how to make it.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

/// Any `sk_…` key opens localstripe.
pub const SECRET_KEY: &str = "sk_test_cohort";

pub struct LocalStripe {
    pub base: String,
    child: Child,
    http: reqwest::Client,
}

impl Drop for LocalStripe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl LocalStripe {
    /// Start localstripe on a free port and wait until it answers. The port
    /// is found by binding port 0 and letting it go, so something else (an
    /// outgoing connection, another test's server) can take it before
    /// localstripe binds it; localstripe then exits at once, and this tries
    /// again on another port.
    pub async fn start() -> LocalStripe {
        let mut exits = Vec::new();
        for _ in 0..3 {
            match Self::try_start().await {
                Ok(ls) => return ls,
                Err(why) => exits.push(why),
            }
        }
        panic!("localstripe did not start: {}", exits.join("; "));
    }

    async fn try_start() -> Result<LocalStripe, String> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(crate::python::venv_python())
            .args(["-m", "localstripe", "--from-scratch", "--port"])
            .arg(port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start localstripe (is it installed in the test venv?)");
        let mut ls = LocalStripe {
            base: format!("http://127.0.0.1:{port}"),
            child,
            http: reqwest::Client::new(),
        };
        // Wait until it answers (it takes a second or two to import, more
        // when every test starts one at once).
        for _ in 0..600 {
            if let Ok(r) = ls
                .http
                .get(format!("{}/v1/customers", ls.base))
                .bearer_auth(SECRET_KEY)
                .send()
                .await
            {
                if r.status().is_success() {
                    return Ok(ls);
                }
            }
            if let Ok(Some(status)) = ls.child.try_wait() {
                return Err(format!("on port {port} it exited ({status})"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("on port {port} it did not answer in 60 s"))
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(SECRET_KEY)
            .form(form)
            .send()
            .await
            .expect("localstripe answers");
        let s = r.status().as_u16();
        (s, r.json().await.expect("JSON from localstripe"))
    }

    pub async fn get(&self, path: &str) -> Value {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(SECRET_KEY)
            .send()
            .await
            .expect("localstripe answers");
        assert!(r.status().is_success(), "GET {path}: {}", r.status());
        r.json().await.expect("JSON from localstripe")
    }

    /// Have localstripe deliver its events to `url`, signed with `secret`.
    pub async fn send_webhooks_to(&self, url: &str, secret: &str) {
        let r = self
            .http
            .post(format!("{}/_config/webhooks/cohort", self.base))
            .form(&[("url", url), ("secret", secret)])
            .send()
            .await
            .expect("localstripe answers");
        assert!(r.status().is_success(), "{}", r.status());
    }

    /// Confirm a SetupIntent as Stripe.js would, with its client secret and a
    /// payment method (`pm_card_visa`, `pm_card_chargeCustomerFail`, or a `pm_…` id).
    pub async fn confirm_setup(&self, client_secret: &str, payment_method: &str) -> Value {
        let id = client_secret
            .split("_secret_")
            .next()
            .expect("a SetupIntent client secret");
        let (s, body) = self
            .post(
                &format!("/v1/setup_intents/{id}/confirm"),
                &[
                    ("client_secret", client_secret),
                    ("payment_method", payment_method),
                ],
            )
            .await;
        assert_eq!(s, 200, "{body}");
        body
    }

    /// A card payment method with a test card number (e.g. 4000002500003155,
    /// which asks for authentication on every payment).
    pub async fn card(&self, number: &str) -> String {
        let (s, body) = self
            .post(
                "/v1/payment_methods",
                &[
                    ("type", "card"),
                    ("card[number]", number),
                    ("card[exp_month]", "12"),
                    ("card[exp_year]", "2030"),
                    ("card[cvc]", "123"),
                ],
            )
            .await;
        assert_eq!(s, 200, "{body}");
        body["id"].as_str().expect("a payment method id").to_owned()
    }

    /// Every PaymentIntent localstripe holds for `pledge` (by our metadata).
    pub async fn intents_for(&self, pledge: i64) -> Vec<Value> {
        let list = self.get("/v1/payment_intents?limit=100").await;
        list["data"]
            .as_array()
            .expect("a list")
            .iter()
            .filter(|pi| pi["metadata"]["cohort_pledge"].as_str() == Some(&pledge.to_string()))
            .cloned()
            .collect()
    }
}
