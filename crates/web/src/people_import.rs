//! A slate's supporter list in and out as CSV (issue 19): the organizer's
//! import page (choose a file up to 10 MB or paste → preview with every
//! problem by line and column, or the people created and merged → confirm,
//! which re-posts the very file named by its SHA-256 and queues it for the
//! `imports` job → the import's page, counting until done), its API twin
//! `POST /api/slates/{slug}/people/import` (`?dry_run=true` previews;
//! synchronous: see docs/import.md), and the export
//! `/slates/{slug}/people.csv`. The file field, the queue and the progress
//! page are the pledge import's own (`crate::import_jobs`).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use cohort_engine::import_jobs::{ImportJobView, ImportKind};
use cohort_engine::people_import::{ImportDone, ImportPreview};
use cohort_engine::{Actor, Engine, EngineError};
use serde::Deserialize;
use std::future::Future;

use crate::api::ApiResult;
use crate::app::{csv_response, sign_in_first};
use crate::extract::{ApiPath, ApiQuery, TokenAuth};
use crate::import_jobs::{confirm_submit, job_page, page, preview_submit, ImportScreen};
use crate::pages::PageError;
use crate::session::Viewer;

pub(crate) fn routes() -> Router<Engine> {
    Router::new()
        .route("/slates/{slug}/people/import", get(page::<ImportPage>))
        .route(
            "/slates/{slug}/people/import/jobs/{id}",
            get(job_page::<ImportPage>),
        )
        .route("/slates/{slug}/people.csv", get(export))
        .route("/joint-events/{id}/attendees.csv", get(attendees))
}

/// The forms that carry a file: under [`crate::upload::UPLOAD_LIMIT`], not
/// the 64 KB of every other form.
pub(crate) fn upload_routes() -> Router<Engine> {
    Router::new()
        .route(
            "/slates/{slug}/people/import/preview",
            post(preview_submit::<ImportPage>),
        )
        .route(
            "/slates/{slug}/people/import/confirm",
            post(confirm_submit::<ImportPage>),
        )
}

pub(crate) fn api_routes() -> Router<Engine> {
    Router::new()
        .route(
            "/slates/{slug}/people/import",
            axum::routing::post(api_import),
        )
        .route("/slates/{slug}/people.csv", get(api_export))
        .route("/joint-events/{id}/attendees.csv", get(api_attendees))
}

/// Mobilize's attendee-export columns Cohort has something for, in its order.
const MOBILIZE_HEADER: [&str; 10] = [
    "Event ID",
    "Event name",
    "Timeslot start",
    "Timeslot end",
    "First name",
    "Last name",
    "Email",
    "ZIP",
    "Attendance status",
    "Signup date",
];

/// "Ada María Reyes" → ("Ada", "María Reyes"): Mobilize keeps the two apart;
/// an RSVP has one name.
fn split_name(name: &str) -> (String, String) {
    let name = name.trim();
    match name.split_once(' ') {
        Some((first, rest)) => (first.to_owned(), rest.trim().to_owned()),
        None => (name.to_owned(), String::new()),
    }
}

/// A joint event's RSVPs as Mobilize's attendee export (its hosts' campaigns
/// and the slate's organizers), through the one CSV writer.
async fn attendees_file(
    engine: &Engine,
    actor: &cohort_engine::Actor,
    id: i64,
) -> Result<Response, cohort_engine::EngineError> {
    let rsvps = engine.joint_event_rsvps(actor, id).await?;
    let e = engine.joint_event(actor, id).await?;
    let rows = rsvps.into_iter().map(|r| {
        let (first, last) = split_name(&r.name);
        let status = match r.status.as_str() {
            "going" => "Registered",
            "waitlisted" => "Waitlisted",
            _ => "Cancelled",
        };
        vec![
            e.id.to_string(),
            e.title.clone(),
            e.starts_at.to_rfc3339(),
            e.ends_at.to_rfc3339(),
            first,
            last,
            r.email,
            r.zip,
            status.to_owned(),
            r.created_at.to_rfc3339(),
        ]
    });
    let body = crate::app::csv(&MOBILIZE_HEADER, rows);
    Ok(csv_response(
        &format!("joint-event-{id}-attendees.csv"),
        body,
    ))
}

#[utoipa::path(get, path = "/api/joint-events/{id}/attendees.csv", tag = "people", params(("id" = i64, Path, description = "The joint event's id")), responses((status = 200, description = "The RSVPs under Mobilize's attendee-export headers", content_type = "text/csv", body = String), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security(("bearer" = [])))]
async fn api_attendees(
    State(engine): State<Engine>,
    TokenAuth(actor): TokenAuth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    Ok(attendees_file(&engine, &actor, id).await?)
}

