//! The reports, checked by independent parsers: every `.fec` file is parsed by
//! both `fecfile` and `fastfec` (PyPI) and every record validated against the
//! FEC's JSON schemas (`data/fec/schema/`); the ActBlue CSV is read back by
//! Python's `csv` module. The Python peers come from `scripts/test`, which
//! installs `scripts/test-requirements.txt` into a venv and exports
//! `COHORT_TEST_PYTHON`.
//!
//! The expected values below are worked out by hand from the scenario, not
//! read from the renderers.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use cohort_books::check::check;
use cohort_books::ledger::{
    BatchId, EarmarkInput, Ledger, ReceiptId, ReceiptInput, RefundInput, RefundReason,
};
use cohort_books::records::{
    Address, AddressInput, Candidate, CandidateOffice, Committee, CommitteeId, Contributor,
    ContributorId, PersonName,
};
use cohort_books::report::actblue::{batch_csv, contributions_csv, COLUMNS};
use cohort_books::report::fec::{conduit_filing, recipient_filing, FS};
use cohort_books::report::{Directory, ReportPeriod};
use cohort_books::Cents;
use cohort_testkit::python;
use serde_json::json;

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

fn address(street1: &str, street2: Option<&str>, city: &str, state: &str, zip: &str) -> Address {
    Address::new(AddressInput {
        street1: street1.into(),
        street2: street2.map(Into::into),
        city: city.into(),
        state: state.into(),
        zip: zip.into(),
    })
    .unwrap()
}

fn cid(s: &str) -> CommitteeId {
    s.parse().unwrap()
}

struct World {
    conduit: Committee,
    lovelace: Committee,
    hopper: Committee,
    directory: Directory,
    ledger: Ledger,
}

