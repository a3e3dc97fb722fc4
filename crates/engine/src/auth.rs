//! Who is asking, and what they may do.

use cohort_store::{Id, Role, SlateRow, TokenRow, UserRow};

use crate::secrets::token_hash;
use crate::tokens::TokenSpec;
use crate::{Engine, EngineError, Result};

/// The authenticated party behind a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// Anyone: may read public pages and pledge.
    Public,
    /// An organizer's API token; `slate: None` may manage every slate and create new ones.
    Organizer { slate: Option<Id> },
    /// One candidate's campaign API token.
    Candidate { slate: Id, candidate: Id },
    /// A signed-in person: a supporter, and whatever roles they were granted.
    Member(Account),
}

/// A signed-in person and the roles they hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub user: UserRow,
    pub grants: Vec<TokenRow>,
}

impl Actor {
    /// The roles this actor holds, whether it came by token or by session.
    pub fn grants(&self) -> Vec<TokenRow> {
        match self {
            Actor::Public => Vec::new(),
            Actor::Organizer { slate } => vec![TokenRow {
                role: Role::Organizer,
                slate_id: *slate,
                candidate_id: None,
            }],
            Actor::Candidate { slate, candidate } => vec![TokenRow {
                role: Role::Candidate,
                slate_id: Some(*slate),
                candidate_id: Some(*candidate),
            }],
            Actor::Member(a) => a.grants.clone(),
        }
    }

    /// The signed-in person, if any.
    pub fn account(&self) -> Option<&Account> {
        match self {
            Actor::Member(a) => Some(a),
            _ => None,
        }
    }

    fn anonymous(&self) -> bool {
        matches!(self, Actor::Public)
    }

    /// May this actor manage `slate_id`?
    pub fn organizes(&self, slate_id: Id) -> bool {
        self.grants()
            .iter()
            .any(|g| g.role == Role::Organizer && g.slate_id.is_none_or(|s| s == slate_id))
    }

    /// The candidates of `slate_id` this actor campaigns for.
    pub fn campaigns(&self, slate_id: Id) -> Vec<Id> {
        self.grants()
            .iter()
            .filter(|g| g.role == Role::Candidate && g.slate_id == Some(slate_id))
            .filter_map(|g| g.candidate_id)
            .collect()
    }

    /// Organizers of this slate (or of every slate).
    pub fn require_organizer(&self, slate: &SlateRow) -> Result<()> {
        if self.organizes(slate.id) {
            Ok(())
        } else if self.anonymous() {
            Err(EngineError::Unauthenticated(
                "this needs an organizer: sign in, or send Authorization: Bearer TOKEN".into(),
            ))
        } else {
            Err(EngineError::Forbidden(format!(
                "only an organizer of {} may do this",
                slate.slug
            )))
        }
    }

    /// Organizers who may create slates.
    pub fn require_global_organizer(&self) -> Result<()> {
        let global = self
            .grants()
            .iter()
            .any(|g| g.role == Role::Organizer && g.slate_id.is_none());
        if global {
            Ok(())
        } else if self.anonymous() {
            Err(EngineError::Unauthenticated(
                "this needs an organizer: sign in, or send Authorization: Bearer TOKEN".into(),
            ))
        } else {
            Err(EngineError::Forbidden(
                "only an organizer may create slates".into(),
            ))
        }
    }

    /// The campaign account of exactly this candidate.
    pub fn require_candidate(&self, slate: Id, candidate: Id, slug: &str) -> Result<()> {
        if self.campaigns(slate).contains(&candidate) {
            Ok(())
        } else if self.anonymous() {
            Err(EngineError::Unauthenticated(format!(
                "this needs {slug}'s campaign account: sign in, or send Authorization: Bearer TOKEN"
            )))
        } else {
            Err(EngineError::Forbidden(format!(
                "only {slug}'s own campaign account may do this"
            )))
        }
    }

