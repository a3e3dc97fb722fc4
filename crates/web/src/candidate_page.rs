//! `/slates/{slug}/candidates/{cslug}`: a candidate's page (issue 16) —
//! photo or initials, office and district, their own bio, what they signed
//! (version and hash), their endorsements given and received with
//! withdrawals shown as withdrawals, their scorecard once signed, and what
//! is waiting for them. `/…/profile` lets their campaign or an organizer
//! write the bio and photo.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use cohort_core::{Cents, SlateEventKind};
use cohort_engine::candidate_page::{CandidatePageView, BIO_MAX};
use cohort_engine::scorecard::SignerCard;
use cohort_engine::Engine;
use serde::Deserialize;
use serde_json::Value;

use crate::app::{fixable, see_other, sign_in_first};
use crate::endorsement_web::initials;
use crate::extract::ApiPath;
use crate::log::LogKey;
use crate::log_page::{describe, Entry};
use crate::log_proof::ProofBox;
use crate::pages::{html, html_with_csp, race_label, PageError};
use crate::session::{CsrfForm, Viewer};

/// The pages' policy, and a candidate's photo from any https address.
const CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; \
                   img-src 'self' data: https:; base-uri 'none'; form-action 'self'; \
                   frame-ancestors 'none'";

pub(crate) fn routes() -> Router<Engine> {
    Router::new()
        .route("/slates/{slug}/candidates/{cslug}", get(page))
        .route(
            "/slates/{slug}/candidates/{cslug}/profile",
            get(profile_form).post(profile_submit),
        )
}

/// A person named on the page, linked to their own page.
pub(crate) struct Person {
    pub slug: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "candidate.html")]
struct CandidatePage {
    slug: String,
    slate_name: String,
    cslug: String,
    name: String,
    initials: String,
    photo_url: Option<String>,
    race: String,
    dates: String,
    bio: Vec<String>,
    signed: Option<(i32, String)>,
    /// Set when they signed a version older than the latest.
    latest: Option<i32>,
    lost_primary: bool,
    /// They signed once and withdrew.
    withdrew: bool,
    endorses: Vec<Person>,
    endorsed_by: Vec<Person>,
    /// Signers who have not endorsed them, and signers they have not endorsed.
    not_endorsing: Vec<Person>,
    not_endorsed: Vec<Person>,
    history: Vec<Entry>,
    scorecard: Option<SignerCard>,
    waiting_label: &'static str,
    waiting: Option<String>,
    blocking: Vec<String>,
    /// Their signature's place in the transparency log, once signed.
    proof: Option<ProofBox>,
    proof_intro: &'static str,
}

const PROOF_INTRO: &str = "This signature is in Cohort's public, append-only log: \
     no one — not even Cohort's operators — can remove or backdate it without every auditor noticing.";

