//! Signing in with a password, changing it, and signing out everywhere.

use std::net::IpAddr;

use chrono::Duration;

use super::limits::{self, GUESSES_PER_WINDOW, GUESS_WINDOW_SECS};
use super::passwords::check_new_password;
use super::{parse_email, SessionToken};
use crate::auth::Account;
use crate::secrets::token_hash;
use crate::{Engine, EngineError, Result};

/// How long after following an emailed link a session may change the
/// password without the current one (or choose a first one).
pub const FRESH_LINK: Duration = Duration::minutes(15);

/// What a password sign-in came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PasswordSignIn {
    SignedIn(SessionToken),
    /// Too many guesses from this client at this address: try again in
    /// `seconds` (or sign in with an emailed link, which this never blocks).
    TryLater {
        seconds: u64,
    },
}

/// The one answer to a password that does not sign in, whatever the reason.
fn no_match() -> EngineError {
    EngineError::Unauthenticated(
        "that email and password don't match (no password yet? ask for a sign-in link)".into(),
    )
}

fn not_current() -> EngineError {
    EngineError::invalid(
        "current_password",
        "current password: that is not your current password. Forgot it? Sign in again with an emailed link and change it within 15 minutes.",
    )
}

impl Engine {
    /// Sign in with a password chosen earlier (the client unknown).
    pub async fn sign_in_with_password(&self, email: &str, password: &str) -> Result<SessionToken> {
        match self
            .sign_in_with_password_from(email, password, None)
            .await?
        {
            PasswordSignIn::SignedIn(s) => Ok(s),
            PasswordSignIn::TryLater { .. } => Err(EngineError::Unauthenticated(
                "too many attempts; try again later or ask for a sign-in link".into(),
            )),
        }
    }

    /// Sign in with a password from `client`. "No such account", "no
    /// password yet" and "wrong password" are one answer, and each runs one
    /// hash verification (against [`Passwords::dummy`](super::Passwords::dummy)
    /// when there is no real hash). Guesses are limited per client and
    /// address together, counted in the database before anything is checked.
    pub async fn sign_in_with_password_from(
        &self,
        email: &str,
        password: &str,
        client: Option<IpAddr>,
    ) -> Result<PasswordSignIn> {
        let email = parse_email("email", email)?;
        let at = self.now();
        let client = client.map_or_else(|| "unknown".to_owned(), |c| c.to_string());
        let mut tx = self.store.write().await?;
        let window = limits::window_start(at, GUESS_WINDOW_SECS);
        let guesses = tx
            .count_attempt(&limits::key(&["password", &client, email.as_str()]), window)
            .await?;
        let user = tx.user_by_email(&email).await?;
        tx.commit().await?;
        if guesses > GUESSES_PER_WINDOW {
            return Ok(PasswordSignIn::TryLater {
                seconds: limits::seconds_left(at, GUESS_WINDOW_SECS),
            });
        }
        // Verify outside any transaction: argon2 takes a while, and a write
        // transaction would hold every other writer meanwhile.
        let signs_in = {
            let real = user.as_ref().and_then(|u| u.password_hash.as_deref());
            let matches = self
                .passwords
                .verify(password, real.unwrap_or_else(|| self.passwords.dummy()));
            matches && real.is_some()
        };
        let Some(user) = user.filter(|_| signs_in) else {
            return Err(no_match());
        };
        let mut tx = self.store.write().await?;
        let session = self.new_session(tx.as_mut(), user.id, at).await?;
        tx.commit().await?;
        Ok(PasswordSignIn::SignedIn(session))
    }

    /// Choose or change the password of the account signed in with
    /// `session`. Asks for the current password, unless the session followed
    /// an emailed link in the last 15 minutes ([`FRESH_LINK`]); choosing a
    /// first password needs such a session. Every other session of the
    /// account ends, and its unused sign-in links are void.
    pub async fn change_password(
        &self,
        account: &Account,
        session: &str,
        current: &str,
        new: &str,
    ) -> Result<()> {
        check_new_password("password", new, &account.user.email)?;
        let at = self.now();
        let session_hash = token_hash(session);
        let mut tx = self.store.write().await?;
        let user = tx
            .user(account.user.id)
            .await?
            .ok_or_else(|| EngineError::not_found("account", account.user.email.to_string()))?;
        let fresh = tx
            .proven_at(&session_hash)
            .await?
            .is_some_and(|proven| at - proven <= FRESH_LINK);
        let tries = if fresh {
            0
        } else {
            tx.count_attempt(
                &limits::key(&["current-password", &user.id.to_string()]),
                limits::window_start(at, GUESS_WINDOW_SECS),
            )
            .await?
        };
        tx.commit().await?;
        if !fresh {
            if tries > GUESSES_PER_WINDOW {
                return Err(EngineError::invalid(
                    "current_password",
                    "current password: too many tries; sign in again with an emailed link and change it within 15 minutes",
                ));
            }
            let Some(hash) = user.password_hash.as_deref() else {
                return Err(EngineError::invalid(
                    "current_password",
                    "current password: to choose a password, sign in again with an emailed link and choose it within 15 minutes",
                ));
            };
            if current.is_empty() || !self.passwords.verify(current, hash) {
                return Err(not_current());
            }
        }
        let phc = self
            .passwords
            .hash(new, self.tokens.token().as_bytes())
            .map_err(|e| EngineError::invalid("password", e))?;
        let mut tx = self.store.write().await?;
        let mut user = tx
            .user(account.user.id)
            .await?
            .ok_or_else(|| EngineError::not_found("account", account.user.email.to_string()))?;
        user.password_hash = Some(phc);
        tx.update_user(&user).await?;
        tx.end_sessions(user.id, Some(&session_hash)).await?;
        tx.void_sign_in_links(user.id, at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// End every session of the account signed in with `session` (this one
    /// too) and void its unused sign-in links; answers how many sessions
    /// ended. An unknown session ends nothing.
    pub async fn sign_out_everywhere(&self, session: &str) -> Result<u64> {
        let at = self.now();
        let mut tx = self.store.write().await?;
        let Some(user_id) = tx
            .secret(&token_hash(session))
            .await?
            .filter(|s| s.purpose == cohort_store::Purpose::Session && s.expires_at > at)
            .and_then(|s| s.user_id)
        else {
            return Ok(0);
        };
        let ended = tx.end_sessions(user_id, None).await?;
        tx.void_sign_in_links(user_id, at).await?;
        tx.commit().await?;
        Ok(ended)
    }
}
