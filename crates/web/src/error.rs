//! The one error type of the HTTP layer, and the one place where engine
//! errors become status codes.

use std::borrow::Cow;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use cohort_engine::EngineError;
use cohort_store::StoreError;
use serde::Serialize;

/// An error answer: `{"error": {"code", "message", "field"?}}` with a status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: Cow<'static, str>,
    pub message: String,
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            code: code.into(),
            message: message.into(),
            field: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message).with_field(field)
    }

    pub fn too_large() -> Self {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!(
                "the request body is larger than {} KiB",
                crate::BODY_LIMIT / 1024
            ),
        )
    }

    pub fn internal() -> Self {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "something went wrong on our side; it has been logged",
        )
    }

    /// A generic error for a bare status some layer produced without a body.
    pub fn from_status(status: StatusCode) -> Self {
        match status {
            StatusCode::NOT_FOUND => ApiError::not_found("there is no such route"),
            StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
                status,
                "method_not_allowed",
                "this route does not accept that method",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::too_large(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => unsupported_media_type(),
            StatusCode::INTERNAL_SERVER_ERROR => ApiError::internal(),
            other => {
                let reason = other.canonical_reason().unwrap_or("error");
                let code = reason.to_ascii_lowercase().replace([' ', '-'], "_");
                ApiError::new(other, code, reason)
            }
        }
    }
}

pub(crate) fn unsupported_media_type() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "send the body as JSON with Content-Type: application/json",
    )
}

impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::NotFound { .. } => ApiError::not_found(e.to_string()),
            EngineError::Invalid { field, message } => ApiError::invalid(field, message),
            EngineError::Conflict { code, message } => {
                ApiError::new(StatusCode::CONFLICT, code, message)
            }
            EngineError::Unauthenticated(message) => ApiError::unauthorized(message),
            EngineError::Forbidden(message) => {
                ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
            }
            EngineError::Store(StoreError::Unavailable(detail)) => {
                tracing::warn!(%detail, "database unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the database is busy or unreachable; please retry shortly",
                )
            }
            EngineError::Store(other) => {
                tracing::error!(error = %other, "store error");
                ApiError::internal()
            }
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        EngineError::from(e).into()
    }
}

/// Every error answer under `/api` (the OpenAPI document's `ErrorBody`).
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = ErrorBody)]
pub(crate) struct Body<'a> {
    error: Inner<'a>,
}

/// What went wrong: a stable `code`, a sentence, and the bad input's `field`.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = ErrorDetail)]
pub(crate) struct Inner<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: Inner {
                code: &self.code,
                message: &self.message,
                field: self.field.as_deref(),
            },
        };
        let mut res = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_errors_map_once() {
        let cases = [
            (EngineError::not_found("slate", "x"), 404, "not_found"),
            (EngineError::invalid("donor.email", "bad"), 422, "invalid"),
            (
                EngineError::conflict("stale_version", "old"),
                409,
                "stale_version",
            ),
            (
                EngineError::Unauthenticated("no".into()),
                401,
                "unauthorized",
            ),
            (EngineError::Forbidden("no".into()), 403, "forbidden"),
            (
                EngineError::Store(StoreError::Unavailable("down".into())),
                503,
                "unavailable",
            ),
            (
                EngineError::Store(StoreError::Other("secret detail".into())),
                500,
                "internal",
            ),
        ];
        for (e, status, code) in cases {
            let a = ApiError::from(e);
            assert_eq!(a.status.as_u16(), status);
            assert_eq!(a.code, code);
            assert!(!a.message.contains("secret"));
        }
        assert_eq!(
            ApiError::from(EngineError::invalid("donor.email", "bad"))
                .field
                .as_deref(),
            Some("donor.email")
        );
    }

    #[test]
    fn bare_statuses_get_snake_case_codes() {
        assert_eq!(
            ApiError::from_status(StatusCode::REQUEST_TIMEOUT).code,
            "request_timeout"
        );
        assert_eq!(
            ApiError::from_status(StatusCode::METHOD_NOT_ALLOWED).code,
            "method_not_allowed"
        );
    }
}
