//! Cohort over HTTP on both databases: the JSON API, the pages and forms,
//! email, payments against localstripe. One test binary (one link of the
//! whole app); each former `tests/<area>.rs` is a module here. A new area:
//! `<area>.rs` beside this file and a `mod <area>;` line below.

#[macro_use]
extern crate cohort_testkit;

use cohort_testkit as common;

mod api;
mod api_tokens;
mod candidate_pages;
mod coalition;
mod congress;
mod conversation;
mod conversation_anonymous;
mod conversation_brigade;
mod conversation_map;
mod digest;
mod governing;
mod hardening_accounts;
mod hardening_edge;
mod hardening_secrets;
mod joint_events;
mod joint_pledges;
mod openapi;
mod organize_sections;
mod osdi;
mod osdi_links;
mod osdi_support;
mod payments;
mod people_import;
mod people_import_jobs;
mod pledge_flow;
mod pledge_import;
mod schemathesis;
mod scorecard;
mod teams;
mod transparency_log;
mod web;
