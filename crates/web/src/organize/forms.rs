//! The forms of the organizer's sections: invite someone (overview), add
//! a candidate, publish a compact version (planks as fields), add a
//! partner organization. Each goes back to its own section: with a notice
//! when it worked, or with the problem and what was typed when refused.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Response;
use cohort_engine::Engine;
use cohort_store::Role;
use serde::Deserialize;

use super::{planks, section_page, Kept, Section};
use crate::app::after_form;
use crate::error::ApiError;
use crate::extract::ApiPath;
use crate::pages::PageError;
use crate::session::{CsrfForm, Viewer};

/// Where a section's form goes when it worked.
fn done_at(slug: &str, section: Section, notice: &str) -> String {
    format!("{}?notice={notice}", section.href(slug))
}

/// The section again with the problem (and what was typed).
async fn again(
    engine: &Engine,
    viewer: &Viewer,
    slug: &str,
    section: Section,
    problem: String,
    kept: Kept,
) -> Result<Response, PageError> {
    section_page(engine, viewer, slug, section, None, Some(problem), kept).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct InviteForm {
    email: String,
    role: String,
}

pub(crate) async fn invite(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> Result<Response, PageError> {
    let (role, candidate) = match form.role.split_once(':') {
        Some(("candidate", c)) => (Role::Candidate, Some(c)),
        Some(("partner", p)) => (Role::Partner, Some(p)),
        _ => match Role::parse(&form.role) {
            Some(r) => (r, None),
            None => {
                return Err(
                    ApiError::invalid("role", format!("unknown role {:?}", form.role)).into(),
                )
            }
        },
    };
    let done = engine
        .invite(&viewer.actor, &slug, &form.email, role, candidate)
        .await;
    after_form(done, &done_at(&slug, Section::Overview, "invited"), |p| {
        again(
            &engine,
            &viewer,
            &slug,
            Section::Overview,
            p,
            Kept::default(),
        )
    })
    .await
}

#[derive(Debug, Deserialize)]
pub(crate) struct CandidateForm {
    slug: String,
    name: String,
    office: String,
    state: String,
    #[serde(default)]
    district: String,
    #[serde(default)]
    primary_date: String,
    general_date: String,
}

fn optional(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

pub(crate) async fn add_candidate(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    CsrfForm(form): CsrfForm<CandidateForm>,
) -> Result<Response, PageError> {
    let input = cohort_engine::CandidateInput {
        slug: form.slug.trim().to_owned(),
        name: form.name,
        office: form.office,
        state: form.state.trim().to_uppercase(),
        district: optional(&form.district),
        primary_date: optional(&form.primary_date),
        general_date: form.general_date.trim().to_owned(),
    };
    let done = engine.add_candidate(&viewer.actor, &slug, input).await;
    after_form(
        done,
        &done_at(&slug, Section::Candidates, "candidate"),
        |p| {
            again(
                &engine,
                &viewer,
                &slug,
                Section::Candidates,
                p,
                Kept::default(),
            )
        },
    )
    .await
}

pub(crate) async fn publish_compact(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    // Commitments as rows of controls (`c{i}_text`, `c{i}_measure`, …),
    // planks as `plank_title_N` / `plank_why_N` fields.
    let rest: BTreeMap<String, String> = fields.iter().cloned().collect();
    let rows = planks::from_fields(&rest);
    let done = match (
        crate::compact_form::commitments(&fields),
        planks::planks(&rows),
    ) {
        (Ok(commitments), Ok(planks)) => {
            let input = cohort_engine::CompactInput {
                commitments,
                planks,
            };
            engine
                .publish_compact(&viewer.actor, &slug, input)
                .await
                .map(|_| ())
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    let kept = Kept {
        commitments: Some(crate::compact_form::typed_rows(&fields)).filter(|r| !r.is_empty()),
        planks: Some(rows),
    };
    after_form(done, &done_at(&slug, Section::Compact, "compact"), |p| {
        again(&engine, &viewer, &slug, Section::Compact, p, kept)
    })
    .await
}

#[derive(Debug, Deserialize)]
pub(crate) struct PartnerForm {
    code: String,
    name: String,
    #[serde(default)]
    endorsement: String,
}

pub(crate) async fn add_partner(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    CsrfForm(form): CsrfForm<PartnerForm>,
) -> Result<Response, PageError> {
    let done = engine
        .add_partner(
            &viewer.actor,
            &slug,
            &form.code,
            &form.name,
            &form.endorsement,
        )
        .await;
    after_form(done, &done_at(&slug, Section::Partners, "partner"), |p| {
        again(
            &engine,
            &viewer,
            &slug,
            Section::Partners,
            p,
            Kept::default(),
        )
    })
    .await
}