    /// A signed-in person.
    pub fn require_account(&self) -> Result<&Account> {
        self.account()
            .ok_or_else(|| EngineError::Unauthenticated("sign in first".into()))
    }
}

impl Engine {
    /// The actor a bearer token stands for.
    pub async fn authenticate(&self, token: Option<&str>) -> Result<Actor> {
        let Some(token) = token else {
            return Ok(Actor::Public);
        };
        let mut tx = self.store.read().await?;
        let Some(row) = tx.api_token(&token_hash(token)).await? else {
            return Err(EngineError::Unauthenticated(
                "that token is not valid".into(),
            ));
        };
        if let Some(at) = row.revoked_at {
            return Err(EngineError::Unauthenticated(format!(
                "that token was revoked at {}",
                at.format("%Y-%m-%d %H:%M UTC")
            )));
        }
        if let Some(at) = row.expires_at.filter(|e| *e <= self.now()) {
            return Err(EngineError::Unauthenticated(format!(
                "that token expired at {}",
                at.format("%Y-%m-%d %H:%M UTC")
            )));
        }
        match row.grant {
            TokenRow {
                role: Role::Organizer,
                slate_id,
                ..
            } => Ok(Actor::Organizer { slate: slate_id }),
            TokenRow {
                role: Role::Candidate,
                slate_id: Some(slate),
                candidate_id: Some(candidate),
            } => Ok(Actor::Candidate { slate, candidate }),
            _ => Err(EngineError::Unauthenticated(
                "that token is not valid".into(),
            )),
        }
    }

    /// Issue an organizer token (for every slate, or one) that never expires.
    pub async fn issue_organizer_token(&self, slate: Option<&str>) -> Result<String> {
        let spec = TokenSpec {
            name: "organizer".into(),
            expires_at: None,
        };
        Ok(self.issue_organizer_token_as(slate, &spec).await?.0)
    }

    /// Issue an organizer token named and expiring as `spec` says; answers
    /// the token (shown once) and its id.
    pub async fn issue_organizer_token_as(
        &self,
        slate: Option<&str>,
        spec: &TokenSpec,
    ) -> Result<(String, Id)> {
        let mut tx = self.store.write().await?;
        let slate_id = match slate {
            Some(slug) => Some(
                tx.slate_by_slug(slug)
                    .await?
                    .ok_or_else(|| EngineError::not_found("slate", slug))?
                    .id,
            ),
            None => None,
        };
        let row = TokenRow {
            role: Role::Organizer,
            slate_id,
            candidate_id: None,
        };
        let issued = self.issue_token(tx.as_mut(), &row, spec).await?;
        tx.commit().await?;
        Ok(issued)
    }

    /// Issue a never-expiring token for one candidate's campaign account.
    pub async fn issue_candidate_token(&self, slate: &str, candidate: &str) -> Result<String> {
        let spec = TokenSpec {
            name: "candidate".into(),
            expires_at: None,
        };
        Ok(self
            .issue_candidate_token_as(slate, candidate, &spec)
            .await?
            .0)
    }

    /// Issue a campaign token named and expiring as `spec` says.
    pub async fn issue_candidate_token_as(
        &self,
        slate: &str,
        candidate: &str,
        spec: &TokenSpec,
    ) -> Result<(String, Id)> {
        let mut tx = self.store.write().await?;
        let s = tx
            .slate_by_slug(slate)
            .await?
            .ok_or_else(|| EngineError::not_found("slate", slate))?;
        let c = crate::commitments::find_candidate(tx.as_mut(), &s, candidate).await?;
        let row = TokenRow {
            role: Role::Candidate,
            slate_id: Some(s.id),
            candidate_id: Some(c.id),
        };
        let issued = self.issue_token(tx.as_mut(), &row, spec).await?;
        tx.commit().await?;
        Ok(issued)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_compare_by_value() {
        assert!(crate::secrets::secrets_equal("abc", "abc"));
        assert!(!crate::secrets::secrets_equal("abc", "abd"));
        assert!(!crate::secrets::secrets_equal("abc", "ab"));
    }
}
