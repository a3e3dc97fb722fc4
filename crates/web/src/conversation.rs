//! A slate's conversation as pages: vote one statement at a time, add a
//! statement, see where you stand; the public results (the opinion map as
//! SVG, each group's representative statements, what every group agrees on);
//! and the organizers' moderation page (seed, approve, reject, adopt as a
//! plank). Every form goes through [`CsrfForm`]; the engine checks every role.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use cohort_engine::conversation::{
    group_letter, ConversationResult, Participation, ResultsView, StatementView, Vote,
    STATEMENT_MAX,
};
use cohort_engine::Engine;
use serde::Deserialize;

use crate::app::{after_form, fixable, see_other, sign_in_first};
use crate::extract::ApiPath;
use crate::pages::{html, PageError};
use crate::session::{CsrfForm, Viewer};

const CSS: &str = include_str!("../static/conversation.css");

/// The conversation's pages; merged into the page router (CSRF cookie layer).
pub(crate) fn routes() -> Router<Engine> {
    Router::new()
        .route("/slates/{slug}/conversation", get(participate))
        .route("/slates/{slug}/conversation/vote", post(vote))
        .route("/slates/{slug}/conversation/statements", post(add))
        .route("/slates/{slug}/conversation/results", get(results))
        .route("/slates/{slug}/conversation/moderate", get(moderate_page))
        .route("/slates/{slug}/conversation/moderate", post(moderate))
        .route("/slates/{slug}/conversation/seed", post(seed))
        .route("/slates/{slug}/conversation/adopt", post(adopt))
        .route("/static/conversation.css", get(stylesheet))
}

async fn stylesheet() -> Response {
    crate::pages::asset("text/css; charset=utf-8", CSS)
}

// ---------------------------------------------------------------- the map

/// One participant's dot.
struct Dot {
    x: i64,
    y: i64,
    /// CSS class: `g0`…`g4`, or `g-none`.
    class: String,
    you: bool,
}

/// One statement's marker.
struct Marker {
    x: i64,
    y: i64,
    label: String,
    title: String,
    body: String,
}

struct GroupLabel {
    x: i64,
    y: i64,
    letter: String,
    class: String,
}

/// The opinion map, laid out for a square SVG.
struct Map {
    dots: Vec<Dot>,
    markers: Vec<Marker>,
    labels: Vec<GroupLabel>,
    summary: String,
    you: Option<(i64, i64)>,
}

const SIZE: f64 = 400.0;
/// Most participant dots drawn.
const MAX_DOTS: usize = 2_000;
const PAD: f64 = 24.0;

impl Map {
    fn new(r: &ConversationResult, texts: &BTreeMap<i64, StatementView>, you: Option<i64>) -> Map {
        let xs = r
            .points
            .iter()
            .map(|p| (p.x, p.y))
            .chain(r.statement_points.iter().map(|s| (s.x, s.y)));
        let extent = xs
            .fold(0.0f64, |m, (x, y)| m.max(x.abs()).max(y.abs()))
            .max(1e-9);
        let scale = (SIZE / 2.0 - PAD) / extent;
        let place = |x: f64, y: f64| {
            (
                (SIZE / 2.0 + x * scale).round() as i64,
                (SIZE / 2.0 - y * scale).round() as i64,
            )
        };
        let dots: Vec<Dot> = r
            .points
            .iter()
            .map(|p| {
                let (x, y) = place(p.x, p.y);
                Dot {
                    x,
                    y,
                    class: p
                        .group
                        .map_or_else(|| "g-none".to_owned(), |g| format!("g{}", g % 5)),
                    you: Some(p.participant) == you,
                }
            })
            .collect();
        let markers = r
            .statement_points
            .iter()
            .filter_map(|s| {
                let t = texts.get(&s.statement)?;
                let (x, y) = place(s.x, s.y);
                Some(Marker {
                    x,
                    y,
                    label: s.statement.to_string(),
                    title: format!("Statement {}: {}", s.statement, t.body),
                    body: t.body.clone(),
                })
            })
            .collect();
        let labels = r
            .groups
            .iter()
            .enumerate()
            .filter_map(|(gi, g)| {
                let pts: Vec<&Dot> = r
                    .points
                    .iter()
                    .zip(&dots)
                    .filter(|(p, _)| p.group == Some(gi))
                    .map(|(_, d)| d)
                    .collect();
                if pts.is_empty() || g.participants.is_empty() {
                    return None;
                }
                let n = pts.len() as i64;
                Some(GroupLabel {
                    x: pts.iter().map(|d| d.x).sum::<i64>() / n,
                    y: pts.iter().map(|d| d.y).sum::<i64>() / n,
                    letter: group_letter(gi),
                    class: format!("g{}", gi % 5),
                })
            })
            .collect();
        let groups: Vec<String> = r
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| {
                format!(
                    "group {} ({} {})",
                    group_letter(i),
                    g.participants.len(),
                    people(g.participants.len())
                )
            })
            .collect();
        let summary = if groups.is_empty() {
            format!(
                "{} {} placed on the map; not enough votes yet to find opinion groups.",
                r.in_conversation,
                people(r.in_conversation)
            )
        } else {
            format!(
                "{} {} placed on the map in {} opinion groups: {}. People close together voted alike; numbered diamonds are statements, placed where someone who agreed with only that statement would be.",
                r.in_conversation,
                people(r.in_conversation),
                groups.len(),
                groups.join(", ")
            )
        };
        let you = dots.iter().find(|d| d.you).map(|d| (d.x, d.y));
        // A page stays light however many take part: at most about MAX_DOTS
        // dots, an even sample, and always yours (the summary and the group
        // sizes count everyone).
        let step = dots.len().div_ceil(MAX_DOTS).max(1);
        let dots = dots
            .into_iter()
            .enumerate()
            .filter(|(i, d)| i % step == 0 || d.you)
            .map(|(_, d)| d)
            .collect();
        Map {
            dots,
            markers,
            labels,
            summary,
            you,
        }
    }
}

