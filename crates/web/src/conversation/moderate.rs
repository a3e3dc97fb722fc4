//! The organizers' moderation page: seed, approve, reject, adopt as a plank.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use cohort_engine::conversation::{StatementView, STATEMENT_MAX};
use cohort_engine::Engine;
use serde::Deserialize;

use super::brigades::{self, BurstLine, DecisionLine};
use super::{NoticeQuery, StatementForm};
use crate::app::{after_form, sign_in_first};
use crate::extract::ApiPath;
use crate::pages::{html, PageError};
use crate::session::{CsrfForm, Viewer};

struct ModLine {
    s: StatementView,
    support: Option<String>,
    /// Its agreement across the divide, and whether that makes it a
    /// candidate plank.
    bridge: Option<String>,
    bridges: bool,
}

#[derive(Template)]
#[template(path = "conversation_moderate.html")]
struct ModeratePage {
    csrf: String,
    slug: String,
    slate_name: String,
    notice: Option<String>,
    problem: Option<String>,
    pending: Vec<ModLine>,
    approved: Vec<ModLine>,
    rejected: Vec<ModLine>,
    updated: String,
    max: usize,
    /// Bursts of participants who arrived together and voted as one.
    bursts: Vec<BurstLine>,
    decisions: Vec<DecisionLine>,
}

pub(super) async fn moderate_page(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let notice = q.notice.as_deref().and_then(|n| match n {
        "seeded" => Some("Statement added to the conversation.".to_owned()),
        "approved" => Some("Approved: voters will see it.".to_owned()),
        "rejected" => {
            Some("Moderated out: voters won't see it and it no longer counts.".to_owned())
        }
        "adopted" => Some("Adopted as a plank: a new compact version is published.".to_owned()),
        "downweighted" => Some(
            "Down-weighted: from the next update, that burst's votes count for nothing in the bridging scores."
                .to_owned(),
        ),
        _ => None,
    });
    moderate_page_for(&engine, &viewer, &slug, notice, None).await
}

pub(super) async fn moderate_page_for(
    engine: &Engine,
    viewer: &Viewer,
    slug: &str,
    notice: Option<String>,
    problem: Option<String>,
) -> Result<Response, PageError> {
    if viewer.actor.account().is_none() {
        return Ok(sign_in_first(&format!(
            "/slates/{slug}/conversation/moderate"
        )));
    }
    let all = engine.conversation_statements(&viewer.actor, slug).await?;
    let results = engine.conversation_results(slug).await?;
    let (bursts, decisions) = brigades::lines(
        &engine.conversation_bursts(&viewer.actor, slug).await?,
        &all,
    );
    let bridge = |id: i64| results.result.as_ref().and_then(|r| r.bridge(id));
    let line = |s: &StatementView| ModLine {
        support: results
            .result
            .as_ref()
            .and_then(|r| r.support_sentence(s.id)),
        bridge: bridge(s.id).map(|b| b.sentence()),
        bridges: bridge(s.id).is_some_and(|b| b.bridges),
        s: s.clone(),
    };
    let pick = |status: &str| -> Vec<ModLine> {
        all.iter()
            .filter(|s| s.status == status)
            .map(line)
            .collect()
    };
    // The likeliest planks first: by the lower end of their agreement across
    // the divide, then by group-informed consensus.
    let rank = |id: i64| {
        results
            .result
            .as_ref()
            .and_then(|r| r.group_consensus.iter().position(|(s, _)| *s == id))
    };
    let mut approved = pick("approved");
    approved.sort_by(|a, b| {
        let low = |l: &ModLine| bridge(l.s.id).map_or(f64::NEG_INFINITY, |b| b.low);
        low(b)
            .total_cmp(&low(a))
            .then(
                rank(a.s.id)
                    .unwrap_or(usize::MAX)
                    .cmp(&rank(b.s.id).unwrap_or(usize::MAX)),
            )
            .then(a.s.id.cmp(&b.s.id))
    });
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(html(
        status,
        &ModeratePage {
            csrf: viewer.csrf.clone(),
            slug: results.slug.clone(),
            slate_name: results.slate_name.clone(),
            notice,
            problem,
            pending: pick("pending"),
            approved,
            rejected: pick("rejected"),
            updated: results
                .computed_at
                .map(|t| t.format("%B %-d, %Y at %H:%M UTC").to_string())
                .unwrap_or_default(),
            max: STATEMENT_MAX,
            bursts,
            decisions,
        },
    ))
}

#[derive(Debug, Deserialize)]
pub(super) struct ModerateForm {
    statement: i64,
    decision: String,
}

pub(super) async fn moderate(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    CsrfForm(form): CsrfForm<ModerateForm>,
) -> Result<Response, PageError> {
    let approve = match form.decision.as_str() {
        "approve" => true,
        "reject" => false,
        other => {
            return Err(crate::error::ApiError::invalid(
                "decision",
                format!("{other:?} is not approve or reject"),
            )
            .into())
        }
    };
    let done = engine
        .moderate_statement(&viewer.actor, &slug, form.statement, approve)
        .await;
    after_form(
        done,
        &format!(
            "/slates/{slug}/conversation/moderate?notice={}",
            if approve { "approved" } else { "rejected" }
        ),
        |problem| moderate_page_for(&engine, &viewer, &slug, None, Some(problem)),
    )
    .await
}

pub(super) async fn seed(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    CsrfForm(form): CsrfForm<StatementForm>,
) -> Result<Response, PageError> {
    let done = engine
        .seed_statement(&viewer.actor, &slug, &form.statement)
        .await;
    after_form(
        done,
        &format!("/slates/{slug}/conversation/moderate?notice=seeded"),
        |problem| moderate_page_for(&engine, &viewer, &slug, None, Some(problem)),
    )
    .await
}

#[derive(Debug, Deserialize)]
pub(super) struct AdoptForm {
    statement: i64,
    #[serde(default)]
    title: String,
    why: String,
    /// `yes` once the confirmation page was answered (issue 16).
    #[serde(default)]
    confirm: Option<String>,
}

pub(super) async fn adopt(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    CsrfForm(form): CsrfForm<AdoptForm>,
) -> Result<Response, PageError> {
    // Ask first; a blank why is refused by the adoption itself below.
    if form.confirm.as_deref() != Some("yes") && !form.why.trim().is_empty() {
        return crate::adopt_confirm::page(
            &engine,
            &viewer,
            &slug,
            form.statement,
            &form.title,
            &form.why,
        )
        .await;
    }
    let done = engine
        .adopt_statement(&viewer.actor, &slug, form.statement, &form.title, &form.why)
        .await;
    after_form(
        done,
        &format!("/slates/{slug}/conversation/moderate?notice=adopted"),
        |problem| moderate_page_for(&engine, &viewer, &slug, None, Some(problem)),
    )
    .await
}
