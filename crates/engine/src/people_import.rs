//! A slate's supporter list in and out as CSV (issue 19): a dry run first
//! (what would be created and what merged into someone already on the list,
//! by email, or every problem with its line and column), then the import in
//! one transaction, only of the very file previewed (named by its SHA-256);
//! and the list out again under Action Network's people-export headers.
//! The decisions are `cohort_core::people_csv`'s; this file loads and writes.

use std::collections::HashSet;

use cohort_core::people_csv::{self, PersonIn, EXPORT_HEADER};
use cohort_core::{csv, Email};
use cohort_store::{PeopleQuery, PersonFields, SlateRow, Tx};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::slates::find_slate;
use crate::{Actor, Engine, EngineError, Result};

/// `people` onto slate `slate_id`'s list: the new ones in a few statements
/// (`insert_new_people`), each already there merged by an upsert. `people`
/// must not repeat an email. Returns how many were new.
pub(crate) async fn file_people(
    tx: &mut dyn Tx,
    slate_id: cohort_store::Id,
    people: &[(Email, PersonFields)],
    source: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<usize> {
    let added: HashSet<Email> = tx
        .insert_new_people(slate_id, people, source, at)
        .await?
        .into_iter()
        .collect();
    for (email, fields) in people.iter().filter(|(e, _)| !added.contains(e)) {
        tx.upsert_person(slate_id, email, fields, source, at)
            .await?;
    }
    Ok(added.len())
}

/// Rows the preview lists (the rest are counted).
pub const PREVIEW_ROWS: usize = 20;
/// Problems an error message names (the preview lists them all).
const PROBLEMS_IN_ERROR: usize = 20;
/// People written per bulk statement group (and per progress report).
const CHUNK: usize = 2_000;
/// People read from the store per page.
const PAGE: u32 = 5_000;

/// What importing a file would do, or why it is refused.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct ImportPreview {
    /// SHA-256 of the file, hex: the import must name it.
    pub sha256: String,
    /// Data rows read (blank rows aside).
    pub rows: usize,
    /// New people.
    pub creates: usize,
    /// People already on the list, merged by email.
    pub merges: usize,
    /// Rows folded into an earlier row of the file with the same email.
    pub duplicates: usize,
    /// Headers Cohort does not read.
    pub ignored_columns: Vec<String>,
    /// Every problem ("line 41, column 'zip': '1234' is not a ZIP code");
    /// any problem refuses the whole file.
    pub problems: Vec<String>,
    /// The first people, each with what would happen to them.
    pub sample: Vec<PreviewRow>,
}

/// One person of the preview.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PreviewRow {
    pub line: usize,
    pub email: String,
    pub name: String,
    pub zip: String,
    /// `create` or `merge`.
    pub action: &'static str,
}

/// What an import did.
#[derive(Clone, Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ImportDone {
    pub rows: usize,
    pub created: usize,
    pub merged: usize,
    pub duplicates: usize,
}

