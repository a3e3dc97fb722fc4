//! What Cohort's tests share: the one test app (`TestApp::sqlite()` and
//! `TestApp::postgres()`, the `both_backends!` macro), the two browser
//! clients (`jar`: plain HTTP with cookies and CSRF; `webdriver`: headless
//! Chromium), fresh databases (`ScratchPg`), fixture builders (`seed`,
//! `publish`, `record_committees`, …), the SMTP and Stripe stand-ins, and
//! the Python oracles (`python`).
//!
//! # Where a test goes
//!
//! - A pure function of a pure crate: a unit test in that crate's `src`, or
//!   `crates/<crate>/tests/<area>.rs`; a Python oracle through
//!   `cohort_testkit::python` (dev-dependency with `default-features = false`).
//! - A use case against the engine and a real store, no HTTP:
//!   `crates/engine/tests/<area>.rs` (like `unlock.rs`).
//! - Store conformance on both databases: `crates/store/src/conformance/`
//!   (run by `crates/store-sqlite/tests` and `crates/store-postgres/tests`).
//! - Anything over HTTP (API, pages, forms, email, payments) on both
//!   backends: a module `crates/web/tests/http/<area>.rs`, named in
//!   `crates/web/tests/http/main.rs`.
//! - Anything in headless Chromium: a module
//!   `crates/web/tests/browser/<area>.rs`, named in
//!   `crates/web/tests/browser/main.rs`.
//! - Anything that runs the built `cohort` binary
//!   (`env!("CARGO_BIN_EXE_cohort")`): a module `crates/cli/tests/cli/<area>.rs`,
//!   named in `crates/cli/tests/cli/main.rs`.
//! - A rule about the code itself (layers, file sizes): `crates/cli/tests/tidy.rs`.
//!
//! A test module starts with `use cohort_testkit as common;` and calls
//! `both_backends!(…)` (the binary's `main.rs` has
//! `#[macro_use] extern crate cohort_testkit;`).

#[cfg(feature = "app")]
mod app;
#[cfg(feature = "app")]
pub use app::*;

pub mod python;