fn people(n: usize) -> &'static str {
    if n == 1 {
        "person"
    } else {
        "people"
    }
}

// ---------------------------------------------------------------- participate

#[derive(Template)]
#[template(path = "conversation.html")]
struct ParticipatePage {
    csrf: String,
    p: Participation,
    notice: Option<String>,
    problem: Option<String>,
    draft: String,
    map: Option<Map>,
    max: usize,
}

#[derive(Debug, Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn participate(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let notice = q.notice.as_deref().and_then(|n| match n {
        "voted" => Some("Vote saved.".to_owned()),
        "added" => Some(
            "Thank you. An organizer will review your statement before others see it.".to_owned(),
        ),
        "published" => Some("Your statement is in the conversation.".to_owned()),
        _ => None,
    });
    participate_page(&engine, &viewer, &slug, notice, None, String::new()).await
}

async fn participate_page(
    engine: &Engine,
    viewer: &Viewer,
    slug: &str,
    notice: Option<String>,
    problem: Option<String>,
    draft: String,
) -> Result<Response, PageError> {
    if viewer.actor.account().is_none() {
        return Ok(sign_in_first(&format!("/slates/{slug}/conversation")));
    }
    let p = engine.participation(&viewer.actor, slug).await?;
    let map = if p.position.is_some() {
        let r = engine.conversation_results(slug).await?;
        let you = viewer.actor.account().map(|a| a.user.id);
        r.result
            .as_ref()
            .map(|res| Map::new(res, &r.statements, you))
    } else {
        None
    };
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(html(
        status,
        &ParticipatePage {
            csrf: viewer.csrf.clone(),
            p,
            notice,
            problem,
            draft,
            map,
            max: STATEMENT_MAX,
        },
    ))
}

#[derive(Debug, Deserialize)]
struct VoteForm {
    statement: i64,
    vote: String,
}

async fn vote(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    CsrfForm(form): CsrfForm<VoteForm>,
) -> Result<Response, PageError> {
    let result = match Vote::parse(&form.vote) {
        Ok(v) => engine.vote(&viewer.actor, &slug, form.statement, v).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(see_other(
            &format!("/slates/{slug}/conversation?notice=voted"),
            None,
        )),
        Err(e) => {
            let problem = fixable(e)?;
            participate_page(&engine, &viewer, &slug, None, Some(problem), String::new()).await
        }
    }
}

#[derive(Debug, Deserialize)]
struct StatementForm {
    statement: String,
}

async fn add(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    CsrfForm(form): CsrfForm<StatementForm>,
) -> Result<Response, PageError> {
    match engine
        .add_statement(&viewer.actor, &slug, &form.statement)
        .await
    {
        Ok(s) => {
            let notice = if s.status == "approved" {
                "published"
            } else {
                "added"
            };
            Ok(see_other(
                &format!("/slates/{slug}/conversation?notice={notice}"),
                None,
            ))
        }
        Err(e) => {
            let problem = fixable(e)?;
            participate_page(&engine, &viewer, &slug, None, Some(problem), form.statement).await
        }
    }
}

// ---------------------------------------------------------------- results

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

