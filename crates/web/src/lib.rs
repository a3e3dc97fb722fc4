//! Cohort over HTTP: the JSON API under `/api` (see API.md) and the public,
//! server-rendered pages.
//!
//! Every handler translates one request into one engine use case and its
//! answer back into a response. Errors travel as [`ApiError`], which maps each
//! [`cohort_engine::EngineError`] to a status once, here at the edge.
//!
//! Architecture invariant: this crate decides nothing about slates, pledges or
//! money; it never names a concrete store and never opens a write transaction.

use axum::extract::DefaultBodyLimit;
use axum::http::header::{CONNECTION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use cohort_engine::Engine;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

mod api;
mod error;
mod extract;
mod pages;

pub use error::ApiError;

/// The largest request body accepted: 64 KiB.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The whole application; its state is the engine.
pub fn router(engine: Engine) -> Router {
    let api = api::routes()
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(DefaultBodyLimit::disable())
        .layer(middleware::map_response(json_errors));
    Router::new()
        .route("/", get(pages::home))
        .route("/slates/{slug}", get(pages::slate))
        .route("/static/cohort.css", get(pages::stylesheet))
        .route("/healthz", get(|| async { "ok" }))
        .nest("/api", api)
        .fallback(not_found)
        .layer(TraceLayer::new_for_http())
        .with_state(engine)
}

/// Unknown addresses: JSON under `/api`, a page everywhere else.
async fn not_found(uri: Uri) -> Response {
    let path = uri.path();
    if path == "/api" || path.starts_with("/api/") {
        ApiError::from_status(StatusCode::NOT_FOUND).into_response()
    } else {
        pages::not_found().await.into_response()
    }
}

/// Serve the application on `listener` until `shutdown` completes, then
/// finish the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    engine: Engine,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(engine))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Under `/api` every error is JSON in the documented shape, including the
/// bare ones axum and tower-http produce (405, an early 413).
///
/// A 413 is answered before the body is read, so the connection can't carry
/// another request: say so, or a client may reuse it and find it closed.
async fn json_errors(mut res: Response) -> Response {
    let status = res.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        res.headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
    let is_error = status.is_client_error() || status.is_server_error();
    let is_json = res
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !is_error || is_json {
        return res;
    }
    let (mut parts, _) = res.into_parts();
    let body = ApiError::from_status(status).into_response().into_body();
    parts.headers.remove(CONTENT_LENGTH);
    parts
        .headers
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Response::from_parts(parts, body)
}
