//! [`LocalPath`]: the one parser for a place to send a browser back to
//! (`next=` after signing in, and any other redirect target a request names).
//!
//! A target is accepted only when it is a path on this site: it starts with
//! one `/` (so it has no scheme and no authority), and neither the text nor
//! its percent-decoding holds a control character, a backslash, a bidi
//! override, a `//` or `/\` at the start, or a `.`/`..` segment. It must be
//! visible ASCII, so it is always a valid `Location` header. Anything else is
//! refused; callers fall back to a fixed page, never an error.

/// A same-origin path (with its query, if any), safe to put in `Location`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LocalPath(String);

impl LocalPath {
    /// `raw` as a local path, or `None` if it could lead anywhere else.
    pub(crate) fn parse(raw: &str) -> Option<LocalPath> {
        if raw.len() > 2048 || !raw.bytes().all(|b| b.is_ascii_graphic()) {
            return None;
        }
        let decoded = percent_decode(raw)?;
        for text in [raw, decoded.as_str()] {
            if !text.starts_with('/')
                || text.starts_with("//")
                || text.starts_with("/\\")
                || text.contains('\\')
                || text.chars().any(crate::text::is_forbidden)
            {
                return None;
            }
            let path = text.split(['?', '#']).next().unwrap_or("");
            if path.split('/').any(|seg| seg == "." || seg == "..") {
                return None;
            }
        }
        Some(LocalPath(raw.to_owned()))
    }

    /// `raw` when it is a local path, else `fallback`.
    pub(crate) fn or(raw: Option<&str>, fallback: &str) -> String {
        raw.and_then(LocalPath::parse)
            .map_or_else(|| fallback.to_owned(), |p| p.0)
    }
}

/// Percent-decoding (repeatedly, so `%252F` is seen as `/` too), or `None`
/// when the bytes are not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let mut current = s.to_owned();
    for _ in 0..4 {
        let next = decode_once(&current)?;
        if next == current {
            return Some(next);
        }
        current = next;
    }
    // Still changing after four rounds: nobody writes a path like that.
    None
}

fn decode_once(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_this_site_are_kept() {
        for good in [
            "/",
            "/me",
            "/slates/x/campaign?notice=y",
            "/slates/caf%C3%A9",
        ] {
            assert_eq!(LocalPath::parse(good).map(|p| p.0), Some(good.to_owned()));
        }
        for bad in [
            "",
            "me",
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "/%09/evil.example",
            "/\t/evil.example",
            "/%0d%0aSet-Cookie:x=1",
            "/%2F%2Fevil.example",
            "/%5Cevil.example",
            "/%252F%252Fevil.example",
            "/a/../../evil",
            "/%2e%2e/x",
            "/%00",
            "/%7F",
            "/%C2%85",
            "/%E2%80%AEevil",
            "/slates/café",
            "/ spaced",
            "/%ff",
        ] {
            assert_eq!(LocalPath::parse(bad), None, "{bad:?}");
        }
        assert_eq!(LocalPath::or(Some("//evil.example"), "/"), "/");
        assert_eq!(LocalPath::or(None, "/me"), "/me");
    }
}
