//! Tests that run the built `cohort` binary (`env!("CARGO_BIN_EXE_cohort")`):
//! its commands, `cohort serve` killed and restarted, the independent
//! verifiers. One test binary, a module per area. A new area: `<area>.rs`
//! beside this file and a `mod <area>;` line below.

#[macro_use]
extern crate cohort_testkit;

mod api_tokens;
mod cli_errors;
mod consensus_cli;
mod conversation;
mod durability;
mod go_verifier;
mod governing;
mod log_crash;
mod log_receipts;
mod matching;
mod payments;
mod people_import;
mod pledge_import;
mod scale_out;
mod transparency_log;
