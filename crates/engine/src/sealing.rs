//! Secrets at rest (issue 14, finding 2). A copy of the database alone must
//! not sign anyone in, open a pledge or unsubscribe anyone:
//!
//! - Receipt tokens are stored as their SHA-256 (`pledges.receipt_token`),
//!   like sessions and links. An email written later than the pledge (an
//!   unlock notice, a failed payment) cannot repeat the original token, so it
//!   carries a *derived* one: HMAC-SHA256 under a key outside the database of
//!   the pledge id and the stored hash. Either opens the pledge.
//! - Outbox bodies (every one carries at least its unsubscribe link) are
//!   sealed with ChaCha20-Poly1305 under a key outside the database, and
//!   opened only to hand the email to the mail server.
//!
//! The keys are a [`Keyring`]: the first key seals and derives, every key
//! opens and verifies, so a new key can be put first while older ones keep
//! opening what they sealed. The binary reads it from `COHORT_SECRET_KEY` or
//! the data directory's `secret.keys` (made on first start, mode 0600).

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use sha2::{Digest, Sha256};

/// What a sealed body starts with; anything else is a body from before sealing.
const SEALED: &str = "sealed:v1:";

/// A key ring is unusable or a sealed text cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("no secret key: give at least one line of 64 hex digits")]
    Empty,
    #[error("line {0} of the secret keys is not 64 hex digits")]
    BadKey(usize),
    #[error("sealed with key {0}, which is not in the key ring")]
    UnknownKey(String),
    #[error("sealed text is damaged")]
    Damaged,
}

struct Key {
    id: String,
    seal: LessSafeKey,
    mac: hmac::Key,
}

impl Key {
    fn new(master: &[u8; 32]) -> Key {
        let master_mac = hmac::Key::new(hmac::HMAC_SHA256, master);
        let sub = |label: &str| hmac::sign(&master_mac, label.as_bytes());
        let seal_key = sub("cohort outbox v1");
        let mac_key = sub("cohort receipt v1");
        Key {
            id: hex::encode(&Sha256::digest(master)[..4]),
            seal: LessSafeKey::new(
                UnboundKey::new(&CHACHA20_POLY1305, seal_key.as_ref())
                    .expect("a 32-byte key fits ChaCha20-Poly1305"),
            ),
            mac: hmac::Key::new(hmac::HMAC_SHA256, mac_key.as_ref()),
        }
    }
}

/// The keys that seal the outbox and derive receipt links; newest first.
pub struct Keyring {
    keys: Vec<Key>,
    rng: SystemRandom,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|k| k.id.as_str()).collect();
        f.debug_struct("Keyring").field("keys", &ids).finish()
    }
}

impl Keyring {
    /// Keys from text: one key a line (64 hex digits), blank lines and `#`
    /// comments ignored, commas also separate; the first key is current.
    pub fn parse(text: &str) -> Result<Keyring, SealError> {
        let mut keys = Vec::new();
        for (n, line) in text.lines().enumerate() {
            for part in line.split(',') {
                let part = part.trim();
                if part.is_empty() || part.starts_with('#') {
                    continue;
                }
                let bytes: [u8; 32] = hex::decode(part)
                    .ok()
                    .and_then(|b| b.try_into().ok())
                    .ok_or(SealError::BadKey(n + 1))?;
                keys.push(Key::new(&bytes));
            }
        }
        if keys.is_empty() {
            return Err(SealError::Empty);
        }
        Ok(Keyring {
            keys,
            rng: SystemRandom::new(),
        })
    }

    /// A new random key, as the line a key file holds.
    pub fn new_key_line() -> String {
        let mut bytes = [0u8; 32];
        SystemRandom::new()
            .fill(&mut bytes)
            .expect("the system's random generator works");
        hex::encode(bytes)
    }

    /// A ring of one fresh key that lives only as long as this process
    /// (tests, and engines no binary configured).
    pub fn ephemeral() -> Keyring {
        Keyring::parse(&Keyring::new_key_line()).expect("a fresh key parses")
    }

