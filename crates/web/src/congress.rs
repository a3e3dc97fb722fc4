//! Congress on real data (issue 17): each chamber's composition, and what N
//! coordinated wins of a slate's bloc would do — as JSON and as a public
//! page drawn on the server (an SVG seat grid and committee bars; no
//! JavaScript). Read-only; the figures come from `cohort_congress` over the
//! extract compiled into it, the slate's candidates from the engine.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{middleware, Json, Router};
use cohort_congress::{
    power, Chamber, Congress, Power, PowerError, PowerInput, RollCalls, SeatRef,
};
use cohort_engine::{Engine, SlateView};

use crate::extract::{ApiPath, ApiQuery};
use crate::pages::{html, PageError};
use crate::ApiError;

const CONGRESS_CSS: &str = include_str!("../static/congress.css");

/// The routes, merged into the app once: the API (with its JSON errors)
/// and the page.
pub(crate) fn routes() -> Router<Engine> {
    let api = Router::new()
        .route("/api/congress/{chamber}", get(api_chamber))
        .route("/api/slates/{slug}/power", get(api_power))
        .layer(middleware::map_response(crate::json_errors));
    Router::new()
        .merge(api)
        .route("/slates/{slug}/power", get(page))
        .route("/static/congress.css", get(stylesheet))
}

struct Data {
    congress: Congress,
    votes: RollCalls,
}

/// The shipped extract, parsed once.
fn data() -> Result<&'static Data, ApiError> {
    static DATA: OnceLock<Result<Data, String>> = OnceLock::new();
    DATA.get_or_init(|| {
        let congress = cohort_congress::shipped::congress().map_err(|e| e.to_string())?;
        let votes = cohort_congress::shipped::votes().map_err(|e| e.to_string())?;
        Ok(Data { congress, votes })
    })
    .as_ref()
    .map_err(|e| {
        tracing::error!(error = %e, "the shipped congress extract does not parse");
        ApiError::internal()
    })
}

fn bad(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid", message).with_field(field)
}

fn chamber(s: &str, field: &str) -> Result<Chamber, ApiError> {
    Chamber::parse(s).ok_or_else(|| bad(field, "chamber must be house or senate"))
}

#[utoipa::path(get, path = "/api/congress/{chamber}", tag = "congress", params(("chamber" = String, Path, description = "house or senate")), responses((status = 200, description = "The chamber", body = serde_json::Value), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security((), ("bearer" = [])))]
async fn api_chamber(ApiPath(ch): ApiPath<String>) -> Result<Response, ApiError> {
    let ch = chamber(&ch, "chamber")?;
    let d = data()?;
    let mut v =
        serde_json::to_value(d.congress.composition(ch)).map_err(|_| ApiError::internal())?;
    v["as_of"] = d.congress.as_of.clone().into();
    Ok(Json(v).into_response())
}

/// The query of both the API and the page.
struct Ask {
    chamber: Chamber,
    wins: u32,
    party: String,
    allies: u32,
}

fn ask(
    q: &HashMap<String, String>,
    slate: &SlateView,
    default_wins: bool,
) -> Result<Ask, ApiError> {
    let ch = match q.get("chamber") {
        Some(c) => chamber(c, "chamber")?,
        None if default_wins => Chamber::House,
        None => return Err(bad("chamber", "chamber is required: house or senate")),
    };
    let number = |field: &str, max: u32| -> Result<Option<u32>, ApiError> {
        match q.get(field) {
            None => Ok(None),
            Some(s) => s
                .parse::<u32>()
                .ok()
                .filter(|n| *n <= max)
                .map(Some)
                .ok_or_else(|| {
                    bad(
                        field,
                        format!("{field} must be a whole number from 0 to {max}"),
                    )
                }),
        }
    };
    let wins = match number("wins", 435)? {
        Some(n) => n,
        None if default_wins => (seats(slate, ch).len() as u32).clamp(1, 15),
        None => return Err(bad("wins", "wins is required: a whole number of wins")),
    };
    if wins == 0 {
        return Err(bad("wins", "wins must be at least 1"));
    }
    Ok(Ask {
        chamber: ch,
        wins,
        party: q.get("party").cloned().unwrap_or_else(|| "Democrat".into()),
        allies: number("allies", 435)?.unwrap_or(0),
    })
}

/// The slate's candidates for seats in `ch`, in slate order.
fn seats(slate: &SlateView, ch: Chamber) -> Vec<SeatRef> {
    let office = match ch {
        Chamber::House => "us_house",
        Chamber::Senate => "us_senate",
    };
    slate
        .candidates
        .iter()
        .filter(|c| c.office == office)
        .map(|c| SeatRef {
            candidate: c.slug.clone(),
            name: c.name.clone(),
            state: c.state.to_ascii_uppercase(),
            // "AL", "at-large" or none: the at-large seat, numbered 0.
            district: Some(
                c.district
                    .as_deref()
                    .and_then(|d| d.trim().parse().ok())
                    .unwrap_or(0),
            ),
        })
        .collect()
}

