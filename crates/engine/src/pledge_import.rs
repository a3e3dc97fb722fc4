//! Pledges made offline, imported from CSV (issue 19): pledge cards from an
//! event, a spreadsheet of promises. An imported row is a pledge its pledger
//! made, entered by an organizer of the slate; it goes through the very
//! intake a web or API pledge does ([`Engine::pledge_imported`]): the same
//! validation, contribution limits at unlock, `pledged` log event with its
//! receipt commitment, people-list entry and receipt email with the private
//! link (held and capped like any receipt nobody signed in for). It is locked
//! like any pledge until its condition holds.
//!
//! A dry run first checks every row with the intake's own validation and
//! names each problem by line and column; a file with any problem is refused
//! whole. The import takes only the file previewed (its SHA-256), checks it
//! again, then writes it in batches through the intake.
//!
//! Idempotency, per row: each row goes in under an idempotency key, so a file
//! imported twice (or a longer version of it: the same cards plus new ones)
//! adds each pledge once. The key is the row's `id`/`card` column when the
//! file has one (so a corrected row under the same id is refused, not added
//! twice); otherwise the SHA-256 of the row's whole pledge (the request hash)
//! and how many identical rows came before it in the file, so two identical
//! cards in one file are two pledges, and the same file again is none. Not
//! the file's hash and line: a re-exported sheet with one row inserted or
//! sorted differently would then duplicate every pledge.
//!
//! [`Engine::pledge_imported`]: crate::Engine

use std::collections::HashMap;

use cohort_core::pledges_csv::{self, Field, Kind, PledgeIn};
use cohort_core::Cents;
use cohort_store::{CandidateRow, Id, SlateRow, Tx};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::people_import::{check_sha256, file_sha256, normalize_newlines};
use crate::pledges::{validate, ActionsAsSent, DonorAsSent, PledgeAsSent, PledgeRequest};
use crate::slates::find_slate;
use crate::{Actor, Engine, EngineError, Result};

/// Rows the preview lists (the rest are counted).
pub const PREVIEW_ROWS: usize = 20;
/// Problems an error message names (the preview lists them all).
const PROBLEMS_IN_ERROR: usize = 20;
/// Pledges handed to the intake together (one batch, one transaction, one
/// progress report).
const CHUNK: usize = 500;

/// What importing a file of pledges would do, or why it is refused.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct PledgeImportPreview {
    /// SHA-256 of the file, hex: the import must name it.
    pub sha256: String,
    /// Data rows read (blank rows aside): one pledge each.
    pub rows: usize,
    /// Pledges that would be made.
    pub creates: usize,
    /// Rows imported before (same id, or same pledge): skipped.
    pub already_imported: usize,
    /// New money pledges: one-time total and monthly total, in cents.
    pub once_cents: i64,
    pub monthly_cents: i64,
    /// New hours pledges: hours a week in all.
    pub hours_per_week: i64,
    /// New pledges of doors, calls and texts.
    pub actions: usize,
    /// Headers the import does not read.
    pub ignored_columns: Vec<String>,
    /// Every problem ("line 41, column 'amount': '12x' is not a dollar
    /// amount …"); any problem refuses the whole file.
    pub problems: Vec<String>,
    /// The first rows, each with what would happen.
    pub sample: Vec<PledgePreviewRow>,
}

/// One row of the preview.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PledgePreviewRow {
    pub line: usize,
    pub email: String,
    pub name: String,
    /// The pledge in words ("$50 a month", "4 hours a week for 10 weeks").
    pub pledge: String,
    /// What unlocks it, in words.
    pub condition: String,
    /// `create` or `already imported`.
    pub action: &'static str,
}

/// What an import did.
#[derive(Clone, Debug, Default, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct PledgeImportDone {
    pub rows: usize,
    /// Pledges made (each pledger emailed their receipt).
    pub created: usize,
    /// Rows imported before, skipped.
    pub already_imported: usize,
    /// Rows the intake refused after the check passed (the slate changed in
    /// between); the rest were saved. Importing the same file again adds
    /// only what is missing.
    pub failed: Vec<String>,
}

/// One row checked: the intake's request, its key, whether it is in already.
pub(crate) struct Checked {
    line: usize,
    request: PledgeRequest,
    /// The donor's email and name as the file gives them (the preview shows them).
    email: String,
    name: String,
    key: String,
    done_before: bool,
    kind: cohort_core::model::PledgeKind,
    condition: String,
}

