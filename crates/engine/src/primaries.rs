//! A candidate who loses the primary (issue 6). Their committee may not keep
//! general-election contributions (11 CFR 102.9(e)(3)): each must be refunded,
//! or redesignated by the donor, within 60 days. An organizer records the
//! loss; from then on:
//!
//! - the candidate gets no new money (settle leaves them out of the payees);
//! - every donor whose general-election money went to the candidate through
//!   Cohort gets one email with a private link to choose: a refund, or a
//!   redesignation (to the primary, as far as the committee may accept it);
//! - a refund of money the conduit still holds is made at once, through the
//!   payment provider, and booked; money already forwarded is the committee's
//!   to refund or redesignate, and the operator downloads the donors' choices
//!   for each committee (`/books/general-choices.csv`).

use chrono::NaiveDate;
use cohort_books::ledger::{Ledger, ReceiptId};
use cohort_core::SlateEventKind;
use cohort_store::{GeneralChoiceRow, Id};
use serde::Serialize;

use crate::books::{committee_id, load_books, parse_receipt, RefundAsk};
use crate::commitments::find_candidate;
use crate::committees::committee_record;
use crate::slates::find_slate;
use crate::{Actor, Engine, EngineError, Result};

/// What recording a primary loss did.
#[derive(utoipa::ToSchema, Clone, Debug, Serialize)]
pub struct PrimaryLossView {
    pub candidate: String,
    pub lost_on: NaiveDate,
    /// General-election earmarks whose donors were asked to choose.
    pub asked: usize,
    pub general_cents: i64,
}

/// One general-election earmark a donor chooses for.
#[derive(utoipa::ToSchema, Clone, Debug, Serialize)]
pub struct GeneralChoiceView {
    pub receipt: String,
    pub committee: String,
    pub amount_cents: i64,
    /// `refund` or `redesignate` once chosen.
    pub choice: Option<String>,
    /// Whether the conduit still holds it (then a refund is made at once).
    pub held: bool,
}

/// One donor's choice, as the committee's treasurer reads it.
#[derive(Clone, Debug, Serialize)]
pub struct GeneralChoiceLine {
    pub receipt: String,
    pub donor_email: String,
    pub amount_cents: i64,
    pub choice: Option<String>,
    pub chosen_at: Option<chrono::DateTime<chrono::Utc>>,
    pub held: bool,
}

/// Whether the conduit still holds any of this earmark.
fn held(ledger: &Ledger, c: &GeneralChoiceRow) -> bool {
    let Ok(committee) = committee_id(&c.committee) else {
        return false;
    };
    let (clearing, payable) = ledger.held(&ReceiptId(c.receipt.clone()), &committee);
    (clearing + payable).get() > 0
}

