//! The slate's pledge form (`/slates/{slug}/pledge`) and its live preview
//! (`/api/slates/{slug}/preview`): preset amounts or another amount, the
//! condition set with controls or typed (`condition_controls`), the
//! partner that referred the supporter, and "Preview", which needs no
//! donor yet. The receipt it leads to is `app`'s pledge page.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use cohort_core::Cents;
use cohort_engine::dashboards::Preview;
use cohort_engine::{Engine, EngineError, PledgeRequest, SlateView};
use serde::Deserialize;
use std::collections::BTreeMap;

use crate::app::{field_label, message, see_other};
use crate::condition_controls::{chosen_condition, Controls};
use crate::donor_fields::DonorFields;
use crate::error::ApiError;
use crate::extract::ApiPath;
use crate::pages::{html, PageError};
use crate::pledge_input::{ActionsInput, PledgeInput};
use crate::session::{CsrfForm, Viewer};

/// The amounts offered as one click, in dollars.
const PRESETS: [&str; 4] = ["25", "50", "100", "250"];

/// The checkbox of a candidate who must sign is named `sign_<slug>`.
const SIGN_PREFIX: &str = "sign_";

pub(crate) fn routes() -> Router<Engine> {
    Router::new().route(
        "/slates/{slug}/pledge",
        get(pledge_form).post(pledge_submit),
    )
}

pub(crate) fn api_routes() -> Router<Engine> {
    Router::new()
        .route("/slates/{slug}/preview", get(preview))
        .route("/conditions/preview", get(condition_preview))
}

/// What the form's fields hold, as typed (re-shown after an error).
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct PledgeFields {
    #[serde(default)]
    kind: String,
    /// A preset amount in dollars, or `other` for the typed `amount`.
    #[serde(default)]
    preset: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    recurring: String,
    #[serde(default)]
    hours_per_week: String,
    #[serde(default)]
    weeks: String,
    #[serde(default)]
    skills: String,
    #[serde(default)]
    doors: String,
    #[serde(default)]
    calls: String,
    #[serde(default)]
    texts: String,
    /// The typed ("advanced") condition.
    #[serde(default)]
    condition: String,
    #[serde(default)]
    min_signers: String,
    #[serde(default)]
    min_pledged: String,
    #[serde(default)]
    deadline: String,
    /// Who gives (names `name`, `email`, … in the HTML).
    #[serde(flatten)]
    donor: DonorFields,
    #[serde(default)]
    action: String,
    /// Everything else: the `sign_<slug>` boxes among it.
    #[serde(flatten)]
    rest: BTreeMap<String, String>,
}

impl PledgeFields {
    /// The amount asked for: the preset chosen, or the typed one.
    fn chosen_amount(&self) -> &str {
        match self.preset.trim() {
            "" | "other" => self.amount.trim(),
            preset => preset,
        }
    }

    /// The candidates ticked under "these must sign".
    fn must_sign(&self) -> Vec<String> {
        self.rest
            .keys()
            .filter_map(|k| k.strip_prefix(SIGN_PREFIX))
            .map(str::to_owned)
            .collect()
    }

    /// The condition asked for (empty: the slate's), from the controls or typed.
    fn chosen_condition(&self, roster: &[String]) -> Result<String, EngineError> {
        let must_sign = self.must_sign();
        let controls = Controls {
            must_sign: &must_sign,
            min_signers: &self.min_signers,
            min_pledged: &self.min_pledged,
        };
        chosen_condition(&controls, &self.condition, roster)
    }

    fn money(&self) -> bool {
        self.kind.is_empty() || self.kind == "money"
    }
}

fn roster(slate: &SlateView) -> Vec<String> {
    slate.candidates.iter().map(|c| c.slug.clone()).collect()
}

/// One candidate's box under "these must sign".
struct Pick {
    slug: String,
    name: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "pledge_form.html")]
