//! Limits on anonymous pledge intake (issue 14, finding 3): per donor
//! address and per client, sliding windows in memory, checked *before* the
//! engine is called so the group-committed intake transaction never waits on
//! them. (The cap on email to one address is the engine's, in the database,
//! so servers agree on it; these limits only slow one server's flood.)
//!
//! Over a limit: `429 {"error": {"code": "rate_limited", "message", "field",
//! "retry_after_seconds"}}` with a `Retry-After` header.
//!
//! `COHORT_PLEDGE_LIMIT_PER_EMAIL` (default 10) and
//! `COHORT_PLEDGE_LIMIT_PER_IP` (default 100) are pledges an hour.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::client_ip::ClientIp;

/// Sliding-window counts of anonymous pledges per address and per client.
#[derive(Debug)]
pub struct PledgeLimiter {
    window: Duration,
    per_email: usize,
    per_client: usize,
    seen: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl PledgeLimiter {
    pub fn new(window: Duration, per_email: usize, per_client: usize) -> Self {
        PledgeLimiter {
            window,
            per_email,
            per_client,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// The limits `COHORT_PLEDGE_LIMIT_PER_EMAIL` / `_PER_IP` ask for (an hour).
    pub fn from_env() -> Self {
        let var = |k: &str, d: usize| {
            std::env::var(k)
                .ok()
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(d)
        };
        PledgeLimiter::new(
            Duration::from_secs(3600),
            var("COHORT_PLEDGE_LIMIT_PER_EMAIL", 10),
            var("COHORT_PLEDGE_LIMIT_PER_IP", 100),
        )
    }

    /// Count a pledge at `now`; `Err((field, seconds to wait))` when over a limit
    /// (nothing is counted then).
    pub fn attempt_at(
        &self,
        email: &str,
        client: Option<IpAddr>,
        now: Instant,
    ) -> Result<(), (&'static str, u64)> {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let mut keys = vec![(
            format!("email:{}", email.trim().to_lowercase()),
            self.per_email,
            "donor.email",
        )];
        if let Some(ip) = client {
            keys.push((format!("ip:{ip}"), self.per_client, "client"));
        }
        for (key, limit, field) in &keys {
            let q = seen.entry(key.clone()).or_default();
            while q
                .front()
                .is_some_and(|t| now.duration_since(*t) >= self.window)
            {
                q.pop_front();
            }
            if q.len() >= *limit {
                let wait = q.front().map_or(1, |t| {
                    self.window.saturating_sub(now.duration_since(*t)).as_secs() + 1
                });
                return Err((*field, wait));
            }
        }
        for (key, _, _) in keys {
            seen.entry(key).or_default().push_back(now);
        }
        if seen.len() > 100_000 {
            let window = self.window;
            seen.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        Ok(())
    }
}

/// The limiter and the client, for a pledge handler to check before the engine.
pub(crate) struct PledgeGate {
    limiter: Arc<PledgeLimiter>,
    client: Option<IpAddr>,
}

impl<S: Send + Sync> FromRequestParts<S> for PledgeGate {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let limiter = parts
            .extensions
            .get::<Arc<PledgeLimiter>>()
            .cloned()
            .unwrap_or_else(|| Arc::new(PledgeLimiter::from_env()));
        // The one place intake limits learn the client: the connection's
        // peer, or what a trusted proxy forwarded (`COHORT_TRUSTED_PROXIES`).
        let ClientIp(client) = ClientIp::from_request_parts(parts, state).await?;
        Ok(PledgeGate { limiter, client })
    }
}

impl PledgeGate {
    /// Count an anonymous pledge for `email`; over a limit, the 429 answer.
    pub(crate) fn check(&self, email: &str) -> Result<(), TooMany> {
        self.limiter
            .attempt_at(email, self.client, Instant::now())
            .map_err(|(field, wait)| TooMany { field, wait })
    }
}

/// Over a limit: which one (`field`) and the seconds to wait.
pub(crate) struct TooMany {
    field: &'static str,
    wait: u64,
}

impl IntoResponse for TooMany {
    fn into_response(self) -> Response {
        too_many(self.field, self.wait)
    }
}

/// `429` saying when to try again, in the header and the body.
pub(crate) fn too_many(field: &str, wait: u64) -> Response {
    let what = if field == "donor.email" {
        "this address"
    } else {
        "this connection"
    };
    let body = serde_json::json!({"error": {
        "code": "rate_limited",
        "message": format!("too many pledges from {what} in the last hour; try again in {wait} seconds"),
        "field": field,
        "retry_after_seconds": wait,
    }});
    let mut res = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
    res.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from_str(&wait.to_string()).unwrap_or(HeaderValue::from_static("60")),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_limit_holds_and_says_how_long_to_wait() {
        let l = PledgeLimiter::new(Duration::from_secs(3600), 2, 3);
        let t0 = Instant::now();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        assert!(l.attempt_at("a@x.org", Some(ip), t0).is_ok());
        assert!(l.attempt_at("A@x.org ", Some(ip), t0).is_ok());
        let (field, wait) = l.attempt_at("a@x.org", Some(ip), t0).unwrap_err();
        assert_eq!((field, wait), ("donor.email", 3601));
        assert!(l.attempt_at("b@x.org", Some(ip), t0).is_ok());
        let (field, _) = l.attempt_at("c@x.org", Some(ip), t0).unwrap_err();
        assert_eq!(field, "client");
        // An hour later the window has moved on.
        let later = t0 + Duration::from_secs(3600);
        assert!(l.attempt_at("a@x.org", Some(ip), later).is_ok());
    }
}
