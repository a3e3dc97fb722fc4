//! The JSON body of `POST /api/slates/{slug}/pledges` (and what the pledge
//! forms build): the wire types, read strictly (an unknown field is
//! refused), and their one conversion into the engine's typed
//! [`PledgeRequest`]. Refusals name the field (`amount_cents`,
//! `donor.email`, …) and are answered 422.

use cohort_engine::{ActionsAsSent, DonorAsSent, EngineError, PledgeAsSent, PledgeRequest};
use serde::{Deserialize, Serialize};

/// The body of `POST /api/slates/{slug}/pledges`.
#[derive(utoipa::ToSchema, Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PledgeInput {
    pub kind: String,
    #[serde(default)]
    pub amount_cents: Option<i64>,
    #[serde(default)]
    pub recurring: Option<String>,
    #[serde(default)]
    pub hours_per_week: Option<i64>,
    #[serde(default)]
    pub weeks: Option<i64>,
    #[serde(default)]
    pub skills: Option<Vec<String>>,
    #[serde(default)]
    pub actions: Option<ActionsInput>,
    #[serde(default)]
    pub condition: Option<String>,
    #[serde(default)]
    pub candidates: Option<Vec<String>>,
    #[serde(default)]
    pub deadline: Option<String>,
    pub donor: DonorInput,
    #[serde(default, rename = "ref")]
    pub ref_code: Option<String>,
    /// Given through this joint fundraiser: splits across its hosts only.
    /// Left out of the request hash when absent, so older keys still match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joint_event: Option<i64>,
}

#[derive(utoipa::ToSchema, Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ActionsInput {
    #[serde(default)]
    pub doors: i64,
    #[serde(default)]
    pub calls: i64,
    #[serde(default)]
    pub texts: i64,
}

#[derive(utoipa::ToSchema, Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DonorInput {
    pub email: String,
    #[serde(default)]
    pub name: String,
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
    pub attests_eligible: bool,
}

impl From<DonorInput> for DonorAsSent {
    fn from(d: DonorInput) -> DonorAsSent {
        DonorAsSent {
            email: d.email,
            name: d.name,
            address: d.address,
            city: d.city,
            state: d.state,
            zip: d.zip,
            employer: d.employer,
            occupation: d.occupation,
            attests_eligible: d.attests_eligible,
        }
    }
}

impl From<PledgeInput> for PledgeAsSent {
    fn from(p: PledgeInput) -> PledgeAsSent {
        PledgeAsSent {
            kind: p.kind,
            amount_cents: p.amount_cents,
            recurring: p.recurring,
            hours_per_week: p.hours_per_week,
            weeks: p.weeks,
            skills: p.skills,
            actions: p.actions.map(|a| ActionsAsSent {
                doors: a.doors,
                calls: a.calls,
                texts: a.texts,
            }),
            condition: p.condition,
            candidates: p.candidates,
            deadline: p.deadline,
            donor: p.donor.into(),
            ref_code: p.ref_code,
            joint_event: p.joint_event,
        }
    }
}

impl TryFrom<PledgeInput> for PledgeRequest {
    type Error = EngineError;

    /// Refusals name the field (`amount_cents`, `donor.email`, …): a 422.
    /// The request hash is the SHA-256 of the body as sent, the same bytes
    /// as ever (see `cohort_engine::request_hash`).
    fn try_from(input: PledgeInput) -> Result<PledgeRequest, EngineError> {
        PledgeRequest::try_from(PledgeAsSent::from(input))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body read from JSON hashes to what the engine's own type
    /// always hashed to: Idempotency-Keys stored before keep matching.
    #[test]
    fn a_body_hashes_as_it_always_did() {
        let body = r#"{"kind":"money","amount_cents":1050,"donor":{"email":"a@example.org","name":"Ann Lee","attests_eligible":true}}"#;
        let input: PledgeInput = serde_json::from_str(body).expect("a body");
        let request = PledgeRequest::try_from(input).expect("valid");
        assert_eq!(
            request.request_hash,
            "e976c1c115cdbe3a3b5e72301e2ba8349382ce63c1744aa0c41da91d3db61f2d"
        );
    }

    #[test]
    fn unknown_fields_are_refused_and_refusals_name_the_field() {
        let unknown = r#"{"kind":"money","amount":5,"donor":{"email":"a@example.org"}}"#;
        assert!(serde_json::from_str::<PledgeInput>(unknown).is_err());
        let input: PledgeInput =
            serde_json::from_str(r#"{"kind":"gift","donor":{"email":"a@example.org"}}"#)
                .expect("a body");
        match PledgeRequest::try_from(input) {
            Err(EngineError::Invalid { field, .. }) => assert_eq!(field, "kind"),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
}
