//! Who the money comes from and goes to: committee and contributor records.
//!
//! Identifiers the FEC assigns are parsed once into newtypes ([`CommitteeId`],
//! [`CandidateId`], [`ElectionCode`]), so a malformed one is refused at the
//! edge with a message naming it, and every report can print them as they are.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A record that cannot be used as given. Each variant names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("FEC committee id {0:?} must be a C followed by 8 digits, like C00123456")]
    CommitteeId(String),
    #[error("FEC candidate id {0:?} must be H, S or P, a digit, the state and 5 digits (like H6CA12345), or P and 8 digits")]
    CandidateId(String),
    #[error("election code {0:?} must be P (primary), G (general), R (runoff), S (special) or C (convention) followed by a 4-digit year, like G2026")]
    ElectionCode(String),
    #[error("{field} must not be empty")]
    Empty { field: &'static str },
    #[error("{field} {value:?} must be a two-letter US state or territory code, like CA")]
    State { field: &'static str, value: String },
    #[error("{field} {value:?} must be a 5-digit or 9-digit ZIP code")]
    Zip { field: &'static str, value: String },
    #[error("a House candidate needs a two-digit district (00 for an at-large seat)")]
    District,
}

/// An FEC committee id: `C` and eight digits (`C00123456`), as the FEC
/// assigns on Form 1.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CommitteeId(String);

impl CommitteeId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for CommitteeId {
    type Err = RecordError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let b = t.as_bytes();
        if b.len() == 9 && b[0] == b'C' && b[1..].iter().all(u8::is_ascii_digit) {
            Ok(CommitteeId(t.to_owned()))
        } else {
            Err(RecordError::CommitteeId(s.to_owned()))
        }
    }
}

impl TryFrom<String> for CommitteeId {
    type Error = RecordError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<CommitteeId> for String {
    fn from(id: CommitteeId) -> String {
        id.0
    }
}

impl fmt::Display for CommitteeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An FEC candidate id: `H`/`S` + digit + state + 5 digits (`H6CA12345`,
/// `S4TX00123`), or `P` + 8 digits for a presidential candidate.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CandidateId(String);

impl CandidateId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for CandidateId {
    type Err = RecordError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let b = t.as_bytes();
        let ok = b.len() == 9
            && match b[0] {
                b'P' => b[1..].iter().all(u8::is_ascii_digit),
                b'H' | b'S' => {
                    b[1].is_ascii_digit()
                        && b[2..4].iter().all(u8::is_ascii_uppercase)
                        && b[4..].iter().all(u8::is_ascii_digit)
                }
                _ => false,
            };
        if ok {
            Ok(CandidateId(t.to_owned()))
        } else {
            Err(RecordError::CandidateId(s.to_owned()))
        }
    }
}

impl TryFrom<String> for CandidateId {
    type Error = RecordError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<CandidateId> for String {
    fn from(id: CandidateId) -> String {
        id.0
    }
}

impl fmt::Display for CandidateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Which election a contribution is designated for (11 CFR 110.1(b)): the
/// FEC's election code, a letter and the year, like `P2026` or `G2026`.
/// (`O`, "other", needs a free-text description and is not offered.)
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ElectionCode(String);

impl ElectionCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ElectionCode {
    type Err = RecordError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let b = t.as_bytes();
        if b.len() == 5 && b"PGRSC".contains(&b[0]) && b[1..].iter().all(u8::is_ascii_digit) {
            Ok(ElectionCode(t.to_owned()))
        } else {
            Err(RecordError::ElectionCode(s.to_owned()))
        }
    }
}

impl TryFrom<String> for ElectionCode {
    type Error = RecordError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<ElectionCode> for String {
    fn from(c: ElectionCode) -> String {
        c.0
    }
}

impl fmt::Display for ElectionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// US states, DC, territories and the military "states" the FEC accepts.
const STATES: &[&str] = &[
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM",
    "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA",
    "WV", "WI", "WY", "AS", "GU", "MP", "PR", "VI", "AA", "AE", "AP",
];

fn non_empty(field: &'static str, v: &str) -> Result<String, RecordError> {
    let t = v.trim();
    if t.is_empty() {
        Err(RecordError::Empty { field })
    } else {
        Ok(t.to_owned())
    }
}

fn state(field: &'static str, v: &str) -> Result<String, RecordError> {
    let t = v.trim().to_ascii_uppercase();
    if STATES.contains(&t.as_str()) {
        Ok(t)
    } else {
        Err(RecordError::State {
            field,
            value: v.to_owned(),
        })
    }
}

/// A postal address in the United States. ZIP is kept as 5 or 9 digits (a
/// hyphen in `94110-1234` is accepted and dropped), as the FEC files it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub street1: String,
    pub street2: Option<String>,
    pub city: String,
    pub state: String,
    pub zip: String,
}

/// What a caller knows of an address, before it is checked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressInput {
    pub street1: String,
    pub street2: Option<String>,
    pub city: String,
    pub state: String,
    pub zip: String,
}

impl Address {
    pub fn new(a: AddressInput) -> Result<Address, RecordError> {
        let zip: String = a.zip.trim().chars().filter(|c| *c != '-').collect();
        if !(zip.len() == 5 || zip.len() == 9) || !zip.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RecordError::Zip {
                field: "zip",
                value: a.zip,
            });
        }
        Ok(Address {
            street1: non_empty("street", &a.street1)?,
            street2: a
                .street2
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty()),
            city: non_empty("city", &a.city)?,
            state: state("state", &a.state)?,
            zip,
        })
    }
}

