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
use axum::Extension;
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

const PLEDGE_JS: &str = include_str!("../static/pledge.js");

pub(crate) async fn pledge_script() -> Response {
    crate::pages::asset("text/javascript; charset=utf-8", PLEDGE_JS)
}

/// 303 to `to`, optionally setting the session cookie. A target that is not
/// a valid header value goes home instead of failing.
pub(crate) fn see_other(to: &str, cookie: Option<HeaderValue>) -> Response {
    let to = if HeaderValue::from_str(to).is_ok() {
        to
    } else {
        tracing::warn!(target = ?to, "a redirect target that is no header value");
        "/"
    };
    let mut res = Redirect::to(to).into_response();
    if let Some(c) = cookie {
        res.headers_mut().append(SET_COOKIE, c);
    }
    res
}

/// The sign-in page for the public, with where to come back to.
pub(crate) fn sign_in_first(path: &str) -> Response {
    see_other(&format!("/sign-in?next={}", urlencode(path)), None)
}

pub(crate) fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|e| e.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

/// Where to go after signing in: `/me` when no `next` was given, `next`
/// when it is a [`LocalPath`], else the home page (never another site).
fn safe_next(next: Option<&str>) -> String {
    match next {
        None => "/me".to_owned(),
        Some(n) => LocalPath::or(Some(n), "/"),
    }
}

pub(crate) fn message(e: EngineError) -> String {
    ApiError::from(e).message
}

/// What a form does after its use case ran: on success, go to `to`; a
/// refusal the person can fix goes back to the form with the reason
/// (`again`); anything else is an error page.
pub(crate) async fn after_form<T, F, Fut>(
    result: Result<T, EngineError>,
    to: &str,
    again: F,
) -> Result<Response, PageError>
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = Result<Response, PageError>>,
{
    match result {
        Ok(_) => Ok(see_other(to, None)),
        Err(e) => again(fixable(e)?).await,
    }
}

/// A refusal the person can fix in the form (bad input, or a state that
/// conflicts) becomes a message on the page they came from; anything else
/// becomes an error page.
pub(crate) fn fixable(e: EngineError) -> Result<String, PageError> {
    match e {
        EngineError::Invalid { .. } | EngineError::Conflict { .. } => Ok(message(e)),
        other => Err(other.into()),
    }
}

// ---------------------------------------------------------------- sign-in

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
    notice: Option<String>,
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

pub(crate) fn role_label(role: Role) -> &'static str {
    match role {
        Role::Organizer => "an organizer",
        Role::Candidate => "a campaign account",
        Role::Partner => "a partner organization's admin",
    }
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

// ---------------------------------------------------------------- pledges as people read them

/// A pledge formatted for its pledger.
pub(crate) struct PledgeCard {
    id: i64,
    slate: String,
    slate_name: String,
    what: String,
    status: String,
    status_label: String,
    condition_text: String,
    deadline: String,
    allocations: Vec<String>,
    unallocated: Option<String>,
    cancellable: bool,
    stoppable: bool,
    /// Pauses "only while the bloc holds" (issue 15), oldest first.
    pauses: Vec<cohort_engine::PauseView>,
}

fn describe(v: &PledgeView) -> String {
    if let Some(c) = v.amount_cents {
        let amount = Cents(c);
        return if v.recurring.as_deref() == Some("monthly") {
            format!("{amount} a month")
        } else {
            amount.to_string()
        };
    }
    if let (Some(h), Some(w)) = (v.hours_per_week, v.weeks) {
        return format!("{h} hours a week for {w} weeks");
    }
    if let Some(a) = &v.actions {
        return format!("{} doors, {} calls, {} texts", a.doors, a.calls, a.texts);
    }
    v.kind.clone()
}

fn status_label(status: &str) -> String {
    match status {
        "pending" => "Locked: waiting for the condition".into(),
        "unlocked" => "Unlocked".into(),
        "fulfilled" => "Fulfilled".into(),
        "expired" => "Expired: the deadline passed; nothing was charged".into(),
        "cancelled" => "Cancelled".into(),
        "payment_failed" => {
            "Payment failed: the card was not fixed in time; nothing was charged".into()
        }
        "stopped" => {
            "Stopped: no new month is split or charged; the months already given stay with the candidates"
                .into()
        }
        other => other.to_owned(),
    }
}

