//! Cohort's books as a conduit of earmarked contributions.
//!
//! Cohort collects contributions donors earmark for candidates' committees and
//! forwards them, which makes it a conduit under 11 CFR 110.6. This crate is
//! the pure part of that job:
//!
//! * [`ledger`] — a double-entry ledger in integer cents: receipts, clearing,
//!   payables per committee, forwarding batches and refunds;
//! * [`check`] — the trial balance, the proof that the books balance to the
//!   cent, and what is due to forward (within 10 days, 11 CFR 102.8(a));
//! * [`records`] — committees (FEC ids, treasurer, address) and contributors;
//! * [`compliance`] — the donor's eligibility attestation and the disclosure
//!   FEC Advisory Opinion 2019-01 requires of a conditional earmark;
//! * [`report`] — the reports a treasurer files or imports: an ActBlue-style
//!   contribution CSV and FEC electronic filings (`.fec`, format 8.4).
//!
//! Nothing here does IO, awaits, or reads a clock: dates are passed in, and
//! every function takes plain values and returns values. The engine records
//! [`ledger::Event`]s, the store keeps them, and [`ledger::Ledger::replay`]
//! rebuilds the books from them.

pub mod check;
pub mod compliance;
pub mod ledger;
pub mod records;
pub mod report;

pub use cohort_core::money::Cents;
