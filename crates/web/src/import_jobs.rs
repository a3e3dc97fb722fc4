//! What the two import pages share (issue 19): reading the file from the
//! form (chosen or pasted), queueing the confirmed file for `cohort serve`'s
//! `imports` job, and the import's progress page, which reloads itself by
//! the HTTP `Refresh` header (not `<meta http-equiv="refresh">`, which
//! axe-core fails as a critical WCAG 2.2.1 problem) until it is done, with a
//! link that turns the reloading off. The progress block is
//! `templates/import_progress.html`, included by both pages.
//!
//! The four page handlers (the empty page, the preview, the confirm, the
//! progress page) are written once here, over [`ImportScreen`]: what each
//! importer's page says differently. Each importer's module routes them
//! under its own literal paths.

use std::future::Future;

use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use cohort_engine::import_jobs::{ImportJobView, ImportKind};
use cohort_engine::{Actor, Engine, EngineError};
use serde::Deserialize;

use crate::app::{fixable, see_other, sign_in_first};
use crate::error::ApiError;
use crate::extract::{ApiPath, ApiQuery};
use crate::pages::{html, PageError};
use crate::session::Viewer;
use crate::upload::CsrfMultipart;

/// One importer's page: the template and the dry run it shows.
pub(crate) trait ImportScreen: Template + Send + Sized + 'static {
    /// Which importer (and so the page's address: `/slates/{slug}/people/import`).
    const KIND: ImportKind;
    /// The importer's dry run.
    type Preview: Send;

    /// The empty page.
    fn new(viewer: &Viewer, slug: &str) -> Self;

    /// The importer's dry run of `text` (organizers of the slate only).
    fn dry_run<'a>(
        engine: &'a Engine,
        actor: &'a Actor,
        slug: &'a str,
        text: &'a str,
    ) -> impl Future<Output = Result<Self::Preview, EngineError>> + Send + 'a;

    /// The dry run found no problem: the file can be confirmed.
    fn clean(preview: &Self::Preview) -> bool;

    /// Show the dry run of the file `text` (which the confirm form re-posts).
    fn show_preview(&mut self, preview: Self::Preview, text: String);

    /// Show why the confirm was refused.
    fn show_problem(&mut self, problem: String);

    /// Show a confirmed import: under way (the page reloads) or done.
    fn show_job(&mut self, job: ImportJobView, refreshing: bool);
}

pub(crate) async fn page<P: ImportScreen>(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
) -> Result<Response, PageError> {
    if viewer.actor.account().is_none() {
        return Ok(sign_in_first(&format!(
            "/slates/{slug}/{}/import",
            P::KIND.as_str()
        )));
    }
    // An empty dry run: only an organizer of the slate gets the page.
    P::dry_run(&engine, &viewer.actor, &slug, "").await?;
    Ok(html(StatusCode::OK, &P::new(&viewer, &slug)))
}