async fn attendees(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, PageError> {
    if viewer.actor.account().is_none() {
        return Ok(sign_in_first(&format!("/joint-events/{id}/attendees.csv")));
    }
    Ok(attendees_file(&engine, &viewer.actor, id).await?)
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
enum ImportAnswer {
    Preview(cohort_engine::people_import::ImportPreview),
    Done(cohort_engine::people_import::ImportDone),
}

/// The document's name for a 422 from the import: a dry run lists every
/// problem; otherwise the error body says why.
#[allow(dead_code)]
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
enum ImportRefusal<'a> {
    Preview(cohort_engine::people_import::ImportPreview),
    Error(crate::error::Body<'a>),
}

/// The body is the CSV file itself. A dry run answers the preview (422 when
/// the file is refused, its `problems` naming line and column); otherwise the
/// file is imported whole or not at all.
#[utoipa::path(post, path = "/api/slates/{slug}/people/import", tag = "people", params(("slug" = String, Path, description = "The slate's slug"), ("dry_run" = Option<bool>, Query, description = "Only say what the import would do (422 listing every problem)"), ("sha256" = Option<String>, Query, description = "The previewed file's SHA-256: the import refuses a different file")), request_body(content = String, content_type = "text/csv", description = "The people CSV (Action Network, Mobilize, ActBlue or common headers)"), responses((status = 200, description = "What the import did, or would do (dry run)", body = ImportAnswer), (status = 422, description = "A dry run's every problem, or why the import is refused", body = ImportRefusal), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security(("bearer" = [])))]
async fn api_import(
    State(engine): State<Engine>,
    TokenAuth(actor): TokenAuth,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: String,
) -> ApiResult<Response> {
    if q.dry_run {
        let pv = engine.preview_people_import(&actor, &slug, &body).await?;
        let status = if pv.problems.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return Ok((status, Json(pv)).into_response());
    }
    let done = engine
        .import_people(&actor, &slug, &body, q.sha256.as_deref(), &|_, _| {})
        .await?;
    Ok((StatusCode::OK, Json(done)).into_response())
}

#[utoipa::path(get, path = "/api/slates/{slug}/people.csv", tag = "people", params(("slug" = String, Path, description = "The slate's slug")), responses((status = 200, description = "The supporters under Action Network's people-export headers", content_type = "text/csv", body = String), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security(("bearer" = [])))]
async fn api_export(
    State(engine): State<Engine>,
    TokenAuth(actor): TokenAuth,
    ApiPath(slug): ApiPath<String>,
) -> ApiResult<Response> {
    let (name, body) = engine.people_csv(&actor, &slug).await?;
    Ok(csv_response(&name, body))
}

async fn export(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
) -> Result<Response, PageError> {
    if viewer.actor.account().is_none() {
        return Ok(sign_in_first(&format!("/slates/{slug}/people.csv")));
    }
    let (name, body) = engine.people_csv(&viewer.actor, &slug).await?;
    Ok(csv_response(&name, body))
}

#[derive(Template)]
#[template(path = "people_import.html")]
struct ImportPage {
    csrf: String,
    slug: String,
    preview: Option<ImportPreview>,
    /// The previewed file, re-posted by the confirm form.
    text: String,
    done: Option<ImportDone>,
    /// A confirmed import under way (the page reloads itself) or done.
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
}

impl ImportScreen for ImportPage {
    const KIND: ImportKind = ImportKind::People;
    type Preview = ImportPreview;

    fn new(viewer: &Viewer, slug: &str) -> ImportPage {
        ImportPage::new(viewer, slug)
    }

    fn dry_run<'a>(
        engine: &'a Engine,
        actor: &'a Actor,
        slug: &'a str,
        text: &'a str,
    ) -> impl Future<Output = Result<ImportPreview, EngineError>> + Send + 'a {
        engine.preview_people_import(actor, slug, text)
    }

    fn clean(preview: &ImportPreview) -> bool {
        preview.problems.is_empty()
    }

    fn show_preview(&mut self, preview: ImportPreview, text: String) {
        self.preview = Some(preview);
        self.text = text;
    }

    fn show_problem(&mut self, problem: String) {
        self.problem = Some(problem);
    }

    fn show_job(&mut self, job: ImportJobView, refreshing: bool) {
        self.refreshing = refreshing;
        self.done = job.people().cloned();
        self.job = Some(job);
    }
}
