//! "Only while the bloc holds" (issue 15): a monthly pledge whose condition
//! reads the scorecard (`kept(..)`, `kept_all`) has no month split while the
//! condition fails. Each time that starts (a pause) and ends (a resume) is
//! recorded with its reason, emailed to the pledger and shown on their
//! receipt. Called from the monthly step of `tick`, in its transaction.

use chrono::{DateTime, Utc};
use cohort_store::{Id, SlateRow, Tx};

use crate::{Engine, EngineError, Result};

impl Engine {
    /// Record that monthly pledge `pledge_id`'s condition `holds` (or not)
    /// on a month that is due; a change from the last verdict is a pause or
    /// a resume, emailed once. `breach` names who is in breach.
    pub(crate) async fn note_bloc_hold(
        &self,
        tx: &mut dyn Tx,
        slate: &SlateRow,
        pledge_id: Id,
        holds: bool,
        breach: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let changed = if holds {
            tx.end_pause(pledge_id, at).await?
        } else {
            let reason = format!("{breach} broken a measured commitment of the compact.");
            tx.start_pause(pledge_id, &reason, at).await?
        };
        if !changed {
            return Ok(());
        }
        let row = tx
            .pledge(pledge_id)
            .await?
            .ok_or_else(|| EngineError::not_found("pledge", pledge_id.to_string()))?;
        let link = format!(
            "{}/pledges/{}?token={}",
            self.public_url(),
            row.id,
            self.receipt_link_token(&row)
        );
        let (subject, body) = if holds {
            (
                format!("Your monthly pledge to {} has resumed", slate.name),
                format!(
                    "Your monthly pledge #{id} to \"{name}\" gives again: its condition, {cond}, holds once more, \
                     so this month is split among the candidates.\n\nYour pledge's private page: {link}\n",
                    id = row.id,
                    name = slate.name,
                    cond = row.condition.to_english(),
                ),
            )
        } else {
            (
                format!("Your monthly pledge to {} is paused", slate.name),
                format!(
                    "Your monthly pledge #{id} to \"{name}\" is paused: it gives only while {cond}, and {breach} \
                     broken a measured commitment of the compact.\n\nNo month is split or charged while it is \
                     paused; it resumes by itself, and we will tell you, when the condition holds again.\n\n\
                     The scorecard: {base}/slates/{slug}/scorecard\nYour pledge's private page: {link}\n",
                    id = row.id,
                    name = slate.name,
                    cond = row.condition.to_english(),
                    base = self.public_url(),
                    slug = slate.slug,
                ),
            )
        };
        self.queue_email(tx, row.email.clone(), &subject, body, true, at)
            .await?;
        Ok(())
    }
}

/// "Ada Reyes has" / "Ada Reyes and Ben Okafor have", for a pause's reason.
pub(crate) fn breach_text(names: &[String]) -> String {
    match names {
        [] => "a signer has".to_owned(),
        [one] => format!("{one} has"),
        [rest @ .., last] => format!("{} and {last} have", rest.join(", ")),
    }
}
