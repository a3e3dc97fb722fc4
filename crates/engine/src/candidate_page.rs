//! A candidate's page (issue 16): who they are (their own bio and photo),
//! what they signed (the compact version and its hash), who they endorse
//! and who endorses them, with withdrawals kept as history, their scorecard
//! once they have signed, and what is waiting for them — the slate view's
//! own figures (`waiting` before signing, `on_unlock` after), no new money
//! math. One read transaction.

use cohort_core::SlateEventKind;
use cohort_store::{CandidateProfileRow, EventRow, Id, Tx};
use serde::Serialize;

use crate::log::{place_of, LogPlace};
use crate::scorecard::SignerCard;
use crate::slates::find_slate;
use crate::{Actor, CandidateView, Engine, EngineError, Result, SlateView, WaitingView};

/// The most roster events a candidate page reads (signatures and
/// endorsements only, never pledges).
const HISTORY: i64 = 2_000;
/// The longest bio, in characters.
pub const BIO_MAX: usize = 2_000;

/// What a candidate's page shows.
#[derive(Clone, Debug, Serialize)]
pub struct CandidatePageView {
    pub slate: SlateView,
    pub candidate: CandidateView,
    /// Their own words; empty: none written yet.
    pub bio: String,
    /// An `https://` photo; `None`: the page shows their initials.
    pub photo_url: Option<String>,
    /// The hash of the compact version they signed, if they have signed.
    pub signed_hash: Option<String>,
    /// Candidates (slugs) they endorse today, and who endorses them.
    pub endorses: Vec<String>,
    pub endorsed_by: Vec<String>,
    /// The roster events naming them, oldest first (signatures,
    /// withdrawals, endorsements given and received and their withdrawals).
    pub history: Vec<EventRow>,
    /// Their scorecard, once they have signed.
    pub scorecard: Option<SignerCard>,
    /// Before signing: what their signature would bring them; after: their
    /// share of what is still locked, reaching them when the slate unlocks.
    pub waiting: Option<WaitingView>,
    pub lost_primary: bool,
    /// Where their signature sits in the transparency log; `None` while
    /// unsigned or until the sequencer has logged it.
    pub signature_log: Option<LogPlace>,
}

/// Whether a roster event's payload names `slug`.
fn names(e: &EventRow, slug: &str) -> bool {
    let v: serde_json::Value = serde_json::from_str(&e.payload).unwrap_or_default();
    ["candidate", "from", "to"]
        .iter()
        .any(|k| v[k].as_str() == Some(slug))
}

/// A photo address: `https://`, no spaces or quotes, at most 500 characters.
pub fn parse_photo_url(raw: &str) -> Result<Option<String>> {
    let url = raw.trim();
    if url.is_empty() {
        return Ok(None);
    }
    let ok = url.starts_with("https://")
        && url.len() > "https://".len()
        && url.len() <= 500
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>'));
    if ok {
        Ok(Some(url.to_owned()))
    } else {
        Err(EngineError::invalid(
            "photo_url",
            "must be an https:// address of at most 500 characters, without spaces or quotes",
        ))
    }
}

