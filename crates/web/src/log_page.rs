//! `/slates/{slug}/log`: the slate's public log, readable (issue 16).
//! Signatures with the compact's hash, withdrawals shown as withdrawals,
//! endorsements, compact versions, and unlocks in aggregate (how many
//! pledges, never how much; the unlocked total every ten money pledges),
//! a page of entries at a time.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use cohort_core::SlateEventKind;
use cohort_engine::Engine;
use serde::Deserialize;
use serde_json::Value;

use crate::extract::ApiPath;
use crate::pages::{html, PageError};

/// Lines a page shows.
const PAGE: usize = 100;
/// Events read for a page: runs of pledges fold into one line, so a page
/// of lines may cover many more events than lines.
const PAGE_EVENTS: i64 = 2_000;

pub(crate) fn routes() -> Router<Engine> {
    Router::new().route("/slates/{slug}/log", get(log_page))
}

pub(crate) struct Entry {
    pub seq: i64,
    /// The last entry a folded run covers (`seq..=last_seq`).
    pub last_seq: Option<i64>,
    pub at: String,
    pub kind: &'static str,
    pub text: String,
    pub hash: Option<String>,
}

#[derive(Template)]
#[template(path = "log.html")]
struct LogPage {
    slug: String,
    slate_name: String,
    entries: Vec<Entry>,
    next: Option<i64>,
}

#[derive(Debug, Deserialize)]
struct LogQuery {
    #[serde(default)]
    after: i64,
}

fn short(hash: &str) -> String {
    hash.chars().take(12).collect()
}

/// One event as a sentence; `names` maps candidate slugs to names.
pub(crate) fn describe(
    kind: SlateEventKind,
    payload: &Value,
    names: &HashMap<String, String>,
) -> Entry {
    let s = |key: &str| payload[key].as_str().unwrap_or("").to_owned();
    let who = |key: &str| {
        let slug = s(key);
        names.get(&slug).cloned().unwrap_or(slug)
    };
    let n = |key: &str| payload[key].as_i64().unwrap_or(0);
    let hash = payload["hash"].as_str().map(short);
    use SlateEventKind::*;
    let (class, text) = match kind {
        Signed => (
            "signed",
            format!(
                "{} signed version {} of the compact",
                who("candidate"),
                n("version")
            ),
        ),
        Withdrew => (
            "withdrew",
            format!("{} withdrew their signature", who("candidate")),
        ),
        Endorsed => (
            "endorsed",
            format!("{} endorsed {}", who("from"), who("to")),
        ),
        Unendorsed => (
            "withdrew",
            format!(
                "{} withdrew their endorsement of {}",
                who("from"),
                who("to")
            ),
        ),
        CompactPublished => (
            "compact",
            format!("Version {} of the compact was published", n("version")),
        ),
        Unlock => {
            let p = n("pledges");
            (
                "unlock",
                format!(
                    "{p} pledge{} unlocked, with {} signer{}",
                    if p == 1 { "" } else { "s" },
                    n("signers"),
                    if n("signers") == 1 { "" } else { "s" }
                ),
            )
        }
        UnlockedTotal => (
            "unlock",
            format!(
                "Unlocked so far: {} (published once {} more money pledge{} had moved it)",
                cohort_core::Cents(n("unlocked_cents")),
                n("pledges"),
                if n("pledges") == 1 { "" } else { "s" }
            ),
        ),
        SlateCreated => ("other", "The slate was created".to_owned()),
        // Pledges appear as events only, never with an amount or a name.
        Pledged => ("other", "A pledge was made".to_owned()),
        Cancelled => ("other", "A pledge was cancelled".to_owned()),
        Expire => (
            "other",
            "Pledges reached their deadline and expired".to_owned(),
        ),
        CandidateAdded => (
            "other",
            format!(
                "{} joined the slate",
                payload["name"]
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| who("candidate"))
            ),
        ),
        PrimaryLost => ("withdrew", format!("{} lost the primary", who("candidate"))),
        CommitteeSet => {
            let fec = s("fec_committee_id");
            (
                "other",
                format!(
                    "The campaign committee of {}: {}{}",
                    who("candidate"),
                    s("committee"),
                    if fec.is_empty() {
                        String::new()
                    } else {
                        format!(", FEC {fec}")
                    }
                ),
            )
        }
        other => ("other", other.as_str().replace('_', " ")),
    };
    Entry {
        seq: 0,
        last_seq: None,
        at: String::new(),
        kind: class,
        text,
        hash,
    }
}

