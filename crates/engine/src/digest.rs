//! One digest a week instead of a flood (issue 15).
//!
//! Supporters on the weekly setting (the default, and everyone who pledged
//! without an account) get **one** email a week covering all their slates:
//! what unlocked and what their money and hours became, upcoming joint events
//! near them, scorecard changes, new compact versions, and every update that
//! waited for it (`queue_email` keeps an update for the digest instead of
//! sending or dropping it). Transactional mail — receipts, unlock notices,
//! payment problems, sign-in links — is never held for it.
//!
//! [`Engine::send_digests`] runs as the `digest` background job under its
//! lease (`cohort serve`), on an engine fenced by it, so two servers never
//! both write one; and each digest is claimed by a unique (address, week)
//! row in the same transaction that queues it, so even two writers racing
//! outside the lease write it once. The week is the ISO week (Monday, UTC).
//!
//! "Near" is deliberately simple: an event is near a supporter when its ZIP
//! shares the first three digits with the ZIP on their newest pledge (the
//! USPS sectional center, roughly a metro area or a few counties), when it
//! can be joined online, or when they gave no ZIP at all.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use cohort_core::joint_event::{local_text, parse_timezone, EventStatus};
use cohort_core::model::PledgeStatus;
use cohort_core::Email;
use cohort_store::{Id, JointEventRow, NewEmail, OutboxParts, PledgeRow, SlateRow, Tx};

use crate::digest_render::{self as render, Digest, EventNews, SlateNews, Unlocked, Update};
use crate::sealing::Keyring;
use crate::secrets::token_hash;
use crate::{Engine, EngineError, Result};

/// The digest's subject line.
pub const SUBJECT: &str = "Your week on Cohort";

/// How far ahead the digest looks for joint events.
pub const EVENTS_AHEAD: Duration = Duration::days(21);

/// Addresses read per query.
const ADDRESSES_PER_ROUND: i64 = 200;

