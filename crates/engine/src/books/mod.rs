//! The conduit's books (issue 6): the engine keeps `cohort-books`' ledger in
//! the store, as its events, and answers the treasurer's questions from it.
//!
//! - **No earmark without a committee.** The collector charges an
//!   installment only once every candidate it pays has a federal committee
//!   on record ([`Engine::installment_earmarks`]): a conduit must know where
//!   money goes before it takes it.
//! - **Receipts.** When a charge succeeds, the same transaction that marks
//!   the payment books a receipt: the installment's allocations, each
//!   earmarked for its candidate's committee and election, then clears it
//!   (Stripe reports `succeeded` once the funds are captured). Its key
//!   (`receive:P12-0`) is unique, so a webhook and the collector reporting
//!   the same charge book it once.
//! - **Best efforts.** When what a donor has given a candidate passes $200 and
//!   their employer, occupation or address is missing, one email (once per
//!   donor and cycle) asks for them (11 CFR 104.7).
//! - **Forwarding.** An organizer of every slate (the conduit's operator)
//!   records a forwarding batch per committee: everything payable, oldest
//!   first, with a CSV that goes with the payment. Within 10 days of receipt.
//! - **Reports.** Per committee and period, ActBlue-style CSV; `.fec`
//!   filings for the conduit and for each recipient committee.
//! - **Verify.** `cohort verify` replays the books: balanced to the cent,
//!   nothing held past its forwarding deadline, and every succeeded payment
//!   booked at exactly its amount.
//!
//! Writers that read the ledger before appending (a forwarding batch) hold
//! the store's books lock, so two organizers can't forward the same money.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use cohort_books::check::{self as books_check, forward_by};
use cohort_books::ledger::{
    BatchId, EarmarkInput, EntryKind, Event, Ledger, ReceiptId, ReceiptInput, RefundInput,
    RefundReason,
};
use cohort_books::records::{
    Address, AddressInput, Committee, CommitteeId, Contributor, ContributorId, ElectionCode,
    PersonName,
};
use cohort_books::report::{actblue, fec, Directory, ReportPeriod};
use cohort_core::model::{Election, Race};
use cohort_core::{Cents, Email};
use cohort_store::{Donor, Id, PledgeRow, StoreError, Tx};
use serde::{Deserialize, Serialize};

use crate::committees::{committee_record, conduit_record};
use crate::payments::RefundRequest;
use crate::{Actor, CommitteeInput, Engine, EngineError, Result};

/// The settings key of the conduit's own committee record.
const CONDUIT: &str = "conduit";

/// Above this aggregate to one candidate the FEC needs a donor's employer,
/// occupation and address.
const BEST_EFFORTS_OVER: Cents = Cents(20_000);

mod committees;
mod forward;
mod overview;
mod receipts;
mod reports;
mod views;
pub use views::*;

/// The receipt of one installment's charge: `P{pledge}-{period}`.
pub fn receipt_id(pledge_id: Id, period: i32) -> ReceiptId {
    ReceiptId(format!("P{pledge_id}-{period}"))
}

fn receive_key(pledge_id: Id, period: i32) -> String {
    format!("receive:{}", receipt_id(pledge_id, period))
}

fn contributor_id(email: &Email) -> ContributorId {
    ContributorId(email.as_str().to_owned())
}

/// The FEC's election code for money given toward `election` of `race`.
fn election_code(race: &Race, election: Election) -> Result<ElectionCode> {
    let (prefix, day) = match election {
        Election::Primary => ("P", race.primary_date.unwrap_or(race.general_date)),
        Election::General => ("G", race.general_date),
    };
    format!("{prefix}{}", day.year())
        .parse()
        .map_err(|e: cohort_books::records::RecordError| {
            EngineError::Store(StoreError::Corrupt {
                table: "candidates",
                detail: e.to_string(),
            })
        })
}

fn corrupt(detail: String) -> EngineError {
    EngineError::Store(StoreError::Corrupt {
        table: "book_events",
        detail,
    })
}

/// The books, rebuilt from their events.
pub(crate) async fn load_books(tx: &mut dyn Tx) -> Result<Ledger> {
    let events = tx
        .book_events()
        .await?
        .into_iter()
        .map(|e| {
            serde_json::from_str::<Event>(&e.body)
                .map_err(|err| corrupt(format!("event {} ({}): {err}", e.seq, e.key)))
        })
        .collect::<Result<Vec<_>>>()?;
    Ledger::replay(events).map_err(|(i, e)| corrupt(format!("event #{i} is refused: {e}")))
}

async fn append(tx: &mut dyn Tx, key: &str, event: &Event, at: DateTime<Utc>) -> Result<bool> {
    let body = serde_json::to_string(event).map_err(|e| corrupt(e.to_string()))?;
    Ok(tx.append_book_event(key, &body, at).await?)
}

/// What the donor of a pledge looks like to the FEC: name split into first
/// and last, and the mailing address if it is complete.
fn contributor(email: &Email, donor: &Donor) -> Option<Contributor> {
    let name = donor.name.trim();
    let (first, last) = name.rsplit_once(' ').unwrap_or((name, name));
    let name = PersonName::new(first, last).ok()?;
    let address = Address::new(AddressInput {
        street1: donor.address.clone(),
        street2: None,
        city: donor.city.clone(),
        state: donor.state.clone(),
        zip: donor.zip.clone(),
    })
    .ok();
    let opt = |s: &str| Some(s.to_owned()).filter(|s| !s.trim().is_empty());
    Contributor::new(
        contributor_id(email),
        name,
        address,
        opt(&donor.employer).as_deref(),
        opt(&donor.occupation).as_deref(),
        email.as_str(),
    )
    .ok()
}

/// The most complete of a donor's pledges (newest first): the details the
/// reports itemize them by.
fn best_donor(pledges: &[PledgeRow]) -> Option<&PledgeRow> {
    let complete = |p: &&PledgeRow| {
        !p.donor.employer.is_empty() && !p.donor.occupation.is_empty() && !p.donor.zip.is_empty()
    };
    pledges.iter().find(complete).or_else(|| pledges.first())
}

fn missing_details(d: &Donor) -> Vec<&'static str> {
    let mut out = Vec::new();
    if d.employer.trim().is_empty() {
        out.push("employer");
    }
    if d.occupation.trim().is_empty() {
        out.push("occupation");
    }
    if d.address.trim().is_empty()
        || d.city.trim().is_empty()
        || d.state.is_empty()
        || d.zip.is_empty()
    {
        out.push("mailing address");
    }
    out
}

/// How many refunds the books hold for one earmark.
fn refunds_of(ledger: &Ledger, receipt: &ReceiptId, committee: &CommitteeId) -> usize {
    ledger
        .entries()
        .iter()
        .filter(|e| {
            matches!(e.kind(), EntryKind::Refund { receipt: r, committee: c, .. } if r == receipt && c == committee)
        })
        .count()
}
