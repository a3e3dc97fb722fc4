//! "Only while the bloc holds" (issue 15): a monthly pledge whose condition
//! reads the scorecard (`kept(..)`, `kept_all`) has no month split while the
//! condition fails. Each time that starts (a pause) and ends (a resume) is
//! recorded with its reason, emailed to the pledger and shown on their
//! receipt. Called from the monthly step of `tick`, in its transaction.

use chrono::{DateTime, NaiveDate, Utc};
use cohort_core::model::months_between;
use cohort_store::{Id, SlateRow, Tx};

use crate::{Engine, EngineError, Result};

/// The month of a monthly pledge unlocked on `unlocked_on` that is due on
/// `today` (counted from 0, the unlock's own month), when it is later than
/// the last one split: months skipped while paused are not made up, the
/// month a pledge resumes in is.
pub(crate) fn due_period(
    unlocked_on: NaiveDate,
    last_period: i32,
    today: NaiveDate,
) -> Option<i32> {
    let period = months_between(unlocked_on, today);
    (period > last_period).then_some(period)
}

/// What the monthly step does with a due month.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct MonthStep {
    /// The month split now, if any: never while the condition fails.
    pub split: Option<i32>,
    /// For a condition that reads the scorecard: whether it holds, for
    /// [`Engine::note_bloc_hold`] (a change is a pause or a resume).
    pub note: Option<bool>,
}

/// The monthly step's decision for `period`, due, whose pledge's condition
/// `holds` (and reads the scorecard, `kept`/`kept_all`, when `scorecard`).
pub(crate) fn month_step(period: i32, holds: bool, scorecard: bool) -> MonthStep {
    MonthStep {
        split: holds.then_some(period),
        note: scorecard.then_some(holds),
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use cohort_core::facts::Snapshot;
    use cohort_core::Condition;
    use proptest::prelude::*;

    proptest! {
        /// "Only while the bloc holds": a monthly pledge on `kept_all`,
        /// stepped on any days over two years while signers fall into and
        /// out of breach. No month is split on a day the condition fails;
        /// pauses and resumes alternate, each noted once (as the store's
        /// `start_pause`/`end_pause` answer); a month is split at most once,
        /// in order; and every month with a stepped day on which the bloc
        /// holds is split — the month it resumes in included.
        #[test]
        fn no_month_is_split_while_paused_and_months_resume_after(
            unlocked in 0u32..60,
            // (day offset, breached?) changes of the bloc, in any order
            flips in proptest::collection::vec((0u32..760, any::<bool>()), 0..12),
            steps in proptest::collection::btree_set(0u32..760, 1..120),
        ) {
            let kept_all = Condition::parse("kept_all").expect("parses");
            let first: NaiveDate = "2026-01-01".parse().expect("date");
            let unlocked_on = first + chrono::Duration::days(i64::from(unlocked));
            let mut flips = flips;
            flips.sort_by_key(|f| f.0);
            let breached_on = |d: u32| {
                flips.iter().rev().find(|f| f.0 <= d).is_some_and(|f| f.1)
            };
            let mut last_period = 0; // the unlock splits month 0
            let mut paused = false;
            let mut split: Vec<i32> = Vec::new();
            // month → whether some stepped day in it had the bloc holding
            let mut holding_months = std::collections::BTreeSet::new();
            for &d in steps.iter().filter(|&&d| d >= unlocked) {
                let today = first + chrono::Duration::days(i64::from(d));
                let mut facts = Snapshot::new(today);
                if breached_on(d) {
                    facts.broken.insert("ada-reyes".to_owned());
                }
                let holds = kept_all.eval(&facts);
                prop_assert_eq!(holds, !breached_on(d));
                let Some(period) = due_period(unlocked_on, last_period, today) else {
                    continue;
                };
                if holds {
                    holding_months.insert(period);
                }
                let step = month_step(period, holds, kept_all.reads().kept);
                let note = step.note.expect("kept_all reads the scorecard");
                prop_assert_eq!(note, holds);
                // the store opens a pause only when none is open, ends only an open one
                let was_paused = paused;
                paused = !note;
                if was_paused && note {
                    prop_assert_eq!(step.split, Some(period), "a resume splits its own month");
                }
                match step.split {
                    Some(p) => {
                        prop_assert!(holds, "split on day {} while in breach", d);
                        prop_assert!(!paused);
                        prop_assert!(p > last_period, "month {} split twice", p);
                        split.push(p);
                        last_period = p;
                    }
                    None => prop_assert!(!holds && paused),
                }
            }
            let expected: Vec<i32> = holding_months.into_iter().collect();
            prop_assert_eq!(split, expected, "every month the bloc held on a stepped day, once");
        }
    }

    #[test]
    fn a_due_month_is_one_after_the_last_split_and_never_made_up() {
        let d = |s: &str| s.parse::<NaiveDate>().expect("date");
        assert_eq!(due_period(d("2026-01-31"), 0, d("2026-02-27")), None);
        assert_eq!(due_period(d("2026-01-15"), 0, d("2026-02-15")), Some(1));
        assert_eq!(due_period(d("2026-01-15"), 1, d("2026-03-01")), None);
        // paused through months 2 and 3: the step in month 4 splits month 4 only
        assert_eq!(due_period(d("2026-01-15"), 1, d("2026-05-20")), Some(4));
        assert_eq!(
            month_step(4, false, true),
            MonthStep {
                split: None,
                note: Some(false)
            }
        );
        assert_eq!(
            month_step(4, true, false),
            MonthStep {
                split: Some(4),
                note: None
            }
        );
    }
}