/// The Monday (UTC) of the week `at` falls in: the digest's key.
pub fn week_of(at: DateTime<Utc>) -> NaiveDate {
    let day = at.date_naive();
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// Whether `event` is near a supporter whose ZIP is `zip` (see the module
/// documentation): same three-digit ZIP prefix, online, or no ZIP given.
pub fn near(zip: Option<&str>, event: &JointEventRow) -> bool {
    if event.online_url.is_some() {
        return true;
    }
    let Some(zip) = zip.and_then(zip_prefix) else {
        return true;
    };
    event
        .location
        .as_ref()
        .and_then(|l| zip_prefix(&l.zip))
        .is_some_and(|p| p == zip)
}

fn zip_prefix(zip: &str) -> Option<&str> {
    let zip = zip.trim();
    (zip.len() >= 3 && zip.as_bytes()[..3].iter().all(u8::is_ascii_digit)).then(|| &zip[..3])
}

impl Engine {
    /// Write this week's digest for everyone due one; answers how many were
    /// queued. Safe to run as often as wanted and from many servers: an
    /// address gets at most one digest per week, and one with nothing to
    /// tell gets none (its week is still claimed, so it is not re-read).
    pub async fn send_digests(&self) -> Result<usize> {
        let at = self.now();
        let week = week_of(at);
        let mut queued = 0;
        let mut skipped: Vec<Email> = Vec::new();
        loop {
            let addresses = {
                let mut tx = self.store.read().await?;
                tx.digest_addresses(week, ADDRESSES_PER_ROUND + skipped.len() as i64)
                    .await?
            };
            let todo: Vec<Email> = addresses
                .into_iter()
                .filter(|a| !skipped.contains(a))
                .collect();
            if todo.is_empty() {
                return Ok(queued);
            }
            for to in todo {
                match self.digest_for(&to, week, at).await {
                    Ok(sent) => queued += usize::from(sent),
                    Err(EngineError::Invalid { .. }) => skipped.push(to),
                    Err(e) => return Err(e),
                }
            }
        }
    }

    /// One address's digest for `week`, in one transaction; whether one was queued.
    async fn digest_for(&self, to: &Email, week: NaiveDate, at: DateTime<Utc>) -> Result<bool> {
        let mut tx = self.store.write().await?;
        let previous = tx.last_digest(to).await?;
        let Some(id) = tx.claim_digest(to, week, at).await? else {
            return Ok(false); // another round or server wrote it
        };
        let since = previous.map_or(at - Duration::days(7), |d| d.created_at);
        let (digest, items) = self.gather(tx.as_mut(), to, since, at).await?;
        if digest.is_empty() {
            tx.commit().await?;
            return Ok(false);
        }
        let token = self.keys.unsubscribe_token(id, to.as_str());
        let base = self.public_url();
        let one_click = format!("{base}/unsubscribe/one-click/{token}");
        let settings = format!("{base}/me");
        let email = NewEmail {
            to: to.clone(),
            subject: SUBJECT.to_owned(),
            body: self
                .keys
                .seal(&render::text(&digest, &one_click, &settings)),
            transactional: false,
            held: false,
            attachment: None,
        };
        let parts = OutboxParts {
            html: self
                .keys
                .seal(&render::html(&digest, &one_click, &settings)),
            list_unsubscribe: one_click,
        };
        // The token's hash also opens the ordinary /unsubscribe/{token} page.
        let outbox = tx
            .enqueue_with_parts(&email, &token_hash(&token), &parts, at)
            .await?;
        tx.finish_digest(id, outbox, &items).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// What `to`'s digest tells about the time since `since`, and the ids of
    /// the waiting updates it includes.
    async fn gather(
        &self,
        tx: &mut dyn Tx,
        to: &Email,
        since: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<(Digest, Vec<Id>)> {
        let mut digest = Digest::default();
        let mut items = Vec::new();
        for item in tx.waiting_digest_items(to).await? {
            let body = self.keys.open(&item.body).map_err(|e| {
                tracing::warn!(to = %to, "digest left for a server that has its key: {e}");
                EngineError::invalid("digest", e.to_string())
            })?;
            digest.updates.push(Update {
                subject: item.subject,
                body,
            });
            items.push(item.id);
        }
        let pledges: Vec<PledgeRow> = tx
            .pledges_by_email(to)
            .await?
            .into_iter()
            .filter(|p| p.status != PledgeStatus::Cancelled)
            .collect();
        digest.name = pledges
            .first()
            .map(|p| p.donor.name.clone())
            .unwrap_or_default();
        let zip = pledges
            .iter()
            .map(|p| p.donor.zip.trim())
            .find(|z| zip_prefix(z).is_some());
        digest.near = match zip.and_then(zip_prefix) {
            Some(p) => format!("in ZIP codes starting {p}, like yours, and online"),
            None => "everywhere, since you gave no ZIP code".to_owned(),
        };
        let mut slate_ids: Vec<Id> = Vec::new();
        for p in &pledges {
            if !slate_ids.contains(&p.slate_id) {
                slate_ids.push(p.slate_id);
            }
        }
        for slate_id in slate_ids {
            let Some(slate) = tx.slate(slate_id).await? else {
                continue;
            };
            let mine: Vec<&PledgeRow> = pledges.iter().filter(|p| p.slate_id == slate_id).collect();
            let news = self.slate_news(tx, &slate, &mine, zip, since, at).await?;
            if !news.is_empty() {
                digest.slates.push(news);
            }
        }
        Ok((digest, items))
    }

    async fn slate_news(
        &self,
        tx: &mut dyn Tx,
        slate: &SlateRow,
        mine: &[&PledgeRow],
        zip: Option<&str>,
        since: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<SlateNews> {
        let base = self.public_url();
        let mut news = SlateNews {
            name: slate.name.clone(),
            url: format!("{base}/slates/{}", slate.slug),
            ..SlateNews::default()
        };
        let candidates = tx.candidates(slate.id).await?;
        let mut unlocked: Vec<&&PledgeRow> = mine
            .iter()
            .filter(|p| p.unlocked_at.is_some_and(|u| u > since && u <= at))
            .collect();
        unlocked.sort_by_key(|p| p.id);
        for p in unlocked {
            let became = self.became(tx, &candidates, p).await?;
            news.unlocked.push(Unlocked {
                headline: format!(
                    "Your pledge #{} of {} unlocked on {}.",
                    p.id,
                    p.kind.describe(),
                    p.unlocked_at.map(|u| u.date_naive()).unwrap_or_default()
                ),
                became: became
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && *l != "It became:")
                    .map(str::to_owned)
                    .collect(),
                link: format!(
                    "{base}/pledges/{}?token={}",
                    p.id,
                    self.receipt_link_token(p)
                ),
            });
        }
        let mut compact = tx.latest_compact(slate.id).await?;
        while let Some(c) = compact.filter(|c| c.created_at > since && c.created_at <= at) {
            news.compacts
                .push((c.version, c.created_at.date_naive().to_string()));
            compact = tx.compact_version(slate.id, c.version - 1).await?;
        }
        news.compacts.reverse();
        for e in tx.joint_events(slate.id).await? {
            if e.status == EventStatus::Confirmed
                && e.starts_at > at
                && e.starts_at <= at + EVENTS_AHEAD
                && near(zip, &e)
            {
                let when = match parse_timezone(&e.timezone) {
                    Ok(tz) => local_text(e.starts_at, tz),
                    Err(_) => e.starts_at.to_rfc2822(),
                };
                news.events.push(EventNews {
                    title: e.title.clone(),
                    kind: e.kind.label().to_owned(),
                    when,
                    place: match (&e.location, &e.online_url) {
                        (Some(l), Some(_)) => format!("{} and online", l.one_line()),
                        (Some(l), None) => l.one_line(),
                        (None, _) => "Online".to_owned(),
                    },
                    url: format!("{base}/joint-events/{}", e.id),
                });
            }
        }
        news.scorecard = self.scorecard_changes(tx, slate, since, at).await?;
        Ok(news)
    }

    /// One line per change of a signer's standing on a measured commitment
    /// of `slate` between `since` and `at` ("Ada Reyes: quarterly joint
    /// fundraiser is now kept"), told in the slate's digest section: the
    /// scorecard scored from the same facts as they stood at each moment.
    pub(crate) async fn scorecard_changes(
        &self,
        tx: &mut dyn Tx,
        slate: &SlateRow,
        since: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<Vec<String>> {
        crate::scorecard::changes_between(tx, slate, since, at).await
    }

    /// Follow a digest's one-click unsubscribe (RFC 8058): no session, no
    /// CSRF token; the token itself (an HMAC under a key outside the
    /// database, see [`Keyring::unsubscribe_token`]) is the authority.
    /// The address gets no more updates; receipts still come.
    pub async fn unsubscribe_one_click(&self, token: &str) -> Result<Email> {
        let not_found = || EngineError::not_found("unsubscribe link", "that link");
        let id = Keyring::unsubscribe_digest(token).ok_or_else(not_found)?;
        let at = self.now();
        let mut tx = self.store.write().await?;
        let digest = tx.digest(id).await?.ok_or_else(not_found)?;
        if !self.keys.unsubscribe_matches(id, digest.to.as_str(), token) {
            return Err(not_found());
        }
        let mut user = crate::accounts::account_for(tx.as_mut(), &digest.to, at).await?;
        user.email_prefs = cohort_store::EmailPrefs::None;
        tx.update_user(&user).await?;
        tx.commit().await?;
        Ok(digest.to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use cohort_core::joint_event::{EventKind, Location};

    fn event(zip: &str, online: bool) -> JointEventRow {
        let t = Utc.with_ymd_and_hms(2026, 12, 1, 18, 0, 0).unwrap();
        JointEventRow {
            id: 1,
            slate_id: 1,
            kind: EventKind::TownHall,
            title: "Town hall".into(),
            description: String::new(),
            starts_at: t,
            ends_at: t,
            timezone: "America/New_York".into(),
            location: (!zip.is_empty()).then(|| Location {
                zip: zip.into(),
                ..Location::default()
            }),
            online_url: online.then(|| "https://stream.example".into()),
            capacity: None,
            status: EventStatus::Confirmed,
            sequence: 0,
            attendance: None,
            proposed_by: "organizer".into(),
            created_at: t,
            updated_at: t,
            hosts: vec![],
        }
    }

    #[test]
    fn near_means_the_same_three_digit_zip_prefix_or_online() {
        assert!(near(Some("10027"), &event("10001", false)));
        assert!(!near(Some("10027"), &event("12207", false)));
        assert!(
            near(Some("10027"), &event("12207", true)),
            "online is near everyone"
        );
        assert!(near(Some("10027"), &event("", true)));
        assert!(
            !near(Some("10027"), &event("", false)),
            "no place, not online: not near"
        );
        assert!(
            near(None, &event("12207", false)),
            "no ZIP given: every event"
        );
        assert!(
            near(Some("n/a"), &event("12207", false)),
            "an unreadable ZIP counts as none"
        );
    }

    proptest::proptest! {
        /// Every moment's week key is the Monday at most six days before it.
        #[test]
        fn every_moment_falls_in_the_week_of_the_monday_before_it(secs in 0i64..4_000_000_000) {
            let at = Utc.timestamp_opt(secs, 0).single().expect("in range");
            let monday = week_of(at);
            proptest::prop_assert_eq!(monday.weekday(), chrono::Weekday::Mon);
            let back = (at.date_naive() - monday).num_days();
            proptest::prop_assert!((0..7).contains(&back), "{back} days back");
        }
    }

    #[test]
    fn the_week_starts_on_monday_utc() {
        let tue = Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap();
        assert_eq!(week_of(tue), NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        let mon = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap();
        assert_eq!(week_of(mon), NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        let sun = Utc.with_ymd_and_hms(2026, 11, 29, 23, 59, 59).unwrap();
        assert_eq!(week_of(sun), NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
    }
}