fn compute(slate: &SlateView, a: &Ask) -> Result<Power, ApiError> {
    let d = data()?;
    let input = PowerInput {
        chamber: a.chamber,
        wins: a.wins,
        bloc_party: a.party.clone(),
        seats: seats(slate, a.chamber),
        allies: a.allies,
        cycle: slate.cycle,
    };
    power(&d.congress, Some(&d.votes), &input).map_err(|e| match e {
        PowerError::Invalid { field, message } => bad(field, message),
    })
}

#[utoipa::path(get, path = "/api/slates/{slug}/power", tag = "congress", params(("slug" = String, Path, description = "The slate's slug")), responses((status = 200, description = "The slate's power", body = serde_json::Value), (status = "4XX", description = "Refused: `error.code` says why and `error.field` names the bad input", body = crate::error::Body), (status = 503, description = "The database is busy; retry shortly", body = crate::error::Body)), security((), ("bearer" = [])))]
async fn api_power(
    State(engine): State<Engine>,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(q): ApiQuery<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let slate = engine.slate_view(&slug).await?;
    let a = ask(&q, &slate, false)?;
    let p = compute(&slate, &a)?;
    let mut v = serde_json::to_value(&p).map_err(|_| ApiError::internal())?;
    v["slate"] = slug.into();
    Ok(Json(v).into_response())
}

async fn stylesheet() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "text/css; charset=utf-8")],
        CONGRESS_CSS,
    )
        .into_response()
}

struct WinLink {
    n: u32,
    href: String,
    current: bool,
}

struct CommitteeRow {
    name: String,
    majority: u32,
    minority: u32,
    bar: String,
    sentence: String,
}

#[derive(Template)]
#[template(path = "power.html")]
struct PowerPage {
    slate: SlateView,
    chamber: &'static str,
    other_chamber: &'static str,
    other_href: String,
    p: Power,
    chart: String,
    chart_label: String,
    links: Vec<WinLink>,
    committees: Vec<CommitteeRow>,
    bloc_seats: Vec<String>,
    independents: Vec<String>,
}

async fn page(
    State(engine): State<Engine>,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(q): ApiQuery<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let slate = engine.slate_view(&slug).await?;
    let a = ask(&q, &slate, true)?;
    let p = compute(&slate, &a)?;
    let base = |ch: Chamber, n: u32| {
        let mut h = format!(
            "/slates/{}/power?chamber={}&wins={n}",
            crate::app::urlencode(&slug),
            ch
        );
        if a.party != "Democrat" {
            let _ = write!(h, "&party={}", crate::app::urlencode(&a.party));
        }
        h
    };
    let links = (1..=15)
        .map(|n| WinLink {
            n,
            href: base(a.chamber, n),
            current: n == a.wins,
        })
        .collect();
    let other = match a.chamber {
        Chamber::House => Chamber::Senate,
        Chamber::Senate => Chamber::House,
    };
    let committees = p
        .committees
        .iter()
        .map(|c| CommitteeRow {
            name: c.name.clone(),
            majority: c.majority,
            minority: c.minority,
            bar: bar(
                c.majority,
                c.minority,
                c.needed_to_deny,
                &p.before.majority_party,
            ),
            sentence: committee_sentence(c, &p),
        })
        .collect();
    let bloc_seats = p
        .named_wins
        .iter()
        .map(|w| {
            let seat = match w.district {
                Some(0) => format!("{} at-large", w.state),
                Some(d) => format!("{}-{d}", w.state),
                None => w.state.clone(),
            };
            let how = match (w.kind, &w.incumbent) {
                ("flip", Some(i)) => format!("would take the seat from {i}"),
                ("primary", Some(i)) => format!("would replace {i} in a primary"),
                _ => "would fill an open seat".into(),
            };
            format!("{} ({seat}) {how}.", w.name)
        })
        .collect();
    let (chart, chart_label) = seat_chart(&p);
    let independents = p
        .after
        .independents
        .iter()
        .map(|i| {
            format!(
                "{} ({}) is an independent counted with the {} caucus.",
                i.name,
                i.state,
                cohort_congress::caucus_name(&i.caucus)
            )
        })
        .collect();
    let page = PowerPage {
        chamber: match a.chamber {
            Chamber::House => "House",
            Chamber::Senate => "Senate",
        },
        other_chamber: match other {
            Chamber::House => "House",
            Chamber::Senate => "Senate",
        },
        other_href: base(other, a.wins.min(15)),
        slate,
        p,
        chart,
        chart_label,
        links,
        committees,
        bloc_seats,
        independents,
    };
    Ok(html(StatusCode::OK, &page))
}