fn card(v: &PledgeView, slate: &SlateView) -> PledgeCard {
    let names: HashMap<&str, &str> = slate
        .candidates
        .iter()
        .map(|c| (c.slug.as_str(), c.name.as_str()))
        .collect();
    PledgeCard {
        id: v.id,
        slate: v.slate.clone(),
        slate_name: slate.name.clone(),
        what: describe(v),
        status: v.status.clone(),
        status_label: status_label(&v.status),
        condition_text: v.condition_text.clone(),
        deadline: v.deadline.clone(),
        allocations: v
            .allocations
            .iter()
            .map(|a| {
                let month = if a.period > 0 {
                    format!(", month {}", a.period + 1)
                } else {
                    String::new()
                };
                format!(
                    "{} to {} ({} election{month})",
                    Cents(a.cents),
                    names
                        .get(a.candidate.as_str())
                        .copied()
                        .unwrap_or(&a.candidate),
                    a.election
                )
            })
            .collect(),
        unallocated: (v.unallocated_cents > 0).then(|| Cents(v.unallocated_cents).to_string()),
        cancellable: cancellable(&v.status),
        stoppable: stoppable(&v.status, v.recurring.as_deref()),
        pauses: v.pauses.clone(),
    }
}

struct RoleLink {
    href: String,
    label: String,
}

fn role_link(r: &RoleView) -> Option<RoleLink> {
    let slate = r.slate.as_ref()?;
    let slate_name = r.slate_name.clone().unwrap_or_default();
    Some(match r.role {
        Role::Organizer => RoleLink {
            href: format!("/slates/{slate}/organize"),
            label: format!("Organize {slate_name}"),
        },
        Role::Candidate => RoleLink {
            href: format!(
                "/slates/{slate}/campaign?candidate={}",
                r.candidate.clone().unwrap_or_default()
            ),
            label: format!(
                "Campaign dashboard: {} on {slate_name}",
                r.candidate_name.clone().unwrap_or_default()
            ),
        },
        Role::Partner => RoleLink {
            href: format!(
                "/slates/{slate}/partners/{}",
                r.partner.clone().unwrap_or_default()
            ),
            label: format!("Your partner organization's page on {slate_name}"),
        },
    })
}

#[derive(Template)]
#[template(path = "me.html")]
struct MePage {
    csrf: String,
    email: String,
    name: String,
    prefs: String,
    has_password: bool,
    pledges: Vec<PledgeCard>,
    roles: Vec<RoleLink>,
    notice: Option<String>,
    problem: Option<String>,
}

async fn slate_views(
    engine: &Engine,
    pledges: &[PledgeView],
) -> Result<HashMap<String, SlateView>, PageError> {
    let mut slates = HashMap::new();
    for p in pledges {
        if !slates.contains_key(&p.slate) {
            slates.insert(p.slate.clone(), engine.slate_view(&p.slate).await?);
        }
    }
    Ok(slates)
}

async fn me_page(
    engine: &Engine,
    viewer: &Viewer,
    notice: Option<String>,
    problem: Option<String>,
) -> Result<Response, PageError> {
    let Some(account) = viewer.actor.account() else {
        return Ok(sign_in_first("/me"));
    };
    let views = engine.my_pledges(account).await?;
    let slates = slate_views(engine, &views).await?;
    let pledges = views
        .iter()
        .filter_map(|v| slates.get(&v.slate).map(|s| card(v, s)))
        .collect();
    let mut roles: Vec<RoleLink> = engine
        .roles(account)
        .await?
        .iter()
        .filter_map(role_link)
        .collect();
    if viewer
        .actor
        .grants()
        .iter()
        .any(|g| g.role == Role::Organizer && g.slate_id.is_none())
    {
        for s in engine.slates().await? {
            roles.push(RoleLink {
                href: format!("/slates/{}/organize", s.slug),
                label: format!("Organize {}", s.name),
            });
        }
    }
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(html(
        status,
        &MePage {
            csrf: viewer.csrf.clone(),
            email: account.user.email.to_string(),
            name: account.user.name.clone(),
            prefs: account.user.email_prefs.as_str().to_owned(),
            has_password: account.user.password_hash.is_some(),
            pledges,
            roles,
            notice,
            problem,
        },
    ))
}

