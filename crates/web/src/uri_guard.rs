//! The first middleware a request meets: a path or query holding a control
//! character is refused before any handler (and so any database) sees it,
//! as JSON under `/api/`, as a page elsewhere. The checking is
//! [`crate::text::check_uri`]'s; this module only answers.

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::pages::PageError;
use crate::text::check_uri;

/// Refuse a request whose path or query holds a control character, before
/// any handler (and so any database) sees it. Path segments are named by
/// the route's parameter (`slug`), query values by their key. `next` is
/// left to [`crate::local_path::LocalPath`], which falls back to a fixed
/// page instead.
pub(crate) async fn refuse_control_characters(req: Request, next: Next) -> Response {
    let problem = check_uri(
        req.uri().path(),
        req.uri().query(),
        req.extensions()
            .get::<MatchedPath>()
            .map(MatchedPath::as_str),
    );
    match problem {
        None => next.run(req).await,
        Some(e) if req.uri().path().starts_with("/api/") => e.into_response(),
        Some(e) => PageError::from(e).into_response(),
    }
}