/// Two donors, two committees, Q1 and Q2 of 2026:
///
/// | receipt | donor  | received | for      | amount  | then |
/// |---------|--------|----------|----------|---------|------|
/// | R0      | Núñez  | Mar 20   | Lovelace | 100.00  | forwarded Mar 28 (Q1) |
/// | R00     | Turing | Mar 30   | Hopper   |  40.00  | forwarded Apr 3 |
/// | R1      | Núñez  | Apr 10   | Lovelace | 300.00  | forwarded Apr 15 |
/// |         |        |          | Hopper   | 150.00  | forwarded Apr 15 |
/// | R2      | Turing | May 2    | Lovelace | 125.50  | 25.50 refunded as excess May 5, 100.00 forwarded May 8 |
/// | R3      | Núñez  | Jun 1    | Lovelace |  50.00  | cancelled, refunded Jun 3 |
fn world() -> World {
    let conduit = Committee::new(
        cid("C00900001"),
        "Cohort PAC",
        PersonName::new("Mary", "Treasure").unwrap(),
        address(
            "500 Market St",
            Some("Suite 2"),
            "San Francisco",
            "CA",
            "94105",
        ),
        None,
    )
    .unwrap();
    let lovelace = Committee::new(
        cid("C00111111"),
        "Lovelace for Congress",
        PersonName::new("Charles", "Babbage").unwrap(),
        address("1 Engine Way", None, "Oakland", "CA", "94612"),
        Some(
            Candidate::new(
                "H6CA12345".parse().unwrap(),
                PersonName::new("Ada", "Lovelace").unwrap(),
                CandidateOffice::House,
                Some("CA"),
                Some("12"),
            )
            .unwrap(),
        ),
    )
    .unwrap();
    let hopper = Committee::new(
        cid("C00222222"),
        "Hopper for Senate",
        PersonName::new("Howard", "Aiken").unwrap(),
        address("9 Cobol Ct", None, "Austin", "TX", "78701"),
        Some(
            Candidate::new(
                "S6TX00123".parse().unwrap(),
                PersonName::new("Grace", "Hopper").unwrap(),
                CandidateOffice::Senate,
                Some("TX"),
                None,
            )
            .unwrap(),
        ),
    )
    .unwrap();
    let nunez = Contributor::new(
        ContributorId("donor-nunez".into()),
        PersonName::new("José", "Núñez").unwrap(),
        Some(address(
            "12 Mission St",
            Some("Apt 4, Rear"),
            "San Francisco",
            "CA",
            "94110-1234",
        )),
        Some("Smith, Jones & \"Co\""),
        Some("Engineer"),
        "jose@example.com",
    )
    .unwrap();
    let turing = Contributor::new(
        ContributorId("donor-turing".into()),
        PersonName::new("Alan", "Turing").unwrap(),
        Some(address("3 Bletchley Rd", None, "Austin", "TX", "78702")),
        None,
        None,
        "alan@example.com",
    )
    .unwrap();
    let directory = Directory::new(
        [conduit.clone(), lovelace.clone(), hopper.clone()],
        [nunez, turing],
    );

    let mut ledger = Ledger::new();
    let earmark = |c: &Committee, election: &str, cents: i64| EarmarkInput {
        committee: c.id.clone(),
        election: election.parse().unwrap(),
        amount: Cents(cents),
    };
    let receive = |ledger: &mut Ledger, id: &str, donor: &str, on, earmarks| {
        ledger
            .receive(ReceiptInput {
                id: ReceiptId(id.into()),
                contributor: ContributorId(donor.into()),
                received_on: on,
                earmarks,
            })
            .unwrap();
        ledger
            .clear(&ReceiptId(id.into()), on.succ_opt().unwrap())
            .unwrap();
    };
    let forward_all = |ledger: &mut Ledger, c: &Committee, id: &str, on| {
        let batch = ledger
            .forwarding_batch(&c.id, BatchId(id.into()), on)
            .unwrap();
        ledger.forward(batch).unwrap();
    };
    receive(
        &mut ledger,
        "R0",
        "donor-nunez",
        day(3, 20),
        vec![earmark(&lovelace, "P2026", 10_000)],
    );
    forward_all(&mut ledger, &lovelace, "B-Q1-L", day(3, 28));
    receive(
        &mut ledger,
        "R00",
        "donor-turing",
        day(3, 30),
        vec![earmark(&hopper, "P2026", 4_000)],
    );
    forward_all(&mut ledger, &hopper, "B-APR3-H", day(4, 3));
    receive(
        &mut ledger,
        "R1",
        "donor-nunez",
        day(4, 10),
        vec![
            earmark(&lovelace, "P2026", 30_000),
            earmark(&hopper, "G2026", 15_000),
        ],
    );
    forward_all(&mut ledger, &lovelace, "B-APR15-L", day(4, 15));
    forward_all(&mut ledger, &hopper, "B-APR15-H", day(4, 15));
    receive(
        &mut ledger,
        "R2",
        "donor-turing",
        day(5, 2),
        vec![earmark(&lovelace, "P2026", 12_550)],
    );
    ledger
        .refund(RefundInput {
            receipt: ReceiptId("R2".into()),
            committee: lovelace.id.clone(),
            amount: Cents(2_550),
            refunded_on: day(5, 5),
            reason: RefundReason::Excess,
        })
        .unwrap();
    forward_all(&mut ledger, &lovelace, "B-MAY8-L", day(5, 8));
    receive(
        &mut ledger,
        "R3",
        "donor-nunez",
        day(6, 1),
        vec![earmark(&lovelace, "P2026", 5_000)],
    );
    ledger
        .refund(RefundInput {
            receipt: ReceiptId("R3".into()),
            committee: lovelace.id.clone(),
            amount: Cents(5_000),
            refunded_on: day(6, 3),
            reason: RefundReason::Cancelled,
        })
        .unwrap();
    World {
        conduit,
        lovelace,
        hopper,
        directory,
        ledger,
    }
}

fn q2(aggregation_start: NaiveDate) -> ReportPeriod {
    ReportPeriod {
        report_code: "Q2".into(),
        from: day(4, 1),
        through: day(6, 30),
        signed_on: day(7, 10),
        aggregation_start,
    }
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cohort-books-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `tests/<script>` with `args`; fails the test with its output unless it
/// exits 0. A missing Python module is a failure that says how to get it.
fn run_python(script: &str, args: &[&Path]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(script);
    let out = python::run_python(
        std::iter::once(script.as_path()).chain(args.iter().copied()),
        None,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{} failed:\n{stdout}\n{stderr}",
        script.display()
    );
    println!("{stdout}");
}

fn schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/fec/schema")
}

