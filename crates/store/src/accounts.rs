//! Accounts, their grants (roles), hashed secrets (sessions, sign-in links,
//! invitations) and API tokens.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use cohort_core::Email;

use crate::{Id, Result, SecretRow, TokenRow, UserRow};

/// The accounts area of a [`Tx`](crate::Tx).
#[async_trait]
pub trait AccountsTx: Send {
    async fn insert_token(&mut self, hash: &str, token: &TokenRow, at: DateTime<Utc>)
        -> Result<()>;
    async fn token(&mut self, hash: &str) -> Result<Option<TokenRow>>;
    async fn insert_user(
        &mut self,
        email: &Email,
        name: &str,
        at: DateTime<Utc>,
    ) -> Result<UserRow>;
    async fn user(&mut self, id: Id) -> Result<Option<UserRow>>;
    async fn user_by_email(&mut self, email: &Email) -> Result<Option<UserRow>>;
    /// Save name, password hash and email preferences.
    async fn update_user(&mut self, user: &UserRow) -> Result<()>;
    /// Give a user a role; returns false if they already had it.
    async fn insert_grant(&mut self, user_id: Id, grant: &TokenRow) -> Result<bool>;
    async fn grants(&mut self, user_id: Id) -> Result<Vec<TokenRow>>;
    /// Everyone holding a role on a slate, with the role.
    async fn slate_members(&mut self, slate_id: Id) -> Result<Vec<(UserRow, TokenRow)>>;
    async fn insert_secret(
        &mut self,
        hash: &str,
        secret: &SecretRow,
        at: DateTime<Utc>,
    ) -> Result<()>;
    async fn secret(&mut self, hash: &str) -> Result<Option<SecretRow>>;
    /// Mark a one-time secret used; false if it already was (or doesn't exist).
    async fn use_secret(&mut self, hash: &str, at: DateTime<Utc>) -> Result<bool>;
    async fn delete_secret(&mut self, hash: &str) -> Result<()>;
}
