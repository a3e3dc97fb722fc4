//! Cohort in headless Chromium (Debian's, through chromedriver), with
//! axe-core on every page: one test binary, a module per area. At most
//! `COHORT_BROWSERS` (2) Chromiums run at once (`cohort_testkit::webdriver`).
//! A new area: `<area>.rs` beside this file and a `mod <area>;` line below.

mod browser;
mod browser_brigade;
mod browser_candidate_pages;
mod browser_coalition;
mod browser_congress;
mod browser_conversation;
mod browser_digest;
mod browser_governing;
mod browser_joint_events;
mod browser_log_receipts;
mod browser_payments;
mod browser_people_import;
mod browser_people_import_file;
mod browser_pledge_flow;
mod browser_pledge_import;
mod browser_scorecard;
mod browser_teams;
