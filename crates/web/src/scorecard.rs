//! A slate's scorecard (issue 15): `GET /api/slates/{slug}/scorecard` and
//! the public page `/slates/{slug}/scorecard` — a table per signer of each
//! commitment's standing with its evidence, in plain sentences.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use cohort_engine::scorecard::ScorecardView;
use cohort_engine::Engine;

use crate::api::ApiResult;
use crate::extract::ApiPath;
use crate::pages::{html, PageError};

/// The routes under `/api`.
pub(crate) fn api_routes() -> Router<Engine> {
    Router::new().route("/slates/{slug}/scorecard", get(scorecard_json))
}

/// The page.
pub(crate) fn routes() -> Router<Engine> {
    Router::new().route("/slates/{slug}/scorecard", get(scorecard_page))
}

#[utoipa::path(get, path = "/api/slates/{slug}/scorecard", tag = "scorecard", params(("slug" = String, Path, description = "The slate's slug")), responses((status = 200, description = "The scorecard", body = cohort_engine::scorecard::ScorecardView), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security((), ("bearer" = [])))]
async fn scorecard_json(
    State(engine): State<Engine>,
    ApiPath(slug): ApiPath<String>,
) -> ApiResult<Json<ScorecardView>> {
    Ok(Json(engine.scorecard(&slug).await?))
}

#[derive(Template)]
#[template(path = "scorecard.html")]
struct ScorecardPage {
    s: ScorecardView,
}

async fn scorecard_page(
    State(engine): State<Engine>,
    ApiPath(slug): ApiPath<String>,
) -> Result<Response, PageError> {
    let s = engine.scorecard(&slug).await?;
    Ok(html(StatusCode::OK, &ScorecardPage { s }))
}
