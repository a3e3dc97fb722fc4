//! API tokens with a name, an optional expiry and revocation (issue 14,
//! finding 11). Only a token's SHA-256 is stored.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{Id, Result, TokenRow};

/// One API token as `cohort token list` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiTokenRow {
    pub id: Id,
    pub name: String,
    /// The role and scope it grants.
    pub grant: TokenRow,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[async_trait]
pub trait ApiTokensTx: Send {
    /// Store a new token by its hash; answers its id.
    async fn insert_api_token(
        &mut self,
        hash: &str,
        grant: &TokenRow,
        name: &str,
        created_at: DateTime<Utc>,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<Id>;
    /// The token with this hash, expired and revoked ones included.
    async fn api_token(&mut self, hash: &str) -> Result<Option<ApiTokenRow>>;
    /// Every token, oldest first.
    async fn api_tokens(&mut self) -> Result<Vec<ApiTokenRow>>;
    /// Revoke token `id` at `at`; false if there is no such token or it was
    /// already revoked.
    async fn revoke_api_token(&mut self, id: Id, at: DateTime<Utc>) -> Result<bool>;
}