/// A person's name as the FEC itemizes it: first and last apart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName {
    pub first: String,
    pub last: String,
}

impl PersonName {
    pub fn new(first: &str, last: &str) -> Result<PersonName, RecordError> {
        Ok(PersonName {
            first: non_empty("first name", first)?,
            last: non_empty("last name", last)?,
        })
    }

    /// `First Last`, for receipts and memo text.
    pub fn full(&self) -> String {
        format!("{} {}", self.first, self.last)
    }
}

/// The office a federal candidate seeks, as the FEC codes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CandidateOffice {
    House,
    Senate,
    President,
}

impl CandidateOffice {
    /// `H`, `S` or `P`.
    pub fn code(self) -> &'static str {
        match self {
            CandidateOffice::House => "H",
            CandidateOffice::Senate => "S",
            CandidateOffice::President => "P",
        }
    }
}

/// The candidate a committee is authorized by (Form 2). The FEC wants the
/// candidate named on every earmark a conduit forwards (Schedule B line 23).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub id: CandidateId,
    pub name: PersonName,
    pub office: CandidateOffice,
    /// Two-letter state; none for President.
    pub state: Option<String>,
    /// Two digits for the House (`00` at large); none otherwise.
    pub district: Option<String>,
}

impl Candidate {
    pub fn new(
        id: CandidateId,
        name: PersonName,
        office: CandidateOffice,
        state_code: Option<&str>,
        district: Option<&str>,
    ) -> Result<Candidate, RecordError> {
        let state_code = match (office, state_code) {
            (CandidateOffice::President, _) => None,
            (_, Some(s)) => Some(state("candidate state", s)?),
            (_, None) => {
                return Err(RecordError::Empty {
                    field: "candidate state",
                })
            }
        };
        let district = match office {
            CandidateOffice::House => {
                let d = district.map(str::trim).ok_or(RecordError::District)?;
                if d.len() != 2 || !d.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(RecordError::District);
                }
                Some(d.to_owned())
            }
            _ => None,
        };
        Ok(Candidate {
            id,
            name,
            office,
            state: state_code,
            district,
        })
    }
}

/// A political committee: the conduit itself, or a recipient of earmarked
/// contributions (the committee of a candidate on a slate).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Committee {
    pub id: CommitteeId,
    pub name: String,
    pub treasurer: PersonName,
    pub address: Address,
    /// The authorizing candidate, for a candidate's committee. The conduit
    /// (a nonconnected PAC) has none.
    pub candidate: Option<Candidate>,
}

impl Committee {
    pub fn new(
        id: CommitteeId,
        name: &str,
        treasurer: PersonName,
        address: Address,
        candidate: Option<Candidate>,
    ) -> Result<Committee, RecordError> {
        Ok(Committee {
            id,
            name: non_empty("committee name", name)?,
            treasurer,
            address,
            candidate,
        })
    }
}

/// Who a contributor is, stable across their contributions: what the
/// aggregates of 11 CFR 104.3(a)(4) are summed by. The engine passes its own
/// donor key (an account id, or a normalized email).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ContributorId(pub String);

