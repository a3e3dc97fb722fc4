//! What a donor attests, and what a conditional earmark must disclose.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Whether the donor may lawfully contribute as a US citizen or a lawfully
/// admitted permanent resident (foreign nationals may not: 52 U.S.C. 30121,
/// 11 CFR 110.20).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Residency {
    Citizen,
    PermanentResident,
}

/// What the pledge form asks the donor to confirm, as answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttestationInput {
    /// `None` if the donor is neither a citizen nor a permanent resident.
    pub residency: Option<Residency>,
    /// The money is the donor's own, not reimbursed by anyone
    /// (no contributions in the name of another: 11 CFR 110.4(b)).
    pub own_funds: bool,
    /// 18 or older on the day of the attestation.
    pub eighteen_or_older: bool,
    /// The donor is a federal government contractor (contractors may not
    /// contribute: 52 U.S.C. 30119, 11 CFR 115.2).
    pub federal_contractor: bool,
    pub attested_on: NaiveDate,
}

/// One reason a donor cannot attest eligibility.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Ineligible {
    #[error("only US citizens and lawfully admitted permanent residents may contribute")]
    NotCitizenOrResident,
    #[error("contributions must be made from your own funds")]
    NotOwnFunds,
    #[error("you must be 18 or older to contribute through Cohort")]
    Under18,
    #[error("federal government contractors may not contribute")]
    FederalContractor,
}

/// A complete eligibility attestation. One exists only if all four
/// statements were affirmed; store it with the pledge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attestation {
    residency: Residency,
    attested_on: NaiveDate,
}

impl Attestation {
    /// The statements a donor affirms, in the order the form shows them.
    pub const STATEMENTS: [&'static str; 4] = [
        "I am a U.S. citizen or a lawfully admitted permanent resident (green card holder).",
        "This contribution is made from my own funds, and not those of another person or entity.",
        "I am at least 18 years old.",
        "I am not a federal government contractor.",
    ];

    /// Checks every answer and reports all that fail, not just the first.
    pub fn attest(input: AttestationInput) -> Result<Attestation, Vec<Ineligible>> {
        let mut why = Vec::new();
        if input.residency.is_none() {
            why.push(Ineligible::NotCitizenOrResident);
        }
        if !input.own_funds {
            why.push(Ineligible::NotOwnFunds);
        }
        if !input.eighteen_or_older {
            why.push(Ineligible::Under18);
        }
        if input.federal_contractor {
            why.push(Ineligible::FederalContractor);
        }
        match input.residency {
            Some(residency) if why.is_empty() => Ok(Attestation {
                residency,
                attested_on: input.attested_on,
            }),
            _ => Err(why),
        }
    }

    pub fn residency(&self) -> Residency {
        self.residency
    }

    pub fn attested_on(&self) -> NaiveDate {
        self.attested_on
    }
}

/// The three disclosures FEC Advisory Opinion 2019-01 (It Starts Today)
/// requires of a conditional earmark, following the line of opinions it
/// cites: the contribution is passed on only when (1) an objective, easily
/// determined condition outside the conduit's control is met, (2) by a date
/// certain, and (3) the donor is told what happens to the money otherwise. A
/// Cohort pledge charges nothing until its condition is met, so the third is
/// that nothing is charged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionalEarmarkDisclosure {
    /// The trigger, outside Cohort's control.
    pub trigger: String,
    /// The date by which it must happen.
    pub deadline: String,
    /// What happens if it does not.
    pub otherwise: String,
}

/// Where the disclosure is shown: on the pledge form before the donor
/// commits, or on the receipt afterwards.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DisclosureFor {
    Form,
    Receipt,
}

/// Renders the AO 2019-01 disclosure for a pledge. `condition` is the
/// condition in plain English (Cohort's condition renderer writes it), e.g.
/// "at least 3 candidates in this slate sign the compact"; `deadline` is the
/// pledge's fixed date; `conduit` names the operator, whose control the
/// trigger is outside of.
pub fn conditional_earmark_disclosure(
    condition: &str,
    deadline: NaiveDate,
    conduit: &str,
    r#for: DisclosureFor,
) -> ConditionalEarmarkDisclosure {
    let condition = condition.trim().trim_end_matches('.');
    let date = deadline.format("%B %-d, %Y");
    match r#for {
        DisclosureFor::Form => ConditionalEarmarkDisclosure {
            trigger: format!(
                "Your contribution will be charged and forwarded only if this happens: {condition}. \
                 Whether it happens is a matter of public record and is not in {conduit}'s control."
            ),
            deadline: format!("It must happen by {date}."),
            otherwise: format!(
                "If it has not happened by {date}, nothing is charged, and your saved payment method is released."
            ),
        },
        DisclosureFor::Receipt => ConditionalEarmarkDisclosure {
            trigger: format!(
                "Your pledge is charged and forwarded only if this happens: {condition}. \
                 Whether it happens is a matter of public record and is not in {conduit}'s control."
            ),
            deadline: format!("It must happen by {date}."),
            otherwise: format!(
                "If it has not happened by {date}, you will not be charged anything, and your saved payment method is released."
            ),
        },
    }
}

impl ConditionalEarmarkDisclosure {
    /// The three statements, in order.
    pub fn statements(&self) -> [&str; 3] {
        [&self.trigger, &self.deadline, &self.otherwise]
    }

    /// The three statements as one paragraph.
    pub fn paragraph(&self) -> String {
        self.statements().join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn an_attestation_needs_all_four_statements() {
        let ok = AttestationInput {
            residency: Some(Residency::PermanentResident),
            own_funds: true,
            eighteen_or_older: true,
            federal_contractor: false,
            attested_on: day(2026, 3, 1),
        };
        let a = Attestation::attest(ok).unwrap();
        assert_eq!(a.residency(), Residency::PermanentResident);
        let bad = AttestationInput {
            residency: None,
            own_funds: false,
            eighteen_or_older: false,
            federal_contractor: true,
            ..ok
        };
        assert_eq!(
            Attestation::attest(bad),
            Err(vec![
                Ineligible::NotCitizenOrResident,
                Ineligible::NotOwnFunds,
                Ineligible::Under18,
                Ineligible::FederalContractor,
            ])
        );
        assert_eq!(
            Attestation::attest(AttestationInput {
                federal_contractor: true,
                ..ok
            }),
            Err(vec![Ineligible::FederalContractor])
        );
    }

    #[test]
    fn the_disclosure_states_trigger_date_and_no_charge() {
        for r#for in [DisclosureFor::Form, DisclosureFor::Receipt] {
            let d = conditional_earmark_disclosure(
                "at least 3 candidates in the Bay Area slate sign the compact.",
                day(2026, 9, 30),
                "Cohort",
                r#for,
            );
            let [trigger, deadline, otherwise] = d.statements();
            assert!(
                trigger.contains("at least 3 candidates in the Bay Area slate sign the compact. ")
            );
            assert!(trigger.contains("not in Cohort's control"));
            assert_eq!(deadline, "It must happen by September 30, 2026.");
            assert!(otherwise.contains("September 30, 2026"));
            assert!(
                otherwise.contains("not be charged") || otherwise.contains("nothing is charged")
            );
            assert!(d.paragraph().starts_with(trigger));
        }
    }
}
