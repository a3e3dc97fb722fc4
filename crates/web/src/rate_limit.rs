//! An in-memory guard on password attempts per client (one server's view),
//! and the same guard, with its own counts, on anonymous votes in a
//! conversation ([`VoteLimiter`], issue 16).
//!
//! The limits that matter are the engine's, counted in the database so every
//! server agrees: sign-in links per address, password guesses per client and
//! address together. This guard only stops one client from making a server
//! run argon2 without end, and it never looks at the address, so a stranger
//! can never spend the owner's allowance.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::pages::PageError;

/// Sliding-window limit on password attempts per client, in memory.
#[derive(Debug)]
pub struct RateLimiter {
    window: Duration,
    per_client: usize,
    seen: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl Default for RateLimiter {
    /// 30 password attempts per client in 15 minutes.
    fn default() -> Self {
        RateLimiter::new(Duration::from_secs(15 * 60), 30)
    }
}

impl RateLimiter {
    pub fn new(window: Duration, per_client: usize) -> Self {
        RateLimiter {
            window,
            per_client,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Count an attempt from `client`; `Err(seconds to wait)` when over the
    /// limit. An unknown client (no connection info) is not limited here.
    pub fn attempt(&self, client: Option<IpAddr>) -> Result<(), u64> {
        let Some(ip) = client else {
            return Ok(());
        };
        let now = Instant::now();
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let q = seen.entry(ip).or_default();
        while q
            .front()
            .is_some_and(|t| now.duration_since(*t) > self.window)
        {
            q.pop_front();
        }
        if q.len() >= self.per_client {
            return Err(q
                .front()
                .map(|t| self.window.saturating_sub(now.duration_since(*t)).as_secs() + 1)
                .unwrap_or(1));
        }
        q.push_back(now);
        if seen.len() > 100_000 {
            let window = self.window;
            seen.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) <= window));
        }
        Ok(())
    }
}

/// The shared limiter, as request state.
pub(crate) type Limiter = axum::Extension<Arc<RateLimiter>>;

/// Anonymous votes per client: a visitor can make a new participant with
/// every request, so the client is what a flood is counted by. People who
/// signed in are not counted here.
#[derive(Clone, Debug)]
pub(crate) struct VoteLimiter(pub Arc<RateLimiter>);

impl VoteLimiter {
    /// `COHORT_VOTE_LIMIT_PER_IP` anonymous votes an hour per client (300).
    pub fn from_env() -> Self {
        let per_client = std::env::var("COHORT_VOTE_LIMIT_PER_IP")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(300);
        VoteLimiter(Arc::new(RateLimiter::new(
            Duration::from_secs(3600),
            per_client,
        )))
    }
}

/// A 429 page saying how long to wait (and `Retry-After`).
pub(crate) fn too_many(wait: u64) -> Response {
    too_many_saying(
        wait,
        format!(
            "Too many sign-in attempts from here. Try again in {} minutes, or ask for a sign-in link.",
            wait.div_ceil(60)
        ),
    )
}

/// A 429 page for a flood of anonymous votes.
pub(crate) fn too_many_votes(wait: u64) -> Response {
    too_many_saying(
        wait,
        format!(
            "Too many votes from here without signing in. Try again in {} minutes, or sign in to keep voting.",
            wait.div_ceil(60)
        ),
    )
}

fn too_many_saying(wait: u64, message: String) -> Response {
    let mut res = PageError::from(ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        message,
    ))
    .into_response();
    res.headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(wait.max(1)));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limiter_counts_per_client_only() {
        let l = RateLimiter::new(Duration::from_secs(60), 2);
        let ip: Option<IpAddr> = "10.0.0.1".parse().ok();
        assert!(l.attempt(ip).is_ok());
        assert!(l.attempt(ip).is_ok());
        assert!(l.attempt(ip).is_err(), "third try from one client");
        assert!(l.attempt("10.0.0.2".parse().ok()).is_ok());
        assert!(l.attempt(None).is_ok());
    }
}
