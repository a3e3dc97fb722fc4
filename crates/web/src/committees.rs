//! Committee records: each candidate's committee (name, FEC ids, treasurer,
//! address), entered by its campaign account or an organizer.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use cohort_engine::{CommitteeInput, CommitteeView, Engine, EngineError};

use crate::api::ApiResult;
use crate::app::{field_label, see_other, sign_in_first, urlencode};
use crate::extract::{ApiJson, ApiPath, TokenAuth};
use crate::pages::{html, PageError};
use crate::session::{CsrfForm, Viewer};

/// The committee pages and their JSON twins.
pub(crate) fn routes() -> Router<Engine> {
    Router::new()
        .route("/slates/{slug}/committees", get(page))
        .route("/slates/{slug}/committees/{candidate}", post(save))
}

pub(crate) fn api_routes() -> Router<Engine> {
    Router::new()
        .route("/slates/{slug}/committees", get(list))
        .route("/slates/{slug}/candidates/{candidate}/committee", put(set))
}

#[utoipa::path(get, path = "/api/slates/{slug}/committees", tag = "committees", params(("slug" = String, Path, description = "The slate's slug")), responses((status = 200, description = "Each candidate's committee", body = Vec<cohort_engine::CommitteeView>), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security(("bearer" = [])))]
async fn list(
    State(engine): State<Engine>,
    TokenAuth(actor): TokenAuth,
    ApiPath(slug): ApiPath<String>,
) -> ApiResult<Json<Vec<CommitteeView>>> {
    Ok(Json(engine.committees(&actor, &slug).await?))
}

#[utoipa::path(put, path = "/api/slates/{slug}/candidates/{candidate}/committee", tag = "committees", params(("slug" = String, Path, description = "The slate's slug"), ("candidate" = String, Path, description = "The candidate's slug")), request_body = cohort_engine::CommitteeInput, responses((status = 200, description = "The committee", body = cohort_engine::CommitteeView), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security(("bearer" = [])))]
async fn set(
    State(engine): State<Engine>,
    TokenAuth(actor): TokenAuth,
    ApiPath((slug, candidate)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<CommitteeInput>,
) -> ApiResult<Json<CommitteeView>> {
    Ok(Json(
        engine
            .set_committee(&actor, &slug, &candidate, input)
            .await?,
    ))
}

#[derive(Template)]
#[template(path = "committees.html")]
struct CommitteesPage {
    csrf: String,
    slug: String,
    slate_name: String,
    committees: Vec<CommitteeView>,
    notice: Option<String>,
    /// The candidate whose form was refused, and why.
    problem: Option<(String, String)>,
}

async fn render(
    engine: &Engine,
    viewer: &Viewer,
    slug: &str,
    notice: Option<String>,
    refused: Option<(String, String, CommitteeInput)>,
) -> Result<Response, PageError> {
    let mut committees = engine.committees(&viewer.actor, slug).await?;
    let slate = engine.slate_view(slug).await?;
    let mut problem = None;
    let mut status = StatusCode::OK;
    if let Some((candidate, message, typed)) = refused {
        // Show what was typed, not what is stored, so nothing has to be retyped.
        if let Some(c) = committees.iter_mut().find(|c| c.candidate == candidate) {
            c.name = typed.name;
            c.fec_committee_id = typed.fec_committee_id;
            c.fec_candidate_id = typed.fec_candidate_id;
            c.treasurer_first = typed.treasurer_first;
            c.treasurer_last = typed.treasurer_last;
            c.street1 = typed.street1;
            c.street2 = typed.street2;
            c.city = typed.city;
            c.state = typed.state;
            c.zip = typed.zip;
        }
        problem = Some((candidate, message));
        status = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(html(
        status,
        &CommitteesPage {
            csrf: viewer.csrf.clone(),
            slug: slate.slug,
            slate_name: slate.name,
            committees,
            notice,
            problem,
        },
    ))
}

#[derive(Debug, serde::Deserialize)]
struct NoticeQuery {
    saved: Option<String>,
}

async fn page(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    axum::extract::Query(q): axum::extract::Query<NoticeQuery>,
) -> Result<Response, PageError> {
    if viewer.actor.account().is_none() {
        return Ok(sign_in_first(&format!("/slates/{slug}/committees")));
    }
    let notice = q
        .saved
        .map(|c| format!("Committee saved for {c}. Reports and forwarding will name it."));
    render(&engine, &viewer, &slug, notice, None).await
}

async fn save(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath((slug, candidate)): ApiPath<(String, String)>,
    CsrfForm(input): CsrfForm<CommitteeInput>,
) -> Result<Response, PageError> {
    match engine
        .set_committee(&viewer.actor, &slug, &candidate, input.clone())
        .await
    {
        Ok(c) => Ok(see_other(
            &format!(
                "/slates/{slug}/committees?saved={}",
                urlencode(&c.candidate_name)
            ),
            None,
        )),
        Err(EngineError::Invalid { field, message }) => {
            // The committee name is the form's only "name".
            let label = match field.as_str() {
                "name" => "Committee name",
                f => field_label(f),
            };
            let problem = if message.starts_with(label) {
                message
            } else {
                format!("{label}: {message}")
            };
            render(
                &engine,
                &viewer,
                &slug,
                None,
                Some((candidate, problem, input)),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
