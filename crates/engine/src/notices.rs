//! Telling supporters what became of their pledges. The unlock itself stays
//! one fast transaction that writes no email; afterwards [`Engine::send_notices`]
//! reads each slate's event log from where it last stopped and queues, for
//! every `unlock` event, one email per pledge saying exactly where the money
//! or time went. Expiry notices are queued by `tick` with the expiry itself.

use chrono::{DateTime, Utc};
use cohort_core::model::PledgeKind;
use cohort_core::Cents;
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
                for e in events.iter().filter(|e| e.kind == "unlock") {
                    if last_unlock == Some(e.at) {
                        continue; // its pledges were told with the earlier event at this moment
                    }
                    let pledges = tx.pledges_unlocked_at(slate.id, e.at).await?;
                    let mut emails = Vec::with_capacity(pledges.len());
                    for p in &pledges {
                        emails.push(
                            self.unlock_notice(tx.as_mut(), &slate, &candidates, p, e.at)
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

    async fn unlock_notice(
        &self,
        tx: &mut dyn Tx,
        slate: &SlateRow,
        candidates: &[CandidateRow],
        p: &PledgeRow,
        at: DateTime<Utc>,
    ) -> Result<(cohort_store::NewEmail, String)> {
        let name = |id| {
            candidates
                .iter()
                .find(|c| c.id == id)
                .map_or_else(|| format!("candidate #{id}"), |c| c.name.clone())
        };
        let became = match &p.kind {
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
            _ => "The campaigns will be in touch to put your time to work.\n".to_owned(),
        };
        let body = format!(
            "Hello {who},\n\nThe candidates of \"{slate}\" did it: {condition}. Your pledge #{id} of {what} unlocked on {day}.\n\n{became}\n\
             See it any time at your private link:\n{base}/pledges/{id}?token={token}\n",
            who = p.donor.name,
            slate = slate.name,
            condition = p.condition.to_english(),
            id = p.id,
            what = p.kind.describe(),
            day = at.date_naive(),
            base = self.public_url(),
            token = self.receipt_link_token(p),
        );
        Ok(self.compose(
            p.email.clone(),
            &format!("Your pledge to {} unlocked", slate.name),
            body,
            true,
        ))
    }
}
