//! FEC electronic filings, `.fec` format version 8.4.
//!
//! A `.fec` file is one record per line; a record's fields are separated by
//! the ASCII file separator (0x1C). It starts with a header (`HDR`), then the
//! report's summary (Form 3X for a PAC, Form 3 for a House or Senate
//! candidate's committee), then its schedules. Amounts are dollars with two
//! decimals, dates `YYYYMMDD`, the memo code `X` or empty.
//!
//! Two filings come out of the books:
//!
//! * [`conduit_filing`] — Cohort's own Form 3X. Under 11 CFR 110.6(c)(1) a
//!   conduit reports each earmarked contribution it receives and each
//!   transmittal to the recipient. Every earmark received in the period is a
//!   Schedule A line 11(a)(i) receipt (`SA11AI`, "Earmarked for" the
//!   committee; conduits itemize all earmarks, whatever the amount); every
//!   forwarding is a Schedule B line 23 conduit earmark out (`SB23`,
//!   "Earmarked from" the donor) pointing back at its receipt; every refund is
//!   a Schedule B line 28(a) refund to the individual (`SB28A`). The money is
//!   deposited in Cohort's account, so these are real, not memo, lines.
//! * [`recipient_filing`] — for one recipient committee, the Form 3 lines of
//!   what came to it through Cohort: each earmarked contribution is an `SA11AI`
//!   receipt from the individual ("Earmarked through" Cohort, conduit named in
//!   the conduit columns, 11 CFR 110.6(c)(2)), followed by a memo line (memo
//!   code `X`) naming Cohort as the conduit. The date is the date Cohort
//!   received it, which 11 CFR 102.8(a) makes the committee's date of receipt.
//!   The summary covers only this money: it is for a treasurer to import into
//!   the committee's own books, not to file as the committee's whole report.
//!
//! Field order is the FEC's (see [`columns`]); every line is checked in the
//! tests by two independent parsers (`fecfile`, `fastfec`) and the FEC's own
//! JSON schemas.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use cohort_core::money::Cents;

use super::{ascii_text, Directory, ReportError, ReportPeriod};
use crate::check::movements;
use crate::ledger::{Account, Earmark, Ledger};
use crate::records::{CandidateOffice, Committee, Contributor};

pub mod columns;

/// The field separator of `.fec` 8.x: ASCII 28, "file separator".
pub const FS: char = '\u{1c}';
/// The format version written in the header.
pub const FEC_VERSION: &str = "8.4";
/// The software name written in the header.
pub const SOFTWARE: &str = "Cohort";
/// What an unknown employer or occupation is reported as while the conduit
/// makes its best efforts to obtain it (11 CFR 104.7(b)).
pub const BEST_EFFORTS: &str = "INFORMATION REQUESTED PER BEST EFFORTS";

/// A written `.fec` file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FecFiling {
    text: String,
}

impl FecFiling {
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn into_string(self) -> String {
        self.text
    }

    /// The records, each split into its fields.
    pub fn records(&self) -> impl Iterator<Item = Vec<&str>> {
        self.text.lines().map(|l| l.split(FS).collect())
    }
}

/// One record being filled in by column name.
struct Record {
    columns: &'static [&'static str],
    values: Vec<String>,
}

impl Record {
    fn new(columns: &'static [&'static str]) -> Record {
        Record {
            columns,
            values: vec![String::new(); columns.len()],
        }
    }

    /// Sets a column. Names come from this module's code, never from data; an
    /// unknown one is a bug the tests catch at once.
    fn set(&mut self, column: &str, value: impl Into<String>) -> &mut Record {
        let i = self
            .columns
            .iter()
            .position(|c| *c == column)
            .unwrap_or_else(|| panic!("no column {column} in this record"));
        self.values[i] = value.into();
        self
    }

    fn text(&mut self, column: &str, value: &str, max: usize) -> &mut Record {
        self.set(column, ascii_text(value, max))
    }

    fn amount(&mut self, column: &str, value: Cents) -> &mut Record {
        self.set(column, amount(value))
    }

    fn date(&mut self, column: &str, value: NaiveDate) -> &mut Record {
        self.set(column, value.format("%Y%m%d").to_string())
    }

    fn line(&self) -> String {
        let mut s = self.values.join(&FS.to_string());
        s.push('\n');
        s
    }
}