#[test]
fn fec_filings_parse_with_fecfile_and_fastfec_and_validate_against_the_fec_schemas() {
    let w = world();
    assert!(check(&w.ledger, day(6, 30)).is_clean());
    let dir = scratch_dir("fec");

    let conduit = conduit_filing(&w.ledger, &w.conduit, &w.directory, &q2(day(1, 1))).unwrap();
    let cycle = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let lovelace = recipient_filing(
        &w.ledger,
        &w.conduit,
        &w.lovelace,
        &w.directory,
        &q2(cycle),
        Cents::ZERO,
    )
    .unwrap();
    let hopper = recipient_filing(
        &w.ledger,
        &w.conduit,
        &w.hopper,
        &w.directory,
        &q2(cycle),
        Cents(100_000),
    )
    .unwrap();
    for (name, f) in [
        ("conduit", &conduit),
        ("lovelace", &lovelace),
        ("hopper", &hopper),
    ] {
        assert!(f.as_str().contains(FS));
        std::fs::write(dir.join(format!("{name}.fec")), f.as_str()).unwrap();
    }

    // What a treasurer must see, worked out from the table on `world`.
    let expected = json!({
        "schema_dir": schema_dir(),
        "files": [
            {
                "path": dir.join("conduit.fec"),
                "role": "conduit",
                "summary": {
                    "form_type": "F3XN",
                    "filer_committee_id_number": "C00900001",
                    "committee_name": "Cohort PAC",
                    "report_code": "Q2",
                    "coverage_from_date": "2026-04-01",
                    "coverage_through_date": "2026-06-30",
                    "treasurer_last_name": "Treasure",
                    // cash Apr 1: R00's 40.00 not yet forwarded
                    "L6b_cash_on_hand_beginning_period": 40.00,
                    "L11ai_itemized_period": 625.50,
                    "L11aii_unitemized_period": 0.0,
                    "L6c_total_receipts_period": 625.50,
                    "L6d_subtotal_period": 665.50,
                    "L23_contributions_to_federal_candidates_cmtes_period": 590.00,
                    "L28a_individuals_persons_period": 75.50,
                    "L7_total_disbursements_period": 665.50,
                    "L8_cash_on_hand_at_close_period": 0.0,
                    "L35_net_contributions_period": 550.00,
                    "L6a_cash_on_hand_jan_1_ytd": 0.0,
                    "L6a_year_for_above_ytd": "2026",
                    "L11ai_itemized_ytd": 765.50,
                    "L23_contributions_to_federal_candidates_cmtes_ytd": 690.00,
                    "L28a_individuals_persons_ytd": 75.50,
                    "L8_cash_on_hand_close_ytd": 0.0
                },
                "lines": [
                    {"form_type": "SA11AI", "schema": "CONDUIT_EARMARKS", "contributor_last_name": "Nunez", "contributor_first_name": "Jose",
                     "contribution_date": "2026-04-10", "contribution_amount": 300.00, "contribution_aggregate": 400.00,
                     "contribution_purpose_descrip": "Earmarked for Lovelace for Congress", "donor_committee_fec_id": "C00111111",
                     "contributor_employer": "Smith, Jones & \"Co\"", "contributor_zip": "941101234", "contributor_street_2": "Apt 4, Rear", "memo_code": null},
                    {"form_type": "SA11AI", "schema": "CONDUIT_EARMARKS", "contributor_last_name": "Nunez",
                     "contribution_amount": 150.00, "contribution_aggregate": 550.00, "election_code": "G2026",
                     "contribution_purpose_descrip": "Earmarked for Hopper for Senate", "donor_committee_fec_id": "C00222222"},
                    {"form_type": "SA11AI", "schema": "CONDUIT_EARMARKS", "contributor_last_name": "Turing",
                     "contribution_date": "2026-05-02", "contribution_amount": 125.50, "contribution_aggregate": 165.50,
                     "contributor_employer": "INFORMATION REQUESTED PER BEST EFFORTS"},
                    {"form_type": "SA11AI", "schema": "CONDUIT_EARMARKS", "contributor_last_name": "Nunez",
                     "contribution_date": "2026-06-01", "contribution_amount": 50.00, "contribution_aggregate": 600.00},
                    {"form_type": "SB23", "schema": "CONDUIT_EARMARK_OUTS", "payee_organization_name": "Hopper for Senate",
                     "expenditure_date": "2026-04-03", "expenditure_amount": 40.00, "expenditure_purpose_descrip": "Earmarked from Alan Turing",
                     "beneficiary_candidate_fec_id": "S6TX00123", "beneficiary_candidate_office": "S", "back_reference_sched_name": "SA11AI", "memo_code": null},
                    {"form_type": "SB23", "schema": "CONDUIT_EARMARK_OUTS", "payee_organization_name": "Lovelace for Congress",
                     "expenditure_date": "2026-04-15", "expenditure_amount": 300.00, "expenditure_purpose_descrip": "Earmarked from Jose Nunez",
                     "beneficiary_candidate_fec_id": "H6CA12345", "beneficiary_candidate_district": "12", "back_ref": 0},
                    {"form_type": "SB23", "schema": "CONDUIT_EARMARK_OUTS", "payee_organization_name": "Hopper for Senate",
                     "expenditure_amount": 150.00, "election_code": "G2026", "back_ref": 1},
                    {"form_type": "SB23", "schema": "CONDUIT_EARMARK_OUTS", "expenditure_date": "2026-05-08", "expenditure_amount": 100.00, "back_ref": 2},
                    {"form_type": "SB28A", "schema": "INDIVIDUAL_REFUNDS", "payee_last_name": "Turing", "expenditure_date": "2026-05-05",
                     "expenditure_amount": 25.50, "expenditure_purpose_descrip": "Refund: excessive contribution", "back_ref": 2},
                    {"form_type": "SB28A", "schema": "INDIVIDUAL_REFUNDS", "payee_last_name": "Nunez", "expenditure_date": "2026-06-03",
                     "expenditure_amount": 50.00, "back_ref": 3}
                ]
            },
            {
                "path": dir.join("lovelace.fec"),
                "role": "recipient",
                "summary": {
                    "form_type": "F3N",
                    "filer_committee_id_number": "C00111111",
                    "election_state": "CA",
                    "election_district": "12",
                    "treasurer_last_name": "Babbage",
                    // R1 300.00 + R2 (125.50 less the 25.50 refunded) 100.00
                    "L11ai_individuals_itemized_period": 400.00,
                    "L6a_total_contributions_period": 400.00,
                    "L16_total_receipts_period": 400.00,
                    "L23_cash_on_hand_beginning_reporting_period": 0.0,
                    "L27_cash_on_hand_at_close_period": 400.00,
                    // plus R0's 100.00 from March
                    "L11ai_individuals_itemized_ytd": 500.00
                },
                "lines": [
                    {"form_type": "SA11AI", "schema": "EARMARK_RECEIPT", "contributor_last_name": "Nunez", "contribution_date": "2026-04-10",
                     "contribution_amount": 300.00, "contribution_aggregate": 400.00, "contribution_purpose_descrip": "Earmarked through Cohort PAC",
                     "conduit_name": "Cohort PAC", "conduit_city": "San Francisco", "memo_code": null},
                    {"form_type": "SA11AI", "schema": "EARMARK_MEMO", "contributor_organization_name": "Cohort PAC", "entity_type": "COM",
                     "contribution_amount": 300.00, "contribution_aggregate": 400.00, "donor_committee_fec_id": "C00900001", "memo_code": "X",
                     "memo_text_description": "Earmarked contribution from Jose Nunez forwarded by Cohort PAC (C00900001)", "back_ref": 0},
                    {"form_type": "SA11AI", "schema": "EARMARK_RECEIPT", "contributor_last_name": "Turing", "contribution_date": "2026-05-02",
                     "contribution_amount": 100.00, "contribution_aggregate": 100.00, "memo_code": null},
                    {"form_type": "SA11AI", "schema": "EARMARK_MEMO", "contributor_organization_name": "Cohort PAC",
                     "contribution_amount": 100.00, "contribution_aggregate": 500.00, "memo_code": "X", "back_ref": 2}
                ]
            },
            {
                "path": dir.join("hopper.fec"),
                "role": "recipient",
                "summary": {
                    "form_type": "F3N",
                    "filer_committee_id_number": "C00222222",
                    "election_state": "TX",
                    "election_district": "00",
                    "L11ai_individuals_itemized_period": 150.00,
                    "L23_cash_on_hand_beginning_reporting_period": 1000.00,
                    "L27_cash_on_hand_at_close_period": 1150.00,
                    "L11ai_individuals_itemized_ytd": 190.00
                },
                "lines": [
                    {"form_type": "SA11AI", "schema": "EARMARK_RECEIPT", "contributor_last_name": "Nunez", "contribution_amount": 150.00,
                     "election_code": "G2026", "contribution_aggregate": 150.00},
                    {"form_type": "SA11AI", "schema": "EARMARK_MEMO", "contribution_amount": 150.00, "memo_code": "X", "back_ref": 0}
                ]
            }
        ]
    });
    let expected_path = dir.join("expected.json");
    std::fs::write(
        &expected_path,
        serde_json::to_string_pretty(&expected).unwrap(),
    )
    .unwrap();
    run_python("fec_check.py", &[&expected_path]);
}

