//! The "in the public log" box of a pledge's receipt page and a
//! candidate's page (issue 18): the leaf index, the checkpoint that
//! includes it (tree size and root hash) or that the sequencer has not
//! reached it yet, links to the inclusion proof and the leaf, and the exact
//! `cohort audit` command that checks it from outside.

use cohort_engine::log::LogPlace;

use crate::log::LogKey;

/// A leaf in a published checkpoint.
pub(crate) struct Included {
    pub leaf_index: u64,
    pub size: u64,
    pub root: String,
    /// `/log/proof/inclusion?index=I&size=S`.
    pub proof_url: String,
    /// `/log/leaves/I`.
    pub leaf_url: String,
}

/// What the box shows.
pub(crate) struct ProofBox {
    /// A pledge's receipt commitment (known before it is logged).
    pub commitment: Option<String>,
    /// `None`: not sequenced yet.
    pub included: Option<Included>,
    /// The shell command that audits the log (and this receipt).
    pub audit: String,
}

impl ProofBox {
    /// `receipt`: `ID:TOKEN` for a pledge's receipt, `None` for a signature.
    pub(crate) fn new(
        public_url: &str,
        key: &LogKey,
        place: Option<LogPlace>,
        commitment: Option<String>,
        receipt: Option<String>,
    ) -> ProofBox {
        let url = public_url.trim_end_matches('/');
        let key = match &key.0 {
            Some(k) => k.clone(),
            None => format!("\"$(curl -s {url}/log/key)\""),
        };
        let mut audit = format!("cohort audit {url} --key {key}");
        if let Some(r) = receipt {
            audit.push_str(&format!(" --receipt {r}"));
        }
        let included = place.and_then(|p| {
            let (size, root) = (p.checkpoint_size?, p.checkpoint_root?);
            Some(Included {
                leaf_index: p.leaf_index,
                size,
                root,
                proof_url: format!("/log/proof/inclusion?index={}&size={size}", p.leaf_index),
                leaf_url: format!("/log/leaves/{}", p.leaf_index),
            })
        });
        ProofBox {
            commitment,
            included,
            audit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(size: Option<u64>) -> LogPlace {
        LogPlace {
            leaf_index: 7,
            commitment: None,
            checkpoint_size: size,
            checkpoint_root: size.map(|_| "cm9vdA==".into()),
        }
    }

    #[test]
    fn the_box_links_the_proof_of_its_leaf_in_its_checkpoint() {
        let key = LogKey(Some("h/log+abcd+AQID".into()));
        let b = ProofBox::new(
            "https://c.example/",
            &key,
            Some(place(Some(9))),
            None,
            Some("3:tok".into()),
        );
        let i = b.included.expect("included");
        assert_eq!(i.proof_url, "/log/proof/inclusion?index=7&size=9");
        assert_eq!(i.leaf_url, "/log/leaves/7");
        assert_eq!(
            b.audit,
            "cohort audit https://c.example --key h/log+abcd+AQID --receipt 3:tok"
        );
    }

    #[test]
    fn without_a_checkpoint_or_a_key_it_says_so() {
        let b = ProofBox::new("http://x", &LogKey(None), Some(place(None)), None, None);
        assert!(b.included.is_none());
        assert_eq!(
            b.audit,
            "cohort audit http://x --key \"$(curl -s http://x/log/key)\""
        );
    }
}