/// Dollars with two decimals: `1234.50`, `-3.07` (`Cents`' plain form).
pub fn amount(c: Cents) -> String {
    format!("{c:#}")
}

fn header() -> String {
    let mut r = Record::new(&columns::HDR);
    r.set("record_type", "HDR")
        .set("ef_type", "FEC")
        .set("fec_version", FEC_VERSION)
        .set("soft_name", SOFTWARE)
        .set("soft_ver", env!("CARGO_PKG_VERSION"));
    r.line()
}

/// A transaction id: unique within the committee's report and stable across
/// amendments (the FEC's rule), so derived from what it records. `kind` is a
/// two-letter prefix; the rest is a base-36 FNV-1a hash of `parts`.
fn transaction_id(kind: &str, parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    let mut digits = Vec::new();
    while h > 0 {
        let d = (h % 36) as u8;
        digits.push(if d < 10 { b'0' + d } else { b'A' + d - 10 });
        h /= 36;
    }
    digits.reverse();
    format!("{kind}{}", String::from_utf8(digits).expect("ascii digits"))
}

struct Ids(BTreeSet<String>);

impl Ids {
    fn claim(&mut self, id: String) -> Result<String, ReportError> {
        if self.0.insert(id.clone()) {
            Ok(id)
        } else {
            Err(ReportError::TransactionIdCollision(id))
        }
    }
}

fn receipt_tid(e: &Earmark) -> String {
    transaction_id("SA", &[&e.receipt.0, e.committee.as_str()])
}

fn employer(c: &Contributor) -> &str {
    c.employer.as_deref().unwrap_or(BEST_EFFORTS)
}

fn occupation(c: &Contributor) -> &str {
    c.occupation.as_deref().unwrap_or(BEST_EFFORTS)
}

fn contributor_columns(r: &mut Record, c: &Contributor) {
    let a = c.mailing();
    r.set("entity_type", "IND")
        .text("contributor_last_name", &c.name.last, 30)
        .text("contributor_first_name", &c.name.first, 20)
        .text("contributor_street_1", &a.street1, 34)
        .text(
            "contributor_street_2",
            a.street2.as_deref().unwrap_or(""),
            34,
        )
        .text("contributor_city", &a.city, 30)
        .set("contributor_state", a.state.as_str())
        .set("contributor_zip", a.zip.as_str())
        .text("contributor_employer", employer(c), 38)
        .text("contributor_occupation", occupation(c), 38);
}

fn address_columns(r: &mut Record, prefix: &str, c: &Committee) {
    let a = &c.address;
    r.text(&format!("{prefix}street_1"), &a.street1, 34)
        .text(
            &format!("{prefix}street_2"),
            a.street2.as_deref().unwrap_or(""),
            34,
        )
        .text(&format!("{prefix}city"), &a.city, 30)
        .set(&format!("{prefix}state"), a.state.as_str())
        .set(&format!("{prefix}zip"), a.zip.as_str());
}

/// Cash held by the conduit counting only entries dated before `day`.
fn cash_before(ledger: &Ledger, day: NaiveDate) -> Cents {
    let mut balances = BTreeMap::new();
    for e in ledger.entries().iter().filter(|e| e.date() < day) {
        for t in e.transfers() {
            crate::ledger::apply_to(&mut balances, t);
        }
    }
    balances.get(&Account::Cash).copied().unwrap_or_default()
}

/// Sums of the conduit's activity over a span of days.
#[derive(Default)]
struct Activity {
    receipts: Cents,
    forwards: Cents,
    refunds: Cents,
}

fn conduit_activity(ledger: &Ledger, from: NaiveDate, through: NaiveDate) -> Activity {
    let within = |d: NaiveDate| from <= d && d <= through;
    let mut a = Activity::default();
    let moves = movements(ledger);
    for e in ledger.earmarks() {
        if within(e.received_on) {
            a.receipts += e.amount;
        }
        if let Some(m) = moves.get(&(e.receipt.clone(), e.committee.clone())) {
            a.forwards += m.forwards.iter().filter(|f| within(f.0)).map(|f| f.1).sum();
            a.refunds += m.refunds.iter().filter(|f| within(f.0)).map(|f| f.1).sum();
        }
    }
    a
}

