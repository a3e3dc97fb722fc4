//! The signed-in web app: sign-in, the supporter's dashboard, a pledge's
//! private page, the campaign dashboard, the slate form and the CSV
//! exports (the pledge form is `pledge_form`, the organizer's sections
//! `organize`). Every POST goes through [`CsrfForm`]; every page that
//! needs a role asks the engine, which refuses anyone without it.

mod campaign_confirm;

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Extension;
use axum::Router;
use cohort_core::model::{PledgeKind, PledgeStatus, Recurrence};
use cohort_core::Cents;
use cohort_engine::dashboards::{cancellable, stoppable, RoleView};
use cohort_engine::{Ended, Engine, EngineError, PasswordSignIn, PledgeView, SlateView};
use cohort_store::Role;
use serde::Deserialize;

use crate::card::{CardForm, Mode};
use crate::client_ip::ClientIp;
use crate::error::ApiError;
use crate::extract::ApiPath;
use crate::local_path::LocalPath;
use crate::log::LogKey;
use crate::pages::{html, race_label, PageError};
use crate::rate_limit::{too_many, Limiter};
use crate::session::{session_cookie, CsrfForm, Viewer};
use crate::CardConfig;

const PLEDGE_JS: &str = include_str!("../../static/pledge.js");

pub(crate) async fn pledge_script() -> Response {
    crate::pages::asset("text/javascript; charset=utf-8", PLEDGE_JS)
}

pub(crate) mod account;
pub(crate) mod campaign;
mod downloads;
pub(crate) mod exports;
pub(crate) mod me;
pub(crate) mod pledge;
mod respond;
pub(crate) mod slate_form;
pub(crate) use account::Empty;
use account::*;
use campaign::*;
pub(crate) use downloads::*;
use me::*;
use pledge::*;
pub(crate) use respond::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(dollars(3334), "33.34");
        assert_eq!(dollars(5), "0.05");
    }

    #[test]
    fn dollars_of_a_negative_amount_printed_minus_one_point_minus_fifty() {
        assert_eq!(dollars(-150), "-1.50");
        assert_eq!(dollars(-5), "-0.05");
        assert_eq!(dollars(120_000), "1200.00");
    }

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/slates/x/campaign")), "/slates/x/campaign");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/me");
    }
}