/// Consecutive entries of a kind that says nothing one by one (pledges,
/// cancellations: no name, no amount) as one line over their range.
pub(crate) fn fold_runs(entries: Vec<Entry>) -> Vec<Entry> {
    const FOLDED: [(&str, &str); 2] = [
        ("A pledge was made", "pledges were made"),
        ("A pledge was cancelled", "pledges were cancelled"),
    ];
    let folds = |text: &str| {
        FOLDED
            .iter()
            .find(|(one, _)| *one == text)
            .map(|(_, many)| *many)
    };
    let mut out: Vec<(Entry, usize)> = Vec::with_capacity(entries.len());
    for e in entries {
        if let Some((last, n)) = out.last_mut() {
            if last.text == e.text && folds(&e.text).is_some() {
                *n += 1;
                last.last_seq = Some(e.seq);
                continue;
            }
        }
        out.push((e, 1));
    }
    out.into_iter()
        .map(|(mut e, n)| {
            if n > 1 {
                if let Some(many) = folds(&e.text) {
                    e.text = format!("{n} {many}");
                }
            }
            e
        })
        .collect()
}

async fn log_page(
    State(engine): State<Engine>,
    ApiPath(slug): ApiPath<String>,
    Query(q): Query<LogQuery>,
) -> Result<Response, PageError> {
    let slate = engine.slate_view(&slug).await?;
    let names: HashMap<String, String> = slate
        .candidates
        .iter()
        .map(|c| (c.slug.clone(), c.name.clone()))
        .collect();
    let rows = engine
        .events(&slug, q.after.max(0), PAGE_EVENTS + 1)
        .await?;
    let read_all = rows.len() as i64 <= PAGE_EVENTS;
    let mut entries = fold_runs(
        rows.iter()
            .take(PAGE_EVENTS as usize)
            .map(|r| {
                let payload: Value = serde_json::from_str(&r.payload).unwrap_or(Value::Null);
                Entry {
                    seq: r.seq,
                    at: r.at.format("%Y-%m-%d %H:%M UTC").to_string(),
                    ..describe(r.kind, &payload, &names)
                }
            })
            .collect(),
    );
    let more = !read_all || entries.len() > PAGE;
    entries.truncate(PAGE);
    let next = if more {
        entries.last().map(|e| e.last_seq.unwrap_or(e.seq))
    } else {
        None
    };
    Ok(html(
        StatusCode::OK,
        &LogPage {
            slug: slate.slug.clone(),
            slate_name: slate.name.clone(),
            entries,
            next,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn withdrawals_read_as_withdrawals_and_unlocks_as_counts() {
        let names: HashMap<String, String> = [("ada".to_owned(), "Ada Reyes".to_owned())]
            .into_iter()
            .collect();
        let e = describe(
            SlateEventKind::Withdrew,
            &json!({"candidate": "ada"}),
            &names,
        );
        assert_eq!(
            (e.kind, e.text.as_str()),
            ("withdrew", "Ada Reyes withdrew their signature")
        );
        let e = describe(
            SlateEventKind::Signed,
            &json!({"candidate": "ada", "version": 2, "hash": "abcdef0123456789abcdef"}),
            &names,
        );
        assert_eq!(e.text, "Ada Reyes signed version 2 of the compact");
        assert_eq!(e.hash.as_deref(), Some("abcdef012345"));
        let e = describe(
            SlateEventKind::Unlock,
            &json!({"pledges": 3, "signers": 1}),
            &names,
        );
        assert_eq!(e.text, "3 pledges unlocked, with 1 signer");
        let e = describe(
            SlateEventKind::UnlockedTotal,
            &json!({"unlocked_cents": 1234500, "pledges": 10}),
            &names,
        );
        assert_eq!(
            e.text,
            "Unlocked so far: $12,345 (published once 10 more money pledges had moved it)"
        );
    }

    /// The demo's log read "A pledge was made" four hundred times and
    /// "committee set" eight times without saying whose.
    #[test]
    fn runs_of_pledges_fold_into_one_line_and_committees_say_whose() {
        let names: HashMap<String, String> = [("ada".to_owned(), "Ada Reyes".to_owned())]
            .into_iter()
            .collect();
        let e = describe(
            SlateEventKind::CommitteeSet,
            &json!({"candidate": "ada", "committee": "Ada for Congress", "fec_committee_id": "C00123456"}),
            &names,
        );
        assert_eq!(
            e.text,
            "The campaign committee of Ada Reyes: Ada for Congress, FEC C00123456"
        );
        let entry = |seq: i64, kind: SlateEventKind| Entry {
            seq,
            at: "2026-12-06 13:45 UTC".into(),
            ..describe(kind, &json!({"candidate": "ada"}), &names)
        };
        let folded = fold_runs(vec![
            entry(1, SlateEventKind::SlateCreated),
            entry(2, SlateEventKind::Pledged),
            entry(3, SlateEventKind::Pledged),
            entry(4, SlateEventKind::Pledged),
            entry(5, SlateEventKind::Withdrew),
            entry(6, SlateEventKind::Pledged),
        ]);
        let lines: Vec<(i64, Option<i64>, &str)> = folded
            .iter()
            .map(|e| (e.seq, e.last_seq, e.text.as_str()))
            .collect();
        assert_eq!(
            lines,
            vec![
                (1, None, "The slate was created"),
                (2, Some(4), "3 pledges were made"),
                (5, None, "Ada Reyes withdrew their signature"),
                (6, None, "A pledge was made"),
            ]
        );
    }
}
