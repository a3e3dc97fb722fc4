use cohort_store::StoreError;

/// Everything a use case can refuse or fail with. The web layer maps each
/// variant to one HTTP status, once, at the edge.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// No such slate, candidate or pledge (`what` names the kind, `key` the id asked for).
    #[error("no {what} {key:?}")]
    NotFound { what: &'static str, key: String },
    /// A field of the request is wrong; `field` is its path, e.g. `donor.email`.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// The request is well formed but conflicts with the current state.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// No credentials, or credentials that match nothing.
    #[error("{0}")]
    Unauthenticated(String),
    /// Credentials that are not allowed to do this.
    #[error("{0}")]
    Forbidden(String),
    #[error(transparent)]
    Store(StoreError),
}

impl EngineError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        EngineError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn not_found(what: &'static str, key: impl Into<String>) -> Self {
        EngineError::NotFound {
            what,
            key: key.into(),
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        EngineError::Conflict {
            code,
            message: message.into(),
        }
    }
}