/// Cohort's Form 3X for a period: summary, `SA11AI` earmarked receipts,
/// `SB23` conduit earmark outs and `SB28A` refunds.
pub fn conduit_filing(
    ledger: &Ledger,
    conduit: &Committee,
    directory: &Directory,
    period: &ReportPeriod,
) -> Result<FecFiling, ReportError> {
    period.validate()?;
    let mut ids = Ids(BTreeSet::new());
    let mut schedules = String::new();
    let moves = movements(ledger);
    let filer = conduit.id.as_str();

    // Running aggregates per contributor, calendar year to date.
    let mut earmarks: Vec<&Earmark> = ledger.earmarks().collect();
    earmarks.sort_by(|a, b| {
        (a.received_on, &a.receipt, &a.committee).cmp(&(b.received_on, &b.receipt, &b.committee))
    });
    let mut aggregate: BTreeMap<_, Cents> = BTreeMap::new();
    for e in &earmarks {
        if e.received_on < period.aggregation_start || e.received_on > period.through {
            continue;
        }
        let total = aggregate.entry(&e.contributor).or_default();
        *total += e.amount;
        if !period.contains(e.received_on) {
            continue;
        }
        let donor = directory.contributor(&e.contributor)?;
        let recipient = directory.committee(&e.committee)?;
        let mut r = Record::new(&columns::SCHEDULE_A);
        r.set("form_type", "SA11AI")
            .set("filer_committee_id_number", filer)
            .set("transaction_id", ids.claim(receipt_tid(e))?);
        contributor_columns(&mut r, donor);
        r.set("election_code", e.election.as_str())
            .date("contribution_date", e.received_on)
            .amount("contribution_amount", e.amount)
            .amount("contribution_aggregate", *total)
            .text(
                "contribution_purpose_descrip",
                &format!("Earmarked for {}", recipient.name),
                100,
            )
            .set("donor_committee_fec_id", recipient.id.as_str())
            .text("donor_committee_name", &recipient.name, 200);
        schedules.push_str(&r.line());
    }

    for e in &earmarks {
        let Some(m) = moves.get(&(e.receipt.clone(), e.committee.clone())) else {
            continue;
        };
        let donor = directory.contributor(&e.contributor)?;
        let recipient = directory.committee(&e.committee)?;
        for (on, cents, batch) in m.forwards.iter().filter(|f| period.contains(f.0)) {
            let candidate = recipient
                .candidate
                .as_ref()
                .ok_or_else(|| ReportError::NoCandidate(recipient.id.clone()))?;
            let mut r = Record::new(&columns::SCHEDULE_B);
            r.set("form_type", "SB23")
                .set("filer_committee_id_number", filer)
                .set(
                    "transaction_id",
                    ids.claim(transaction_id(
                        "SB",
                        &[&e.receipt.0, e.committee.as_str(), &batch.0],
                    ))?,
                )
                .set("back_reference_tran_id_number", receipt_tid(e))
                .set("back_reference_sched_name", "SA11AI")
                .set("entity_type", "COM")
                .text("payee_organization_name", &recipient.name, 200);
            address_columns(&mut r, "payee_", recipient);
            r.set("election_code", e.election.as_str())
                .date("expenditure_date", *on)
                .amount("expenditure_amount", *cents)
                .text(
                    "expenditure_purpose_descrip",
                    &format!("Earmarked from {}", ascii_text(&donor.name.full(), 85)),
                    100,
                )
                .set("beneficiary_committee_fec_id", recipient.id.as_str())
                .text("beneficiary_committee_name", &recipient.name, 200)
                .set("beneficiary_candidate_fec_id", candidate.id.as_str())
                .text("beneficiary_candidate_last_name", &candidate.name.last, 30)
                .text(
                    "beneficiary_candidate_first_name",
                    &candidate.name.first,
                    20,
                )
                .set("beneficiary_candidate_office", candidate.office.code())
                .set(
                    "beneficiary_candidate_state",
                    candidate.state.as_deref().unwrap_or(""),
                )
                .set(
                    "beneficiary_candidate_district",
                    candidate.district.as_deref().unwrap_or(""),
                )
                .text(
                    "memo_text_description",
                    &format!("Forwarding batch {}", batch.0),
                    100,
                );
            schedules.push_str(&r.line());
        }
        for (n, (on, cents, reason)) in m.refunds.iter().enumerate() {
            if !period.contains(*on) {
                continue;
            }
            let a = donor.mailing();
            let mut r = Record::new(&columns::SCHEDULE_B);
            r.set("form_type", "SB28A")
                .set("filer_committee_id_number", filer)
                .set(
                    "transaction_id",
                    ids.claim(transaction_id(
                        "RF",
                        &[&e.receipt.0, e.committee.as_str(), &n.to_string()],
                    ))?,
                )
                .set("back_reference_tran_id_number", receipt_tid(e))
                .set("back_reference_sched_name", "SA11AI")
                .set("entity_type", "IND")
                .text("payee_last_name", &donor.name.last, 30)
                .text("payee_first_name", &donor.name.first, 20)
                .text("payee_street_1", &a.street1, 34)
                .text("payee_street_2", a.street2.as_deref().unwrap_or(""), 34)
                .text("payee_city", &a.city, 30)
                .set("payee_state", a.state.as_str())
                .set("payee_zip", a.zip.as_str())
                .set("election_code", e.election.as_str())
                .date("expenditure_date", *on)
                .amount("expenditure_amount", *cents)
                .text("expenditure_purpose_descrip", reason.describe(), 100);
            schedules.push_str(&r.line());
        }
    }

    let jan1 = NaiveDate::from_ymd_opt(period.through.year(), 1, 1).expect("January 1 exists");
    let mut f = Record::new(&columns::F3X);
    f.set("form_type", "F3XN")
        .set("filer_committee_id_number", filer)
        .text("committee_name", &conduit.name, 200);
    address_columns(&mut f, "", conduit);
    f.set("report_code", period.report_code.as_str())
        .date("coverage_from_date", period.from)
        .date("coverage_through_date", period.through)
        .text("treasurer_last_name", &conduit.treasurer.last, 30)
        .text("treasurer_first_name", &conduit.treasurer.first, 20)
        .date("date_signed", period.signed_on);
    f3x_column(
        &mut f,
        "period",
        cash_before(ledger, period.from),
        &conduit_activity(ledger, period.from, period.through),
    );
    f3x_column(
        &mut f,
        "ytd",
        cash_before(ledger, jan1),
        &conduit_activity(ledger, jan1, period.through),
    );
    f.set("L6a_year_for_above_ytd", period.through.year().to_string());

    Ok(FecFiling {
        text: header() + &f.line() + &schedules,
    })
}