struct PledgeFormPage {
    /// No payment gateway: the page says nothing is charged here.
    pledge_only: bool,
    csrf: String,
    nonce: String,
    slug: String,
    slate_name: String,
    slate_condition: String,
    example_candidate: String,
    default_deadline: String,
    /// FEC AO 2019-01's three statements for this condition and deadline.
    disclosure: Vec<String>,
    v: PledgeFields,
    presets: [&'static str; 4],
    picks: Vec<Pick>,
    /// The partner organization whose link brought the supporter.
    referrer: Option<String>,
    problem: Option<String>,
    preview: Preview,
    /// What the controls compile to, as it would be typed.
    built: Option<String>,
    /// Why the controls could not be read.
    controls_error: Option<String>,
    split: String,
}

impl PledgeFormPage {
    fn preset_checked(&self, preset: &str) -> bool {
        self.v.preset == preset
    }
}

/// "$33.34 to A, $33.33 to B and $33.33 to C".
fn split_sentence(p: &Preview) -> String {
    let parts: Vec<String> = p
        .split
        .iter()
        .map(|s| format!("{} to {}", Cents(s.cents), s.name))
        .collect();
    match parts.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct RefQuery {
    #[serde(rename = "ref")]
    ref_code: Option<String>,
}

async fn pledge_form_page(
    engine: &Engine,
    viewer: &Viewer,
    slug: &str,
    fields: &PledgeFields,
    problem: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let slate = engine.slate_view(slug).await?;
    let amount = if fields.money() {
        fields.chosen_amount()
    } else {
        ""
    };
    let (condition, controls_error) = match fields.chosen_condition(&roster(&slate)) {
        Ok(c) => (c, None),
        Err(e) => (String::new(), Some(labelled(e))),
    };
    let built =
        Some(condition.clone()).filter(|c| !c.is_empty() && fields.condition.trim().is_empty());
    let mut preview = engine.preview(slug, &condition, amount).await?;
    if controls_error.is_some() {
        // Not the slate's condition: the one asked for could not be read.
        preview.condition_text = None;
    }
    let referrer = match fields.donor.ref_code() {
        Some(code) => engine
            .partners(slug)
            .await?
            .into_iter()
            .find(|p| p.code == code)
            .map(|p| p.name),
        None => None,
    };
    let nonce = if fields.donor.nonce.is_empty() {
        engine.new_secret()
    } else {
        fields.donor.nonce.clone()
    };
    let mut v = fields.clone();
    if v.kind.is_empty() {
        v.kind = "money".into();
    }
    if v.preset.is_empty() && !v.amount.trim().is_empty() {
        v.preset = "other".into();
    }
    if v.donor.email.is_empty() {
        if let Some(a) = viewer.actor.account() {
            v.donor.email = a.user.email.to_string();
            if v.donor.name.is_empty() {
                v.donor.name = a.user.name.clone();
            }
        }
    }
    let last_general = slate
        .candidates
        .iter()
        .filter_map(|c| c.general_date.parse::<chrono::NaiveDate>().ok())
        .max();
    let disclosure = v
        .deadline
        .trim()
        .parse::<chrono::NaiveDate>()
        .ok()
        .or(last_general)
        .map(|deadline| {
            let condition = preview
                .condition_text
                .clone()
                .unwrap_or_else(|| slate.condition_text.clone());
            cohort_engine::conditional_disclosure(&condition, deadline, false).to_vec()
        })
        .unwrap_or_default();
    let must_sign = fields.must_sign();
    Ok(html(
        status,
        &PledgeFormPage {
            disclosure,
            pledge_only: !engine.collects_payments(),
            csrf: viewer.csrf.clone(),
            nonce,
            slug: slate.slug.clone(),
            slate_name: slate.name.clone(),
            slate_condition: slate.condition_text.clone(),
            example_candidate: slate
                .candidates
                .first()
                .map(|c| c.slug.clone())
                .unwrap_or_default(),
            default_deadline: slate
                .candidates
                .iter()
                .map(|c| c.general_date.clone())
                .max()
                .map_or_else(
                    || "the slate's last general election".to_owned(),
                    |d| format!("{d}, the last general election"),
                ),
            split: split_text(
                &amount
                    .parse::<Cents>()
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
                &split_sentence(&preview),
                Cents(preview.unallocated_cents),
            )
            .unwrap_or_default(),
            picks: slate
                .candidates
                .iter()
                .map(|c| Pick {
                    slug: c.slug.clone(),
                    name: c.name.clone(),
                    checked: must_sign.contains(&c.slug),
                })
                .collect(),
            presets: PRESETS,
            referrer,
            v,
            problem,
            preview,
            built,
            controls_error,
        },
    ))
}

pub(crate) async fn pledge_form(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    Query(q): Query<RefQuery>,
) -> Result<Response, PageError> {
    let fields = PledgeFields {
        donor: DonorFields {
            ref_code: q.ref_code.unwrap_or_default(),
            ..DonorFields::default()
        },
        ..PledgeFields::default()
    };
    pledge_form_page(&engine, &viewer, &slug, &fields, None, StatusCode::OK).await
}

/// A refusal with the field it names, as a person reads it.
fn labelled(e: EngineError) -> String {
    match e {
        EngineError::Invalid { field, message } => format!("{}: {message}", field_label(&field)),
        other => message(other),
    }
}

fn number(field: &str, s: &str) -> Result<Option<i64>, EngineError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<i64>()
        .map(Some)
        .map_err(|_| EngineError::invalid(field, format!("{s:?} is not a whole number")))
}

/// The form's fields as the engine's pledge input.
fn pledge_input(f: &PledgeFields, roster: &[String]) -> Result<PledgeInput, EngineError> {
    let kind = if f.kind.is_empty() {
        "money"
    } else {
        f.kind.as_str()
    };
    let mut input = PledgeInput {
        kind: kind.to_owned(),
        condition: Some(f.chosen_condition(roster)?).filter(|c| !c.is_empty()),
        deadline: Some(f.deadline.trim().to_owned()).filter(|d| !d.is_empty()),
        donor: f.donor.donor(),
        ref_code: f.donor.ref_code(),
        ..PledgeInput::default()
    };
    match kind {
        "money" => {
            let cents = f
                .chosen_amount()
                .parse::<Cents>()
                .map_err(|e| EngineError::invalid("amount", e.to_string()))?;
            input.amount_cents = Some(cents.get());
            input.recurring = Some(
                if f.recurring == "monthly" {
                    "monthly"
                } else {
                    "once"
                }
                .to_owned(),
            );
        }
        "hours" => {
            input.hours_per_week = number("hours_per_week", &f.hours_per_week)?;
            input.weeks = number("weeks", &f.weeks)?;
            let skills: Vec<String> = f
                .skills
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect();
            input.skills = Some(skills);
        }
        "actions" => {
            input.actions = Some(ActionsInput {
                doors: number("doors", &f.doors)?.unwrap_or(0),
                calls: number("calls", &f.calls)?.unwrap_or(0),
                texts: number("texts", &f.texts)?.unwrap_or(0),
            });
        }
        _ => {}
    }
    Ok(input)
}

pub(crate) async fn pledge_submit(
    State(engine): State<Engine>,
    viewer: Viewer,
    gate: crate::intake_limits::PledgeGate,
    ApiPath(slug): ApiPath<String>,
    CsrfForm(fields): CsrfForm<PledgeFields>,
) -> Result<Response, PageError> {
    // Preview needs only what it shows: no donor, nothing saved.
    if fields.action == "preview" {
        return pledge_form_page(&engine, &viewer, &slug, &fields, None, StatusCode::OK).await;
    }
    let roster = roster(&engine.slate_view(&slug).await?);
    let outcome = match pledge_input(&fields, &roster) {
        Ok(input) => {
            let key = fields.donor.key();
            // Signed in as the donor's own address: their receipt is asked
            // for. Anyone else is anonymous: limited, receipt held (issue 14).
            let owner = viewer.actor.account().is_some_and(|a| {
                cohort_core::Email::parse(&input.donor.email).is_ok_and(|e| e == a.user.email)
            });
            if !owner {
                if let Err(too_many) = gate.check(&input.donor.email) {
                    return Ok(too_many.into_response());
                }
            }
            match PledgeRequest::try_from(input) {
                Ok(request) if owner => engine.pledge_as_owner(&slug, request, key).await,
                Ok(request) => engine.pledge(&slug, request, key).await,
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
        Err(e @ EngineError::Invalid { .. }) => {
            let problem = labelled(e);
            pledge_form_page(
                &engine,
                &viewer,
                &slug,
                &fields,
                Some(problem),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e @ EngineError::Conflict { .. }) => {
            let problem = message(e);
            pledge_form_page(
                &engine,
                &viewer,
                &slug,
                &fields,
                Some(problem),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct PreviewQuery {
    #[serde(default)]
    condition: String,
    #[serde(default)]
    amount: String,
    /// The candidates who must sign, comma separated (the form's controls).
    #[serde(default)]
    must_sign: String,
    #[serde(default)]
    min_signers: String,
    #[serde(default)]
    min_pledged: String,
}

/// "At today's signers, your $100 would go …", what would stay unallocated,
/// or what happens with no signer yet.
fn split_text(amount: &str, split: &str, unallocated: Cents) -> Option<String> {
    let left = if unallocated > Cents::ZERO {
        format!(
            " {unallocated} would stay unallocated (the candidates' contribution limits) and is never charged."
        )
    } else {
        String::new()
    };
    match (amount.is_empty(), split.is_empty()) {
        (true, _) => None,
        (false, false) => Some(format!(
            "At today's signers, your {amount} would go {split}.{left}"
        )),
        (false, true) => Some(format!(
            "No candidate has signed yet: your {amount} will split evenly across whoever has signed when it unlocks, within their contribution limits."
        )),
    }
}

/// A condition alone, for the new-slate form's live check (public, JSON).
#[utoipa::path(get, path = "/api/conditions/preview", tag = "app", params(("condition" = Option<String>, Query, description = "A condition"), ("amount" = Option<String>, Query, description = "An amount")), responses((status = 200, description = "The condition parsed, or the problem", body = serde_json::Value), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security((), ("bearer" = [])))]
pub(crate) async fn condition_preview(Query(q): Query<PreviewQuery>) -> Json<serde_json::Value> {
    match cohort_core::Condition::parse(&q.condition) {
        Ok(c) => {
            Json(serde_json::json!({ "condition_text": c.to_english(), "condition_error": null }))
        }
        Err(e) => {
            Json(serde_json::json!({ "condition_text": null, "condition_error": e.to_string() }))
        }
    }
}

/// The live preview the pledge form's script asks for (public, JSON).
#[utoipa::path(get, path = "/api/slates/{slug}/preview", tag = "app", params(("slug" = String, Path, description = "The slate's slug"), ("condition" = Option<String>, Query, description = "A typed condition"), ("amount" = Option<String>, Query, description = "An amount"), ("must_sign" = Option<String>, Query, description = "The form's controls: candidates who must sign, comma separated"), ("min_signers" = Option<String>, Query, description = "The form's controls: at least this many signatures"), ("min_pledged" = Option<String>, Query, description = "The form's controls: at least this much pledged")), responses((status = 200, description = "What a pledge would do; `condition` is the condition the controls compile to", body = serde_json::Value), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security((), ("bearer" = [])))]
pub(crate) async fn preview(
    State(engine): State<Engine>,
    ApiPath(slug): ApiPath<String>,
    Query(q): Query<PreviewQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let slate = engine.slate_view(&slug).await?;
    let must_sign: Vec<String> = q
        .must_sign
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let controls = Controls {
        must_sign: &must_sign,
        min_signers: &q.min_signers,
        min_pledged: &q.min_pledged,
    };
    let (condition, controls_error) =
        match chosen_condition(&controls, &q.condition, &roster(&slate)) {
            Ok(c) => (c, None),
            Err(e) => (String::new(), Some(labelled(e))),
        };
    let p = engine.preview(&slug, &condition, &q.amount).await?;
    let amount = q
        .amount
        .parse::<Cents>()
        .map(|c| c.to_string())
        .unwrap_or_default();
    let split = split_sentence(&p);
    Ok(Json(serde_json::json!({
        "condition": Some(condition).filter(|c| !c.is_empty()),
        "condition_text": p.condition_text.filter(|_| controls_error.is_none()),
        "condition_error": p.condition_error,
        "controls_error": controls_error,
        "amount_error": p.amount_error,
        "split": p.split,
        "unallocated_cents": p.unallocated_cents,
        "split_text": split_text(&amount, &split, Cents(p.unallocated_cents)),
    })))
}