impl Engine {
    /// Record that `candidate` lost the primary (an organizer of the slate),
    /// and ask each donor of their general-election money to choose.
    pub async fn primary_lost(
        &self,
        actor: &Actor,
        slate: &str,
        candidate: &str,
    ) -> Result<PrimaryLossView> {
        let at = self.now();
        let today = self.today();
        let mut tx = self.store.write().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        let c = find_candidate(tx.as_mut(), &s, candidate).await?;
        let Some(primary) = c.race.primary_date.filter(|d| *d <= today) else {
            return Err(EngineError::invalid(
                "candidate",
                match c.race.primary_date {
                    Some(d) => format!("{}'s primary on {d} has not happened yet", c.name),
                    None => format!("{}'s race has no primary", c.name),
                },
            ));
        };
        if !tx.record_primary_loss(s.id, c.id, today, at).await? {
            return Err(EngineError::conflict(
                "already_recorded",
                format!("{} is already recorded as having lost the primary", c.name),
            ));
        }
        let payload = serde_json::json!({ "candidate": candidate, "primary": primary });
        tx.append_event(s.id, SlateEventKind::PrimaryLost, &payload.to_string(), at)
            .await?;
        let committee = tx
            .committees(s.id)
            .await?
            .iter()
            .find(|r| r.candidate_id == c.id)
            .and_then(|r| committee_record(&c, r));
        let mut view = PrimaryLossView {
            candidate: candidate.to_owned(),
            lost_on: today,
            asked: 0,
            general_cents: 0,
        };
        if let Some(committee) = committee {
            let ledger = load_books(tx.as_mut()).await?;
            let mut asked_pledges: Vec<Id> = Vec::new();
            for e in ledger
                .earmarks()
                .filter(|e| e.committee == committee.id && e.election.as_str().starts_with('G'))
            {
                let Ok((pledge_id, _)) = parse_receipt(&e.receipt.0) else {
                    continue;
                };
                let row = GeneralChoiceRow {
                    receipt: e.receipt.to_string(),
                    committee: e.committee.to_string(),
                    pledge_id,
                    amount: e.amount,
                    choice: None,
                    asked_at: at,
                    chosen_at: None,
                };
                if tx.insert_general_choice(&row).await? {
                    view.asked += 1;
                    view.general_cents += e.amount.get();
                    if !asked_pledges.contains(&pledge_id) {
                        asked_pledges.push(pledge_id);
                    }
                }
            }
            for pledge_id in asked_pledges {
                let Some(p) = tx.pledge(pledge_id).await? else {
                    continue;
                };
                let body = format!(
                    "{name} did not win the primary on {primary}, so their campaign may not keep \
                     contributions made for the general election, including the one you made \
                     through Cohort (pledge #{id}).\n\n\
                     Please choose within 60 days, at your private link (keep it to yourself):\n\
                     {base}/pledges/{id}/general?token={token}\n\n\
                     - a refund of that contribution, or\n\
                     - a redesignation of it to the primary election, as far as the campaign \
                     may accept it (the law limits this to its primary debts).\n\n\
                     If you don't choose, the campaign must refund it.\n",
                    name = c.name,
                    id = p.id,
                    base = self.public_url(),
                    token = self.receipt_link_token(&p),
                );
                self.queue_email(
                    tx.as_mut(),
                    p.email.clone(),
                    &format!(
                        "{}'s general-election contribution: refund or redesignate",
                        c.name
                    ),
                    body,
                    true,
                    at,
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(view)
    }

    /// The general-election contributions of a pledge its donor is asked about.
    pub async fn general_choices(
        &self,
        pledge_id: Id,
        token: &str,
    ) -> Result<Vec<GeneralChoiceView>> {
        let mut tx = self.store.read().await?;
        let p = crate::pledges::owned_receipt(tx.as_mut(), &self.keys, pledge_id, token).await?;
        let ledger = load_books(tx.as_mut()).await?;
        Ok(tx
            .general_choices_of(p.id)
            .await?
            .iter()
            .map(|c| GeneralChoiceView {
                receipt: c.receipt.clone(),
                committee: c.committee.clone(),
                amount_cents: c.amount.get(),
                choice: c.choice.clone(),
                held: held(&ledger, c),
            })
            .collect())
    }

    /// The donor's choice for one general-election contribution. A refund of
    /// money the conduit still holds is made now; the choice is kept either way.
    pub async fn choose_general(
        &self,
        pledge_id: Id,
        token: &str,
        receipt: &str,
        choice: &str,
    ) -> Result<GeneralChoiceView> {
        if !matches!(choice, "refund" | "redesignate") {
            return Err(EngineError::invalid(
                "choice",
                format!("{choice:?} is not a choice: refund or redesignate"),
            ));
        }
        let (row, was_held) = {
            let mut tx = self.store.read().await?;
            let p =
                crate::pledges::owned_receipt(tx.as_mut(), &self.keys, pledge_id, token).await?;
            let row = tx
                .general_choices_of(p.id)
                .await?
                .into_iter()
                .find(|c| c.receipt == receipt)
                .ok_or_else(|| EngineError::not_found("general-election contribution", receipt))?;
            if let Some(made) = &row.choice {
                return Err(EngineError::conflict(
                    "already_chosen",
                    format!("you already chose {made} for this contribution"),
                ));
            }
            let ledger = load_books(tx.as_mut()).await?;
            let was_held = held(&ledger, &row);
            (row, was_held)
        };
        let mut refunded = false;
        if choice == "refund" && was_held {
            match self
                .refund_held(RefundAsk {
                    receipt: row.receipt.clone(),
                    committee: row.committee.clone(),
                    amount_cents: row.amount.get(),
                    reason: "rejected".into(),
                })
                .await
            {
                Ok(_) => refunded = true,
                // Forwarded in the meantime: the committee refunds it, from
                // the choice recorded below.
                Err(EngineError::Conflict {
                    code: "refund_refused",
                    ..
                }) => {}
                Err(e) => return Err(e),
            }
        }
        let mut tx = self.store.write().await?;
        tx.choose_general(&row.receipt, &row.committee, choice, self.now())
            .await?;
        tx.commit().await?;
        Ok(GeneralChoiceView {
            receipt: row.receipt,
            committee: row.committee,
            amount_cents: row.amount.get(),
            choice: Some(choice.to_owned()),
            held: was_held && !refunded,
        })
    }

    /// Every donor's choice for one committee's general-election money, for
    /// its treasurer (the conduit's operator downloads it).
    pub async fn general_choice_lines(
        &self,
        actor: &Actor,
        committee: &str,
    ) -> Result<Vec<GeneralChoiceLine>> {
        self.require_conduit_operator(actor)?;
        let id = committee_id(committee)?;
        let mut tx = self.store.read().await?;
        let ledger = load_books(tx.as_mut()).await?;
        let mut out = Vec::new();
        for c in tx.general_choices_for(id.as_str()).await? {
            let donor_email = tx
                .pledge(c.pledge_id)
                .await?
                .map(|p| p.email.as_str().to_owned())
                .unwrap_or_default();
            out.push(GeneralChoiceLine {
                held: held(&ledger, &c),
                receipt: c.receipt,
                donor_email,
                amount_cents: c.amount.get(),
                choice: c.choice,
                chosen_at: c.chosen_at,
            });
        }
        Ok(out)
    }
}