/// Fills one column (period or year to date) of the Form 3X summary. Every
/// line Cohort has no activity on is written as zero.
fn f3x_column(f: &mut Record, col: &str, cash_begin: Cents, a: &Activity) {
    for name in columns::F3X
        .iter()
        .filter(|n| n.ends_with(&format!("_{col}")) && n.starts_with('L'))
    {
        f.amount(name, Cents::ZERO);
    }
    let receipts = a.receipts;
    let disbursements = a.forwards + a.refunds;
    let subtotal = cash_begin + receipts;
    let lines: &[(&str, Cents)] = &[
        ("L6c_total_receipts", receipts),
        ("L6d_subtotal", subtotal),
        ("L7_total_disbursements", disbursements),
        ("L8_cash_on_hand_close", subtotal - disbursements),
        ("L11ai_itemized", receipts),
        ("L11aiii_total", receipts),
        ("L11d_total_contributions", receipts),
        ("L19_total_receipts", receipts),
        ("L20_total_federal_receipts", receipts),
        ("L23_contributions_to_federal_candidates_cmtes", a.forwards),
        ("L28a_individuals_persons", a.refunds),
        ("L28d_total_contributions_refunds", a.refunds),
        ("L31_total_disbursements", disbursements),
        ("L32_total_federal_disbursements", disbursements),
        ("L33_total_contributions", receipts),
        ("L34_total_contribution_refunds", a.refunds),
        ("L35_net_contributions", receipts - a.refunds),
    ];
    for (line, value) in lines {
        // The schema spells the close-of-period line differently per column.
        let name = match (*line, col) {
            ("L8_cash_on_hand_close", "period") => "L8_cash_on_hand_at_close_period".to_owned(),
            ("L8_cash_on_hand_close", _) => "L8_cash_on_hand_close_ytd".to_owned(),
            _ => format!("{line}_{col}"),
        };
        f.amount(&name, *value);
    }
    if col == "period" {
        f.amount("L6b_cash_on_hand_beginning_period", cash_begin);
    } else {
        f.amount("L6a_cash_on_hand_jan_1_ytd", cash_begin);
    }
}