async fn results(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
) -> Result<Response, PageError> {
    let v = engine.conversation_results(&slug).await?;
    let you = viewer.actor.account().map(|a| a.user.id);
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
                size: g.participants.len(),
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

// ---------------------------------------------------------------- moderation

struct ModLine {
    s: StatementView,
    support: Option<String>,
    /// Its agreement across the divide, and whether that makes it a
    /// candidate plank.
    bridge: Option<String>,
    bridges: bool,
}

#[derive(Template)]
#[template(path = "conversation_moderate.html")]
struct ModeratePage {
    csrf: String,
    slug: String,
    slate_name: String,
    notice: Option<String>,
    problem: Option<String>,
    pending: Vec<ModLine>,
    approved: Vec<ModLine>,
    rejected: Vec<ModLine>,
    updated: String,
    max: usize,
}

async fn moderate_page(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let notice = q.notice.as_deref().and_then(|n| match n {
        "seeded" => Some("Statement added to the conversation.".to_owned()),
        "approved" => Some("Approved: voters will see it.".to_owned()),
        "rejected" => {
            Some("Moderated out: voters won't see it and it no longer counts.".to_owned())
        }
        "adopted" => Some("Adopted as a plank: a new compact version is published.".to_owned()),
        _ => None,
    });
    moderate_page_for(&engine, &viewer, &slug, notice, None).await
}

async fn moderate_page_for(
    engine: &Engine,
    viewer: &Viewer,
    slug: &str,
    notice: Option<String>,
    problem: Option<String>,
) -> Result<Response, PageError> {
    if viewer.actor.account().is_none() {
        return Ok(sign_in_first(&format!(
            "/slates/{slug}/conversation/moderate"
        )));
    }
    let all = engine.conversation_statements(&viewer.actor, slug).await?;
    let results = engine.conversation_results(slug).await?;
    let bridge = |id: i64| results.result.as_ref().and_then(|r| r.bridge(id));
    let line = |s: &StatementView| ModLine {
        support: results
            .result
            .as_ref()
            .and_then(|r| r.support_sentence(s.id)),
        bridge: bridge(s.id).map(|b| b.sentence()),
        bridges: bridge(s.id).is_some_and(|b| b.bridges),
        s: s.clone(),
    };
    let pick = |status: &str| -> Vec<ModLine> {
        all.iter()
            .filter(|s| s.status == status)
            .map(line)
            .collect()
    };
    // The likeliest planks first: by the lower end of their agreement across
    // the divide, then by group-informed consensus.
    let rank = |id: i64| {
        results
            .result
            .as_ref()
            .and_then(|r| r.group_consensus.iter().position(|(s, _)| *s == id))
    };
    let mut approved = pick("approved");
    approved.sort_by(|a, b| {
        let low = |l: &ModLine| bridge(l.s.id).map_or(f64::NEG_INFINITY, |b| b.low);
        low(b)
            .total_cmp(&low(a))
            .then(
                rank(a.s.id)
                    .unwrap_or(usize::MAX)
                    .cmp(&rank(b.s.id).unwrap_or(usize::MAX)),
            )
            .then(a.s.id.cmp(&b.s.id))
    });
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(html(
        status,
        &ModeratePage {
            csrf: viewer.csrf.clone(),
            slug: results.slug.clone(),
            slate_name: results.slate_name.clone(),
            notice,
            problem,
            pending: pick("pending"),
            approved,
            rejected: pick("rejected"),
            updated: results
                .computed_at
                .map(|t| t.format("%B %-d, %Y at %H:%M UTC").to_string())
                .unwrap_or_default(),
            max: STATEMENT_MAX,
        },
    ))
}

#[derive(Debug, Deserialize)]
struct ModerateForm {
    statement: i64,
    decision: String,
}

async fn moderate(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    CsrfForm(form): CsrfForm<ModerateForm>,
) -> Result<Response, PageError> {
    let approve = match form.decision.as_str() {
        "approve" => true,
        "reject" => false,
        other => {
            return Err(crate::error::ApiError::invalid(
                "decision",
                format!("{other:?} is not approve or reject"),
            )
            .into())
        }
    };
    let done = engine
        .moderate_statement(&viewer.actor, &slug, form.statement, approve)
        .await;
    after_form(
        done,
        &format!(
            "/slates/{slug}/conversation/moderate?notice={}",
            if approve { "approved" } else { "rejected" }
        ),
        |problem| moderate_page_for(&engine, &viewer, &slug, None, Some(problem)),
    )
    .await
}

async fn seed(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    CsrfForm(form): CsrfForm<StatementForm>,
) -> Result<Response, PageError> {
    let done = engine
        .seed_statement(&viewer.actor, &slug, &form.statement)
        .await;
    after_form(
        done,
        &format!("/slates/{slug}/conversation/moderate?notice=seeded"),
        |problem| moderate_page_for(&engine, &viewer, &slug, None, Some(problem)),
    )
    .await
}

#[derive(Debug, Deserialize)]
struct AdoptForm {
    statement: i64,
    #[serde(default)]
    title: String,
    why: String,
    /// `yes` once the confirmation page was answered (issue 16).
    #[serde(default)]
    confirm: Option<String>,
}

async fn adopt(
    State(engine): State<Engine>,
    viewer: Viewer,
    ApiPath(slug): ApiPath<String>,
    CsrfForm(form): CsrfForm<AdoptForm>,
) -> Result<Response, PageError> {
    // Ask first; a blank why is refused by the adoption itself below.
    if form.confirm.as_deref() != Some("yes") && !form.why.trim().is_empty() {
        return crate::adopt_confirm::page(
            &engine,
            &viewer,
            &slug,
            form.statement,
            &form.title,
            &form.why,
        )
        .await;
    }
    let done = engine
        .adopt_statement(&viewer.actor, &slug, form.statement, &form.title, &form.why)
        .await;
    after_form(
        done,
        &format!("/slates/{slug}/conversation/moderate?notice=adopted"),
        |problem| moderate_page_for(&engine, &viewer, &slug, None, Some(problem)),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use cohort_engine::conversation::{GroupResult, MapPoint, StatementPoint};

    #[test]
    fn the_map_fits_its_square_and_marks_you() {
        let r = ConversationResult {
            participants: 3,
            in_conversation: 3,
            points: vec![
                MapPoint {
                    participant: 1,
                    x: -3.0,
                    y: 0.5,
                    group: Some(0),
                },
                MapPoint {
                    participant: 2,
                    x: 2.0,
                    y: -1.0,
                    group: Some(1),
                },
                MapPoint {
                    participant: 3,
                    x: 0.0,
                    y: 0.0,
                    group: None,
                },
            ],
            statement_points: vec![
                StatementPoint {
                    statement: 10,
                    x: 0.5,
                    y: 6.0,
                },
                StatementPoint {
                    statement: 11,
                    x: 1.0,
                    y: 1.0,
                },
            ],
            groups: vec![
                GroupResult {
                    id: 0,
                    participants: vec![1],
                    repness: Vec::new(),
                },
                GroupResult {
                    id: 1,
                    participants: vec![2],
                    repness: Vec::new(),
                },
            ],
            consensus_agree: Vec::new(),
            consensus_disagree: Vec::new(),
            group_consensus: Vec::new(),
            tallies: Vec::new(),
            bridging: Vec::new(),
        };
        let mut texts = BTreeMap::new();
        texts.insert(
            10,
            StatementView {
                id: 10,
                body: "Rivers".into(),
                status: "approved",
                seeded: true,
                adopted_version: None,
                adopted_support: None,
            },
        );
        let map = Map::new(&r, &texts, Some(2));
        let inside = |x: i64, y: i64| (0..=400).contains(&x) && (0..=400).contains(&y);
        assert!(map.dots.iter().all(|d| inside(d.x, d.y)));
        assert!(map.markers.iter().all(|m| inside(m.x, m.y)));
        // The farthest point (statement 10, y = 6) touches the padding; up is up.
        assert_eq!((map.markers[0].x, map.markers[0].y), (215, 24));
        assert_eq!(map.markers.len(), 1, "only statements with a shown text");
        assert_eq!(map.you, Some((map.dots[1].x, map.dots[1].y)));
        assert_eq!(map.dots[2].class, "g-none");
        assert_eq!(map.labels.len(), 2);
        assert!(
            map.summary
                .contains("group A (1 person), group B (1 person)"),
            "{}",
            map.summary
        );
    }

    #[test]
    fn a_crowd_is_sampled_but_you_are_always_drawn() {
        let points: Vec<MapPoint> = (0..10_001)
            .map(|i| MapPoint {
                participant: i,
                x: (i % 100) as f64,
                y: (i / 100) as f64,
                group: Some(0),
            })
            .collect();
        let r = ConversationResult {
            participants: points.len(),
            in_conversation: points.len(),
            points,
            statement_points: Vec::new(),
            groups: vec![GroupResult {
                id: 0,
                participants: (0..10_001).collect(),
                repness: Vec::new(),
            }],
            consensus_agree: Vec::new(),
            consensus_disagree: Vec::new(),
            group_consensus: Vec::new(),
            tallies: Vec::new(),
            bridging: Vec::new(),
        };
        let map = Map::new(&r, &BTreeMap::new(), Some(7));
        assert!(map.dots.len() <= MAX_DOTS + 1, "{}", map.dots.len());
        assert!(map.dots.len() > MAX_DOTS / 2);
        assert_eq!(map.dots.iter().filter(|d| d.you).count(), 1);
        assert!(
            map.summary.starts_with("10001 people placed on the map"),
            "{}",
            map.summary
        );
    }
}