/// A file's line breaks as LF: a browser re-posting the previewed file in a
/// form sends CRLF, a page holding it gives LF back, and the file must be the
/// same file either way.
pub fn normalize_newlines(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// SHA-256 of a file (line breaks normalized), hex.
pub fn file_sha256(text: &str) -> String {
    hex::encode(Sha256::digest(normalize_newlines(text).as_bytes()))
}

/// The file is the one previewed (its SHA-256, line breaks normalized).
pub(crate) fn check_sha256(text: &str, sha256: &str) -> Result<()> {
    if sha256.eq_ignore_ascii_case(&file_sha256(text)) {
        Ok(())
    } else {
        Err(EngineError::invalid(
            "sha256",
            "the file is not the one previewed; preview it again before importing",
        ))
    }
}

/// The file read whole, or refused whole naming its first problems.
fn parse_whole(text: &str) -> Result<people_csv::Parsed> {
    people_csv::parse(&normalize_newlines(text)).map_err(|problems| {
        let mut msg: Vec<String> = problems
            .iter()
            .take(PROBLEMS_IN_ERROR)
            .map(ToString::to_string)
            .collect();
        if problems.len() > PROBLEMS_IN_ERROR {
            msg.push(format!("and {} more", problems.len() - PROBLEMS_IN_ERROR));
        }
        EngineError::invalid(
            "file",
            format!(
                "the file is refused whole, nothing was imported: {}",
                msg.join("; ")
            ),
        )
    })
}

fn fields_of(p: &PersonIn) -> PersonFields {
    PersonFields {
        given_name: p.given_name.clone(),
        family_name: p.family_name.clone(),
        address: p.address.clone(),
        city: p.city.clone(),
        state: p.state.clone(),
        zip: p.zip.clone(),
        phone: p.phone.clone(),
    }
}

async fn load_slate(tx: &mut dyn Tx, actor: &Actor, slug: &str) -> Result<SlateRow> {
    let s = find_slate(tx, slug).await?;
    actor.require_organizer(&s)?;
    Ok(s)
}

/// Every email already on the slate's list.
async fn known_emails(tx: &mut dyn Tx, slate_id: cohort_store::Id) -> Result<HashSet<Email>> {
    let q = PeopleQuery {
        slate_ids: vec![slate_id],
        ..PeopleQuery::default()
    };
    let mut out = HashSet::new();
    let mut offset = 0u64;
    loop {
        let page = tx.people(&q, offset, PAGE).await?;
        let n = page.len();
        out.extend(page.into_iter().map(|p| p.email));
        if n < PAGE as usize {
            return Ok(out);
        }
        offset += n as u64;
    }
}

impl Engine {
    /// The dry run: nothing is written.
    pub async fn preview_people_import(
        &self,
        actor: &Actor,
        slate: &str,
        text: &str,
    ) -> Result<ImportPreview> {
        let mut tx = self.store.read().await?;
        let s = load_slate(tx.as_mut(), actor, slate).await?;
        let mut preview = ImportPreview {
            sha256: file_sha256(text),
            ..ImportPreview::default()
        };
        let parsed = match people_csv::parse(&normalize_newlines(text)) {
            Ok(p) => p,
            Err(problems) => {
                preview.problems = problems.iter().map(ToString::to_string).collect();
                return Ok(preview);
            }
        };
        let known = known_emails(tx.as_mut(), s.id).await?;
        preview.rows = parsed.rows;
        preview.duplicates = parsed.duplicates;
        preview.ignored_columns = parsed.ignored;
        for p in &parsed.people {
            let Some(email) = &p.email else { continue };
            let merge = known.contains(email);
            if merge {
                preview.merges += 1;
            } else {
                preview.creates += 1;
            }
            if preview.sample.len() < PREVIEW_ROWS {
                preview.sample.push(PreviewRow {
                    line: p.line,
                    email: email.as_str().to_owned(),
                    name: format!("{} {}", p.given_name, p.family_name)
                        .trim()
                        .to_owned(),
                    zip: p.zip.clone(),
                    action: if merge { "merge" } else { "create" },
                });
            }
        }
        Ok(preview)
    }

    /// Import a file the organizer previewed (`sha256` names it; `None` only
    /// where the caller previewed it itself, as the CLI does), all or nothing
    /// in one transaction. `progress(done, total)` is told as people are written.
    pub async fn import_people(
        &self,
        actor: &Actor,
        slate: &str,
        text: &str,
        sha256: Option<&str>,
        progress: &(dyn Fn(usize, usize) + Send + Sync),
    ) -> Result<ImportDone> {
        if let Some(h) = sha256 {
            check_sha256(text, h)?;
        }
        let parsed = parse_whole(text)?;
        self.write_people(actor, slate, &parsed, progress, None)
            .await
    }

    /// A file read whole for the import: the people to write, or the file
    /// refused (any problem) with the first problems named. The slate is the
    /// actor's to organize.
    pub(crate) async fn people_checked(
        &self,
        actor: &Actor,
        slate: &str,
        text: &str,
    ) -> Result<people_csv::Parsed> {
        let mut tx = self.store.read().await?;
        load_slate(tx.as_mut(), actor, slate).await?;
        parse_whole(text)
    }

    /// Write the people of a checked file. Without a `job`, in one
    /// transaction (all or nothing); for a `job` (the page's background
    /// import), a transaction per chunk that also writes the job's count, so
    /// its page sees the progress and pledges are not held up behind a long
    /// import. A job stopped half way is run again from the start: people
    /// already written merge into themselves (the same non-empty cells).
    pub(crate) async fn write_people(
        &self,
        actor: &Actor,
        slate: &str,
        parsed: &people_csv::Parsed,
        progress: &(dyn Fn(usize, usize) + Send + Sync),
        job: Option<cohort_store::Id>,
    ) -> Result<ImportDone> {
        let at = self.now();
        let mut tx = self.store.write().await?;
        let s = load_slate(tx.as_mut(), actor, slate).await?;
        let total = parsed.people.len();
        let mut done = ImportDone {
            rows: parsed.rows,
            created: 0,
            merged: 0,
            duplicates: parsed.duplicates,
        };
        // New people in bulk; those already on the list merge one by one.
        let mut written = 0;
        for chunk in parsed.people.chunks(CHUNK) {
            let batch: Vec<(Email, PersonFields)> = chunk
                .iter()
                .filter_map(|p| p.email.clone().map(|e| (e, fields_of(p))))
                .collect();
            let added = file_people(tx.as_mut(), s.id, &batch, "csv", at).await?;
            done.created += added;
            done.merged += batch.len() - added;
            written += chunk.len();
            if let Some(id) = job {
                tx.set_import_progress(id, written as i64, self.now())
                    .await?;
                tx.commit().await?;
                tx = self.store.write().await?;
            }
            progress(written, total);
        }
        if total == 0 {
            progress(0, 0);
        }
        tx.commit().await?;
        Ok(done)
    }

    /// The slate's supporter list as CSV under Action Network's people-export
    /// headers (an organizer of the slate), and its file name.
    pub async fn people_csv(&self, actor: &Actor, slate: &str) -> Result<(String, String)> {
        let mut tx = self.store.read().await?;
        let s = load_slate(tx.as_mut(), actor, slate).await?;
        let q = PeopleQuery {
            slate_ids: vec![s.id],
            ..PeopleQuery::default()
        };
        let mut rows = Vec::new();
        let mut offset = 0u64;
        loop {
            let page = tx.people(&q, offset, PAGE).await?;
            let n = page.len();
            rows.extend(page.into_iter().map(|p| {
                let f = p.fields;
                vec![
                    f.given_name,
                    f.family_name,
                    p.email.as_str().to_owned(),
                    f.zip,
                    f.address,
                    f.city,
                    f.state,
                    f.phone,
                ]
            }));
            if n < PAGE as usize {
                break;
            }
            offset += n as u64;
        }
        Ok((
            format!("{slate}-people.csv"),
            csv::write(&EXPORT_HEADER, rows.into_iter()),
        ))
    }
}
