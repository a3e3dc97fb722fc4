//! The donor's part of every money pledge form (the slate's pledge form and a
//! joint fundraiser's): who gives, as typed, and the engine input it becomes.
//! One struct so the two forms cannot drift apart.

use crate::pledge_input::DonorInput;
use serde::Deserialize;

/// The donor fields of a pledge form, as typed (re-shown after an error).
/// Flattened into each form, so the HTML field names stay `name`, `email`, …
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct DonorFields {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub zip: String,
    #[serde(default)]
    pub employer: String,
    #[serde(default)]
    pub occupation: String,
    #[serde(default)]
    pub attests: Option<String>,
    /// The partner code the supporter came with.
    #[serde(default, rename = "ref")]
    pub ref_code: String,
    /// The form's idempotency key: a resubmitted form is one pledge.
    #[serde(default)]
    pub nonce: String,
}

impl DonorFields {
    /// The donor as the engine takes it (email trimmed, state upper-cased;
    /// the engine checks the rest).
    pub fn donor(&self) -> DonorInput {
        DonorInput {
            email: self.email.trim().to_owned(),
            name: self.name.clone(),
            address: self.address.clone(),
            city: self.city.clone(),
            state: self.state.trim().to_uppercase(),
            zip: self.zip.clone(),
            employer: self.employer.clone(),
            occupation: self.occupation.clone(),
            attests_eligible: self.attests.is_some(),
        }
    }

    /// The partner code, if one was given.
    pub fn ref_code(&self) -> Option<String> {
        Some(self.ref_code.trim().to_owned()).filter(|r| !r.is_empty())
    }

    /// The idempotency key, if the form carried one.
    pub fn key(&self) -> Option<&str> {
        Some(self.nonce.as_str()).filter(|n| !n.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Form {
        amount: String,
        #[serde(flatten)]
        d: DonorFields,
    }

    #[test]
    fn a_flattened_form_reads_the_donor_fields_by_their_html_names() {
        let f: Form = serde_urlencoded::from_str(
            "amount=25&name=Pat+Doe&email=+pat%40example.org+&state=oh&attests=on&ref=+ABC+&nonce=n1",
        )
        .expect("parse");
        assert_eq!(f.amount, "25");
        let d = f.d.donor();
        assert_eq!(d.email, "pat@example.org");
        assert_eq!(d.state, "OH");
        assert!(d.attests_eligible);
        assert_eq!(f.d.ref_code().as_deref(), Some("ABC"));
        assert_eq!(f.d.key(), Some("n1"));
        let empty: Form = serde_urlencoded::from_str("amount=1").expect("parse");
        assert!(!empty.d.donor().attests_eligible);
        assert_eq!((empty.d.ref_code(), empty.d.key()), (None, None));
    }
}
