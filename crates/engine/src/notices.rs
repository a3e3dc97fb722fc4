//! Telling supporters what became of their pledges. The unlock itself stays
//! one fast transaction that writes no email; afterwards [`Engine::send_notices`]
//! reads each slate's event log from where it last stopped and queues, for
//! every `unlock` event, one email per person (per address) covering all of
//! their pledges that unlocked, saying exactly where the money or time went.
//! Expiry notices are queued by `tick` with the expiry itself.

use chrono::{DateTime, Utc};
use cohort_core::model::PledgeKind;
use cohort_core::Cents;
use cohort_core::SlateEventKind;
use cohort_store::{CandidateRow, PledgeRow, SlateRow, Tx};

use crate::{Engine, Result};

/// Events read per transaction.
const EVENTS_PER_ROUND: i64 = 200;

impl Engine {
    /// Queue unlock notices for unlock events not yet told; returns how many
    /// emails were queued. Safe to run repeatedly and concurrently with
    /// anything: each event is handled once, in its own transaction.
    pub async fn send_notices(&self) -> Result<usize> {
        let slates = {
            let mut tx = self.store.read().await?;
            tx.slates().await?
        };
        let mut queued = 0;
        for slate in slates {
            // Read the log a page at a time, each page in its own transaction.
            loop {
                let mut tx = self.store.write().await?;
                let (seq, mut last_unlock) = tx.notice_cursor(slate.id).await?;
                let events = tx.events(slate.id, seq, EVENTS_PER_ROUND).await?;
                let Some(last) = events.last().map(|e| e.seq) else {
                    break;
                };
                let candidates = tx.candidates(slate.id).await?;
                for e in events.iter().filter(|e| e.kind == SlateEventKind::Unlock) {
                    if last_unlock == Some(e.at) {
                        continue; // its pledges were told with the earlier event at this moment
                    }
                    let pledges = tx.pledges_unlocked_at(slate.id, e.at).await?;
                    let people = by_person(pledges, |p| p.email.as_str());
                    let mut emails = Vec::with_capacity(people.len());
                    for mine in &people {
                        emails.push(
                            self.unlock_notice(tx.as_mut(), &slate, &candidates, mine, e.at)
                                .await?,
                        );
                    }
                    tx.enqueue_emails(&emails, self.now()).await?;
                    queued += emails.len();
                    last_unlock = Some(e.at);
                }
                tx.set_notice_cursor(slate.id, last, last_unlock).await?;
                tx.commit().await?;
            }
        }
        Ok(queued)
    }

    /// One email telling a person every pledge of theirs in one unlock.
    async fn unlock_notice(
        &self,
        tx: &mut dyn Tx,
        slate: &SlateRow,
        candidates: &[CandidateRow],
        mine: &[PledgeRow],
        at: DateTime<Utc>,
    ) -> Result<(cohort_store::NewEmail, String)> {
        let first = &mine[0];
        let mut body = format!(
            "Hello {who},\n\nThe candidates of \"{slate}\" did it.\n",
            who = first.donor.name,
            slate = slate.name,
        );
        for p in mine {
            body.push_str(&format!(
                "\nYour pledge #{id} of {what} unlocked on {day}: {condition}.\n{became}\
                 See it any time at your private link:\n{base}/pledges/{id}?token={token}\n",
                id = p.id,
                what = p.kind.describe(),
                day = at.date_naive(),
                condition = p.condition.to_english(),
                became = self.became(tx, candidates, p).await?,
                base = self.public_url(),
                token = self.receipt_link_token(p),
            ));
        }
        let subject = match mine.len() {
            1 => format!("Your pledge to {} unlocked", slate.name),
            n => format!("Your {n} pledges to {} unlocked", slate.name),
        };
        Ok(self.compose(first.email.clone(), &subject, body, true))
    }

    /// What an unlocked pledge became, in lines for an email.
    pub(crate) async fn became(
        &self,
        tx: &mut dyn Tx,
        candidates: &[CandidateRow],
        p: &PledgeRow,
    ) -> Result<String> {
        let name = |id| {
            candidates
                .iter()
                .find(|c| c.id == id)
                .map_or_else(|| format!("candidate #{id}"), |c| c.name.clone())
        };
        Ok(match &p.kind {
            PledgeKind::Money { .. } => {
                let mut lines = Vec::new();
                let mut unallocated = Cents::ZERO;
                for i in tx.installments(p.id).await? {
                    unallocated += i.unallocated;
                    for a in &i.allocations {
                        lines.push(format!(
                            "  {} to {} ({} election)",
                            a.cents,
                            name(a.candidate_id),
                            a.election.as_str()
                        ));
                    }
                }
                let mut text = format!("It became:\n{}\n", lines.join("\n"));
                if unallocated > Cents::ZERO {
                    text.push_str(&format!(
                        "{unallocated} could not be given within contribution limits and will not be charged.\n"
                    ));
                }
                text
            }
            PledgeKind::Hours { .. }
                if !crate::volunteer_invite::has_volunteer_profile(tx, &p.email).await? =>
            {
                crate::volunteer_invite::reminder(self.public_url())
            }
            _ => "The campaigns will be in touch to put your time to work.\n".to_owned(),
        })
    }
}

/// Items grouped by address (`key`), in the order each address first
/// appears, each group in its original order.
fn by_person<T>(items: Vec<T>, key: impl Fn(&T) -> &str) -> Vec<Vec<T>> {
    let mut index: std::collections::HashMap<String, usize> = Default::default();
    let mut people: Vec<Vec<T>> = Vec::new();
    for item in items {
        match index.get(key(&item)) {
            Some(&i) => people[i].push(item),
            None => {
                index.insert(key(&item).to_owned(), people.len());
                people.push(vec![item]);
            }
        }
    }
    people
}

#[cfg(test)]
mod tests {
    use super::by_person;
    use proptest::prelude::*;

    proptest! {
        /// One group per address, every item in exactly one group, in order.
        #[test]
        fn one_group_per_address_holding_each_pledge_once(
            pledges in proptest::collection::vec(0u8..6, 0..60)
        ) {
            let items: Vec<(String, usize)> = pledges
                .iter()
                .enumerate()
                .map(|(n, who)| (format!("p{who}@example.org"), n))
                .collect();
            let groups = by_person(items.clone(), |(email, _)| email.as_str());
            let mut seen = std::collections::HashSet::new();
            for g in &groups {
                prop_assert!(!g.is_empty());
                prop_assert!(g.iter().all(|(e, _)| *e == g[0].0), "one address per group");
                prop_assert!(seen.insert(g[0].0.clone()), "one group per address");
                prop_assert!(g.windows(2).all(|w| w[0].1 < w[1].1), "kept in order");
            }
            let mut all: Vec<usize> = groups.iter().flatten().map(|(_, n)| *n).collect();
            all.sort_unstable();
            prop_assert_eq!(all, (0..items.len()).collect::<Vec<_>>());
            let firsts: Vec<usize> = groups.iter().map(|g| g[0].1).collect();
            prop_assert!(firsts.windows(2).all(|w| w[0] < w[1]), "groups in order of first appearance");
        }
    }
}
