//! What candidates do for each other: sign the compact, withdraw, endorse.
//! Each is an event that may unlock pledges, in the same transaction.

use chrono::{DateTime, Utc};
use cohort_core::Reads;
use cohort_core::SlateEventKind;
use cohort_store::{CandidateRow, EndorsementRow, SignatureRow, SlateRow, Tx};

use crate::settle::{endorsements_changed, signatures_changed};
use crate::slates::find_slate;
use crate::{Actor, Engine, EngineError, Result, Settlement};

pub(crate) async fn find_candidate(
    tx: &mut dyn Tx,
    slate: &SlateRow,
    slug: &str,
) -> Result<CandidateRow> {
    tx.candidates(slate.id)
        .await?
        .into_iter()
        .find(|c| c.slug.as_str() == slug)
        .ok_or_else(|| EngineError::not_found("candidate", slug))
}

impl Engine {
    /// Open the write transaction of a campaign's action: the slate, the
    /// candidate acting (checked against the actor), the slate locked.
    async fn campaign_action(
        &self,
        actor: &Actor,
        slate: &str,
        candidate: &str,
    ) -> Result<(Box<dyn Tx>, SlateRow, CandidateRow)> {
        let mut tx = self.store.write().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        let c = find_candidate(tx.as_mut(), &s, candidate).await?;
        actor.require_candidate(s.id, c.id, candidate)?;
        tx.lock_slate(s.id).await?;
        Ok((tx, s, c))
    }

    /// Log the event, unlock what it made true, and commit, all at once.
    async fn conclude(
        &self,
        mut tx: Box<dyn Tx>,
        slate: &SlateRow,
        kind: SlateEventKind,
        payload: serde_json::Value,
        changed: Reads,
        at: DateTime<Utc>,
    ) -> Result<Settlement> {
        tx.append_event(slate.id, kind, &payload.to_string(), at)
            .await?;
        let outcome = self.settle(tx.as_mut(), slate, changed, &[], at).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// The candidate signs compact `version`, which must be the latest.
    pub async fn sign(
        &self,
        actor: &Actor,
        slate: &str,
        candidate: &str,
        version: i32,
    ) -> Result<Settlement> {
        let at = self.now();
        let (mut tx, s, c) = self.campaign_action(actor, slate, candidate).await?;
        let latest = tx.latest_compact(s.id).await?.ok_or_else(|| {
            EngineError::conflict("no_compact", format!("{slate} has no compact to sign yet"))
        })?;
        if version != latest.version {
            let known = tx.compact_version(s.id, version).await?.is_some();
            return Err(EngineError::conflict(
                "stale_version",
                if known {
                    format!(
                        "version {version} is not the latest; sign version {}",
                        latest.version
                    )
                } else {
                    format!(
                        "there is no version {version}; the latest is {}",
                        latest.version
                    )
                },
            ));
        }
        let sig = SignatureRow {
            candidate_id: c.id,
            version,
            signed_at: at,
        };
        tx.upsert_signature(s.id, &sig).await?;
        let payload =
            serde_json::json!({ "candidate": candidate, "version": version, "hash": latest.hash });
        self.conclude(
            tx,
            &s,
            SlateEventKind::Signed,
            payload,
            signatures_changed(),
            at,
        )
        .await
    }

    /// The candidate withdraws their signature. Public, and re-checks
    /// conditions (a `not signed("x")` condition may become true).
    pub async fn withdraw(
        &self,
        actor: &Actor,
        slate: &str,
        candidate: &str,
    ) -> Result<Settlement> {
        let at = self.now();
        let (mut tx, s, c) = self.campaign_action(actor, slate, candidate).await?;
        if !tx.delete_signature(s.id, c.id).await? {
            return Err(EngineError::not_found("signature of", candidate));
        }
        let payload = serde_json::json!({ "candidate": candidate });
        self.conclude(
            tx,
            &s,
            SlateEventKind::Withdrew,
            payload,
            signatures_changed(),
            at,
        )
        .await
    }

    pub async fn endorse(
        &self,
        actor: &Actor,
        slate: &str,
        from: &str,
        to: &str,
    ) -> Result<Settlement> {
        self.change_endorsement(actor, slate, from, to, true).await
    }

    pub async fn unendorse(
        &self,
        actor: &Actor,
        slate: &str,
        from: &str,
        to: &str,
    ) -> Result<Settlement> {
        self.change_endorsement(actor, slate, from, to, false).await
    }

    /// The candidate endorses every signer they have not endorsed yet, in
    /// one transaction (one event each, one settle); answers whom, by slug.
    pub async fn endorse_all_signers(
        &self,
        actor: &Actor,
        slate: &str,
        from: &str,
    ) -> Result<(Settlement, Vec<String>)> {
        let at = self.now();
        let (mut tx, s, f) = self.campaign_action(actor, slate, from).await?;
        let signers: std::collections::HashSet<_> = tx
            .signatures(s.id)
            .await?
            .into_iter()
            .map(|sig| sig.candidate_id)
            .collect();
        let already: std::collections::HashSet<_> = tx
            .endorsements(s.id)
            .await?
            .into_iter()
            .filter(|e| e.from_id == f.id)
            .map(|e| e.to_id)
            .collect();
        let mut endorsed = Vec::new();
        for t in tx.candidates(s.id).await? {
            if t.id == f.id || !signers.contains(&t.id) || already.contains(&t.id) {
                continue;
            }
            let row = EndorsementRow {
                from_id: f.id,
                to_id: t.id,
                at,
            };
            if tx.insert_endorsement(s.id, &row).await? {
                let payload = serde_json::json!({ "from": from, "to": t.slug.as_str() });
                tx.append_event(s.id, SlateEventKind::Endorsed, &payload.to_string(), at)
                    .await?;
                endorsed.push(t.slug.to_string());
            }
        }
        if endorsed.is_empty() {
            tx.commit().await?;
            return Ok((Settlement::default(), endorsed));
        }
        let outcome = self
            .settle(tx.as_mut(), &s, endorsements_changed(), &[], at)
            .await?;
        tx.commit().await?;
        Ok((outcome, endorsed))
    }

    async fn change_endorsement(
        &self,
        actor: &Actor,
        slate: &str,
        from: &str,
        to: &str,
        add: bool,
    ) -> Result<Settlement> {
        let at = self.now();
        let (mut tx, s, f) = self.campaign_action(actor, slate, from).await?;
        let t = find_candidate(tx.as_mut(), &s, to).await?;
        if f.id == t.id {
            return Err(EngineError::invalid(
                "to",
                "a candidate cannot endorse themselves",
            ));
        }
        let changed = if add {
            tx.insert_endorsement(
                s.id,
                &EndorsementRow {
                    from_id: f.id,
                    to_id: t.id,
                    at,
                },
            )
            .await?
        } else {
            tx.delete_endorsement(s.id, f.id, t.id).await?
        };
        if !changed {
            if add {
                // Endorsing twice is harmless: answer as the first time did.
                tx.commit().await?;
                return Ok(Settlement::default());
            }
            return Err(EngineError::not_found(
                "endorsement",
                format!("{from} -> {to}"),
            ));
        }
        let kind = if add {
            SlateEventKind::Endorsed
        } else {
            SlateEventKind::Unendorsed
        };
        let payload = serde_json::json!({ "from": from, "to": to });
        self.conclude(tx, &s, kind, payload, endorsements_changed(), at)
            .await
    }
}