/// What one recipient committee received through the conduit: the
/// contributions received by the conduit in `[from, through]`, net of what the
/// conduit refunded (a refunded contribution never reached the committee).
fn recipient_lines<'a>(
    ledger: &'a Ledger,
    recipient: &Committee,
    from: NaiveDate,
    through: NaiveDate,
) -> Vec<(&'a Earmark, Cents)> {
    let moves = movements(ledger);
    let mut out: Vec<(&Earmark, Cents)> = ledger
        .earmarks()
        .filter(|e| {
            e.committee == recipient.id && from <= e.received_on && e.received_on <= through
        })
        .filter_map(|e| {
            let refunded: Cents = moves
                .get(&(e.receipt.clone(), e.committee.clone()))
                .map(|m| {
                    m.refunds
                        .iter()
                        .filter(|r| r.0 <= through)
                        .map(|r| r.1)
                        .sum()
                })
                .unwrap_or_default();
            let net = e.amount - refunded;
            (net > Cents::ZERO).then_some((e, net))
        })
        .collect();
    out.sort_by(|a, b| (a.0.received_on, &a.0.receipt).cmp(&(b.0.received_on, &b.0.receipt)));
    out
}

/// For one recipient committee of a House or Senate candidate: a Form 3 with
/// its `SA11AI` earmarked receipts and, under each, a memo line (`X`) naming
/// the conduit.
pub fn recipient_filing(
    ledger: &Ledger,
    conduit: &Committee,
    recipient: &Committee,
    directory: &Directory,
    period: &ReportPeriod,
    cash_on_hand_beginning: Cents,
) -> Result<FecFiling, ReportError> {
    period.validate()?;
    let candidate = recipient
        .candidate
        .as_ref()
        .ok_or_else(|| ReportError::NoCandidate(recipient.id.clone()))?;
    if candidate.office == CandidateOffice::President {
        return Err(ReportError::Presidential(recipient.id.clone()));
    }
    let mut ids = Ids(BTreeSet::new());
    let filer = recipient.id.as_str();
    let mut schedules = String::new();
    let mut aggregate: BTreeMap<_, Cents> = BTreeMap::new();
    let mut from_conduit = Cents::ZERO;
    let cycle = recipient_lines(ledger, recipient, period.aggregation_start, period.through);
    let mut in_period = Cents::ZERO;
    for (e, net) in &cycle {
        let total = aggregate.entry(&e.contributor).or_default();
        *total += *net;
        from_conduit += *net;
        if !period.contains(e.received_on) {
            continue;
        }
        in_period += *net;
        let donor = directory.contributor(&e.contributor)?;
        let parent = ids.claim(transaction_id("EA", &[&e.receipt.0, e.committee.as_str()]))?;
        let mut r = Record::new(&columns::SCHEDULE_A);
        r.set("form_type", "SA11AI")
            .set("filer_committee_id_number", filer)
            .set("transaction_id", parent.as_str());
        contributor_columns(&mut r, donor);
        r.set("election_code", e.election.as_str())
            .date("contribution_date", e.received_on)
            .amount("contribution_amount", *net)
            .amount("contribution_aggregate", *total)
            .text(
                "contribution_purpose_descrip",
                &format!("Earmarked through {}", conduit.name),
                100,
            )
            .text("conduit_name", &conduit.name, 200);
        address_columns(&mut r, "conduit_", conduit);
        schedules.push_str(&r.line());

        let mut m = Record::new(&columns::SCHEDULE_A);
        m.set("form_type", "SA11AI")
            .set("filer_committee_id_number", filer)
            .set(
                "transaction_id",
                ids.claim(transaction_id("EM", &[&e.receipt.0, e.committee.as_str()]))?,
            )
            .set("back_reference_tran_id_number", parent)
            .set("back_reference_sched_name", "SA11AI")
            .set("entity_type", "COM")
            .text("contributor_organization_name", &conduit.name, 200);
        address_columns(&mut m, "contributor_", conduit);
        m.set("election_code", e.election.as_str())
            .date("contribution_date", e.received_on)
            .amount("contribution_amount", *net)
            .amount("contribution_aggregate", from_conduit)
            .set(
                "contribution_purpose_descrip",
                "Total earmarked through conduit.",
            )
            .set("donor_committee_fec_id", conduit.id.as_str())
            .text("donor_committee_name", &conduit.name, 200)
            .set("memo_code", "X")
            .text(
                "memo_text_description",
                &format!(
                    "Earmarked contribution from {} forwarded by {} ({})",
                    ascii_text(&donor.name.full(), 40),
                    ascii_text(&conduit.name, 30),
                    conduit.id
                ),
                100,
            );
        schedules.push_str(&m.line());
    }

    let mut f = Record::new(&columns::F3);
    f.set("form_type", "F3N")
        .set("filer_committee_id_number", filer)
        .text("committee_name", &recipient.name, 200);
    address_columns(&mut f, "", recipient);
    f.set("election_state", candidate.state.as_deref().unwrap_or(""))
        .set(
            "election_district",
            candidate.district.as_deref().unwrap_or("00"),
        )
        .set("report_code", period.report_code.as_str())
        .date("coverage_from_date", period.from)
        .date("coverage_through_date", period.through)
        .text("treasurer_last_name", &recipient.treasurer.last, 30)
        .text("treasurer_first_name", &recipient.treasurer.first, 20)
        .date("date_signed", period.signed_on);
    for name in columns::F3.iter().filter(|n| n.starts_with('L')) {
        f.amount(name, Cents::ZERO);
    }
    for (col, total) in [("period", in_period), ("ytd", from_conduit)] {
        for line in [
            "L6a_total_contributions",
            "L6c_net_contributions",
            "L11ai_individuals_itemized",
            "L11aiii_total_individual",
            "L11e_total_contributions",
            "L16_total_receipts",
        ] {
            f.amount(&format!("{line}_{col}"), total);
        }
    }
    let close = cash_on_hand_beginning + in_period;
    f.amount(
        "L23_cash_on_hand_beginning_reporting_period",
        cash_on_hand_beginning,
    )
    .amount("L24_total_receipts_period", in_period)
    .amount("L25_subtotals_period", close)
    .amount("L27_cash_on_hand_at_close_period", close)
    .amount("L8_cash_on_hand_at_close_period", close);

    Ok(FecFiling {
        text: header() + &f.line() + &schedules,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_have_two_decimals() {
        assert_eq!(amount(Cents(0)), "0.00");
        assert_eq!(amount(Cents(7)), "0.07");
        assert_eq!(amount(Cents(123_450)), "1234.50");
        assert_eq!(amount(Cents(-307)), "-3.07");
    }

    #[test]
    fn transaction_ids_are_short_stable_and_distinct() {
        let a = transaction_id("SA", &["pledge-1", "C00000001"]);
        assert_eq!(a, transaction_id("SA", &["pledge-1", "C00000001"]));
        assert_ne!(a, transaction_id("SA", &["pledge-1", "C00000002"]));
        // Parts are separated, so shifting a boundary changes the id.
        assert_ne!(
            transaction_id("SA", &["ab", "c"]),
            transaction_id("SA", &["a", "bc"])
        );
        assert!(a.len() <= 20);
        assert!(a
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
    }

    #[test]
    fn the_header_is_version_8_4() {
        let h = header();
        let fields: Vec<&str> = h.trim_end().split(FS).collect();
        assert_eq!(fields.len(), 8);
        assert_eq!(&fields[..4], ["HDR", "FEC", "8.4", "Cohort"]);
    }
}
