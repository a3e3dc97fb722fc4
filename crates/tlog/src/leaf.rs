//! A leaf: one public event of the engine's `events` table, as the bytes the
//! tree hashes. The bytes are JSON with a fixed key order and the payload's
//! keys sorted, so the same event always gives the same leaf and anyone can
//! re-derive it from `GET /api/slates/{slug}/events`.

use serde::{Deserialize, Serialize};

/// The largest leaf an entry bundle can carry (a 16-bit length prefix).
pub const MAX_LEAF: usize = u16::MAX as usize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leaf {
    /// The event's `seq` (the public event log's position).
    pub seq: i64,
    /// The slate's slug.
    pub slate: String,
    pub kind: String,
    /// RFC 3339, as the event API shows it.
    pub at: String,
    /// The event's public payload (JSON object; keys sorted).
    pub payload: serde_json::Value,
}

impl Leaf {
    /// The leaf for an event whose payload is the JSON text `payload` (a
    /// payload that is not JSON is kept as a string, so nothing is lost).
    pub fn new(seq: i64, slate: &str, kind: &str, at: &str, payload: &str) -> Leaf {
        let payload = serde_json::from_str(payload)
            .unwrap_or_else(|_| serde_json::Value::String(payload.to_owned()));
        Leaf {
            seq,
            slate: slate.to_owned(),
            kind: kind.to_owned(),
            at: at.to_owned(),
            payload,
        }
    }

    /// The bytes hashed into the tree. A leaf too long for an entry bundle
    /// keeps its header and replaces the payload by its SHA-256 (never
    /// reached by today's events, which are short).
    pub fn to_bytes(&self) -> Vec<u8> {
        // serde_json's maps are sorted (no `preserve_order`), the struct's
        // fields come in declaration order: the text is canonical.
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        if bytes.len() <= MAX_LEAF {
            return bytes;
        }
        let digest = tlog_tiles::record_hash(&bytes);
        let short = Leaf {
            payload: serde_json::json!({ "leaf_sha256": crate::b64(&digest.0) }),
            ..self.clone()
        };
        serde_json::to_vec(&short).unwrap_or_default()
    }

    /// Parse leaf bytes (as served in entry bundles).
    pub fn parse(bytes: &[u8]) -> Option<Leaf> {
        serde_json::from_slice(bytes).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaf_bytes_are_canonical_whatever_the_payload_key_order() {
        let a = Leaf::new(7, "s", "signed", "2026-01-01T00:00:00Z", r#"{"b":1,"a":2}"#);
        let b = Leaf::new(
            7,
            "s",
            "signed",
            "2026-01-01T00:00:00Z",
            r#"{"a":2, "b":1}"#,
        );
        assert_eq!(a.to_bytes(), b.to_bytes());
        assert_eq!(
            String::from_utf8(a.to_bytes()).unwrap(),
            r#"{"seq":7,"slate":"s","kind":"signed","at":"2026-01-01T00:00:00Z","payload":{"a":2,"b":1}}"#
        );
        assert_eq!(Leaf::parse(&a.to_bytes()), Some(a));
    }

    #[test]
    fn a_leaf_too_long_for_a_bundle_keeps_its_header() {
        let long = format!("\"{}\"", "x".repeat(70_000));
        let l = Leaf::new(1, "s", "slate_edited", "t", &long);
        let bytes = l.to_bytes();
        assert!(bytes.len() <= MAX_LEAF);
        let back = Leaf::parse(&bytes).unwrap();
        assert_eq!(back.seq, 1);
        assert!(back.payload.get("leaf_sha256").is_some());
    }
}
