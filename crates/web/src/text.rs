//! Control characters are refused at the edge, in every text a request
//! carries: path segments and query values (the [`uri`] middleware, before
//! any handler), JSON bodies ([`crate::extract::ApiJson`]) and form bodies
//! ([`crate::session::CsrfForm`]). A refused request is a 400
//! `control_character` error naming the field, and nothing is written.
//!
//! Refused: C0 controls (U+0000–U+001F), DEL, C1 controls (U+0080–U+009F),
//! and the bidi embedding/override/isolate controls (U+202A–U+202E,
//! U+2066–U+2069), which reorder how the text around them is shown (a name
//! in a list, an email or a log could read as something else). Right-to-left
//! text itself and the plain direction marks (U+200E, U+200F, U+061C) are
//! fine. Body values may hold tab, line feed and carriage return, because
//! text areas (descriptions, messages) legitimately take several lines;
//! paths, query values and field names may not.

use axum::http::StatusCode;
use serde_json::Value;

use crate::error::ApiError;

/// A character no text input may hold (a line break or tab aside).
pub(crate) fn is_forbidden(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The first character of `s` that may not be there. `multiline` allows
/// tab, line feed and carriage return.
fn offending(s: &str, multiline: bool) -> Option<char> {
    s.chars()
        .find(|&c| is_forbidden(c) && !(multiline && matches!(c, '\t' | '\n' | '\r')))
}

/// The error for a control character `c` in `field`.
pub(crate) fn refused(field: &str, c: char) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "control_character",
        format!(
            "{field} holds a control character (U+{:04X}); send plain text",
            u32::from(c)
        ),
    )
    .with_field(field)
}

/// Check one field of a body: its name on one line, its value on several.
pub(crate) fn check_field(name: &str, value: &str) -> Result<(), ApiError> {
    if let Some(c) = offending(name, false) {
        return Err(refused("form", c));
    }
    match offending(value, true) {
        Some(c) => Err(refused(name, c)),
        None => Ok(()),
    }
}

/// Check every key and string of a JSON document; the error names the
/// JSON path of the first offender (`inner.email`, `list[1]`).
pub(crate) fn check_json(value: &Value) -> Result<(), ApiError> {
    fn walk(v: &Value, path: &mut String) -> Result<(), ApiError> {
        match v {
            Value::String(s) => match offending(s, true) {
                Some(c) => Err(refused(display(path), c)),
                None => Ok(()),
            },
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    walk(item, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            Value::Object(map) => {
                for (k, item) in map {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    if let Some(c) = offending(k, false) {
                        return Err(refused(display(&path[..len]), c));
                    }
                    path.push_str(k);
                    walk(item, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
    fn display(path: &str) -> &str {
        if path.is_empty() {
            "body"
        } else {
            path
        }
    }
    walk(value, &mut String::new())
}

pub(crate) fn check_uri(path: &str, query: Option<&str>, route: Option<&str>) -> Option<ApiError> {
    let pattern: Vec<&str> = route.map(|r| r.split('/').collect()).unwrap_or_default();
    for (i, segment) in path.split('/').enumerate() {
        let decoded = String::from_utf8_lossy(&percent_decode(segment)).into_owned();
        if let Some(c) = offending(&decoded, false) {
            let field = pattern
                .get(i)
                .and_then(|p| p.strip_prefix('{'))
                .and_then(|p| p.strip_suffix('}'))
                .map(|p| p.trim_start_matches('*'))
                .unwrap_or("path");
            return Some(refused(field, c));
        }
    }
    let pairs = serde_urlencoded::from_str::<Vec<(String, String)>>(query.unwrap_or(""));
    for (k, v) in pairs.unwrap_or_default() {
        if let Some(c) = offending(&k, false) {
            return Some(refused("query", c));
        }
        if k == "next" {
            continue;
        }
        if let Some(c) = offending(&v, false) {
            return Some(refused(&k, c));
        }
    }
    None
}

fn percent_decode(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_queries_name_the_field() {
        let e = check_uri("/api/slates/a%00b", None, Some("/api/slates/{slug}")).unwrap();
        assert_eq!(e.field.as_deref(), Some("slug"));
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        let e = check_uri("/x/%E2%80%AE", None, None).unwrap();
        assert_eq!(e.field.as_deref(), Some("path"));
        let e = check_uri("/x", Some("a=1&notice=%0A"), None).unwrap();
        assert_eq!(e.field.as_deref(), Some("notice"));
        assert!(check_uri("/x", Some("next=/%09/evil"), None).is_none());
        assert!(check_uri("/slates/caf%C3%A9", Some("q=caf%C3%A9+x"), None).is_none());
    }

    #[test]
    fn json_names_the_path_and_allows_line_breaks() {
        let v: Value = serde_json::json!({"a": {"b": ["ok", "x\u{7f}"]}});
        assert_eq!(check_json(&v).unwrap_err().field.as_deref(), Some("a.b[1]"));
        let v: Value = serde_json::json!({"text": "one\r\ntwo\tthree", "n": 1});
        assert!(check_json(&v).is_ok());
        let v: Value = serde_json::json!({"name": "a\u{0}b"});
        assert_eq!(check_json(&v).unwrap_err().field.as_deref(), Some("name"));
        let v: Value = serde_json::json!({"name": "\u{202E}"});
        assert!(check_json(&v).is_err());
        let v: Value = serde_json::json!({"name": "\u{200F}שלום"});
        assert!(check_json(&v).is_ok());
    }

    #[test]
    fn form_fields_take_several_lines_but_no_controls() {
        assert!(check_field("about", "a\r\nb").is_ok());
        assert_eq!(
            check_field("name", "a\u{85}").unwrap_err().field.as_deref(),
            Some("name")
        );
        assert!(check_field("na\nme", "x").is_err());
    }
}
