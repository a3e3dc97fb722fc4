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
    /// "25 participants (38% of everyone who voted) arrived on … between …".
    pub sentence: String,
    /// "They all agreed with “…”".
    pub as_one: Vec<String>,
    pub downweighted: bool,
    /// Down-weighted since the shown results: its votes leave the bridging
    /// scores at the next update.
    pub awaiting: bool,
}

/// A down-weighting decision, said for the page.
pub(super) struct DecisionLine {
    pub sentence: String,
}

fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%B %-d, %Y at %H:%M UTC").to_string()
}

/// "on November 25, 2026 between 00:00 and 00:02 UTC", or "between" two
/// full times when the burst spans midnight.
fn span(from: chrono::DateTime<chrono::Utc>, until: chrono::DateTime<chrono::Utc>) -> String {
    if from.date_naive() == until.date_naive() {
        format!(
            "on {} between {} and {} UTC",
            from.format("%B %-d, %Y"),
            from.format("%H:%M"),
            until.format("%H:%M")
        )
    } else {
        format!("between {} and {}", when(from), when(until))
    }
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
                    "{n} participants ({}% of everyone who voted) arrived {} and voted alike: {}% of their votes match the burst's most common vote on each statement.",
                    pct(b.share),
                    span(b.from_time(), b.until_time()),
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
                awaiting: b.awaiting > 0,
            }
        })
        .collect();
    let decisions = v
        .decisions
        .iter()
        .map(|d| DecisionLine {
            sentence: format!(
                "{} down-weighted {} participants who arrived {}, on {}.",
                d.decided_by,
                d.participants,
                span(d.burst_from, d.burst_until),
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

#[cfg(test)]
mod tests {
    use super::span;
    use chrono::TimeZone;

    #[test]
    fn a_burst_within_a_day_names_the_day_once() {
        let t = |d, h, m| chrono::Utc.with_ymd_and_hms(2026, 11, d, h, m, 0).unwrap();
        assert_eq!(
            span(t(25, 0, 0), t(25, 0, 2)),
            "on November 25, 2026 between 00:00 and 00:02 UTC"
        );
        assert_eq!(
            span(t(25, 23, 50), t(26, 0, 10)),
            "between November 25, 2026 at 23:50 UTC and November 26, 2026 at 00:10 UTC"
        );
    }
}