pub(crate) async fn me(
    State(engine): State<Engine>,
    viewer: Viewer,
    Query(q): Query<NextQuery>,
) -> Result<Response, PageError> {
    let notice = q.notice.as_deref().and_then(|n| match n {
        "cancelled" => Some(CANCELLED.to_owned()),
        "stopped" => Some(STOPPED.to_owned()),
        "saved" => Some("Saved.".to_owned()),
        "password" => Some("Your password is set.".to_owned()),
        _ => None,
    });
    me_page(&engine, &viewer, notice, None).await
}

pub(crate) async fn cancel_mine(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let account = viewer.account()?;
    let done = engine.cancel_mine(account, id).await;
    let to = format!("/me?notice={}", done.as_ref().map_or("", |e| notice_of(*e)));
    after_form(done, &to, |problem| {
        me_page(&engine, &viewer, None, Some(problem))
    })
    .await
}

#[derive(Debug, Deserialize)]
pub(crate) struct ProfileForm {
    name: String,
    email_prefs: String,
}

pub(crate) async fn update_profile(
    State(engine): State<Engine>,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> Result<Response, PageError> {
    let account = viewer.account()?;
    let done = engine
        .update_profile(account, &form.name, &form.email_prefs)
        .await;
    after_form(done, "/me?notice=saved", |problem| {
        me_page(&engine, &viewer, None, Some(problem))
    })
    .await
}

/// A field name as a person reads it.
pub(crate) fn field_label(field: &str) -> &str {
    match field {
        "donor.email" => "Email",
        "donor.name" => "Full name",
        "donor.attests_eligible" => "Eligibility",
        "donor.employer" => "Employer",
        "donor.occupation" => "Occupation",
        "donor.state" => "State",
        "amount_cents" | "amount" => "Amount",
        "hours_per_week" => "Hours a week",
        "condition" => "Condition",
        "must_sign" => "These candidates must sign",
        "min_signers" => "At least this many signatures",
        "min_pledged" => "At least this much pledged",
        "deadline" => "Deadline",
        "fec_committee_id" => "FEC committee id",
        "fec_candidate_id" => "FEC candidate id",
        "treasurer_first" | "treasurer_last" => "Treasurer",
        "street1" => "Street",
        "city" => "City",
        "state" => "State",
        "zip" => "ZIP code",
        other => other,
    }
}

// ---------------------------------------------------------------- a pledge's private page

#[derive(Template)]
#[template(path = "pledge.html")]
struct PledgePage {
    card: Option<CardForm>,
    pledge_only: bool,
    money: bool,
    csrf: String,
    p: PledgeCard,
    token: String,
    email: String,
    is_new: bool,
    notice: Option<String>,
    problem: Option<String>,
    /// An hours pledge whose pledger has no volunteer profile yet.
    needs_volunteer_profile: bool,
    /// The form's address with the supporter's own referral code.
    share_link: String,
    /// Its receipt commitment's place in the transparency log.
    proof: crate::log_proof::ProofBox,
    proof_intro: &'static str,
}

#[derive(Debug, Deserialize)]
pub(crate) struct TokenQuery {
    #[serde(default)]
    token: String,
    new: Option<String>,
    notice: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn pledge_page_for(
    engine: &Engine,
    viewer: &Viewer,
    config: &CardConfig,
    log_key: &LogKey,
    id: i64,
    token: &str,
    is_new: bool,
    said: Said,
) -> Result<Response, PageError> {
    // A money pledge gets its SetupIntent here if it has none yet (as the API does).
    let view = engine
        .with_payment(engine.pledge_view(id, token).await?)
        .await;
    let slate = engine.slate_view(&view.slate).await?;
    let email = match viewer.actor.account() {
        Some(a) => a.user.email.to_string(),
        None => "your email".to_owned(),
    };
    let card_form = CardForm::for_view(config, &view, token);
    let share_link = format!(
        "{}/slates/{}/pledge?ref={}",
        engine.public_url(),
        view.slate,
        engine.share_code(id, token).await?
    );
    let proof = crate::log_proof::ProofBox::new(
        engine.public_url(),
        log_key,
        engine.pledge_log_place(id, token).await?,
        Some(cohort_engine::log::receipt_commitment(id, token)),
        Some(format!("{id}:{token}")),
    );
    let (notice, problem) = match said {
        Said::Nothing => (None, None),
        Said::Notice(n) => (Some(n.to_owned()), None),
        Said::Problem(p) => (None, Some(p)),
    };
    // A refusal shown on the receipt (stopping a pledge that can't stop) is a conflict.
    let refused = problem.is_some();
    let mut page = crate::card::render(
        card_form.as_ref().and_then(CardForm::csp),
        &PledgePage {
            card: card_form,
            pledge_only: !engine.collects_payments(),
            money: view.kind == "money",
            needs_volunteer_profile: view.needs_volunteer_profile,
            share_link,
            csrf: viewer.csrf.clone(),
            p: card(&view, &slate),
            token: token.to_owned(),
            email,
            is_new,
            notice,
            problem,
            proof,
            proof_intro: PROOF_INTRO,
        },
    );
    if refused {
        *page.status_mut() = StatusCode::CONFLICT;
    }
    Ok(page)
}

const PROOF_INTRO: &str = "Your pledge is in Cohort's public, append-only log as a commitment: \
     a hash that shows neither your name nor the amount, and that only this page's holder can tie to the pledge. \
     Once the log has it, no one — not even Cohort's operators — can remove or change it without every auditor noticing.";

/// What the receipt page says above the pledge.
enum Said {
    Nothing,
    /// What the supporter's last action did.
    Notice(&'static str),
    /// Why the supporter's last action was refused.
    Problem(String),
}

pub(crate) async fn pledge_page(
    State(engine): State<Engine>,
    viewer: Viewer,
    Extension(config): Extension<CardConfig>,
    Extension(log_key): Extension<LogKey>,
    ApiPath(id): ApiPath<i64>,
    Query(q): Query<TokenQuery>,
) -> Result<Response, PageError> {
    let said = match q.notice.as_deref() {
        Some("cancelled") => Said::Notice(CANCELLED),
        Some("stopped") => Said::Notice(STOPPED),
        _ => Said::Nothing,
    };
    pledge_page_for(
        &engine,
        &viewer,
        &config,
        &log_key,
        id,
        &q.token,
        q.new.is_some(),
        said,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub(crate) struct TokenForm {
    token: String,
}

pub(crate) async fn pledge_cancel(
    State(engine): State<Engine>,
    ApiPath(id): ApiPath<i64>,
    CsrfForm(form): CsrfForm<TokenForm>,
) -> Result<Response, PageError> {
    let ended = engine.cancel(id, &form.token).await?;
    Ok(see_other(
        &format!(
            "/pledges/{id}?token={}&notice={}",
            form.token,
            notice_of(ended)
        ),
        None,
    ))
}

/// The receipt page's "Stop this monthly pledge": back to the receipt with
/// a notice, or the receipt again saying why it can't be stopped.
pub(crate) async fn pledge_stop(
    State(engine): State<Engine>,
    viewer: Viewer,
    Extension(config): Extension<CardConfig>,
    Extension(log_key): Extension<LogKey>,
    ApiPath(id): ApiPath<i64>,
    CsrfForm(form): CsrfForm<TokenForm>,
) -> Result<Response, PageError> {
    let done = engine.stop(id, &form.token).await;
    after_form(
        done,
        &format!("/pledges/{id}?token={}&notice=stopped", form.token),
        |problem| {
            pledge_page_for(
                &engine,
                &viewer,
                &config,
                &log_key,
                id,
                &form.token,
                false,
                Said::Problem(problem),
            )
        },
    )
    .await
}

const CANCELLED: &str = "Your pledge is cancelled. Nothing will be charged.";
const STOPPED: &str = "Your monthly pledge is stopped: no new month will be split or charged. \
     The months already given stay with the candidates.";

fn notice_of(ended: Ended) -> &'static str {
    match ended {
        Ended::Cancelled => "cancelled",
        Ended::Stopped => "stopped",
    }
}

// ---------------------------------------------------------------- campaign dashboard

struct Fellow {
    slug: String,
    name: String,
    race: String,
    signed: bool,
    endorsed: bool,
    endorses_me: bool,
}

#[derive(Template)]
#[template(path = "campaign.html")]
struct CampaignPage {
    csrf: String,
    slug: String,
    slate_name: String,
    candidate: String,
    name: String,
    notice: Option<String>,
    problem: Option<String>,
    blocking: Vec<String>,
    waiting_label: &'static str,
    waiting: String,
    waiting_hours: i64,
    unlocked: String,
    contributions: i64,
    version: Option<i32>,
    signed_version: Option<i32>,
    changes_since: i32,
    added: Vec<String>,
    removed: Vec<String>,
    commitments: Vec<String>,
    planks: Vec<cohort_core::model::Plank>,
    fellows: Vec<Fellow>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct CandidateQuery {
    candidate: Option<String>,
    notice: Option<String>,
}

pub(crate) async fn campaign_page_for(
    engine: &Engine,
    viewer: &Viewer,
    slug: &str,
    wanted: Option<&str>,
    notice: Option<String>,
    problem: Option<String>,
) -> Result<Response, PageError> {
    if viewer.actor.account().is_none() {
        return Ok(sign_in_first(&format!("/slates/{slug}/campaign")));
    }
    let slate = engine.slate_view(slug).await?;
    let slugs = engine.my_campaigns(&viewer.actor, slug).await?;
    let mine: Vec<&cohort_engine::CandidateView> = slate
        .candidates
        .iter()
        .filter(|c| slugs.contains(&c.slug))
        .collect();
    let me = match wanted {
        Some(w) => mine.iter().find(|c| c.slug == w).copied(),
        None => mine.first().copied(),
    };
    let Some(me) = me else {
        return Err(EngineError::Forbidden(format!(
            "only a candidate's own campaign account may open the campaign dashboard of {}",
            slate.name
        ))
        .into());
    };
    let totals = engine
        .campaign_totals(&viewer.actor, slug, &me.slug)
        .await?;
    // Before signing: what signing would bring. After: this campaign's share
    // of what is still locked, which reaches it when the slate unlocks.
    let (waiting_label, waiting) = if me.signed {
        (
            if slate.blocking.is_empty() {
                "Still locked for you (pledges with their own conditions)"
            } else {
                "Reaches you when the slate unlocks"
            },
            slate.on_unlock.iter().find(|w| w.candidate == me.slug),
        )
    } else {
        (
            "Waiting for you if you sign",
            slate.waiting.iter().find(|w| w.candidate == me.slug),
        )
    };
    let (version, commitments, planks) = match &slate.compact {
        Some(c) => (Some(c.version), c.commitments.clone(), c.planks.clone()),
        None => (None, Vec::new(), Vec::new()),
    };
    let changes = match &slate.compact {
        Some(latest) => {
            // Changes since the version this account last saw; on a first
            // look, since the version the candidate signed.
            let last_seen = engine
                .saw_compact(&viewer.actor, slug, latest.version)
                .await?;
            engine
                .compact_changes(slug, last_seen.or(me.signed_version), latest)
                .await?
        }
        None => Default::default(),
    };
    let fellows = slate
        .candidates
        .iter()
        .filter(|c| c.slug != me.slug)
        .map(|c| Fellow {
            slug: c.slug.clone(),
            name: c.name.clone(),
            race: race_label(c),
            signed: c.signed,
            endorsed: slate
                .endorsements
                .iter()
                .any(|e| e.from == me.slug && e.to == c.slug),
            endorses_me: slate
                .endorsements
                .iter()
                .any(|e| e.from == c.slug && e.to == me.slug),
        })
        .collect();
    let status = if problem.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    Ok(html(
        status,
        &CampaignPage {
            csrf: viewer.csrf.clone(),
            slug: slate.slug.clone(),
            slate_name: slate.name.clone(),
            candidate: me.slug.clone(),
            name: me.name.clone(),
            notice,
            problem,
            blocking: slate.blocking.clone(),
            waiting_label,
            waiting: Cents(waiting.map_or(0, |w| w.cents)).to_string(),
            waiting_hours: waiting.map_or(0, |w| w.hours_per_week),
            unlocked: Cents(totals.0).to_string(),
            contributions: totals.1,
            version,
            signed_version: me.signed_version,
            changes_since: changes.since.unwrap_or(0),
            added: changes.added,
            removed: changes.removed,
            commitments,
            planks,
            fellows,
        },
    ))
}

pub(crate) async fn campaign_page(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    Query(q): Query<CandidateQuery>,
) -> Result<Response, PageError> {
    let notice = q.notice.as_deref().and_then(|n| match n {
        "signed" => Some(
            "Signed. Every pledge that was waiting on your signature has been re-checked."
                .to_owned(),
        ),
        "withdrawn" => Some("Your signature is withdrawn.".to_owned()),
        "endorsed" => Some("Endorsement recorded.".to_owned()),
        "unendorsed" => Some("Endorsement withdrawn.".to_owned()),
        _ => None,
    });
    campaign_page_for(
        &engine,
        &viewer,
        &slug,
        q.candidate.as_deref(),
        notice,
        None,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub(crate) struct CampaignForm {
    pub(crate) action: String,
    pub(crate) candidate: String,
    #[serde(default)]
    pub(crate) version: Option<i32>,
    #[serde(default)]
    to: Option<String>,
    /// The compact hash the candidate confirmed (issue 16: no signing unseen).
    #[serde(default)]
    pub(crate) hash: Option<String>,
    /// `yes` once a confirmation page was answered.
    #[serde(default)]
    pub(crate) confirm: Option<String>,
}

pub(crate) async fn campaign_action(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    CsrfForm(form): CsrfForm<CampaignForm>,
) -> Result<Response, PageError> {
    let actor = &viewer.actor;
    let c = form.candidate.as_str();
    let to = form.to.as_deref().unwrap_or("");
    let (outcome, done) = match form.action.as_str() {
        "sign" => return campaign_confirm::sign(&engine, &viewer, &slug, &form).await,
        "endorse_all" => {
            return campaign_confirm::endorse_all(&engine, &viewer, &slug, &form).await
        }
        "withdraw" => (engine.withdraw(actor, &slug, c).await, "withdrawn"),
        "endorse" => (engine.endorse(actor, &slug, c, to).await, "endorsed"),
        "unendorse" => (engine.unendorse(actor, &slug, c, to).await, "unendorsed"),
        other => {
            return Err(ApiError::invalid("action", format!("unknown action {other:?}")).into());
        }
    };
    match outcome {
        Ok(_) => Ok(see_other(
            &format!("/slates/{slug}/campaign?candidate={c}&notice={done}"),
            None,
        )),
        Err(e) => {
            campaign_page_for(&engine, &viewer, &slug, Some(c), None, Some(fixable(e)?)).await
        }
    }
}

/// What the new-slate form holds, as typed.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct SlateFields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    cycle: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    condition: String,
    #[serde(default)]
    action: String,
}

/// One form creates a slate and edits it; `editing` names the slate being
/// edited (its address and cycle are then fixed and shown, not asked for).
#[derive(Template)]
#[template(path = "new_slate.html")]
struct NewSlatePage {
    csrf: String,
    v: SlateFields,
    editing: Option<String>,
    english: Option<String>,
    problem: Option<String>,
}

fn slate_form_page(
    viewer: &Viewer,
    v: SlateFields,
    editing: Option<&str>,
    problem: Option<String>,
    status: StatusCode,
) -> Response {
    let english = cohort_core::Condition::parse(&v.condition)
        .ok()
        .map(|c| c.to_english());
    html(
        status,
        &NewSlatePage {
            csrf: viewer.csrf.clone(),
            v,
            editing: editing.map(str::to_owned),
            english,
            problem,
        },
    )
}

/// "Check the condition": the form again, with the condition in plain
/// English or the place it goes wrong. Writes nothing.
fn slate_form_checked(viewer: &Viewer, v: SlateFields, editing: Option<&str>) -> Response {
    let problem = cohort_core::Condition::parse(&v.condition)
        .err()
        .map(|e| format!("Condition: {e}"));
    slate_form_page(viewer, v, editing, problem, StatusCode::OK)
}

pub(crate) async fn edit_slate_form(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
) -> Result<Response, PageError> {
    if viewer.actor.account().is_none() {
        return Ok(sign_in_first(&format!("/slates/{slug}/organize/edit")));
    }
    let s = engine.slate_to_edit(&viewer.actor, &slug).await?;
    let v = SlateFields {
        name: s.name,
        slug: s.slug.clone(),
        cycle: s.cycle.to_string(),
        description: s.description,
        condition: s.condition,
        action: String::new(),
    };
    Ok(slate_form_page(
        &viewer,
        v,
        Some(&s.slug),
        None,
        StatusCode::OK,
    ))
}

pub(crate) async fn edit_slate(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    CsrfForm(v): CsrfForm<SlateFields>,
) -> Result<Response, PageError> {
    if v.action == "check" {
        // Checking writes nothing, but only the slate's organizers see the form.
        engine.slate_to_edit(&viewer.actor, &slug).await?;
        return Ok(slate_form_checked(&viewer, v, Some(&slug)));
    }
    let input = cohort_engine::SlateEdit {
        name: v.name.clone(),
        description: v.description.clone(),
        condition: v.condition.clone(),
    };
    match engine.update_slate(&viewer.actor, &slug, input).await {
        Ok(s) => Ok(see_other(
            &format!("/slates/{}/organize?notice=edited", s.slug),
            None,
        )),
        Err(EngineError::Invalid { field, message }) => {
            let problem = format!("{}: {message}", field_label(&field));
            Ok(slate_form_page(
                &viewer,
                v,
                Some(&slug),
                Some(problem),
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn new_slate_form(viewer: Viewer) -> Result<Response, PageError> {
    if viewer.actor.account().is_none() {
        return Ok(sign_in_first("/slates/new"));
    }
    viewer.actor.require_global_organizer()?;
    let v = SlateFields {
        cycle: "2028".into(),
        condition: "signers >= 3 and mutual".into(),
        ..SlateFields::default()
    };
    Ok(slate_form_page(&viewer, v, None, None, StatusCode::OK))
}

pub(crate) async fn create_slate(
    State(engine): State<Engine>,
    viewer: Viewer,
    CsrfForm(v): CsrfForm<SlateFields>,
) -> Result<Response, PageError> {
    viewer.actor.require_global_organizer()?;
    if v.action == "check" {
        return Ok(slate_form_checked(&viewer, v, None));
    }
    let input = cohort_engine::SlateInput {
        slug: v.slug.trim().to_owned(),
        name: v.name.clone(),
        cycle: match v.cycle.trim().parse() {
            Ok(c) => c,
            Err(_) => {
                let problem = format!("Election cycle: {:?} is not a year", v.cycle);
                return Ok(slate_form_page(
                    &viewer,
                    v,
                    None,
                    Some(problem),
                    StatusCode::UNPROCESSABLE_ENTITY,
                ));
            }
        },
        description: v.description.clone(),
        condition: v.condition.clone(),
    };
    match engine.create_slate(&viewer.actor, input).await {
        Ok(s) => Ok(see_other(
            &format!("/slates/{}/organize?notice=created", s.slug),
            None,
        )),
        Err(EngineError::Invalid { field, message }) => {
            let problem = format!("{}: {message}", field_label(&field));
            Ok(slate_form_page(
                &viewer,
                v,
                None,
                Some(problem),
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
        Err(e @ EngineError::Conflict { .. }) => {
            let problem = message(e);
            Ok(slate_form_page(
                &viewer,
                v,
                None,
                Some(problem),
                StatusCode::CONFLICT,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- CSV exports

/// One CSV field: quoted when it must be, and defused when a spreadsheet
/// would run it as a formula.
/// One CSV field: `cohort_core::csv`, the one writer every export uses.
#[cfg(test)]
fn csv_field(s: &str) -> String {
    cohort_core::csv::field(s)
}

pub(crate) fn csv(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    cohort_core::csv::write(header, rows)
}

pub(crate) fn csv_response(name: &str, body: String) -> Response {
    download(name, "text/csv; charset=utf-8", body)
}

/// A file to save: its type, its name, never cached.
pub(crate) fn download(name: &str, content_type: &str, body: String) -> Response {
    (
        [
            (CONTENT_TYPE, content_type.to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// Cents as exports write them (`1234.50`): `Cents`' plain form.
pub(crate) fn dollars(cents: i64) -> String {
    format!("{:#}", Cents(cents))
}

pub(crate) async fn export_allocations(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
) -> Result<Response, PageError> {
    let rows = engine.export_allocations(&viewer.actor, &slug).await?;
    let body = csv(
        &[
            "pledge_id",
            "installment",
            "unlocked_at",
            "candidate",
            "candidate_name",
            "election",
            "amount",
            "donor_name",
            "donor_email",
            "address",
            "city",
            "state",
            "zip",
            "employer",
            "occupation",
        ],
        rows.into_iter().map(|r| {
            vec![
                r.pledge.to_string(),
                r.period.to_string(),
                r.unlocked_at,
                r.candidate,
                r.candidate_name,
                r.election,
                dollars(r.cents),
                r.donor_name,
                r.email,
                r.address,
                r.city,
                r.state,
                r.zip,
                r.employer,
                r.occupation,
            ]
        }),
    );
    Ok(csv_response(&format!("{slug}-allocations.csv"), body))
}

pub(crate) async fn export_pledges(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
) -> Result<Response, PageError> {
    let rows = engine.export_pledges(&viewer.actor, &slug).await?;
    let body = csv(
        &[
            "pledge_id",
            "created_at",
            "status",
            "kind",
            "amount",
            "recurring",
            "hours_per_week",
            "weeks",
            "doors",
            "calls",
            "texts",
            "condition",
            "deadline",
            "donor_name",
            "donor_email",
            "address",
            "city",
            "state",
            "zip",
            "employer",
            "occupation",
            "attests_eligible",
            "ref",
        ],
        rows.into_iter().map(|p| {
            use cohort_core::model::PledgeKind;
            let (amount, recurring, hours, weeks) = match &p.kind {
                PledgeKind::Money { amount, recurring } => (
                    dollars(amount.get()),
                    recurring.as_str().to_owned(),
                    String::new(),
                    String::new(),
                ),
                PledgeKind::Hours {
                    hours_per_week,
                    weeks,
                    ..
                } => (
                    String::new(),
                    String::new(),
                    hours_per_week.to_string(),
                    weeks.to_string(),
                ),
                PledgeKind::Actions(_) => Default::default(),
            };
            let [doors, calls, texts] = match &p.kind {
                PledgeKind::Actions(a) => [a.doors, a.calls, a.texts].map(|n| n.to_string()),
                _ => Default::default(),
            };
            vec![
                p.id.to_string(),
                p.created_at.to_rfc3339(),
                p.status.as_str().to_owned(),
                p.kind.kind_str().to_owned(),
                amount,
                recurring,
                hours,
                weeks,
                doors,
                calls,
                texts,
                p.condition.canonical(),
                p.deadline.to_string(),
                p.donor.name,
                p.email.to_string(),
                p.donor.address,
                p.donor.city,
                p.donor.state,
                p.donor.zip,
                p.donor.employer,
                p.donor.occupation,
                p.donor.attests_eligible.to_string(),
                p.ref_code.unwrap_or_default(),
            ]
        }),
    );
    Ok(csv_response(&format!("{slug}-pledges.csv"), body))
}

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
