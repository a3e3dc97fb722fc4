//! A CSV file uploaded with a form (issue 19): `multipart/form-data` from an
//! `<input type="file">`, no JavaScript. Only the import pages' preview
//! routes take it, under their own body limit ([`UPLOAD_LIMIT`]) instead of
//! the 64 KB every other form has; the form's `csrf` field is checked as
//! [`crate::session::CsrfForm`] checks it.
//!
//! The parser reads what browsers send (RFC 7578): parts split by the
//! boundary, each with a `Content-Disposition: form-data; name="…"` header
//! (and `filename="…"` for a file). Anything else is a 400 naming `form`.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use cohort_engine::Engine;

use crate::error::ApiError;
use crate::pages::PageError;

/// The largest upload the import pages take: the form's whole body.
pub const UPLOAD_LIMIT: usize = 10 * 1024 * 1024;

/// One field of a multipart form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Part {
    pub name: String,
    /// Present for a file field (empty when no file was chosen).
    pub filename: Option<String>,
    pub body: Vec<u8>,
}

/// The boundary of a `multipart/form-data` content type.
fn boundary(content_type: &str) -> Option<String> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_owned())
            .filter(|b| !b.is_empty() && b.len() <= 200)
    })
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    (from..=hay.len() - needle.len()).find(|&i| &hay[i..i + needle.len()] == needle)
}

/// `name="x"` from a Content-Disposition header's parameters.
fn param(header: &str, key: &str) -> Option<String> {
    header.split(';').skip(1).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(key)
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// Every part of a multipart body, or why it cannot be read.
pub(crate) fn parse(content_type: &str, body: &[u8]) -> Result<Vec<Part>, String> {
    let b = boundary(content_type).ok_or("the form is not multipart/form-data with a boundary")?;
    let delim = format!("--{b}").into_bytes();
    let mut at = find(body, &delim, 0).ok_or("the form's body has no part")? + delim.len();
    let mut parts = Vec::new();
    loop {
        if body[at..].starts_with(b"--") {
            return Ok(parts);
        }
        if !body[at..].starts_with(b"\r\n") {
            return Err("a part of the form is malformed".into());
        }
        at += 2;
        let head_end = find(body, b"\r\n\r\n", at).ok_or("a part of the form has no headers")?;
        let head = std::str::from_utf8(&body[at..head_end])
            .map_err(|_| "a part's headers are not UTF-8")?;
        let start = head_end + 4;
        let mut next_delim = delim.clone();
        next_delim.splice(0..0, b"\r\n".iter().copied());
        let end = find(body, &next_delim, start).ok_or("the form's body is cut short")?;
        let disposition = head
            .split("\r\n")
            .find(|l| {
                l.split_once(':')
                    .is_some_and(|(k, _)| k.trim().eq_ignore_ascii_case("content-disposition"))
            })
            .and_then(|l| l.split_once(':').map(|(_, v)| v.trim().to_owned()))
            .ok_or("a part of the form has no Content-Disposition")?;
        let name = param(&disposition, "name").ok_or("a part of the form has no name")?;
        parts.push(Part {
            name,
            filename: param(&disposition, "filename"),
            body: body[start..end].to_vec(),
        });
        at = end + next_delim.len();
    }
}

fn bad_form(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid", message).with_field("form")
}

/// A multipart form (or a plain one) whose `csrf` field is this browser's token, sent from
/// this site, at most [`UPLOAD_LIMIT`] bytes (413 naming the limit).
pub(crate) struct CsrfMultipart(pub Vec<Part>);

impl CsrfMultipart {
    /// A text field (not a file), empty when absent.
    pub fn text(&self, name: &str) -> Result<String, PageError> {
        let Some(p) = self
            .0
            .iter()
            .find(|p| p.name == name && p.filename.is_none())
        else {
            return Ok(String::new());
        };
        let v = String::from_utf8(p.body.clone())
            .map_err(|_| ApiError::invalid(name, "is not UTF-8 text"))?;
        crate::text::check_field(name, &v)?;
        Ok(v)
    }

    /// The file chosen in field `name`, if one was: its text (UTF-8).
    pub fn file(&self, name: &str) -> Result<Option<String>, PageError> {
        let Some(p) = self
            .0
            .iter()
            .find(|p| p.name == name && p.filename.as_deref().is_some_and(|f| !f.is_empty()))
        else {
            return Ok(None);
        };
        let text = String::from_utf8(p.body.clone()).map_err(|_| {
            ApiError::invalid(
                name,
                "the file is not UTF-8 text; save the spreadsheet as CSV UTF-8 and choose it again",
            )
        })?;
        crate::text::check_field(name, &text)?;
        Ok(Some(text))
    }
}

impl FromRequest<Engine> for CsrfMultipart {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &Engine) -> Result<Self, PageError> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let expected = crate::session::expected_csrf(&req)?;
        let bytes = Bytes::from_request(req, state).await.map_err(|_| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!(
                    "that file is too large: the limit is {} MB; larger files: the cohort import command",
                    UPLOAD_LIMIT / (1024 * 1024)
                ),
            )
        })?;
        let parts = if content_type.starts_with("application/x-www-form-urlencoded") {
            // The same form without a file (or from a client that sends no multipart).
            serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
                .map_err(|e| bad_form(e.to_string()))?
                .into_iter()
                .map(|(name, v)| Part {
                    name,
                    filename: None,
                    body: v.into_bytes(),
                })
                .collect()
        } else {
            parse(&content_type, &bytes).map_err(bad_form)?
        };
        let sent = parts
            .iter()
            .find(|p| p.name == "csrf" && p.filename.is_none())
            .and_then(|p| std::str::from_utf8(&p.body).ok());
        crate::session::require_csrf(expected.as_deref(), sent)?;
        Ok(CsrfMultipart(parts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CT: &str = "multipart/form-data; boundary=----xyz";

    #[test]
    fn a_browser_form_reads_back() {
        let body = "------xyz\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc\r\n\
------xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cards.csv\"\r\nContent-Type: text/csv\r\n\r\nemail,amount\r\na@example.org,5\r\n\r\n\
------xyz\r\nContent-Disposition: form-data; name=\"csv\"\r\n\r\n\r\n------xyz--\r\n";
        let parts = parse(CT, body.as_bytes()).expect("read");
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0].name, "csrf");
        assert_eq!(parts[0].body, b"abc");
        assert_eq!(parts[1].filename.as_deref(), Some("cards.csv"));
        assert_eq!(parts[1].body, b"email,amount\r\na@example.org,5\r\n");
        assert_eq!(parts[2].body, b"");
    }

    #[test]
    fn a_malformed_body_is_refused() {
        assert!(parse("text/plain", b"x").is_err());
        assert!(parse(CT, b"no boundary here").is_err());
        assert!(parse(
            CT,
            b"------xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated"
        )
        .is_err());
        assert!(parse(CT, b"------xyz\r\nX-Other: 1\r\n\r\nv\r\n------xyz--").is_err());
    }
}