    /// The current key's short id (the first 4 bytes of its SHA-256).
    pub fn current_id(&self) -> &str {
        &self.keys[0].id
    }

    /// `plain` sealed under the current key: `sealed:v1:ID:HEX(nonce‖ciphertext‖tag)`.
    pub fn seal(&self, plain: &str) -> String {
        let key = &self.keys[0];
        let mut nonce = [0u8; NONCE_LEN];
        self.rng
            .fill(&mut nonce)
            .expect("the system's random generator works");
        let mut data = plain.as_bytes().to_vec();
        key.seal
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(key.id.as_bytes()),
                &mut data,
            )
            .expect("a body fits ChaCha20-Poly1305");
        let mut out = Vec::with_capacity(NONCE_LEN + data.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&data);
        format!("{SEALED}{}:{}", key.id, hex::encode(out))
    }

    /// Whether `stored` is sealed (rather than a body from before sealing).
    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(SEALED)
    }

    /// The text `stored` holds: opened if sealed, as is otherwise.
    pub fn open(&self, stored: &str) -> Result<String, SealError> {
        let Some(rest) = stored.strip_prefix(SEALED) else {
            return Ok(stored.to_owned());
        };
        let (id, data) = rest.split_once(':').ok_or(SealError::Damaged)?;
        let key = self
            .keys
            .iter()
            .find(|k| k.id == id)
            .ok_or_else(|| SealError::UnknownKey(id.to_owned()))?;
        let mut data = hex::decode(data).map_err(|_| SealError::Damaged)?;
        if data.len() < NONCE_LEN {
            return Err(SealError::Damaged);
        }
        let nonce =
            Nonce::try_assume_unique_for_key(&data[..NONCE_LEN]).map_err(|_| SealError::Damaged)?;
        let mut body = data.split_off(NONCE_LEN);
        let plain = key
            .seal
            .open_in_place(nonce, Aad::from(key.id.as_bytes()), &mut body)
            .map_err(|_| SealError::Damaged)?;
        String::from_utf8(plain.to_vec()).map_err(|_| SealError::Damaged)
    }

    /// A receipt token derived from what the database stores of a pledge
    /// (its id and token hash) under the current key.
    pub fn receipt_token(&self, pledge: i64, stored_hash: &str) -> String {
        let msg = format!("receipt:{pledge}:{stored_hash}");
        hex::encode(hmac::sign(&self.keys[0].mac, msg.as_bytes()).as_ref())
    }

    /// The receipt token of a pledge made under an `Idempotency-Key`, so a
    /// replay can answer the same token again without it being stored.
    pub fn idempotent_receipt(&self, key: &str, request_hash: &str) -> String {
        Self::idempotent_under(&self.keys[0], key, request_hash)
    }

    /// The token [`Keyring::idempotent_receipt`] made under whichever key
    /// of the ring, if its SHA-256 is `stored_hash`.
    pub fn idempotent_receipt_again(
        &self,
        key: &str,
        request_hash: &str,
        stored_hash: &str,
    ) -> Option<String> {
        self.keys
            .iter()
            .map(|k| Self::idempotent_under(k, key, request_hash))
            .find(|t| {
                crate::secrets::secrets_equal(
                    &hex::encode(Sha256::digest(t.as_bytes())),
                    stored_hash,
                )
            })
    }

    fn idempotent_under(k: &Key, key: &str, request_hash: &str) -> String {
        let msg = format!("idempotent:{}:{key}:{request_hash}", key.len());
        hex::encode(&hmac::sign(&k.mac, msg.as_bytes()).as_ref()[..24])
    }

    /// The one-click unsubscribe token of digest `digest` to `email`
    /// (RFC 8058): `ID.HEX(HMAC)` under the current key, so it needs no
    /// stored secret and cannot be made for another digest or address
    /// without a key outside the database.
    pub fn unsubscribe_token(&self, digest: i64, email: &str) -> String {
        let msg = format!("unsubscribe:{digest}:{email}");
        let tag = hmac::sign(&self.keys[0].mac, msg.as_bytes());
        format!("{digest}.{}", hex::encode(tag.as_ref()))
    }

    /// A supporter's own referral code (the `ref` of the link they share):
    /// the same for an address every time under the current key, and
    /// neither the address nor anything it can be recovered from.
    pub fn referral_code(&self, email: &str) -> String {
        let msg = format!("referral:{}", email.trim().to_lowercase());
        let tag = hmac::sign(&self.keys[0].mac, msg.as_bytes());
        format!("s-{}", &hex::encode(tag.as_ref())[..12])
    }

    /// The digest a one-click unsubscribe token names, before it is checked.
    pub fn unsubscribe_digest(token: &str) -> Option<i64> {
        token.split_once('.')?.0.parse().ok()
    }

    /// Whether `token` was made by [`Keyring::unsubscribe_token`] for this
    /// digest and address, under any key of the ring.
    pub fn unsubscribe_matches(&self, digest: i64, email: &str, token: &str) -> bool {
        let Some((id, tag)) = token.split_once('.') else {
            return false;
        };
        let (Ok(id), Ok(tag)) = (id.parse::<i64>(), hex::decode(tag)) else {
            return false;
        };
        let msg = format!("unsubscribe:{digest}:{email}");
        id == digest
            && self
                .keys
                .iter()
                .any(|k| hmac::verify(&k.mac, msg.as_bytes(), &tag).is_ok())
    }

    /// Whether `token` opens the pledge whose stored hash is `stored_hash`:
    /// the original token (by its SHA-256) or one derived under any key.
    pub fn receipt_matches(&self, pledge: i64, stored_hash: &str, token: &str) -> bool {
        let hashed = hex::encode(Sha256::digest(token.as_bytes()));
        if crate::secrets::secrets_equal(&hashed, stored_hash) {
            return true;
        }
        let Ok(tag) = hex::decode(token) else {
            return false;
        };
        let msg = format!("receipt:{pledge}:{stored_hash}");
        self.keys
            .iter()
            .any(|k| hmac::verify(&k.mac, msg.as_bytes(), &tag).is_ok())
    }
}

