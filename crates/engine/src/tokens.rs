//! API tokens (issue 14, finding 11): each has a name, a creation time and
//! an optional expiry; they can be listed and revoked. Only a token's SHA-256
//! is stored, and every request reads its row, so a revocation holds on every
//! server at once.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use cohort_store::{Id, TokenRow};
use serde::Serialize;

use crate::secrets::token_hash;
use crate::{Engine, EngineError, Result};

/// What a new token is for.
#[derive(Clone, Debug, Default)]
pub struct TokenSpec {
    /// A label for `cohort token list` ("ci", "alice's laptop").
    pub name: String,
    /// When it stops working; `None`: until revoked.
    pub expires_at: Option<DateTime<Utc>>,
}

/// One token as `cohort token list` shows it (never the token itself).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TokenView {
    pub id: Id,
    pub name: String,
    pub role: &'static str,
    /// `every slate`, a slate's slug, or `slug/candidate-slug`.
    pub scope: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// `active`, `expired` or `revoked`.
    pub state: &'static str,
}

/// Parse an expiry: `30d`, `12h` (from `now`) or a date `2027-01-31` (the
/// token works through that day, UTC). It must lie in the future.
pub fn parse_expiry(s: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let bad = || {
        EngineError::invalid(
            "expires",
            format!("{s:?} is not an expiry: give a number of days or hours (30d, 12h) or a date (2027-01-31)"),
        )
    };
    let s = s.trim();
    let at = if let Some(n) = s.strip_suffix('d') {
        let n: i64 = n.parse().map_err(|_| bad())?;
        if !(1..=36_500).contains(&n) {
            return Err(bad());
        }
        now + Duration::days(n)
    } else if let Some(n) = s.strip_suffix('h') {
        let n: i64 = n.parse().map_err(|_| bad())?;
        if !(1..=876_000).contains(&n) {
            return Err(bad());
        }
        now + Duration::hours(n)
    } else {
        let day: NaiveDate = s.parse().map_err(|_| bad())?;
        let next = day.succ_opt().ok_or_else(bad)?;
        next.and_hms_opt(0, 0, 0).ok_or_else(bad)?.and_utc()
    };
    if at <= now {
        return Err(EngineError::invalid(
            "expires",
            format!("{s} has already passed"),
        ));
    }
    Ok(at)
}

impl Engine {
    /// Issue a token granting `grant`; answers the token (shown once) and its id.
    pub(crate) async fn issue_token(
        &self,
        tx: &mut dyn cohort_store::Tx,
        grant: &TokenRow,
        spec: &TokenSpec,
    ) -> Result<(String, Id)> {
        if spec.name.len() > 100 || spec.name.chars().any(char::is_control) {
            return Err(EngineError::invalid(
                "name",
                "a token's name is at most 100 characters, none of them control characters",
            ));
        }
        let now = self.now();
        if spec.expires_at.is_some_and(|e| e <= now) {
            return Err(EngineError::invalid(
                "expires",
                "that time has already passed",
            ));
        }
        let token = self.tokens.token();
        let id = tx
            .insert_api_token(&token_hash(&token), grant, &spec.name, now, spec.expires_at)
            .await?;
        Ok((token, id))
    }

    /// Every API token, oldest first, without the tokens themselves.
    pub async fn list_tokens(&self) -> Result<Vec<TokenView>> {
        let now = self.now();
        let mut tx = self.store.read().await?;
        let rows = tx.api_tokens().await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let scope = match (r.grant.slate_id, r.grant.candidate_id) {
                (None, _) => "every slate".to_owned(),
                (Some(s), c) => {
                    let slate = tx.slate(s).await?;
                    let slug = slate
                        .as_ref()
                        .map_or_else(|| format!("slate {s}"), |s| s.slug.to_string());
                    match (c, slate) {
                        (Some(c), Some(slate)) => {
                            let cands = tx.candidates(slate.id).await?;
                            let cs = cands
                                .iter()
                                .find(|x| x.id == c)
                                .map_or_else(|| format!("candidate {c}"), |x| x.slug.to_string());
                            format!("{slug}/{cs}")
                        }
                        _ => slug,
                    }
                }
            };
            let state = if r.revoked_at.is_some() {
                "revoked"
            } else if r.expires_at.is_some_and(|e| e <= now) {
                "expired"
            } else {
                "active"
            };
            out.push(TokenView {
                id: r.id,
                name: r.name,
                role: r.grant.role.as_str(),
                scope,
                created_at: r.created_at,
                expires_at: r.expires_at,
                revoked_at: r.revoked_at,
                state,
            });
        }
        Ok(out)
    }

    /// Revoke token `id`: every server refuses it from its next request.
    pub async fn revoke_token(&self, id: Id) -> Result<()> {
        let mut tx = self.store.write().await?;
        if !tx.revoke_api_token(id, self.now()).await? {
            let known = tx.api_tokens().await?.iter().any(|t| t.id == id);
            return Err(if known {
                EngineError::invalid("id", format!("token {id} is already revoked"))
            } else {
                EngineError::not_found("token", id.to_string())
            });
        }
        tx.commit().await?;
        Ok(())
    }

    /// Is `token` a working organizer token for every slate? (The demo
    /// reuses its token while it is.)
    pub async fn is_global_organizer_token(&self, token: &str) -> bool {
        matches!(
            self.authenticate(Some(token)).await,
            Ok(crate::Actor::Organizer { slate: None })
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiries_parse_as_days_hours_or_a_date() {
        let now = "2026-12-06T04:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(parse_expiry("30d", now).unwrap(), now + Duration::days(30));
        assert_eq!(parse_expiry("12h", now).unwrap(), now + Duration::hours(12));
        assert_eq!(
            parse_expiry("2027-01-31", now).unwrap(),
            "2027-02-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        for bad in ["", "0d", "-3d", "30", "soon", "2026-12-05", "2027-02-30"] {
            let e = parse_expiry(bad, now).unwrap_err();
            assert!(
                matches!(e, EngineError::Invalid { ref field, .. } if field == "expires"),
                "{bad}: {e}"
            );
        }
    }
}