/// A contributor as the FEC itemizes them (11 CFR 100.12 "identification"):
/// name, mailing address, occupation and employer. Occupation and employer
/// may be missing while the conduit makes its "best efforts" to get them
/// (11 CFR 104.7); reports then say so.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contributor {
    pub id: ContributorId,
    pub name: PersonName,
    /// Missing while the conduit is still asking for it ("best efforts",
    /// 11 CFR 104.7); reports leave its columns blank.
    pub address: Option<Address>,
    pub employer: Option<String>,
    pub occupation: Option<String>,
    pub email: String,
}

impl Contributor {
    /// The mailing address, or blanks while it is not known.
    pub fn mailing(&self) -> Address {
        self.address.clone().unwrap_or(Address {
            street1: String::new(),
            street2: None,
            city: String::new(),
            state: String::new(),
            zip: String::new(),
        })
    }

    pub fn new(
        id: ContributorId,
        name: PersonName,
        address: Option<Address>,
        employer: Option<&str>,
        occupation: Option<&str>,
        email: &str,
    ) -> Result<Contributor, RecordError> {
        let opt = |v: Option<&str>| v.map(str::trim).filter(|s| !s.is_empty()).map(String::from);
        Ok(Contributor {
            id,
            name,
            address,
            employer: opt(employer),
            occupation: opt(occupation),
            email: non_empty("email", email)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committee_ids_are_c_and_eight_digits() {
        assert_eq!(
            "C00123456".parse::<CommitteeId>().unwrap().as_str(),
            "C00123456"
        );
        for bad in [
            "C0012345",
            "C001234567",
            "c00123456",
            "H00123456",
            "C0012345X",
            "",
        ] {
            let err = bad.parse::<CommitteeId>().unwrap_err();
            assert!(err.to_string().contains("C00123456"), "{err}");
        }
    }

    #[test]
    fn candidate_ids_follow_the_office_pattern() {
        for good in ["H6CA12345", "S4TX00123", "P80001571"] {
            assert!(good.parse::<CandidateId>().is_ok(), "{good}");
        }
        for bad in ["H6C112345", "X6CA12345", "P8000157A", "H6ca12345"] {
            assert!(bad.parse::<CandidateId>().is_err(), "{bad}");
        }
    }

    #[test]
    fn election_codes() {
        assert!("G2026".parse::<ElectionCode>().is_ok());
        assert!("P2026".parse::<ElectionCode>().is_ok());
        assert!("O2026".parse::<ElectionCode>().is_err());
        assert!("G26".parse::<ElectionCode>().is_err());
    }

    #[test]
    fn addresses_are_checked_and_zip_plus_four_is_compacted() {
        let a = Address::new(AddressInput {
            street1: " 1 Main St ".into(),
            street2: Some("".into()),
            city: "Oakland".into(),
            state: "ca".into(),
            zip: "94612-1234".into(),
        })
        .unwrap();
        assert_eq!(a.state, "CA");
        assert_eq!(a.zip, "946121234");
        assert_eq!(a.street1, "1 Main St");
        assert_eq!(a.street2, None);
        let bad_state = Address::new(AddressInput {
            state: "XX".into(),
            zip: "94612".into(),
            street1: "x".into(),
            city: "y".into(),
            ..Default::default()
        });
        assert!(matches!(bad_state, Err(RecordError::State { .. })));
        let bad_zip = Address::new(AddressInput {
            state: "CA".into(),
            zip: "9461".into(),
            street1: "x".into(),
            city: "y".into(),
            ..Default::default()
        });
        assert!(matches!(bad_zip, Err(RecordError::Zip { .. })));
    }

    #[test]
    fn house_candidates_need_a_district() {
        let name = PersonName::new("Ada", "Lovelace").unwrap();
        let id: CandidateId = "H6CA12345".parse().unwrap();
        let err = Candidate::new(
            id.clone(),
            name.clone(),
            CandidateOffice::House,
            Some("CA"),
            None,
        );
        assert_eq!(err, Err(RecordError::District));
        let ok = Candidate::new(id, name, CandidateOffice::House, Some("CA"), Some("12")).unwrap();
        assert_eq!(ok.district.as_deref(), Some("12"));
    }
}