/// The engine's field name → the file's column, and the header to suggest
/// when the file has none.
fn column_for(field: &str) -> Option<(Field, &'static str)> {
    let base = field.split('[').next().unwrap_or(field);
    Some(match base {
        "kind" => (Field::Kind, "kind"),
        "amount_cents" => (Field::Amount, "amount"),
        "recurring" => (Field::Recurring, "recurring"),
        "hours_per_week" => (Field::Hours, "hours"),
        "weeks" => (Field::Weeks, "weeks"),
        "skills" => (Field::Skills, "skills"),
        "actions.doors" => (Field::Doors, "doors"),
        "actions.calls" => (Field::Calls, "calls"),
        "actions.texts" => (Field::Texts, "texts"),
        "condition" => (Field::Condition, "condition"),
        "candidates" => (Field::Candidates, "candidates"),
        "deadline" => (Field::Deadline, "deadline"),
        "donor.email" => (Field::Email, "email"),
        "donor.name" => (Field::Name, "name"),
        "donor.address" => (Field::Address, "address"),
        "donor.city" => (Field::City, "city"),
        "donor.state" => (Field::State, "state"),
        "donor.zip" => (Field::Zip, "zip"),
        "donor.employer" => (Field::Employer, "employer"),
        "donor.occupation" => (Field::Occupation, "occupation"),
        "donor.attests_eligible" => (Field::Attests, "attests_eligible"),
        "ref" => (Field::Ref, "ref"),
        _ => return None,
    })
}

/// An intake refusal of row `line` as a problem naming the file's column.
fn problem(parsed: &pledges_csv::Parsed, line: usize, e: EngineError) -> String {
    let (field, message) = match e {
        EngineError::Invalid { field, message } => (field, message),
        other => return format!("line {line}: {other}"),
    };
    let Some((f, suggest)) = column_for(&field) else {
        return format!("line {line}: {message}");
    };
    let header = parsed.header(f).or(match f {
        // A name may come from first and last name columns.
        Field::Name => parsed.header(Field::GivenName),
        _ => None,
    });
    match header {
        Some(h) => format!("line {line}, column '{h}': {message}"),
        None => {
            format!("line {line}: '{suggest}' {message}, and the file has no '{suggest}' column")
        }
    }
}

/// The intake's request for a row.
fn input_of(p: &PledgeIn) -> PledgeAsSent {
    let money = p.kind == Kind::Money;
    let hours = p.kind == Kind::Hours;
    PledgeAsSent {
        kind: p.kind.as_str().to_owned(),
        amount_cents: p.amount.map(Cents::get),
        recurring: money.then(|| {
            if p.monthly == Some(true) {
                "monthly".to_owned()
            } else {
                "once".to_owned()
            }
        }),
        hours_per_week: p.hours_per_week.filter(|_| hours),
        weeks: p.weeks.filter(|_| hours),
        skills: (hours && !p.skills.is_empty()).then(|| p.skills.clone()),
        actions: (p.kind == Kind::Actions).then(|| ActionsAsSent {
            doors: p.doors.unwrap_or(0),
            calls: p.calls.unwrap_or(0),
            texts: p.texts.unwrap_or(0),
        }),
        condition: p.condition.clone(),
        candidates: (!p.candidates.is_empty()).then(|| p.candidates.clone()),
        deadline: p.deadline.clone(),
        donor: DonorAsSent {
            email: p.email.as_str().to_owned(),
            name: p.name.clone(),
            address: p.address.clone(),
            city: p.city.clone(),
            state: p.state.clone(),
            zip: p.zip.clone(),
            employer: p.employer.clone(),
            occupation: p.occupation.clone(),
            attests_eligible: p.attests_eligible,
        },
        ref_code: p.ref_code.clone(),
        joint_event: None,
    }
}

/// A row's idempotency key (see the module's comment): its id, or its
/// pledge and how many identical rows came before it.
fn row_key(p: &PledgeIn, hash: &str, before: usize) -> String {
    let basis = match &p.external_id {
        Some(id) => format!("id\0{id}"),
        None => format!("row\0{hash}\0{before}"),
    };
    format!("csv:{}", hex::encode(Sha256::digest(basis.as_bytes())))
}

