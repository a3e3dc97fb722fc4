//! Pledges made offline, imported from CSV (issue 19): the organizer's page
//! (choose a file up to 10 MB or paste → preview with every problem by line and column, or the pledges
//! that would be made → confirm, which re-posts the very file named by its
//! SHA-256 → result) and its API twin `POST /api/slates/{slug}/pledges/import`
//! (`?dry_run=true` previews). Each row enters through the pledge intake;
//! see `cohort_engine::pledge_import`.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use cohort_core::Cents;
use cohort_engine::import_jobs::{ImportJobView, ImportKind};
use cohort_engine::pledge_import::{PledgeImportDone, PledgeImportPreview};
use cohort_engine::{Actor, Engine, EngineError};
use serde::Deserialize;
use std::future::Future;

use crate::api::ApiResult;
use crate::extract::{ApiPath, ApiQuery, TokenAuth};
use crate::import_jobs::{confirm_submit, job_page, page, preview_submit, ImportScreen};
use crate::session::Viewer;

pub(crate) fn routes() -> Router<Engine> {
    Router::new()
        .route("/slates/{slug}/pledges/import", get(page::<ImportPage>))
        .route(
            "/slates/{slug}/pledges/import/jobs/{id}",
            get(job_page::<ImportPage>),
        )
}

/// The forms that carry a file: under [`crate::upload::UPLOAD_LIMIT`], not
/// the 64 KB of every other form.
pub(crate) fn upload_routes() -> Router<Engine> {
    Router::new()
        .route(
            "/slates/{slug}/pledges/import/preview",
            post(preview_submit::<ImportPage>),
        )
        .route(
            "/slates/{slug}/pledges/import/confirm",
            post(confirm_submit::<ImportPage>),
        )
}

pub(crate) fn api_routes() -> Router<Engine> {
    Router::new().route("/slates/{slug}/pledges/import", post(api_import))
}

#[derive(Debug, Deserialize)]
struct ImportQuery {
    #[serde(default)]
    dry_run: bool,
    #[serde(default)]
    sha256: Option<String>,
}

/// The document's name for a 200 from the import: the dry run's preview or
/// what the import did (only for the OpenAPI document).
#[allow(dead_code)]
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
enum PledgeImportAnswer {
    Preview(PledgeImportPreview),
    Done(PledgeImportDone),
}

/// The document's name for a 422 from the import: a dry run lists every
/// problem; otherwise the error body says why.
#[allow(dead_code)]
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
enum PledgeImportRefusal<'a> {
    Preview(PledgeImportPreview),
    Error(crate::error::Body<'a>),
}

/// The body is the CSV file itself: one pledge made offline per row. A dry
/// run answers the preview (422 when the file is refused, its `problems`
/// naming line and column); otherwise every row is checked again and the
/// pledges go through the pledge intake (receipts emailed), each once however
/// often the file is imported.
#[utoipa::path(post, path = "/api/slates/{slug}/pledges/import", tag = "pledges", params(("slug" = String, Path, description = "The slate's slug"), ("dry_run" = Option<bool>, Query, description = "Only say what the import would do (422 listing every problem)"), ("sha256" = Option<String>, Query, description = "The previewed file's SHA-256: the import refuses a different file")), request_body(content = String, content_type = "text/csv", description = "The pledges CSV: email, name, kind, amount, recurring, hours, weeks, doors, calls, texts, condition, … (see docs/import.md)"), responses((status = 200, description = "What the import did, or would do (dry run)", body = PledgeImportAnswer), (status = 422, description = "A dry run's every problem, or why the import is refused", body = PledgeImportRefusal), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security(("bearer" = [])))]
async fn api_import(
    State(engine): State<Engine>,
    TokenAuth(actor): TokenAuth,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: String,
) -> ApiResult<Response> {
    if q.dry_run {
        let pv = engine.preview_pledge_import(&actor, &slug, &body).await?;
        let status = if pv.problems.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return Ok((status, Json(pv)).into_response());
    }
    let done = engine
        .import_pledges(&actor, &slug, &body, q.sha256.as_deref(), &|_, _| {})
        .await?;
    Ok((StatusCode::OK, Json(done)).into_response())
}

#[derive(Template)]
#[template(path = "pledge_import.html")]
struct ImportPage {
    csrf: String,
    slug: String,
    preview: Option<PledgeImportPreview>,
    /// The previewed file, re-posted by the confirm form.
    text: String,
    done: Option<PledgeImportDone>,
    /// A confirmed import under way (the page refreshes itself) or done.
    job: Option<ImportJobView>,
    /// The progress page reloads itself (see `crate::import_jobs`).
    refreshing: bool,
    problem: Option<String>,
}

impl ImportPage {
    fn new(viewer: &Viewer, slug: &str) -> ImportPage {
        ImportPage {
            csrf: viewer.csrf.clone(),
            slug: slug.to_owned(),
            preview: None,
            text: String::new(),
            done: None,
            job: None,
            refreshing: false,
            problem: None,
        }
    }

    /// "12,000": a count as people read it.
    fn count(&self, n: &i64) -> String {
        crate::import_jobs::count(*n)
    }

    /// "3 new pledges: $50 once, $25 a month, 4 hours a week".
    fn summary(&self, pv: &PledgeImportPreview) -> String {
        let mut parts = Vec::new();
        if pv.once_cents > 0 {
            parts.push(format!("{} once", Cents(pv.once_cents)));
        }
        if pv.monthly_cents > 0 {
            parts.push(format!("{} a month", Cents(pv.monthly_cents)));
        }
        if pv.hours_per_week > 0 {
            parts.push(format!("{} hours a week", pv.hours_per_week));
        }
        if pv.actions > 0 {
            parts.push(format!("{} of doors, calls or texts", pv.actions));
        }
        let head = format!(
            "{} new pledge{}",
            pv.creates,
            if pv.creates == 1 { "" } else { "s" }
        );
        if parts.is_empty() {
            format!("{head}.")
        } else {
            format!("{head}: {}.", parts.join(", "))
        }
    }
}

impl ImportScreen for ImportPage {
    const KIND: ImportKind = ImportKind::Pledges;
    type Preview = PledgeImportPreview;

    fn new(viewer: &Viewer, slug: &str) -> ImportPage {
        ImportPage::new(viewer, slug)
    }

    fn dry_run<'a>(
        engine: &'a Engine,
        actor: &'a Actor,
        slug: &'a str,
        text: &'a str,
    ) -> impl Future<Output = Result<PledgeImportPreview, EngineError>> + Send + 'a {
        engine.preview_pledge_import(actor, slug, text)
    }

    fn clean(preview: &PledgeImportPreview) -> bool {
        preview.problems.is_empty()
    }

    fn show_preview(&mut self, preview: PledgeImportPreview, text: String) {
        self.preview = Some(preview);
        self.text = text;
    }

    fn show_problem(&mut self, problem: String) {
        self.problem = Some(problem);
    }

    fn show_job(&mut self, job: ImportJobView, refreshing: bool) {
        self.refreshing = refreshing;
        self.done = job.pledges().cloned();
        self.job = Some(job);
    }
}
