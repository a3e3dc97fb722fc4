//! Contribution exports in ActBlue's CSV layout.
//!
//! Campaign compliance software (ISPolitical, NGP VAN, Crimson…) imports
//! ActBlue's contribution export, so Cohort writes the same columns in the same
//! order, one row per earmarked contribution. Columns Cohort has nothing for
//! (ActBlue's own ids, recurring, express lane, the `Reserved` ones) are empty.
//! Dates are `YYYY-MM-DD`: the books keep days, not times.
//!
//! Quoting follows RFC 4180 (a field holding a comma, quote or line break is
//! quoted, quotes doubled); rows end in CRLF, as ActBlue's do. A donor-typed
//! field starting with `=`, `+`, `-` or `@` gets a leading `'` so a spreadsheet
//! shows it rather than running it as a formula.

use std::collections::BTreeMap;

use cohort_core::money::Cents;

use super::{Directory, ReportError, ReportPeriod};
use crate::check::movements;
use crate::ledger::{Earmark, ForwardBatch, Ledger};
use crate::records::CommitteeId;

/// ActBlue's paid-contribution export columns, in their order (101 columns,
/// seven named `Reserved`).
pub const COLUMNS: [&str; 101] = [
    "Receipt ID",
    "Date",
    "Amount",
    "Recurring Total Months",
    "Recurrence Number",
    "Recipient",
    "Fundraising Page",
    "Fundraising Partner",
    "Reference Code 2",
    "Reference Code",
    "Donor First Name",
    "Donor Last Name",
    "Donor Addr1",
    "Donor Addr2",
    "Donor City",
    "Donor State",
    "Donor ZIP",
    "Donor Country",
    "Donor Occupation",
    "Donor Employer",
    "Donor Email",
    "Donor Phone",
    "New Express Signup",
    "Comments",
    "Check Number",
    "Check Date",
    "Employer Addr1",
    "Employer Addr2",
    "Employer City",
    "Employer State",
    "Employer ZIP",
    "Employer Country",
    "Donor ID",
    "Fundraiser ID",
    "Fundraiser Recipient ID",
    "Fundraiser Contact Email",
    "Fundraiser Contact First Name",
    "Fundraiser Contact Last Name",
    "Partner ID",
    "Partner Contact Email",
    "Partner Contact First Name",
    "Partner Contact Last Name",
    "Reserved",
    "Lineitem ID",
    "AB Test Name",
    "AB Variation",
    "Recipient Committee",
    "Recipient ID",
    "Recipient Gov ID",
    "Recipient Election",
    "Reserved",
    "Payment ID",
    "Payment Date",
    "Disbursement ID",
    "Disbursement Date",
    "Recovery ID",
    "Recovery Date",
    "Refund ID",
    "Refund Date",
    "Fee",
    "Recur Weekly",
    "ActBlue Express Lane",
    "Reserved",
    "Card Type",
    "Reserved",
    "Reserved",
    "Reserved",
    "Reserved",
    "Mobile",
    "Recurring Upsell Shown",
    "Recurring Upsell Succeeded",
    "Double Down",
    "Smart Recurring",
    "Monthly Recurring Amount",
    "Apple Pay",
    "Card Replaced by Account Updater",
    "ActBlue Express Donor",
    "Custom Field 1 Label",
    "Custom Field 1 Value",
    "Donor US Passport Number",
    "Text Message Opt In",
    "Gift Identifier",
    "Gift Declined",
    "Shipping Addr1",
    "Shipping City",
    "Shipping State",
    "Shipping Zip",
    "Shipping Country",
    "Weekly Recurring Amount",
    "Smart Boost Amount",
    "Smart Boost Shown",
    "Bump Recurring Seen",
    "Bump Recurring Succeeded",
    "Weekly to Monthly Rollover Date",
    "Weekly Recurring Sunset",
    "Recurring Type",
    "Recurring Pledged",
    "Paypal",
    "Kind",
    "Managed Entity Name",
    "Managed Entity Committee Name",
];

/// One CSV field, quoted when it must be (Cohort's one CSV writer,
/// `cohort_core::csv`).
pub fn field(value: &str) -> String {
    cohort_core::csv::quote(value)
}

/// A donor-typed value, defused for spreadsheets (`cohort_core::csv`'s
/// formula guard, which the people importer undoes).
fn typed(value: &str) -> String {
    cohort_core::csv::neutralize(value)
}

fn dollars(c: Cents) -> String {
    super::fec::amount(c)
}

