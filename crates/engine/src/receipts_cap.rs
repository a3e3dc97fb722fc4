//! Unrequested email (issue 14, finding 3). Anyone can pledge naming any
//! address, so the receipt of a pledge nobody signed in for is queued
//! *held*. Before each delivery round the engine releases held email under
//! one rule per address, counted in the database (so servers sharing it
//! agree, one address at a time under its `mail_caps` row):
//!
//! - at most [`PER_HOUR`] held emails (or summaries) go out in any hour;
//! - when everything held fits in what the hour still allows, each goes out
//!   as it is; otherwise all of it folds into **one** summary, which still
//!   tells every receipt (a real donor with several pledges gets them all).
//!
//! The rule is [`plan`], pure and property-tested.

use chrono::Duration;

use crate::{Engine, Result};

/// Held emails to one address released in any hour, at most.
pub const PER_HOUR: usize = 3;

/// What to do with an address's held emails now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plan {
    /// Nothing held, or the hour's allowance is spent.
    Wait,
    /// Release each held email as it is.
    ReleaseEach,
    /// Fold every held email into one summary and release that.
    FoldAll,
}

/// The folding rule: `held` emails waiting, `released` already let out to
/// the address in the last hour.
pub fn plan(held: usize, released: usize) -> Plan {
    let allowance = PER_HOUR.saturating_sub(released);
    if held == 0 || allowance == 0 {
        Plan::Wait
    } else if held <= allowance {
        Plan::ReleaseEach
    } else {
        Plan::FoldAll
    }
}

impl Engine {
    /// Release held email as [`plan`] allows, one address per transaction;
    /// answers how many emails were let out (a summary counts once).
    pub async fn release_held_email(&self) -> Result<usize> {
        let at = self.now();
        let addresses = {
            let mut tx = self.store.read().await?;
            tx.held_addresses(1_000).await?
        };
        let mut released = 0;
        'address: for to in addresses {
            let mut tx = self.store.write().await?;
            tx.lock_mail_cap(&to, at).await?;
            let held = tx.held_emails(&to).await?;
            let recent = tx.released_since(&to, at - Duration::hours(1)).await?;
            let ids: Vec<_> = held.iter().map(|h| h.id).collect();
            match plan(held.len(), usize::try_from(recent).unwrap_or(usize::MAX)) {
                Plan::Wait => continue,
                Plan::ReleaseEach => {
                    tx.release_emails(&ids, at).await?;
                    released += ids.len();
                }
                Plan::FoldAll => {
                    let mut body = format!(
                        "Hello,\n\nCohort received {} pledges naming this address within an hour. \
                         So that nobody can flood an inbox through Cohort, their receipts come together here.\n\
                         If you did not make them, ignore this email: nothing is charged unless the candidates \
                         commit, and you can cancel each pledge at its link.\n",
                        held.len()
                    );
                    for h in &held {
                        match self.keys.open(&h.body) {
                            Ok(text) => {
                                body.push_str(&format!("\n======== {}\n\n{text}", h.subject));
                            }
                            Err(e) => {
                                tracing::warn!(to = %to, "held email left for a server with its key: {e}");
                                continue 'address;
                            }
                        }
                    }
                    let (email, hash) = self.compose(
                        to.clone(),
                        &format!("Your {} Cohort receipts", held.len()),
                        body,
                        true,
                    );
                    let summary = tx.enqueue_released(&email, &hash, at).await?;
                    tx.fold_emails(&ids, summary).await?;
                    released += 1;
                }
            }
            tx.commit().await?;
        }
        Ok(released)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_rule_at_its_edges() {
        assert_eq!(plan(0, 0), Plan::Wait);
        assert_eq!(plan(5, 3), Plan::Wait);
        assert_eq!(plan(3, 0), Plan::ReleaseEach);
        assert_eq!(plan(1, 2), Plan::ReleaseEach);
        assert_eq!(plan(2, 2), Plan::FoldAll);
        assert_eq!(plan(25, 0), Plan::FoldAll);
    }

    proptest! {
        /// Arrivals and delivery rounds at arbitrary minutes: no hour ever
        /// sees more than PER_HOUR emails, every held receipt is told exactly
        /// once, and nothing waits once an hour has passed without arrivals.
        #[test]
        fn no_hour_sees_more_than_three_and_every_receipt_is_told_once(
            steps in proptest::collection::vec((0u32..90, 0usize..6), 1..60)
        ) {
            let mut now = 0u32; // minutes
            let mut held: Vec<usize> = Vec::new(); // receipt numbers waiting
            let mut next = 0usize;
            let mut sent: Vec<(u32, Vec<usize>)> = Vec::new(); // (minute, receipts told)
            let round = |now: u32, held: &mut Vec<usize>, sent: &mut Vec<(u32, Vec<usize>)>| {
                let recent = sent.iter().filter(|(t, _)| *t + 60 > now).count();
                match plan(held.len(), recent) {
                    Plan::Wait => {}
                    Plan::ReleaseEach => sent.extend(held.drain(..).map(|r| (now, vec![r]))),
                    Plan::FoldAll => sent.push((now, std::mem::take(held))),
                }
            };
            for (gap, arrivals) in steps {
                now += gap;
                held.extend(next..next + arrivals);
                next += arrivals;
                round(now, &mut held, &mut sent);
            }
            round(now + 60, &mut held, &mut sent);
            prop_assert!(held.is_empty(), "left waiting: {held:?}");
            for (t, _) in &sent {
                let in_hour = sent.iter().filter(|(u, _)| *u >= *t && *u < *t + 60).count();
                prop_assert!(in_hour <= PER_HOUR, "{in_hour} emails in the hour from minute {t}");
            }
            let mut told: Vec<usize> = sent.into_iter().flat_map(|(_, r)| r).collect();
            told.sort_unstable();
            prop_assert_eq!(told, (0..next).collect::<Vec<_>>());
        }
    }
}
