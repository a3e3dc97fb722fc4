//! A slate's conversation as pages: vote one statement at a time (signed in
//! or, as on Pol.is, anonymously: a participant cookie holds a visitor's
//! votes until they sign in, issue 16), add a statement, see where you stand; the public results (the opinion map as
//! SVG, each group's representative statements, what every group agrees on);
//! and the organizers' moderation page (seed, approve, reject, adopt as a
//! plank). Every form goes through [`CsrfForm`]; the engine checks every role.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use cohort_engine::conversation::{Participation, Vote, STATEMENT_MAX};
use cohort_engine::Engine;
use serde::Deserialize;

use crate::app::{fixable, see_other, sign_in_first};
use crate::client_ip::ClientIp;
use crate::extract::ApiPath;
use crate::pages::{html, PageError};
use crate::rate_limit::{too_many_votes, VoteLimiter};
use crate::session::{CsrfForm, Viewer};

mod brigades;
mod labels;
mod map;
mod moderate;
mod results;

use map::Map;

const CSS: &str = include_str!("../../static/conversation.css");

/// The conversation's pages; merged into the page router (CSRF cookie layer).
pub(crate) fn routes() -> Router<Engine> {
    Router::new()
        .route("/slates/{slug}/conversation", get(participate))
        .route("/slates/{slug}/conversation/vote", post(vote))
        .route("/slates/{slug}/conversation/statements", post(add))
        .route("/slates/{slug}/conversation/results", get(results::results))
        .route(
            "/slates/{slug}/conversation/moderate",
            get(moderate::moderate_page),
        )
        .route(
            "/slates/{slug}/conversation/moderate",
            post(moderate::moderate),
        )
        .route("/slates/{slug}/conversation/seed", post(moderate::seed))
        .route("/slates/{slug}/conversation/adopt", post(moderate::adopt))
        .route(
            "/slates/{slug}/conversation/downweight",
            post(brigades::downweight),
        )
        .route("/static/conversation.css", get(stylesheet))
}

async fn stylesheet() -> Response {
    crate::pages::asset("text/css; charset=utf-8", CSS)
}

// ---------------------------------------------------------------- participate

#[derive(Template)]
#[template(path = "conversation.html")]
struct ParticipatePage {
    csrf: String,
    p: Participation,
    notice: Option<String>,
    problem: Option<String>,
    draft: String,
    map: Option<Map>,
    max: usize,
}

#[derive(Debug, Deserialize)]
pub(super) struct NoticeQuery {
    pub(super) notice: Option<String>,
}

async fn participate(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let notice = q.notice.as_deref().and_then(|n| match n {
        "voted" => Some("Vote saved.".to_owned()),
        "added" => Some(
            "Thank you. An organizer will review your statement before others see it.".to_owned(),
        ),
        "published" => Some("Your statement is in the conversation.".to_owned()),
        _ => None,
    });
    // A visitor without an account gets their participant secret now, so
    // that their statements come in their own order from the first one.
    let minted = (viewer.actor.account().is_none() && viewer.participant.is_none())
        .then(|| engine.new_secret());
    let mut res = participate_page(
        &engine,
        &viewer,
        minted.as_deref(),
        &slug,
        notice,
        None,
        String::new(),
    )
    .await?;
    if let Some(c) = minted.and_then(|m| viewer.participant_cookie(Some(&m))) {
        res.headers_mut().append(SET_COOKIE, c);
    }
    Ok(res)
}

async fn participate_page(
    engine: &Engine,
    viewer: &Viewer,
    minted: Option<&str>,
    slug: &str,
    notice: Option<String>,
    problem: Option<String>,
    draft: String,
) -> Result<Response, PageError> {
    let visitor = viewer.participant.as_deref().or(minted);
    let p = engine
        .participation_as(&viewer.actor, visitor, slug)
        .await?;
    let map = if p.position.is_some() {
        let r = engine.conversation_results_for(slug, p.me).await?;
        r.result
            .as_ref()
            .map(|res| Map::new(res, &r.statements, p.me))
    } else {
        None
    };
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(html(
        status,
        &ParticipatePage {
            csrf: viewer.csrf.clone(),
            p,
            notice,
            problem,
            draft,
            map,
            max: STATEMENT_MAX,
        },
    ))
}

#[derive(Debug, Deserialize)]
struct VoteForm {
    statement: i64,
    vote: String,
}

/// A vote from the page: as the signed-in account, or as the browser's
/// anonymous participant (made with the first vote; counted against the
/// client's allowance of anonymous votes).
async fn vote(
    State(engine): State<Engine>,
    viewer: Viewer,
    Extension(limiter): Extension<VoteLimiter>,
    client: ClientIp,
    ApiPath(slug): ApiPath<String>,
    CsrfForm(form): CsrfForm<VoteForm>,
) -> Result<Response, PageError> {
    let mut cookie = None;
    let result = match Vote::parse(&form.vote) {
        Err(e) => Err(e),
        Ok(v) if viewer.actor.account().is_some() => {
            // Votes cast before signing in some other way are theirs too.
            if let Some(secret) = &viewer.participant {
                engine.claim_visitor_votes(&viewer.actor, secret).await?;
                cookie = viewer.participant_cookie(None);
            }
            engine.vote(&viewer.actor, &slug, form.statement, v).await
        }
        Ok(v) => {
            if let Err(wait) = limiter.0.attempt(client.0) {
                return Ok(too_many_votes(wait));
            }
            let secret = match &viewer.participant {
                Some(s) => s.clone(),
                None => {
                    let s = engine.new_secret();
                    cookie = viewer.participant_cookie(Some(&s));
                    s
                }
            };
            engine
                .vote_as(&viewer.actor, Some(&secret), &slug, form.statement, v)
                .await
        }
    };
    match result {
        Ok(()) => Ok(see_other(
            &format!("/slates/{slug}/conversation?notice=voted"),
            cookie,
        )),
        Err(e) => {
            let problem = fixable(e)?;
            participate_page(
                &engine,
                &viewer,
                None,
                &slug,
                None,
                Some(problem),
                String::new(),
            )
            .await
        }
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct StatementForm {
    pub(super) statement: String,
}

async fn add(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    CsrfForm(form): CsrfForm<StatementForm>,
) -> Result<Response, PageError> {
    if viewer.actor.account().is_none() {
        return Ok(sign_in_first(&format!("/slates/{slug}/conversation")));
    }
    match engine
        .add_statement(&viewer.actor, &slug, &form.statement)
        .await
    {
        Ok(s) => {
            let notice = if s.status == "approved" {
                "published"
            } else {
                "added"
            };
            Ok(see_other(
                &format!("/slates/{slug}/conversation?notice={notice}"),
                None,
            ))
        }
        Err(e) => {
            let problem = fixable(e)?;
            participate_page(
                &engine,
                &viewer,
                None,
                &slug,
                None,
                Some(problem),
                form.statement,
            )
            .await
        }
    }
}
