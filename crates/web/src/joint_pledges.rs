//! A joint fundraiser's own pledge form (issue 15): "Give to this joint
//! fundraiser" on the event's page, posted here without JavaScript. The
//! pledge is an ordinary pledge with `joint_event` set, so the engine splits
//! it across the event's hosts only, under the slate's condition.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use cohort_core::Cents;
use cohort_engine::{Engine, EngineError, PledgeRequest};
use serde::Deserialize;

use crate::app::{field_label, fixable, see_other};
use crate::donor_fields::DonorFields;
use crate::extract::ApiPath;
use crate::joint_events::render_event;
use crate::pages::PageError;
use crate::pledge_input::PledgeInput;
use crate::session::{CsrfForm, Viewer};

pub(crate) fn routes() -> Router<Engine> {
    Router::new().route("/joint-events/{id}/pledge", post(pledge_submit))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct FundraiserPledgeForm {
    #[serde(default)]
    amount: String,
    #[serde(default)]
    recurring: String,
    /// Who gives (names `name`, `email`, … in the HTML).
    #[serde(flatten)]
    donor: DonorFields,
}

fn pledge_input(id: i64, f: &FundraiserPledgeForm) -> Result<PledgeInput, EngineError> {
    let cents = f
        .amount
        .parse::<Cents>()
        .map_err(|e| EngineError::invalid("amount", e.to_string()))?;
    Ok(PledgeInput {
        kind: "money".into(),
        amount_cents: Some(cents.get()),
        recurring: Some(
            if f.recurring == "monthly" {
                "monthly"
            } else {
                "once"
            }
            .into(),
        ),
        donor: f.donor.donor(),
        ref_code: f.donor.ref_code(),
        joint_event: Some(id),
        ..PledgeInput::default()
    })
}

async fn pledge_submit(
    State(engine): State<Engine>,
    viewer: Viewer,
    gate: crate::intake_limits::PledgeGate,
    ApiPath(id): ApiPath<i64>,
    CsrfForm(f): CsrfForm<FundraiserPledgeForm>,
) -> Result<Response, PageError> {
    // The event's slate, as the public sees it (unknown or private: 404).
    let event = engine.joint_event(&viewer.actor, id).await?;
    let outcome = match pledge_input(id, &f) {
        Ok(input) => {
            let key = f.donor.key();
            let owner = viewer.actor.account().is_some_and(|a| {
                cohort_core::Email::parse(&input.donor.email).is_ok_and(|e| e == a.user.email)
            });
            if !owner {
                if let Err(too_many) = gate.check(&input.donor.email) {
                    return Ok(too_many.into_response());
                }
            }
            match PledgeRequest::try_from(input) {
                Ok(request) if owner => engine.pledge_as_owner(&event.slate, request, key).await,
                Ok(request) => engine.pledge(&event.slate, request, key).await,
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(o) => {
            let token = o.pledge.receipt_token.clone().unwrap_or_default();
            Ok(see_other(
                &format!("/pledges/{}?token={token}&new=1", o.pledge.id),
                None,
            ))
        }
        Err(e) => {
            let problem = match e {
                EngineError::Invalid { field, message } => {
                    format!("{}: {message}", field_label(&field))
                }
                e => fixable(e)?,
            };
            render_event(&engine, &viewer, id, None, Some(problem)).await
        }
    }
}
