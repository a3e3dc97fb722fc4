//! Checkpoints (C2SP tlog-checkpoint) signed as notes (C2SP signed-note)
//! with Ed25519: `origin\nsize\nbase64(root)\n`, a blank line, and
//! `— name base64(keyid‖signature)` lines. The key's name is the origin.

use signed_note::{
    Note, Signer as _, StandardSigner, StandardVerifier, Verifier as _, VerifierList,
};
use tlog_tiles::{Checkpoint, Hash};

use crate::LogError;

/// A note signer key (`PRIVATE+KEY+name+id+base64`) and its verifier key
/// (`name+id+base64`) from a 32-byte Ed25519 seed the caller drew.
pub fn key_from_seed(name: &str, seed: [u8; 32]) -> Result<(String, String), LogError> {
    if !signed_note::is_key_name_valid(name) {
        return Err(LogError::Key(format!("{name:?} is not a valid key name")));
    }
    let key = ed25519_dalek::SigningKey::from_bytes(&seed);
    let vkey = signed_note::new_ed25519_verifier_key(name, &key.verifying_key());
    let id = vkey.split('+').nth(1).unwrap_or_default().to_owned();
    let mut private = vec![1u8];
    private.extend_from_slice(&seed);
    let skey = format!("PRIVATE+KEY+{name}+{id}+{}", crate::b64(&private));
    Ok((skey, vkey))
}

/// Signs checkpoints of the log named by its key.
pub struct CheckpointSigner {
    signer: StandardSigner,
    vkey: String,
}

impl std::fmt::Debug for CheckpointSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CheckpointSigner({})", self.vkey)
    }
}

impl CheckpointSigner {
    /// From a signer key as [`key_from_seed`] writes it.
    pub fn new(skey: &str) -> Result<CheckpointSigner, LogError> {
        let skey = skey.trim();
        let signer = StandardSigner::new(skey).map_err(|e| LogError::Key(format!("{e:?}")))?;
        // The verifier key: the name, the id and the public half.
        // `PRIVATE+KEY+name+id+base64`: the name has no `+`, the base64 may.
        let seed = skey
            .splitn(5, '+')
            .nth(4)
            .and_then(|b| {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD.decode(b).ok()
            })
            .filter(|b| b.len() == 33)
            .ok_or_else(|| LogError::Key("not an Ed25519 signer key".into()))?;
        let mut s = [0u8; 32];
        s.copy_from_slice(&seed[1..]);
        let (_, vkey) = key_from_seed(signer.name(), s)?;
        Ok(CheckpointSigner { signer, vkey })
    }

    /// The log's origin (the key's name).
    pub fn origin(&self) -> &str {
        self.signer.name()
    }

    /// The note verifier key anyone checks checkpoints with.
    pub fn verifier_key(&self) -> &str {
        &self.vkey
    }

    /// The signed checkpoint of a tree of `size` leaves with root `root`.
    pub fn sign(&self, size: u64, root: Hash) -> Result<String, LogError> {
        let c = Checkpoint::new(self.origin(), size, root, "")
            .map_err(|_| LogError::Checkpoint("cannot build".into()))?;
        let mut note =
            Note::new(&c.to_bytes(), &[]).map_err(|e| LogError::Checkpoint(format!("{e:?}")))?;
        note.add_sigs(&[&self.signer])
            .map_err(|e| LogError::Checkpoint(format!("{e:?}")))?;
        String::from_utf8(note.to_bytes()).map_err(|e| LogError::Checkpoint(e.to_string()))
    }
}

/// What a verified checkpoint says.
#[derive(Clone, Debug, PartialEq)]
pub struct SignedCheckpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
}

/// Checks checkpoints against one note verifier key.
pub struct CheckpointVerifier {
    list: VerifierList,
    name: String,
}

impl std::fmt::Debug for CheckpointVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CheckpointVerifier({})", self.name)
    }
}

impl CheckpointVerifier {
    pub fn new(vkey: &str) -> Result<CheckpointVerifier, LogError> {
        let v = StandardVerifier::new(vkey.trim()).map_err(|e| LogError::Key(format!("{e:?}")))?;
        let name = v.name().to_owned();
        Ok(CheckpointVerifier {
            list: VerifierList::new(vec![Box::new(v)]),
            name,
        })
    }

    /// Verify the note's signature by this key and parse its checkpoint,
    /// whose origin must be the key's name.
    pub fn open(&self, note: &str) -> Result<SignedCheckpoint, LogError> {
        let n = Note::from_bytes(note.as_bytes())
            .map_err(|e| LogError::Checkpoint(format!("not a signed note: {e:?}")))?;
        n.verify(&self.list).map_err(|e| {
            LogError::Checkpoint(format!(
                "signature does not verify with {}: {e:?}",
                self.name
            ))
        })?;
        let c = Checkpoint::from_bytes(n.text())
            .map_err(|_| LogError::Checkpoint("malformed checkpoint text".into()))?;
        if c.origin() != self.name {
            return Err(LogError::Checkpoint(format!(
                "origin {:?} is not the key's name {:?}",
                c.origin(),
                self.name
            )));
        }
        Ok(SignedCheckpoint {
            origin: c.origin().to_owned(),
            size: c.size(),
            root: *c.hash(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: a key whose base64 holds a `+` was refused (found
    /// running the demo; the tests' fixed seeds had none).
    #[test]
    fn keys_whose_base64_holds_a_plus_load() {
        let mut plus = 0;
        for b in 0..=255u8 {
            let (skey, vkey) = key_from_seed("cohort.example/log", [b; 32]).unwrap();
            plus += usize::from(skey.splitn(5, '+').nth(4).unwrap().contains('+'));
            assert_eq!(CheckpointSigner::new(&skey).unwrap().verifier_key(), vkey);
        }
        assert!(plus > 0, "no seed exercised a + in the key");
    }

    #[test]
    fn a_signed_checkpoint_opens_with_its_key_and_not_another() {
        let (skey, vkey) = key_from_seed("cohort.example/log", [7; 32]).unwrap();
        let signer = CheckpointSigner::new(&skey).unwrap();
        assert_eq!(signer.verifier_key(), vkey);
        let root = Hash([9; 32]);
        let note = signer.sign(12, root).unwrap();
        assert!(note.starts_with("cohort.example/log\n12\n"), "{note}");
        let c = CheckpointVerifier::new(&vkey).unwrap().open(&note).unwrap();
        assert_eq!((c.size, c.root), (12, root));

        let (_, other) = key_from_seed("cohort.example/log", [8; 32]).unwrap();
        assert!(CheckpointVerifier::new(&other)
            .unwrap()
            .open(&note)
            .is_err());
        let forged = note.replacen("\n12\n", "\n13\n", 1);
        assert!(CheckpointVerifier::new(&vkey)
            .unwrap()
            .open(&forged)
            .is_err());
    }
}