struct Row(BTreeMap<&'static str, String>);

impl Row {
    fn set(&mut self, column: &'static str, value: impl Into<String>) {
        debug_assert!(COLUMNS.contains(&column), "no ActBlue column {column}");
        self.0.insert(column, value.into());
    }

    fn line(&self) -> String {
        let cells: Vec<String> = COLUMNS
            .iter()
            .map(|c| field(self.0.get(c).map(String::as_str).unwrap_or("")))
            .collect();
        cells.join(",") + "\r\n"
    }
}

fn header() -> String {
    COLUMNS.map(field).join(",") + "\r\n"
}

fn row(
    ledger: &Ledger,
    directory: &Directory,
    e: &Earmark,
    amount: Cents,
) -> Result<Row, ReportError> {
    let donor = directory.contributor(&e.contributor)?;
    let committee = directory.committee(&e.committee)?;
    let moves = movements(ledger);
    let m = moves.get(&(e.receipt.clone(), e.committee.clone()));
    let mut r = Row(BTreeMap::new());
    r.set("Receipt ID", e.receipt.0.clone());
    r.set("Date", e.received_on.to_string());
    r.set("Amount", dollars(amount));
    r.set("Recipient", committee.name.clone());
    r.set("Donor First Name", typed(&donor.name.first));
    r.set("Donor Last Name", typed(&donor.name.last));
    let a = donor.mailing();
    r.set("Donor Addr1", typed(&a.street1));
    r.set("Donor Addr2", typed(a.street2.as_deref().unwrap_or("")));
    r.set("Donor City", typed(&a.city));
    r.set("Donor State", a.state.clone());
    r.set("Donor ZIP", a.zip.clone());
    r.set("Donor Country", "United States");
    r.set(
        "Donor Occupation",
        typed(donor.occupation.as_deref().unwrap_or("")),
    );
    r.set(
        "Donor Employer",
        typed(donor.employer.as_deref().unwrap_or("")),
    );
    r.set("Donor Email", typed(&donor.email));
    r.set("Donor ID", typed(&donor.id.0));
    r.set("Lineitem ID", format!("{}/{}", e.receipt.0, e.committee));
    r.set("Recipient Committee", committee.name.clone());
    r.set("Recipient Gov ID", committee.id.to_string());
    r.set("Recipient Election", e.election.to_string());
    r.set("Payment ID", e.receipt.0.clone());
    r.set("Payment Date", e.received_on.to_string());
    if let Some(m) = m {
        if let Some((on, _, batch)) = m.forwards.last() {
            r.set("Disbursement ID", batch.0.clone());
            r.set("Disbursement Date", on.to_string());
        }
        if let Some((on, _, _)) = m.refunds.last() {
            r.set(
                "Refund ID",
                format!("{}/{}/refund", e.receipt.0, e.committee),
            );
            r.set("Refund Date", on.to_string());
        }
    }
    Ok(r)
}

/// Every contribution earmarked for `committee` that the conduit received in
/// the period, at its full amount, oldest first.
pub fn contributions_csv(
    ledger: &Ledger,
    directory: &Directory,
    committee: &CommitteeId,
    period: &ReportPeriod,
) -> Result<String, ReportError> {
    let mut earmarks: Vec<&Earmark> = ledger
        .earmarks()
        .filter(|e| e.committee == *committee && period.contains(e.received_on))
        .collect();
    earmarks.sort_by(|a, b| (a.received_on, &a.receipt).cmp(&(b.received_on, &b.receipt)));
    let mut out = header();
    for e in earmarks {
        out.push_str(&row(ledger, directory, e, e.amount)?.line());
    }
    Ok(out)
}

/// One forwarding batch, a row per contribution at the amount forwarded: what
/// goes to the committee with the payment, so its treasurer can match it.
pub fn batch_csv(
    ledger: &Ledger,
    directory: &Directory,
    batch: &ForwardBatch,
) -> Result<String, ReportError> {
    let mut out = header();
    for item in &batch.items {
        let e = ledger
            .earmark(&item.receipt, &batch.committee)
            .ok_or_else(|| ReportError::UnknownCommittee(batch.committee.clone()))?;
        let mut r = row(ledger, directory, e, item.amount)?;
        r.set("Disbursement ID", batch.id.0.clone());
        r.set("Disbursement Date", batch.sent_on.to_string());
        out.push_str(&r.line());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("Smith, Jr."), "\"Smith, Jr.\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn formulas_are_defused() {
        assert_eq!(typed("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(typed("Ada"), "Ada");
    }

    #[test]
    fn an_export_reads_back_through_the_people_importer() {
        let mut r = Row(BTreeMap::new());
        r.set("Receipt ID", "P1");
        r.set("Amount", "-25.00");
        r.set("Donor First Name", typed("=Eve"));
        r.set("Donor Last Name", typed("Marsh, \"Jr.\""));
        r.set("Donor Addr1", typed("1 Main St"));
        r.set("Donor City", typed("Troy"));
        r.set("Donor State", "NY");
        r.set("Donor ZIP", "12180-1234");
        r.set("Donor Email", typed("eve@example.org"));
        let file = header() + &r.line();
        let p = cohort_core::people_csv::parse(&file).expect("the importer reads it");
        let eve = &p.people[0];
        assert_eq!(
            eve.email.as_ref().map(|e| e.as_str()),
            Some("eve@example.org")
        );
        assert_eq!(
            (eve.given_name.as_str(), eve.family_name.as_str()),
            ("=Eve", "Marsh, \"Jr.\"")
        );
        assert_eq!((eve.state.as_str(), eve.zip.as_str()), ("NY", "12180-1234"));
    }

    #[test]
    fn the_header_has_actblues_101_columns() {
        assert_eq!(COLUMNS.len(), 101);
        assert_eq!(COLUMNS.iter().filter(|c| **c == "Reserved").count(), 7);
        assert_eq!(&COLUMNS[..3], ["Receipt ID", "Date", "Amount"],);
    }
}
