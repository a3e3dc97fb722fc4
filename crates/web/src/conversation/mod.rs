//! A slate's conversation as pages: vote one statement at a time, add a
//! statement, see where you stand; the public results (the opinion map as
//! SVG, each group's representative statements, what every group agrees on);
//! and the organizers' moderation page (seed, approve, reject, adopt as a
//! plank). Every form goes through [`CsrfForm`]; the engine checks every role.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use cohort_engine::conversation::{Participation, Vote, STATEMENT_MAX};
use cohort_engine::Engine;
use serde::Deserialize;

use crate::app::{fixable, see_other, sign_in_first};
use crate::extract::ApiPath;
use crate::pages::{html, PageError};
use crate::session::{CsrfForm, Viewer};

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
    participate_page(&engine, &viewer, &slug, notice, None, String::new()).await
}

async fn participate_page(
    engine: &Engine,
    viewer: &Viewer,
    slug: &str,
    notice: Option<String>,
    problem: Option<String>,
    draft: String,
) -> Result<Response, PageError> {
    if viewer.actor.account().is_none() {
        return Ok(sign_in_first(&format!("/slates/{slug}/conversation")));
    }
    let p = engine.participation(&viewer.actor, slug).await?;
    let map = if p.position.is_some() {
        let r = engine.conversation_results(slug).await?;
        let you = viewer.actor.account().map(|a| a.user.id);
        r.result
            .as_ref()
            .map(|res| Map::new(res, &r.statements, you))
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

async fn vote(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    CsrfForm(form): CsrfForm<VoteForm>,
) -> Result<Response, PageError> {
    let result = match Vote::parse(&form.vote) {
        Ok(v) => engine.vote(&viewer.actor, &slug, form.statement, v).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(see_other(
            &format!("/slates/{slug}/conversation?notice=voted"),
            None,
        )),
        Err(e) => {
            let problem = fixable(e)?;
            participate_page(&engine, &viewer, &slug, None, Some(problem), String::new()).await
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
            participate_page(&engine, &viewer, &slug, None, Some(problem), form.statement).await
        }
    }
}
