//! Signing in (password or emailed link) and out, invitations and unsubscribing.

use super::*;

/// `/sign-in` (password or emailed link), `/sign-out`, `/invites/{token}` and `/unsubscribe/{token}`.
pub(crate) fn routes() -> Router<Engine> {
    Router::new()
        .route("/sign-in", get(sign_in_page).post(sign_in_password))
        .route("/sign-in/link", post(sign_in_link))
        .route(
            "/sign-in/{token}",
            get(sign_in_link_page).post(follow_sign_in_link),
        )
        .route("/sign-out", post(sign_out))
        .route("/invites/{token}", get(invite_page).post(accept_invite))
        .route(
            "/unsubscribe/{token}",
            get(unsubscribe_page).post(unsubscribe),
        )
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    csrf: String,
    email: String,
    problem: Option<String>,
    sent: bool,
}

#[derive(Debug, Deserialize)]
pub(crate) struct NextQuery {
    next: Option<String>,
    pub(super) notice: Option<String>,
}

pub(crate) async fn sign_in_page(viewer: Viewer, Query(q): Query<NextQuery>) -> Response {
    if viewer.actor.account().is_some() {
        return see_other(&safe_next(q.next.as_deref()), None);
    }
    html(
        StatusCode::OK,
        &SignInPage {
            csrf: viewer.csrf,
            email: String::new(),
            problem: None,
            sent: false,
        },
    )
}

#[derive(Debug, Deserialize)]
pub(crate) struct PasswordForm {
    email: String,
    password: String,
}

pub(crate) async fn sign_in_password(
    State(engine): State<Engine>,
    viewer: Viewer,
    limiter: Limiter,
    client: ClientIp,
    Query(q): Query<NextQuery>,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Response {
    if let Err(wait) = limiter.attempt(client.0) {
        return too_many(wait);
    }
    match engine
        .sign_in_with_password_from(&form.email, &form.password, client.0)
        .await
    {
        Ok(PasswordSignIn::TryLater { seconds }) => too_many(seconds),
        Ok(PasswordSignIn::SignedIn(session)) => {
            signed_in(&engine, &viewer, &session.0, &safe_next(q.next.as_deref())).await
        }
        Err(e) => {
            let e = ApiError::from(e);
            html(
                e.status,
                &SignInPage {
                    csrf: viewer.csrf,
                    email: form.email,
                    problem: Some(e.message),
                    sent: false,
                },
            )
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct EmailForm {
    email: String,
}

/// Ask for a sign-in link. Every well-formed request gets the same answer,
/// whether or not the address has an account and whether or not a link went
/// out (the engine sends at most a few an hour to one address).
pub(crate) async fn sign_in_link(
    State(engine): State<Engine>,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> Response {
    let (status, problem, sent) = match engine.request_sign_in(&form.email).await {
        Ok(()) => (StatusCode::OK, None, true),
        Err(e) => {
            let e = ApiError::from(e);
            (e.status, Some(e.message), false)
        }
    };
    html(
        status,
        &SignInPage {
            csrf: viewer.csrf,
            email: form.email,
            problem,
            sent,
        },
    )
}

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage {
    csrf: String,
    heading: String,
    lines: Vec<String>,
    action: Option<String>,
    button: String,
}

/// Links in emails only show a button: mail scanners that fetch links must
/// not use up a one-time sign-in or accept an invitation.
pub(crate) async fn sign_in_link_page(viewer: Viewer, ApiPath(token): ApiPath<String>) -> Response {
    html(
        StatusCode::OK,
        &ConfirmPage {
            csrf: viewer.csrf,
            heading: "Sign in to Cohort".into(),
            lines: vec!["Press the button to finish signing in on this device.".into()],
            action: Some(format!("/sign-in/{token}")),
            button: "Sign in".into(),
        },
    )
}

#[derive(Debug, Deserialize)]
pub(crate) struct Empty {}

pub(crate) async fn follow_sign_in_link(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(token): ApiPath<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let session = engine.sign_in_with_link(&token).await?;
    Ok(signed_in(&engine, &viewer, &session.0, "/me").await)
}

/// Signed in: the session cookie, and the votes this browser cast as an
/// anonymous participant of a conversation (issue 16) moved to the account.
/// Should that fail, the participant cookie stays and the next vote tries
/// again.
async fn signed_in(engine: &Engine, viewer: &Viewer, session: &str, to: &str) -> Response {
    let mut res = see_other(to, Some(session_cookie(Some(session))));
    if let Some(secret) = &viewer.participant {
        let claimed = match engine.session(session).await {
            Ok(actor) => engine.claim_visitor_votes(&actor, secret).await,
            Err(e) => Err(e),
        };
        match claimed {
            Ok(_) => {
                if let Some(c) = viewer.participant_cookie(None) {
                    res.headers_mut().append(SET_COOKIE, c);
                }
            }
            Err(e) => tracing::warn!(error = %e, "anonymous votes were not moved at sign-in"),
        }
    }
    res
}

pub(crate) async fn sign_out(
    State(engine): State<Engine>,
    viewer: Viewer,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    if let Some(token) = &viewer.session {
        engine.sign_out(token).await?;
    }
    Ok(see_other("/", Some(session_cookie(None))))
}

pub(crate) async fn invite_page(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(token): ApiPath<String>,
) -> Result<Response, PageError> {
    let inv = engine.invitation(&token).await?;
    let what = match &inv.candidate {
        Some(name) => format!("the campaign account of {name}"),
        None => role_label(inv.role).to_owned(),
    };
    Ok(html(
        StatusCode::OK,
        &ConfirmPage {
            csrf: viewer.csrf,
            heading: format!("Join {}", inv.slate_name),
            lines: vec![format!(
                "{} is invited to be {what} on the slate {}.",
                inv.email, inv.slate_name
            )],
            action: Some(format!("/invites/{token}")),
            button: "Accept the invitation".into(),
        },
    ))
}

pub(crate) async fn accept_invite(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(token): ApiPath<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let inv = engine.invitation(&token).await?;
    let session = engine.accept_invite(&token).await?;
    let to = match inv.role {
        Role::Candidate => format!("/slates/{}/campaign", inv.slate),
        Role::Organizer => format!("/slates/{}/organize", inv.slate),
        Role::Partner => "/me".to_owned(),
    };
    Ok(signed_in(&engine, &viewer, &session.0, &to).await)
}

pub(crate) async fn unsubscribe_page(viewer: Viewer, ApiPath(token): ApiPath<String>) -> Response {
    html(
        StatusCode::OK,
        &ConfirmPage {
            csrf: viewer.csrf,
            heading: "Stop updates from Cohort".into(),
            lines: vec![
                "You will still get receipts for your pledges and the sign-in links you ask for."
                    .into(),
            ],
            action: Some(format!("/unsubscribe/{token}")),
            button: "Stop updates".into(),
        },
    )
}

pub(crate) async fn unsubscribe(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(token): ApiPath<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let email = engine.unsubscribe(&token).await?;
    Ok(html(
        StatusCode::OK,
        &ConfirmPage {
            csrf: viewer.csrf,
            heading: "Done: no more updates".into(),
            lines: vec![format!(
                "{email} will get no more updates from Cohort. Change this any time on your account page."
            )],
            action: None,
            button: String::new(),
        },
    ))
}
