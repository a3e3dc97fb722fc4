//! A candidate who lost the primary (issue 6): the organizer records it, each
//! donor of their general-election money chooses a refund or a
//! redesignation, and the operator downloads the choices per committee.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use cohort_engine::{Actor, Engine, EngineError, GeneralChoiceView, PrimaryLossView};
use serde::Deserialize;

use crate::api::ApiResult;
use crate::app::{csv, csv_response, dollars, fixable, see_other, urlencode};
use crate::extract::{ApiJson, ApiPath, ApiQuery, TokenAuth};
use crate::pages::{html, PageError};
use crate::session::{CsrfForm, Viewer};

pub(crate) fn routes() -> Router<Engine> {
    Router::new()
        .route("/slates/{slug}/organize/primary-loss", post(record_loss))
        .route("/pledges/{id}/general", get(page).post(choose))
        .route("/books/general-choices.csv", get(choices_csv))
}

pub(crate) fn api_routes() -> Router<Engine> {
    Router::new()
        .route(
            "/slates/{slug}/candidates/{candidate}/primary-loss",
            post(api_record_loss),
        )
        .route("/pledges/{id}/general", get(api_choices).post(api_choose))
        .route("/books/general-choices.csv", get(api_choices_csv))
}

#[utoipa::path(post, path = "/api/slates/{slug}/candidates/{candidate}/primary-loss", tag = "primaries", params(("slug" = String, Path, description = "The slate's slug"), ("candidate" = String, Path, description = "The candidate's slug")), responses((status = 201, description = "The loss", body = cohort_engine::primaries::PrimaryLossView), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security(("bearer" = [])))]
async fn api_record_loss(
    State(engine): State<Engine>,
    TokenAuth(actor): TokenAuth,
    ApiPath((slug, candidate)): ApiPath<(String, String)>,
) -> ApiResult<(StatusCode, Json<PrimaryLossView>)> {
    Ok((
        StatusCode::CREATED,
        Json(engine.primary_lost(&actor, &slug, &candidate).await?),
    ))
}

#[derive(Debug, Deserialize)]
pub(crate) struct TokenQuery {
    #[serde(default)]
    token: String,
    #[serde(default)]
    chosen: Option<String>,
}

#[utoipa::path(get, path = "/api/pledges/{id}/general", tag = "primaries", params(("id" = i64, Path, description = "The id"), ("token" = String, Query, description = "The pledge's receipt token")), responses((status = 200, description = "The choices", body = Vec<cohort_engine::primaries::GeneralChoiceView>), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security((), ("bearer" = [])))]
async fn api_choices(
    State(engine): State<Engine>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<TokenQuery>,
) -> ApiResult<Json<Vec<GeneralChoiceView>>> {
    Ok(Json(engine.general_choices(id, &q.token).await?))
}

#[derive(utoipa::ToSchema, Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Choice {
    receipt: String,
    choice: String,
}

#[utoipa::path(post, path = "/api/pledges/{id}/general", tag = "primaries", params(("id" = i64, Path, description = "The id"), ("token" = String, Query, description = "The pledge's receipt token")), request_body = Choice, responses((status = 200, description = "The choice", body = cohort_engine::primaries::GeneralChoiceView), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security((), ("bearer" = [])))]
async fn api_choose(
    State(engine): State<Engine>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<TokenQuery>,
    ApiJson(c): ApiJson<Choice>,
) -> ApiResult<Json<GeneralChoiceView>> {
    Ok(Json(
        engine
            .choose_general(id, &q.token, &c.receipt, &c.choice)
            .await?,
    ))
}

#[derive(Debug, Deserialize)]
struct LossForm {
    candidate: String,
    /// `yes` once the confirmation page was answered (issue 16, defect 9).
    #[serde(default)]
    confirm: Option<String>,
}

#[derive(Template)]
#[template(path = "primary_loss_confirm.html")]
struct LossConfirm {
    csrf: String,
    slug: String,
    slate_name: String,
    candidate: String,
    name: String,
}