impl Engine {
    /// `/slates/{slug}/candidates/{cslug}` (public).
    pub async fn candidate_page(&self, slug: &str, cslug: &str) -> Result<CandidatePageView> {
        let today = self.today();
        let mut tx = self.store.read().await?;
        let slate_row = find_slate(tx.as_mut(), slug).await?;
        let slate = self.slate_view_in(tx.as_mut(), &slate_row).await?;
        let rows = tx.candidates(slate_row.id).await?;
        let row = rows
            .iter()
            .find(|c| c.slug.as_str() == cslug)
            .ok_or_else(|| EngineError::not_found("candidate", cslug))?;
        let candidate = slate
            .candidates
            .iter()
            .find(|c| c.slug == cslug)
            .cloned()
            .ok_or_else(|| EngineError::not_found("candidate", cslug))?;
        let profile = tx.candidate_profile(row.id).await?;
        let signed_hash = match candidate.signed_version {
            Some(v) => tx.compact_version(slate_row.id, v).await?.map(|c| c.hash),
            None => None,
        };
        let history: Vec<EventRow> = tx
            .roster_events(slate_row.id, HISTORY)
            .await?
            .into_iter()
            .filter(|e| names(e, cslug))
            .collect();
        // The signature standing today is their last `signed` event.
        let signature = history
            .iter()
            .rev()
            .find(|e| e.kind == SlateEventKind::Signed)
            .filter(|_| candidate.signed);
        let signature_log = match signature {
            Some(e) => match tx.log_leaf_of_event(e.seq).await? {
                Some(leaf) => Some(place_of(tx.as_mut(), leaf.idx as u64, None).await?),
                None => None,
            },
            None => None,
        };
        let scorecard = if candidate.signed {
            crate::scorecard::scorecard_in(tx.as_mut(), &slate_row, today)
                .await?
                .into_iter()
                .find(|c| c.candidate == cslug)
        } else {
            None
        };
        let lost_primary = tx.primary_losses(slate_row.id).await?.contains(&row.id);
        let pick = |list: &[WaitingView]| list.iter().find(|w| w.candidate == cslug).cloned();
        let waiting = if candidate.signed {
            pick(&slate.on_unlock)
        } else {
            pick(&slate.waiting)
        };
        let endorses = slate
            .endorsements
            .iter()
            .filter(|e| e.from == cslug)
            .map(|e| e.to.clone())
            .collect();
        let endorsed_by = slate
            .endorsements
            .iter()
            .filter(|e| e.to == cslug)
            .map(|e| e.from.clone())
            .collect();
        let (bio, photo_url) = profile.map_or((String::new(), None), |p| (p.bio, p.photo_url));
        Ok(CandidatePageView {
            slate,
            candidate,
            bio,
            photo_url,
            signed_hash,
            endorses,
            endorsed_by,
            history,
            scorecard,
            waiting,
            lost_primary,
            signature_log,
        })
    }

    /// The candidate's profile as the form edits it; only their own campaign
    /// or the slate's organizers may.
    pub async fn candidate_profile_to_edit(
        &self,
        actor: &Actor,
        slug: &str,
        cslug: &str,
    ) -> Result<(String, String, Option<String>)> {
        let mut tx = self.store.read().await?;
        let (name, id) = may_edit(tx.as_mut(), actor, slug, cslug).await?;
        let p = tx.candidate_profile(id).await?;
        Ok(match p {
            Some(p) => (name, p.bio, p.photo_url),
            None => (name, String::new(), None),
        })
    }

    /// Write a candidate's bio and photo; only their own campaign or the
    /// slate's organizers may. Nothing is written when a field is refused.
    pub async fn set_candidate_profile(
        &self,
        actor: &Actor,
        slug: &str,
        cslug: &str,
        bio: &str,
        photo_url: &str,
    ) -> Result<()> {
        let bio = bio.trim().replace("\r\n", "\n");
        if bio.chars().count() > BIO_MAX {
            return Err(EngineError::invalid(
                "bio",
                format!("must be at most {BIO_MAX} characters"),
            ));
        }
        let photo_url = parse_photo_url(photo_url)?;
        let mut tx = self.store.write().await?;
        let (_, id) = may_edit(tx.as_mut(), actor, slug, cslug).await?;
        tx.set_candidate_profile(&CandidateProfileRow {
            candidate_id: id,
            bio,
            photo_url,
            updated_at: self.now(),
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn may_edit(tx: &mut dyn Tx, actor: &Actor, slug: &str, cslug: &str) -> Result<(String, Id)> {
    let slate = find_slate(tx, slug).await?;
    let c = tx
        .candidates(slate.id)
        .await?
        .into_iter()
        .find(|c| c.slug.as_str() == cslug)
        .ok_or_else(|| EngineError::not_found("candidate", cslug))?;
    if !actor.organizes(slate.id) {
        actor.require_candidate(slate.id, c.id, cslug)?;
    }
    Ok((c.name, c.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photos_are_https_addresses_without_quotes() {
        assert_eq!(parse_photo_url("  ").unwrap(), None);
        assert_eq!(
            parse_photo_url("https://example.org/a.jpg").unwrap(),
            Some("https://example.org/a.jpg".into())
        );
        for bad in [
            "http://example.org/a.jpg",
            "https://",
            "https://x.org/a\".jpg",
            "javascript:alert(1)",
        ] {
            assert!(parse_photo_url(bad).is_err(), "{bad}");
        }
    }
}