fn committee_sentence(c: &cohort_congress::power::CommitteePower, p: &Power) -> String {
    if c.needed_to_deny == 0 {
        return "The two sides are even, so a party-line vote already fails here.".into();
    }
    let members = if c.needed_to_deny == 1 {
        "member"
    } else {
        "members"
    };
    if !c.bloc_party_holds_majority {
        return format!(
            "The {} side holds this committee; {} of its {members} voting no would stop a party-line vote.",
            cohort_congress::caucus_name(&p.before.majority_party),
            c.needed_to_deny
        );
    }
    if c.could_deny {
        format!(
            "The bloc would hold {} seats here, enough to stop a party-line vote ({} needed).",
            c.bloc_members.len(),
            c.needed_to_deny
        )
    } else {
        format!(
            "{} majority {members} voting no would stop a party-line vote here.",
            c.needed_to_deny
        )
    }
}

const BLOC: &str = "#b7791f";
const DEM: &str = "#1d4f91";
const REP: &str = "#a4262c";
const EMPTY: &str = "#d0d4da";

fn colour(party: &str) -> &'static str {
    match party {
        "Democrat" => DEM,
        "Republican" => REP,
        _ => "#5b6470",
    }
}

/// The chamber after the wins as a grid of seats, one square each: the
/// Democratic caucus, the bloc (outlined, in gold), vacancies, Republicans.
fn seat_chart(p: &Power) -> (String, String) {
    let after = &p.after;
    let cols: u32 = if after.seats > 200 { 29 } else { 10 };
    let cell = 14u32;
    let mut seats: Vec<(&str, bool)> = Vec::new();
    let order = ["Democrat", "Republican"];
    let mut parties: Vec<&String> = after.caucuses.keys().collect();
    parties.sort_by_key(|k| order.iter().position(|o| o == k).unwrap_or(1));
    for party in &parties {
        let n = after.caucus(party);
        let bloc = if **party == p.bloc_party {
            p.wins.min(n)
        } else {
            0
        };
        if party.as_str() != "Democrat" {
            seats.extend(std::iter::repeat_n(
                (EMPTY, false),
                after.vacancies as usize,
            ));
        }
        seats.extend(std::iter::repeat_n(
            (colour(party), false),
            (n - bloc) as usize,
        ));
        seats.extend(std::iter::repeat_n((BLOC, true), bloc as usize));
    }
    if parties.iter().all(|p| p.as_str() == "Democrat") {
        seats.extend(std::iter::repeat_n(
            (EMPTY, false),
            after.vacancies as usize,
        ));
    }
    let rows = (seats.len() as u32).div_ceil(cols);
    let (w, h) = (cols * cell, rows * cell);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="seat-chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="chart-title"><title id="chart-title">"#
    );
    let label = {
        let mut parts: Vec<String> = after
            .caucuses
            .iter()
            .map(|(k, v)| format!("{v} {}", cohort_congress::caucus_name(k)))
            .collect();
        if after.vacancies > 0 {
            parts.push(format!("{} vacant", after.vacancies));
        }
        format!(
            "The {} after {} wins: {}; the bloc's {} seats are gold.",
            match p.chamber {
                Chamber::House => "House",
                Chamber::Senate => "Senate",
            },
            p.wins,
            parts.join(", "),
            p.wins
        )
    };
    svg.push_str(&escape(&label));
    svg.push_str("</title>");
    for (i, (fill, bloc)) in seats.iter().enumerate() {
        let (x, y) = ((i as u32 % cols) * cell, (i as u32 / cols) * cell);
        if *bloc {
            let _ = write!(
                svg,
                r##"<rect x="{}" y="{}" width="11" height="11" rx="2" fill="{fill}" stroke="#000" stroke-width="1.5"/>"##,
                x + 1,
                y + 1
            );
        } else {
            let _ = write!(
                svg,
                r#"<rect x="{}" y="{}" width="11" height="11" rx="2" fill="{fill}"/>"#,
                x + 1,
                y + 1
            );
        }
    }
    svg.push_str("</svg>");
    (svg, label)
}

/// A committee as a bar: majority seats, then minority seats, with the
/// majority members who would have to vote no marked in gold.
fn bar(majority: u32, minority: u32, needed: u32, majority_party: &str) -> String {
    let (maj_fill, min_fill) = if majority_party == "Democrat" {
        (DEM, REP)
    } else {
        (REP, DEM)
    };
    let total = (majority + minority).max(1);
    let unit = 160.0 / f64::from(total);
    let maj_w = unit * f64::from(majority);
    let need_w = unit * f64::from(needed.min(majority));
    format!(
        r#"<svg class="bar" viewBox="0 0 160 16" aria-hidden="true" focusable="false"><rect x="0" y="0" width="{maj_w:.1}" height="16" fill="{maj_fill}"/><rect x="{:.1}" y="0" width="{need_w:.1}" height="16" fill="{BLOC}"/><rect x="{maj_w:.1}" y="0" width="{:.1}" height="16" fill="{min_fill}"/></svg>"#,
        maj_w - need_w,
        160.0 - maj_w
    )
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