/// Every row checked by the intake's validation and against what is in
/// already; the problems, or the rows.
async fn check(
    tx: &mut dyn Tx,
    slate: &SlateRow,
    candidates: &[CandidateRow],
    parsed: &pledges_csv::Parsed,
    today: chrono::NaiveDate,
) -> Result<std::result::Result<Vec<Checked>, Vec<String>>> {
    // Rows that could not be read, and each readable row's intake check.
    let mut problems: Vec<(usize, String)> = parsed
        .problems
        .iter()
        .map(|p| (p.line, p.to_string()))
        .collect();
    let mut rows = Vec::with_capacity(parsed.pledges.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut valid = Vec::with_capacity(parsed.pledges.len());
    for p in &parsed.pledges {
        let input = input_of(p);
        let checked = PledgeRequest::try_from(&input)
            .and_then(|r| validate(&r, slate, candidates, today).map(|v| (r, v)));
        let (request, v) = match checked {
            Ok(v) => v,
            Err(e) => {
                problems.push((p.line, problem(parsed, p.line, e)));
                continue;
            }
        };
        let hash = request.request_hash.clone();
        let before = seen.entry(hash.clone()).or_default();
        let key = row_key(p, &hash, *before);
        *before += 1;
        valid.push((p, input, request, v, key));
    }
    // Every row's key looked up together: one statement per few thousand
    // rows, not one a row.
    let keys: Vec<String> = valid
        .iter()
        .map(|(.., key)| format!("{}:{key}", slate.id))
        .collect();
    let held: HashMap<String, (Id, String)> = tx
        .pledges_by_idempotency_keys(&keys)
        .await?
        .into_iter()
        .map(|(key, id, hash)| (key, (id, hash)))
        .collect();
    for ((p, input, request, v, key), full_key) in valid.into_iter().zip(&keys) {
        let done_before = match held.get(full_key) {
            None => false,
            Some((_, hash)) if *hash == request.request_hash => true,
            Some((id, _)) => {
                problems.push((p.line, format!(
                    "line {}, column '{}': pledge #{id} was imported under this id with other details; \
                     an imported pledge is not edited by importing it again (its pledger can cancel it at their link)",
                    p.line,
                    parsed.header(Field::ExternalId).unwrap_or("id"),
                )));
                continue;
            }
        };
        rows.push(Checked {
            line: p.line,
            request,
            email: input.donor.email,
            name: input.donor.name,
            key,
            done_before,
            kind: v.kind,
            condition: v.condition.to_english(),
        });
    }
    // In line order; on one line, the cells before the row's check.
    problems.sort_by_key(|(line, _)| *line);
    Ok(if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems.into_iter().map(|(_, p)| p).collect())
    })
}

/// The slate, if the actor organizes it, and its candidates.
async fn load(
    engine: &Engine,
    actor: &Actor,
    slug: &str,
) -> Result<(Box<dyn Tx>, SlateRow, Vec<CandidateRow>)> {
    let mut tx = engine.store.read().await?;
    let s = find_slate(tx.as_mut(), slug).await?;
    actor.require_organizer(&s)?;
    let candidates = tx.candidates(s.id).await?;
    Ok((tx, s, candidates))
}

fn refused(problems: &[String]) -> EngineError {
    let mut msg: Vec<String> = problems.iter().take(PROBLEMS_IN_ERROR).cloned().collect();
    if problems.len() > PROBLEMS_IN_ERROR {
        msg.push(format!("and {} more", problems.len() - PROBLEMS_IN_ERROR));
    }
    EngineError::invalid(
        "file",
        format!(
            "the file is refused whole, no pledge was imported: {}",
            msg.join("; ")
        ),
    )
}

impl Engine {
    /// The dry run: nothing is written.
    pub async fn preview_pledge_import(
        &self,
        actor: &Actor,
        slate: &str,
        text: &str,
    ) -> Result<PledgeImportPreview> {
        let (mut tx, s, candidates) = load(self, actor, slate).await?;
        let mut preview = PledgeImportPreview {
            sha256: file_sha256(text),
            ..PledgeImportPreview::default()
        };
        let parsed = match pledges_csv::read_rows(&normalize_newlines(text)) {
            Ok(p) => p,
            Err(problems) => {
                preview.problems = problems.iter().map(ToString::to_string).collect();
                return Ok(preview);
            }
        };
        let unread: std::collections::HashSet<usize> =
            parsed.problems.iter().map(|p| p.line).collect();
        preview.rows = parsed.pledges.len() + unread.len();
        preview.ignored_columns = parsed.ignored.clone();
        let rows = match check(tx.as_mut(), &s, &candidates, &parsed, self.today()).await? {
            Ok(rows) => rows,
            Err(problems) => {
                preview.problems = problems;
                return Ok(preview);
            }
        };
        for r in &rows {
            if r.done_before {
                preview.already_imported += 1;
            } else {
                preview.creates += 1;
                use cohort_core::model::{PledgeKind, Recurrence};
                match &r.kind {
                    PledgeKind::Money {
                        amount,
                        recurring: Recurrence::Monthly,
                    } => preview.monthly_cents += amount.get(),
                    PledgeKind::Money { amount, .. } => preview.once_cents += amount.get(),
                    PledgeKind::Hours { hours_per_week, .. } => {
                        preview.hours_per_week += i64::from(*hours_per_week)
                    }
                    PledgeKind::Actions(_) => preview.actions += 1,
                }
            }
            if preview.sample.len() < PREVIEW_ROWS {
                preview.sample.push(PledgePreviewRow {
                    line: r.line,
                    email: r.email.clone(),
                    name: r.name.clone(),
                    pledge: r.kind.describe(),
                    condition: r.condition.clone(),
                    action: if r.done_before {
                        "already imported"
                    } else {
                        "create"
                    },
                });
            }
        }
        Ok(preview)
    }

