//! Browser sessions and CSRF protection for the pages.
//!
//! - The session is a random secret in the `cohort_session` cookie
//!   (HttpOnly, SameSite=Lax, Path=/), looked up by the engine.
//! - Every form carries a CSRF token signed with the server key
//!   ([`crate::edge::ServerKey`]) and bound to the browser: to its session
//!   when signed in, else to the random `cohort_csrf` pre-session cookie
//!   (HttpOnly, SameSite=Strict) set on the first page it sees. A cookie
//!   planted by someone else is useless without the key. A form posted with
//!   an `Origin` other than this site's, or `Sec-Fetch-Site: cross-site` /
//!   `same-site`, is refused whatever its token.
//! - An anonymous participant of a conversation (issue 16) is a random
//!   secret in the `cohort_participant` cookie (HttpOnly, SameSite=Lax,
//!   Path=/, a year), signed with the server key so that only secrets this
//!   server issued are read back; the engine keeps the secret's hash. Under
//!   https the edge makes it `__Host-` and `Secure` like every other cookie.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::header::{COOKIE, HOST, ORIGIN, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cohort_engine::{Actor, Engine};
use serde::de::DeserializeOwned;
use std::sync::Arc;

use crate::edge::{Edge, ServerKey, SESSION_COOKIE};
use crate::error::ApiError;
use crate::pages::PageError;

const CSRF_COOKIE: &str = "cohort_csrf";
/// The anonymous participant's cookie (see the module's documentation).
const PARTICIPANT_COOKIE: &str = "cohort_participant";

/// The value of cookie `name`, if the request carries it.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

/// The CSRF token the forms of this request's page carry.
#[derive(Clone, Debug)]
pub(crate) struct Csrf(pub String);

/// What a browser's CSRF token is bound to: its session cookie, or else its
/// pre-session cookie.
fn csrf_binding(headers: &HeaderMap) -> Option<(&'static str, &str)> {
    cookie(headers, SESSION_COOKIE)
        .map(|s| ("session", s))
        .or_else(|| cookie(headers, CSRF_COOKIE).map(|v| ("visitor", v)))
}

fn csrf_token(key: &ServerKey, (kind, value): (&str, &str)) -> String {
    key.sign(&["csrf", kind, value])
}

/// Give every page request its CSRF token; set the pre-session cookie
/// when the browser has none.
pub(crate) async fn csrf_cookie(
    State(engine): State<Engine>,
    mut req: Request,
    next: Next,
) -> Response {
    let Some(edge) = req.extensions().get::<Edge>().cloned() else {
        tracing::error!("the edge configuration is missing");
        return PageError::from(ApiError::internal()).into_response();
    };
    let visitor = cookie(req.headers(), CSRF_COOKIE)
        .is_none()
        .then(|| engine.new_secret());
    let token = match csrf_binding(req.headers()) {
        Some(b) => csrf_token(&edge.key, b),
        None => csrf_token(&edge.key, ("visitor", visitor.as_deref().unwrap_or(""))),
    };
    req.extensions_mut().insert(Csrf(token));
    let mut res = next.run(req).await;
    if let Some(v) = visitor {
        if let Ok(v) = HeaderValue::from_str(&format!(
            "{CSRF_COOKIE}={v}; Path=/; HttpOnly; SameSite=Strict"
        )) {
            res.headers_mut().append(SET_COOKIE, v);
        }
    }
    res
}

/// The form came from another site: its `Origin` is not this site's (the
/// public URL's, or the `Host` it was sent to), or the browser says so in
/// `Sec-Fetch-Site`.
fn cross_origin(headers: &HeaderMap, uri: &axum::http::Uri, edge: &Edge) -> bool {
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if matches!(site, Some("cross-site" | "same-site")) {
        return true;
    }
    let Some(origin) = headers.get(ORIGIN) else {
        return false;
    };
    let origin = origin.to_str().unwrap_or("").to_ascii_lowercase();
    if origin == edge.origin {
        return false;
    }
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| uri.authority().map(|a| a.to_string()))
        .map(|h| h.to_ascii_lowercase());
    let scheme = if edge.secure { "https" } else { "http" };
    host.is_none_or(|h| origin != format!("{scheme}://{h}"))
}

/// The signed cookie value of a participant secret: `secret.signature`.
fn participant_value(key: &ServerKey, secret: &str) -> String {
    format!("{secret}.{}", key.sign(&["participant", secret]))
}

/// The participant secret in the request's cookie, if this server signed it.
fn participant_secret(headers: &HeaderMap, key: &ServerKey) -> Option<String> {
    let (secret, signature) = cookie(headers, PARTICIPANT_COOKIE)?.split_once('.')?;
    constant_time_eq(&key.sign(&["participant", secret]), signature).then(|| secret.to_owned())
}

/// Who is looking at a page: the signed-in person (or the public), the
/// CSRF token their forms must carry, and their anonymous participant
/// secret if their browser holds one.
#[derive(Clone, Debug)]
pub(crate) struct Viewer {
    pub actor: Actor,
    pub csrf: String,
    pub session: Option<String>,
    pub participant: Option<String>,
    key: Option<Arc<ServerKey>>,
}

impl Viewer {
    /// The signed-in person, or a redirect-worthy error for the public.
    pub fn account(&self) -> Result<&cohort_engine::Account, PageError> {
        self.actor.require_account().map_err(PageError::from)
    }

