//! A supporter stops a monthly pledge (`unlocked → stopped`).
//!
//! Money already given is given: the installments split before the stop keep
//! their allocations (and are collected as usual if a charge is still open),
//! so the donor's limits and the candidates' totals don't move. What stops is
//! the future: [`UnlockTx::monthly_pledges`] no longer lists the pledge, so
//! `tick` splits no new month and the collector has nothing new to charge, and
//! the pledge leaves the pot's live figures like any pledge that stopped being
//! live.
//!
//! [`UnlockTx::monthly_pledges`]: cohort_store::UnlockTx::monthly_pledges

use chrono::{DateTime, Utc};
use cohort_core::Cents;
use cohort_core::SlateEventKind;
use cohort_store::{PledgeRow, SlateRow, Tx};

use crate::settle::pot_changed;
use crate::{Engine, Result};

impl Engine {
    /// Stop `row` (an unlocked or already stopped monthly pledge) in the
    /// caller's transaction, which holds the slate's lock: the pot, the
    /// public log and the supporter's confirmation email. A pledge already
    /// stopped writes nothing.
    pub(crate) async fn stop_monthly(
        &self,
        tx: &mut dyn Tx,
        slate: &SlateRow,
        row: &PledgeRow,
        at: DateTime<Utc>,
    ) -> Result<()> {
        if !tx.stop_monthly(row.id, at).await? {
            return Ok(());
        }
        let amount = row.kind.money();
        // The log is public: the pledge, never its amount.
        let payload = serde_json::json!({ "pledge": row.id });
        tx.append_event(
            slate.id,
            SlateEventKind::PledgeStopped,
            &payload.to_string(),
            at,
        )
        .await?;
        self.leave_pot_unlocked(tx, slate.id, row, amount, at)
            .await?;
        // Conditions reading the pot (`pledged`, `pledgers`) may read differently now.
        self.settle(tx, slate, pot_changed(), &[], at).await?;
        let installments = tx.installments(row.id).await?;
        let given: i64 = installments
            .iter()
            .map(|i| i.amount.get() - i.unallocated.get())
            .sum();
        let months = installments.len();
        let open = if self.collects_payments() {
            " A payment still open for those months is collected as usual."
        } else {
            ""
        };
        let body = format!(
            "You stopped your monthly pledge #{id} of {amount} a month to \"{name}\".\n\n\
             No new month will be split or charged. The {months} month{s} already split ({given} \
             allocated to the candidates) stay with them: money already given is given.{open}\n\n\
             Your pledge's private page: {base}/pledges/{id}?token={token}\n\
             You can pledge again at {base}/slates/{slug}/pledge\n",
            id = row.id,
            name = slate.name,
            s = if months == 1 { "" } else { "s" },
            given = Cents(given),
            base = self.public_url(),
            token = self.receipt_link_token(row),
            slug = slate.slug,
        );
        let subject = format!("Your monthly pledge to {} is stopped", slate.name);
        self.queue_email(tx, row.email.clone(), &subject, body, true, at)
            .await?;
        Ok(())
    }
}