impl crate::Engine {
    /// A receipt token for a pledge's later emails and pages: derived from
    /// the stored hash under the current key (the original is not stored).
    pub(crate) fn receipt_link_token(&self, row: &cohort_store::PledgeRow) -> String {
        self.keys.receipt_token(row.id, &row.receipt_token)
    }

    /// Seal what older versions left in plain text: hash plain receipt
    /// tokens (SQLite; PostgreSQL's migration already did) and seal
    /// unsealed outbox bodies. Runs after every migration; idempotent, and
    /// a no-op once done (two indexed reads).
    pub async fn seal_at_rest(&self) -> crate::Result<()> {
        const BATCH: i64 = 500;
        loop {
            let mut tx = self.store.write().await?;
            let plain = tx.plain_receipt_tokens(BATCH).await?;
            for (id, token) in &plain {
                tx.set_receipt_token_hash(*id, &crate::secrets::token_hash(token))
                    .await?;
            }
            let bodies = tx.unsealed_bodies(BATCH).await?;
            for (id, body) in &bodies {
                tx.set_email_body(*id, &self.keys.seal(body)).await?;
            }
            tx.commit().await?;
            if plain.len() < BATCH as usize && bodies.len() < BATCH as usize {
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_body_opens_only_with_its_key_and_hides_its_text() {
        let ring = Keyring::ephemeral();
        let sealed = ring.seal("follow https://x/sign-in/abc123");
        assert!(Keyring::is_sealed(&sealed));
        assert!(!sealed.contains("abc123"));
        assert_eq!(
            ring.open(&sealed).expect("opens"),
            "follow https://x/sign-in/abc123"
        );
        assert!(matches!(
            Keyring::ephemeral().open(&sealed),
            Err(SealError::UnknownKey(_))
        ));
        assert_eq!(ring.open("plain").expect("as is"), "plain");
        let mut damaged = sealed.clone();
        damaged.pop();
        damaged.push('0');
        assert!(ring.open(&damaged).is_err() || damaged == sealed);
    }

    #[test]
    fn a_referral_code_is_one_per_address_and_hides_it() {
        let ring = Keyring::ephemeral();
        let code = ring.referral_code("eve@example.org");
        assert_eq!(ring.referral_code(" Eve@Example.org "), code);
        assert_ne!(ring.referral_code("fay@example.org"), code);
        assert_ne!(Keyring::ephemeral().referral_code("eve@example.org"), code);
        assert!(code.starts_with("s-") && code.len() == 14, "{code}");
        assert!(!code.contains("eve"), "{code}");
    }

    #[test]
    fn a_rotated_ring_opens_old_bodies_and_seals_with_the_new_key() {
        let (old, new) = (Keyring::new_key_line(), Keyring::new_key_line());
        let before = Keyring::parse(&old).expect("old");
        let sealed = before.seal("body");
        let token = before.receipt_token(7, "hash");
        let after = Keyring::parse(&format!("# rotated\n{new}\n{old}\n")).expect("rotated");
        assert_eq!(after.open(&sealed).expect("old key opens"), "body");
        assert_ne!(after.current_id(), before.current_id());
        assert!(after.seal("x").contains(after.current_id()));
        assert!(after.receipt_matches(7, "hash", &token));
        assert!(!after.receipt_matches(8, "hash", &token));
        let first = before.idempotent_receipt("k1", "rh");
        let stored = hex::encode(Sha256::digest(first.as_bytes()));
        assert_eq!(
            after.idempotent_receipt_again("k1", "rh", &stored),
            Some(first)
        );
        assert_eq!(after.idempotent_receipt_again("k2", "rh", &stored), None);
        let dropped = Keyring::parse(&new).expect("old key dropped");
        assert!(!dropped.receipt_matches(7, "hash", &token));
    }

    #[test]
    fn the_original_receipt_token_matches_by_its_hash() {
        let ring = Keyring::ephemeral();
        let hash = hex::encode(Sha256::digest(b"tok"));
        assert!(ring.receipt_matches(1, &hash, "tok"));
        assert!(!ring.receipt_matches(1, &hash, "tok2"));
        assert!(!ring.receipt_matches(1, &hash, &hash));
    }

    #[test]
    fn an_unsubscribe_token_opens_only_its_digest_and_address() {
        let (old, new) = (Keyring::new_key_line(), Keyring::new_key_line());
        let ring = Keyring::parse(&old).expect("ring");
        let t = ring.unsubscribe_token(42, "eve@example.org");
        assert_eq!(Keyring::unsubscribe_digest(&t), Some(42));
        assert!(ring.unsubscribe_matches(42, "eve@example.org", &t));
        assert!(!ring.unsubscribe_matches(43, "eve@example.org", &t));
        assert!(!ring.unsubscribe_matches(42, "bo@example.org", &t));
        let (_, tag) = t.split_once('.').expect("id.tag");
        assert!(!ring.unsubscribe_matches(43, "eve@example.org", &format!("43.{tag}")));
        assert!(!ring.unsubscribe_matches(42, "eve@example.org", "42.00"));
        assert!(!ring.unsubscribe_matches(42, "eve@example.org", "42"));
        assert!(!Keyring::ephemeral().unsubscribe_matches(42, "eve@example.org", &t));
        let rotated = Keyring::parse(&format!("{new}\n{old}")).expect("rotated");
        assert!(rotated.unsubscribe_matches(42, "eve@example.org", &t));
    }

    #[test]
    fn bad_key_lines_are_refused() {
        assert!(matches!(Keyring::parse("# none\n"), Err(SealError::Empty)));
        assert!(matches!(Keyring::parse("abcd"), Err(SealError::BadKey(1))));
    }
}
