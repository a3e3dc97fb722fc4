//! Imports that run in the background (issue 19), for both importers: the
//! page's confirm checks the previewed file whole, then queues it sealed
//! (table `import_jobs`, its `kind` naming the importer); `cohort serve`'s
//! `imports` job runs each, writing its count as it goes, and the import's
//! page shows the progress and then what it did.
//!
//! The pledge import puts rows through the pledge intake 500 to a batch
//! (`pledge_import.rs`); the people import writes 2,000 people to a
//! transaction (`people_import.rs`). Both are safe to run again from the
//! start after a server stopped half way: pledge rows by their idempotency
//! keys, people by email.

use cohort_store::Id;
use serde::Serialize;

use crate::people_import::{check_sha256, file_sha256, normalize_newlines, ImportDone};
use crate::pledge_import::PledgeImportDone;
use crate::slates::find_slate;
use crate::{Actor, Engine, EngineError, Result};

/// What a queued file holds, and so which importer reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImportKind {
    People,
    Pledges,
}

impl ImportKind {
    /// The word in the store and in the page's address (`/people/import`).
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::People => "people",
            ImportKind::Pledges => "pledges",
        }
    }

    fn parse(s: &str) -> Option<ImportKind> {
        match s {
            "people" => Some(ImportKind::People),
            "pledges" => Some(ImportKind::Pledges),
            _ => None,
        }
    }
}

/// What a finished import did, by importer.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum ImportResult {
    People(ImportDone),
    Pledges(PledgeImportDone),
}

/// An import the page confirmed, as its organizer sees it.
#[derive(Clone, Debug, Serialize)]
pub struct ImportJobView {
    pub id: Id,
    pub kind: ImportKind,
    /// Units to write (pledge rows, or people once repeated emails are
    /// folded), and how many are through so far.
    pub total: i64,
    pub done: i64,
    /// What it did, once finished.
    pub result: Option<ImportResult>,
}

impl ImportJobView {
    /// The people import's result, when it is one and finished.
    pub fn people(&self) -> Option<&ImportDone> {
        match &self.result {
            Some(ImportResult::People(d)) => Some(d),
            _ => None,
        }
    }

    /// The pledge import's result, when it is one and finished.
    pub fn pledges(&self) -> Option<&PledgeImportDone> {
        match &self.result {
            Some(ImportResult::Pledges(d)) => Some(d),
            _ => None,
        }
    }

    /// What `total` and `done` count, in words.
    pub fn unit(&self) -> &'static str {
        match self.kind {
            ImportKind::People => "people",
            ImportKind::Pledges => "rows",
        }
    }
}

fn broken(what: String) -> EngineError {
    EngineError::Store(cohort_store::StoreError::Other(what))
}

impl Engine {
    /// The page's confirm: the previewed file (`sha256`) is checked whole as
    /// the importer checks it, then queued, sealed, for `cohort serve`'s
    /// `imports` job; answers the import's id.
    pub async fn queue_import(
        &self,
        actor: &Actor,
        kind: ImportKind,
        slate: &str,
        text: &str,
        sha256: &str,
    ) -> Result<Id> {
        check_sha256(text, sha256)?;
        let total = match kind {
            ImportKind::Pledges => self.checked(actor, slate, text).await?.1.len(),
            ImportKind::People => self.people_checked(actor, slate, text).await?.people.len(),
        };
        let at = self.now();
        let mut tx = self.store.write().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        let id = tx
            .insert_import_job(
                s.id,
                kind.as_str(),
                &file_sha256(text),
                &self.keys.seal(&normalize_newlines(text)),
                total as i64,
                at,
            )
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// An import of `kind` into `slate` (an organizer of it), with its
    /// progress; an import of the other kind is not found here.
    pub async fn import_job(
        &self,
        actor: &Actor,
        kind: ImportKind,
        slate: &str,
        id: Id,
    ) -> Result<ImportJobView> {
        let mut tx = self.store.read().await?;
        let s = find_slate(tx.as_mut(), slate).await?;
        actor.require_organizer(&s)?;
        let row = tx
            .import_job(id)
            .await?
            .filter(|r| r.slate_id == s.id && r.kind == kind.as_str())
            .ok_or_else(|| EngineError::not_found("import", id.to_string()))?;
        let unreadable =
            |e: serde_json::Error| broken(format!("import {id}'s result is unreadable: {e}"));
        let result = match (row.result.as_deref(), kind) {
            (None, _) => None,
            (Some(json), ImportKind::People) => Some(ImportResult::People(
                serde_json::from_str(json).map_err(unreadable)?,
            )),
            (Some(json), ImportKind::Pledges) => Some(ImportResult::Pledges(
                serde_json::from_str(json).map_err(unreadable)?,
            )),
        };
        Ok(ImportJobView {
            id,
            kind,
            total: row.total,
            done: row.done,
            result,
        })
    }

    /// One round of the `imports` job: every queued import, oldest first,
    /// through its importer (the file checked again against the slate as it
    /// is now). Answers how many imports finished.
    pub async fn run_import_jobs(&self) -> Result<usize> {
        let mut finished = 0;
        loop {
            let (job, slug) = {
                let mut tx = self.store.read().await?;
                let Some(job) = tx.next_import_job().await? else {
                    return Ok(finished);
                };
                let slate = tx
                    .slate(job.slate_id)
                    .await?
                    .ok_or_else(|| EngineError::not_found("slate", job.slate_id.to_string()))?;
                (job, slate.slug.to_string())
            };
            let text = self
                .keys
                .open(&job.file)
                .map_err(|e| broken(format!("an import's file cannot be opened: {e}")))?;
            let kind = ImportKind::parse(&job.kind)
                .ok_or_else(|| broken(format!("import {} is of no known kind", job.id)))?;
            let system = Actor::Organizer { slate: None };
            let result = match kind {
                ImportKind::Pledges => {
                    ImportResult::Pledges(match self.checked(&system, &slug, &text).await {
                        Ok((parsed, rows)) => {
                            self.write_rows(&slug, &parsed, rows, &|_, _| {}, Some(job.id))
                                .await?
                        }
                        // The slate changed since the confirm: nothing is written.
                        Err(EngineError::Invalid { message, .. }) => PledgeImportDone {
                            rows: job.total as usize,
                            failed: vec![message],
                            ..PledgeImportDone::default()
                        },
                        Err(e) => return Err(e),
                    })
                }
                // A people file does not depend on the slate's state: checked
                // once at the confirm, it reads the same now.
                ImportKind::People => {
                    let parsed = self.people_checked(&system, &slug, &text).await?;
                    ImportResult::People(
                        self.write_people(&system, &slug, &parsed, &|_, _| {}, Some(job.id))
                            .await?,
                    )
                }
            };
            let result = serde_json::to_string(&result).unwrap_or_default();
            let mut tx = self.store.write().await?;
            tx.finish_import_job(job.id, &result, self.now()).await?;
            tx.commit().await?;
            finished += 1;
        }
    }
}
