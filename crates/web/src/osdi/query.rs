//! The OSDI edge: paging and filter parameters parsed into the engine's
//! types, and the OSDI error object every failure answers with.

use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use cohort_core::Email;
use cohort_engine::osdi::{OsdiFilter, Paging};
use cohort_engine::EngineError;
use serde_json::json;

use crate::error::ApiError;

pub(crate) const HAL: &str = "application/hal+json";
pub(crate) const PER_PAGE: u32 = 25;
pub(crate) const MAX_PER_PAGE: u32 = 100;

/// Any failure, answered as an OSDI error object (with Action Network's
/// top-level `error` string) in HAL+JSON.
#[derive(Debug)]
pub(crate) struct OsdiError(pub(crate) ApiError);

impl From<ApiError> for OsdiError {
    fn from(e: ApiError) -> Self {
        OsdiError(e)
    }
}

impl From<EngineError> for OsdiError {
    fn from(e: EngineError) -> Self {
        OsdiError(e.into())
    }
}

pub(crate) fn bad(field: &str, message: impl Into<String>) -> OsdiError {
    OsdiError(ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message).with_field(field))
}

impl IntoResponse for OsdiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = e.status.as_u16();
        let mut error = json!({ "code": e.code, "description": e.message });
        if let Some(f) = &e.field {
            error["properties"] = json!([f]);
        }
        let mut body = json!({
            "error": e.message,
            "request_type": "atomic",
            "response_code": status,
            "resource_status": [{ "response_code": status, "errors": [error] }],
        });
        if let Some(f) = &e.field {
            body["field"] = json!(f);
        }
        let mut res = (e.status, body.to_string()).into_response();
        res.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(HAL));
        res
    }
}

/// `page`, `per_page` and `filter` of a collection request; other
/// parameters are ignored.
#[derive(Clone, Debug, Default)]
pub(crate) struct ListParams {
    pub paging: Option<Paging>,
    pub filter_text: Option<String>,
    pub filter: OsdiFilter,
}

fn number(field: &str, v: &str, max: u32) -> Result<u32, OsdiError> {
    v.trim()
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=max).contains(n))
        .ok_or_else(|| {
            bad(
                field,
                format!("{field}: {v:?} is not a whole number from 1 to {max}"),
            )
        })
}

/// Parse the query string; `email` says whether `email_address` may be
/// filtered on (people only).
pub(crate) fn list_params(
    query: Option<&str>,
    email: bool,
) -> Result<(Paging, ListParams), OsdiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or(""))
        .map_err(|e| bad("query", format!("the query string is not readable: {e}")))?;
    let mut page = 1;
    let mut per_page = PER_PAGE;
    let mut out = ListParams::default();
    for (k, v) in &pairs {
        match k.as_str() {
            "page" => page = number("page", v, u32::MAX / MAX_PER_PAGE)?,
            "per_page" => per_page = number("per_page", v, MAX_PER_PAGE)?,
            "filter" => {
                out.filter = parse_filter(v, email)?;
                out.filter_text = Some(v.clone());
            }
            _ => {}
        }
    }
    let paging = Paging { page, per_page };
    out.paging = Some(paging);
    Ok((paging, out))
}

fn unsupported(clause: &str, email: bool) -> OsdiError {
    let what = if email {
        "modified_date gt '…', modified_date lt '…' and email_address eq '…'"
    } else {
        "modified_date gt '…' and modified_date lt '…'"
    };
    bad(
        "filter",
        format!("filter: {clause:?} is not supported here; this collection filters on {what}, joined with and"),
    )
}

fn instant(clause: &str, v: &str) -> Result<DateTime<Utc>, OsdiError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| {
            bad(
                "filter",
                format!(
                    "filter: in {clause:?}, {v:?} is not a date-time like '2026-01-01T00:00:00Z'"
                ),
            )
        })
}

/// The OData subset Action Network supports: `modified_date gt|lt 'T'`
/// and `email_address eq 'x@y.org'`, joined with `and`.
pub(crate) fn parse_filter(text: &str, email: bool) -> Result<OsdiFilter, OsdiError> {
    let mut f = OsdiFilter::default();
    let lower = text.to_ascii_lowercase();
    let mut clauses = Vec::new();
    let mut rest = (text, lower.as_str());
    while let Some(i) = rest.1.find(" and ") {
        clauses.push(&rest.0[..i]);
        rest = (&rest.0[i + 5..], &rest.1[i + 5..]);
    }
    clauses.push(rest.0);
    for clause in clauses {
        let c = clause.trim();
        let mut parts = c.splitn(3, ' ');
        let (Some(field), Some(op), Some(value)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(unsupported(c, email));
        };
        let value = value.trim();
        let Some(v) = value
            .strip_prefix('\'')
            .and_then(|v| v.strip_suffix('\''))
            .or_else(|| value.strip_prefix('"').and_then(|v| v.strip_suffix('"')))
        else {
            return Err(bad(
                "filter",
                format!("filter: in {c:?}, put the value in single quotes"),
            ));
        };
        match (field, op.to_ascii_lowercase().as_str()) {
            ("modified_date", "gt") => f.modified_after = Some(instant(c, v)?),
            ("modified_date", "lt") => f.modified_before = Some(instant(c, v)?),
            ("email_address", "eq") if email => {
                f.email = Some(
                    Email::parse(v)
                        .map_err(|e| bad("filter", format!("filter: in {c:?}, {v:?} {e}")))?,
                )
            }
            _ => return Err(unsupported(c, email)),
        }
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_action_network_subset_parses() {
        let f = parse_filter(
            "modified_date gt '2026-01-01T00:00:00Z' and modified_date lt '2026-02-01'",
            false,
        )
        .expect("dates");
        assert!(f.modified_after.is_some() && f.modified_before.is_some());
        let f = parse_filter("email_address eq 'Pat@Example.org'", true).expect("email");
        assert_eq!(
            f.email.map(|e| e.as_str().to_owned()).as_deref(),
            Some("pat@example.org")
        );
    }

    #[test]
    fn anything_else_names_the_filter() {
        for (text, email) in [
            ("given_name eq 'Pat'", true),
            ("email_address eq 'pat@example.org'", false),
            ("modified_date gt 2026-01-01", true),
            ("modified_date eq '2026-01-01'", true),
            ("modified_date gt 'yesterday'", true),
            ("", true),
        ] {
            let e = parse_filter(text, email).expect_err(text);
            assert_eq!(e.0.field.as_deref(), Some("filter"), "{text}");
            assert_eq!(e.0.status, StatusCode::BAD_REQUEST);
        }
    }

    #[test]
    fn per_page_is_bounded() {
        assert!(list_params(Some("per_page=100"), true).is_ok());
        for q in ["per_page=0", "per_page=101", "per_page=x", "page=0"] {
            let e = list_params(Some(q), true).expect_err(q);
            assert!(q.starts_with(e.0.field.as_deref().unwrap_or("?")), "{q}");
        }
    }
}
