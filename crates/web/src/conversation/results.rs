//! The public results page: the opinion map, each group's representative
//! statements, what every group agrees on, and the bridging scores.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use cohort_engine::conversation::{group_letter, ConversationResult, ResultsView, StatementView};
use cohort_engine::Engine;

use super::map::Map;
use crate::extract::ApiPath;
use crate::pages::{html, PageError};
use crate::session::Viewer;

/// A statement with its support in words.
struct SupportLine {
    body: String,
    /// "87% of group A and 79% of group B agree".
    sentence: String,
    /// Per group: (letter, class, percent agreeing) for the small bars.
    bars: Vec<(String, String, u32)>,
}

struct GroupCard {
    letter: String,
    class: String,
    size: usize,
    lines: Vec<RepLine>,
}

struct RepLine {
    body: String,
    agree: bool,
    /// "78% of group A agree, against 20% of everyone else".
    sentence: String,
}

#[derive(Template)]
#[template(path = "conversation_results.html")]
struct ResultsPage {
    v: ResultsView,
    updated: String,
    participants: usize,
    map: Option<Map>,
    common: Vec<SupportLine>,
    agree: Vec<SupportLine>,
    disagree: Vec<SupportLine>,
    groups: Vec<GroupCard>,
    /// Statements whose agreement across the divide reaches two thirds even
    /// at the low end of its range.
    bridges: Vec<ScoreLine>,
    /// Every scored statement with both measures.
    scores: Vec<ScoreLine>,
}

/// A statement with its two measures in words.
struct ScoreLine {
    body: String,
    /// "Group-informed consensus 42%", or empty.
    consensus: String,
    /// "71% across the divide (64–78%)", or empty.
    bridge: String,
    bridges: bool,
}

fn score_line(
    r: &ConversationResult,
    texts: &BTreeMap<i64, StatementView>,
    id: i64,
) -> Option<ScoreLine> {
    let t = texts.get(&id)?;
    let b = r.bridge(id);
    Some(ScoreLine {
        body: t.body.clone(),
        consensus: r
            .group_consensus_of(id)
            .map(|g| format!("group-informed consensus {}%", (g * 100.0).round() as i64))
            .unwrap_or_default(),
        bridge: b.map(|b| b.sentence()).unwrap_or_default(),
        bridges: b.is_some_and(|b| b.bridges),
    })
}

fn support_line(
    r: &ConversationResult,
    texts: &BTreeMap<i64, StatementView>,
    id: i64,
    disagree: bool,
) -> Option<SupportLine> {
    let t = texts.get(&id)?;
    let tally = r.tally(id)?;
    let sentence = if disagree {
        if tally.groups.is_empty() {
            format!("{}% disagree", tally.overall.disagree_pct())
        } else {
            let parts: Vec<String> = tally
                .groups
                .iter()
                .enumerate()
                .map(|(i, g)| format!("{}% of group {}", g.disagree_pct(), group_letter(i)))
                .collect();
            format!("{} disagree", join_and(&parts))
        }
    } else {
        r.support_sentence(id)?
    };
    Some(SupportLine {
        body: t.body.clone(),
        sentence,
        bars: tally
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| {
                (
                    group_letter(i),
                    format!("g{}", i % 5),
                    if disagree {
                        g.disagree_pct()
                    } else {
                        g.agree_pct()
                    },
                )
            })
            .collect(),
    })
}

fn join_and(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

pub(super) async fn results(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
) -> Result<Response, PageError> {
    let you = viewer.actor.account().map(|a| a.user.id);
    let v = engine.conversation_results_for(&slug, you).await?;
    let mut page = ResultsPage {
        updated: v
            .computed_at
            .map(|t| t.format("%B %-d, %Y at %H:%M UTC").to_string())
            .unwrap_or_default(),
        participants: 0,
        map: None,
        common: Vec::new(),
        agree: Vec::new(),
        disagree: Vec::new(),
        groups: Vec::new(),
        bridges: Vec::new(),
        scores: Vec::new(),
        v,
    };
    if let Some(r) = &page.v.result {
        let texts = &page.v.statements;
        page.participants = r.participants;
        page.map = Some(Map::new(r, texts, you));
        // Group-informed consensus: statements every group leans toward.
        page.common = r
            .group_consensus
            .iter()
            .filter_map(|(id, _)| support_line(r, texts, *id, false))
            .filter(|l| l.bars.len() > 1 && l.bars.iter().all(|b| b.2 >= 50))
            .take(5)
            .collect();
        page.bridges = r
            .bridging
            .iter()
            .filter(|b| b.bridges)
            .filter_map(|b| score_line(r, texts, b.statement))
            .collect();
        page.scores = r
            .bridging
            .iter()
            .filter_map(|b| score_line(r, texts, b.statement))
            .collect();
        page.agree = r
            .consensus_agree
            .iter()
            .filter_map(|id| support_line(r, texts, *id, false))
            .collect();
        page.disagree = r
            .consensus_disagree
            .iter()
            .filter_map(|id| support_line(r, texts, *id, true))
            .collect();
        page.groups = r
            .groups
            .iter()
            .enumerate()
            .map(|(gi, g)| GroupCard {
                letter: group_letter(gi),
                class: format!("g{}", gi % 5),
                size: g.size,
                lines: g
                    .repness
                    .iter()
                    .filter_map(|rep| {
                        let t = texts.get(&rep.statement)?;
                        let tally = r.tally(rep.statement)?;
                        let mine = tally.groups.get(gi)?;
                        let (own, rest) = if rep.agree {
                            (
                                mine.agree_pct(),
                                rest_pct(
                                    tally.overall.agree,
                                    mine.agree,
                                    tally.overall.seen,
                                    mine.seen,
                                ),
                            )
                        } else {
                            (
                                mine.disagree_pct(),
                                rest_pct(
                                    tally.overall.disagree,
                                    mine.disagree,
                                    tally.overall.seen,
                                    mine.seen,
                                ),
                            )
                        };
                        let verb = if rep.agree { "agree" } else { "disagree" };
                        Some(RepLine {
                            body: t.body.clone(),
                            agree: rep.agree,
                            sentence: format!(
                                "{own}% of group {} {verb}, against {rest}% of everyone else",
                                group_letter(gi)
                            ),
                        })
                    })
                    .collect(),
            })
            .collect();
    }
    Ok(html(StatusCode::OK, &page))
}

fn rest_pct(all: u32, mine: u32, all_seen: u32, mine_seen: u32) -> u32 {
    let seen = all_seen.saturating_sub(mine_seen);
    if seen == 0 {
        0
    } else {
        ((f64::from(all.saturating_sub(mine)) * 100.0 / f64::from(seen)).round() as u32).min(100)
    }
}
