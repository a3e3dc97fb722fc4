//! Anti-brigading on the organizers' moderation page (issue 20): the bursts
//! the latest results flagged, in words, with a control to down-weight one,
//! and the record of every down-weighting decision.

use std::collections::HashMap;

use axum::extract::State;
use axum::response::Response;
use cohort_engine::conversation::{BurstsView, StatementView};
use cohort_engine::Engine;
use serde::Deserialize;

use super::moderate::moderate_page_for;
use crate::app::after_form;
use crate::extract::ApiPath;
use crate::pages::PageError;
use crate::session::{CsrfForm, Viewer};

/// A flagged burst, said for the page.
pub(super) struct BurstLine {
    pub key: String,
    /// "25 participants (38% of everyone who voted) arrived between …".
    pub sentence: String,
    /// "They all agreed with “…”".
    pub as_one: Vec<String>,
    pub downweighted: bool,
}

/// A down-weighting decision, said for the page.
pub(super) struct DecisionLine {
    pub sentence: String,
}

fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%B %-d, %Y at %H:%M UTC").to_string()
}

pub(super) fn lines(
    v: &BurstsView,
    statements: &[StatementView],
) -> (Vec<BurstLine>, Vec<DecisionLine>) {
    let text: HashMap<i64, &str> = statements.iter().map(|s| (s.id, s.body.as_str())).collect();
    let bursts = v
        .bursts
        .iter()
        .map(|b| {
            let pct = |x: f64| (x.clamp(0.0, 1.0) * 100.0).round() as i64;
            let n = b.participants.len();
            BurstLine {
                key: b.key.clone(),
                sentence: format!(
                    "{n} participants ({}% of everyone who voted) arrived between {} and {} and voted alike: {}% of their votes match the burst's most common vote on each statement.",
                    pct(b.share),
                    when(b.from_time()),
                    when(b.until_time()),
                    pct(b.alike)
                ),
                as_one: b
                    .as_one
                    .iter()
                    .filter_map(|(s, vote)| {
                        let body = text.get(s)?;
                        let verb = match vote {
                            1 => "agreed with",
                            -1 => "disagreed with",
                            _ => "passed on",
                        };
                        Some(format!("They all {verb} “{body}”"))
                    })
                    .collect(),
                downweighted: b.is_downweighted(),
            }
        })
        .collect();
    let decisions = v
        .decisions
        .iter()
        .map(|d| DecisionLine {
            sentence: format!(
                "{} down-weighted {} participants who arrived between {} and {}, on {}.",
                d.decided_by,
                d.participants,
                when(d.burst_from),
                when(d.burst_until),
                when(d.decided_at)
            ),
        })
        .collect();
    (bursts, decisions)
}

#[derive(Debug, Deserialize)]
pub(super) struct DownweightForm {
    burst: String,
}

/// An organizer down-weights a flagged burst.
pub(super) async fn downweight(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    CsrfForm(form): CsrfForm<DownweightForm>,
) -> Result<Response, PageError> {
    let done = engine
        .downweight_burst(&viewer.actor, &slug, &form.burst)
        .await;
    after_form(
        done,
        &format!("/slates/{slug}/conversation/moderate?notice=downweighted"),
        |problem| moderate_page_for(&engine, &viewer, &slug, None, Some(problem)),
    )
    .await
}
