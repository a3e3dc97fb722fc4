//! Donor names as they may appear in email (issue 14, finding 3).
//!
//! A pledge names any address, so its donor name is text a stranger can put
//! in front of someone else. Names are **refused** at intake unless plain,
//! rather than rewritten: the person pledging is told at once what to fix
//! (`422` naming `donor.name`), and no stored name can carry a link into a
//! receipt, notice, summary or report later. Emails also quote the name
//! (`Name given on the pledge: "…"`) instead of greeting with it.

use crate::slates::text;
use crate::{EngineError, Result};

/// The longest donor name taken.
pub const NAME_MAX: usize = 100;

/// A donor's name as it may appear in an email to whatever address the
/// pledge names (issue 14): a plain name, at most [`NAME_MAX`] characters,
/// with no control characters, no URL or address, nothing that reads as a
/// domain (`evil.example`), and no markup. Refused with the field named
/// rather than rewritten, so the person pledging sees what to fix.
pub(crate) fn plain_name(field: &str, s: &str, required: bool) -> Result<String> {
    let t = text(field, s, NAME_MAX, required)?;
    if t.chars().any(char::is_control) {
        return Err(EngineError::invalid(
            field,
            "must be one line without control characters",
        ));
    }
    if t.chars().any(|c| {
        matches!(
            c,
            '@' | '/' | '\\' | '<' | '>' | ':' | '[' | ']' | '{' | '}'
        )
    }) {
        return Err(EngineError::invalid(
            field,
            "must be a plain name: no web or email addresses, slashes, colons or brackets",
        ));
    }
    let domain_like = t.split_whitespace().any(|word| {
        let word = word.trim_end_matches(|c: char| c.is_ascii_punctuation());
        word.rsplit_once('.').is_some_and(|(before, after)| {
            before.chars().count() >= 2
                && after.chars().count() >= 2
                && after.chars().all(char::is_alphabetic)
        })
    });
    if domain_like || t.to_lowercase().contains("www") {
        return Err(EngineError::invalid(
            field,
            "must be a plain name: it looks like it holds a web address",
        ));
    }
    Ok(t)
}

/// A donor's "First Middle Last" as given and family names.
pub(crate) fn split_name(name: &str) -> (String, String) {
    let name = name.trim();
    match name.rsplit_once(' ') {
        Some((given, family)) => (given.trim().to_owned(), family.to_owned()),
        None => (name.to_owned(), String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_links_addresses_or_control_characters_are_refused() {
        for bad in [
            "Your account is locked - verify at evil.example",
            "see https://evil.example",
            "mail me@evil.example",
            "Sam\nDoe",
            "Sam\tDoe",
            "<b>Sam</b>",
            "visit www dot evil",
        ] {
            let e = plain_name("donor.name", bad, true).expect_err(bad);
            assert!(
                matches!(&e, EngineError::Invalid { field, .. } if field == "donor.name"),
                "{bad:?}: {e:?}"
            );
        }
        assert!(plain_name("donor.name", &"a".repeat(NAME_MAX + 1), true).is_err());
    }

    #[test]
    fn real_names_pass() {
        for good in [
            "Sam O'Neil-Doe",
            "J. R. Ewing Jr.",
            "J.R. Ewing",
            "Zoë Ångström",
            "Dr. María José García",
        ] {
            assert_eq!(plain_name("donor.name", good, true).expect(good), good);
        }
        assert_eq!(plain_name("donor.name", "", false).expect("optional"), "");
    }
}
