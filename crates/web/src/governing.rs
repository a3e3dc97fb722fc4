//! Governing (issue 17) over HTTP: an organizer sets the member id a
//! candidate holds and tags roll calls with the platform's side; everyone
//! reads the bloc's cohesion and whom to challenge, as JSON and as pages
//! drawn on the server (an SVG chart per member over time with a text
//! equivalent; no JavaScript). The engine decides who may do what.

use std::collections::HashMap;
use std::fmt::Write as _;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch};
use axum::{Json, Router};
use cohort_engine::governing::{
    CohesionReport, MemberIdInput, PlatformVoteInput, PlatformVoteView, TargetsReport,
};
use cohort_engine::Engine;
use serde_json::json;

use crate::api::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, TokenAuth};
use crate::pages::{html, PageError};

/// The routes under `/api`.
pub(crate) fn api_routes() -> Router<Engine> {
    Router::new()
        .route("/slates/{slug}/candidates/{cslug}", patch(set_member_id))
        .route(
            "/slates/{slug}/platform-votes",
            get(list_platform_votes).post(add_platform_vote),
        )
        .route("/slates/{slug}/cohesion", get(api_cohesion))
        .route("/slates/{slug}/targets", get(api_targets))
}

/// The pages.
pub(crate) fn routes() -> Router<Engine> {
    Router::new()
        .route("/slates/{slug}/cohesion", get(cohesion_page))
        .route("/slates/{slug}/targets", get(targets_page))
}