#[test]
fn the_actblue_csv_reads_back_with_pythons_csv_module() {
    let w = world();
    let dir = scratch_dir("csv");
    let csv = contributions_csv(&w.ledger, &w.directory, &w.lovelace.id, &q2(day(1, 1))).unwrap();
    assert!(csv
        .starts_with("Receipt ID,Date,Amount,Recurring Total Months,Recurrence Number,Recipient,"));
    assert!(csv.ends_with("\r\n"));
    std::fs::write(dir.join("lovelace.csv"), &csv).unwrap();

    // The batch that paid Lovelace on May 8: just R2's 100.00.
    let mut ledger = w.ledger.clone();
    ledger
        .receive(ReceiptInput {
            id: ReceiptId("R4".into()),
            contributor: ContributorId("donor-turing".into()),
            received_on: day(6, 20),
            earmarks: vec![EarmarkInput {
                committee: w.lovelace.id.clone(),
                election: "P2026".parse().unwrap(),
                amount: Cents(2_000),
            }],
        })
        .unwrap();
    ledger.clear(&ReceiptId("R4".into()), day(6, 21)).unwrap();
    let batch = ledger
        .forwarding_batch(&w.lovelace.id, BatchId("B-JUN22-L".into()), day(6, 22))
        .unwrap();
    std::fs::write(
        dir.join("batch.csv"),
        batch_csv(&ledger, &w.directory, &batch).unwrap(),
    )
    .unwrap();

    let expected = json!({
        "columns": COLUMNS.to_vec(),
        "files": [
            {
                "path": dir.join("lovelace.csv"),
                "rows": [
                    {"Receipt ID": "R1", "Date": "2026-04-10", "Amount": "300.00", "Recipient": "Lovelace for Congress",
                     "Donor First Name": "José", "Donor Last Name": "Núñez", "Donor Addr1": "12 Mission St", "Donor Addr2": "Apt 4, Rear",
                     "Donor City": "San Francisco", "Donor State": "CA", "Donor ZIP": "941101234", "Donor Country": "United States",
                     "Donor Occupation": "Engineer", "Donor Employer": "Smith, Jones & \"Co\"", "Donor Email": "jose@example.com",
                     "Recipient Gov ID": "C00111111", "Recipient Election": "P2026",
                     "Disbursement ID": "B-APR15-L", "Disbursement Date": "2026-04-15", "Refund Date": ""},
                    {"Receipt ID": "R2", "Amount": "125.50", "Donor Last Name": "Turing", "Donor Employer": "",
                     "Disbursement ID": "B-MAY8-L", "Refund Date": "2026-05-05"},
                    {"Receipt ID": "R3", "Amount": "50.00", "Disbursement ID": "", "Refund Date": "2026-06-03"}
                ]
            },
            {
                "path": dir.join("batch.csv"),
                "rows": [
                    {"Receipt ID": "R4", "Amount": "20.00", "Donor Last Name": "Turing", "Disbursement ID": "B-JUN22-L", "Disbursement Date": "2026-06-22"}
                ]
            }
        ]
    });
    let expected_path = dir.join("expected.json");
    std::fs::write(
        &expected_path,
        serde_json::to_string_pretty(&expected).unwrap(),
    )
    .unwrap();
    run_python("csv_check.py", &[&expected_path]);
}

