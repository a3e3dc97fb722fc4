//! Extractors that turn every way a request can be wrong into an [`ApiError`]
//! in the documented shape, instead of axum's plain-text rejections.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use cohort_engine::{Actor, Engine};
use serde::de::DeserializeOwned;
use serde_json::error::Category;

use crate::error::{unsupported_media_type, ApiError};

/// A JSON body. Wrong `Content-Type` → 415, too large → 413, malformed →
/// 400 `malformed_json` naming line and column, a value of the wrong shape →
/// 422 `invalid` naming the JSON path of the field.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(req.headers()) {
            return Err(unsupported_media_type());
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::too_large()
            } else {
                ApiError::new(StatusCode::BAD_REQUEST, "unreadable_body", e.body_text())
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Deserialize `bytes`, reporting where and what went wrong. A string (or
/// key) holding a control character is refused too, naming its JSON path
/// (see [`crate::text`]).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        json_error(e.into_inner(), &path)
    })?;
    de.end().map_err(|e| json_error(e, "."))?;
    // The body is well-formed JSON by now, so this parse cannot fail.
    let document: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| json_error(e, "."))?;
    crate::text::check_json(&document)?;
    Ok(value)
}

fn json_error(e: serde_json::Error, path: &str) -> ApiError {
    let position = format!(" at line {} column {}", e.line(), e.column());
    let full = e.to_string();
    let message = full.strip_suffix(&position).unwrap_or(&full).to_owned();
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            format!(
                "malformed JSON at line {}, column {}: {message}",
                e.line(),
                e.column()
            ),
        ),
        Category::Data => {
            let field = field_path(path, &message);
            let text = match &field {
                Some(f) => format!("{f}: {message}"),
                None => format!("the body {message}"),
            };
            let err = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", text);
            match field {
                Some(f) => err.with_field(f),
                None => err,
            }
        }
    }
}

/// The JSON path of the offending field. Serde reports a missing field at its
/// parent, so the field's name is taken from the message.
fn field_path(path: &str, message: &str) -> Option<String> {
    let named = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    let parent = (path != ".").then_some(path);
    match (parent, named) {
        (Some(p), Some(n)) => Some(format!("{p}.{n}")),
        (None, Some(n)) => Some(n.to_owned()),
        (Some(p), None) => Some(p.to_owned()),
        (None, None) => None,
    }
}

/// Path parameters; a segment that does not parse (e.g. a pledge id that is
/// not a number) names nothing that exists, so it is a 404.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        use axum::extract::rejection::PathRejection;
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(t)) => Ok(ApiPath(t)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => Err(ApiError::not_found(
                format!("nothing here: {}", e.body_text()),
            )),
            Err(e) => {
                tracing::error!(error = %e.body_text(), "path extraction misconfigured");
                Err(ApiError::internal())
            }
        }
    }
}

/// Query parameters; a value of the wrong type is a 400 naming it.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(t)| ApiQuery(t))
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_query", e.body_text()))
    }
}

/// Who is calling: `Authorization: Bearer TOKEN`, or the public when the
/// header is absent. A malformed header or an unknown token is a 401.
#[derive(Debug, Clone)]
pub struct Auth(pub Actor);

impl FromRequestParts<Engine> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, engine: &Engine) -> Result<Self, ApiError> {
        let token = match parts.headers.get(AUTHORIZATION) {
            None => None,
            Some(value) => Some(bearer(value.to_str().ok())?),
        };
        Ok(Auth(engine.authenticate(token).await?))
    }
}

fn bearer(value: Option<&str>) -> Result<&str, ApiError> {
    value
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|token| !token.is_empty())
        .ok_or_else(|| ApiError::unauthorized("the Authorization header must be: Bearer TOKEN"))
}

/// Who is calling, on a route that needs an API token (an organizer's or a
/// candidate's): no `Authorization` header is a 401 before the path, query
/// or body is read, so an anonymous caller learns nothing from the input's
/// problems (which host, which date). The engine still checks the role.
#[derive(Debug, Clone)]
pub struct TokenAuth(pub Actor);

impl FromRequestParts<Engine> for TokenAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, engine: &Engine) -> Result<Self, ApiError> {
        if !parts.headers.contains_key(AUTHORIZATION) {
            return Err(ApiError::unauthorized(
                "this needs an API token: Authorization: Bearer TOKEN",
            ));
        }
        let Auth(actor) = Auth::from_request_parts(parts, engine).await?;
        Ok(TokenAuth(actor))
    }
}

/// The optional `Idempotency-Key` header.
#[derive(Debug, Clone)]
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        match parts.headers.get("idempotency-key") {
            None => Ok(IdempotencyKey(None)),
            Some(v) => v
                .to_str()
                .ok()
                .filter(|k| !k.contains('\t'))
                .map(|k| IdempotencyKey(Some(k.to_owned())))
                .ok_or_else(|| ApiError::invalid("Idempotency-Key", "must be visible ASCII text")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        amount: i64,
        inner: Inner,
        list: Vec<String>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        email: String,
    }

    fn err(body: &str) -> ApiError {
        parse_json::<Outer>(body.as_bytes()).unwrap_err()
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        let e = err("{\"amount\": 1,\n  \"inner\": }");
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert_eq!(e.code, "malformed_json");
        assert!(e.message.contains("line 2, column 12"), "{}", e.message);
        assert_eq!(err("").code, "malformed_json");
        assert_eq!(
            err(r#"{"amount":1,"inner":{"email":"a"},"list":[]} x"#).code,
            "malformed_json"
        );
    }

    #[test]
    fn data_errors_name_the_json_path() {
        let field = |body: &str| err(body).field;
        assert_eq!(
            field(r#"{"amount":"abc","inner":{"email":"a"},"list":[]}"#).as_deref(),
            Some("amount")
        );
        assert_eq!(
            field(r#"{"amount":1,"inner":{"email":5},"list":[]}"#).as_deref(),
            Some("inner.email")
        );
        assert_eq!(
            field(r#"{"amount":1,"inner":{"email":"a"},"list":["a",3]}"#).as_deref(),
            Some("list[1]")
        );
        assert_eq!(field(r#"{"amount":1,"list":[]}"#).as_deref(), Some("inner"));
        assert_eq!(
            field(r#"{"amount":1,"inner":{"email":"a","x":1},"list":[]}"#).as_deref(),
            Some("inner.x")
        );
        assert_eq!(field("[]"), None);
        assert_eq!(err("[]").status, StatusCode::UNPROCESSABLE_ENTITY);
    }

    #[test]
    fn bearer_headers() {
        assert_eq!(bearer(Some("Bearer abc")).unwrap(), "abc");
        assert_eq!(bearer(Some("bearer  abc ")).unwrap(), "abc");
        assert!(bearer(Some("Basic abc")).is_err());
        assert!(bearer(Some("Bearer ")).is_err());
        assert!(bearer(Some("abc")).is_err());
        assert!(bearer(None).is_err());
    }
}