async fn record_loss(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    CsrfForm(form): CsrfForm<LossForm>,
) -> Result<Response, PageError> {
    // A destructive step: ask first (organizers only, as the step itself).
    if form.confirm.as_deref() != Some("yes") {
        if viewer.actor.account().is_none() {
            return Err(EngineError::Unauthenticated("sign in first".into()).into());
        }
        let slate = engine.slate_to_edit(&viewer.actor, &slug).await?;
        let c = slate
            .candidates
            .iter()
            .find(|c| c.slug == form.candidate)
            .ok_or_else(|| EngineError::not_found("candidate", form.candidate.clone()))?;
        return Ok(html(
            StatusCode::OK,
            &LossConfirm {
                csrf: viewer.csrf.clone(),
                slug: slate.slug.clone(),
                slate_name: slate.name.clone(),
                candidate: c.slug.clone(),
                name: c.name.clone(),
            },
        ));
    }
    match engine
        .primary_lost(&viewer.actor, &slug, &form.candidate)
        .await
    {
        Ok(_) => Ok(see_other(
            &format!("/slates/{slug}/organize/primaries?notice=primary"),
            None,
        )),
        Err(e) => {
            let why = fixable(e)?;
            let section = crate::organize::Section::Primaries;
            crate::organize::section_page(
                &engine,
                &viewer,
                &slug,
                section,
                None,
                Some(why),
                Default::default(),
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "general.html")]
struct GeneralPage {
    csrf: String,
    id: i64,
    token: String,
    choices: Vec<GeneralChoiceView>,
    notice: Option<String>,
    problem: Option<String>,
}

async fn page(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
    Query(q): Query<TokenQuery>,
) -> Result<Response, PageError> {
    let choices = engine.general_choices(id, &q.token).await?;
    let notice = q
        .chosen
        .map(|_| "Thank you: your choice is recorded.".to_owned());
    Ok(html(
        StatusCode::OK,
        &GeneralPage {
            csrf: viewer.csrf,
            id,
            token: q.token,
            choices,
            notice,
            problem: None,
        },
    ))
}

#[derive(Debug, Deserialize)]
struct ChoiceForm {
    token: String,
    receipt: String,
    choice: String,
}

async fn choose(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
    CsrfForm(form): CsrfForm<ChoiceForm>,
) -> Result<Response, PageError> {
    match engine
        .choose_general(id, &form.token, &form.receipt, &form.choice)
        .await
    {
        Ok(_) => Ok(see_other(
            &format!(
                "/pledges/{id}/general?token={}&chosen=1",
                urlencode(&form.token)
            ),
            None,
        )),
        Err(e) => {
            let why = fixable(e)?;
            let choices = engine.general_choices(id, &form.token).await?;
            Ok(html(
                StatusCode::UNPROCESSABLE_ENTITY,
                &GeneralPage {
                    csrf: viewer.csrf,
                    id,
                    token: form.token,
                    choices,
                    notice: None,
                    problem: Some(why),
                },
            ))
        }
    }
}

#[derive(Debug, Deserialize)]
struct CommitteeQuery {
    committee: String,
}

async fn choices_csv(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiQuery(q): ApiQuery<CommitteeQuery>,
) -> Result<Response, PageError> {
    Ok(choices_file(&engine, &viewer.actor, &q.committee).await?)
}

#[utoipa::path(get, path = "/api/books/general-choices.csv", tag = "primaries", params(("committee" = String, Query, description = "The committee")), responses((status = 200, description = "The choices as CSV", content_type = "text/csv", body = String), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security(("bearer" = [])))]
async fn api_choices_csv(
    State(engine): State<Engine>,
    TokenAuth(actor): TokenAuth,
    ApiQuery(q): ApiQuery<CommitteeQuery>,
) -> ApiResult<Response> {
    Ok(choices_file(&engine, &actor, &q.committee).await?)
}

/// The choices of one committee's donors, as a CSV for its treasurer.
async fn choices_file(
    engine: &Engine,
    actor: &Actor,
    committee: &str,
) -> Result<Response, EngineError> {
    let lines = engine.general_choice_lines(actor, committee).await?;
    let body = csv(
        &[
            "receipt",
            "donor_email",
            "amount",
            "choice",
            "chosen_at",
            "held_by_conduit",
        ],
        lines.into_iter().map(|l| {
            vec![
                l.receipt,
                l.donor_email,
                dollars(l.amount_cents),
                l.choice.unwrap_or_else(|| "not yet".to_owned()),
                l.chosen_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                if l.held { "yes" } else { "no" }.to_owned(),
            ]
        }),
    );
    Ok(csv_response(
        &format!("cohort-{committee}-general-choices.csv"),
        body,
    ))
}
