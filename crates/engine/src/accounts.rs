//! Accounts: sign-in by emailed link or password, browser sessions,
//! invitations to a role, email preferences.
//!
//! Every secret handed out (session cookie, sign-in link, invitation,
//! unsubscribe link) is random from the [`TokenSource`](crate::TokenSource)
//! and stored only as its SHA-256, so a copy of the database signs nobody in.
//! An account is only ever created by following a link sent to its email,
//! which is what lets a supporter's dashboard show the pledges made with it.
//!
//! Against attackers (issue 14): a link request is answered alike whatever
//! happens, and emails at most a few links an hour to one address
//! ([`limits`]); a newer link voids the older unused ones; password guesses
//! are limited per client and address together, and "no account", "no
//! password yet" and "wrong password" are one answer that costs one hash
//! verification each ([`sessions`], [`passwords`]).

use chrono::{DateTime, Duration, Utc};
use cohort_core::Email;
use cohort_store::{EmailPrefs, Id, NewEmail, Purpose, Role, SecretRow, TokenRow, Tx, UserRow};

use crate::auth::{Account, Actor};
use crate::secrets::token_hash;
use crate::{Engine, EngineError, Result};

pub mod limits;
pub mod passwords;
mod sessions;

pub use passwords::{Argon2Passwords, Passwords, MIN_PASSWORD};
pub use sessions::{PasswordSignIn, FRESH_LINK};

/// How long an emailed sign-in link works: as long as the window links are
/// counted in, so the newest link of a full window still works.
pub const SIGN_IN_LINK_TTL: Duration = Duration::seconds(limits::LINK_WINDOW_SECS);
/// How long an invitation works.
pub const INVITE_TTL: Duration = Duration::days(14);
/// How long a browser stays signed in.
pub const SESSION_TTL: Duration = Duration::days(30);

/// A new browser session's secret, for the cookie.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionToken(pub String);

/// An invitation as its recipient sees it before accepting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitation {
    pub email: String,
    pub role: Role,
    pub slate: String,
    pub slate_name: String,
    /// The candidate's name, for a campaign invitation.
    pub candidate: Option<String>,
}

pub(crate) fn parse_email(field: &str, raw: &str) -> Result<Email> {
    Email::parse(raw.trim()).map_err(|e| EngineError::invalid(field, e.to_string()))
}

fn live(secret: &SecretRow, purpose: Purpose, now: DateTime<Utc>) -> bool {
    secret.purpose == purpose && secret.expires_at > now
}

/// The account for `email`, made on first use. Someone who pledged before
/// having an account gets the name they gave with their latest pledge.
pub(crate) async fn account_for(
    tx: &mut dyn Tx,
    email: &Email,
    at: DateTime<Utc>,
) -> Result<UserRow> {
    if let Some(u) = tx.user_by_email(email).await? {
        return Ok(u);
    }
    let pledged = tx.pledges_by_email(email).await?;
    let name = pledged
        .first()
        .map(|p| p.donor.name.trim().to_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| email.as_str().split('@').next().unwrap_or("").to_owned());
    Ok(tx.insert_user(email, &name, at).await?)
}

fn link_expired() -> EngineError {
    EngineError::Unauthenticated(
        "this link has expired or was already used; ask for a new one".into(),
    )
}