    /// Import a file of pledges the organizer previewed (`sha256` names it;
    /// `None` only where the caller previewed it itself, as the CLI does).
    /// Every row is checked again first (any problem refuses the file
    /// whole), then the pledges go through the intake in batches;
    /// `progress(done, total)` is told after each.
    pub async fn import_pledges(
        &self,
        actor: &Actor,
        slate: &str,
        text: &str,
        sha256: Option<&str>,
        progress: &(dyn Fn(usize, usize) + Send + Sync),
    ) -> Result<PledgeImportDone> {
        if let Some(h) = sha256 {
            check_sha256(text, h)?;
        }
        let (parsed, rows) = self.checked(actor, slate, text).await?;
        self.write_rows(slate, &parsed, rows, progress, None).await
    }

    /// A file read and every row checked (the import's first step), or the
    /// whole file refused.
    pub(crate) async fn checked(
        &self,
        actor: &Actor,
        slate: &str,
        text: &str,
    ) -> Result<(pledges_csv::Parsed, Vec<Checked>)> {
        let (mut tx, s, candidates) = load(self, actor, slate).await?;
        let parsed = pledges_csv::read_rows(&normalize_newlines(text)).map_err(|problems| {
            refused(&problems.iter().map(ToString::to_string).collect::<Vec<_>>())
        })?;
        let rows = check(tx.as_mut(), &s, &candidates, &parsed, self.today())
            .await?
            .map_err(|p| refused(&p))?;
        Ok((parsed, rows))
    }

    /// Checked rows through the intake in batches; after each, `progress`
    /// is told, and `job`'s count is written.
    pub(crate) async fn write_rows(
        &self,
        slate: &str,
        parsed: &pledges_csv::Parsed,
        rows: Vec<Checked>,
        progress: &(dyn Fn(usize, usize) + Send + Sync),
        job: Option<cohort_store::Id>,
    ) -> Result<PledgeImportDone> {
        let total = rows.len();
        let mut done = PledgeImportDone {
            rows: total,
            ..PledgeImportDone::default()
        };
        let mut written = 0;
        let mut rows = rows.into_iter().peekable();
        if total == 0 {
            progress(0, 0);
        }
        while rows.peek().is_some() {
            let chunk: Vec<Checked> = rows.by_ref().take(CHUNK).collect();
            let n = chunk.len();
            // A row the check found in already needs no trip through the
            // intake (a pledge, once in, stays in); the intake would answer
            // the same by its key, one statement each.
            let (before, chunk): (Vec<_>, Vec<_>) = chunk.into_iter().partition(|r| r.done_before);
            done.already_imported += before.len();
            let lines: Vec<usize> = chunk.iter().map(|r| r.line).collect();
            let items: Vec<_> = chunk.into_iter().map(|r| (r.request, r.key)).collect();
            let answers = if items.is_empty() {
                Vec::new()
            } else {
                self.pledge_imported(slate, items).await
            };
            for (line, a) in lines.into_iter().zip(answers) {
                match a {
                    Ok(o) if o.created => done.created += 1,
                    Ok(_) => done.already_imported += 1,
                    Err(e) => done.failed.push(problem(parsed, line, e)),
                }
            }
            written += n;
            progress(written, total);
            if let Some(id) = job {
                let mut tx = self.store.write().await?;
                tx.set_import_progress(id, written as i64, self.now())
                    .await?;
                tx.commit().await?;
            }
        }
        Ok(done)
    }
}