    /// `Set-Cookie` holding the anonymous participant secret `secret`, or
    /// (with `None`) ending it.
    pub fn participant_cookie(&self, secret: Option<&str>) -> Option<HeaderValue> {
        let v = match (secret, &self.key) {
            (Some(s), Some(key)) => format!(
                "{PARTICIPANT_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000",
                participant_value(key, s)
            ),
            (Some(_), None) => return None,
            (None, _) => {
                format!("{PARTICIPANT_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
            }
        };
        HeaderValue::from_str(&v).ok()
    }
}

impl FromRequestParts<Engine> for Viewer {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, engine: &Engine) -> Result<Self, PageError> {
        let csrf = parts
            .extensions
            .get::<Csrf>()
            .map(|c| c.0.clone())
            .unwrap_or_default();
        let session = cookie(&parts.headers, SESSION_COOKIE).map(str::to_owned);
        let actor = match &session {
            Some(token) => engine.session(token).await?,
            None => Actor::Public,
        };
        let key = parts.extensions.get::<Edge>().map(|e| e.key.clone());
        let participant = key
            .as_ref()
            .and_then(|k| participant_secret(&parts.headers, k));
        Ok(Viewer {
            actor,
            csrf,
            session,
            participant,
            key,
        })
    }
}

/// A form body whose `csrf` field is this browser's token, sent from this
/// site, every field free of control characters ([`crate::text`]).
/// Anything else is refused (403, or 400 naming the field) before the
/// handler runs.
#[derive(Debug)]
pub(crate) struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<Engine> for CsrfForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &Engine) -> Result<Self, PageError> {
        let expected = expected_csrf(&req)?;
        let bytes = Bytes::from_request(req, state).await.map_err(|_| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                "that form is too large",
            )
        })?;
        let sent = form_urlencoded_field(&bytes, "csrf");
        require_csrf(expected.as_deref(), sent.as_deref())?;
        // The token has done its job; the form's own type never sees it, so
        // the engine's strict input types (`deny_unknown_fields`) serve forms too.
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| PageError::from(ApiError::invalid("form", e.to_string())))?;
        for (k, v) in &fields {
            crate::text::check_field(k, v)?;
        }
        let rest = serde_urlencoded::to_string(
            fields
                .iter()
                .filter(|(k, _)| k != "csrf")
                .collect::<Vec<_>>(),
        )
        .map_err(|e| PageError::from(ApiError::invalid("form", e.to_string())))?;
        serde_urlencoded::from_str(&rest)
            .map(CsrfForm)
            .map_err(|e| ApiError::invalid("form", e.to_string()).into())
    }
}

/// The CSRF token a form posted with this request must carry (`None`: no
/// session or cookie to bind it to), or a 403 when the request came from
/// another site.
pub(crate) fn expected_csrf(req: &Request) -> Result<Option<String>, PageError> {
    let Some(edge) = req.extensions().get::<Edge>() else {
        tracing::error!("the edge configuration is missing");
        return Err(ApiError::internal().into());
    };
    if cross_origin(req.headers(), req.uri(), edge) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "this form came from another site; open the page on this site and try again",
        )
        .into());
    }
    Ok(csrf_binding(req.headers()).map(|b| csrf_token(&edge.key, b)))
}

/// 403 unless the form's `csrf` field is the expected token.
pub(crate) fn require_csrf(expected: Option<&str>, sent: Option<&str>) -> Result<(), PageError> {
    match (expected, sent) {
        (Some(e), Some(s)) if constant_time_eq(e, s) => Ok(()),
        _ => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "this form has expired or came from another site; reload the page and try again",
        )
        .into()),
    }
}

fn form_urlencoded_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `Set-Cookie` for a new session (or, with `None`, for signing out).
pub(crate) fn session_cookie(token: Option<&str>) -> HeaderValue {
    let v = match token {
        Some(t) => format!("{SESSION_COOKIE}={t}; Path=/; HttpOnly; SameSite=Lax; Max-Age=2592000"),
        None => format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    };
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_by_name() {
        let mut h = HeaderMap::new();
        h.insert(
            COOKIE,
            HeaderValue::from_static("a=1; cohort_csrf=xyz; b=2"),
        );
        assert_eq!(cookie(&h, "cohort_csrf"), Some("xyz"));
        assert_eq!(cookie(&h, "cohort_session"), None);
    }

    #[test]
    fn only_a_participant_cookie_this_server_signed_is_read() {
        let key = ServerKey::from_secret("a key for the test, long enough to be a key");
        let other = ServerKey::from_secret("another server's key, also long enough here");
        let with = |v: String| {
            let mut h = HeaderMap::new();
            h.insert(
                COOKIE,
                HeaderValue::from_str(&format!("{PARTICIPANT_COOKIE}={v}")).unwrap(),
            );
            participant_secret(&h, &key)
        };
        assert_eq!(
            with(participant_value(&key, "abc123")).as_deref(),
            Some("abc123")
        );
        assert_eq!(with(participant_value(&other, "abc123")), None);
        assert_eq!(with("abc123".into()), None, "unsigned");
        assert_eq!(
            with(format!("{}x", participant_value(&key, "abc123"))),
            None
        );
    }
}