impl Engine {
    /// Email a one-time sign-in link to `email`, creating the account on
    /// first use. Answers the same whether or not the account existed, and
    /// whether or not a link went out: at most [`limits::LINKS_PER_WINDOW`]
    /// go to one address an hour, whoever asks, so nobody can flood an inbox
    /// or learn anything from the answer, and nobody is ever refused. A new
    /// link voids the older unused ones.
    pub async fn request_sign_in(&self, email: &str) -> Result<()> {
        let email = parse_email("email", email)?;
        let at = self.now();
        let mut tx = self.store.write().await?;
        let sent = tx
            .count_attempt(
                &limits::key(&["sign-in link", email.as_str()]),
                limits::window_start(at, limits::LINK_WINDOW_SECS),
            )
            .await?;
        if sent == 1 {
            tx.forget_attempts(limits::forget_before(at)).await?;
        }
        if sent > limits::LINKS_PER_WINDOW {
            tx.commit().await?;
            return Ok(());
        }
        let user = account_for(tx.as_mut(), &email, at).await?;
        tx.void_sign_in_links(user.id, at).await?;
        let token = self
            .store_secret(
                tx.as_mut(),
                Purpose::SignIn,
                Some(user.id),
                None,
                SIGN_IN_LINK_TTL,
                at,
            )
            .await?;
        let link = format!("{}/sign-in/{token}", self.public_url());
        let body = format!(
            "Hello {name},\n\nFollow this link to sign in to Cohort. It works once, within the next hour (a newer link replaces it):\n\n{link}\n\nIf you did not ask to sign in, ignore this email: nothing happens without the link.\n",
            name = user.name,
        );
        self.queue_email(
            tx.as_mut(),
            email,
            "Your Cohort sign-in link",
            body,
            true,
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Follow a sign-in link: a new session, once per link.
    pub async fn sign_in_with_link(&self, token: &str) -> Result<SessionToken> {
        let at = self.now();
        let hash = token_hash(token);
        let mut tx = self.store.write().await?;
        let secret = tx.secret(&hash).await?.ok_or_else(link_expired)?;
        let Some(user_id) = secret
            .user_id
            .filter(|_| live(&secret, Purpose::SignIn, at))
        else {
            return Err(link_expired());
        };
        if !tx.use_secret(&hash, at).await? {
            return Err(link_expired());
        }
        let session = self.new_proven_session(tx.as_mut(), user_id, at).await?;
        tx.commit().await?;
        Ok(session)
    }

    async fn new_session(
        &self,
        tx: &mut dyn Tx,
        user_id: Id,
        at: DateTime<Utc>,
    ) -> Result<SessionToken> {
        let token = self
            .store_secret(tx, Purpose::Session, Some(user_id), None, SESSION_TTL, at)
            .await?;
        Ok(SessionToken(token))
    }

    /// A new session made by following an emailed link, which proves the
    /// address (see [`FRESH_LINK`]).
    async fn new_proven_session(
        &self,
        tx: &mut dyn Tx,
        user_id: Id,
        at: DateTime<Utc>,
    ) -> Result<SessionToken> {
        let session = self.new_session(tx, user_id, at).await?;
        tx.set_proven_at(&token_hash(&session.0), at).await?;
        Ok(session)
    }

    /// A new random secret for `purpose`, stored by its hash; answers the secret.
    async fn store_secret(
        &self,
        tx: &mut dyn Tx,
        purpose: Purpose,
        user_id: Option<Id>,
        invite: Option<(Email, TokenRow)>,
        ttl: Duration,
        at: DateTime<Utc>,
    ) -> Result<String> {
        let token = self.tokens.token();
        let (email, grant) = invite.unzip();
        let secret = SecretRow {
            purpose,
            user_id,
            email,
            grant,
            expires_at: at + ttl,
            used_at: None,
        };
        tx.insert_secret(&token_hash(&token), &secret, at).await?;
        Ok(token)
    }

    /// The person behind a session cookie, or the public if it is unknown or expired.
    pub async fn session(&self, token: &str) -> Result<Actor> {
        let at = self.now();
        let mut tx = self.store.read().await?;
        let Some(secret) = tx.secret(&token_hash(token)).await? else {
            return Ok(Actor::Public);
        };
        let Some(user_id) = secret
            .user_id
            .filter(|_| live(&secret, Purpose::Session, at))
        else {
            return Ok(Actor::Public);
        };
        let Some(user) = tx.user(user_id).await? else {
            return Ok(Actor::Public);
        };
        let grants = tx.grants(user.id).await?;
        Ok(Actor::Member(Account { user, grants }))
    }

    pub async fn sign_out(&self, token: &str) -> Result<()> {
        let mut tx = self.store.write().await?;
        tx.delete_secret(&token_hash(token)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Change how much non-transactional email a person gets, and their name.
    pub async fn update_profile(
        &self,
        account: &Account,
        name: &str,
        prefs: &str,
    ) -> Result<UserRow> {
        let prefs = EmailPrefs::parse(prefs)
            .ok_or_else(|| EngineError::invalid("email_prefs", "choose weekly, every or none"))?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(EngineError::invalid("name", "must be 1 to 200 characters"));
        }
        let mut tx = self.store.write().await?;
        let mut user = tx
            .user(account.user.id)
            .await?
            .ok_or_else(|| EngineError::not_found("account", account.user.email.to_string()))?;
        user.name = name.to_owned();
        user.email_prefs = prefs;
        tx.update_user(&user).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Follow an unsubscribe link: no more updates to that address
    /// (receipts and sign-in links still come, as the law and safety need).
    pub async fn unsubscribe(&self, token: &str) -> Result<Email> {
        let at = self.now();
        let mut tx = self.store.write().await?;
        let email = tx
            .unsubscribe_address(&token_hash(token))
            .await?
            .ok_or_else(|| EngineError::not_found("unsubscribe link", "that link"))?;
        let mut user = account_for(tx.as_mut(), &email, at).await?;
        user.email_prefs = EmailPrefs::None;
        tx.update_user(&user).await?;
        tx.commit().await?;
        Ok(email)
    }

    /// Invite someone by email to organize a slate with you, to be a
    /// candidate's campaign account, or a partner organization's admin
    /// (`subject` is the candidate's slug or the partner's code).
    pub async fn invite(
        &self,
        actor: &Actor,
        slate: &str,
        email: &str,
        role: Role,
        candidate: Option<&str>,
    ) -> Result<()> {
        let at = self.now();
        let email = parse_email("email", email)?;
        let mut tx = self.store.write().await?;
        let s = tx
            .slate_by_slug(slate)
            .await?
            .ok_or_else(|| EngineError::not_found("slate", slate))?;
        actor.require_organizer(&s)?;
        let (candidate_id, what) = match (role, candidate) {
            (Role::Candidate, Some(slug)) => {
                let c = tx
                    .candidates(s.id)
                    .await?
                    .into_iter()
                    .find(|c| c.slug.as_str() == slug)
                    .ok_or_else(|| {
                        EngineError::invalid(
                            "candidate",
                            format!("no candidate {slug:?} on this slate"),
                        )
                    })?;
                (Some(c.id), format!("the campaign account of {} on", c.name))
            }
            (Role::Candidate, None) => {
                return Err(EngineError::invalid(
                    "candidate",
                    "choose the candidate this account is for",
                ))
            }
            (Role::Organizer, _) => (None, "an organizer of".to_owned()),
            (Role::Partner, Some(code)) => {
                let p = tx
                    .partners(s.id)
                    .await?
                    .into_iter()
                    .find(|p| p.code == code)
                    .ok_or_else(|| {
                        EngineError::invalid(
                            "partner",
                            format!("no partner {code:?} on this slate"),
                        )
                    })?;
                (Some(p.id), format!("the admin of {} on", p.name))
            }
            (Role::Partner, None) => {
                return Err(EngineError::invalid(
                    "partner",
                    "choose the partner organization",
                ))
            }
        };
        let grant = TokenRow {
            role,
            slate_id: Some(s.id),
            candidate_id,
        };
        let token = self
            .store_secret(
                tx.as_mut(),
                Purpose::Invite,
                None,
                Some((email.clone(), grant)),
                INVITE_TTL,
                at,
            )
            .await?;
        let link = format!("{}/invites/{token}", self.public_url());
        let body = format!(
            "You have been invited to be {what} the slate \"{name}\" on Cohort.\n\nAccept within 14 days:\n\n{link}\n\nIf you were not expecting this, ignore this email.\n",
            name = s.name,
        );
        self.queue_email(
            tx.as_mut(),
            email,
            &format!("Invitation: {}", s.name),
            body,
            true,
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// What an invitation offers, before it is accepted.
    pub async fn invitation(&self, token: &str) -> Result<Invitation> {
        let at = self.now();
        let mut tx = self.store.read().await?;
        let secret = tx
            .secret(&token_hash(token))
            .await?
            .ok_or_else(link_expired)?;
        if !live(&secret, Purpose::Invite, at) || secret.used_at.is_some() {
            return Err(link_expired());
        }
        let (Some(email), Some(grant)) = (secret.email, secret.grant) else {
            return Err(link_expired());
        };
        let slate_id = grant.slate_id.ok_or_else(link_expired)?;
        let s = tx
            .slate(slate_id)
            .await?
            .ok_or_else(|| EngineError::not_found("slate", slate_id.to_string()))?;
        let candidate = match grant.candidate_id {
            Some(id) => tx
                .candidates(s.id)
                .await?
                .into_iter()
                .find(|c| c.id == id)
                .map(|c| c.name),
            None => None,
        };
        Ok(Invitation {
            email: email.to_string(),
            role: grant.role,
            slate: s.slug.to_string(),
            slate_name: s.name,
            candidate,
        })
    }

    /// Accept an invitation: the invited email's account (created if need
    /// be) gets the role, and a session. The link was sent to that email, so
    /// following it proves the address.
    pub async fn accept_invite(&self, token: &str) -> Result<SessionToken> {
        let at = self.now();
        let hash = token_hash(token);
        let mut tx = self.store.write().await?;
        let secret = tx.secret(&hash).await?.ok_or_else(link_expired)?;
        if !live(&secret, Purpose::Invite, at) {
            return Err(link_expired());
        }
        let (Some(email), Some(grant)) = (secret.email, secret.grant) else {
            return Err(link_expired());
        };
        if !tx.use_secret(&hash, at).await? {
            return Err(link_expired());
        }
        let user = account_for(tx.as_mut(), &email, at).await?;
        tx.insert_grant(user.id, &grant).await?;
        let session = self.new_proven_session(tx.as_mut(), user.id, at).await?;
        tx.commit().await?;
        Ok(session)
    }

    /// Give an existing or new account a role directly (the CLI's bootstrap:
    /// the first organizer has nobody to invite them).
    pub async fn grant(
        &self,
        email: &str,
        role: Role,
        slate: Option<&str>,
        candidate: Option<&str>,
    ) -> Result<()> {
        let at = self.now();
        let email = parse_email("email", email)?;
        let mut tx = self.store.write().await?;
        let (slate_id, candidate_id) = match slate {
            Some(slug) => {
                let s = tx
                    .slate_by_slug(slug)
                    .await?
                    .ok_or_else(|| EngineError::not_found("slate", slug))?;
                let c = match candidate {
                    Some(c) => Some(
                        tx.candidates(s.id)
                            .await?
                            .into_iter()
                            .find(|x| x.slug.as_str() == c)
                            .ok_or_else(|| EngineError::not_found("candidate", c))?
                            .id,
                    ),
                    None => None,
                };
                (Some(s.id), c)
            }
            None => (None, None),
        };
        if role == Role::Candidate && candidate_id.is_none() {
            return Err(EngineError::invalid(
                "candidate",
                "a campaign account needs --slate and --candidate",
            ));
        }
        let user = account_for(tx.as_mut(), &email, at).await?;
        tx.insert_grant(
            user.id,
            &TokenRow {
                role,
                slate_id,
                candidate_id,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Queue an email with an unsubscribe link. Updates (non-transactional)
    /// respect the person's preference: none at all, every one as it
    /// happens, or (weekly) kept for their weekly digest (`digest.rs`), so
    /// nothing is dropped — Cohort exists partly because people are flooded
    /// with asks. Returns whether it was queued (or kept for the digest).
    pub(crate) async fn queue_email(
        &self,
        tx: &mut dyn Tx,
        to: Email,
        subject: &str,
        body: String,
        transactional: bool,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        if !transactional {
            let prefs = tx
                .user_by_email(&to)
                .await?
                .map(|u| u.email_prefs)
                .unwrap_or_default();
            match prefs {
                EmailPrefs::None => return Ok(false),
                EmailPrefs::Weekly => {
                    tx.add_digest_item(&to, subject, &self.keys.seal(&body), at)
                        .await?;
                    return Ok(true);
                }
                EmailPrefs::Every => {}
            }
        }
        let email = self.compose(to, subject, body, transactional);
        tx.enqueue_emails(&[email], at).await?;
        Ok(true)
    }

    /// An email with its footer and the hash of its own unsubscribe secret,
    /// its body sealed (opened only for delivery: `mail.rs`).
    pub(crate) fn compose(
        &self,
        to: Email,
        subject: &str,
        body: String,
        transactional: bool,
    ) -> (NewEmail, String) {
        let unsubscribe = self.tokens.token();
        let body = format!(
            "{body}\n--\nCohort: pledges to a slate of candidates that unlock when they commit to each other.\nStop updates from Cohort (receipts still come): {}/unsubscribe/{unsubscribe}\n",
            self.public_url()
        );
        (
            NewEmail {
                to,
                subject: subject.to_owned(),
                // Sealed under a key outside the database: every body holds
                // at least its unsubscribe link (issue 14).
                body: self.keys.seal(&body),
                transactional,
                held: false,
                attachment: None,
            },
            token_hash(&unsubscribe),
        )
    }
}
