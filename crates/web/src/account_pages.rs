//! The account's own security pages: choose or change the password (asking
//! for the current one unless the session just followed an emailed link),
//! and sign out everywhere. Each action ends sessions in the engine.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use cohort_engine::Engine;
use serde::Deserialize;

use crate::app::{fixable, see_other, sign_in_first, Empty};
use crate::pages::{html, PageError};
use crate::session::{session_cookie, CsrfForm, Viewer};

/// `/me/security`, `/me/password` and `/sign-out/everywhere`.
pub(crate) fn routes() -> Router<Engine> {
    Router::new()
        .route("/me/security", get(security))
        .route("/me/password", post(change_password))
        .route("/sign-out/everywhere", post(sign_out_everywhere))
}

#[derive(Template)]
#[template(path = "security.html")]
struct SecurityPage {
    csrf: String,
    email: String,
    has_password: bool,
    notice: Option<String>,
    problem: Option<String>,
}

fn security_page(viewer: &Viewer, notice: Option<String>, problem: Option<String>) -> Response {
    let Some(account) = viewer.actor.account() else {
        return sign_in_first("/me/security");
    };
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    html(
        status,
        &SecurityPage {
            csrf: viewer.csrf.clone(),
            email: account.user.email.to_string(),
            has_password: account.user.password_hash.is_some(),
            notice,
            problem,
        },
    )
}

#[derive(Debug, Deserialize)]
pub(crate) struct NoticeQuery {
    notice: Option<String>,
}

async fn security(viewer: Viewer, Query(q): Query<NoticeQuery>) -> Response {
    let notice = match q.notice.as_deref() {
        Some("password") => {
            Some("Your password is saved, and every other session is signed out.".to_owned())
        }
        _ => None,
    };
    security_page(&viewer, notice, None)
}

#[derive(Debug, Deserialize)]
pub(crate) struct PasswordForm {
    #[serde(default)]
    current_password: String,
    password: String,
}

async fn change_password(
    State(engine): State<Engine>,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, PageError> {
    let account = viewer.account()?;
    let session = viewer.session.as_deref().unwrap_or_default();
    match engine
        .change_password(account, session, &form.current_password, &form.password)
        .await
    {
        Ok(()) => Ok(see_other("/me/security?notice=password", None)),
        Err(e) => Ok(security_page(&viewer, None, Some(fixable(e)?))),
    }
}

async fn sign_out_everywhere(
    State(engine): State<Engine>,
    viewer: Viewer,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    if let Some(token) = &viewer.session {
        engine.sign_out_everywhere(token).await?;
    }
    Ok(see_other("/", Some(session_cookie(None))))
}