#[utoipa::path(patch, path = "/api/slates/{slug}/candidates/{cslug}", tag = "governing", params(("slug" = String, Path, description = "The slate's slug"), ("cslug" = String, Path, description = "The candidate's slug")), request_body = MemberIdInput, responses((status = 200, description = "The member id", body = cohort_engine::governing::MemberIdView), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security(("bearer" = [])))]
async fn set_member_id(
    State(engine): State<Engine>,
    TokenAuth(actor): TokenAuth,
    ApiPath((slug, cslug)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<MemberIdInput>,
) -> ApiResult<Response> {
    let v = engine.set_member_id(&actor, &slug, &cslug, input).await?;
    Ok(Json(v).into_response())
}

#[utoipa::path(post, path = "/api/slates/{slug}/platform-votes", tag = "governing", params(("slug" = String, Path, description = "The slate's slug")), request_body = PlatformVoteInput, responses((status = 201, description = "The tag", body = PlatformVoteView), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security(("bearer" = [])))]
async fn add_platform_vote(
    State(engine): State<Engine>,
    TokenAuth(actor): TokenAuth,
    ApiPath(slug): ApiPath<String>,
    ApiJson(input): ApiJson<PlatformVoteInput>,
) -> ApiResult<Response> {
    let v = engine.add_platform_vote(&actor, &slug, input).await?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

#[utoipa::path(get, path = "/api/slates/{slug}/platform-votes", tag = "governing", params(("slug" = String, Path, description = "The slate's slug")), responses((status = 200, description = "The tags", body = Vec<PlatformVoteView>), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security((), ("bearer" = [])))]
async fn list_platform_votes(
    State(engine): State<Engine>,
    ApiPath(slug): ApiPath<String>,
) -> ApiResult<Response> {
    Ok(Json(engine.platform_votes(&slug).await?).into_response())
}

fn range(q: &HashMap<String, String>) -> (Option<&str>, Option<&str>) {
    let get = |k: &str| q.get(k).map(String::as_str).filter(|s| !s.is_empty());
    (get("from"), get("to"))
}

/// The contract's answer, plus the slate, the range and the split roll calls.
fn cohesion_json(r: &CohesionReport) -> serde_json::Value {
    json!({
        "slate": r.slate,
        "from": r.from,
        "to": r.to,
        "roll_calls": r.cohesion.roll_calls,
        "rice": r.cohesion.rice,
        "members": r.cohesion.members,
        "splits": r.cohesion.splits,
    })
}

#[utoipa::path(get, path = "/api/slates/{slug}/cohesion", tag = "governing", params(("slug" = String, Path, description = "The slate's slug"), ("from" = Option<String>, Query, description = "First day"), ("to" = Option<String>, Query, description = "Last day")), responses((status = 200, description = "The bloc's cohesion", body = serde_json::Value), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security((), ("bearer" = [])))]
async fn api_cohesion(
    State(engine): State<Engine>,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(q): ApiQuery<HashMap<String, String>>,
) -> ApiResult<Response> {
    let (from, to) = range(&q);
    let r = engine.cohesion(&slug, from, to).await?;
    Ok(Json(cohesion_json(&r)).into_response())
}

fn target_query(q: &HashMap<String, String>) -> (String, String) {
    (
        q.get("chamber").cloned().unwrap_or_else(|| "house".into()),
        q.get("party").cloned().unwrap_or_else(|| "Democrat".into()),
    )
}

#[utoipa::path(get, path = "/api/slates/{slug}/targets", tag = "governing", params(("slug" = String, Path, description = "The slate's slug"), ("chamber" = Option<String>, Query, description = "house or senate"), ("party" = Option<String>, Query, description = "The party")), responses((status = 200, description = "Whom to challenge", body = serde_json::Value), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security((), ("bearer" = [])))]
async fn api_targets(
    State(engine): State<Engine>,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(q): ApiQuery<HashMap<String, String>>,
) -> ApiResult<Response> {
    let (chamber, party) = target_query(&q);
    let r = engine.targets(&slug, &chamber, &party).await?;
    Ok(Json(r).into_response())
}

// ---------------------------------------------------------------- pages

const PALETTE: [&str; 8] = [
    "#1d4f91", "#b7791f", "#2f7d32", "#a4262c", "#6a3d9a", "#00707a", "#8a5a00", "#3b3b3b",
];

fn percent(x: Option<f64>) -> String {
    x.map_or_else(|| "no votes".into(), |x| format!("{:.0}%", x * 100.0))
}

struct MemberLine {
    name: String,
    member_id: String,
    colour: &'static str,
    votes: u32,
    with_bloc: String,
    with_platform: String,
}

struct MonthRow {
    month: String,
    roll_calls: u32,
    rice: String,
    cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "cohesion.html")]
struct CohesionPage {
    r: CohesionReport,
    rice: String,
    members: Vec<MemberLine>,
    chart: String,
    months: Vec<MonthRow>,
    api_href: String,
    from: String,
    to: String,
}

/// Each member's agreement with the bloc per month as one line (0–100%).
fn chart(r: &CohesionReport, members: &[MemberLine]) -> String {
    let n = r.months.len();
    let (w, h, left, top, bottom) = (640.0_f64, 260.0_f64, 44.0, 12.0, 36.0);
    let plot_h = h - top - bottom;
    let x = |i: usize| {
        if n <= 1 {
            left + (w - left - 16.0) / 2.0
        } else {
            left + (w - left - 16.0) * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: f64| top + plot_h * (1.0 - v);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="cohesion-chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="cohesion-chart-title"><title id="cohesion-chart-title">Each member's agreement with the bloc's majority, month by month, from 0% to 100%. The table below gives the same figures.</title>"#
    );
    for pct in [0.0, 0.5, 1.0] {
        let (x2, ly, tx, ty, label) = (w - 8.0, y(pct), left - 6.0, y(pct) + 4.0, pct * 100.0);
        let _ = write!(
            s,
            r##"<line x1="{left}" x2="{x2}" y1="{ly:.1}" y2="{ly:.1}" stroke="#c9ced6" stroke-width="1"/><text x="{tx}" y="{ty:.1}" font-size="11" text-anchor="end" fill="#3b3b3b">{label:.0}%</text>"##
        );
    }
    let step = (n / 6).max(1);
    for (i, m) in r.months.iter().enumerate() {
        if i % step == 0 || i + 1 == n {
            let _ = write!(
                s,
                r##"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle" fill="#3b3b3b">{}</text>"##,
                x(i),
                h - bottom + 18.0,
                m.month
            );
        }
    }
    for (k, m) in members.iter().enumerate() {
        let mut d = String::new();
        let mut dots = String::new();
        let mut pen_down = false;
        for (i, month) in r.months.iter().enumerate() {
            match month.with_bloc.get(k).copied().flatten() {
                Some(v) => {
                    let _ = write!(
                        d,
                        "{}{:.1},{:.1} ",
                        if pen_down { "L" } else { "M" },
                        x(i),
                        y(v)
                    );
                    let _ = write!(
                        dots,
                        r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{}"/>"#,
                        x(i),
                        y(v),
                        m.colour
                    );
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        if !d.is_empty() {
            let _ = write!(
                s,
                r#"<path d="{}" fill="none" stroke="{}" stroke-width="2"/>{dots}"#,
                d.trim_end(),
                m.colour
            );
        }
    }
    s.push_str("</svg>");
    s
}

async fn cohesion_page(
    State(engine): State<Engine>,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(q): ApiQuery<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let (from, to) = range(&q);
    let r = engine.cohesion(&slug, from, to).await?;
    let members: Vec<MemberLine> = r
        .cohesion
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let (name, member_id) = r.names.get(&m.candidate).cloned().unwrap_or_default();
            MemberLine {
                name,
                member_id,
                colour: PALETTE[i % PALETTE.len()],
                votes: m.votes,
                with_bloc: percent(m.with_bloc),
                with_platform: m.with_platform.map_or_else(
                    || "no tagged votes".into(),
                    |x| format!("{:.0}%", x * 100.0),
                ),
            }
        })
        .collect();
    let months = r
        .months
        .iter()
        .map(|m| MonthRow {
            month: m.month.clone(),
            roll_calls: m.roll_calls,
            rice: m.rice.map_or_else(|| "–".into(), |x| format!("{x:.2}")),
            cells: m
                .with_bloc
                .iter()
                .map(|v| v.map_or_else(|| "–".into(), |x| format!("{:.0}%", x * 100.0)))
                .collect(),
        })
        .collect();
    let mut api_href = format!("/api/slates/{}/cohesion", crate::app::urlencode(&slug));
    let mut sep = '?';
    for (k, v) in [("from", from), ("to", to)] {
        if let Some(v) = v {
            let _ = write!(api_href, "{sep}{k}={}", crate::app::urlencode(v));
            sep = '&';
        }
    }
    let page = CohesionPage {
        rice: r
            .cohesion
            .rice
            .map_or_else(|| "no counted roll calls yet".into(), |x| format!("{x:.3}")),
        chart: chart(&r, &members),
        members,
        months,
        api_href,
        from: from.unwrap_or("").to_string(),
        to: to.unwrap_or("").to_string(),
        r,
    };
    Ok(html(StatusCode::OK, &page))
}

struct TargetRow {
    name: String,
    seat: String,
    since: String,
    roles: String,
    against_platform: String,
    against_party: String,
    challenger: String,
    votes: Vec<String>,
}

#[derive(Template)]
#[template(path = "targets.html")]
struct TargetsPage {
    r: TargetsReport,
    chamber_name: &'static str,
    rows: Vec<TargetRow>,
    shown: usize,
    total: usize,
    house: bool,
    democrat: bool,
    api_href: String,
}

const SHOWN: usize = 60;

async fn targets_page(
    State(engine): State<Engine>,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(q): ApiQuery<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let (chamber, party) = target_query(&q);
    let r = engine.targets(&slug, &chamber, &party).await?;
    let tagged: HashMap<&str, &PlatformVoteView> =
        r.tagged.iter().map(|t| (t.vote_id.as_str(), t)).collect();
    let rows = r
        .targets
        .iter()
        .take(SHOWN)
        .map(|t| TargetRow {
            name: t.name.clone(),
            seat: match t.district {
                Some(0) => format!("{} at-large", t.state),
                Some(d) => format!("{}-{d}", t.state),
                None => t.state.clone(),
            },
            since: t.serving_since.clone(),
            roles: t.roles.join("; "),
            against_platform: format!("{} of {}", t.against_platform.len(), t.tagged_votes),
            against_party: match t.against_party_share {
                Some(s) => format!(
                    "{} of {} ({:.1}%)",
                    t.against_party,
                    t.party_votes,
                    s * 100.0
                ),
                None => "no votes".into(),
            },
            challenger: t.challenger.clone().unwrap_or_default(),
            votes: t
                .against_platform
                .iter()
                .map(|v| match tagged.get(v.as_str()) {
                    Some(tag) => format!(
                        "{} ({}): {} — the platform ({}) says {}",
                        v, tag.date, tag.question, tag.plank_title, tag.position
                    ),
                    None => v.clone(),
                })
                .collect(),
        })
        .collect();
    let page = TargetsPage {
        chamber_name: match r.chamber {
            cohort_congress::Chamber::House => "House",
            cohort_congress::Chamber::Senate => "Senate",
        },
        shown: r.targets.len().min(SHOWN),
        total: r.targets.len(),
        house: r.chamber == cohort_congress::Chamber::House,
        democrat: r.party == "Democrat",
        api_href: format!(
            "/api/slates/{}/targets?chamber={}&party={}",
            crate::app::urlencode(&slug),
            r.chamber,
            crate::app::urlencode(&r.party)
        ),
        rows,
        r,
    };
    Ok(html(StatusCode::OK, &page))
}
