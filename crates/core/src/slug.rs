//! Parsed identifiers: a value of these types is valid by construction.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A URL-safe name: 1–64 characters of `a-z`, `0-9` and single inner hyphens.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most 64 characters")]
    TooLong,
    #[error("may use only lowercase letters, digits and hyphens (found {0:?})")]
    BadChar(char),
    #[error("must not start or end with a hyphen, or have two in a row")]
    BadHyphen,
}

impl Slug {
    pub fn parse(s: &str) -> Result<Slug, SlugError> {
        if s.is_empty() {
            return Err(SlugError::Empty);
        }
        if s.len() > 64 {
            return Err(SlugError::TooLong);
        }
        if let Some(c) = s
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
        {
            return Err(SlugError::BadChar(c));
        }
        if s.starts_with('-') || s.ends_with('-') || s.contains("--") {
            return Err(SlugError::BadHyphen);
        }
        Ok(Slug(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Slug {
    type Error = SlugError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Slug::parse(&s)
    }
}

impl From<Slug> for String {
    fn from(s: Slug) -> String {
        s.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::borrow::Borrow<str> for Slug {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// An email address, trimmed and lowercased so one person is one donor.
/// Checks shape only (one `@`, a dot in the domain, no spaces); delivery proves the rest.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("is not an email address like name@example.org")]
pub struct EmailError;

impl Email {
    pub fn parse(s: &str) -> Result<Email, EmailError> {
        let s = s.trim().to_lowercase();
        let (local, domain) = s.split_once('@').ok_or(EmailError)?;
        let ok = !local.is_empty()
            && local.len() <= 64
            && s.len() <= 254
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(Email(s))
        } else {
            Err(EmailError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Email::parse(&s)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(Slug::parse("jane-doe-2").is_ok());
        assert_eq!(Slug::parse(""), Err(SlugError::Empty));
        assert_eq!(Slug::parse("Jane"), Err(SlugError::BadChar('J')));
        assert_eq!(Slug::parse("-a"), Err(SlugError::BadHyphen));
        assert_eq!(Slug::parse("a--b"), Err(SlugError::BadHyphen));
        assert_eq!(Slug::parse(&"a".repeat(65)), Err(SlugError::TooLong));
    }

    #[test]
    fn emails_are_normalised() {
        assert_eq!(
            Email::parse("  Ana@Example.ORG ").unwrap().as_str(),
            "ana@example.org"
        );
        assert!(Email::parse("ana@localhost").is_err());
        assert!(Email::parse("ana example.org").is_err());
        assert!(Email::parse("a@b@c.org").is_err());
    }
}
