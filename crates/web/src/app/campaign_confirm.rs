//! The campaign's confirmation steps (issue 16, defect 5), without
//! JavaScript: signing shows the compact version, its hash and what changed
//! since the version the candidate signed, and signs only when the form
//! carries the hash they were shown; "endorse all signers" names everyone it
//! would endorse and asks before doing it in one transaction.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use cohort_core::model::Plank;
use cohort_engine::{Engine, EngineError};

use super::{campaign_page_for, fixable, see_other, CampaignForm};
use crate::pages::{html, PageError};
use crate::session::Viewer;

#[derive(Template)]
#[template(path = "campaign_confirm.html")]
struct SignConfirm {
    csrf: String,
    slug: String,
    slate_name: String,
    candidate: String,
    name: String,
    version: i32,
    hash: String,
    commitments: Vec<String>,
    planks: Vec<Plank>,
    /// The version they signed before, if any, and what changed since.
    since: Option<i32>,
    added: Vec<String>,
    removed: Vec<String>,
    problem: Option<String>,
}

#[derive(Template)]
#[template(path = "endorse_all_confirm.html")]
struct EndorseAllConfirm {
    csrf: String,
    slug: String,
    slate_name: String,
    candidate: String,
    name: String,
    names: Vec<String>,
}

/// `action=sign`: without the hash the candidate was shown, the
/// confirmation page; with it, the signature.
pub(crate) async fn sign(
    engine: &Engine,
    viewer: &Viewer,
    slug: &str,
    form: &CampaignForm,
) -> Result<Response, PageError> {
    let c = form.candidate.as_str();
    let version = form.version.unwrap_or(0);
    let Some(hash) = form.hash.as_deref().filter(|h| !h.is_empty()) else {
        return confirm_page(engine, viewer, slug, c, None).await;
    };
    // A known version with another hash: the page they read is not this
    // compact. (Versions never change; the engine refuses stale ones.)
    if let Some(shown) = engine.compact_version(slug, version).await? {
        if shown.hash != hash {
            let why = "The compact you were shown is not the one you would sign: read it again.";
            return confirm_page(engine, viewer, slug, c, Some(why.to_owned())).await;
        }
    }
    match engine.sign(&viewer.actor, slug, c, version).await {
        Ok(_) => Ok(see_other(
            &format!("/slates/{slug}/campaign?candidate={c}&notice=signed"),
            None,
        )),
        Err(e) => campaign_page_for(engine, viewer, slug, Some(c), None, Some(fixable(e)?)).await,
    }
}

async fn confirm_page(
    engine: &Engine,
    viewer: &Viewer,
    slug: &str,
    c: &str,
    problem: Option<String>,
) -> Result<Response, PageError> {
    let slate = engine.slate_view(slug).await?;
    let me = mine(engine, viewer, &slate, c).await?;
    let Some(latest) = slate.compact.clone() else {
        return Err(EngineError::conflict(
            "no_compact",
            format!("{slug} has no compact to sign yet"),
        )
        .into());
    };
    let changes = engine
        .compact_changes(slug, me.signed_version, &latest)
        .await?;
    let status = if problem.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    Ok(html(
        status,
        &SignConfirm {
            csrf: viewer.csrf.clone(),
            slug: slate.slug.clone(),
            slate_name: slate.name.clone(),
            candidate: me.slug.clone(),
            name: me.name.clone(),
            version: latest.version,
            hash: latest.hash,
            commitments: latest.commitments,
            planks: latest.planks,
            since: me.signed_version.filter(|v| *v != latest.version),
            added: changes.added,
            removed: changes.removed,
            problem,
        },
    ))
}

/// The candidate `c`, if the viewer runs their campaign.
async fn mine(
    engine: &Engine,
    viewer: &Viewer,
    slate: &cohort_engine::SlateView,
    c: &str,
) -> Result<cohort_engine::CandidateView, PageError> {
    if viewer.actor.account().is_none() {
        return Err(EngineError::Unauthenticated("sign in first".into()).into());
    }
    let slugs = engine.my_campaigns(&viewer.actor, &slate.slug).await?;
    slate
        .candidates
        .iter()
        .find(|x| x.slug == c && slugs.contains(&x.slug))
        .cloned()
        .ok_or_else(|| {
            EngineError::Forbidden(format!(
                "only {c}'s own campaign account may act for {c} on {}",
                slate.name
            ))
            .into()
        })
}

/// `action=endorse_all`: without `confirm=yes`, the page naming whom it
/// would endorse; with it, one transaction endorsing them all.
pub(crate) async fn endorse_all(
    engine: &Engine,
    viewer: &Viewer,
    slug: &str,
    form: &CampaignForm,
) -> Result<Response, PageError> {
    let c = form.candidate.as_str();
    if form.confirm.as_deref() == Some("yes") {
        return match engine.endorse_all_signers(&viewer.actor, slug, c).await {
            Ok(_) => Ok(see_other(
                &format!("/slates/{slug}/campaign?candidate={c}&notice=endorsed"),
                None,
            )),
            Err(e) => {
                campaign_page_for(engine, viewer, slug, Some(c), None, Some(fixable(e)?)).await
            }
        };
    }
    let slate = engine.slate_view(slug).await?;
    let me = mine(engine, viewer, &slate, c).await?;
    let names = slate
        .candidates
        .iter()
        .filter(|o| o.signed && o.slug != me.slug)
        .filter(|o| {
            !slate
                .endorsements
                .iter()
                .any(|e| e.from == me.slug && e.to == o.slug)
        })
        .map(|o| o.name.clone())
        .collect();
    Ok(html(
        StatusCode::OK,
        &EndorseAllConfirm {
            csrf: viewer.csrf.clone(),
            slug: slate.slug.clone(),
            slate_name: slate.name.clone(),
            candidate: me.slug.clone(),
            name: me.name.clone(),
            names,
        },
    ))
}
