//! What every answer carries, decided in one place: the server key, the
//! cookie policy, and the caching and transport headers.
//!
//! - When the public URL is `https://…`, Cohort's cookies are `Secure` and
//!   carry the `__Host-` prefix (so no subdomain and no plain-HTTP page can
//!   set or overwrite them), and every answer sends
//!   `Strict-Transport-Security`. Handlers keep naming cookies plainly
//!   (`cohort_session`); [`headers`] renames them on the way out and back in,
//!   and ignores an unprefixed `cohort_*` cookie a browser sends.
//! - An answer to a request that carries credentials (a session cookie, an
//!   `Authorization` header, a `token` in the query), to a write, to a
//!   private page, or one that sets a cookie is `Cache-Control: no-store`.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::header::{
    AUTHORIZATION, CACHE_CONTROL, COOKIE, REFERRER_POLICY, SET_COOKIE, STRICT_TRANSPORT_SECURITY,
};
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The server's own secret, kept outside the database: it signs CSRF
/// tokens. The binary reads it from `COHORT_WEB_KEY` or the key file in the
/// data directory (created on first start); see the README.
#[derive(Clone)]
pub struct ServerKey([u8; 32]);

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKey(…)")
    }
}

impl ServerKey {
    /// The key derived from a secret text (at least 32 characters of
    /// randomness are expected; the binary refuses shorter ones).
    pub fn from_secret(secret: &str) -> ServerKey {
        let mut h = Sha256::new();
        h.update(b"cohort web key\0");
        h.update(secret.trim().as_bytes());
        ServerKey(h.finalize().into())
    }

    /// HMAC-SHA256 of `parts` (joined by NUL) under this key, in hex.
    pub(crate) fn sign(&self, parts: &[&str]) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        for (i, p) in parts.iter().enumerate() {
            if i > 0 {
                mac.update(b"\0");
            }
            mac.update(p.as_bytes());
        }
        hex::encode(mac.finalize().into_bytes())
    }
}

/// The edge's configuration, as a request extension.
#[derive(Clone, Debug)]
pub(crate) struct Edge {
    pub key: Arc<ServerKey>,
    /// The public URL is `https://…`: secure cookies and HSTS.
    pub secure: bool,
    /// `scheme://host[:port]` of the public URL.
    pub origin: String,
}

impl Edge {
    pub(crate) fn new(public_url: &str, key: ServerKey) -> Edge {
        let secure = public_url.starts_with("https://");
        let after_scheme = public_url.find("://").map_or(0, |i| i + 3);
        let end = public_url[after_scheme..]
            .find('/')
            .map_or(public_url.len(), |i| after_scheme + i);
        Edge {
            key: Arc::new(key),
            secure,
            origin: public_url[..end].to_ascii_lowercase(),
        }
    }
}

const HOST_PREFIX: &str = "__Host-";
/// The session cookie's name: the edge tells a signed-in browser by it.
pub(crate) const SESSION_COOKIE: &str = "cohort_session";
const OURS: &str = "cohort_";

