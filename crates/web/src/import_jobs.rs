//! What the two import pages share (issue 19): reading the file from the
//! form (chosen or pasted), queueing the confirmed file for `cohort serve`'s
//! `imports` job, and the import's progress page, which reloads itself by
//! the HTTP `Refresh` header (not `<meta http-equiv="refresh">`, which
//! axe-core fails as a critical WCAG 2.2.1 problem) until it is done, with a
//! link that turns the reloading off. The progress block is
//! `templates/import_progress.html`, included by both pages.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use cohort_engine::import_jobs::{ImportJobView, ImportKind};
use cohort_engine::Engine;
use serde::Deserialize;

use crate::app::{fixable, see_other};
use crate::error::ApiError;
use crate::pages::PageError;
use crate::session::Viewer;
use crate::upload::CsrfMultipart;

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
pub(crate) fn file_of(form: &CsrfMultipart) -> Result<String, PageError> {
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
pub(crate) async fn confirm(
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
pub(crate) struct JobState {
    pub job: ImportJobView,
    pub refreshing: bool,
    pub status: StatusCode,
}

pub(crate) async fn job_state(
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
pub(crate) fn with_refresh(mut res: Response, refreshing: bool) -> Response {
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
