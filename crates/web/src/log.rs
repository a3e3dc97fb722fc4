//! The transparency log over HTTP (issue 18), all public: the signed
//! checkpoint, C2SP tlog-tiles (hash tiles and entry bundles, immutable),
//! one leaf, inclusion and consistency proofs, and the note verifier key.

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use cohort_engine::log::{ConsistencyView, InclusionView, LeafView};
use cohort_engine::Engine;
use serde::Deserialize;

use crate::error::ApiError;
use crate::extract::{ApiPath, ApiQuery};

/// The log's note verifier key (`cohort log-key`), when this server signs.
#[derive(Clone, Debug, Default)]
pub(crate) struct LogKey(pub(crate) Option<String>);

pub(crate) fn routes() -> Router<Engine> {
    Router::new()
        .route("/log/checkpoint", get(checkpoint))
        .route("/log/tile/{*path}", get(tile))
        .route("/log/leaves/{index}", get(leaf))
        .route("/log/proof/inclusion", get(inclusion))
        .route("/log/proof/consistency", get(consistency))
        .route("/log/key", get(key))
}

fn text(body: String, cache: &'static str) -> Response {
    (
        [
            (CONTENT_TYPE, "text/plain; charset=utf-8"),
            (CACHE_CONTROL, cache),
        ],
        body,
    )
        .into_response()
}

/// `GET /log/checkpoint`: the latest signed checkpoint, briefly cacheable.
async fn checkpoint(State(engine): State<Engine>) -> Result<Response, ApiError> {
    Ok(text(engine.log_checkpoint().await?, "public, max-age=1"))
}

/// `GET /log/tile/{L}/{N}[.p/{W}]` and `GET /log/tile/entries/{N}[.p/{W}]`:
/// a tile's body never changes once the log has it, so it may be cached forever.
async fn tile(
    State(engine): State<Engine>,
    ApiPath(path): ApiPath<String>,
) -> Result<Response, ApiError> {
    let body = engine.log_tile(&path).await?;
    Ok((
        [
            (CONTENT_TYPE, "application/octet-stream"),
            (CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        body,
    )
        .into_response())
}

/// `GET /log/leaves/{index}`.
async fn leaf(
    State(engine): State<Engine>,
    ApiPath(index): ApiPath<u64>,
) -> Result<Json<LeafView>, ApiError> {
    Ok(Json(engine.log_leaf(index).await?))
}

#[derive(Debug, Deserialize)]
struct InclusionQuery {
    index: u64,
    size: Option<u64>,
}

/// `GET /log/proof/inclusion?index=I[&size=S]`.
async fn inclusion(
    State(engine): State<Engine>,
    ApiQuery(q): ApiQuery<InclusionQuery>,
) -> Result<Json<InclusionView>, ApiError> {
    Ok(Json(engine.log_inclusion(q.index, q.size).await?))
}

#[derive(Debug, Deserialize)]
struct ConsistencyQuery {
    from: u64,
    to: Option<u64>,
}

/// `GET /log/proof/consistency?from=A[&to=B]`.
async fn consistency(
    State(engine): State<Engine>,
    ApiQuery(q): ApiQuery<ConsistencyQuery>,
) -> Result<Json<ConsistencyView>, ApiError> {
    Ok(Json(engine.log_consistency(q.from, q.to).await?))
}

/// `GET /log/key`: the note verifier key to check checkpoints with.
async fn key(Extension(key): Extension<LogKey>) -> Result<Response, ApiError> {
    match key.0 {
        Some(k) => Ok(text(format!("{k}\n"), "public, max-age=3600")),
        None => Err(ApiError::not_found("this server does not sign a log")),
    }
}
