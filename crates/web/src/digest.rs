//! The weekly digest's one-click unsubscribe (RFC 8058, issue 15).
//!
//! A digest carries `List-Unsubscribe: <https://…/unsubscribe/one-click/TOKEN>`
//! and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`; a mail client
//! then POSTs exactly `List-Unsubscribe=One-Click` to that URL, with no
//! cookies and from no page of ours. So this one route is exempt from the
//! session and the CSRF check ([`crate::session::CsrfForm`]) — and only for
//! that exact body: the token (an HMAC under the server's secret key, see
//! `Keyring::unsubscribe_token`) is the authority. A GET (a person, or a
//! scanner following the link) only shows a button that makes the same POST,
//! so fetching the link never unsubscribes anyone.

use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use cohort_engine::{Engine, EngineError};

use crate::extract::ApiPath;
use crate::pages::{html, PageError};

pub(crate) fn routes() -> Router<Engine> {
    Router::new().route("/unsubscribe/one-click/{token}", get(page).post(one_click))
}

#[derive(Template)]
#[template(path = "one_click_unsubscribe.html")]
struct OneClickPage {
    heading: String,
    line: String,
    /// The form's target, while there is still something to do.
    action: Option<String>,
}

async fn page(ApiPath(token): ApiPath<String>) -> Response {
    html(
        StatusCode::OK,
        &OneClickPage {
            heading: "Stop updates from Cohort".into(),
            line: "You will still get receipts for your pledges and the sign-in links you ask for."
                .into(),
            action: Some(format!("/unsubscribe/one-click/{token}")),
        },
    )
}

async fn one_click(
    State(engine): State<Engine>,
    ApiPath(token): ApiPath<String>,
    headers: HeaderMap,
    body: String,
) -> Result<Response, PageError> {
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !is_one_click(kind, &body) {
        return Err(EngineError::invalid(
            "List-Unsubscribe",
            "a one-click unsubscribe posts exactly List-Unsubscribe=One-Click",
        )
        .into());
    }
    let email = engine.unsubscribe_one_click(&token).await?;
    Ok(html(
        StatusCode::OK,
        &OneClickPage {
            heading: "Done: no more updates".into(),
            line: format!(
                "{email} will get no more updates from Cohort. Change this any time on your account page."
            ),
            action: None,
        },
    ))
}

/// Whether a POST body is RFC 8058's `List-Unsubscribe=One-Click`, sent as
/// `application/x-www-form-urlencoded` or `multipart/form-data` (the RFC
/// allows either).
fn is_one_click(content_type: &str, body: &str) -> bool {
    let kind = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match kind.as_str() {
        "application/x-www-form-urlencoded" => {
            let pairs: Vec<(String, String)> = match serde_urlencoded::from_str(body) {
                Ok(p) => p,
                Err(_) => return false,
            };
            pairs
                .iter()
                .any(|(k, v)| k == "List-Unsubscribe" && v == "One-Click")
        }
        "multipart/form-data" => body.split("Content-Disposition:").skip(1).any(|part| {
            let (head, value) = part
                .split_once("\r\n\r\n")
                .or_else(|| part.split_once("\n\n"))
                .unwrap_or((part, ""));
            head.contains("name=\"List-Unsubscribe\"")
                && value.lines().next().map(str::trim) == Some("One-Click")
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_one_click;

    #[test]
    fn only_the_exact_one_click_body_counts() {
        let form = "application/x-www-form-urlencoded";
        assert!(is_one_click(form, "List-Unsubscribe=One-Click"));
        assert!(is_one_click(
            "application/x-www-form-urlencoded; charset=utf-8",
            "List-Unsubscribe=One-Click"
        ));
        assert!(!is_one_click(form, "List-Unsubscribe=Two-Clicks"));
        assert!(!is_one_click(form, "csrf=x"));
        assert!(!is_one_click(form, ""));
        assert!(!is_one_click("text/plain", "List-Unsubscribe=One-Click"));
        let multipart = "--b\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--b--\r\n";
        assert!(is_one_click("multipart/form-data; boundary=b", multipart));
        assert!(!is_one_click(
            "multipart/form-data; boundary=b",
            &multipart.replace("One-Click", "Nope")
        ));
    }
}
