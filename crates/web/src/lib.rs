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
use std::sync::Arc;

use cohort_engine::Engine;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

mod account_pages;
mod adopt_confirm;
mod api;
mod app;
mod books;
mod candidate_page;
mod card;
pub mod client_ip;
mod committees;
mod compact_form;
mod condition_controls;
mod congress;
mod conversation;
mod digest;
mod donor_fields;
mod edge;
mod endorsement_web;
mod error;
mod extract;
mod governing;
mod import_jobs;
mod intake_limits;
mod joint_events;
mod joint_events_map;
mod joint_pledges;
mod local_path;
mod log;
mod log_page;
mod log_proof;
pub mod openapi;
mod organize;
mod osdi;
mod pages;
mod payments;
mod people_import;
mod plank_stands;
mod pledge_form;
mod pledge_import;
pub mod pledge_input;
mod primaries;
mod rate_limit;
mod scorecard;
mod session;
mod teams;
mod text;
mod upload;
mod uri_guard;
mod us_map;

pub use card::StripeJs;
pub use client_ip::{ClientIp, TrustedProxies};
pub use edge::ServerKey;
pub use error::ApiError;
pub use intake_limits::PledgeLimiter;
pub use rate_limit::RateLimiter;

/// The largest request body accepted: 64 KiB.
pub const BODY_LIMIT: usize = 64 * 1024;

/// What the web app needs beyond the engine.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The in-memory guard on password attempts per client (tests may pass a strict one).
    pub limiter: Arc<RateLimiter>,
    /// The reverse proxies whose `X-Forwarded-For` names the client
    /// (`COHORT_TRUSTED_PROXIES`; none by default: no header is believed).
    pub trusted_proxies: TrustedProxies,
    /// Stripe.js for the card form; `None`: no card form and no Stripe
    /// script on any page (always so when the engine takes pledges only).
    pub stripe_js: Option<StripeJs>,
    /// The key that signs CSRF tokens (see [`ServerKey`]); `None`: a new
    /// random key for this process (forms from before a restart expire).
    pub key: Option<ServerKey>,
    /// The transparency log's note verifier key, shown at `/log/key`.
    pub log_key: Option<String>,
}

/// Which Stripe.js the card pages load, if any (an extension every handler can read).
#[derive(Clone, Debug)]
pub(crate) struct CardConfig(pub(crate) Option<Arc<StripeJs>>);

/// The whole application; its state is the engine.
pub fn router(engine: Engine) -> Router {
    router_with(engine, Options::default())
}

/// The application with its [`Options`].
pub fn router_with(engine: Engine, options: Options) -> Router {
    // A pledge-only engine never shows a card form, whatever is configured.
    let stripe_js = options
        .stripe_js
        .filter(|_| engine.collects_payments())
        .map(Arc::new);
    let key = options
        .key
        .unwrap_or_else(|| ServerKey::from_secret(&engine.new_secret()));
    let edge = edge::Edge::new(engine.public_url(), key);
    let api = api::routes()
        .merge(committees::api_routes())
        .merge(books::api_routes())
        .merge(primaries::api_routes())
        .merge(joint_events::api_routes())
        .merge(governing::api_routes())
        .merge(scorecard::api_routes())
        .merge(openapi::routes())
        .merge(people_import::api_routes())
        .merge(pledge_import::api_routes())
        .merge(pledge_form::api_routes())
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(DefaultBodyLimit::disable())
        .layer(middleware::map_response(json_errors));
    let pages = Router::new()
        .route("/", get(pages::home))
        .route("/slates/{slug}", get(pages::slate))
        .merge(pledge_form::routes())
        .merge(organize::routes())
        .merge(app::campaign::routes())
        .merge(committees::routes())
        .merge(app::slate_form::routes())
        .merge(app::exports::routes())
        .merge(app::pledge::routes())
        .merge(app::account::routes())
        .merge(app::me::routes())
        .merge(account_pages::routes())
        .merge(teams::routes())
        .merge(conversation::routes())
        .merge(payments::routes())
        .merge(books::routes())
        .merge(primaries::routes())
        .merge(joint_events::routes())
        .merge(joint_pledges::routes())
        .merge(scorecard::routes())
        .merge(digest::routes())
        .merge(log_page::routes())
        .merge(people_import::routes())
        .merge(pledge_import::routes())
        .merge(candidate_page::routes())
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(
            engine.clone(),
            session::csrf_cookie,
        ));
    let uploads = pledge_import::upload_routes()
        .merge(people_import::upload_routes())
        // The extractor reads at most this much and answers 413 naming it.
        .layer(DefaultBodyLimit::max(upload::UPLOAD_LIMIT))
        .layer(middleware::from_fn_with_state(
            engine.clone(),
            session::csrf_cookie,
        ));
    Router::new()
        .merge(pages)
        .merge(uploads)
        .merge(congress::routes())
        .merge(governing::routes())
        .merge(log::routes())
        .route("/static/cohort.css", get(pages::stylesheet))
        .route("/static/pledge.js", get(app::pledge_script))
        .route("/static/card.js", get(card::script))
        .route("/healthz", get(|| async { "ok" }))
        .nest("/api/osdi/v1", osdi::routes())
        .nest("/api", api)
        .fallback(not_found)
        .layer(middleware::from_fn(uri_guard::refuse_control_characters))
        .layer(middleware::map_response(close_after_413))
        .layer(middleware::from_fn(edge::headers))
        .layer(axum::Extension(edge))
        .layer(axum::Extension(options.limiter))
        .layer(axum::Extension(rate_limit::VoteLimiter::from_env()))
        .layer(axum::Extension(Arc::new(options.trusted_proxies)))
        .layer(axum::Extension(Arc::new(
            intake_limits::PledgeLimiter::from_env(),
        )))
        .layer(axum::Extension(CardConfig(stripe_js)))
        .layer(axum::Extension(log::LogKey(options.log_key)))
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
    serve_with(listener, engine, Options::default(), shutdown).await
}

/// [`serve`] with [`Options`] (e.g. Stripe.js for the card form).
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    engine: Engine,
    options: Options,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router_with(engine, options).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// A 413 is answered before the body is read, so the connection can't carry
/// another request: say so, on every route (the API's 64 KB, a page's form,
/// an upload's 10 MB), or a client may reuse it and find it closed under
/// its next request.
async fn close_after_413(mut res: Response) -> Response {
    if res.status() == StatusCode::PAYLOAD_TOO_LARGE {
        res.headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
    res
}

/// Under `/api` every error is JSON in the documented shape, including the
/// bare ones axum and tower-http produce (405, an early 413).
async fn json_errors(res: Response) -> Response {
    let status = res.status();
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