pub(crate) async fn preview_submit<P: ImportScreen>(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    form: CsrfMultipart,
) -> Result<Response, PageError> {
    let text = file_of(&form)?;
    let pv = P::dry_run(&engine, &viewer.actor, &slug, &text).await?;
    let status = if P::clean(&pv) {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut p = P::new(&viewer, &slug);
    p.show_preview(pv, text);
    Ok(html(status, &p))
}

/// The confirm: the previewed file is checked whole and queued for the
/// `imports` job; the answer is its progress page.
pub(crate) async fn confirm_submit<P: ImportScreen>(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    form: CsrfMultipart,
) -> Result<Response, PageError> {
    match confirm(&engine, &viewer, P::KIND, &slug, &form).await? {
        Ok(res) => Ok(res),
        Err(problem) => {
            let mut p = P::new(&viewer, &slug);
            p.show_problem(problem);
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
    }
}

/// An import's progress ("1,500 of 100,000 rows"), reloading itself without
/// JavaScript until it is done, then what it did. The reload is the HTTP
/// `Refresh` header, not `<meta http-equiv="refresh">`, and the page links
/// to itself without it: a reader who is interrupted by the reloads (WCAG
/// 2.2.1) turns them off and refreshes when they choose.
pub(crate) async fn job_page<P: ImportScreen>(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
    ApiQuery(q): ApiQuery<JobQuery>,
) -> Result<Response, PageError> {
    if viewer.actor.account().is_none() {
        return Ok(sign_in_first(&format!(
            "/slates/{slug}/{}/import/jobs/{id}",
            P::KIND.as_str()
        )));
    }
    let st = job_state(&engine, &viewer, P::KIND, &slug, id, &q).await?;
    let mut p = P::new(&viewer, &slug);
    p.show_job(st.job, st.refreshing);
    Ok(with_refresh(html(st.status, &p), st.refreshing))
}

/// Seconds between the progress page's reloads.
const REFRESH_SECS: u32 = 5;

/// "12,000": a count as people read it.
pub(crate) fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The file: the one chosen, else the pasted text; both is ambiguous.
fn file_of(form: &CsrfMultipart) -> Result<String, PageError> {
    let pasted = form.text("csv")?;
    match form.file("file")? {
        Some(_) if !pasted.trim().is_empty() => {
            Err(ApiError::invalid("file", "choose a file or paste the CSV, not both").into())
        }
        Some(f) => Ok(f),
        None if pasted.trim().is_empty() => {
            Err(ApiError::invalid("csv", "choose a CSV file or paste its text").into())
        }
        None => Ok(pasted),
    }
}

/// The confirm form's file (re-posted as `csv`, named by `sha256`) checked
/// whole and queued: a redirect to its progress page, or the problem to
/// show on the import page (a 422 there).
async fn confirm(
    engine: &Engine,
    viewer: &Viewer,
    kind: ImportKind,
    slug: &str,
    form: &CsrfMultipart,
) -> Result<Result<Response, String>, PageError> {
    let text = form.text("csv")?;
    let sha256 = form.text("sha256")?;
    match engine
        .queue_import(&viewer.actor, kind, slug, &text, &sha256)
        .await
    {
        Ok(id) => Ok(Ok(see_other(
            &format!("/slates/{slug}/{}/import/jobs/{id}", kind.as_str()),
            None,
        ))),
        Err(e) => Ok(Err(fixable(e)?)),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct JobQuery {
    /// `off`: do not reload the page (its "Stop reloading" link).
    #[serde(default)]
    refresh: Option<String>,
}

/// An import's state for its page: the job, whether the page reloads
/// itself, and the status to answer (422 when rows could not be saved).
struct JobState {
    pub job: ImportJobView,
    pub refreshing: bool,
    pub status: StatusCode,
}

async fn job_state(
    engine: &Engine,
    viewer: &Viewer,
    kind: ImportKind,
    slug: &str,
    id: i64,
    q: &JobQuery,
) -> Result<JobState, PageError> {
    let job = engine.import_job(&viewer.actor, kind, slug, id).await?;
    let status = match job.pledges() {
        Some(done) if !done.failed.is_empty() => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    let refreshing = job.result.is_none() && q.refresh.as_deref() != Some("off");
    Ok(JobState {
        job,
        refreshing,
        status,
    })
}

/// The page, reloading itself while `refreshing`.
fn with_refresh(mut res: Response, refreshing: bool) -> Response {
    if refreshing {
        res.headers_mut()
            .insert(header::REFRESH, HeaderValue::from(REFRESH_SECS));
    }
    res
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_read_as_people_write_them() {
        assert_eq!(super::count(0), "0");
        assert_eq!(super::count(999), "999");
        assert_eq!(super::count(12_000), "12,000");
        assert_eq!(super::count(100_000), "100,000");
        assert_eq!(super::count(1_234_567), "1,234,567");
    }
}