fn build(v: CandidatePageView, public_url: &str, key: &LogKey) -> CandidatePage {
    let names: HashMap<String, String> = v
        .slate
        .candidates
        .iter()
        .map(|c| (c.slug.clone(), c.name.clone()))
        .collect();
    let person = |slug: &String| Person {
        slug: slug.clone(),
        name: names.get(slug).cloned().unwrap_or_else(|| slug.clone()),
    };
    let c = &v.candidate;
    let signers: Vec<&String> = v
        .slate
        .candidates
        .iter()
        .filter(|o| o.signed && o.slug != c.slug)
        .map(|o| &o.slug)
        .collect();
    let (not_endorsing, not_endorsed) = if c.signed {
        (
            signers
                .iter()
                .filter(|s| !v.endorsed_by.contains(s))
                .map(|s| person(s))
                .collect(),
            signers
                .iter()
                .filter(|s| !v.endorses.contains(s))
                .map(|s| person(s))
                .collect(),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let history = v
        .history
        .iter()
        .map(|r| {
            let payload: Value = serde_json::from_str(&r.payload).unwrap_or(Value::Null);
            Entry {
                seq: r.seq,
                at: r.at.format("%Y-%m-%d %H:%M UTC").to_string(),
                ..describe(r.kind, &payload, &names)
            }
        })
        .collect();
    let latest = v.slate.compact.as_ref().map(|k| k.version);
    let waiting_label = if v.slate.unlocked && c.signed {
        "Still locked for them (pledges with their own conditions)"
    } else if c.signed {
        "Reaches them when the slate unlocks"
    } else {
        "Waiting for them if they sign"
    };
    // Nothing locked for them reads as nothing waiting, not "$0".
    let waiting = v
        .waiting
        .as_ref()
        .filter(|w| w.cents > Cents::ZERO || w.hours_per_week > 0)
        .map(|w| format!("{} and {} volunteer hours/week", w.cents, w.hours_per_week));
    CandidatePage {
        slug: v.slate.slug.clone(),
        slate_name: v.slate.name.clone(),
        cslug: c.slug.clone(),
        name: c.name.clone(),
        initials: initials(&c.name),
        photo_url: v.photo_url.clone(),
        race: race_label(c),
        dates: match &c.primary_date {
            Some(p) => format!("Primary {p} · general election {}", c.general_date),
            None => format!("General election {}", c.general_date),
        },
        bio: v
            .bio
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect(),
        signed: c
            .signed_version
            .map(|ver| (ver, v.signed_hash.clone().unwrap_or_default())),
        latest: latest.filter(|l| c.signed_version.is_some_and(|s| s != *l)),
        lost_primary: v.lost_primary,
        withdrew: v.history.iter().any(|r| r.kind == SlateEventKind::Withdrew),
        endorses: v.endorses.iter().map(person).collect(),
        endorsed_by: v.endorsed_by.iter().map(person).collect(),
        not_endorsing,
        not_endorsed,
        history,
        scorecard: v.scorecard,
        waiting_label,
        waiting,
        proof: c
            .signed
            .then(|| ProofBox::new(public_url, key, v.signature_log.clone(), None, None)),
        proof_intro: PROOF_INTRO,
        blocking: if v.slate.unlocked {
            Vec::new()
        } else {
            v.slate.blocking.clone()
        },
    }
}

async fn page(
    State(engine): State<Engine>,
    Extension(key): Extension<LogKey>,
    ApiPath((slug, cslug)): ApiPath<(String, String)>,
) -> Result<Response, PageError> {
    let v = engine.candidate_page(&slug, &cslug).await?;
    Ok(html_with_csp(
        StatusCode::OK,
        &build(v, engine.public_url(), &key),
        &HeaderValue::from_static(CSP),
    ))
}

#[derive(Template)]
#[template(path = "candidate_profile.html")]
struct ProfileForm {
    csrf: String,
    slug: String,
    cslug: String,
    name: String,
    bio: String,
    photo_url: String,
    bio_max: usize,
    problem: Option<String>,
}

async fn profile_form(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath((slug, cslug)): ApiPath<(String, String)>,
) -> Result<Response, PageError> {
    if viewer.actor.account().is_none() {
        return Ok(sign_in_first(&format!(
            "/slates/{slug}/candidates/{cslug}/profile"
        )));
    }
    let (name, bio, photo) = engine
        .candidate_profile_to_edit(&viewer.actor, &slug, &cslug)
        .await?;
    Ok(html(
        StatusCode::OK,
        &ProfileForm {
            csrf: viewer.csrf,
            slug,
            cslug,
            name,
            bio,
            photo_url: photo.unwrap_or_default(),
            bio_max: BIO_MAX,
            problem: None,
        },
    ))
}

#[derive(Debug, Deserialize)]
pub(crate) struct ProfileInput {
    #[serde(default)]
    bio: String,
    #[serde(default)]
    photo_url: String,
}

async fn profile_submit(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath((slug, cslug)): ApiPath<(String, String)>,
    CsrfForm(form): CsrfForm<ProfileInput>,
) -> Result<Response, PageError> {
    match engine
        .set_candidate_profile(&viewer.actor, &slug, &cslug, &form.bio, &form.photo_url)
        .await
    {
        Ok(()) => Ok(see_other(
            &format!("/slates/{slug}/candidates/{cslug}"),
            None,
        )),
        Err(e) => {
            let problem = Some(fixable(e)?);
            let (name, _, _) = engine
                .candidate_profile_to_edit(&viewer.actor, &slug, &cslug)
                .await?;
            Ok(html(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ProfileForm {
                    csrf: viewer.csrf,
                    slug,
                    cslug,
                    name,
                    bio: form.bio,
                    photo_url: form.photo_url,
                    bio_max: BIO_MAX,
                    problem,
                },
            ))
        }
    }
}