/// Apply the cookie policy and the caching and transport headers.
pub(crate) async fn headers(mut req: Request, next: Next) -> Response {
    let secure = req.extensions().get::<Edge>().is_some_and(|e| e.secure);
    let private = is_private(&req);
    if secure {
        unprefix_cookies(req.headers_mut());
    }
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let sets_cookie = h.contains_key(SET_COOKIE);
    if secure {
        prefix_set_cookies(h);
        h.insert(
            STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    if private || sets_cookie {
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if !h.contains_key(REFERRER_POLICY) {
        // Links carry tokens (receipts, sign-in, invitations): never hand
        // them to another site.
        h.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    }
    res
}

/// Pages that show personal data or carry a secret in their address.
fn is_private(req: &Request) -> bool {
    let h = req.headers();
    let has_session = h
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|p| p.trim().split_once('='))
        .any(|(k, v)| k.trim_start_matches(HOST_PREFIX) == SESSION_COOKIE && !v.is_empty());
    let has_token = req.uri().query().is_some_and(|q| {
        q.split('&')
            .any(|p| p.split('=').next().is_some_and(|k| k.contains("token")))
    });
    // What a write answers (a new pledge's receipt token, say) is the writer's alone.
    let write = !matches!(*req.method(), Method::GET | Method::HEAD);
    has_session
        || has_token
        || write
        || h.contains_key(AUTHORIZATION)
        || private_path(req.uri().path())
}

fn private_path(path: &str) -> bool {
    const PREFIXES: [&str; 6] = [
        "/me",
        "/books",
        "/pledges/",
        "/sign-in",
        "/invites/",
        "/unsubscribe/",
    ];
    if PREFIXES.iter().any(|p| path.starts_with(p)) || path.starts_with("/api/pledges/") {
        return true;
    }
    // /slates/{slug}/{area}…: the dashboards, exports and partner pages.
    let mut parts = path.trim_start_matches('/').split('/');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (
            Some("slates"),
            Some(_),
            Some("campaign" | "organize" | "partners" | "exports" | "committees" | "books")
        )
    )
}

/// Keep only `__Host-cohort_*` cookies (renamed to their plain names) and
/// cookies that are not ours.
fn unprefix_cookies(h: &mut HeaderMap) {
    let pairs: Vec<String> = h
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .filter_map(|p| match p.strip_prefix(HOST_PREFIX) {
            Some(rest) if rest.starts_with(OURS) => Some(rest.to_owned()),
            _ if p.starts_with(OURS) => None,
            _ => Some(p.to_owned()),
        })
        .collect();
    h.remove(COOKIE);
    if let Ok(v) = HeaderValue::from_str(&pairs.join("; ")) {
        h.insert(COOKIE, v);
    }
}

fn prefix_set_cookies(h: &mut HeaderMap) {
    let values: Vec<HeaderValue> = h.get_all(SET_COOKIE).iter().cloned().collect();
    h.remove(SET_COOKIE);
    for v in values {
        let fixed = v
            .to_str()
            .ok()
            .filter(|s| s.starts_with(OURS))
            .and_then(|s| HeaderValue::from_str(&format!("{HOST_PREFIX}{s}; Secure")).ok());
        h.append(SET_COOKIE, fixed.unwrap_or(v));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_is_scheme_and_authority() {
        let e = Edge::new("https://Cohort.example/app", ServerKey::from_secret("k"));
        assert!(e.secure);
        assert_eq!(e.origin, "https://cohort.example");
        let e = Edge::new("http://127.0.0.1:8080", ServerKey::from_secret("k"));
        assert!(!e.secure);
        assert_eq!(e.origin, "http://127.0.0.1:8080");
    }

    #[test]
    fn private_paths() {
        for p in [
            "/me",
            "/books/x",
            "/pledges/3",
            "/slates/a/campaign",
            "/slates/a/organize/edit",
        ] {
            assert!(private_path(p), "{p}");
        }
        for p in ["/", "/slates/a", "/slates/a/pledge", "/static/cohort.css"] {
            assert!(!private_path(p), "{p}");
        }
    }

    #[test]
    fn secure_mode_reads_only_prefixed_cookies() {
        let mut h = HeaderMap::new();
        h.insert(
            COOKIE,
            HeaderValue::from_static("cohort_session=planted; __Host-cohort_session=real; x=1"),
        );
        unprefix_cookies(&mut h);
        assert_eq!(h.get(COOKIE).unwrap(), "cohort_session=real; x=1");
        let mut h = HeaderMap::new();
        h.append(
            SET_COOKIE,
            HeaderValue::from_static("cohort_csrf=a; Path=/"),
        );
        prefix_set_cookies(&mut h);
        assert_eq!(
            h.get(SET_COOKIE).unwrap(),
            "__Host-cohort_csrf=a; Path=/; Secure"
        );
    }
}