#[test]
fn reports_refuse_what_they_cannot_write_and_say_why() {
    let w = world();
    let mut directory = w.directory.clone();
    // A recipient without its candidate on record cannot get an SB23 line.
    directory
        .committees
        .get_mut(&w.hopper.id)
        .unwrap()
        .candidate = None;
    let err = conduit_filing(&w.ledger, &w.conduit, &directory, &q2(day(1, 1))).unwrap_err();
    assert!(err.to_string().contains("C00222222"), "{err}");
    assert!(err.to_string().contains("line 23"), "{err}");

    let mut backwards = q2(day(1, 1));
    backwards.from = day(7, 1);
    let err = conduit_filing(&w.ledger, &w.conduit, &w.directory, &backwards).unwrap_err();
    assert!(err.to_string().contains("backwards"), "{err}");

    let mut bad_code = q2(day(1, 1));
    bad_code.report_code = "q2".into();
    let err = recipient_filing(
        &w.ledger,
        &w.conduit,
        &w.lovelace,
        &w.directory,
        &bad_code,
        Cents::ZERO,
    )
    .unwrap_err();
    assert!(err.to_string().contains("\"q2\""), "{err}");

    // A contributor the books name but the directory lacks.
    let mut directory = w.directory.clone();
    directory.contributors.clear();
    let err = contributions_csv(&w.ledger, &directory, &w.lovelace.id, &q2(day(1, 1))).unwrap_err();
    assert!(err.to_string().contains("donor-nunez"), "{err}");
}
